import type { Journal } from "../journal/journal";
import type { Trade } from "../schemas";
import type { GuardAction } from "./guard-stops";

/** How many of the account's latest journal rows are read for the guards behind fills a re-sync found. */
const LOOKBACK_ROWS = 5_000;

/**
 * The guard stops among fills a re-sync found (made while our process or its hubs were away): one
 * "filled" action per guard order the journal says this account placed and has not seen filled.
 * Those fills never came as order events, yet they are the same breach as a guard filling live.
 */
export function guardFillsFound(journal: Journal, accountId: number, trades: readonly Trade[]): GuardAction[] {
  const fills = trades.filter((t) => !t.voided);
  if (fills.length === 0) return [];
  const placed = new Map<number, GuardAction>();
  const filled = new Set<number>();
  for (const e of journal.recent(accountId, LOOKBACK_ROWS)) {
    if (e.kind !== "guard") continue;
    const a = e.data as GuardAction;
    if (a.orderId === undefined) continue;
    if (a.action === "placed") placed.set(a.orderId, a);
    else if (a.action === "filled") filled.add(a.orderId);
  }
  const out = new Map<number, GuardAction>();
  for (const t of fills) {
    const guard = placed.get(t.orderId);
    if (!guard || filled.has(t.orderId)) continue;
    const seen = out.get(t.orderId);
    if (seen) seen.size = (seen.size ?? 0) + t.size;
    else
      out.set(t.orderId, {
        action: "filled",
        contractId: t.contractId,
        orderId: t.orderId,
        customTag: guard.customTag,
        size: t.size,
        stopPrice: guard.stopPrice,
        reason: `the guard stop filled at ${t.price} while we were away (found by the re-sync)`,
      });
  }
  return [...out.values()];
}
