import type { NodeMessageInFlow } from "node-red";

/** Told of every answer made here, after it is set (the journal writes it down). */
export const answerListeners: Array<(msg: NodeMessageInFlow, status: number, body: Record<string, unknown>) => void> = [];

/**
 * A msg that came from an http in node (it carries msg.res) gets the HTTP answer ready for an
 * http response node: the status and a JSON reason; the intent stays in msg.intent.
 */
export function answerHttp(msg: NodeMessageInFlow, status: number, body: Record<string, unknown>): void {
  const m = msg as NodeMessageInFlow & { res?: unknown; statusCode?: number; intent?: unknown };
  if (!m.res) return;
  m.intent = m.payload;
  m.statusCode = status;
  m.payload = body;
  for (const listen of answerListeners) listen(msg, status, body);
}

