import type { Node, NodeMessageInFlow } from "node-red";
import { AlertError, checkSecret, parseAlert } from "../../src/core/alerts/parse-alert";
import type { ConnectionStatus } from "../../src/core/connection";
import type { TopstepxConfigNode } from "../shared/config-api";
import { connectionStatus, errorStatus, okStatus } from "../shared/status";

type Send = (msg: Array<NodeMessageInFlow | null>) => void;

/** The alert node's dialog (version 1). */
export interface AlertProps {
  /** Refuse alerts without the configuration's webhook secret (default true when one is set). */
  requireSecret?: boolean;
  version?: number;
}

/**
 * The alert node's behaviour: turns a TradingView alert (from an http in node, or any msg) into an
 * order intent for the rules node, or refuses it with an HTTP status and a JSON reason.
 */
export class AlertController {
  readonly id: string;
  private count = 0;

  constructor(private readonly node: Node, private readonly server: TopstepxConfigNode | null, private readonly props: AlertProps) {
    this.id = node.id;
  }

  onConnectionStatus(s: ConnectionStatus): void {
    if (s.state !== "connected" || this.count === 0) this.node.status(connectionStatus(s));
  }

  async handle(msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void): Promise<void> {
    const m = msg as NodeMessageInFlow & { req?: { body?: unknown; rawBody?: unknown }; alert?: unknown; statusCode?: number };
    const now = this.server?.connection?.clock.now() ?? Date.now();
    try {
      const body = m.payload ?? m.req?.body;
      const parsed = parseAlert(body, now);
      const expected = this.server?.webhookSecret ?? null;
      if (this.props.requireSecret !== false && !checkSecret(parsed.secret, expected)) {
        throw new AlertError(401, "secret", parsed.secret ? "secret: does not match the configuration's webhook secret" : "secret: missing (put \"secret\" in the alert's message)");
      }
      // A target is sized where working and in-flight orders are counted, one decision at a time:
      // by the rules node, or by the order node when no rules node is wired in between.
      const payload = parsed.target
        ? { action: "place", type: "market", symbol: parsed.target.symbol, targetPosition: parsed.target.position, ...(parsed.target.account !== undefined ? { account: parsed.target.account } : {}) }
        : parsed.intent!;
      m.payload = { ...payload, id: parsed.id, alertTime: parsed.alertTime };
      m.alert = { format: parsed.format, id: parsed.id, idDerived: parsed.idDerived, receivedAt: now, raw: rawWithoutSecret(body, parsed.secret) };
      this.count++;
      const intent = parsed.intent;
      this.node.status(okStatus(parsed.target ? `target: ${parsed.target.position} ${parsed.target.symbol}` : `${parsed.format}: ${intent!.action === "place" ? `${intent!.side} ${intent!.quantity} ${intent!.symbol}` : intent!.action}`));
      send([m, null]);
      done();
    } catch (e) {
      const err = e as Error;
      const status = e instanceof AlertError ? e.status : 500;
      m.statusCode = status;
      m.payload = { ok: false, status, error: err.message, field: e instanceof AlertError ? e.field : undefined };
      this.node.status(errorStatus(e instanceof AlertError ? `${status} ${e.field}` : err.message));
      send([null, m]);
      done(err);
    }
  }
}

/** The raw body as journaled: the secret is never written down, whatever shape the body had. */
function rawWithoutSecret(body: unknown, secret: string | undefined): string {
  const text = typeof body === "string" ? body : Buffer.isBuffer(body) ? body.toString("utf8") : JSON.stringify(redact(body));
  return secret ? text.split(secret).join("***") : text;
}

function redact(body: unknown): unknown {
  if (!body || typeof body !== "object" || Array.isArray(body)) return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) out[k] = /^(secret|passphrase|token|key)$/i.test(k) ? "***" : v;
  return out;
}
