import { EventEmitter } from "node:events";
import { type FlattenReport, flattenAccount } from "../account/flatten";
import type { AccountBook } from "../account/account-book";
import type { GatewayConnection } from "../connection";
import type { Journal } from "../journal/journal";
import { OrderStatus } from "../schemas";
import { tradingDayOf } from "../time/trading-day";
import type { RulesConfig } from "./rules-config";
import { applyBreach, decide, evaluate, type Evaluation, type GateIntent, type LiveAccount, type RuleDecision } from "./rules-engine";
import { initialState, round2, rollTradingDay, type RuleState } from "./rule-state";

/** A rule-state message: headroom to each limit and what changed. */
export interface GuardStatus {
  accountId: number;
  at: number;
  synced: boolean;
  headroom: Evaluation["headroom"] | null;
  blocked: { rule: string; reason: string; until: number | null } | null;
  killSwitch: boolean;
  flattening: boolean;
  event?: string;
}

export interface GuardEvents {
  status: [GuardStatus];
  breach: [NonNullable<Evaluation["breach"]>];
  flattened: [FlattenReport];
  error: [Error];
}

const RESERVATION_MS = 15_000;
const WORKING = new Set<number>([OrderStatus.Open, OrderStatus.Pending, OrderStatus.PendingCancellation]);

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
  private readonly reservations = new Map<string, { contractId: string; size: number; until: number; filled?: boolean }>();
  private resyncing = false;
  private chain: Promise<unknown> = Promise.resolve();
  private readonly unlisten: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private evalScheduled = false;
  private lastPublish = 0;
  private lastPeakPersist = 0;
  private last: Evaluation | null = null;
  private stopped = false;

  constructor(
    private readonly conn: GatewayConnection,
    readonly accountId: number,
    readonly config: RulesConfig,
    private readonly journal: Journal,
  ) {
    super();
  }

  private now(): number {
    return this.conn.clock.now();
  }

  /** Loads the persisted state, follows the account, and starts judging once it is re-synced. */
  async start(): Promise<void> {
    const on = <K extends string>(event: K, f: (...args: any[]) => void) => {
      this.conn.on(event as never, f as never);
      this.unlisten.push(() => this.conn.off(event as never, f as never));
    };
    on("resynced", (book: { accountId: number }) => {
      if (book.accountId === this.accountId) this.onSynced();
    });
    on("state", (s: { state: string }) => {
      // Fail closed for entries while a stream is down; breaches are still judged on the last book.
      if (s.state !== "connected" && this.synced) {
        this.synced = false;
        this.publish("disconnected");
      }
      // Whichever hub came back, confirm the account through REST before approving again.
      if (s.state === "connected" && !this.synced) this.resyncSoon();
    });
    on("trade", (book: AccountBook, t: { id: number; price: number; size: number; side: number; profitAndLoss?: number | null; fees: number; contractId: string; orderId: number }, extra: { missed: boolean }) => {
      if (book.accountId !== this.accountId || !this.state) return;
      this.rollDay();
      // The book counts each of today's fills once, across restarts and re-syncs alike.
      this.state.dayTrades = book.fills;
      const day = tradingDayOf(this.now());
      if (!this.state.tradingDays.includes(day)) this.state.tradingDays.push(day);
      const seen = (this.state.journaledTrades ??= []);
      if (!seen.includes(t.id)) {
        seen.push(t.id);
        if (seen.length > 500) seen.splice(0, seen.length - 500);
        this.journal.append("fill", this.accountId, { ...t, missed: extra.missed }, this.now());
      }
      this.persist();
      this.scheduleEvaluation();
    });
    on("order", (book: { accountId: number }, o: { customTag?: string | null; status: number; contractId: string }) => {
      if (book.accountId !== this.accountId || !o.customTag) return;
      const r = this.reservations.get(o.customTag);
      if (!r) return;
      // A working order is counted by the book; a filled one only once its position shows up.
      if (o.status === OrderStatus.Filled) r.filled = true;
      else this.reservations.delete(o.customTag);
    });
    on("position", (book: { accountId: number }, p: { contractId: string }) => {
      if (book.accountId !== this.accountId) return;
      for (const [tag, r] of this.reservations) if (r.filled && r.contractId === p.contractId) this.reservations.delete(tag);
      void this.followQuotes();
      this.scheduleEvaluation();
    });
    on("account", (book: { accountId: number }) => {
      if (book.accountId === this.accountId) this.scheduleEvaluation();
    });
    this.timer = setInterval(() => this.scheduleEvaluation(), 1000);
    this.timer.unref();
    this.journal.append("start", this.accountId, { profile: this.config.profile }, this.now());
    const book = await this.conn.watchAccount(this.accountId);
    if (book.syncedAt > 0) this.onSynced();
  }

  /** Re-reads the account through REST (once at a time); the 'resynced' event then confirms it. */
  private resyncSoon(): void {
    if (this.resyncing || this.stopped) return;
    this.resyncing = true;
    this.conn.resync(this.accountId)
      .catch((e: Error) => this.emit("error", new Error(`re-sync failed, entries stay refused: ${e.message}`)))
      .finally(() => {
        this.resyncing = false;
      });
  }

  private onSynced(): void {
    const book = this.conn.book(this.accountId);
    if (!book || this.stopped) return;
    const now = this.now();
    if (!this.state) {
      this.state = this.journal.loadState(this.accountId);
      if (!this.state) {
        // First run on this account: today's start is the balance before today's realized P&L.
        this.state = initialState(this.config, this.accountId, round2(book.balance - book.realizedPnl + book.fees), now);
        if (book.fills > 0) this.state.tradingDays.push(this.state.tradingDay);
      }
    }
    this.rollDay();
    this.state.dayTrades = book.fills;
    this.state.lastBalance = book.balance;
    // A REST snapshot alone is not live state: without the hubs, fills would go unseen.
    this.synced = this.conn.status().state === "connected";
    this.persist();
    void this.followQuotes();
    this.evaluateNow("synced");
  }

  private rollDay(): void {
    if (this.state && rollTradingDay(this.config, this.state, this.now())) {
      this.journal.append("start", this.accountId, { event: "new trading day", tradingDay: this.state.tradingDay, floor: this.state.floor }, this.now());
      this.persist();
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
        const stop = await this.conn.market.watchQuotes(id, () => this.scheduleEvaluation());
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

  /** The live account for the engine: book, open P&L, working entry orders and reservations. */
  live(): LiveAccount {
    const book = this.conn.book(this.accountId);
    const now = this.now();
    const positions = book ? [...book.positions.values()].map((p) => ({ contractId: p.contractId, size: p.type === 2 ? -p.size : p.size })) : [];
    const working: Array<{ contractId: string; size: number }> = [];
    for (const o of book?.orders.values() ?? []) {
      // Bracket legs only ever reduce a position.
      if (!WORKING.has(o.status) || o.parentOrderId != null) continue;
      const filled = o.fillVolume ?? 0;
      working.push({ contractId: o.contractId, size: (o.side === 0 ? 1 : -1) * (o.size - filled) });
    }
    for (const [tag, r] of this.reservations) {
      if (r.until < now) this.reservations.delete(tag);
      else working.push({ contractId: r.contractId, size: r.size });
    }
    const open = this.conn.openPnl(this.accountId);
    return { balance: book?.balance ?? 0, openPnl: open.pnl, openPnlComplete: open.complete, positions, workingOrders: working, synced: this.synced && !!book };
  }

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
      this.journal.append("breach", this.accountId, { rule: b.rule, reason: b.reason, headroom: ev.headroom, ...(alreadyFlat ? { alreadyFlat } : {}) }, this.now());
      this.emit("breach", b);
      if (!alreadyFlat) {
        this.flattening = this.flatten(b.rule).finally(() => {
          this.flattening = null;
          this.publish("flattened");
        });
      }
      this.publish(`breach:${b.rule}`);
      return ev;
    }
    // A rule-state msg per dollar of headroom or per second, not per quote.
    const moved = !prev || Math.abs((prev.headroom.maxLoss ?? 0) - (ev.headroom.maxLoss ?? 0)) >= 1 || Math.abs(prev.headroom.dayPnl - ev.headroom.dayPnl) >= 1 || prev.headroom.contracts !== ev.headroom.contracts;
    if (event || moved || this.now() - this.lastPublish >= 1000) this.publish(event);
    else this.last = prev;
    return ev;
  }

  /** The live book, confirmed by the gateway since the last (re)connection, holds no position and no working order. */
  private flatInBook(): boolean {
    const book = this.conn.book(this.accountId);
    if (!book || !this.synced || book.positions.size > 0) return false;
    for (const o of book.orders.values()) if (WORKING.has(o.status) || o.status === OrderStatus.Suspended) return false;
    return true;
  }

  private async flatten(reason: string): Promise<void> {
    try {
      const report = await flattenAccount(this.conn.api, this.accountId, this.conn.clock);
      this.journal.append("flatten", this.accountId, { reason, ...report }, this.now());
      this.emit("flattened", report);
    } catch (e) {
      this.journal.append("error", this.accountId, { reason, error: (e as Error).message }, this.now());
      // Not flat: forget that this breach was acted on, so the next evaluation flattens again.
      const i = this.state?.breaches.map((b) => b.rule as string).lastIndexOf(reason) ?? -1;
      if (i >= 0) this.state!.breaches.splice(i, 1);
      this.emit("error", e as Error);
    }
  }

  /** Flattens the account now (kill switch with flatten), unless a flatten is already running. */
  flattenNow(reason: string): void {
    if (this.flattening || this.stopped) return;
    this.journal.append("breach", this.accountId, { rule: "killSwitch", reason }, this.now());
    this.flattening = this.flatten("killSwitch").finally(() => {
      this.flattening = null;
      this.publish("flattened");
    });
  }

  /**
   * Decides an intent. Decisions run one at a time per account; an approval reserves its size
   * until the order shows up on the account (or 15 s pass), so the next decision counts it.
   */
  decide(intent: GateIntent, customTag: string | null): Promise<RuleDecision> {
    return this.serialized(() => this.decideNow(intent, customTag));
  }

  /**
   * Decides a target-position alert: the order that takes the contract from where it will be (the
   * position plus working orders and approvals not yet visible) to `target`, computed inside the
   * same serialized step, so two quick identical targets cannot both send the difference.
   */
  decideTarget(contractId: string, target: number, customTag: string | null, alertTime?: number): Promise<{ decision: RuleDecision; quantity: number }> {
    return this.serialized(() => {
      const live = this.live();
      let current = live.positions.find((p) => p.contractId === contractId)?.size ?? 0;
      for (const o of live.workingOrders) if (o.contractId === contractId) current += o.size;
      const quantity = target - current;
      if (quantity === 0) return { decision: { allow: false, rule: "atTarget", reason: `Already at the target position ${target} (counting working orders).` }, quantity };
      return { decision: this.decideNow({ action: "place", contractId, quantity, alertTime }, customTag), quantity };
    });
  }

  private serialized<T>(run: () => T): Promise<T> {
    const next = this.chain.then(run, run);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private decideNow(intent: GateIntent, customTag: string | null): RuleDecision {
    if (!this.state) return { allow: false, rule: "stateUnknown", reason: "The account state is not loaded yet: entries are refused until it is." };
    this.rollDay();
    const d = decide(this.config, this.state, this.live(), intent, this.now());
    // Exits reserve too: a second exit decided before the first shows up must see it pending.
    if (d.allow && intent.action === "place" && intent.contractId && intent.quantity && customTag) {
      this.reservations.set(customTag, { contractId: intent.contractId, size: intent.quantity, until: this.now() + RESERVATION_MS });
    }
    // Only the pacing window changes on a decision; writing the whole state each time would cost every alert.
    if (d.allow && this.config.maxOrdersPerMinute !== undefined) this.persist();
    return d;
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
    const blocked = s && s.blockedUntil !== null && s.blockedUntil > this.now()
      ? { rule: s.blockedBy ?? "", reason: s.blockedReason ?? "", until: Number.isFinite(s.blockedUntil) ? s.blockedUntil : null }
      : null;
    return { accountId: this.accountId, at: this.now(), synced: this.synced, headroom: this.last?.headroom ?? null, blocked, killSwitch: s?.killSwitch ?? false, flattening: !!this.flattening, event };
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
    if (this.timer) clearInterval(this.timer);
    for (const f of this.unlisten.splice(0)) f();
    await Promise.all([...this.quoteStops.values()].map((s) => s().catch(() => undefined)));
    this.quoteStops.clear();
    await this.flattening?.catch(() => undefined);
    this.persist();
  }
}
