import type { Node, NodeMessageInFlow } from "node-red";
import {
  type AlertBody,
  AlertError,
  checkSecret,
  parseReadAlert,
  readAlert,
  readAlertSecret,
} from "../../src/core/alerts/parse-alert";
import type { ConnectionStatus } from "../../src/core/connection";
import type { TopstepxConfigNode } from "../shared/config-api";
import { classifyError } from "../shared/error-mapping";
import { refusal } from "../shared/http-answer";
import { NodeType } from "../shared/node-types";
import { connectionStatus, okStatus } from "../shared/status";
import { textsOf } from "../shared/texts";

const T = textsOf(NodeType.Alert);

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
  private connected: ConnectionStatus["state"] | null = null;
  /** Set when every alert is refused for want of a webhook secret: the status stays red. */
  private readonly refusingAll: string | null;

  constructor(
    private readonly node: Node,
    private readonly server: TopstepxConfigNode | null,
    private readonly props: AlertProps,
  ) {
    this.id = node.id;
    this.refusingAll = props.requireSecret !== false ? noSecretReason(server) : null;
    if (this.refusingAll) {
      node.warn(T("warnings.refusingAll", { reason: this.refusingAll }));
      this.showRefusingAll();
    }
  }

  onConnectionStatus(s: ConnectionStatus): void {
    const was = this.connected;
    this.connected = s.state;
    if (this.refusingAll) this.showRefusingAll();
    // The last alert's status stays while nothing changes; a connection that came back says so.
    else if (s.state !== "connected" || was !== "connected" || this.count === 0) this.node.status(connectionStatus(s));
  }

  private showRefusingAll(): void {
    this.node.status({ fill: "red", shape: "ring", text: T("status.refusingAll") });
  }

  /**
   * 401 before anything of the body but its secret is looked at, so a refusal tells an intruder
   * nothing. Returns the body as read for its secret, for the parser to go on from (undefined when
   * no secret is required and the body was not read).
   */
  private authenticate(body: unknown): AlertBody | undefined {
    if (this.props.requireSecret === false) return undefined;
    const expected = this.server?.webhookSecret ?? null;
    if (!expected) throw new AlertError(401, "secret", noSecretReason(this.server) ?? T("errors.noSecret"));
    const value = readAlert(body);
    const given = readAlertSecret(value);
    if (!checkSecret(given, expected)) {
      throw new AlertError(401, "secret", given ? T("errors.secretMismatch") : T("errors.secretMissing"));
    }
    return value;
  }

  async handle(msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void): Promise<void> {
    const m = msg as NodeMessageInFlow & {
      req?: { body?: unknown; rawBody?: unknown };
      alert?: unknown;
      statusCode?: number;
    };
    const now = this.server?.connection?.clock.now() ?? Date.now();
    try {
      const body = m.payload ?? m.req?.body;
      // The body is read once: the secret and the alert come from the same parse.
      const parsed = parseReadAlert(this.authenticate(body) ?? readAlert(body), now);
      // A target is sized where working and in-flight orders are counted, one decision at a time:
      // by the rules node, or by the order node when no rules node is wired in between.
      const payload = parsed.target
        ? {
            action: "place",
            type: "market",
            symbol: parsed.target.symbol,
            targetPosition: parsed.target.position,
            ...(parsed.target.account !== undefined ? { account: parsed.target.account } : {}),
          }
        : parsed.intent!;
      m.payload = { ...payload, id: parsed.id, alertTime: parsed.alertTime };
      m.alert = {
        format: parsed.format,
        id: parsed.id,
        idDerived: parsed.idDerived,
        receivedAt: now,
        raw: rawWithoutSecret(body, parsed.secret),
      };
      this.count++;
      const intent = parsed.intent;
      this.node.status(
        okStatus(
          parsed.target
            ? T("status.target", { position: parsed.target.position, symbol: parsed.target.symbol })
            : intent!.action === "place"
              ? T("status.order", {
                  format: parsed.format,
                  side: intent!.side ?? "",
                  quantity: intent!.quantity ?? "",
                  symbol: intent!.symbol ?? "",
                })
              : T("status.action", { format: parsed.format, action: intent!.action }),
        ),
      );
      send([m, null]);
      done();
    } catch (e) {
      const err = e as Error;
      const answer = classifyError(err);
      m.statusCode = answer.status;
      m.payload = refusal(answer.status, err.message, answer.field);
      if (this.refusingAll) this.showRefusingAll();
      else this.node.status(answer.nodeStatus);
      send([null, m]);
      done(err);
    }
  }
}

/** Why no alert can pass the secret check (no webhook secret to check against), or null when one is set. */
function noSecretReason(server: TopstepxConfigNode | null): string | null {
  if (server?.webhookSecret) return null;
  if (!server) return T("errors.noServer");
  if (server.configError) return T("errors.invalidServer", { reason: server.configError });
  return T("errors.noSecretSet");
}

/** The raw body as journaled: the secret is never written down, whatever shape the body had. */
function rawWithoutSecret(body: unknown, secret: string | undefined): string {
  const text =
    typeof body === "string" ? body : Buffer.isBuffer(body) ? body.toString("utf8") : JSON.stringify(redact(body));
  return secret ? text.split(secret).join("***") : text;
}

function redact(body: unknown): unknown {
  if (!body || typeof body !== "object" || Array.isArray(body)) return body;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(body)) out[k] = /^(secret|passphrase|token|key)$/i.test(k) ? "***" : v;
  return out;
}
