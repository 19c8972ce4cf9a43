import type { AccountBook } from "../account/account-book";
import type { Journal } from "../journal/journal";
import type { StopPlan } from "./stop-levels";
import type { StopManager } from "./stop-manager";

/** A journal "stop" row that records an entry's plan bound to its position. */
interface PlanRow {
  action: "plan";
  contractId: string;
  plan: StopPlan;
}

const isPlanRow = (d: unknown): d is PlanRow =>
  typeof d === "object" &&
  d !== null &&
  (d as PlanRow).action === "plan" &&
  typeof (d as PlanRow).contractId === "string";

/**
 * Gives the stop manager back, after a restart, the plans alerts carried for positions still open:
 * the latest "plan" row of each held contract journaled since that position opened (a plan of an
 * earlier position of the same contract does not carry over). Idempotent: a plan bound live wins.
 */
export function restoreStopPlans(journal: Journal, book: AccountBook, stops: StopManager): void {
  if (book.positions.size === 0) {
    stops.schedule();
    return;
  }
  const latest = new Map<string, { ts: number; plan: StopPlan }>();
  let since = 0;
  for (;;) {
    const rows = journal.entries({ accountId: book.accountId, kind: "stop", sinceSeq: since, limit: 5_000 });
    for (const r of rows) if (isPlanRow(r.data)) latest.set(r.data.contractId, { ts: r.ts, plan: r.data.plan });
    if (rows.length < 5_000) break;
    since = rows.at(-1)!.seq;
  }
  for (const p of book.positions.values()) {
    const row = latest.get(p.contractId);
    // A second of leeway: the gateway stamps the position, our clock the row.
    if (row && row.ts >= Date.parse(p.creationTimestamp) - 1_000) stops.restore(p.contractId, row.plan);
  }
  stops.schedule();
}
