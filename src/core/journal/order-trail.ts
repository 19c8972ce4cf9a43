import { type AccountJournal, accountJournal } from "./account-journals";
import type { JournalKind } from "./journal";

/** What ties an order's rows to the rest of its trail. */
export interface TrailLink {
  alertId?: string;
  customTag?: string;
  /** The id of the request that asked for it (Node-RED's msg._msgid). */
  msgid?: string;
  /** Who sent it, when not the flow itself (a group's fan-out, a copier): "group:<name>", "copy:<leader>". */
  source?: string;
}

/** Writes a row of an account's trail; a journal that cannot write must not stop an order or an answer. */
export function writeTrail(target: AccountJournal & { accountId: number }, kind: JournalKind, data: unknown): void {
  try {
    target.journal.appendSoon(kind, target.accountId, data, target.clock.now());
  } catch {
    // The decision row, written before anything is sent, is where a broken journal shows.
  }
}

/**
 * Runs an order for an account and journals it in that account's trail when a rules node guards it:
 * the order as sent (before it is sent, so its fills follow it), then its result, or the error
 * (unless `answered`: a webhook answer journals what it says itself, see the nodes' http answers).
 * Without a journal for the account the order just runs.
 */
export async function journaledRun<I, T>(
  accountId: number | null,
  link: TrailLink,
  intent: I,
  run: (intent: I) => Promise<T>,
  answered: { onSuccess: (result: T) => unknown } | null = null,
): Promise<T> {
  const j = accountId === null ? null : accountJournal(accountId);
  if (!j || accountId === null) return run(intent);
  const target = { ...j, accountId };
  writeTrail(target, "order", { ...link, intent });
  try {
    const result = await run(intent);
    // The order id ties the fills to the trail: in the answer for a webhook, in a second order row otherwise.
    if (answered) writeTrail(target, "answer", { ...link, status: 200, body: answered.onSuccess(result) });
    else writeTrail(target, "order", { ...link, result: withoutRequest(result) });
    return result;
  } catch (e) {
    if (!answered) writeTrail(target, "error", { ...link, error: (e as Error).message });
    throw e;
  }
}

function withoutRequest<T>(result: T): unknown {
  return result !== null && typeof result === "object" ? { ...result, request: undefined } : result;
}
