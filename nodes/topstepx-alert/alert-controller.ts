import type { Node, NodeMessageInFlow } from "node-red";
import { AlertError, checkSecret, parseAlert, targetToIntent } from "../../src/core/alerts/parse-alert";
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
      let intent = parsed.intent;
      if (parsed.target) {
        const conn = this.server?.connection;
        const executor = this.server?.executor;
        if (!conn || !executor) throw new Error("the TopstepX connection is not ready for a target-position alert");
        const accountId = await executor.accountId(parsed.target.account ?? undefined);
        const contract = await conn.contracts.resolve(parsed.target.symbol);
        const book = await conn.watchAccount(accountId);
        const pos = book.positions.get(contract.id);
        const current = pos ? (pos.type === 2 ? -pos.size : pos.size) : 0;
        intent = targetToIntent(parsed.target, current);
        if (!intent) {
          m.statusCode = 200;
          m.payload = { ok: true, id: parsed.id, message: `already at the target position ${parsed.target.position}` };
          this.node.status(okStatus(`at target ${parsed.target.position}`));
          send([null, m]);
          done();
          return;
        }
      }
      // A rules node recomputes a target's order in its serialized decision (working orders counted).
      m.payload = { ...intent, id: parsed.id, alertTime: parsed.alertTime, ...(parsed.target ? { targetPosition: parsed.target.position, symbol: parsed.target.symbol } : {}) };
      m.alert = { format: parsed.format, id: parsed.id, idDerived: parsed.idDerived, receivedAt: now, raw: rawWithoutSecret(body, parsed.secret) };
      this.count++;
      this.node.status(okStatus(`${parsed.format}: ${intent!.action === "place" ? `${intent!.side} ${intent!.quantity} ${intent!.symbol}` : intent!.action}`));
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
