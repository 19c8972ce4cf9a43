import { type DepthEntry, DomType, formatTimestamp, HubEventName, OrderSide, type Quote } from "../core/schemas";
import { levelVolume } from "./depth";
import { entry } from "./map-entry";
import type { ContractMarket, Market } from "./market";
import { hashUnit } from "./random";
import { type HubConnection, invocation } from "./signalr/hub-connection";
import { HubError, type HubMethod, HubServer } from "./signalr/hub-server";

type Feed = "quotes" | "trades" | "depth";

interface MarketSubs {
  quotes: Set<string>;
  trades: Set<string>;
  depth: Set<string>;
}

type Conn = HubConnection<MarketSubs>;

/** What was last published for a contract, so later quotes can carry only what changed. */
interface Published {
  last: number;
  bid: number;
  ask: number;
  high: number;
  low: number;
}

/**
 * /hubs/market: GatewayQuote, GatewayTrade and GatewayDepth as `(contractId, data)`, for the
 * contracts each connection subscribed to. Each event is serialised once, whatever the audience.
 */
export class MarketHub {
  readonly server: HubServer<MarketSubs>;
  private readonly subs: Record<Feed, Map<string, Set<Conn>>> = {
    quotes: new Map(),
    trades: new Map(),
    depth: new Map(),
  };
  private readonly published = new Map<string, Published>();
  quotesSent = 0;
  /** Fault: refuse this many more subscriptions. */
  refuseSubscriptions = 0;

  constructor(
    private readonly market: Market,
    private readonly sparseQuotes: boolean,
    private readonly depthLevels: number,
    authenticate: (token: string | null) => string | null,
    options: { pingIntervalMs: number; clientTimeoutMs: number },
  ) {
    const feed =
      (f: Feed, on: boolean): HubMethod<MarketSubs> =>
      (conn, args) => {
        const contractId = args[0];
        if (typeof contractId !== "string") throw new Error("contractId must be a string");
        const cm = this.market.get(contractId);
        if (!cm) throw new HubError("Contract not found.");
        if (on && this.refuseSubscriptions > 0) {
          this.refuseSubscriptions--;
          throw new HubError("Subscription refused.");
        }
        if (on) this.subscribe(conn, f, cm);
        else this.unsubscribe(conn, f, contractId);
      };
    this.server = new HubServer<MarketSubs>({
      name: "market",
      authenticate,
      newState: () => ({ quotes: new Set(), trades: new Set(), depth: new Set() }),
      methods: {
        SubscribeContractQuotes: feed("quotes", true),
        UnsubscribeContractQuotes: feed("quotes", false),
        SubscribeContractTrades: feed("trades", true),
        UnsubscribeContractTrades: feed("trades", false),
        SubscribeContractMarketDepth: feed("depth", true),
        UnsubscribeContractMarketDepth: feed("depth", false),
      },
      onDisconnect: (conn) => {
        for (const f of ["quotes", "trades", "depth"] as const)
          for (const id of [...conn.state[f]]) this.unsubscribe(conn, f, id);
      },
      ...options,
    });
  }

  private subscribe(conn: Conn, f: Feed, cm: ContractMarket): void {
    if (conn.state[f].has(cm.id)) return;
    entry(this.subs[f], cm.id, () => new Set()).add(conn);
    conn.state[f].add(cm.id);
    this.market.retain(cm.id);
    // A new subscriber starts from a full picture; deltas follow.
    if (f === "quotes") {
      conn.invoke(HubEventName.Quote, [cm.id, this.fullQuote(cm)]);
      // The subscriber now holds the full current state. Without this, a contract that had not
      // moved since it was created would send a second full quote instead of the first delta.
      if (!this.published.has(cm.id))
        this.published.set(cm.id, { last: cm.last, bid: cm.bid, ask: cm.ask, high: cm.high, low: cm.low });
    }
    if (f === "depth") conn.invoke(HubEventName.Depth, [cm.id, this.depth(cm)]);
  }

  private unsubscribe(conn: Conn, f: Feed, contractId: string): void {
    if (!conn.state[f].delete(contractId)) return;
    this.subs[f].get(contractId)?.delete(conn);
    this.market.release(contractId);
  }

  private fullQuote(cm: ContractMarket, ts = formatTimestamp(cm.updatedAt)): Quote {
    const change = cm.last - cm.previousClose;
    return {
      symbol: cm.symbolId,
      symbolName: cm.symbolName,
      lastPrice: cm.last,
      bestBid: cm.bid,
      bestAsk: cm.ask,
      change: Number(change.toFixed(cm.decimals)),
      changePercent: Number(((change / cm.previousClose) * 100).toFixed(4)),
      open: cm.open,
      high: cm.high,
      low: cm.low,
      volume: cm.volume,
      lastUpdated: ts,
      timestamp: ts,
    };
  }

  private deltaQuote(cm: ContractMarket, prev: Published, ts: string): Quote {
    const q: Quote = { symbol: cm.symbolId, volume: cm.volume, lastUpdated: ts, timestamp: ts };
    if (cm.last !== prev.last) {
      const change = cm.last - cm.previousClose;
      q.lastPrice = cm.last;
      q.change = Number(change.toFixed(cm.decimals));
      q.changePercent = Number(((change / cm.previousClose) * 100).toFixed(4));
    }
    if (cm.bid !== prev.bid) q.bestBid = cm.bid;
    if (cm.ask !== prev.ask) q.bestAsk = cm.ask;
    if (cm.high !== prev.high) q.high = cm.high;
    if (cm.low !== prev.low) q.low = cm.low;
    return q;
  }

  private depth(cm: ContractMarket, ts = formatTimestamp(cm.updatedAt)): Array<DepthEntry> {
    const out: DepthEntry[] = [{ timestamp: ts, type: DomType.Reset, price: 0, volume: 0, currentVolume: 0 }];
    for (let i = 0; i < this.depthLevels; i++) {
      const { price: bid, volume: bv } = levelVolume(cm, false, i);
      const { price: ask, volume: av } = levelVolume(cm, true, i);
      out.push({
        timestamp: ts,
        type: i === 0 ? DomType.BestBid : DomType.Bid,
        price: bid,
        volume: bv,
        currentVolume: bv,
      });
      out.push({
        timestamp: ts,
        type: i === 0 ? DomType.BestAsk : DomType.Ask,
        price: ask,
        volume: av,
        currentVolume: av,
      });
    }
    return out;
  }

  private broadcast(set: Set<Conn>, target: string, contractId: string, data: unknown): void {
    const record = invocation(target, [contractId, data]);
    for (const c of set) c.queue(record);
  }

  /** Publishes a contract's new state to its quote, trade and depth subscribers. */
  onPrice(cm: ContractMarket): void {
    const prev = this.published.get(cm.id);
    const quoteSubs = this.subs.quotes.get(cm.id);
    const tradeSubs = this.subs.trades.get(cm.id);
    const depthSubs = this.subs.depth.get(cm.id);
    const quoting = quoteSubs !== undefined && quoteSubs.size > 0;
    const trading = tradeSubs !== undefined && tradeSubs.size > 0;
    const booking =
      depthSubs !== undefined && depthSubs.size > 0 && (!prev || prev.bid !== cm.bid || prev.ask !== cm.ask);
    // One timestamp for every feed this quote goes out on.
    const ts = quoting || trading || booking ? formatTimestamp(cm.updatedAt) : "";
    if (quoting) {
      const q = this.sparseQuotes && prev ? this.deltaQuote(cm, prev, ts) : this.fullQuote(cm, ts);
      this.broadcast(quoteSubs, HubEventName.Quote, cm.id, q);
      this.quotesSent += quoteSubs.size;
    }
    if (trading) {
      this.broadcast(tradeSubs, HubEventName.MarketTrade, cm.id, [
        {
          symbolId: cm.symbolId,
          price: cm.last,
          timestamp: ts,
          type: cm.lastAggressor,
          volume: 1 + Math.floor(hashUnit(cm.key, cm.volume) * 5),
        },
      ]);
    }
    if (booking) this.broadcast(depthSubs, HubEventName.Depth, cm.id, this.depth(cm, ts));
    if (prev) {
      prev.last = cm.last;
      prev.bid = cm.bid;
      prev.ask = cm.ask;
      prev.high = cm.high;
      prev.low = cm.low;
    } else {
      this.published.set(cm.id, { last: cm.last, bid: cm.bid, ask: cm.ask, high: cm.high, low: cm.low });
    }
  }

  /** A fill on the simulator prints as a market trade. */
  marketTrade(cm: ContractMarket, price: number, size: number, side: OrderSide): void {
    // The fill took liquidity: depth subscribers see the level shrink.
    const depthSubs = this.subs.depth.get(cm.id);
    if (depthSubs && depthSubs.size > 0) this.broadcast(depthSubs, HubEventName.Depth, cm.id, this.depth(cm));
    const set = this.subs.trades.get(cm.id);
    if (!set || set.size === 0) return;
    this.broadcast(set, HubEventName.MarketTrade, cm.id, [
      {
        symbolId: cm.symbolId,
        price,
        timestamp: formatTimestamp(cm.updatedAt),
        type: side === OrderSide.Bid ? 0 : 1,
        volume: size,
      },
    ]);
  }

  /** After /sim/reset: subscriptions stay, published state is forgotten so the next quote is full. */
  reset(): void {
    this.published.clear();
    this.refuseSubscriptions = 0;
  }
}
