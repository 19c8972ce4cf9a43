import type { GatewayConnection } from "../connection";
import type { GateIntent, RuleDecision } from "../rules/rules-engine";
import { type OrderIntent, signedQuantity } from "./order-intent";

/**
 * The check an account's guard offers every order sent to that account by any path (an order
 * node without a rules node, a flow of the trader's). `refusing` is cheap and synchronous: while it
 * is false (no kill switch, no block) an order goes without being judged; `judge` returns null to
 * let one through, or the refusal.
 */
export interface EntryGate {
  refusing(): boolean;
  judge(intent: GateIntent): Promise<RuleDecision | null>;
}

/**
 * What an account's guard stops offer an exit at market: room made first (the guard shrinks), so
 * the exit and a guard can never both fill and reverse the position. Call the returned function once
 * the exit is sent (the room is then held until the position shows it) or failed.
 */
export interface ExitRoom {
  /** Call the returned function with `false` when the exit was not sent (refused, failed before it left). */
  beforeExit(contractId: string, quantity: number): Promise<(sent?: boolean) => void>;
}

/** Refused by the guard of the account: carries the rule, for the node's answer. */
export class EntryRefusedError extends Error {
  constructor(readonly decision: RuleDecision) {
    super(`${decision.rule}: ${decision.reason}`);
    this.name = "EntryRefusedError";
  }
}

/**
 * Asks the guard of the intent's account, if one runs, whether the intent may go; throws an
 * EntryRefusedError when it may not. Cancels, closes and flattens are never asked about.
 */
export async function checkEntry(conn: GatewayConnection, accountId: number, intent: OrderIntent): Promise<void> {
  const gate = conn.entryGate(accountId);
  if (!gate || (intent.action !== "place" && intent.action !== "modify") || !gate.refusing()) return;
  const g: GateIntent = { action: intent.action };
  if (intent.action === "place") {
    g.contractId = (await conn.contracts.resolve(intent.symbol!)).id;
    g.quantity = signedQuantity(intent);
  } else {
    g.orderId = intent.orderId;
    g.quantity = intent.quantity;
    g.priceChange = intent.limitPrice !== undefined || intent.stopPrice !== undefined;
  }
  const refusal = await gate.judge(g);
  if (refusal && !refusal.allow) throw new EntryRefusedError(refusal);
}
