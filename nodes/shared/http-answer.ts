import type { NodeMessageInFlow } from "node-red";

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
}

