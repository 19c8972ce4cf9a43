import type { Node, NodeMessageInFlow, NodeStatus } from "node-red";
import type { ConnectionStatus, GatewayConnection } from "../../src/core/connection";
import { type CopyReport, type CopyState, CopyTrader } from "../../src/core/groups/copy-trader";
import { describeSizeRule } from "../../src/core/groups/size-rule";
import type { OrderExecutor } from "../../src/core/orders/order-executor";
import type { Send } from "../shared/attach";
import { NodeType } from "../shared/node-types";
import { capped, connectionStatus, errorStatus } from "../shared/status";
import { textsOf } from "../shared/texts";
import { type CopyProps, type CopySettings, copySettings } from "./copy-props";

const T = textsOf(NodeType.Copy);

/**
 * The copy node's behaviour: resolves the leader and followers, runs a CopyTrader on the shared
 * connection, and sends one msg per follower order sent, refused or failed.
 */
export class CopyController {
  readonly id: string;
  private settings: CopySettings | null = null;
  private readonly configError: string | null = null;
  private trader: CopyTrader | null = null;
  private leaderId: number | null = null;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;
  private lastError: string | null = null;

  constructor(
    private readonly node: Node,
    props: CopyProps,
  ) {
    this.id = node.id;
    try {
      this.settings = copySettings(props);
    } catch (e) {
      this.configError = (e as Error).message;
      node.error(T("errors.copy", { reason: this.configError }));
    }
  }

  onConnectionStatus(s: ConnectionStatus): void {
    if (this.configError) this.node.status(errorStatus(this.configError));
    else if (!this.trader || s.state === "error") this.node.status(connectionStatus(s));
    // A hub down is a catch-up to come: the accounts are read again once it is back.
    else this.showState(s.state === "connected" ? this.trader.current : "catchingUp");
  }

  private showState(state: CopyState): void {
    const n = this.settings?.followers.length ?? 0;
    const who = {
      leader: this.leaderId ?? "",
      followers: n === 1 ? T("status.oneFollower") : T("status.followers", { count: n }),
    };
    const status: NodeStatus =
      state === "copying"
        ? { fill: "green", shape: "dot", text: T("status.copying", who) }
        : { fill: "yellow", shape: "ring", text: T("status.catchingUp", who) };
    this.node.status(capped(status));
  }

  async start(conn: GatewayConnection, executor: OrderExecutor): Promise<void> {
    const settings = this.settings;
    if (!settings || this.closed) return;
    let trader: CopyTrader;
    try {
      const leaderId = await executor.accountId(settings.leader);
      const followers = await Promise.all(
        settings.followers.map(async (f) => ({ accountId: await executor.accountId(f.account), size: f.size })),
      );
      this.leaderId = leaderId;
      trader = new CopyTrader({
        conn,
        executor,
        plan: { leaderId, followers, symbols: settings.symbols },
        logger: conn.log,
        onReport: (r) => this.report(r),
        onState: (s) => this.showState(conn.status().state === "connected" ? s : "catchingUp"),
      });
    } catch (e) {
      const reason = (e as Error).message;
      this.node.status(errorStatus(reason));
      this.node.error(T("errors.retrying", { reason, seconds: 10 }));
      if (!this.closed) this.retry = setTimeout(() => void this.start(conn, executor), 10_000);
      return;
    }
    if (this.closed) return;
    this.trader = trader;
    this.showState(trader.current);
    const sizes = settings.followers.map((f) => `${f.account} ${describeSizeRule(f.size)}`).join(", ");
    this.node.log(T("log.copying", { leader: this.leaderId ?? "", sizes }));
    await trader.start().catch((e: Error) => {
      this.node.status(errorStatus(e.message));
      this.node.error(T("errors.copy", { reason: e.message }));
    });
  }

  private report(r: CopyReport): void {
    if (r.outcome === "sent") this.lastError = null;
    else {
      const reason = `${r.rule ? `${r.rule}: ` : ""}${r.reason ?? r.outcome}`;
      this.node.warn(
        T("warnings.notSent", {
          outcome: r.outcome,
          contractId: r.contractId,
          from: r.from,
          to: r.to,
          account: r.accountId,
          reason,
        }),
      );
      if (r.outcome === "failed") {
        this.lastError = `${r.accountId}: ${r.reason ?? "failed"}`;
        this.node.status(errorStatus(T("status.failed", { account: r.accountId, reason: r.reason ?? "" })));
      }
    }
    this.node.send({ topic: `copy/${r.outcome}`, payload: r });
    if (r.outcome === "sent" && this.trader) this.showState(this.trader.current);
  }

  /** Any msg: the copier's state, in msg.payload. */
  handle(msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void): void {
    if (this.configError) {
      done(new Error(this.configError));
      return;
    }
    msg.payload = {
      leader: this.leaderId,
      followers: this.settings?.followers.map((f) => ({ account: f.account, size: describeSizeRule(f.size) })),
      state: this.trader?.current ?? "starting",
      error: this.lastError,
    };
    msg.topic = "copy/state";
    send(msg);
    done();
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.trader?.stop();
    this.trader = null;
  }
}
