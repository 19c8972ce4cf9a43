import { addTicks, isOnTick, snapToTick, tickDecimals } from "../core/money/tick-grid";
import { describe, type Listing, listingsFrom, PRODUCTS, parseContractId } from "./catalog";
import { PricePath } from "./price-path";
import { hashString, hashUnit } from "./random";
import { lastOpen, type OpenAt, SLOT_MS } from "./session-span";

/** How far back a closed instant looks for the session it follows: past any weekend and holiday. */
const LOOKBACK_MS = 10 * 86_400_000;

/**
 * A stretch of time over which the price is `path(frozenAt ?? t) + offset`. A manual price move
 * starts a new segment, so history and live quotes are the same function of time.
 */
interface Segment {
  from: number;
  offset: number;
  frozenAt: number | null;
}

/** Live and historical prices of one contract. */
export class ContractMarket {
  readonly id: string;
  readonly symbolId: string;
  readonly symbolName: string;
  readonly tickSize: number;
  readonly decimals: number;
  readonly key: number;
  private readonly path: PricePath;
  private readonly segments: Segment[];
  /** When this contract stops trading for good: from then on no quotes, fills or bars. */
  readonly tradingEndsAt: number;
  /** Whether the contract trades at `t`: its product's hours (when the venue keeps them) and its expiry. */
  readonly isOpen: OpenAt;
  private settled: { slot: number; at: number } | null = null;

  bid: number;
  ask: number;
  last: number;
  volume = 0;
  open: number;
  high: number;
  low: number;
  /** Reference for `change`: the price a day before the simulator started. */
  readonly previousClose: number;
  /** Aggressor of the last move: 0 buy (up), 1 sell (down). */
  lastAggressor = 0;
  updatedAt: number;
  /** Average contracts at the best bid or ask (src/sim/depth.ts). */
  depthTop = 15;
  /** Contracts fills took from book levels since the quote last moved, by side and price. */
  readonly taken = new Map<string, number>();

  constructor(
    readonly listing: Listing,
    seed: number,
    now: number,
    frozen: boolean,
    /** A product's trading hours, or null when the venue never closes. */
    readonly hours: ((symbol: string, t: number) => boolean) | null = null,
  ) {
    const p = listing.product;
    this.tradingEndsAt = listing.rollAt + p.tradesDaysAfterRoll * 86_400_000;
    // Openness is constant within a slot, and bars probe each slot many times: ask the calendar once.
    let memo = { slot: Number.NaN, open: false };
    this.isOpen = (t) => {
      if (t >= this.tradingEndsAt) return false;
      if (hours === null) return true;
      const slot = Math.floor(t / SLOT_MS);
      if (memo.slot !== slot) memo = { slot, open: hours(p.symbol, t) };
      return memo.open;
    };
    this.id = listing.id;
    this.symbolId = `F.US.${p.root}`;
    this.symbolName = `/${p.symbol}`;
    this.tickSize = p.tickSize;
    this.decimals = tickDecimals(p.tickSize);
    this.key = hashString(`${seed}:${p.symbol}`);
    this.path = new PricePath(p.basePrice, p.dailyRange, this.key);
    this.segments = [{ from: Number.NEGATIVE_INFINITY, offset: 0, frozenAt: null }];
    if (frozen) this.segments.push({ from: now, offset: 0, frozenAt: now });
    this.last = this.priceAt(now);
    this.bid = this.last;
    this.ask = addTicks(this.last, 1, this.tickSize, this.decimals);
    this.open = this.last;
    this.high = this.last;
    this.low = this.last;
    this.previousClose = this.priceAt(now - 86_400_000);
    this.updatedAt = now;
  }

  private segmentAt(t: number): Segment {
    const s = this.segments;
    let lo = 0;
    let hi = s.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (s[mid]!.from <= t) lo = mid;
      else hi = mid - 1;
    }
    return s[lo]!;
  }

  /**
   * The instant whose path price stands at `t`: `t` itself while the contract trades, else the last
   * instant of the session before, so the price holds still from a close to the next open (where
   * the path has moved on: the open gaps by the path's drift over the closed hours).
   */
  private sessionTime(t: number): number {
    if (this.isOpen(t)) return t;
    const to = Math.min(t, this.tradingEndsAt);
    const slot = Math.floor(to / SLOT_MS);
    if (this.settled?.slot !== slot) {
      this.settled = { slot, at: lastOpen(this.isOpen, to - LOOKBACK_MS, to) ?? t };
    }
    return Math.min(this.settled.at, t);
  }

  private pathAt(t: number): number {
    return this.path.at(this.sessionTime(t));
  }

  /** Last-trade price on the tick grid at epoch ms `t` (past or present). */
  priceAt(t: number): number {
    const seg = this.segmentAt(t);
    return snapToTick(this.pathAt(seg.frozenAt ?? t) + seg.offset, this.tickSize, this.decimals);
  }

  /** Start times of segments inside [a, b): bars sample there so manual moves show in history. */
  breaksWithin(a: number, b: number): number[] {
    const out: number[] = [];
    for (const s of this.segments) if (s.from > a && s.from < b) out.push(s.from);
    return out;
  }

  get frozen(): boolean {
    return this.segments[this.segments.length - 1]!.frozenAt !== null;
  }

  /** Switches between a moving and a frozen market at `t` without a price jump. */
  setFrozen(frozen: boolean, t: number): void {
    if (frozen === this.frozen) return;
    const p = this.priceAt(t);
    const frozenAt = frozen ? t : null;
    this.segments.push({ from: t, frozenAt, offset: p - this.pathAt(frozenAt ?? t) });
  }

  /** Moves the market so that the last trade is `price`, keeping the current mode. */
  moveTo(price: number, t: number, bid?: number, ask?: number): void {
    const frozenAt = this.frozen ? t : null;
    this.segments.push({ from: t, frozenAt, offset: price - this.pathAt(frozenAt ?? t) });
    this.apply(price, t, bid, ask);
  }

  /** Advances the live quote to time `t` along the path. */
  step(t: number): void {
    this.apply(this.priceAt(t), t);
  }

  private apply(price: number, t: number, bid?: number, ask?: number): void {
    if (price !== this.last) this.lastAggressor = price > this.last ? 0 : 1;
    this.last = price;
    const newBid = bid ?? price;
    const newAsk = ask ?? addTicks(price, 1, this.tickSize, this.decimals);
    // A new quote is a new book: the liquidity fills took comes back.
    if (newBid !== this.bid || newAsk !== this.ask) this.taken.clear();
    this.bid = newBid;
    this.ask = newAsk;
    if (price > this.high) this.high = price;
    if (price < this.low) this.low = price;
    this.volume += 1 + Math.floor(hashUnit(this.key, Math.floor(t)) * 8);
    this.updatedAt = t;
  }

  snap(price: number): number {
    return snapToTick(price, this.tickSize, this.decimals);
  }

  onTick(price: number): boolean {
    return isOnTick(price, this.tickSize);
  }

  addTicks(price: number, ticks: number): number {
    return addTicks(price, ticks, this.tickSize, this.decimals);
  }
}

export interface MarketListener {
  /** Called after every price change of a contract (ticker step or manual move). */
  onPrice(cm: ContractMarket, manual: boolean): void;
}

/**
 * The synthetic market: one ContractMarket per contract id touched, and a ticker that advances the
 * contracts someone watches (hub subscriptions, working orders) at `quoteRate` per second.
 */
export class Market {
  private readonly contracts = new Map<string, ContractMarket>();
  private readonly interest = new Map<string, number>();
  private readonly listeners: MarketListener[] = [];
  private timer: NodeJS.Timeout | null = null;
  private rate: number;
  private tickerStart = 0;
  /**
   * Products' trading hours at any instant, for history, a still price and no quotes while closed;
   * null: never closed.
   */
  hours: ((symbol: string, t: number) => boolean) | null = null;
  /** Average contracts at the best level of a product's book (src/sim/depth.ts). */
  depthTop: (symbol: string) => number = () => 15;
  private emitted = 0;
  private lastTickAt = 0;

  constructor(
    private readonly seed: number,
    quoteRate: number,
    private readonly now: () => number,
  ) {
    this.rate = quoteRate;
  }

  listen(l: MarketListener): void {
    this.listeners.push(l);
  }

  get quoteRate(): number {
    return this.rate;
  }

  /** The market of a contract id, or null when the id names no listed contract. */
  get(contractId: string): ContractMarket | null {
    let cm = this.contracts.get(contractId);
    if (cm) return this.current(cm);
    const l = parseContractId(contractId);
    if (!l) return null;
    cm = new ContractMarket(l, this.seed, this.now(), this.rate === 0, this.hours);
    cm.depthTop = this.depthTop(l.product.symbol);
    this.contracts.set(contractId, cm);
    return cm;
  }

  /**
   * The ticker steps only watched contracts. Any other one still follows the same path (bars show
   * it), so bring its quote up to now before anyone reads or trades on it: a market order on a
   * contract nobody watched for an hour must not fill at the price of an hour ago. Nobody listens
   * to such a contract (no subscribers, no working orders), so no listener is told. A quote whose
   * price has not moved is left alone, so a bid/ask set through /sim/price holds until it does.
   */
  private current(cm: ContractMarket): ContractMarket {
    const t = this.now();
    if (!cm.frozen && !this.interest.has(cm.id) && t > cm.updatedAt && cm.priceAt(t) !== cm.last) cm.step(t);
    return cm;
  }

  /** Front-month listings of every product, as of now. */
  frontMonths(): Listing[] {
    const now = this.now();
    return PRODUCTS.map((p) => listingsFrom(p, now, 1)[0]!);
  }

  describe(l: Listing) {
    return describe(l, this.now());
  }

  /** Keeps a contract ticking while someone depends on it; pair every retain with a release. */
  retain(contractId: string): void {
    this.interest.set(contractId, (this.interest.get(contractId) ?? 0) + 1);
  }

  release(contractId: string): void {
    const n = (this.interest.get(contractId) ?? 0) - 1;
    if (n <= 0) this.interest.delete(contractId);
    else this.interest.set(contractId, n);
  }

  /** Moves a contract to a price and lets listeners (matching, hubs) react. */
  setPrice(cm: ContractMarket, price: number, bid?: number, ask?: number): void {
    cm.moveTo(price, this.now(), bid, ask);
    for (const l of this.listeners) l.onPrice(cm, true);
  }

  /** Changes the quote rate at run time; 0 freezes every contract at its current price. */
  setQuoteRate(rate: number): void {
    const t = this.now();
    // Catch unwatched contracts up first, or they would freeze with a quote from their last look.
    for (const cm of this.contracts.values()) this.current(cm).setFrozen(rate === 0, t);
    this.rate = rate;
    this.stop();
    this.start();
  }

  start(): void {
    if (this.timer || this.rate <= 0) return;
    this.tickerStart = this.now();
    this.lastTickAt = this.tickerStart;
    this.emitted = 0;
    const interval = this.rate >= 100 ? 5 : Math.max(5, Math.floor(1000 / this.rate / 2));
    this.timer = setInterval(() => this.tick(), interval);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private tick(): void {
    const now = this.now();
    const target = Math.floor(((now - this.tickerStart) * this.rate) / 1000);
    // A stalled event loop must not turn into a burst of a whole second's backlog.
    const due = Math.min(target - this.emitted, Math.ceil(this.rate));
    if (due <= 0) return;
    this.emitted = target;
    const from = this.lastTickAt;
    this.lastTickAt = now;
    if (this.interest.size === 0) return;
    // Which contracts trade is decided once a tick (at most 1/rate s, or 5 ms), not for every quote.
    const trading: ContractMarket[] = [];
    for (const id of this.interest.keys()) {
      const cm = this.get(id);
      if (cm?.isOpen(now)) trading.push(cm);
    }
    for (let k = 1; k <= due; k++) {
      const t = from + ((now - from) * k) / due;
      for (const cm of trading) {
        cm.step(t);
        for (const l of this.listeners) l.onPrice(cm, false);
      }
    }
  }

  /** Contracts touched so far (for /sim/state). */
  *all(): IterableIterator<ContractMarket> {
    for (const cm of this.contracts.values()) yield this.current(cm);
  }

  reset(): void {
    this.contracts.clear();
  }
}
