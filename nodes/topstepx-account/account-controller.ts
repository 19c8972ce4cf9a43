import type { Node, NodeMessageInFlow } from "node-red";
import type { AccountBook } from "../../src/core/account/account-book";
import type { ConnectionStatus, GatewayConnection } from "../../src/core/connection";
import { dollarsAndCents } from "../../src/core/money/format";
import type { OrderExecutor } from "../../src/core/orders/order-executor";
import { NodeType } from "../shared/node-types";
import { readableFill, readableOrder, readablePosition } from "../shared/readable-events";
import { connectionStatus, errorStatus, okStatus } from "../shared/status";
import { textsOf } from "../shared/texts";

const T = textsOf(NodeType.Account);

/** The account node's dialog (version 1). */
export interface AccountProps {
  account?: string;
  orders?: boolean;
  positions?: boolean;
  trades?: boolean;
  balance?: boolean;
  version?: number;
}

type Topic = "order" | "position" | "trade" | "account";

type Wire = Record<string, unknown>;

/** Each event as the flow reads it: names for the gateway's codes, the codes under `raw`. */
const READABLE: Record<Topic, (payload: Wire) => Wire> = {
  order: readableOrder,
  position: readablePosition,
  trade: readableFill,
  account: (a) => a,
};

/**
 * The account node's behaviour: the account's orders, positions, fills and balance as msgs
 * (topic = kind), and a snapshot of the whole account on input.
 */
export class AccountController {
  readonly id: string;
  private conn: GatewayConnection | null = null;
  private book: AccountBook | null = null;
  private readonly off: Array<() => void> = [];
  private retry: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly node: Node,
    private readonly props: AccountProps,
  ) {
    this.id = node.id;
  }

  onConnectionStatus(s: ConnectionStatus): void {
    this.node.status(s.state === "connected" && this.book ? this.balanceStatus() : connectionStatus(s));
  }

  private balanceStatus() {
    const b = this.book!;
    return okStatus(
      T("status.balance", {
        balance: `${b.balance < 0 ? "-" : ""}${dollarsAndCents(b.balance)}`,
        account: b.name || b.accountId,
      }),
    );
  }

  async start(conn: GatewayConnection, executor: OrderExecutor): Promise<void> {
    this.conn = conn;
    try {
      const accountId = await executor.accountId(this.props.account || undefined);
      this.book = await conn.watchAccount(accountId);
    } catch (e) {
      this.node.status(errorStatus((e as Error).message));
      this.node.error(T("errors.watchFailed", { reason: (e as Error).message, seconds: 10 }));
      if (!this.closed) this.retry = setTimeout(() => void this.start(conn, executor), 10_000);
      return;
    }
    const accountId = this.book.accountId;
    const on = (event: "order" | "position" | "trade" | "account", topic: Topic, enabled: boolean | undefined) => {
      // The status follows the balance whether or not balance msgs are sent.
      if (!enabled && topic !== "account") return;
      const handler = (book: AccountBook, payload: unknown, extra?: { missed?: boolean; changed?: boolean }) => {
        // Live repeats each account update 2 to 4 times; the trader hears of a change once.
        if (book.accountId !== accountId || extra?.changed === false) return;
        if (enabled)
          this.node.send({
            topic,
            account: accountId,
            missed: extra?.missed,
            payload: READABLE[topic](payload as Wire),
          });
        if (topic === "account") this.node.status(this.balanceStatus());
      };
      conn.on(event, handler);
      this.off.push(() => conn.off(event, handler));
    };
    on("order", "order", this.props.orders);
    on("position", "position", this.props.positions);
    on("trade", "trade", this.props.trades);
    on("account", "account", this.props.balance);
    // A re-sync reads the balance again, fills made while disconnected included.
    const resynced = (book: AccountBook) => {
      if (book.accountId === accountId && this.conn?.status().state === "connected")
        this.node.status(this.balanceStatus());
    };
    conn.on("resynced", resynced);
    this.off.push(() => conn.off("resynced", resynced));
    this.onConnectionStatus(conn.status());
  }

  /** On input: the account as it stands, in msg.payload. */
  handle(msg: NodeMessageInFlow, send: (m: NodeMessageInFlow) => void, done: (err?: Error) => void): void {
    if (!this.book || !this.conn) {
      done(new Error(T("errors.notWatching")));
      return;
    }
    const b = this.book;
    const open = this.conn.openPnl(b.accountId);
    msg.topic = "snapshot";
    msg.payload = {
      accountId: b.accountId,
      name: b.name,
      balance: b.balance,
      canTrade: b.canTrade,
      realizedPnl: b.realizedPnl,
      fees: b.fees,
      fills: b.fills,
      openPnl: open.pnl,
      openPnlComplete: open.complete,
      positions: [...b.positions.values()].map((p) => readablePosition(p)),
      orders: [...b.orders.values()].map((o) => readableOrder(o)),
    };
    send(msg);
    done();
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    for (const f of this.off.splice(0)) f();
  }
}
