import { type Order, OrderStatus } from "../schemas";
import type { StopPlan } from "./stop-levels";

interface Expected {
  accountId: number;
  contractId: string;
  plan: StopPlan;
}

/** Entries waiting for their fill, and positions' plans, are bounded: oldest go first. */
const MAX = 500;

/**
 * The breakeven and trail settings alerts carried, from their entry's placement to the position it
 * opens: the executor registers them under the entry's customTags before it sends the entry; the
 * entry's first fill binds them to its account and contract (the last entry filled wins), where
 * the account's stop manager reads them until the position is flat.
 */
export class StopPlans {
  private readonly expected = new Map<string, Expected>();
  private readonly held = new Map<string, StopPlan>();

  /** The entry about to be sent under any of `tags` carries `plan` for the position it opens. */
  expect(accountId: number, contractId: string, tags: readonly string[], plan: StopPlan): void {
    for (const t of tags) this.expected.set(t, { accountId, contractId, plan });
    while (this.expected.size > MAX) this.expected.delete(this.expected.keys().next().value!);
  }

  /**
   * An order event: an expected entry that filled (in part) binds its plan, returned the first time
   * (to be journaled); one that ended is forgotten.
   */
  onOrder(o: Order): { contractId: string; plan: StopPlan } | null {
    const e = o.customTag ? this.expected.get(o.customTag) : undefined;
    if (!e || e.accountId !== o.accountId) return null;
    let bound: { contractId: string; plan: StopPlan } | null = null;
    const k = key(e.accountId, e.contractId);
    if ((o.status === OrderStatus.Filled || (o.fillVolume ?? 0) > 0) && this.held.get(k) !== e.plan) {
      this.held.set(k, e.plan);
      while (this.held.size > MAX) this.held.delete(this.held.keys().next().value!);
      bound = { contractId: e.contractId, plan: e.plan };
    }
    if (o.status === OrderStatus.Filled || o.status === OrderStatus.Cancelled || o.status === OrderStatus.Rejected)
      this.expected.delete(o.customTag!);
    return bound;
  }

  /** A plan journaled by an earlier run for a position still open: kept unless one is bound already. */
  restore(accountId: number, contractId: string, plan: StopPlan): void {
    const k = key(accountId, contractId);
    if (!this.held.has(k)) this.held.set(k, plan);
  }

  /** The plan the position's entry carried, or null when it carried none. */
  planFor(accountId: number, contractId: string): StopPlan | null {
    return this.held.get(key(accountId, contractId)) ?? null;
  }

  /** The position is flat: its plan ends with it. */
  release(accountId: number, contractId: string): void {
    this.held.delete(key(accountId, contractId));
  }
}

const key = (accountId: number, contractId: string) => `${accountId}|${contractId}`;

const perConnection = new WeakMap<object, StopPlans>();

/** The plans of one gateway connection (shared by its order executor and the accounts' stop managers). */
export function stopPlansOf(connection: object): StopPlans {
  let p = perConnection.get(connection);
  if (!p) {
    p = new StopPlans();
    perConnection.set(connection, p);
  }
  return p;
}
