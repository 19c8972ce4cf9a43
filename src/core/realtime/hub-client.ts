import * as signalR from "@microsoft/signalr";
import { type Logger, silentLogger } from "../logger";
import { SignalRLogger } from "./signalr-logger";

/** Connection state of one hub, as nodes show it. */
export type HubState = "connecting" | "connected" | "reconnecting" | "disconnected" | "error";

/** A hub's change of state, reported through {@link HubClientOptions.onState} once per change. */
export interface HubStateEvent {
  /** The hub's name, as given in {@link HubClientOptions.name}. */
  hub: string;
  state: HubState;
  /** Why: the error of a failed attempt or of the lost connection. */
  reason?: string;
  /** Consecutive failed attempts so far. */
  attempt: number;
}

/**
 * How a {@link HubClient} connects. `token` is asked before every attempt, so it must return a
 * token valid now (renewing it when needed); the callbacks must not throw.
 */
export interface HubClientOptions {
  /** Names the hub in state events and log lines ("user", "market"). */
  name: string;
  /** http(s) URL of the hub; the Node client refuses ws:// URLs. */
  url: string;
  /** A current session token; called before every connection attempt. */
  token(): Promise<string>;
  /** Called after repeated failed attempts, so the next one uses a fresh session. */
  onRepeatedFailure?(): void;
  /** Delay between attempts: doubles from initialMs up to maxMs, with jitter (default 500 ms to 30 s). */
  backoff?: { initialMs: number; maxMs: number };
  /** A connection silent this long is taken as lost (default 30 s). */
  serverTimeoutMs?: number;
  /** How often the client pings the server (default 15 s). */
  keepAliveMs?: number;
  /** Called on every change of state, with the reason for the bad ones. */
  onState?(e: HubStateEvent): void;
  /** Runs after every successful (re)connection, once subscriptions are restored. */
  onConnected?(reconnected: boolean): void | Promise<void>;
  /** Where connection steps, and SignalR's own messages when debug is on, are written (default: nowhere). */
  logger?: Logger;
}

interface Subscription {
  method: string;
  args: unknown[];
}

/**
 * One SignalR hub connection that never gives up: every attempt (the first included) is retried with
 * capped exponential backoff and jitter, each with a fresh token in both the URL and the header,
 * and every subscription is invoked again after each reconnection, since the server forgets them.
 */
export class HubClient {
  state: HubState = "disconnected";
  private conn: signalR.HubConnection | null = null;
  private readonly handlers = new Map<string, (...args: unknown[]) => void>();
  private readonly subs = new Map<string, Subscription>();
  private stopped = true;
  private attempt = 0;
  private everConnected = false;
  private timer: NodeJS.Timeout | null = null;
  private connecting: Promise<void> | null = null;
  private readonly log: Logger;

  constructor(private readonly opts: HubClientOptions) {
    this.log = opts.logger ?? silentLogger;
  }

  get name(): string {
    return this.opts.name;
  }

  /** Registers the handler of a server event on this and every future connection. */
  on(event: string, handler: (...args: unknown[]) => void): void {
    this.handlers.set(event, handler);
    this.conn?.on(event, handler);
  }

  /**
   * Keeps a subscription for the life of the client: invoked now when connected, and again after
   * every reconnection. Rejects if the server refuses it now.
   */
  async subscribe(method: string, ...args: unknown[]): Promise<void> {
    const key = `${method}:${JSON.stringify(args)}`;
    if (this.subs.has(key)) return;
    this.subs.set(key, { method, args });
    if (this.conn && this.state === "connected") {
      try {
        await this.conn.invoke(method, ...args);
      } catch (e) {
        this.subs.delete(key);
        throw e;
      }
    }
  }

  /** Drops a subscription and tells the server (best effort). */
  async unsubscribe(method: string, unsubscribeMethod: string, ...args: unknown[]): Promise<void> {
    const key = `${method}:${JSON.stringify(args)}`;
    if (!this.subs.delete(key)) return;
    if (this.conn && this.state === "connected")
      await this.conn.invoke(unsubscribeMethod, ...args).catch(() => undefined);
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.attempt = 0;
    void this.connect();
  }

  /** Resolves once connected (or rejects after `timeoutMs`). */
  async whenConnected(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.state !== "connected") {
      if (this.stopped) throw new Error(`${this.opts.name} hub stopped`);
      if (Date.now() > deadline) throw new Error(`${this.opts.name} hub not connected within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.connecting?.catch(() => undefined);
    const c = this.conn;
    this.conn = null;
    if (c) await c.stop().catch(() => undefined);
    this.setState("disconnected");
  }

  private setState(state: HubState, reason?: string): void {
    if (state === this.state && state !== "error" && reason === undefined) return;
    this.state = state;
    this.opts.onState?.({ hub: this.opts.name, state, reason, attempt: this.attempt });
  }

  private connect(): Promise<void> {
    this.connecting = this.connectOnce().finally(() => {
      this.connecting = null;
    });
    return this.connecting;
  }

  private async connectOnce(): Promise<void> {
    if (this.stopped) return;
    this.setState(this.everConnected || this.attempt > 0 ? "reconnecting" : "connecting");
    if (this.log.debugEnabled)
      this.log.debug(
        `${this.opts.name} hub: ${this.everConnected ? "reconnecting" : "connecting"} (attempt ${this.attempt + 1})`,
      );
    let c: signalR.HubConnection | null = null;
    try {
      const token = await this.opts.token();
      const sep = this.opts.url.includes("?") ? "&" : "?";
      c = new signalR.HubConnectionBuilder()
        .withUrl(`${this.opts.url}${sep}access_token=${encodeURIComponent(token)}`, {
          skipNegotiation: true,
          transport: signalR.HttpTransportType.WebSockets,
          accessTokenFactory: () => token,
        })
        .configureLogging(this.log.debugEnabled ? new SignalRLogger(this.log, this.opts.name) : signalR.LogLevel.None)
        .build();
      c.serverTimeoutInMilliseconds = this.opts.serverTimeoutMs ?? 30_000;
      c.keepAliveIntervalInMilliseconds = this.opts.keepAliveMs ?? 15_000;
      for (const [event, handler] of this.handlers) c.on(event, handler);
      const conn = c;
      conn.onclose((err) => this.lost(conn, err));
      await conn.start();
      if (this.stopped) {
        await conn.stop();
        return;
      }
      this.conn = conn;
      for (const s of this.subs.values()) await conn.invoke(s.method, ...s.args);
      const reconnected = this.everConnected;
      this.everConnected = true;
      this.attempt = 0;
      this.setState("connected");
      if (this.log.debugEnabled)
        this.log.debug(
          `${this.opts.name} hub: ${reconnected ? "reconnected" : "connected"}, ${this.subs.size} subscription(s) restored`,
        );
      await this.opts.onConnected?.(reconnected);
    } catch (e) {
      if (c && this.conn === c) this.conn = null;
      await c?.stop().catch(() => undefined);
      if (this.stopped) return;
      this.attempt++;
      // Once connected, a failed attempt is part of reconnecting; never connected at all is an error to fix.
      this.setState(
        this.everConnected ? "reconnecting" : "error",
        `attempt ${this.attempt} failed: ${(e as Error).message}`,
      );
      if (this.log.debugEnabled)
        this.log.debug(`${this.opts.name} hub: attempt ${this.attempt} failed: ${(e as Error).message}`);
      if (this.attempt >= 2) this.opts.onRepeatedFailure?.();
      this.schedule();
    }
  }

  private lost(c: signalR.HubConnection, err?: Error): void {
    if (c !== this.conn) return;
    this.conn = null;
    if (this.stopped) return;
    this.setState("reconnecting", err?.message ?? "connection closed");
    if (this.log.debugEnabled) this.log.debug(`${this.opts.name} hub: lost: ${err?.message ?? "connection closed"}`);
    this.schedule(this.attempt === 0 ? 0 : undefined);
  }

  private schedule(delayMs?: number): void {
    if (this.stopped || this.timer) return;
    const b = this.opts.backoff ?? { initialMs: 500, maxMs: 30_000 };
    const exp = Math.min(b.maxMs, b.initialMs * 2 ** Math.max(0, this.attempt - 1));
    const delay = delayMs ?? exp / 2 + Math.random() * (exp / 2);
    if (this.log.debugEnabled) this.log.debug(`${this.opts.name} hub: next attempt in ${Math.round(delay)} ms`);
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.connect();
    }, delay);
    this.timer.unref?.();
  }
}
