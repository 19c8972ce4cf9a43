import type { OrderIntent } from "../orders/order-intent";
import type { GateRequest } from "../rules/order-gate";
import { type SizeRule, sizeBy } from "./size-rule";

/** What sizing one member's share needs to know of the alert's contract and of the account. */
export interface MemberSizing {
  contract: { id: string; tickValue: number };
  /** What the account is charged per contract and side, when its fills told us. */
  costPerSide?: number;
  /** The account's position in the contract as its book shows it (signed), when known. */
  held?: number;
}

/**
 * One member's request for an alert, or why it has none:
 * - `request`: the alert's request for this account, sized; `exit` when it can only reduce risk
 *   (close, partial close, flatten, cancel all, a target of 0, a strategy going flat);
 * - `refused`: the size rule cannot size it (the rule `sizeRule` refuses, with `reason`).
 */
export type MemberRequest = { request: GateRequest; exit: boolean } | { refused: string };

/** Actions that only reduce risk: passed to every member unchanged, never refused by a size rule. */
const EXITS = new Set<OrderIntent["action"]>(["close", "partialClose", "flatten", "cancelAll"]);

/**
 * The alert's request as one member sends it, sized by the member's rule. The alert's own account
 * is replaced by the member's. Sizes:
 * - `place`: the rule applied to the alert's quantity (a `risk` rule needs `stopLoss.ticks`: a stop
 *   given as a price is a distance only once this account's fill is known, too late to size); an
 *   order that reduces the account's position is never refused by its rule (see below);
 * - a strategy order (`strategyPosition`): the order and the strategy's position sizes
 *   (`afterSize`, `beforeSize`) each by the rule; a strategy going flat closes the member's whole
 *   position in the contract (a `close`), whatever the member holds;
 * - `targetPosition`: the target's size by the rule, its sign kept; 0 stays 0 (flat);
 * - `partialClose`: a multiplier scales the quantity (at least one contract: an exit is never
 *   rounded away); fixed and risk members close the alert's quantity (never more than they hold);
 * - `close`, `flatten`, `cancelAll`: unchanged;
 * - an order that reduces what the account holds (or a strategy's partial exit): by the rule, and
 *   when the rule cannot size it (a risk rule without a stop, a multiplier under one contract) the
 *   alert's quantity (at least one), never more than the account holds.
 * An alert sized from a `risk` or `riskPercent` goes to each member unsized: its gate sizes it
 * against that account's headroom and limits (the member's size rule sizes quantities only).
 * `modify` and `cancel` name one order of one account and are refused before any member is asked.
 */
export function memberRequest(alert: GateRequest, rule: SizeRule, accountId: number, s: MemberSizing): MemberRequest {
  const { account: _alertAccount, ...base } = alert;
  const mine: GateRequest = { ...base, account: accountId };
  if (EXITS.has(alert.action)) {
    if (alert.action === "partialClose" && alert.quantity !== undefined && rule.kind === "multiplier") {
      const q = Math.max(1, Math.floor(Math.round(alert.quantity * rule.factor * 1e6) / 1e6));
      return { request: { ...mine, quantity: q }, exit: true };
    }
    return { request: mine, exit: true };
  }
  const size = (quantity: number) =>
    sizeBy(rule, {
      quantity,
      contract: s.contract,
      stopTicks: alert.stopLoss?.ticks,
      costPerSide: s.costPerSide,
    });
  const why = (q: ReturnType<typeof size>) => ("reason" in q ? q.reason : "no contracts to send");
  if (alert.targetPosition !== undefined) {
    if (alert.targetPosition === 0) return { request: mine, exit: true };
    const q = size(Math.abs(alert.targetPosition));
    if (q.quantity === 0) return { refused: why(q) };
    return { request: { ...mine, targetPosition: Math.sign(alert.targetPosition) * q.quantity }, exit: false };
  }
  const sp = alert.strategyPosition;
  if (alert.action === "place" && sp?.after === "flat") {
    const { side: _s, quantity: _q, stopLoss: _sl, takeProfit: _tp, strategyPosition: _sp, ...rest } = mine;
    return { request: { ...rest, action: "close", type: "market" }, exit: true };
  }
  // An alert with a risk instead of a quantity is sized by each member's own gate, from its own headroom.
  if (alert.quantity === undefined && (alert.risk !== undefined || alert.riskPercent !== undefined))
    return { request: mine, exit: false };
  const wanted = alert.quantity ?? 1;
  // The strategy's sizes are in the alert's contracts: the member's position is its rule's share of them.
  const withStrategy = (request: GateRequest): GateRequest => {
    if (!sp) return request;
    const scaled = (n: number) => (n === 0 ? 0 : Math.max(1, size(n).quantity));
    request.strategyPosition = { ...sp };
    if (sp.afterSize !== undefined) request.strategyPosition.afterSize = scaled(sp.afterSize);
    if (sp.beforeSize !== undefined) request.strategyPosition.beforeSize = scaled(sp.beforeSize);
    return request;
  };
  const closable = reducing(alert, s.held);
  if (closable !== null) {
    // An order that reduces the position is never refused by a size rule: when the rule cannot size
    // it, it closes the alert's quantity (at least one contract), never more than the account holds.
    const q = size(wanted).quantity;
    const n = q > 0 ? q : rule.kind === "multiplier" ? 1 : Math.min(wanted, closable);
    return { request: withStrategy({ ...mine, quantity: n }), exit: n <= closable };
  }
  if (rule.kind === "risk" && alert.stopLoss?.price !== undefined && alert.stopLoss.ticks === undefined)
    return {
      refused: `a dollar risk of $${rule.dollars} needs the stop-loss in ticks: a stop given as a price is a distance only once this account's entry fills, too late to size the order`,
    };
  const q = size(wanted);
  if (q.quantity === 0) return { refused: why(q) };
  return { request: withStrategy({ ...mine, quantity: q.quantity }), exit: false };
}

/**
 * The contracts an order could close, when it reduces a position: what the account holds on the
 * other side, or (a strategy's partial exit, the account's position unknown here) the alert's
 * quantity, left to the gate to cap at what the account holds. Null for an order that opens.
 */
function reducing(alert: GateRequest, held: number | undefined): number | null {
  if (alert.action !== "place" || !alert.side) return null;
  const dir = alert.side === "buy" ? 1 : -1;
  if (held !== undefined && held !== 0 && Math.sign(held) === -dir) return Math.abs(held);
  const sp = alert.strategyPosition;
  if (sp && sp.after !== "flat" && (sp.after === "long" ? 1 : -1) === -dir) return alert.quantity ?? 1;
  return null;
}
