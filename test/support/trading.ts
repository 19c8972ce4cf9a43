import { strict as assert } from "node:assert";
import type { AxiosInstance } from "axios";
import type { Simulator } from "../../src/sim";
import { restClient } from "./sim";

/**
 * Wire numbers as the gateway documents them (docs §4), written out here rather than imported
 * from src/ so a wrong enum in the code cannot make a test agree with it.
 */
export const BUY = 0;
export const SELL = 1;
export const T = { Limit: 1, Market: 2, StopLimit: 3, Stop: 4, TrailingStop: 5, JoinBid: 6, JoinAsk: 7 } as const;
export const S = { Open: 1, Filled: 2, Cancelled: 3, Rejected: 5, Pending: 6, Suspended: 8 } as const;
export const LONG = 1;
export const SHORT = 2;

/** The fields of POST /api/Order/place a test may send (accountId and contractId are required). */
export interface PlaceBody {
  accountId: number;
  contractId: string;
  type: number;
  side: number;
  size: number;
  limitPrice?: number | null;
  stopPrice?: number | null;
  trailPrice?: number | null;
  customTag?: string | null;
  linkedOrderId?: number | null;
  stopLossBracket?: { ticks: number; type: number } | null;
  takeProfitBracket?: { ticks: number; type: number } | null;
}

export interface Envelope {
  success: boolean;
  errorCode: number;
  errorMessage: string | null;
}

export interface WireOrder {
  id: number;
  accountId: number;
  contractId: string;
  symbolId: string | null;
  creationTimestamp: string;
  updateTimestamp: string | null;
  status: number;
  type: number;
  side: number;
  size: number;
  limitPrice: number | null;
  stopPrice: number | null;
  fillVolume: number;
  filledPrice: number | null;
  customTag: string | null;
  trailDistance: number | null;
  trailPrice: number | null;
  parentOrderId: number | null;
  linkedOrderId: number | null;
}

export interface WirePosition {
  id: number;
  accountId: number;
  contractId: string;
  contractDisplayName: string | null;
  creationTimestamp: string;
  type: number;
  size: number;
  averagePrice: number;
}

export interface WireTrade {
  id: number;
  accountId: number;
  contractId: string;
  creationTimestamp: string;
  price: number;
  profitAndLoss: number | null;
  fees: number;
  commissions?: number | null;
  side: number;
  size: number;
  voided: boolean;
  orderId: number;
}

/** Answers of Order/search, Order/searchOpen and Order/v2/query (which adds totalCount). */
export type OrderList = Envelope & { orders: WireOrder[]; totalCount?: number | null };
/** Answer of Order/searchById: null when the account has no such order. */
export type OrderAnswer = Envelope & { order: WireOrder | null };
export type PositionList = Envelope & { positions: WirePosition[] };
export type TradeList = Envelope & { trades: WireTrade[] };

/**
 * POSTs to a gateway endpoint and returns the JSON answer, which must come with HTTP 200. `R` names
 * the answer's shape; without it only the envelope's fields are known.
 */
export async function call<R = Envelope & Record<string, unknown>>(
  api: AxiosInstance,
  path: string,
  body: unknown,
): Promise<R> {
  const r = await api.post(path, body);
  assert.equal(r.status, 200, `${path} answered HTTP ${r.status}: ${JSON.stringify(r.data)}`);
  return r.data as R;
}

/** Order/place; returns the whole answer (success or not). */
export function place(api: AxiosInstance, body: PlaceBody): Promise<Envelope & { orderId: number | null }> {
  return call(api, "/api/Order/place", body);
}

/** Order/place that must succeed; returns the order id. */
export async function placeOk(api: AxiosInstance, body: PlaceBody): Promise<number> {
  const r = await place(api, body);
  assert.equal(r.success, true, `Order/place refused: ${JSON.stringify(r)}`);
  assert.equal(typeof r.orderId, "number");
  return r.orderId!;
}

/** One order as Order/searchById reads it back. */
export async function getOrder(api: AxiosInstance, accountId: number, orderId: number): Promise<WireOrder> {
  const r = await call<OrderAnswer>(api, "/api/Order/searchById", { accountId, orderId });
  assert.equal(r.success, true, `Order/searchById ${orderId}: ${JSON.stringify(r)}`);
  return r.order!;
}

export async function openOrders(api: AxiosInstance, accountId: number): Promise<WireOrder[]> {
  const r = await call<OrderList>(api, "/api/Order/searchOpen", { accountId });
  assert.equal(r.success, true);
  return r.orders;
}

export async function openPositions(api: AxiosInstance, accountId: number): Promise<WirePosition[]> {
  const r = await call<PositionList>(api, "/api/Position/searchOpen", { accountId });
  assert.equal(r.success, true);
  return r.positions;
}

/** Every trade of an account (Trade/search without a time window). */
export async function tradesOf(api: AxiosInstance, accountId: number): Promise<WireTrade[]> {
  const r = await call<TradeList>(api, "/api/Trade/search", { accountId });
  assert.equal(r.success, true);
  return r.trades;
}

export async function balanceOf(api: AxiosInstance, accountId: number): Promise<number> {
  const r = await call<Envelope & { accounts: { id: number; balance: number }[] }>(api, "/api/Account/search", {
    onlyActiveAccounts: false,
  });
  const a = r.accounts.find((x) => x.id === accountId);
  assert.ok(a, `account ${accountId} not listed`);
  return a.balance;
}

/** Back to the configured accounts with no orders, positions or trades (tokens stay valid). */
export async function resetSim(sim: Simulator): Promise<void> {
  const r = await restClient(sim).post("/sim/reset", {});
  assert.equal(r.status, 200);
}

/** Changes an account setting through the control API (e.g. autoOcoBrackets). */
export async function patchAccount(
  sim: Simulator,
  patch: { accountId: number; autoOcoBrackets?: boolean; canTrade?: boolean; balance?: number },
): Promise<void> {
  const r = await restClient(sim).post("/sim/account", patch);
  assert.equal(r.status, 200, JSON.stringify(r.data));
}
