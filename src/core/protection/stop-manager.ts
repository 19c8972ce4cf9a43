import type { AccountBook } from "../account/account-book";
import type { GatewayConnection } from "../connection";
import { isGuardTag } from "../gateway/custom-tag";
import { isManagedLegTag } from "../orders/managed-brackets";
import { type Order, OrderSide, OrderStatus, OrderType, type Position, PositionType } from "../schemas";
import { SerialPasses } from "./serial-passes";
import { effectivePlan, managedStopLevel, plansMoves, type StopMove, type StopPlan } from "./stop-levels";
import { stopPlansOf } from "./stop-plans";

/** One stop move (or a failed one), for the journal (kind "stop") and the node. */
export interface StopAction {
  action: "moved" | "failed";
  contractId: string;
  orderId: number;
  /** The stop's price before and after the move. */
  from: number | null;
  stopPrice: number;
  /** What set the level. */
  reason: "breakeven" | "trail";
  /** Ticks of profit at the best price seen, and that price. */
  profitTicks: number;
  best: number;
  /** Where the plan came from: the entry's alert or the node's defaults. */
  plan: "entry" | "node";
  error?: string;
}

/** How one held contract's stop is managed now (the rule-state output's `stops`). */
export interface StopView {
  contractId: string;
  /** The managed stop legs (native bracket children or our managed legs) and their tightest price. */
  orderIds: number[];
  stopPrice: number | null;
  entry: number;
  /** The best exit price seen since the position opened. */
  best: number | null;
  plan: StopPlan;
  source: "entry" | "node";
  /** The last move made, if any. */
  last: "breakeven" | "trail" | null;
}

/** What a {@link StopManager} asks of the account guard that owns it. */
export interface StopManagerHooks {
  /** The account is live and no flatten is running: moves wait otherwise. */
  ready(): boolean;
  /**
   * The guard stop level of a held contract; null when guard stops hold none, undefined while the
   * guard has yet to work it out (no move is made before it has).
   */
  guardLevel(contractId: string): number | null | undefined;
  record(a: StopAction): void;
  /** The views changed (a move, a new position, a stop gone). */
  changed(): void;
  /** An entry's fill bound its plan to the position (journaled, so that a restart finds it again). */
  bound(contractId: string, plan: StopPlan): void;
}

/** Per held contract: the best exit price since it opened, its side, and the last move. */
interface Track {
  long: boolean;
  best: number | null;
  lastModify: number;
  last: StopView["last"];
}

/**
 * Breakeven and trailing of the stop-loss legs of one account's positions: native bracket legs
 * (children of the entry order) and our managed legs, moved through Order/modify as the plan of the
 * position's entry (or the node's defaults) calls for (see managedStopLevel): only ever tighter,
 * never looser than the guard level, each contract's stops moved at most once per `throttleMs` so a
 * fast market does not spend the request budget. Only the price moves: the sizes, which the guard
 * stops count against the position, are left alone. Fed by the account guard's quote, order and
 * position events.
 */
export class StopManager {
  private readonly tracks = new Map<string, Track>();
  private current: StopView[] = [];
  private readonly passes = new SerialPasses(() => this.pass());

  constructor(
    private readonly conn: GatewayConnection,
    readonly accountId: number,
    private readonly defaults: StopPlan,
    private readonly throttleMs: number,
    private readonly hooks: StopManagerHooks,
  ) {}

  /** How each held contract's stop is managed, as of the last pass. */
  views(): readonly StopView[] {
    return this.current;
  }

  /** A quote of a held contract: the best price so far is kept from every quote, not only the last. */
  onQuote(contractId: string): void {
    const t = this.tracks.get(contractId);
    const q = this.conn.market.quote(contractId);
    if (t && q) {
      const mark = t.long ? q.bestBid : q.bestAsk;
      if (mark != null && (t.best === null || (t.long ? mark > t.best : mark < t.best))) t.best = mark;
    }
    if (t) this.schedule();
  }

  /** An order event of the account: an entry's fill binds its plan; a stop leg may come or go. */
  onOrder(o: Order): void {
    const bound = stopPlansOf(this.conn).onOrder(o);
    if (bound) this.hooks.bound(bound.contractId, bound.plan);
    this.schedule();
  }

  /** The plan an earlier run bound to a position still open (read back from the journal). */
  restore(contractId: string, plan: StopPlan): void {
    stopPlansOf(this.conn).restore(this.accountId, contractId, plan);
    this.schedule();
  }

  /** Runs a pass soon (once for a burst of events), and again if something changes meanwhile. */
  schedule(): void {
    this.passes.schedule();
  }

  /** Resolves when no pass is running or due. */
  idle(): Promise<void> {
    return this.passes.idle();
  }

  /** No more moves (the stops stay where they are at the gateway). */
  stop(): Promise<void> {
    return this.passes.stop();
  }

  private later(ms: number): void {
    this.passes.later(Math.max(10, ms));
  }

  private async pass(): Promise<void> {
    const book = this.conn.book(this.accountId);
    if (!book) return;
    if (!this.hooks.ready()) {
      this.later(1_000);
      return;
    }
    const plans = stopPlansOf(this.conn);
    for (const id of [...this.tracks.keys()])
      if (!book.positions.has(id)) {
        this.tracks.delete(id);
        plans.release(this.accountId, id);
      }
    const views: StopView[] = [];
    for (const p of book.positions.values()) {
      const view = await this.manage(book, p);
      if (view) views.push(view);
    }
    const changed = JSON.stringify(views) !== JSON.stringify(this.current);
    this.current = views;
    if (changed) this.hooks.changed();
  }

  /** The position's track, new when it opened or changed side, its best price brought up to the quote. */
  private trackOf(p: Position): { t: Track; mark: number | null } {
    const long = p.type !== PositionType.Short;
    let t = this.tracks.get(p.contractId);
    if (!t || t.long !== long) {
      t = { long, best: null, lastModify: Number.NEGATIVE_INFINITY, last: null };
      this.tracks.set(p.contractId, t);
    }
    const q = this.conn.market.quote(p.contractId);
    const mark = (long ? q?.bestBid : q?.bestAsk) ?? null;
    if (mark !== null && (t.best === null || (long ? mark > t.best : mark < t.best))) t.best = mark;
    return { t, mark };
  }

  /** Moves one position's stop legs as its plan calls for; its view, or null when nothing manages it. */
  private async manage(book: AccountBook, p: Position): Promise<StopView | null> {
    const { t, mark } = this.trackOf(p);
    const own = stopPlansOf(this.conn).planFor(this.accountId, p.contractId);
    const plan = effectivePlan(own, this.defaults);
    if (!plansMoves(plan)) return null;
    const legs = stopLegs(book, p.contractId, t.long);
    const view: StopView = {
      contractId: p.contractId,
      orderIds: legs.map((o) => o.id),
      stopPrice: tightest(legs, t.long),
      entry: p.averagePrice,
      best: t.best,
      plan,
      source: own ? "entry" : "node",
      last: t.last,
    };
    if (t.best === null || legs.length === 0) return view;
    const guard = this.hooks.guardLevel(p.contractId);
    if (guard === undefined) {
      this.later(500);
      return view;
    }
    const spec = this.conn.contracts.cached(p.contractId) ?? (await this.conn.contracts.byContractId(p.contractId));
    const level = (o: Order) =>
      managedStopLevel({
        long: t.long,
        entry: p.averagePrice,
        tickSize: spec.tickSize,
        best: t.best!,
        mark,
        stop: o.stopPrice!,
        guard,
        plan,
      });
    const moves = legs.flatMap((o) => {
      const m = level(o);
      return m ? [{ o, m }] : [];
    });
    if (moves.length === 0) return view;
    const since = this.conn.clock.now() - t.lastModify;
    if (since < this.throttleMs) {
      this.later(this.throttleMs - since);
      return view;
    }
    t.lastModify = this.conn.clock.now();
    for (const { o, m } of moves) await this.move(o, m, t, own ? "entry" : "node");
    return { ...view, stopPrice: tightest(legs, t.long), last: t.last };
  }

  /** One Order/modify of a leg's stop price, journaled either way; a failure is tried again later. */
  private async move(o: Order, m: StopMove, t: Track, plan: StopAction["plan"]): Promise<void> {
    const base = {
      contractId: o.contractId,
      orderId: o.id,
      from: o.stopPrice ?? null,
      stopPrice: m.stopPrice,
      reason: m.reason,
      profitTicks: m.profitTicks,
      best: t.best!,
      plan,
    };
    try {
      await this.conn.api.modifyOrder({ accountId: this.accountId, orderId: o.id, stopPrice: m.stopPrice });
      o.stopPrice = m.stopPrice;
      t.last = m.reason;
      this.hooks.record({ action: "moved", ...base });
    } catch (e) {
      this.hooks.record({ action: "failed", ...base, error: (e as Error).message });
      this.later(this.throttleMs);
    }
  }
}

/**
 * The stop-loss legs of a position: working plain stops on its exit side that are native bracket
 * children or our managed legs; guards and the trader's own stops are not ours to move.
 */
function stopLegs(book: AccountBook, contractId: string, long: boolean): Order[] {
  const exitSide = long ? OrderSide.Ask : OrderSide.Bid;
  return [...book.orders.values()].filter(
    (o) =>
      o.contractId === contractId &&
      o.side === exitSide &&
      o.status === OrderStatus.Open &&
      o.type === OrderType.Stop &&
      o.stopPrice != null &&
      !isGuardTag(o.customTag) &&
      (o.parentOrderId != null || (isManagedLegTag(o.customTag) && o.customTag!.endsWith("-sl"))),
  );
}

function tightest(legs: readonly Order[], long: boolean): number | null {
  const prices = legs.map((o) => o.stopPrice!);
  if (prices.length === 0) return null;
  return long ? Math.max(...prices) : Math.min(...prices);
}
