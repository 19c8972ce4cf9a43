import type { GatewayConnection } from "../connection";
import type { OrderGate } from "../rules/order-gate";

/**
 * The order gate of every guarded account, per connection (one login): what a group's fan-out and a
 * copier judge each account's orders through. One rules node guards an account and names its gate
 * here; an account with no gate is refused entries (its state is unknown to us), never exits.
 */
const gates = new WeakMap<GatewayConnection, Map<number, OrderGate>>();

/** Names the gate of an account on a connection; returns the function that takes it back. */
export function registerGate(conn: GatewayConnection, gate: OrderGate): () => void {
  const byAccount = gates.get(conn) ?? new Map<number, OrderGate>();
  gates.set(conn, byAccount);
  const accountId = gate.accountId;
  byAccount.set(accountId, gate);
  return () => {
    if (byAccount.get(accountId) === gate) byAccount.delete(accountId);
  };
}

/** The gate guarding an account on a connection, or undefined when no rules node guards it. */
export function gateOf(conn: GatewayConnection, accountId: number): OrderGate | undefined {
  return gates.get(conn)?.get(accountId);
}
