import { EventEmitter } from "node:events";
import { AccountBook } from "../account/account-book";
import { type FlattenReport, flattenAccount } from "../account/flatten";
import { reduceToLimit } from "../account/reduce";
import type { ConnectionEvents, GatewayConnection } from "../connection";
import { marketOf } from "../contracts/products";
import type { Journal } from "../journal/journal";
import type { EntryGate } from "../orders/entry-gate";
import type { StrategyPosition } from "../orders/order-intent";
import { type RiskOrder, type RiskSized, sizeFromRisk, UNKNOWN_ROOM } from "../orders/risk-order";
import { sizeStrategyOrder } from "../orders/strategy-order";
import {
  accountExposure,
  type OpenExposure,
  openExposure,
  signedPosition,
  signedRemaining,
  targetDelta,
} from "../orders/target-position";
import { type GuardAction, GuardStops, type GuardView } from "../protection/guard-stops";
import { missedGuardFills } from "../protection/missed-guard-fills";
import { type StopAction, StopManager, type StopView } from "../protection/stop-manager";
import { restoreStopPlans } from "../protection/stop-plan-journal";
import { isWorkingStatus, type Trade } from "../schemas";
import { tradingDayOf } from "../time/trading-day";
import { AccountChecks } from "./account-checks";
import { blackoutBlock } from "./blackouts";
import {
  type DayRulesView,
  dayRuleEvents,
  dayRulesRefusal,
  dayRulesRefusing,
  dayRulesView,
  followDayFill,
} from "./day-rules";
import { StaleFeedWatch, staleFeedReason, startHeartbeat } from "./dead-man";
import type { FloorCheck } from "./floor-check";
import { riskRoom } from "./risk-room";
import { initialState, type RuleState, rollTradingDay, round2 } from "./rule-state";
import type { RulesConfig } from "./rules-config";
import {
  applyBreach,
  decide,
  type Evaluation,
  effectiveMaxContracts,
  evaluate,
  type GateIntent,
  guardFloor,
  isExit,
  type LiveAccount,
  nextSessionOpen,
  type RuleDecision,
} from "./rules-engine";

/** A rule-state message: headroom to each limit and what changed. */
export interface GuardStatus {
  accountId: number;
  at: number;
  synced: boolean;
  headroom: Evaluation["headroom"] | null;
  blocked: { rule: string; reason: string; until: number | null } | null;
  killSwitch: boolean;
  flattening: boolean;
  /** How the loss floor was established at start (history, journal, the trader's floor), and any disagreement. */
  floorCheck: FloorCheck | null;
  /** The guard stops: on or off, the equity they keep, what is left above it, and each held contract's guard. */
  guards: GuardSummary;
  event?: string;
  /** Breakeven and trailing: each held contract's managed stop (see StopManager). */
  stops: StopView[];
  /** Profit lock, consistency and cooldown (day-rules.ts); null before the state is loaded. */
  dayRules?: DayRulesView | null;
}

/** The guard stops as the rule-state output and the status show them. */
export interface GuardSummary {
  enabled: boolean;
  /** The equity the guards keep (the tightest floor in force), and the rule it comes from. */
  floor: number | null;
  rule: string | null;
  /** Dollars between equity now and that floor. */
  left: number | null;
  contracts: GuardView[];
}

/**
 * Events of an {@link AccountGuard}: `status` on every change of the rule state (and at most every
 * second while something moves), `breach` when a rule is crossed (the guard flattens or reduces the
 * account itself), `flattened` with what that flatten did, `error` for what the trader must see (a
 * failed flatten, a failed re-sync) and `warning` for what is worth a log line. Listen to `error`:
 * an EventEmitter without an error listener throws.
 */
export interface GuardEvents {
  status: [GuardStatus];
  breach: [NonNullable<Evaluation["breach"]>];
  flattened: [FlattenReport];
  /** A guard stop placed, modified, tightened, cancelled, or a request about one that failed. */
  guard: [GuardAction];
  /** A bracket stop moved to breakeven or along its trail, or a move that failed. */
  stop: [StopAction];
  error: [Error];
  warning: [string];
  /** A flatten or reduce the guard runs: started, done (with what it did) or failed. */
  flatten: [FlattenPhase];
  /** A trading day closed (rolled at 17:00 Chicago): its P&L, the balance and the floor after it. */
  dayClosed: [{ tradingDay: string; pnl: number; balance: number; floor: number | null }];
}

/** A step of a flatten or reduce, for the flatten event. */
export interface FlattenPhase {
  phase: "started" | "done" | "failed";
  reason: string;
  reduce?: boolean;
  /** Done: flat or not (a reduce does not aim at flat), positions closed, orders cancelled. */
  flat?: boolean;
  closed?: number;
  cancelled?: number;
  error?: string;
}

/** A listener of one connection event, spelled as EventEmitter's typings expect it for a generic event name. */
type ConnectionListener<K extends keyof ConnectionEvents> = K extends keyof ConnectionEvents
  ? ConnectionEvents[K] extends unknown[]
    ? (...args: ConnectionEvents[K]) => void
    : never
  : never;

const NOT_LOADED: RuleDecision = {
  allow: false,
  rule: "stateUnknown",
  reason:
    "The account state is not loaded yet: entries are refused until it is; exits, cancels and flattens still pass.",
};

/**
 * Guards one account: keeps its rule state (persisted in the journal's database), evaluates the
 * rules on every quote of a held contract and every fill, flattens the account itself on a breach
 * or a buffer crossing, and decides order intents one at a time, so two simultaneous alerts cannot
 * both pass a limit only one of them fits. It approves nothing until the account is re-synced.
 */
export class AccountGuard extends EventEmitter<GuardEvents> {
  state: RuleState | null = null;
  private synced = false;
  private flattening: Promise<void> | null = null;
  private readonly quoteStops = new Map<string, () => Promise<void>>();
  private chain: Promise<unknown> = Promise.resolve();
  private readonly unlisten: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private evalScheduled = false;
  private lastPublish = 0;
  private lastPeakPersist = 0;
  private last: Evaluation | null = null;
  private stopped = false;
  private checks: AccountChecks | null = null;
  /** The resting stops that protect the account while our process is down. */
  readonly guards: GuardStops;
  /** Breakeven and trailing of the positions' bracket stops. */
  readonly stops: StopManager;
  private lastGuardFloor: number | null = null;
  private stopHeartbeat: () => void = () => undefined;
  private readonly staleFeed: StaleFeedWatch | null;
  /** Fills the first sync found before the rule state was loaded: journaled once it is. */
  private readonly earlyTrades: Array<[AccountBook, Trade, { missed: boolean }]> = [];
  /** Fills made while we were not watching, new to the journal: any of them may be a guard's. */
  private unseenFills: Trade[] = [];

  constructor(
    private readonly conn: GatewayConnection,
    readonly accountId: number,
    readonly config: RulesConfig,
    private readonly journal: Journal,
  ) {
    super();
    this.guards = new GuardStops(
      conn,
      accountId,
      {
        enabled: config.guardStops.enabled,
        slippageTicks: config.guardStops.slippageTicks,
        repriceMs: config.guardStops.repriceSeconds * 1000,
      },
      {
        floor: () => (this.state ? guardFloor(this.config, this.state) : null),
        // A flatten in progress cancels every order: a guard placed meanwhile would only be in its way.
        ready: () => this.synced && this.state !== null && !this.stopped && !this.flattening,
        record: (a) => this.onGuardAction(a),
        changed: (acted) => {
          this.publish(acted.length > 0 ? `guard:${acted.at(-1)}` : "guard");
          this.stops.schedule();
        },
        warn: (m) => this.emit("warning", m),
      },
    );
    this.stops = new StopManager(conn, accountId, config.stopManagement, config.guardStops.repriceSeconds * 1000, {
      ready: () => this.synced && this.state !== null && !this.stopped && !this.flattening,
      guardLevel: (c) => {
        if (!this.config.guardStops.enabled || !this.state || !guardFloor(this.config, this.state)) return null;
        const v = this.guards.views().find((g) => g.contractId === c);
        return v ? (v.inside ? null : v.level) : undefined;
      },
      record: (a) => {
        this.journal.appendSoon("stop", this.accountId, a, this.now());
        this.emit("stop", a);
      },
      changed: () => this.publish("stop"),
      bound: (contractId, plan) =>
        this.journal.appendSoon("stop", this.accountId, { action: "plan", contractId, plan }, this.now()),
    });
    this.staleFeed = config.staleFeedFlattenSeconds
      ? new StaleFeedWatch(config.staleFeedFlattenSeconds, conn.market, (e) => this.emit("warning", e.message))
      : null;
  }

  private onGuardAction(a: GuardAction): void {
    this.journal.appendSoon("guard", this.accountId, a, this.now());
    this.emit("guard", a);
    if (a.action !== "filled") return;
    this.onGuardFilled(a);
    this.publish("guard:filled");
  }

  /**
   * A guard stop filled: the position reached the level the floor allows it, as a breach of that
   * rule would have found it. The account is flattened and entries are blocked as that rule's breach
   * does (until the next session; a daily limit that only flattens once blocks nothing), so the
   * trader does not re-enter with no room left.
   */
  private onGuardFilled(a: GuardAction): void {
    if (!this.state) return;
    const f = guardFloor(this.config, this.state);
    const rule = f?.rule ?? "maxLossLimit";
    const now = this.now();
    const once = rule === "dailyLossLimit" && this.config.dailyLoss?.action === "flatten";
    const reason = `The guard stop of ${a.contractId} filled (${a.reason.replace(/^the guard stop filled /, "")}): the account came down to the level that keeps equity above ${f ? f.equity.toFixed(2) : "the floor"} (${rule})${once ? "" : "; entries are blocked until the next session"}.`;
    const breach = {
      at: now,
      rule,
      reason,
      action: "flatten" as const,
      blockUntil: once ? null : nextSessionOpen(this.config, now),
    };
    applyBreach(this.state, breach);
    this.persist();
    this.journal.append("breach", this.accountId, { rule, reason, guard: a.orderId }, now);
    this.emit("breach", breach);
    // As the breach would: working entries cancelled (one resting would reopen a position with no
    // room left) and what else is held closed.
    if (!this.flattening && !this.flatInBook()) this.runFlatten(this.flatten(rule));
  }

  private now(): number {
    return this.conn.clock.now();
  }

  /** Loads the persisted state, follows the account, and starts judging once it is re-synced. */
  async start(): Promise<void> {
    this.checks = new AccountChecks({
      api: this.conn.api,
      accountId: this.accountId,
      config: this.config,
      now: () => this.now(),
      account: () => this.conn.book(this.accountId) ?? null,
      settled: (check) => {
        this.journal.append("start", this.accountId, { event: "loss floor established", ...check }, this.now());
        if (check.note) this.emit("warning", check.note);
        this.onSynced();
      },
      error: (e) => this.emit("error", e),
    });
    this.followSync();
    this.followActivity();
    // Orders that do not pass through a rules node still meet the kill switch and the blocks.
    this.conn.setEntryGate(this.accountId, this.gate);
    this.conn.setExitRoom(this.accountId, this.guards);
    this.timer = setInterval(() => this.scheduleEvaluation(), 1000);
    this.timer.unref();
    this.stopHeartbeat = startHeartbeat(this.config.heartbeatSeconds, () =>
      this.emit("status", this.status("heartbeat")),
    );
    this.journal.append("start", this.accountId, { profile: this.config.profile }, this.now());
    const book = await this.conn.watchAccount(this.accountId);
    if (book.syncedAt > 0) this.onSynced();
  }

  /** Listens to a connection event until the guard stops. */
  private listen<K extends keyof ConnectionEvents>(event: K, f: ConnectionListener<K>): void {
    this.conn.on(event, f);
    this.unlisten.push(() => this.conn.off(event, f));
  }

  /** Entries wait for the account to be re-synced after every drop of a hub. */
  private followSync(): void {
    this.listen("resynced", (book) => {
      if (book.accountId === this.accountId) this.onSynced();
    });
    this.listen("state", (s) => {
      // Fail closed for entries while a stream is down; breaches are still judged on the last book.
      if (s.state !== "connected" && this.synced) {
        this.synced = false;
        if (this.conn.log.debugEnabled)
          this.conn.log.debug(`account ${this.accountId}: entries refused until the account is re-synced`);
        this.publish("disconnected");
      }
      // Whichever hub came back: a book the user hub kept live is confirmed now, any other by the
      // connection's re-sync ('resynced'), the one REST read per reconnection.
      if (s.state === "connected" && !this.synced) {
        if (this.conn.isLive(this.accountId)) this.onSynced();
        else this.conn.confirmLive(this.accountId);
      }
    });
    this.listen("resyncFailed", (accountId, e, failures) => {
      // Entries stay refused until a re-sync succeeds; the connection keeps trying, backing off.
      if (accountId === this.accountId && failures === 1)
        this.emit(
          "error",
          new Error(`re-sync failed, entries stay refused until it succeeds (retrying): ${e.message}`),
        );
    });
  }

  /** Fills, positions and balance changes of the account are judged as they come. */
  private followActivity(): void {
    this.listen("trade", (book, t, extra) => this.onTrade(book, t, extra));
    this.listen("position", (book, p) => {
      if (book.accountId !== this.accountId) return;
      void this.followQuotes();
      this.scheduleEvaluation();
      this.guards.onPosition(p.contractId);
      this.stops.schedule();
    });
    this.listen("order", (book, o) => {
      if (book.accountId !== this.accountId) return;
      this.guards.onOrder(o);
      this.stops.onOrder(o);
    });
    this.listen("account", (book) => {
      if (book.accountId !== this.accountId) return;
      this.scheduleEvaluation();
      this.guards.schedule();
    });
  }

  private onTrade(book: AccountBook, t: Trade, extra: { missed: boolean }): void {
    if (book.accountId !== this.accountId) return;
    if (!this.state) {
      this.earlyTrades.push([book, t, extra]);
      return;
    }
    this.rollDay();
    // The book counts each of today's fills once, across restarts and re-syncs alike.
    this.state.dayTrades = book.fills;
    const day = tradingDayOf(this.now());
    if (!this.state.tradingDays.includes(day)) this.state.tradingDays.push(day);
    this.state.journaledTrades ??= [];
    const seen = this.state.journaledTrades;
    if (!seen.includes(t.id)) {
      seen.push(t.id);
      if (seen.length > 500) seen.splice(0, seen.length - 500);
      this.journal.appendSoon("fill", this.accountId, { ...t, missed: extra.missed }, this.now());
      if (extra.missed) this.unseenFills.push(t);
      this.followDayFill(t);
    }
    this.journal.saveStateSoon(this.state, this.now());
    this.scheduleEvaluation();
  }

  /**
   * The check offered to orders sent without this guard's approval: while entries are refused
   * (kill switch, a block, the state not loaded) they are judged in full, and only exits pass.
   */
  private readonly gate: EntryGate = {
    refusing: () => {
      const s = this.state;
      return (
        !s ||
        s.killSwitch ||
        (s.blockedUntil !== null && s.blockedUntil > this.now()) ||
        !!this.staleFeed?.last ||
        dayRulesRefusing(this.config, s, this.now())
      );
    },
    judge: async (intent) => {
      const d = await this.decide(intent, null);
      return d.allow ? null : d;
    },
  };

  private onSynced(): void {
    const book = this.conn.book(this.accountId);
    if (!book || this.stopped) return;
    const now = this.now();
    if (!this.state) {
      this.state = this.journal.loadState(this.accountId);
      if (!this.state) {
        // First run on this account: today's start is the balance before today's realized P&L.
        this.state = initialState(
          this.config,
          this.accountId,
          round2(book.balance - book.realizedPnl + book.fees),
          now,
        );
        if (book.fills > 0) this.state.tradingDays.push(this.state.tradingDay);
      }
    }
    this.rollDay();
    for (const [b, t, x] of this.earlyTrades.splice(0)) this.onTrade(b, t, x);
    this.state.dayTrades = book.fills;
    this.state.lastBalance = book.balance;
    // The profile is judged against the account; entries (not exits) wait for the floor rebuilt from its history.
    this.checks?.onSynced(this.state, book);
    // A REST snapshot alone is not live state: without the hubs, fills would go unseen, and one read
    // before the user hub's latest connection may miss what happened since.
    this.synced = this.conn.status().state === "connected" && this.conn.isLive(this.accountId);
    if (this.conn.log.debugEnabled)
      this.conn.log.debug(
        `account ${this.accountId}: rules synced with the account${this.synced ? "" : ", entries wait for both hubs"}`,
      );
    this.persist();
    void this.followQuotes();
    this.evaluateNow("synced");
    // After every (re)start and re-sync: guards re-adopted by their tags, resized, re-priced.
    this.guards.schedule();
    restoreStopPlans(this.journal, book, this.stops);
    void this.findMissedGuardFills();
  }

  /**
   * A guard that filled while we were stopped or disconnected is the breach it would have been had
   * we watched it (journaled, entries blocked), found among the fills the re-sync brought.
   */
  private async findMissedGuardFills(): Promise<void> {
    const fills = this.unseenFills.splice(0);
    if (fills.length === 0) return;
    try {
      for (const a of await missedGuardFills(this.conn.api, this.accountId, fills))
        if (!this.stopped) this.guards.foundFilled(a);
    } catch (e) {
      this.emit("warning", `fills made while not watching were not checked for guard stops: ${(e as Error).message}`);
    }
  }

  private rollDay(): void {
    const closing = this.state?.tradingDay;
    if (this.state && closing && rollTradingDay(this.config, this.state, this.now())) {
      this.journal.append(
        "start",
        this.accountId,
        { event: "new trading day", tradingDay: this.state.tradingDay, floor: this.state.floor },
        this.now(),
      );
      this.persist();
      const s = this.state;
      this.emit("dayClosed", {
        tradingDay: closing,
        pnl: s.dailyPnl[closing] ?? 0,
        balance: s.lastBalance,
        floor: s.floor,
      });
    }
  }

  private persist(): void {
    if (this.state) this.journal.saveState(this.state, this.now());
  }

  /** Keeps quote subscriptions on exactly the contracts held. */
  private async followQuotes(): Promise<void> {
    const book = this.conn.book(this.accountId);
    if (!book || this.stopped) return;
    const held = new Set(book.positions.keys());
    for (const id of held) {
      if (this.quoteStops.has(id)) continue;
      this.quoteStops.set(id, async () => undefined);
      try {
        const stop = await this.conn.market.watchQuotes(id, () => {
          this.scheduleEvaluation();
          this.stops.onQuote(id);
        });
        if (this.stopped) await stop();
        else this.quoteStops.set(id, stop);
      } catch (e) {
        this.quoteStops.delete(id);
        this.emit("error", e as Error);
      }
    }
    for (const [id, stop] of this.quoteStops) {
      if (held.has(id)) continue;
      this.quoteStops.delete(id);
      await stop().catch(() => undefined);
    }
  }

  /** The live account for the engine: book, open P&L, working entry orders and pending orders. */
  live(): LiveAccount {
    const book = this.conn.book(this.accountId);
    const { positions, workingOrders } = accountExposure(this.conn, this.accountId);
    const open = this.conn.openPnl(this.accountId);
    return {
      balance: book?.balance ?? 0,
      openPnl: open.pnl,
      openPnlComplete: open.complete,
      positions,
      workingOrders,
      synced: this.synced && !!book,
      costPerSide: book?.costPerSide,
      staleQuotes: this.staleFeed?.check(
        positions.map((p) => p.contractId),
        this.now(),
      ),
      otherAccounts: this.otherAccounts,
    };
  }

  /** The other accounts watched on this connection (same login), for the cross-account hedge check. */
  private readonly otherAccounts = () =>
    this.conn
      .watchedBooks()
      .filter((b) => b.accountId !== this.accountId)
      .map((b) => ({
        accountId: b.accountId,
        name: b.name,
        positions: [...b.positions.values()].map((p) => ({ contractId: p.contractId, size: signedPosition(p) })),
      }));

  private scheduleEvaluation(): void {
    if (this.evalScheduled) return;
    this.evalScheduled = true;
    setImmediate(() => {
      this.evalScheduled = false;
      this.evaluateNow();
    });
  }

  /** Evaluates the rules now; acts on a breach. */
  evaluateNow(event?: string): Evaluation | null {
    // Breaches are judged even while re-syncing, on the last known book: enforcement must not pause.
    if (!this.state || this.stopped) return null;
    this.rollDay();
    const ev = evaluate(this.config, this.state, this.live(), this.now());
    const prev = this.last;
    this.last = ev;
    this.followGuardFloor();
    this.journalDayRules(ev.headroom.dayPnl);
    if (ev.changed && this.now() - this.lastPeakPersist >= 1000) {
      this.lastPeakPersist = this.now();
      this.persist();
    }
    if (ev.breach && ev.breach.action !== "none" && !this.flattening) {
      const b = ev.breach;
      applyBreach(this.state, b);
      this.persist();
      // A second rule crossed by the same loss finds the account flattened by the first: nothing to send.
      const alreadyFlat = this.flatInBook();
      this.journal.append(
        "breach",
        this.accountId,
        { rule: b.rule, reason: b.reason, headroom: ev.headroom, ...(alreadyFlat ? { alreadyFlat } : {}) },
        this.now(),
      );
      this.emit("breach", b);
      if (this.conn.log.debugEnabled)
        this.conn.log.debug(
          `account ${this.accountId}: breach ${b.rule} (${alreadyFlat ? "already flat" : b.action}): ${b.reason}`,
        );
      if (!alreadyFlat) {
        this.runFlatten(b.action === "reduce" ? this.reduce(b.rule) : this.flatten(b.rule, b.markets));
      }
      this.publish(`breach:${b.rule}`);
      return ev;
    }
    // A rule-state msg per dollar of headroom or per second, not per quote.
    const moved =
      !prev ||
      Math.abs((prev.headroom.maxLoss ?? 0) - (ev.headroom.maxLoss ?? 0)) >= 1 ||
      Math.abs(prev.headroom.dayPnl - ev.headroom.dayPnl) >= 1 ||
      prev.headroom.contracts !== ev.headroom.contracts;
    if (event || moved || this.now() - this.lastPublish >= 1000) this.publish(event);
    else this.last = prev;
    return ev;
  }

  /** The guards follow the floor they keep (EOD trail, lock, trailing daily limit), and the marks when anchored to them. */
  private followGuardFloor(): void {
    const f = guardFloor(this.config, this.state!)?.equity ?? null;
    if (f !== this.lastGuardFloor || this.guards.followsQuotes) {
      this.lastGuardFloor = f;
      this.guards.schedule();
    }
  }

  /**
   * The live book, confirmed by the gateway since the last (re)connection, holds no position and
   * no working order, and no order is on its way (it would open a position the breach never saw).
   */
  private flatInBook(): boolean {
    const book = this.conn.book(this.accountId);
    if (!book || !this.synced || book.positions.size > 0) return false;
    if (book.orders.size > 0) return false;
    return this.conn.pending.list(this.accountId).length === 0;
  }

  private async flatten(reason: string, markets?: string[]): Promise<void> {
    const log = this.conn.log;
    try {
      if (log.debugEnabled) log.debug(`account ${this.accountId}: flatten (${reason})`);
      this.emit("flatten", { phase: "started", reason });
      const only = markets ? { only: (id: string) => markets.includes(marketOf(id)) } : {};
      const report = await flattenAccount(this.conn.api, this.accountId, this.conn.clock, only);
      if (log.debugEnabled) log.debug(`account ${this.accountId}: flattened: ${JSON.stringify(report)}`);
      this.journal.append("flatten", this.accountId, { reason, ...report }, this.now());
      this.emit("flattened", report);
      this.emit("flatten", {
        phase: "done",
        reason,
        flat: report.flat,
        closed: report.closedContracts.length,
        cancelled: report.cancelledOrders.length,
      });
    } catch (e) {
      if (log.debugEnabled) log.debug(`account ${this.accountId}: flatten failed: ${(e as Error).message}`);
      this.journal.append("error", this.accountId, { reason, error: (e as Error).message }, this.now());
      // Not flat: forget that this breach was acted on, so the next evaluation flattens again.
      const i = this.state?.breaches.map((b) => b.rule as string).lastIndexOf(reason) ?? -1;
      if (i >= 0) this.state!.breaches.splice(i, 1);
      this.emit("flatten", { phase: "failed", reason, error: (e as Error).message });
      this.emit("error", e as Error);
    }
  }

  /** Brings the account back within its contract limit (see reduceToLimit). */
  private async reduce(rule: string): Promise<void> {
    const limit = effectiveMaxContracts(this.config, this.state!);
    if (limit === null) return;
    try {
      this.emit("flatten", { phase: "started", reason: rule, reduce: true });
      const report = await reduceToLimit(this.conn.api, this.accountId, limit, this.config.microRatio);
      this.journal.append("flatten", this.accountId, { reason: rule, reduce: true, ...report }, this.now());
      this.emit("flatten", {
        phase: "done",
        reason: rule,
        reduce: true,
        closed: report.reduced.length,
        cancelled: report.cancelledOrders.length,
      });
      void this.conn
        .resync(this.accountId)
        .catch((e: Error) => this.emit("warning", `re-sync after reducing the account failed: ${e.message}`));
    } catch (e) {
      this.journal.append("error", this.accountId, { reason: rule, error: (e as Error).message }, this.now());
      this.emit("flatten", { phase: "failed", reason: rule, reduce: true, error: (e as Error).message });
      this.emit(
        "error",
        new Error(`could not bring the account back within ${limit} contracts: ${(e as Error).message}`),
      );
    }
  }

  /** Runs a flatten or reduce: guard stops hold still meanwhile, and are reconciled once it is over. */
  private runFlatten(run: Promise<void>): void {
    this.flattening = run.finally(() => {
      this.flattening = null;
      this.publish("flattened");
      this.guards.schedule();
    });
  }

  /** Flattens the account now (kill switch with flatten), unless a flatten is already running. */
  flattenNow(reason: string): void {
    if (this.flattening || this.stopped) return;
    this.journal.append("breach", this.accountId, { rule: "killSwitch", reason }, this.now());
    this.runFlatten(this.flatten("killSwitch"));
  }

  /**
   * Decides an intent. Decisions run one at a time per account; an approval reserves its size in
   * the connection's pending orders until the gateway confirms or refuses it, so the next decision
   * counts it.
   */
  decide(intent: GateIntent, customTag: string | null): Promise<RuleDecision> {
    return this.serialized(() => this.decideNow(intent, customTag));
  }

  /**
   * Decides a target-position alert: the order that takes the contract from where it will be (the
   * position plus working orders and approvals not yet visible) to `target`, computed inside the
   * same serialized step, so two quick identical targets cannot both send the difference.
   */
  decideTarget(
    contractId: string,
    target: number,
    customTag: string | null,
    alertTime?: number,
  ): Promise<{ decision: RuleDecision; quantity: number }> {
    return this.serialized(async () => {
      const quantity = targetDelta(this.live(), contractId, target);
      if (quantity === 0)
        return {
          decision: {
            allow: false,
            rule: "atTarget",
            reason: `Already at the target position ${target} (counting working orders).`,
          },
          quantity,
        };
      return {
        decision: await this.decideNow({ action: "place", contractId, quantity, alertTime }, customTag),
        quantity,
      };
    });
  }

  /**
   * Decides a strategy's order whose alert says where the strategy's position goes: sized against
   * what the account holds (see sizeStrategyOrder) inside the serialized step; `alreadyFlat` when
   * there is nothing left to exit.
   */
  decideStrategyOrder(
    contractId: string,
    quantity: number,
    sp: StrategyPosition,
    customTag: string | null,
    alertTime?: number,
  ): Promise<{ decision: RuleDecision; quantity: number }> {
    return this.serialized(async () => {
      const live = this.live();
      const exposure = live.synced ? live : ((await this.restExposure().catch(() => null)) ?? live);
      const sized = sizeStrategyOrder(exposure, contractId, quantity, sp);
      if ("none" in sized)
        return {
          decision: {
            allow: false,
            rule: "alreadyFlat",
            reason: `Nothing to do: ${sized.none} (the strategy's position is ${sp.after}).`,
          },
          quantity: 0,
        };
      return {
        decision: await this.decideNow({ action: "place", contractId, quantity: sized.quantity, alertTime }, customTag),
        quantity: sized.quantity,
      };
    });
  }

  /**
   * Decides an order sized from its risk: sized against the account's headroom and contract limit
   * (see riskRoom, sizeFromRisk) inside the serialized step, then decided as any entry.
   */
  decideRiskOrder(
    order: RiskOrder,
    customTag: string | null,
    alertTime?: number,
  ): Promise<{ decision: RuleDecision; sized: RiskSized }> {
    return this.serialized(async () => {
      const live = this.live();
      const h = this.state ? (this.evaluateNow()?.headroom ?? this.last?.headroom ?? null) : null;
      const sized = sizeFromRisk(order, this.state ? riskRoom(this.config, this.state, live, h) : UNKNOWN_ROOM);
      if ("reason" in sized) return { decision: { allow: false, rule: "riskSize", reason: `${sized.reason}.` }, sized };
      const quantity = order.side === "buy" ? sized.quantity : -sized.quantity;
      const intent = { action: "place" as const, contractId: sized.contract.id, quantity, alertTime };
      return { decision: await this.decideNow(intent, customTag), sized };
    });
  }

  private serialized<T>(run: () => T | Promise<T>): Promise<T> {
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private async decideNow(intent: GateIntent, customTag: string | null): Promise<RuleDecision> {
    const loaded = this.state !== null;
    if (loaded) this.rollDay();
    const live = this.live();
    if (intent.action === "modify") return this.decideModify(intent, live);
    let d: RuleDecision;
    if (intent.action === "place" && (!live.synced || !loaded)) {
      // Exits always pass: while the hubs are down, the gateway's own REST answer says whether this
      // order only reduces a position; anything else waits for the re-sync.
      const fresh = await this.restExposure().catch(() => null);
      d =
        fresh && isExit(intent, fresh)
          ? {
              allow: true,
              rule: "exit",
              reason: "Exits are always allowed (checked against the gateway's positions while the account re-syncs).",
            }
          : loaded
            ? decide(this.config, this.state!, live, intent, this.now())
            : NOT_LOADED;
    } else if (!loaded) {
      d = isExit(intent, live)
        ? { allow: true, rule: "exit", reason: "Exits, cancels and flattens are always allowed." }
        : NOT_LOADED;
    } else {
      d = decide(this.config, this.state!, live, intent, this.now());
    }
    // Exits reserve too: a second exit decided before the first shows up must see it pending.
    if (d.allow && intent.action === "place" && intent.contractId && intent.quantity && customTag) {
      this.conn.pending.reserve(this.accountId, customTag, intent.contractId, intent.quantity);
    }
    // Only the pacing window changes on a decision; writing the whole state each time would cost every alert.
    if (d.allow && this.config.maxOrdersPerMinute !== undefined) this.persist();
    return d;
  }

  /** Positions and working orders as the gateway's REST API has them now, plus orders on their way. */
  private async restExposure(): Promise<OpenExposure> {
    const now = this.now();
    const [positions, orders] = await Promise.all([
      this.conn.api.searchOpenPositions(this.accountId),
      this.conn.api.searchOpenOrders(this.accountId),
    ]);
    const snapshot = new AccountBook(this.accountId, now);
    snapshot.replace({ positions, orders, trades: [], now });
    return openExposure(snapshot, this.conn.pending.list(this.accountId));
  }

  /**
   * A modify is judged as the order it would leave working: a protective order (or one only
   * shrinking) is an exit; an entry order made larger or moved in price is a new entry, under
   * every entry rule (kill switch, session, limits) with its old size no longer counted.
   */
  private async decideModify(intent: GateIntent, live: LiveAccount): Promise<RuleDecision> {
    const id = intent.orderId;
    const order =
      id === undefined
        ? null
        : (this.conn.book(this.accountId)?.orders.get(id) ??
          (await this.conn.api.orderById(this.accountId, id).catch(() => null)));
    if (!order || !isWorkingStatus(order.status)) {
      return {
        allow: false,
        rule: "stateUnknown",
        reason: `Order ${id ?? "?"} is not working on account ${this.accountId}: there is nothing to modify.`,
      };
    }
    const before = signedRemaining(order);
    const after = signedRemaining({ ...order, size: intent.quantity ?? order.size });
    if (order.parentOrderId != null && Math.abs(after) <= Math.abs(before))
      return { allow: true, rule: "exit", reason: "A bracket leg only ever reduces the position it protects." };
    const others = [...live.workingOrders];
    const i = others.findIndex((o) => o.contractId === order.contractId && o.size === before);
    if (i >= 0) others.splice(i, 1);
    const without: LiveAccount = { ...live, workingOrders: others };
    const asPlace: GateIntent = {
      action: "place",
      contractId: order.contractId,
      quantity: after,
      alertTime: intent.alertTime,
    };
    if (isExit(asPlace, without))
      return {
        allow: true,
        rule: "exit",
        reason: "The modified order only reduces the position: exits are always allowed.",
      };
    if (!intent.priceChange && Math.abs(after) <= Math.abs(before))
      return { allow: true, rule: "exit", reason: "Making a working order smaller only lowers exposure." };
    if (!this.state) return NOT_LOADED;
    const d = decide(this.config, this.state, without, asPlace, this.now());
    return d.allow ? d : { ...d, reason: `Modifying order ${id} opens exposure like a new entry: ${d.reason}` };
  }

  setKillSwitch(on: boolean, why: string): void {
    if (!this.state) return;
    this.state.killSwitch = on;
    if (!on && this.state.blockedUntil === Number.POSITIVE_INFINITY) {
      // Re-arming also lifts a block that had no end (the trader takes responsibility explicitly).
      this.state.blockedUntil = null;
      this.state.blockedBy = null;
      this.state.blockedReason = null;
    }
    this.journal.append("killSwitch", this.accountId, { on, why }, this.now());
    this.persist();
    this.publish(on ? "killSwitch:on" : "killSwitch:off");
  }

  status(event?: string): GuardStatus {
    const s = this.state;
    // A hold is named first, as the gate names it first: it is the cause to fix before a block matters.
    const blocked = s?.entryHold
      ? { rule: s.entryHold.rule, reason: s.entryHold.reason, until: null }
      : s && s.blockedUntil !== null && s.blockedUntil > this.now()
        ? {
            rule: s.blockedBy ?? "",
            reason: s.blockedReason ?? "",
            until: Number.isFinite(s.blockedUntil) ? s.blockedUntil : null,
          }
        : null;
    return {
      accountId: this.accountId,
      at: this.now(),
      synced: this.synced,
      // Copies: a flow that keeps or edits a status must not reach the rules' own state.
      headroom: this.last?.headroom ? { ...this.last.headroom } : null,
      blocked: blocked ?? this.staleBlock() ?? blackoutBlock(this.config, this.now()) ?? this.dayRulesBlock(),
      killSwitch: s?.killSwitch ?? false,
      flattening: !!this.flattening,
      floorCheck: s?.floorCheck ? structuredClone(s.floorCheck) : null,
      guards: this.guardSummary(),
      event,
      stops: this.stops.views().map((v) => structuredClone(v)),
      dayRules: s ? dayRulesView(this.config, s, this.last?.headroom.dayPnl ?? null, this.now()) : null,
    };
  }

  /** A fill new to the rules, followed into its round trip: a losing streak may start a cooldown. */
  private followDayFill(t: Trade): void {
    const started = followDayFill(this.config, this.state!, t, this.now());
    if (!started) return;
    this.journal.append("dayRule", this.accountId, { rule: "cooldown", event: "start", ...started }, this.now());
    this.persist();
    this.publish("cooldown:start");
  }

  /** Journals what the day rules found on an evaluation (a cooldown over, a day's limit reached), once each. */
  private journalDayRules(dayPnl: number): void {
    const events = dayRuleEvents(this.config, this.state!, dayPnl, this.now());
    if (events.length === 0) return;
    for (const e of events) this.journal.append("dayRule", this.accountId, e, this.now());
    this.persist();
    this.publish(`${events.at(-1)!.rule}:${events.at(-1)!.event}`);
  }

  /** Entries refused by a day rule, shown as a block: a cooldown until it ends, the day's profit stop, the consistency cap. */
  private dayRulesBlock(): GuardStatus["blocked"] {
    const s = this.state;
    const dayPnl = this.last?.headroom.dayPnl;
    if (!s || dayPnl === undefined) return null;
    const r = dayRulesRefusal(this.config, s, dayPnl, this.now());
    if (!r) return null;
    const until =
      r.rule === "cooldown"
        ? (s.dayRules?.cooldown.active?.until ?? null)
        : r.rule === "dailyProfitTarget"
          ? nextSessionOpen(this.config, this.now())
          : null;
    return { rule: r.rule, reason: r.reason, until };
  }

  private guardSummary(): GuardSummary {
    const f = this.state ? guardFloor(this.config, this.state) : null;
    const equity = this.last?.headroom.equity;
    return {
      enabled: this.config.guardStops.enabled,
      floor: f?.equity ?? null,
      rule: f?.rule ?? null,
      left: f && equity !== undefined ? round2(equity - f.equity) : null,
      contracts: this.guards.views().map((v) => ({ ...v })),
    };
  }

  /** Entries wait while a contract's quotes are stale (see dead-man.ts): shown as a block without an end. */
  private staleBlock(): GuardStatus["blocked"] {
    const stale = this.staleFeed?.last;
    return stale ? { rule: "staleFeed", reason: staleFeedReason(stale) ?? "", until: null } : null;
  }

  private publish(event?: string): void {
    this.lastPublish = this.now();
    this.emit("status", this.status(event));
  }

  /** Waits for a flatten in progress (tests, shutdown). */
  async settled(): Promise<void> {
    await this.flattening;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.checks?.stop();
    if (this.timer) clearInterval(this.timer);
    this.stopHeartbeat();
    this.staleFeed?.stop();
    if (this.conn.entryGate(this.accountId) === this.gate) this.conn.setEntryGate(this.accountId, null);
    this.conn.setExitRoom(this.accountId, null);
    // The guard stops stay at the gateway: they are what protects the account while we are gone.
    await this.guards.stop();
    await this.stops.stop();
    for (const f of this.unlisten.splice(0)) f();
    await Promise.all([...this.quoteStops.values()].map((s) => s().catch(() => undefined)));
    this.quoteStops.clear();
    await this.flattening?.catch(() => undefined);
    this.persist();
  }
}
