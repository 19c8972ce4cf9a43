import type { z } from "zod";
import { type Clock, systemClock } from "../clock";
import {
  type Bar,
  type Contract,
  Envelope,
  formatTimestamp,
  type ModifyOrderRequest,
  type Order,
  OrderSide,
  type PlaceOrderRequest,
  PlaceOrderResponse,
  type Position,
  type QueryOrdersRequest,
  QueryOrdersResponse,
  type RetrieveBarRequest,
  RetrieveBarResponse,
  SearchAccountResponse,
  SearchContractByIdResponse,
  SearchContractResponse,
  SearchOrderByIdResponse,
  SearchOrderResponse,
  SearchPositionResponse,
  SearchTradeResponse,
  type Trade,
  type TradingAccount,
} from "../schemas";
import { newCustomTag } from "./custom-tag";
import { GatewayRejectedError, OrderNotConfirmedError } from "./errors";
import type { Lane } from "./request-budget";
import type { CallOptions, RestClient } from "./rest-client";
import { isTransient } from "./retry-policy";

/** The outcome of a placement: the order id, and whether it was found by reconciliation. */
export interface PlacedOrder {
  orderId: number;
  customTag: string;
  /** True when the first answer was lost and the order was found by its customTag. */
  reconciled: boolean;
}

/**
 * The life of one Order/place as the gateway told it: `sending` before the request leaves,
 * then `placed` (an order id, answered or found by tag), `refused` (the gateway or the client's
 * budget said no: nothing was placed) or `unknown` (the answer was lost and no order with the tag
 * was found yet: it may still surface). Whoever reserves exposure for an order follows this.
 */
export interface PlacementEvent {
  accountId: number;
  contractId: string;
  customTag: string;
  /** Signed size: positive buys. */
  size: number;
  phase: "sending" | "placed" | "refused" | "unknown";
  orderId?: number;
}

/** The body of a search over a time window: epoch ms as the gateway's timestamps, no `end` meaning until now. */
function timeWindow(accountId: number, start: number, end: number | undefined) {
  return {
    accountId,
    startTimestamp: formatTimestamp(start),
    endTimestamp: end === undefined ? null : formatTimestamp(end),
  };
}

/** Order/place gets a shorter timeout than reads: a slow answer is reconciled, not waited for. */
const ORDER_TIMEOUT_MS = 5_000;
/** An order waits at most this long for the client-side rate budget; later it is refused unsent. */
const ORDER_QUEUE_MS = 2_000;
/** How far back Order/search looks for a placement being reconciled: generous, for clock skew. */
const RECONCILE_LOOKBACK_MS = 24 * 3_600_000;

/**
 * Typed calls for every gateway endpoint, over a {@link RestClient}. Reads retry; writes do not,
 * and an order placement that fails ambiguously is reconciled by its customTag before anything
 * else happens, so an order is never placed twice.
 */
export class GatewayApi {
  /** Shared with every view of this API, so that placements in the exit lane are followed too. */
  private placementListeners = new Set<(e: PlacementEvent) => void>();

  constructor(
    readonly rest: RestClient,
    private readonly clock: Clock = systemClock,
    private readonly orderTimeoutMs = ORDER_TIMEOUT_MS,
    private readonly traits: { lane: Lane; repeat: boolean } = { lane: "normal", repeat: false },
  ) {}

  /**
   * The same calls in the request budget's exit lane, which ordinary orders cannot use up: for the
   * reads and orders of a close or flatten. `repeat` marks calls that repeat a failed exit, which
   * may use only the lane's retry share.
   */
  exitLane(repeat = false): GatewayApi {
    const view = new GatewayApi(this.rest, this.clock, this.orderTimeoutMs, { lane: "exit", repeat });
    view.placementListeners = this.placementListeners;
    return view;
  }

  /** True for a view made by {@link exitLane}. */
  get isExitLane(): boolean {
    return this.traits.lane === "exit";
  }

  private call<T extends z.ZodType>(
    endpoint: string,
    body: unknown,
    schema: T,
    options: CallOptions,
  ): Promise<z.infer<T>> {
    return this.rest.call(endpoint, body, schema, { ...options, lane: this.traits.lane, repeat: this.traits.repeat });
  }

  /** Follows every placement made through this API; returns the function that stops following. */
  onPlacement(listener: (e: PlacementEvent) => void): () => void {
    this.placementListeners.add(listener);
    return () => this.placementListeners.delete(listener);
  }

  private placement(req: PlaceOrderRequest, customTag: string, phase: PlacementEvent["phase"], orderId?: number): void {
    const e: PlacementEvent = {
      accountId: req.accountId,
      contractId: req.contractId,
      customTag,
      size: req.side === OrderSide.Bid ? req.size : -req.size,
      phase,
      orderId,
    };
    for (const l of this.placementListeners) l(e);
  }

  /** The user's trading accounts; `simulated` tells Combine and practice accounts from live ones. */
  async searchAccounts(onlyActiveAccounts = true): Promise<TradingAccount[]> {
    return (
      (await this.call("Account/search", { onlyActiveAccounts }, SearchAccountResponse, { retry: true })).accounts ?? []
    );
  }

  /**
   * Contracts whose name or symbol matches `searchText`: at most 20, no paging. `live` picks the
   * live data subscription; false serves Combine and practice accounts.
   */
  async searchContracts(searchText: string, live = false): Promise<Contract[]> {
    return (
      (await this.call("Contract/search", { searchText, live }, SearchContractResponse, { retry: true })).contracts ??
      []
    );
  }

  /** The contract with this id (expired ones too), or null when the gateway does not know it. */
  async contractById(contractId: string): Promise<Contract | null> {
    try {
      return (
        (await this.call("Contract/searchById", { contractId }, SearchContractByIdResponse, { retry: true }))
          .contract ?? null
      );
    } catch (e) {
      if (e instanceof GatewayRejectedError) return null;
      throw e;
    }
  }

  /** Every contract the gateway lists as tradable, in one answer; `live` as in searchContracts. */
  async availableContracts(live = false): Promise<Contract[]> {
    return (await this.call("Contract/available", { live }, SearchContractResponse, { retry: true })).contracts ?? [];
  }

  /** Bars of a window, newest first; at most `req.limit` (20,000 the gateway's ceiling), the most recent kept. */
  async retrieveBars(req: RetrieveBarRequest): Promise<Bar[]> {
    return (await this.call("History/retrieveBars", req, RetrieveBarResponse, { retry: true })).bars ?? [];
  }

  /** Orders created from `start` to `end` (epoch ms; no `end`: until now), whatever their status. */
  async searchOrders(accountId: number, start: number, end?: number): Promise<Order[]> {
    return (
      (await this.call("Order/search", timeWindow(accountId, start, end), SearchOrderResponse, { retry: true }))
        .orders ?? []
    );
  }

  /**
   * Working orders as Order/searchOpen lists them: Suspended bracket legs are missing, so code that
   * must see every working order asks {@link queryOrders} with WORKING_STATUSES.
   */
  async searchOpenOrders(accountId: number): Promise<Order[]> {
    return (await this.call("Order/searchOpen", { accountId }, SearchOrderResponse, { retry: true })).orders ?? [];
  }

  /** The account's order with this id in any status, or null when the gateway has none. */
  async orderById(accountId: number, orderId: number): Promise<Order | null> {
    try {
      return (
        (await this.call("Order/searchById", { accountId, orderId }, SearchOrderByIdResponse, { retry: true })).order ??
        null
      );
    } catch (e) {
      if (e instanceof GatewayRejectedError) return null;
      throw e;
    }
  }

  /** Order/v2/query: orders filtered by status, contract and creation time; one page of them. */
  async queryOrders(req: QueryOrdersRequest): Promise<Order[]> {
    return (await this.call("Order/v2/query", req, QueryOrdersResponse, { retry: true })).orders ?? [];
  }

  /** Open positions; `size` is always positive and `type` (PositionType) gives the side. */
  async searchOpenPositions(accountId: number): Promise<Position[]> {
    return (
      (await this.call("Position/searchOpen", { accountId }, SearchPositionResponse, { retry: true })).positions ?? []
    );
  }

  /** Fills from `start` to `end` (epoch ms; no `end`: until now); skip those with `voided` true. */
  async searchTrades(accountId: number, start: number, end?: number): Promise<Trade[]> {
    return (
      (await this.call("Trade/search", timeWindow(accountId, start, end), SearchTradeResponse, { retry: true }))
        .trades ?? []
    );
  }

  /** Cancels a working order, once: cancelConfirmed repeats it after reading how the order stands. */
  async cancelOrder(accountId: number, orderId: number): Promise<void> {
    await this.call("Order/cancel", { accountId, orderId }, Envelope, { retry: false });
  }

  /**
   * Changes a working order's size or prices, once and never repeated: after a lost answer the
   * change may or may not have applied, so a caller that tries again reads the order first.
   */
  async modifyOrder(req: ModifyOrderRequest): Promise<void> {
    await this.call("Order/modify", req, Envelope, { retry: false });
  }

  /** Closes a whole position at market. */
  async closePosition(accountId: number, contractId: string): Promise<void> {
    await this.call("Position/closeContract", { accountId, contractId }, Envelope, { retry: false });
  }

  /** Closes `size` contracts (positive) of a position at market; partialCloseConfirmed repeats it safely. */
  async partialClosePosition(accountId: number, contractId: string, size: number): Promise<void> {
    await this.call("Position/partialCloseContract", { accountId, contractId, size }, Envelope, { retry: false });
  }

  /** Finds the order carrying `customTag`, placed since `since`. */
  async findByTag(accountId: number, customTag: string, since: number): Promise<Order | null> {
    const orders = await this.searchOrders(accountId, since - RECONCILE_LOOKBACK_MS);
    return orders.find((o) => o.customTag === customTag) ?? null;
  }

  /**
   * Places an order once. The request carries a customTag (one is generated if absent), which the
   * gateway keeps unique per account. After a timeout, a 5xx, a 429 or a broken connection, the
   * order is looked up by that tag: found, it is reported as placed; not found, it is placed one
   * more time with the same tag, which the gateway would refuse were the first one to surface late.
   */
  async placeOrder(req: PlaceOrderRequest): Promise<PlacedOrder> {
    const customTag = req.customTag ?? newCustomTag();
    const attempt = { maybeSent: false };
    this.placement(req, customTag, "sending");
    try {
      const placed = await this.placeOnce(req, customTag, attempt);
      this.placement(req, customTag, "placed", placed.orderId);
      return placed;
    } catch (e) {
      // Only a refusal of the first request is final; after an ambiguous one the order may exist.
      this.placement(req, customTag, attempt.maybeSent || e instanceof OrderNotConfirmedError ? "unknown" : "refused");
      throw e;
    }
  }

  private async placeOnce(
    req: PlaceOrderRequest,
    customTag: string,
    progress: { maybeSent: boolean },
  ): Promise<PlacedOrder> {
    const body = { ...req, customTag };
    const since = this.clock.now();
    const attempt = async (): Promise<number> => {
      const r = await this.call("Order/place", body, PlaceOrderResponse, {
        retry: false,
        timeoutMs: this.orderTimeoutMs,
        // An exit is sent however long it waits: late is better than not at all.
        maxQueueMs: this.isExitLane ? undefined : ORDER_QUEUE_MS,
      });
      if (r.orderId == null)
        throw new OrderNotConfirmedError(customTag, "the gateway reported success without an order id");
      return r.orderId;
    };
    let firstError: Error;
    try {
      return { orderId: await attempt(), customTag, reconciled: false };
    } catch (e) {
      if (!isTransient(e)) throw e;
      firstError = e as Error;
      progress.maybeSent = true;
    }
    const found = await this.findByTag(req.accountId, customTag, since);
    if (found) return { orderId: found.id, customTag, reconciled: true };
    try {
      return { orderId: await attempt(), customTag, reconciled: false };
    } catch (e) {
      // After an ambiguous first attempt nothing the second says is final: the first may surface
      // late (a duplicate-tag refusal, a lag in Order/search). Look once more before answering.
      const again = await this.findByTag(req.accountId, customTag, since).catch(() => null);
      if (again) return { orderId: again.id, customTag, reconciled: true };
      throw new OrderNotConfirmedError(
        customTag,
        `${firstError.message}; then ${(e as Error).message}; no order with this tag was found`,
      );
    }
  }
}
