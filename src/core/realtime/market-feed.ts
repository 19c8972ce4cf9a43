import type { Clock } from "../clock";
import { DepthEntry, HubEventName, MarketTrade, parseTimestamp, Quote } from "../schemas";
import type { HubClient } from "./hub-client";

/**
 * The merged state of one contract's quote. Quotes arrive sparse (only changed fields), so this
 * object is updated in place; listeners receive it read-only and must copy what they keep.
 */
export interface QuoteState {
  contractId: string;
  symbol: string | null;
  lastPrice: number | null;
  bestBid: number | null;
  bestAsk: number | null;
  volume: number | null;
  /** Exchange timestamp of the last update (epoch ms). */
  timestamp: number;
  /** When the last update reached us (epoch ms). */
  receivedAt: number;
  /** Updates merged since the last delivery (more than 1 means coalesced). */
  merged: number;
  /** bestBid >= bestAsk: the book is crossed and the quote should not be trusted. */
  crossed: boolean;
}

/**
 * A problem with a watched contract's quotes, reported once when it starts: "stale" (no quote for
 * `staleAfterMs` while the market is open, only for contracts someone listens to), "crossed" (best
 * bid at or above best ask: do not trust the quote), and "recovered" when a stale contract quotes again.
 */
export type FeedIssue =
  | { kind: "stale"; contractId: string; silentMs: number }
  | { kind: "crossed"; contractId: string; bestBid: number; bestAsk: number }
  | { kind: "recovered"; contractId: string };

/** How a {@link MarketFeed} delivers quotes and detects stale or crossed ones. */
export interface MarketFeedOptions {
  /** The time stale detection measures silence with. */
  clock: Clock;
  /** Deliver at most one quote per contract per event-loop turn (default true). */
  coalesce?: boolean;
  /** A watched contract with no quote for this long while the market is open is stale (0: off). */
  staleAfterMs?: number;
  /** Whether the market is open at an epoch-ms time; a closed market is never stale (default: always open). */
  isMarketOpen?(ms: number): boolean;
  /** Told of each {@link FeedIssue}; must not throw. */
  onIssue?(issue: FeedIssue): void;
}

type QuoteListener = (q: QuoteState) => void;
type TradeListener = (contractId: string, trades: MarketTrade[]) => void;
type DepthListener = (contractId: string, entries: DepthEntry[]) => void;

const FEEDS = {
  quotes: ["SubscribeContractQuotes", "UnsubscribeContractQuotes"],
  trades: ["SubscribeContractTrades", "UnsubscribeContractTrades"],
  depth: ["SubscribeContractMarketDepth", "UnsubscribeContractMarketDepth"],
} as const;

/**
 * Market data from the market hub, shared by every listener: one hub subscription per contract and
 * feed however many listeners there are, sparse quotes merged per contract, and quote bursts
 * coalesced (latest wins) so that a flood cannot starve fills and account events. Trades and depth
 * are never coalesced.
 */
export class MarketFeed {
  private readonly quotes = new Map<string, QuoteState>();
  private readonly quoteListeners = new Map<string, Set<QuoteListener>>();
  private readonly tradeListeners = new Map<string, Set<TradeListener>>();
  private readonly depthListeners = new Map<string, Set<DepthListener>>();
  private readonly dirty = new Set<QuoteState>();
  private readonly stale = new Set<string>();
  private flushScheduled = false;
  private readonly timer: NodeJS.Timeout | null = null;
  readonly stats = { quotesIn: 0, quotesOut: 0, malformed: 0 };

  constructor(
    private readonly hub: HubClient,
    private readonly opts: MarketFeedOptions,
  ) {
    hub.on(HubEventName.Quote, (contractId: unknown, data: unknown) => this.onQuote(contractId, data));
    hub.on(HubEventName.MarketTrade, (contractId: unknown, data: unknown) => this.onTrades(contractId, data));
    hub.on(HubEventName.Depth, (contractId: unknown, data: unknown) => this.onDepth(contractId, data));
    if (opts.staleAfterMs && opts.staleAfterMs > 0) {
      this.timer = setInterval(() => this.checkStale(), Math.min(1000, opts.staleAfterMs));
      this.timer.unref();
    }
  }

  /** The latest merged quote of a contract, if any arrived. */
  quote(contractId: string): QuoteState | undefined {
    return this.quotes.get(contractId);
  }

  /** Whether the market is open at an epoch-ms time, as stale detection judges it (a closed market is never stale). */
  isMarketOpen(ms: number): boolean {
    return this.opts.isMarketOpen?.(ms) ?? true;
  }

  /** Listens to a contract's quotes; returns the function that stops listening. */
  watchQuotes(contractId: string, listener: QuoteListener): Promise<() => Promise<void>> {
    return this.watch("quotes", this.quoteListeners, contractId, listener);
  }

  watchTrades(contractId: string, listener: TradeListener): Promise<() => Promise<void>> {
    return this.watch("trades", this.tradeListeners, contractId, listener);
  }

  watchDepth(contractId: string, listener: DepthListener): Promise<() => Promise<void>> {
    return this.watch("depth", this.depthListeners, contractId, listener);
  }

  private async watch<L>(
    feed: keyof typeof FEEDS,
    map: Map<string, Set<L>>,
    contractId: string,
    listener: L,
  ): Promise<() => Promise<void>> {
    let set = map.get(contractId);
    const first = !set || set.size === 0;
    if (!set) {
      set = new Set();
      map.set(contractId, set);
    }
    set.add(listener);
    if (first) {
      try {
        await this.hub.subscribe(FEEDS[feed][0], contractId);
      } catch (e) {
        set.delete(listener);
        throw e;
      }
    }
    return async () => {
      if (!set!.delete(listener) || set!.size > 0) return;
      await this.hub.unsubscribe(FEEDS[feed][0], FEEDS[feed][1], contractId);
    };
  }

  private onQuote(contractId: unknown, data: unknown): void {
    const parsed = typeof contractId === "string" ? Quote.safeParse(data) : null;
    if (!parsed?.success) {
      this.stats.malformed++;
      return;
    }
    this.stats.quotesIn++;
    const id = contractId as string;
    const q = parsed.data;
    let s = this.quotes.get(id);
    if (!s) {
      s = {
        contractId: id,
        symbol: null,
        lastPrice: null,
        bestBid: null,
        bestAsk: null,
        volume: null,
        timestamp: 0,
        receivedAt: 0,
        merged: 0,
        crossed: false,
      };
      this.quotes.set(id, s);
    }
    if (q.symbol !== undefined) s.symbol = q.symbol;
    if (q.lastPrice !== undefined) s.lastPrice = q.lastPrice;
    if (q.bestBid !== undefined) s.bestBid = q.bestBid;
    if (q.bestAsk !== undefined) s.bestAsk = q.bestAsk;
    if (q.volume !== undefined) s.volume = q.volume;
    const ts = q.timestamp ?? q.lastUpdated;
    const now = this.opts.clock.now();
    s.timestamp = ts ? parseTimestamp(ts) || now : now;
    s.receivedAt = now;
    s.merged++;
    const crossed = s.bestBid !== null && s.bestAsk !== null && s.bestBid >= s.bestAsk;
    if (crossed && !s.crossed)
      this.opts.onIssue?.({ kind: "crossed", contractId: id, bestBid: s.bestBid!, bestAsk: s.bestAsk! });
    s.crossed = crossed;
    if (this.stale.delete(id)) this.opts.onIssue?.({ kind: "recovered", contractId: id });
    if (this.opts.coalesce === false) {
      this.deliver(s);
      return;
    }
    this.dirty.add(s);
    if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flush());
    }
  }

  private flush(): void {
    this.flushScheduled = false;
    for (const s of this.dirty) this.deliver(s);
    this.dirty.clear();
  }

  private deliver(s: QuoteState): void {
    const listeners = this.quoteListeners.get(s.contractId);
    if (listeners) {
      for (const l of listeners) {
        this.stats.quotesOut++;
        l(s);
      }
    }
    s.merged = 0;
  }

  private onTrades(contractId: unknown, data: unknown): void {
    if (typeof contractId !== "string") return;
    // Parsing waits until someone listens: an unwatched contract's events cost nothing.
    const listeners = this.tradeListeners.get(contractId);
    if (!listeners || listeners.size === 0) return;
    const items = (Array.isArray(data) ? data : [data]).filter((x) => x != null).map((x) => MarketTrade.safeParse(x));
    const trades = items.filter((r) => r.success).map((r) => r.data!);
    if (trades.length > 0) for (const l of listeners) l(contractId, trades);
  }

  private onDepth(contractId: unknown, data: unknown): void {
    if (typeof contractId !== "string") return;
    const listeners = this.depthListeners.get(contractId);
    if (!listeners || listeners.size === 0) return;
    const entries = (Array.isArray(data) ? data : [data])
      .filter((x) => x != null)
      .map((x) => DepthEntry.safeParse(x))
      .filter((r) => r.success)
      .map((r) => r.data!);
    if (entries.length > 0) for (const l of listeners) l(contractId, entries);
  }

  private checkStale(): void {
    const limit = this.opts.staleAfterMs!;
    const now = this.opts.clock.now();
    if (this.opts.isMarketOpen && !this.opts.isMarketOpen(now)) return;
    for (const [contractId, listeners] of this.quoteListeners) {
      if (listeners.size === 0 || this.stale.has(contractId)) continue;
      const last = this.quotes.get(contractId)?.receivedAt ?? 0;
      if (last > 0 && now - last > limit) {
        this.stale.add(contractId);
        this.opts.onIssue?.({ kind: "stale", contractId, silentMs: now - last });
      }
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
