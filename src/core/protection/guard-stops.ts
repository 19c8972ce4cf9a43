import type { AccountBook } from "../account/account-book";
import { pause } from "../clock";
import type { GatewayConnection } from "../connection";
import { typicalCostPerSide } from "../contracts/closing-costs";
import { isGuardTag, newGuardTag } from "../gateway/custom-tag";
import { GatewayRejectedError } from "../gateway/errors";
import { BudgetExhaustedError } from "../gateway/request-budget";
import { cancelConfirmed } from "../orders/confirmed-exits";
import { type Order, OrderSide, OrderStatus, OrderType, PositionType } from "../schemas";
import { ExitsInFlight } from "./exits-in-flight";
import { type GuardLevel, type GuardPosition, guardLevels } from "./guard-levels";
import { SerialPasses } from "./serial-passes";

/** How an account's guard stops behave; see {@link GuardStops}. */
export interface GuardStopsOptions {
  /** Off: no guard is placed, and guards found from an earlier run are cancelled. */
  enabled: boolean;
  /** Ticks each guard fill may slip past its stop price and still keep equity above the floor. */
  slippageTicks: number;
  /** A guard's price is moved at most once per this many ms (size changes are never held back). */
  repriceMs: number;
}

/** One thing the guard stops did at the gateway, for the journal and the node. */
export interface GuardAction {
  action: "placed" | "modified" | "cancelled" | "tightened" | "filled" | "failed";
  contractId: string;
  orderId?: number;
  customTag?: string;
  size?: number;
  stopPrice?: number;
  from?: { size: number; stopPrice: number | null };
  reason: string;
}

/** How one held contract is guarded now. */
export interface GuardView {
  contractId: string;
  /** The guard level the floor requires (the stop price of our guard, and the level others were tightened to). */
  level: number;
  /** Contracts of the position. */
  position: number;
  /** Our guard order's size and id (0 and null when other stops already cover the position). */
  quantity: number;
  orderId: number | null;
  /** Contracts covered by stops that are not ours (bracket legs, managed legs, the trader's). */
  coveredByOthers: number;
  /** The market is at or through the level: no stop is placed there (the rules flatten instead). */
  inside: boolean;
}

/** What a {@link GuardStops} asks of the guard that owns it. */
export interface GuardStopsHooks {
  /** The equity to keep (the tightest floor in force); null when no rule has one. */
  floor(): { equity: number } | null;
  /** The account's book is confirmed by the gateway since the last (re)connection. */
  ready(): boolean;
  record(a: GuardAction): void;
  /** A reconciliation changed the guards (`acted`: what it did, in order); views() holds the result. */
  changed(acted: GuardAction["action"][]): void;
  warn(message: string): void;
}

const PROTECTIVE = new Set<number>([OrderType.Stop, OrderType.TrailingStop, OrderType.StopLimit]);
/** How long an exit waits for the guard to make room before it goes anyway: exits are never held. */
const EXIT_WAIT_MS = 2_000;
/** A placement whose answer was lost is looked up by its tag after this long. */
const UNCERTAIN_MS = 10_000;

const remaining = (o: Order) => o.size - (o.fillVolume ?? 0);

/**
 * The guard stops of one account: for every open position a resting stop at the gateway, sized and
 * priced so that the account stays above its floor if they all fill while our process is gone (see
 * guardLevels). Stops already protecting a position (bracket legs, managed legs, the trader's own)
 * are counted, and tightened where looser, so the protective quantity never exceeds the position
 * (the gateway has no reduce-only flag: a second stop would reverse it). Guards are re-adopted after
 * a restart by their customTag prefix, resized with every fill, re-priced when the floor moves, and
 * cancelled when flat; they are left resting when the process stops: that is their purpose.
 */
export class GuardStops {
  private readonly passes = new SerialPasses(
    () => this.reconcile(),
    (e) => this.hooks.warn(`guard stops: ${e.message}`),
  );
  /** Guards placed by this process, until the book shows them or they end. */
  private readonly placed = new Map<number, { order: Order; at: number }>();
  private readonly ended = new Set<number>();
  private readonly lastReprice = new Map<string, number>();
  /** When we last tightened a stop that is not ours, by order id, and the position it then protected. */
  private readonly tightenedAt = new Map<number, { at: number; position: number }>();
  /** Contracts on their way out in exits being sent, per contract: the guard makes room first. */
  /** Exits at market on their way: the guard covers what they will leave. */
  private readonly exits = new ExitsInFlight(() => this.schedule());
  /** A placement whose answer was lost: no second one for that contract until it is found or not. */
  private readonly uncertain = new Map<string, { tag: string; at: number }>();
  private readonly warned = new Set<string>();
  private current: GuardView[] = [];
  /** What the running reconciliation did so far. */
  private acted: GuardAction["action"][] = [];
  private marketAnchored = false;

  constructor(
    private readonly conn: GatewayConnection,
    readonly accountId: number,
    readonly options: GuardStopsOptions,
    private readonly hooks: GuardStopsHooks,
  ) {}

  /** How each held contract is guarded, as of the last reconciliation. */
  views(): readonly GuardView[] {
    return this.current;
  }

  /** True when the levels follow the marks (see guardLevels): quotes then call for a reconciliation. */
  get followsQuotes(): boolean {
    return this.marketAnchored;
  }

  /**
   * An order event of the account: a guard that ended is forgotten, and any order may change the
   * cover (a trader's stop, a bracket leg coming or going), so the guards are reconciled.
   */
  onOrder(o: Order): void {
    if (
      isGuardTag(o.customTag) &&
      (o.status === OrderStatus.Filled || o.status === OrderStatus.Cancelled || o.status === OrderStatus.Rejected)
    ) {
      if (o.status === OrderStatus.Filled && !this.ended.has(o.id))
        this.hooks.record({
          action: "filled",
          contractId: o.contractId,
          orderId: o.id,
          customTag: o.customTag ?? undefined,
          size: o.fillVolume ?? o.size,
          stopPrice: o.stopPrice ?? undefined,
          reason: `the guard stop filled at ${o.filledPrice ?? "?"}`,
        });
      this.ended.add(o.id);
      if (this.ended.size > 1000) this.ended.delete(this.ended.values().next().value!);
      this.placed.delete(o.id);
    }
    this.schedule();
  }

  /** A guard's fill found by a re-sync (see missedGuardFills): recorded once, as a fill seen live is. */
  foundFilled(a: GuardAction): void {
    if (a.orderId === undefined || this.ended.has(a.orderId)) return;
    this.ended.add(a.orderId);
    this.placed.delete(a.orderId);
    this.hooks.record(a);
    this.schedule();
  }

  /** Reconciles soon (once for a burst of events), and again if something changes meanwhile. */
  schedule(): void {
    this.passes.schedule();
  }

  /** Resolves when no reconciliation is running or due. */
  idle(): Promise<void> {
    return this.passes.idle();
  }

  private later(ms: number): void {
    this.passes.later(ms);
  }

  /**
   * Makes room for an exit at market of `quantity` contracts: our guard shrinks first, so the exit
   * and the guard can never both fill and reverse the position. Waits at most two seconds (an exit
   * is never held back); call the returned function once the exit is sent (or failed).
   */
  async beforeExit(contractId: string, quantity: number): Promise<(sent?: boolean) => void> {
    const book = this.conn.book(this.accountId);
    const release = this.exits.announce(contractId, quantity, book?.positions.get(contractId)?.size ?? 0);
    const mine = this.ours(book, contractId);
    // Native bracket legs are trimmed by the reconciliation too (see trimNativeLegs).
    const legs = [...(book?.orders.values() ?? [])].some(
      (o) => o.contractId === contractId && o.parentOrderId != null && o.status === OrderStatus.Open,
    );
    if (!this.passes.busy && !mine.length && !legs) return release;
    if (this.hooks.ready()) {
      this.schedule();
      await Promise.race([this.idle(), pause(this.conn.clock, EXIT_WAIT_MS)]);
    } else await Promise.race([this.shrinkBy(mine, Math.abs(quantity)), pause(this.conn.clock, EXIT_WAIT_MS)]);
    return release;
  }

  /** A position event of the account: exits waiting for their fill to show give their room back. */
  onPosition(contractId: string): void {
    this.exits.onPosition(contractId);
    this.schedule();
  }

  /**
   * Room for an exit while the account is not live (hubs down, not yet re-synced): the
   * reconciliation waits for the re-sync, so our guards shrink by the exit's size as last known.
   * The re-sync then fits them to the position as it really is.
   */
  private async shrinkBy(guards: Order[], quantity: number): Promise<void> {
    let q = quantity;
    for (const o of guards) {
      if (q <= 0) break;
      const left = remaining(o) - q;
      q -= remaining(o);
      if (left <= 0) await this.cancel(o, "an exit is on its way while the account is not live");
      else
        await this.modify(
          o,
          { size: (o.fillVolume ?? 0) + left },
          "an exit is on its way while the account is not live",
        );
    }
  }

  /** Stops following the account. The guards stay at the gateway: they protect it while we are gone. */
  async stop(): Promise<void> {
    this.exits.stop();
    await this.passes.stop();
  }

  private async reconcile(): Promise<void> {
    const book = this.conn.book(this.accountId);
    if (!book || !this.hooks.ready()) return;
    const floor = this.options.enabled ? this.hooks.floor() : null;
    const positions = floor ? await this.positionsOf(book) : [];
    const levels = floor
      ? guardLevels({
          balance: book.balance,
          floor: floor.equity,
          positions,
          slippageTicks: this.options.slippageTicks,
        })
      : [];
    this.marketAnchored = levels.some((l) => l.anchor === "market");
    const contracts = new Set<string>(book.positions.keys());
    for (const o of this.ours(book)) contracts.add(o.contractId);
    const views: GuardView[] = [];
    for (const c of contracts) {
      const tick = positions.find((p) => p.contractId === c)?.tickSize ?? 0;
      const view = await this.reconcileContract(c, levels.find((l) => l.contractId === c) ?? null, tick);
      if (view) views.push(view);
    }
    const acted = this.acted.splice(0);
    const changed = JSON.stringify(views) !== JSON.stringify(this.current);
    this.current = views;
    if (acted.length > 0 || changed) this.hooks.changed(acted);
  }

  private record(a: GuardAction): void {
    this.acted.push(a.action);
    this.hooks.record(a);
  }

  /** The open positions with what the levels need: contract specs, marks and closing costs. */
  private async positionsOf(book: AccountBook): Promise<GuardPosition[]> {
    const out: GuardPosition[] = [];
    for (const p of book.positions.values()) {
      const spec = this.conn.contracts.cached(p.contractId) ?? (await this.conn.contracts.byContractId(p.contractId));
      const q = this.conn.market.quote(p.contractId);
      const long = p.type !== PositionType.Short;
      out.push({
        contractId: p.contractId,
        size: long ? p.size : -p.size,
        averagePrice: p.averagePrice,
        tickSize: spec.tickSize,
        tickValue: spec.tickValue,
        costPerSide: book.costPerSide.get(p.contractId) ?? typicalCostPerSide(p.contractId),
        mark: (long ? q?.bestBid : q?.bestAsk) ?? null,
      });
    }
    return out;
  }

  /** Our guards working on the account (or one contract): in the book, or placed and not yet in it. */
  private ours(book: AccountBook | undefined, contractId?: string): Order[] {
    const out = new Map<number, Order>();
    for (const o of book?.orders.values() ?? []) if (isGuardTag(o.customTag) && !this.ended.has(o.id)) out.set(o.id, o);
    for (const [id, p] of this.placed) {
      // A snapshot read after the placement that does not hold it: the guard is gone.
      if (book && book.syncedAt > p.at && !book.orders.has(id)) this.placed.delete(id);
      else if (!out.has(id) && !this.ended.has(id)) out.set(id, p.order);
    }
    return [...out.values()]
      .filter((o) => contractId === undefined || o.contractId === contractId)
      .sort((a, b) => a.id - b.id);
  }

  private async reconcileContract(
    contractId: string,
    level: GuardLevel | null,
    tick: number,
  ): Promise<GuardView | null> {
    const book = this.conn.book(this.accountId)!;
    const pos = book.positions.get(contractId);
    const held = pos ? this.exits.held(contractId, pos.size) : 0;
    const mine = this.ours(book, contractId);
    const long = pos?.type !== PositionType.Short;
    // A guard left on the exit side of a position that flipped would add to the new one: it goes.
    const exitSide = long ? OrderSide.Ask : OrderSide.Bid;
    const flipped = pos ? mine.filter((o) => o.side !== exitSide) : [];
    for (const o of flipped) await this.cancel(o, "the position changed side");
    const [keep, ...extra] = mine.filter((o) => !flipped.includes(o));
    for (const o of extra) await this.cancel(o, "a second guard on the same contract");
    if (pos && this.options.enabled) await this.trimNativeLegs(book, contractId, long, held);
    if (!pos || held === 0 || !level) {
      if (keep)
        await this.cancel(
          keep,
          !pos ? "the position is flat" : !level ? "guard stops are off or no floor applies" : "an exit is on its way",
        );
      return null;
    }
    // A placement whose answer was lost may still surface: nothing else is done to this contract until it is settled.
    if (!(await this.settleUncertain(contractId, book))) return null;
    const others = this.othersOf(book, contractId, long);
    if (!level.inside) for (const o of others) await this.tightenIfLooser(o, level, pos.size);
    // A bracket's stop-loss our core is placing right after its entry's fill counts already: a guard
    // placed meanwhile would be a second stop on the same contracts.
    const coming = this.conn.brackets(this.accountId).stopsComing(contractId);
    if (coming > 0) this.later(1_000);
    const covered = others.reduce((n, o) => n + remaining(o), 0) + coming;
    if (covered > pos.size)
      this.warnOnce(
        `${contractId}:over`,
        `${contractId}: stops that are not ours cover ${covered} contracts of a ${pos.size}-lot position: if they all fill, the position reverses`,
      );
    const want = Math.max(0, held - covered);
    const view: GuardView = {
      contractId,
      level: level.stopPrice,
      position: pos.size,
      quantity: 0,
      orderId: null,
      coveredByOthers: covered,
      inside: level.inside,
    };
    if (want === 0) {
      if (keep) await this.cancel(keep, "the position is covered by its own stops");
      return view;
    }
    if (!keep) {
      if (!level.inside) view.orderId = await this.place(contractId, long, want, level.stopPrice);
      view.quantity = view.orderId === null ? 0 : want;
      return view;
    }
    await this.adjust(keep, want, level, tick);
    return { ...view, quantity: want, orderId: keep.id };
  }

  /** Moves our guard to `want` contracts and to the level (its price at most once per repriceMs). */
  private async adjust(keep: Order, want: number, level: GuardLevel, tick: number): Promise<void> {
    const filled = keep.fillVolume ?? 0;
    const size = remaining(keep) !== want ? filled + want : undefined;
    let stopPrice: number | undefined;
    const moved = keep.stopPrice == null || Math.abs(keep.stopPrice - level.stopPrice) >= tick - 1e-9;
    if (moved && !level.inside) {
      const since = this.conn.clock.now() - (this.lastReprice.get(keep.contractId) ?? Number.NEGATIVE_INFINITY);
      if (size !== undefined || since >= this.options.repriceMs) stopPrice = level.stopPrice;
      else this.later(this.options.repriceMs - since);
    }
    if (size === undefined && stopPrice === undefined) return;
    if (stopPrice !== undefined) this.lastReprice.set(keep.contractId, this.conn.clock.now());
    const reason =
      size !== undefined && stopPrice !== undefined
        ? "the position and the floor moved"
        : size !== undefined
          ? "the position changed"
          : "the floor or the headroom moved";
    await this.modify(keep, { size, stopPrice }, reason);
  }

  /**
   * Native bracket legs (children of an entry: parentOrderId set) never close more than is held (less
   * an exit on its way): the gateway leaves them at their entry's size when the position shrinks,
   * and then a leg, or a leg and an exit, would reverse it. Stop-losses and take-profits are trimmed
   * alike, newest first. A trader's own orders are left alone: one larger than the position may be
   * meant to reverse it.
   */
  private async trimNativeLegs(book: AccountBook, contractId: string, long: boolean, held: number): Promise<void> {
    const legs = exitOrders(book, contractId, long)
      .filter((o) => o.parentOrderId != null)
      .sort((a, b) => b.id - a.id);
    for (const kind of [legs.filter((o) => PROTECTIVE.has(o.type)), legs.filter((o) => !PROTECTIVE.has(o.type))]) {
      let excess = kind.reduce((n, o) => n + remaining(o), 0) - held;
      for (const o of kind) {
        if (excess <= 0) break;
        const cut = Math.min(excess, remaining(o));
        excess -= cut;
        const reason = "a bracket leg larger than the position it closes is trimmed to it";
        if (cut === remaining(o)) {
          await this.cancel(o, reason);
          if (this.ended.has(o.id)) o.status = OrderStatus.Cancelled;
        } else await this.modify(o, { size: (o.fillVolume ?? 0) + remaining(o) - cut }, reason);
      }
    }
  }

  /** Working stops on the exit side that are not ours: bracket legs, managed legs, the trader's own. */
  private othersOf(book: AccountBook, contractId: string, long: boolean): Order[] {
    return exitOrders(book, contractId, long).filter((o) => PROTECTIVE.has(o.type));
  }

  /**
   * A plain stop looser than the guard level is moved up to it (never loosened): at once the first
   * time and when the position changed, else (the floor moved) at most once per repriceMs, as ours.
   * A trailing stop or a stop-limit is the trader's own design: counted (a second stop could reverse
   * the position), not moved, and said once.
   */
  private async tightenIfLooser(o: Order, level: GuardLevel, position: number): Promise<void> {
    if (o.stopPrice == null) return;
    const looser = level.long ? o.stopPrice < level.stopPrice : o.stopPrice > level.stopPrice;
    if (!looser) return;
    if (o.type !== OrderType.Stop) {
      this.warnOnce(
        `${o.id}:looser`,
        `${o.contractId}: stop ${o.id} (${o.stopPrice}) is looser than the guard level ${level.stopPrice} and is not a plain stop: it is counted as protection but not tightened`,
      );
      return;
    }
    const last = this.tightenedAt.get(o.id);
    const since = last?.position === position ? this.conn.clock.now() - last.at : Number.POSITIVE_INFINITY;
    if (since < this.options.repriceMs) {
      this.later(this.options.repriceMs - since);
      return;
    }
    this.tightenedAt.set(o.id, { at: this.conn.clock.now(), position });
    if (this.tightenedAt.size > 1000) this.tightenedAt.delete(this.tightenedAt.keys().next().value!);
    const from = { size: remaining(o), stopPrice: o.stopPrice };
    try {
      await this.conn.api
        .exitLane()
        .modifyOrder({ accountId: this.accountId, orderId: o.id, stopPrice: level.stopPrice });
      o.stopPrice = level.stopPrice;
      this.record(
        actionOn(
          "tightened",
          o,
          "a stop looser than the guard level is tightened instead of adding a second stop",
          from,
        ),
      );
    } catch (e) {
      this.failed(o.contractId, `stop ${o.id} not tightened to ${level.stopPrice}`, e, o.id);
    }
  }

  private async place(contractId: string, long: boolean, size: number, stopPrice: number): Promise<number | null> {
    const customTag = newGuardTag();
    const side = long ? OrderSide.Ask : OrderSide.Bid;
    const at = this.conn.clock.now();
    try {
      const r = await this.conn.api
        .exitLane()
        .placeOrder({ accountId: this.accountId, contractId, type: OrderType.Stop, side, size, stopPrice, customTag });
      const order: Order = {
        id: r.orderId,
        accountId: this.accountId,
        contractId,
        creationTimestamp: new Date(at).toISOString(),
        updateTimestamp: null,
        status: OrderStatus.Open,
        type: OrderType.Stop,
        side,
        size,
        limitPrice: null,
        stopPrice,
        fillVolume: 0,
        filledPrice: null,
        customTag,
      };
      if (!this.ended.has(r.orderId)) this.placed.set(r.orderId, { order, at });
      this.record({
        action: "placed",
        contractId,
        orderId: r.orderId,
        customTag,
        size,
        stopPrice,
        reason: "an open position without enough protection",
      });
      return r.orderId;
    } catch (e) {
      // A lost answer may still have placed it: no second guard until the tag is found or not.
      if (!(e instanceof GatewayRejectedError) && !(e instanceof BudgetExhaustedError))
        this.uncertain.set(contractId, { tag: customTag, at });
      this.failed(contractId, `guard not placed at ${stopPrice}`, e);
      return null;
    }
  }

  /** True when no placement of this contract is in doubt (any found is adopted through the book). */
  private async settleUncertain(contractId: string, book: AccountBook): Promise<boolean> {
    const u = this.uncertain.get(contractId);
    if (!u) return true;
    if ([...book.orders.values()].some((o) => o.customTag === u.tag)) {
      this.uncertain.delete(contractId);
      return true;
    }
    if (this.conn.clock.now() - u.at < UNCERTAIN_MS) {
      this.later(UNCERTAIN_MS);
      return false;
    }
    const found = await this.conn.api.exitLane().findByTag(this.accountId, u.tag, u.at);
    this.uncertain.delete(contractId);
    if (found && found.status === OrderStatus.Open)
      this.placed.set(found.id, { order: found, at: this.conn.clock.now() });
    return true;
  }

  private async modify(o: Order, change: { size?: number; stopPrice?: number }, reason: string): Promise<void> {
    const from = { size: remaining(o), stopPrice: o.stopPrice ?? null };
    try {
      // A size change keeps the guard within the position: it travels in the exit lane. A price move
      // alone follows the floor, already at most once per repriceMs: it queues with ordinary requests,
      // so it never uses the reserve that exits and flattens count on.
      const api = change.size !== undefined ? this.conn.api.exitLane() : this.conn.api;
      await api.modifyOrder({ accountId: this.accountId, orderId: o.id, ...change });
      if (change.size !== undefined) o.size = change.size;
      if (change.stopPrice !== undefined) o.stopPrice = change.stopPrice;
      this.record(actionOn("modified", o, reason, from));
    } catch (e) {
      this.failed(o.contractId, `guard ${o.id} not modified`, e, o.id);
    }
  }

  private async cancel(o: Order, reason: string): Promise<void> {
    try {
      await cancelConfirmed(this.conn.api, this.conn.clock, this.accountId, o.id);
      this.ended.add(o.id);
      this.placed.delete(o.id);
      this.record(actionOn("cancelled", o, reason));
    } catch (e) {
      this.failed(o.contractId, `guard ${o.id} not cancelled`, e, o.id);
    }
  }

  /** A request that failed: journaled, said once per order, and tried again by the next reconciliation. */
  private failed(contractId: string, what: string, e: unknown, orderId?: number): void {
    const message = `${what}: ${(e as Error).message}`;
    this.record({ action: "failed", contractId, orderId, reason: message });
    this.warnOnce(`${contractId}:${what}`, message);
    this.later(1_000);
  }

  private warnOnce(key: string, message: string): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    if (this.warned.size > 200) this.warned.delete(this.warned.values().next().value!);
    this.hooks.warn(message);
  }
}

/** The journal row of what was done to an order, as it stands after it. */
function actionOn(action: GuardAction["action"], o: Order, reason: string, from?: GuardAction["from"]): GuardAction {
  return {
    action,
    contractId: o.contractId,
    orderId: o.id,
    customTag: o.customTag ?? undefined,
    size: remaining(o),
    stopPrice: o.stopPrice ?? undefined,
    ...(from ? { from } : {}),
    reason,
  };
}

/** Working (Open) orders of a contract on the side that closes a long (`long`) or a short, not ours. */
function exitOrders(book: AccountBook, contractId: string, long: boolean): Order[] {
  const exitSide = long ? OrderSide.Ask : OrderSide.Bid;
  return [...book.orders.values()].filter(
    (o) =>
      o.contractId === contractId && o.side === exitSide && o.status === OrderStatus.Open && !isGuardTag(o.customTag),
  );
}
