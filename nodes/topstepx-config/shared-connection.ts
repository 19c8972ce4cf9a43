import type { Node } from "node-red";
import type { ConnectionStatus, GatewayConnection } from "../../src/core/connection";
import { GatewayAuthError } from "../../src/core/gateway/errors";
import { OrderExecutor } from "../../src/core/orders/order-executor";
import type { ConnectionUser } from "../shared/config-api";
import { NodeType } from "../shared/node-types";
import { textsOf } from "../shared/texts";

const T = textsOf(NodeType.Config);

/** What a config node's shared connection needs from the node that owns it. */
export interface SharedConnectionOptions {
  /** Where login failures and connection warnings are shown. */
  node: Node;
  /** Why the configuration cannot connect, or null; users are then told so and nothing connects. */
  configError: string | null;
  /** Builds the connection from the configuration, or null when there is none to build. */
  open(): GatewayConnection | null;
  /** The account an order executor uses when an intent names none. */
  defaultAccount: number | null;
}

/**
 * The one gateway connection of a config node: started by its first user, stopped when the last one
 * leaves or the node closes, its state fanned out to every user. Logging in is retried until it works
 * (slowly for refused credentials) or the connection is given up.
 */
export class SharedConnection {
  private readonly users = new Map<string, ConnectionUser>();
  connection: GatewayConnection | null = null;
  executor: OrderExecutor | null = null;
  private status: ConnectionStatus = { state: "disconnected", user: "disconnected", market: "disconnected" };
  private stopping: Promise<void> | null = null;
  private startTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: SharedConnectionOptions) {}

  /** Adds a user; the first one starts the connection. */
  register(user: ConnectionUser): void {
    this.users.set(user.id, user);
    const configError = this.opts.configError;
    if (configError) {
      user.onConnectionStatus({ state: "error", reason: configError, user: "error", market: "error" });
      return;
    }
    this.ensureConnection();
    user.onConnectionStatus(this.connection?.status() ?? this.status);
  }

  /** Removes a user; the last one stops the connection, then `done` is called. */
  deregister(user: ConnectionUser, done: () => void): void {
    this.users.delete(user.id);
    if (this.users.size > 0 || !this.connection) {
      done();
      return;
    }
    const c = this.connection;
    this.connection = null;
    this.executor = null;
    if (this.startTimer) clearTimeout(this.startTimer);
    this.stopping = c.stop().catch(() => undefined);
    void this.stopping.then(() => done());
  }

  /** The node closes: stops the connection (or waits for a stop under way), then `done` is called. */
  close(done: () => void): void {
    if (this.startTimer) clearTimeout(this.startTimer);
    const c = this.connection;
    this.connection = null;
    this.executor = null;
    this.users.clear();
    const wait = c ? c.stop() : (this.stopping ?? Promise.resolve());
    wait.catch(() => undefined).then(() => done());
  }

  private ensureConnection(): void {
    if (this.connection) return;
    const connection = this.opts.open();
    if (!connection) return;
    const node = this.opts.node;
    this.connection = connection;
    this.executor = new OrderExecutor(connection, { defaultAccount: this.opts.defaultAccount });
    connection.on("state", (s) => this.fanOut(s));
    connection.on("warning", (w) => node.warn(w));
    connection.on("feed", (i) => {
      if (i.kind === "stale")
        node.warn(T("warnings.staleQuotes", { contractId: i.contractId, seconds: Math.round(i.silentMs / 1000) }));
    });
    this.startWithRetry(connection, 0);
  }

  private fanOut(s: ConnectionStatus): void {
    this.status = s;
    for (const u of this.users.values()) u.onConnectionStatus(s);
  }

  /** Logs in, and keeps trying (slowly for refused credentials) until it works or the connection is given up. */
  private startWithRetry(c: GatewayConnection, attempt: number): void {
    c.start().catch((e: Error) => {
      if (this.connection !== c) return;
      const delay = e instanceof GatewayAuthError ? 60_000 : Math.min(30_000, 2000 * 2 ** attempt);
      this.opts.node.error(T("errors.loginFailed", { reason: e.message, seconds: Math.round(delay / 1000) }));
      this.startTimer = setTimeout(() => {
        if (this.connection === c) this.startWithRetry(c, attempt + 1);
      }, delay);
    });
  }
}
