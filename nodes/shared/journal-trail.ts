import type { NodeMessageInFlow } from "node-red";
import { type AccountJournal, accountJournal, anyAccountJournal } from "../../src/core/journal/account-journals";
import type { JournalKind } from "../../src/core/journal/journal";
import type { OrderExecutor } from "../../src/core/orders/order-executor";
import type { OrderIntent } from "../../src/core/orders/order-intent";
import { answerListeners } from "./http-answer";

type Msg = NodeMessageInFlow & { res?: unknown; intent?: unknown; alert?: { id?: unknown } };

const record = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const text = (v: unknown): string | undefined => (typeof v === "string" && v !== "" ? v : undefined);

/** The account (and alert) a rules node decided a msg for, until the msg is answered. */
const bound = new WeakMap<object, { accountId: number; alertId?: string }>();

/** Ties a msg to the account that decides it, so an answer made for it lands in that account's trail. */
export function bindTrail(msg: NodeMessageInFlow, accountId: number, alertId?: string): void {
  bound.set(msg, { accountId, alertId });
}

/** The alert id a msg carries: the intent's id (set by the alert node), or the alert's own. */
export function alertIdOf(msg: NodeMessageInFlow, payload: unknown = msg.payload): string | undefined {
  return text(record(payload).id) ?? text((msg as Msg).alert?.id);
}

function accountOf(v: unknown): number | null {
  if (typeof v === "number" && Number.isInteger(v)) return v;
  return typeof v === "string" && /^\d+$/.test(v) ? Number(v) : null;
}

/** Writes a row of the trail; a journal that cannot write must not stop an order or an answer. */
function write(target: AccountJournal & { accountId: number }, kind: JournalKind, data: unknown): void {
  try {
    target.journal.appendSoon(kind, target.accountId, data, target.clock.now());
  } catch {
    // The decision row, written before anything is sent, is where a broken journal shows.
  }
}

// Every answer made through answerHttp, for a guarded account, goes into its trail.
answerListeners.push((msg, status, body) => {
  const m = msg as Msg;
  // answerHttp has moved the intent to msg.intent by now.
  const intent = record(m.intent);
  const b = bound.get(msg);
  const accountId = b?.accountId ?? accountOf(intent.account);
  const j = accountId === null ? null : accountJournal(accountId);
  if (!j || accountId === null) return;
  write({ ...j, accountId }, "answer", {
    alertId: b?.alertId ?? alertIdOf(msg, intent),
    customTag: text(intent.customTag),
    msgid: msg._msgid,
    status,
    body,
  });
});

/**
 * Runs an order (a placement carries its customTag already: see withCustomTag) and journals it in
 * its account's trail when a rules node guards that account:
 * the order as sent (before it is sent, so that its fills follow it), then on success what the
 * webhook is answered, or without a webhook the gateway's result (order id, status), or the
 * error when there is no webhook to answer (answered failures are journaled by answerHttp).
 */
export async function journaledOrder<T>(
  executor: OrderExecutor,
  msg: NodeMessageInFlow,
  intent: OrderIntent,
  run: (intent: OrderIntent) => Promise<T>,
): Promise<T> {
  const accountId = anyAccountJournal() ? await executor.accountId(intent.account).catch(() => null) : null;
  const j = accountId === null ? null : accountJournal(accountId);
  if (!j || accountId === null) return run(intent);
  const target = { ...j, accountId };
  const link = { alertId: alertIdOf(msg), customTag: intent.customTag, msgid: msg._msgid };
  write(target, "order", { ...link, intent });
  try {
    const result = await run(intent);
    // The order id ties the fills to the trail: in the answer for a webhook, in a second order row otherwise.
    if ((msg as Msg).res)
      write(target, "answer", { ...link, status: 200, body: { ok: true, ...result, request: undefined } });
    else write(target, "order", { ...link, result: { ...result, request: undefined } });
    return result;
  } catch (e) {
    if (!(msg as Msg).res) write(target, "error", { ...link, error: (e as Error).message });
    throw e;
  }
}
