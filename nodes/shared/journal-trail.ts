import type { NodeMessageInFlow } from "node-red";
import { accountJournal, anyAccountJournal } from "../../src/core/journal/account-journals";
import { journaledRun, writeTrail } from "../../src/core/journal/order-trail";
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

// Every answer made through answerHttp, for a guarded account, goes into its trail.
answerListeners.push((msg, status, body) => {
  const m = msg as Msg;
  // answerHttp has moved the intent to msg.intent by now.
  const intent = record(m.intent);
  const b = bound.get(msg);
  const accountId = b?.accountId ?? accountOf(intent.account);
  const j = accountId === null ? null : accountJournal(accountId);
  if (!j || accountId === null) return;
  writeTrail({ ...j, accountId }, "answer", {
    alertId: b?.alertId ?? alertIdOf(msg, intent),
    customTag: text(intent.customTag),
    msgid: msg._msgid,
    status,
    body,
  });
});

/**
 * Runs an order (a placement carries its customTag already: see withCustomTag) and journals it in
 * its account's trail when a rules node guards that account (see journaledRun); a msg from a webhook
 * has its success journaled as the answer it gets, its failure by answerHttp.
 */
export async function journaledOrder<T>(
  executor: OrderExecutor,
  msg: NodeMessageInFlow,
  intent: OrderIntent,
  run: (intent: OrderIntent) => Promise<T>,
): Promise<T> {
  const accountId = anyAccountJournal() ? await executor.accountId(intent.account).catch(() => null) : null;
  const link = { alertId: alertIdOf(msg), customTag: intent.customTag, msgid: msg._msgid };
  const answered = (msg as Msg).res ? { onSuccess: (r: T) => ({ ok: true, ...r, request: undefined }) } : null;
  return journaledRun(accountId, link, intent, run, answered);
}
