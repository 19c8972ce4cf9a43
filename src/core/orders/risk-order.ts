import { typicalCostPerSide } from "../contracts/closing-costs";
import { microRootOf, productOf } from "../contracts/products";
import { dollarsAndCents } from "../money/format";
import { contractsWithin, lossPerContract } from "../money/risk";
import type { Contract } from "../schemas";
import { expectedEntry } from "./live-reference";
import { type BracketSpec, bracketTicks, IntentError, type OrderIntent, type Reference } from "./order-intent";

/** What the account still allows the order, as the rules know it (nothing known without a rules node). */
export interface RiskRoom {
  /** Dollars the day can still lose: the tighter of the loss-limit and daily-loss headroom; null when unknown. */
  headroom: number | null;
  /** The most contracts of the contract, on the order's side, the contract limit leaves room for. */
  maxContracts(contractId: string, side: "buy" | "sell"): number;
}

/** No room known: no cap but the risk itself. */
export const UNKNOWN_ROOM: RiskRoom = { headroom: null, maxContracts: () => Number.POSITIVE_INFINITY };

/** A contract an order may be sized in, with what the account pays per contract and side. */
export interface RiskContract {
  contract: Pick<Contract, "id" | "name" | "tickSize" | "tickValue">;
  costPerSide: number;
}

/** An order to size from its risk, its contract (and the market's micro) and stop known. */
export interface RiskOrder {
  risk?: number;
  riskPercent?: number;
  side: "buy" | "sell";
  /** Distance to the stop-loss of the full contract, in its ticks. */
  stopTicks: number;
  full: RiskContract;
  /** The market's micro, when the order may fall back to it. */
  micro?: RiskContract;
}

/** The size found: contracts of `contract` with the stop `stopTicks` away, or why there are none. */
export type RiskSized =
  | {
      quantity: number;
      contract: RiskContract["contract"];
      /** True when the market's micro is sized instead of the full contract. */
      micro: boolean;
      stopTicks: number;
      dollars: number;
      lossPerContract: number;
    }
  | { quantity: 0; reason: string; field: "risk" | "riskPercent" };

const money = dollarsAndCents;

/**
 * The largest whole number of contracts whose loss at the stop, fees and commissions both ways
 * included, fits the risk (dollars, or a percent of the headroom); no more than the headroom allows
 * nor than the contract limit leaves room for. When not even one full-size contract fits and a micro
 * is offered, the micro is sized at the same stop distance in price. Refused with the numbers when
 * not even one contract fits.
 */
export function sizeFromRisk(o: RiskOrder, room: RiskRoom): RiskSized {
  const field = o.risk !== undefined ? "risk" : "riskPercent";
  let dollars = o.risk ?? Number.POSITIVE_INFINITY;
  if (o.riskPercent !== undefined) {
    if (room.headroom === null)
      return {
        quantity: 0,
        field: "riskPercent",
        reason: "riskPercent needs the day's remaining headroom, which only a rules node with a loss limit knows",
      };
    if (!(room.headroom > 0))
      return { quantity: 0, field, reason: `no headroom left today (${money(room.headroom)}) to take a risk from` };
    dollars = Math.min(dollars, Math.floor(room.headroom * o.riskPercent) / 100);
  }
  const riskText =
    o.risk !== undefined && dollars === o.risk
      ? money(dollars)
      : `${money(dollars)} (${o.riskPercent}% of ${money(room.headroom!)} headroom)`;
  const points = o.stopTicks * o.full.contract.tickSize;
  const candidates = [{ c: o.full, ticks: o.stopTicks }];
  if (o.micro) candidates.push({ c: o.micro, ticks: Math.max(1, Math.round(points / o.micro.contract.tickSize)) });
  let last = "";
  for (const [i, { c, ticks }] of candidates.entries()) {
    const per = lossPerContract(ticks, c.contract.tickValue, c.costPerSide);
    let n = contractsWithin(dollars, per);
    last = `one ${symbolOf(c.contract)} loses ${money(per)} at a ${ticks}-tick stop (fees included), more than the ${riskText} risk`;
    if (n < 1) continue;
    if (room.headroom !== null) {
      const byHeadroom = contractsWithin(room.headroom, per);
      if (byHeadroom < 1)
        return {
          quantity: 0,
          field,
          reason: `one ${symbolOf(c.contract)} loses ${money(per)} at a ${ticks}-tick stop (fees included), more than the ${money(room.headroom)} of headroom left today`,
        };
      n = Math.min(n, byHeadroom);
    }
    // With no room left under the contract limit, one contract goes to the rules, which refuse it by that limit.
    n = Math.max(1, Math.min(n, room.maxContracts(c.contract.id, o.side)));
    return { quantity: n, contract: c.contract, micro: i > 0, stopTicks: ticks, dollars, lossPerContract: per };
  }
  return { quantity: 0, field, reason: last };
}

/** The trading symbol of a contract, for reasons ("MNQ"). */
function symbolOf(c: RiskContract["contract"]): string {
  return productOf(c.id).symbol || c.name;
}

/** Where a risk-sized order's contract, prices and costs come from. */
export interface RiskSources {
  resolve(symbol: string): Promise<Contract>;
  byContractId(id: string): Promise<Contract>;
  reference(contractId: string): Promise<Reference>;
  /** What the account was charged per contract and side, when its fills say. */
  chargedPerSide(contractId: string): number | undefined;
}

/**
 * Gathers what sizing a risk order needs (before any serialized decision, as it may wait for the
 * gateway): its contract and, when `microFallback` asks, the market's micro; the stop's distance in
 * ticks, from the limit or stop price, else the live quote, when the stop is a price or a percent.
 */
export async function riskOrderOf(intent: OrderIntent, src: RiskSources): Promise<RiskOrder> {
  const side = intent.side!;
  const stop: BracketSpec = intent.stopLoss!;
  const contract = await src.resolve(intent.symbol!);
  const needsEntry = stop.price !== undefined || stop.percent !== undefined;
  const entry =
    intent.limitPrice ??
    intent.stopPrice ??
    (needsEntry ? expectedEntry(await src.reference(contract.id), side) : null);
  const stopTicks = bracketTicks(stop, "stopLoss", side, contract, entry);
  const costed = (c: Contract): RiskContract => ({
    contract: c,
    costPerSide: src.chargedPerSide(c.id) ?? typicalCostPerSide(c.id),
  });
  const microRoot = intent.microFallback ? microRootOf(contract.id) : undefined;
  let micro: RiskContract | undefined;
  if (microRoot) {
    const id = contract.id.split(".");
    id[3] = microRoot;
    micro = costed(await src.byContractId(id.join(".")));
  }
  return { risk: intent.risk, riskPercent: intent.riskPercent, side, stopTicks, full: costed(contract), micro };
}

/**
 * The intent's fields a risk size settles: the quantity, the contract when it fell back to the
 * micro, and the stop-loss in the ticks it was sized with (so the loss at the stop is the one sized).
 * Throws an IntentError naming `risk` or `riskPercent` with the reason when nothing fits.
 */
export function sizedFields(sized: RiskSized): Partial<OrderIntent> {
  if ("reason" in sized) throw new IntentError(sized.field, sized.reason);
  const fields: Partial<OrderIntent> = { quantity: sized.quantity, stopLoss: { ticks: sized.stopTicks } };
  if (sized.micro) fields.symbol = sized.contract.id;
  return fields;
}
