import type { GatewayConnection } from "../connection";
import type { GateIntent, RuleDecision } from "../rules/rules-engine";
import type { OrderIntent } from "./order-intent";

/**
 * The check an account's guard offers every order sent to that account by any path (an order
 * node without a rules node, a flow of the trader's): null to let it through, or the refusal.
 */
export type EntryGate = (intent: GateIntent) => Promise<RuleDecision | null>;

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
  if (!gate || (intent.action !== "place" && intent.action !== "modify")) return;
  const g: GateIntent = { action: intent.action };
  if (intent.action === "place") {
    g.contractId = (await conn.contracts.resolve(intent.symbol!)).id;
    g.quantity = intent.side === "sell" ? -intent.quantity! : intent.quantity;
  } else {
    g.orderId = intent.orderId;
    g.quantity = intent.quantity;
    g.priceChange = intent.limitPrice !== undefined || intent.stopPrice !== undefined;
  }
  const refusal = await gate(g);
  if (refusal && !refusal.allow) throw new EntryRefusedError(refusal);
}
