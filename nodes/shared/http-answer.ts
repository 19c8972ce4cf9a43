import type { NodeMessageInFlow } from "node-red";

/** Told of every answer made here, after it is set (the journal writes it down). */
export const answerListeners: Array<(msg: NodeMessageInFlow, status: number, body: Record<string, unknown>) => void> =
  [];

/**
 * The JSON body of a refusal, the same on every path that answers a webhook (the alert node, its
 * webhook guard, the rules and order nodes): `error` and `reason` both carry the reason, `field`
 * names the part of the request at fault.
 */
export function refusal(
  status: number,
  reason: string,
  field?: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return { ok: false, status, error: reason, reason, ...(field ? { field } : {}), ...extra };
}

/**
 * A msg that came from an http in node (it carries msg.res) gets the HTTP answer ready for an
 * http response node: the status and a JSON reason; the intent stays in msg.intent. A refusal
 * (`ok: false`) always carries the status and its reason as both `error` and `reason`.
 */
export function answerHttp(msg: NodeMessageInFlow, status: number, body: Record<string, unknown>): void {
  const m = msg as NodeMessageInFlow & { res?: unknown; statusCode?: number; intent?: unknown };
  if (!m.res) return;
  m.intent = m.payload;
  m.statusCode = status;
  if (body.ok === false) {
    const reason = body.error ?? body.reason;
    body = { ok: false, status, ...body, error: reason, reason };
  }
  m.payload = body;
  for (const listen of answerListeners) listen(msg, status, body);
}
