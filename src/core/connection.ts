import { EventEmitter } from "node:events";
import { AccountBook, type OpenPnl } from "./account/account-book";
import { PendingOrders } from "./account/pending-orders";
import { ReconnectResync } from "./account/reconnect-resync";
import { type Clock, systemClock } from "./clock";
import { ContractResolver } from "./contracts/contract-resolver";
import type { GatewayEndpoints } from "./gateway/environments";
import { GatewayApi } from "./gateway/gateway-api";
import { type Credentials, RestClient, type RestClientOptions } from "./gateway/rest-client";
import { type Logger, silentLogger } from "./logger";
import type { EntryGate, ExitRoom } from "./orders/entry-gate";
import { ManagedBrackets } from "./orders/managed-brackets";
import { HubClient, type HubState, type HubStateEvent } from "./realtime/hub-client";
import { type FeedIssue, MarketFeed } from "./realtime/market-feed";
import { UserFeed } from "./realtime/user-feed";
import { type Order, type Position, type Trade, type TradingAccount, WORKING_STATUSES } from "./schemas";
import { isGlobexOpen } from "./time/chicago";

/**
 * The connection's overall state: the worse of the user and market hubs' states (error, then
 * reconnecting, connecting, disconnected, connected), so "connected" means both hubs are up.
 */
export type ConnectionState = HubState;

/** The state shown to the trader: the worse of the two hubs, with the reason. */
export interface ConnectionStatus {
  state: ConnectionState;
  reason?: string;
  user: HubState;
  market: HubState;
}

/**
 * How a {@link GatewayConnection} reaches its gateway. Only the endpoints and credentials are
 * required; the rest default to production behaviour (system clock, SignalR's timeouts, quotes
 * coalesced, no stale detection, no logging).
 */
export interface ConnectionOptions {
  endpoints: GatewayEndpoints;
  credentials: Credentials;
  /** The time every expiry, backoff and trading day is computed from (default: the system clock). */
  clock?: Clock;
  /** REST client tuning (timeouts, retries, request budget); endpoints, credentials and clock come from here. */
  rest?: Omit<RestClientOptions, "endpoints" | "credentials" | "clock">;
  /** Reconnection backoff of both hubs (default 500 ms doubling up to 30 s, with jitter). */
  hubBackoff?: { initialMs: number; maxMs: number };
  /** A hub silent this long is taken as lost and reconnected (default 30 s). */
  serverTimeoutMs?: number;
  /** How often a hub pings the server (default 15 s); keep it well under the server's timeout. */
  keepAliveMs?: number;
  /** Quotes silent this long during market hours are reported stale (0 turns it off). */
  staleAfterMs?: number;
  /** Deliver at most one quote per contract per event-loop turn, latest wins (default true). */
  coalesceQuotes?: boolean;
  /** Market hours for stale detection (default: CME Globex). */
  isMarketOpen?(ms: number): boolean;
  /** Where the connection, its REST client and hubs write what they do (default: nowhere). */
  logger?: Logger;
  /** The IANA zone the trader reads times in (journal, reports, notifications); default America/Chicago. */
  timeZone?: string;
}

/**
 * Events of a {@link GatewayConnection}; `missed` marks fills found by a REST re-sync, `changed`
 * an account event that changed the name, balance or trading permission (not a repeat).
 */
export interface ConnectionEvents {
  state: [ConnectionStatus];
  account: [AccountBook, TradingAccount, { changed: boolean }];
  order: [AccountBook, Order];
  position: [AccountBook, Position];
  trade: [AccountBook, Trade, { missed: boolean }];
  resynced: [AccountBook];
  /** A re-sync after the user hub (re)connected failed (it is retried): account id, error, failures so far. */
  resyncFailed: [number, Error, number];
  feed: [FeedIssue];
  warning: [string];
}

const RANK: Record<HubState, number> = { error: 4, reconnecting: 3, connecting: 2, disconnected: 1, connected: 0 };

/**
 * One connection to a gateway, shared by every node of a configuration: the REST client, the
 * user and market hubs, the live state of watched accounts, and the contract resolver. After every
 * hub reconnection it subscribes again and re-syncs orders, positions, balance and today's fills
 * from REST, so a fill made while disconnected is not missed.
 */
export class GatewayConnection extends EventEmitter<ConnectionEvents> {
  readonly clock: Clock;
  readonly rest: RestClient;
  readonly api: GatewayApi;
  readonly contracts: ContractResolver;
  readonly userHub: HubClient;
  readonly marketHub: HubClient;
  readonly user: UserFeed;
  readonly market: MarketFeed;
  /** Orders on their way to each account, counted by everything that sizes an order. */
  readonly pending: PendingOrders;
  private readonly books = new Map<number, AccountBook>();
  private readonly entryGates = new Map<number, EntryGate>();
  private readonly exitRooms = new Map<number, ExitRoom>();
  private readonly managed = new Map<number, ManagedBrackets>();
  private readonly watching = new Map<number, Promise<AccountBook>>();
  private hubStates: Record<"user" | "market", HubStateEvent> = {
    user: { hub: "user", state: "disconnected", attempt: 0 },
    market: { hub: "market", state: "disconnected", attempt: 0 },
  };
  private lastStatus: ConnectionStatus | null = null;
  /** The latest event of recently seen orders (bounded), so a placement can learn its fill. */
  private readonly recentOrders = new Map<number, Order>();
  private readonly orderWaiters = new Set<(o: Order) => void>();
  private started = false;
  readonly log: Logger;
  /** Owns the re-sync each user-hub (re)connection needs, so it happens once, whoever waits for it. */
  private readonly afterConnect = new ReconnectResync({
    resync: (accountId) => this.resync(accountId),
    failed: (accountId, e, failures) => {
      if (failures === 1) this.emit("warning", `re-sync of account ${accountId} failed: ${e.message}`);
      else if (this.log.debugEnabled)
        this.log.debug(`account ${accountId}: re-sync failed ${failures} times: ${e.message}`);
      this.emit("resyncFailed", accountId, e, failures);
    },
  });

  constructor(readonly options: ConnectionOptions) {
    super();
    this.clock = options.clock ?? systemClock;
    this.log = options.logger ?? silentLogger;
    this.rest = new RestClient({
      ...options.rest,
      endpoints: options.endpoints,
      credentials: options.credentials,
      clock: this.clock,
      logger: this.log,
    });
    this.api = new GatewayApi(this.rest, this.clock);
    this.pending = new PendingOrders({
      now: () => this.clock.now(),
      findByTag: (accountId, tag, since) => this.api.findByTag(accountId, tag, since),
      resync: (accountId) =>
        void this.resync(accountId).catch((e: Error) =>
          this.emit("warning", `re-sync of account ${accountId} failed: ${e.message}`),
        ),
    });
    this.api.onPlacement((e) => this.pending.onPlacement(e));
    this.contracts = new ContractResolver(this.api, this.clock);
    this.userHub = this.hub("user", options.endpoints.userHubUrl);
    this.marketHub = this.hub("market", options.endpoints.marketHubUrl);
    this.user = new UserFeed(this.userHub);
    this.market = new MarketFeed(this.marketHub, {
      clock: this.clock,
      coalesce: options.coalesceQuotes ?? true,
      staleAfterMs: options.staleAfterMs ?? 0,
      isMarketOpen: options.isMarketOpen ?? isGlobexOpen,
      onIssue: (issue) => this.emit("feed", issue),
    });
    this.followUserHub();
    // Managed bracket legs follow their account's events, once the book has taken them.
    this.on("order", (b, o) => this.managed.get(b.accountId)?.onOrder(o));
    this.on("position", (b, p) => this.managed.get(b.accountId)?.onPosition(p));
    this.on("resynced", (b) => this.managed.get(b.accountId)?.adopt(b));
  }

  private hub(name: "user" | "market", url: string): HubClient {
    return new HubClient({
      name,
      url,
      token: () => this.rest.sessionToken(),
      onRepeatedFailure: () => this.rest.invalidate(),
      backoff: this.options.hubBackoff,
      serverTimeoutMs: this.options.serverTimeoutMs,
      keepAliveMs: this.options.keepAliveMs,
      onState: (e) => this.onHubState(e),
      // Also on the first connection: events between a watch's snapshot and the hub coming up are lost.
      onConnected: name === "user" ? () => this.afterConnect.run(this.books.keys()) : undefined,
      logger: this.log,
    });
  }

  /** Applies the user hub's events to the watched accounts' books, then tells the listeners. */
  private followUserHub(): void {
    this.user.listen({
      account: (a) => {
        const book = this.books.get(a.id);
        if (!book) return;
        // Live sends each update 2 to 4 times: `changed` tells the news from its repeats.
        this.emit("account", book, a, { changed: book.applyAccount(a) });
      },
      order: (o) => {
        this.remember(o);
        this.pending.onOrder(o);
        this.withBook(o.accountId, (b) => {
          b.applyOrder(o);
          this.emit("order", b, o);
        });
      },
      position: (p) =>
        this.withBook(p.accountId, (b) => {
          b.applyPosition(p);
          this.pending.onPosition(p.accountId, p.contractId);
          if (p.size > 0 && !this.contracts.cached(p.contractId))
            void this.contracts.byContractId(p.contractId).catch(() => undefined);
          this.emit("position", b, p);
        }),
      trade: (t) =>
        this.withBook(t.accountId, (b) => {
          b.rollDay(this.clock.now());
          if (b.applyTrade(t)) this.emit("trade", b, t, { missed: false });
        }),
      malformed: (event, detail) => this.emit("warning", `${event} payload ignored: ${detail}`),
    });
  }

  private withBook(accountId: number, f: (b: AccountBook) => void): void {
    const b = this.books.get(accountId);
    if (b) f(b);
  }

  /** Logs in (rejects on bad credentials) and starts both hubs, which then reconnect forever. */
  async start(): Promise<void> {
    if (this.started) return;
    this.started = true;
    this.afterConnect.open();
    try {
      await this.clock.start?.();
      await this.rest.sessionToken();
    } catch (e) {
      this.started = false;
      this.publish({ state: "error", reason: (e as Error).message, user: "error", market: "error" });
      throw e;
    }
    this.userHub.start();
    this.marketHub.start();
  }

  /** Resolves when both hubs are connected. */
  async whenConnected(timeoutMs = 30_000): Promise<void> {
    await Promise.all([this.userHub.whenConnected(timeoutMs), this.marketHub.whenConnected(timeoutMs)]);
  }

  async stop(): Promise<void> {
    this.started = false;
    this.clock.stop?.();
    this.afterConnect.close();
    this.pending.close();
    await Promise.all([this.userHub.stop(), this.marketHub.stop()]);
    this.market.close();
    this.rest.close();
  }

  status(): ConnectionStatus {
    return this.lastStatus ?? { state: "disconnected", user: "disconnected", market: "disconnected" };
  }

  private onHubState(e: HubStateEvent): void {
    // Before anyone hears of it: from now on the accounts' books wait for their re-sync.
    if (e.hub === "user" && e.state === "connected" && this.hubStates.user.state !== "connected")
      this.afterConnect.connected();
    this.hubStates[e.hub as "user" | "market"] = e;
    const worst = [this.hubStates.user, this.hubStates.market].sort((a, b) => RANK[b.state] - RANK[a.state])[0]!;
    this.publish({
      state: worst.state,
      reason: worst.state === "connected" ? undefined : worst.reason && `${worst.hub} hub: ${worst.reason}`,
      user: this.hubStates.user.state,
      market: this.hubStates.market.state,
    });
  }

  private publish(s: ConnectionStatus): void {
    const p = this.lastStatus;
    if (p && p.state === s.state && p.reason === s.reason && p.user === s.user && p.market === s.market) return;
    this.lastStatus = s;
    this.emit("state", s);
  }

  private remember(o: Order): void {
    this.recentOrders.delete(o.id);
    this.recentOrders.set(o.id, o);
    if (this.recentOrders.size > 1000) this.recentOrders.delete(this.recentOrders.keys().next().value!);
    for (const w of this.orderWaiters) w(o);
  }

  /**
   * Waits for an order event that satisfies `done` (e.g. status Filled), for at most `timeoutMs`;
   * resolves with the latest event seen, which may not satisfy it, or null if none came.
   */
  waitForOrder(orderId: number, done: (o: Order) => boolean, timeoutMs: number): Promise<Order | null> {
    const seen = this.recentOrders.get(orderId);
    if ((seen && done(seen)) || timeoutMs <= 0) return Promise.resolve(seen ?? null);
    return new Promise((resolve) => {
      let latest = seen ?? null;
      const finish = () => {
        clearTimeout(timer);
        this.orderWaiters.delete(waiter);
        resolve(latest);
      };
      const waiter = (o: Order) => {
        if (o.id !== orderId) return;
        latest = o;
        if (done(o)) finish();
      };
      const timer = setTimeout(finish, timeoutMs);
      this.orderWaiters.add(waiter);
    });
  }

  /** Sets (or, with null, removes) the check that every order to an account passes: its guard's. */
  setEntryGate(accountId: number, gate: EntryGate | null): void {
    if (gate) this.entryGates.set(accountId, gate);
    else this.entryGates.delete(accountId);
  }

  entryGate(accountId: number): EntryGate | undefined {
    return this.entryGates.get(accountId);
  }

  /** Sets (or, with null, removes) what makes room for an account's exits at market: its guard stops. */
  setExitRoom(accountId: number, room: ExitRoom | null): void {
    if (room) this.exitRooms.set(accountId, room);
    else this.exitRooms.delete(accountId);
  }

  /** Makes room for an exit at market of `quantity` contracts; returns what to call once it is sent. */
  async beforeExit(accountId: number, contractId: string, quantity: number): Promise<(sent?: boolean) => void> {
    // Our managed legs first; the guard stops then count what the legs still cover.
    await this.managed.get(accountId)?.beforeExit(contractId, quantity);
    const room = this.exitRooms.get(accountId);
    return room ? room.beforeExit(contractId, quantity) : () => undefined;
  }

  /**
   * Whether the account's book is live: the user hub is connected and the account was read through
   * REST since it last connected. When not, the re-sync that makes it so is on its way ('resynced').
   */
  isLive(accountId: number): boolean {
    return this.userHub.state === "connected" && this.afterConnect.isCurrent(accountId);
  }

  /** Makes sure the account is re-read for the user hub's latest connection, unless it is or that is on its way. */
  confirmLive(accountId: number): void {
    if (this.started && this.books.has(accountId)) this.afterConnect.run([accountId]);
  }

  /** The stop-loss and take-profit legs our core keeps for an account in Position Brackets mode. */
  brackets(accountId: number): ManagedBrackets {
    let m = this.managed.get(accountId);
    if (!m) {
      m = new ManagedBrackets(this, accountId);
      this.managed.set(accountId, m);
    }
    return m;
  }

  /** The books of every watched account (the accounts of this login that something follows). */
  watchedBooks(): AccountBook[] {
    return [...this.books.values()];
  }

  /** The live book of an account already watched. */
  book(accountId: number): AccountBook | undefined {
    return this.books.get(accountId);
  }

  /** Starts following an account: hub subscriptions and a REST snapshot. Idempotent; concurrent calls share one. */
  watchAccount(accountId: number): Promise<AccountBook> {
    let w = this.watching.get(accountId);
    if (!w) {
      const book = new AccountBook(accountId, this.clock.now());
      this.books.set(accountId, book);
      // Before the first re-sync, so legs left working by an earlier run are adopted by it.
      this.brackets(accountId);
      w = this.user.watchAccount(accountId).then(() => this.resync(accountId));
      w.catch(() => this.watching.delete(accountId));
      this.watching.set(accountId, w);
    }
    return w;
  }

  /**
   * Rebuilds an account's book from REST: balance, open positions, working orders (suspended
   * bracket legs included) and today's fills. Fills the book had not seen are emitted as trades
   * with `missed: true`.
   */
  async resync(accountId: number): Promise<AccountBook> {
    const book = this.books.get(accountId) ?? new AccountBook(accountId, this.clock.now());
    this.books.set(accountId, book);
    const now = this.clock.now();
    const current = this.afterConnect.begin(accountId);
    if (this.log.debugEnabled) this.log.debug(`account ${accountId}: re-sync from REST`);
    const [accounts, positions, orders, trades] = await Promise.all([
      this.api.searchAccounts(false),
      this.api.searchOpenPositions(accountId),
      this.api.queryOrders({ filter: { accountId, statuses: [...WORKING_STATUSES] }, pageSize: 1000 }),
      this.api.searchTrades(accountId, book.dayStart),
    ]);
    // P&L needs each held contract's tick size and value at hand, without I/O on the quote path.
    await Promise.all(positions.map((p) => this.contracts.byContractId(p.contractId).catch(() => undefined)));
    const account = accounts.find((a) => a.id === accountId);
    if (!account) throw new Error(`account ${accountId} is not visible to this user`);
    const missed = book.replace({ account, positions, orders, trades, now });
    current();
    if (this.log.debugEnabled)
      this.log.debug(
        `account ${accountId}: re-synced: ${positions.length} position(s), ${orders.length} working order(s), ${trades.length} fill(s) today, ${missed.length} missed`,
      );
    for (const t of missed) this.emit("trade", book, t, { missed: true });
    this.pending.onResynced(accountId, book.syncedAt);
    this.emit("resynced", book);
    return book;
  }

  /** Open P&L of an account from the latest quotes of its positions (marks: long at bid, short at ask). */
  openPnl(accountId: number): OpenPnl {
    const book = this.books.get(accountId);
    if (!book) return { pnl: 0, complete: false, missing: [] };
    return book.openPnl(
      (id) => this.market.quote(id),
      (id) => this.contracts.cached(id),
    );
  }
}
