import { cents } from "../core/money/tick-grid";
import {
  type BracketLeg,
  CancelOrderErrorCode,
  ClosePositionErrorCode,
  ModifyOrderErrorCode,
  type ModifyOrderRequest,
  OrderSide,
  OrderStatus,
  OrderType,
  PartialClosePositionErrorCode,
  PlaceOrderErrorCode,
  type PlaceOrderRequest,
  PositionType,
} from "../core/schemas";
import { isExpired, isListed, parseContractId } from "./catalog";
import type { SimAccountConfig, SimConfig } from "./config";
import { type Costs, costsOf } from "./costs";
import { take, touchVolume, walkBook } from "./depth";
import { entry } from "./map-entry";
import type { ContractMarket, Market } from "./market";
import { isTrading } from "./trading-hours";

/** An order as the simulator keeps it; `wire.ts` turns it into the gateway's OrderModel. */
export interface SimOrder {
  id: number;
  accountId: number;
  contractId: string;
  symbolId: string;
  createdAt: number;
  updatedAt: number;
  status: OrderStatus;
  type: OrderType;
  side: OrderSide;
  size: number;
  limitPrice: number | null;
  stopPrice: number | null;
  fillVolume: number;
  filledPrice: number | null;
  customTag: string | null;
  /** Trailing stops: distance in ticks and the best price seen since placement. */
  trailDistance: number | null;
  trailExtreme: number | null;
  parentOrderId: number | null;
  linkedOrderId: number | null;
  /** Bracket children: signed ticks from the parent's fill price. */
  bracketTicks: number | null;
  childIds: number[];
  /** Stop-limit orders: the stop has triggered and the order now rests as a limit. */
  triggered: boolean;
}

export interface SimPosition {
  id: number;
  accountId: number;
  contractId: string;
  displayName: string;
  createdAt: number;
  type: PositionType;
  size: number;
  averagePrice: number;
}

export interface SimTrade {
  id: number;
  accountId: number;
  contractId: string;
  createdAt: number;
  price: number;
  profitAndLoss: number | null;
  fees: number;
  commissions: number;
  side: OrderSide;
  size: number;
  voided: boolean;
  orderId: number;
}

export interface SimAccount extends SimAccountConfig {}

/** What the hubs (and anyone else) hear from the exchange, in the gateway's event order. */
export interface ExchangeListener {
  account(a: SimAccount): void;
  order(o: SimOrder): void;
  position(p: SimPosition): void;
  trade(t: SimTrade): void;
  marketTrade(cm: ContractMarket, price: number, size: number, side: OrderSide): void;
}

export interface Outcome {
  errorCode: number;
  errorMessage: string | null;
}

export interface PlaceOutcome extends Outcome {
  orderId: number | null;
}

const OK: Outcome = { errorCode: 0, errorMessage: null };
const LIVE_CHILD: ReadonlySet<OrderStatus> = new Set([OrderStatus.Open, OrderStatus.Pending, OrderStatus.Suspended]);
const TYPE_NAME: Record<number, string> = {
  0: "Unknown",
  1: "Limit",
  2: "Market",
  3: "StopLimit",
  4: "Stop",
  5: "TrailingStop",
  6: "JoinBid",
  7: "JoinAsk",
};
const MAX_TRAIL_TICKS = 1000;

function reject(errorCode: number, errorMessage: string, orderId: number | null = null): PlaceOutcome {
  return { errorCode, errorMessage, orderId };
}

/**
 * Accounts, orders, positions and fills: a matching engine against the synthetic market with
 * netted positions, average prices, realized P&L per fill, fees and commissions per side.
 */
export class Exchange {
  readonly accounts = new Map<number, SimAccount>();
  readonly orders = new Map<number, SimOrder>();
  private readonly ordersByAccount = new Map<number, SimOrder[]>();
  private readonly tags = new Map<number, Set<string>>();
  /** Orders that can fill on a price move, per contract (Open status only). */
  private readonly working = new Map<string, Set<SimOrder>>();
  readonly positions = new Map<string, SimPosition>();
  readonly trades = new Map<number, SimTrade[]>();
  private nextOrderId = 2_660_000_001;
  private nextPositionId = 400_000_001;
  private nextTradeId = 1_800_000_001;

  constructor(
    private readonly config: SimConfig,
    private readonly market: Market,
    private readonly now: () => number,
    private readonly listener: ExchangeListener,
  ) {
    this.reset();
  }

  /** Whether a product trades now on the venue clock (always, when the market is configured never to close). */
  trading(symbol: string): boolean {
    return this.config.market.hours === "always" || isTrading(symbol, this.now());
  }

  /** Back to the configured accounts, with no orders, positions or trades. */
  reset(): void {
    for (const contractId of this.working.keys()) this.market.release(contractId);
    this.accounts.clear();
    this.orders.clear();
    this.ordersByAccount.clear();
    this.tags.clear();
    this.working.clear();
    this.positions.clear();
    this.trades.clear();
    for (const a of this.config.accounts) this.accounts.set(a.id, { ...a });
  }

  costsPerSide(cm: ContractMarket): Costs {
    return costsOf(cm.listing.product, this.config);
  }

  ordersOf(accountId: number): readonly SimOrder[] {
    return this.ordersByAccount.get(accountId) ?? [];
  }

  openPositionsOf(accountId: number): SimPosition[] {
    const out: SimPosition[] = [];
    for (const p of this.positions.values()) if (p.accountId === accountId && p.size > 0) out.push(p);
    return out;
  }

  tradesOf(accountId: number): readonly SimTrade[] {
    return this.trades.get(accountId) ?? [];
  }

  /** Changes an account's balance or trading permission (control API). */
  updateAccount(
    id: number,
    patch: Partial<Pick<SimAccount, "balance" | "canTrade" | "autoOcoBrackets" | "active">>,
  ): SimAccount | null {
    const a = this.accounts.get(id);
    if (!a) return null;
    Object.assign(a, patch);
    this.listener.account(a);
    return a;
  }

  // ---- Order/place -------------------------------------------------------------------------

  place(req: PlaceOrderRequest): PlaceOutcome {
    const account = this.accounts.get(req.accountId);
    if (!account) return reject(PlaceOrderErrorCode.AccountNotFound, "Account not found.");
    const listing = parseContractId(req.contractId);
    if (!listing || !isListed(listing, this.now()))
      return reject(PlaceOrderErrorCode.ContractNotFound, "Contract not found.");
    if (isExpired(listing, this.now())) return reject(PlaceOrderErrorCode.ContractNotActive, "Contract is not active.");
    if (!this.trading(listing.product.symbol))
      return reject(PlaceOrderErrorCode.OutsideTradingHours, "Outside trading hours.");
    if (!account.canTrade) return reject(PlaceOrderErrorCode.AccountViolation, "Account is not allowed to trade.");
    const cm = this.market.get(req.contractId)!;
    if (req.side !== OrderSide.Bid && req.side !== OrderSide.Ask)
      return reject(PlaceOrderErrorCode.OrderRejected, "Invalid order side.");
    if (!(req.type in TYPE_NAME) || req.type === OrderType.Unknown)
      return reject(PlaceOrderErrorCode.OrderRejected, "Invalid order type.");
    if (req.size <= 0) return reject(PlaceOrderErrorCode.OrderRejected, "Invalid order size.");
    const tag = req.customTag ?? null;
    if (tag !== null && this.tags.get(account.id)?.has(tag)) {
      return reject(PlaceOrderErrorCode.OrderRejected, "Custom tag is already in use for this account.");
    }
    const type = req.type as OrderType;
    const side = req.side as OrderSide;
    const priceError = this.checkPrices(cm, type, req.limitPrice, req.stopPrice, req.trailPrice, "place");
    if (priceError) return reject(PlaceOrderErrorCode.OrderRejected, priceError);
    const bracketError = this.checkBrackets(side, req.stopLossBracket, req.takeProfitBracket);
    if (bracketError) return reject(PlaceOrderErrorCode.OrderRejected, bracketError);

    const order = this.newOrder(account.id, cm, type, side, req.size, tag);
    if (type === OrderType.Limit || type === OrderType.StopLimit) order.limitPrice = req.limitPrice!;
    if (type === OrderType.Stop || type === OrderType.StopLimit) order.stopPrice = req.stopPrice!;
    if (type === OrderType.JoinBid) order.limitPrice = cm.bid;
    if (type === OrderType.JoinAsk) order.limitPrice = cm.ask;
    if (type === OrderType.TrailingStop) this.setTrail(order, cm, req.trailPrice!);
    if (type === OrderType.TrailingStop && (order.trailDistance ?? 0) > MAX_TRAIL_TICKS) {
      return reject(PlaceOrderErrorCode.OrderRejected, `Trail Distance exceeds maximum (${MAX_TRAIL_TICKS})`);
    }

    const hasBrackets = !!(req.stopLossBracket || req.takeProfitBracket);
    this.record(order);
    if (hasBrackets && !account.autoOcoBrackets) {
      // The gateway creates the order and rejects it in the same breath, returning its id.
      order.status = OrderStatus.Rejected;
      this.listener.order(order);
      return reject(
        PlaceOrderErrorCode.OrderRejected,
        "Brackets cannot be used with Position Brackets. You must enable Auto OCO Brackets.",
        order.id,
      );
    }
    if (req.linkedOrderId != null) this.link(order, req.linkedOrderId);
    if (req.stopLossBracket) this.addChild(order, cm, req.stopLossBracket);
    if (req.takeProfitBracket) this.addChild(order, cm, req.takeProfitBracket);

    order.status = type === OrderType.Market ? OrderStatus.Pending : OrderStatus.Open;
    this.listener.order(order);
    for (const id of order.childIds) this.listener.order(this.orders.get(id)!);
    if (type === OrderType.Market) this.fillMarketable(order, cm, null);
    else {
      this.addWorking(order);
      this.tryMatch(order, cm, true);
    }
    return { ...OK, orderId: order.id };
  }

  private checkPrices(
    cm: ContractMarket,
    type: OrderType,
    limit: number | null | undefined,
    stop: number | null | undefined,
    trail: number | null | undefined,
    verb: "place" | "modify",
  ): string | null {
    const needLimit = type === OrderType.Limit || type === OrderType.StopLimit;
    const needStop = type === OrderType.Stop || type === OrderType.StopLimit;
    if (verb === "place") {
      if (needLimit && limit == null) return "Limit price is required.";
      if (needStop && stop == null) return "Stop price is required.";
      if (type === OrderType.TrailingStop && trail == null) return "Trail Distance not set.";
    }
    for (const [name, price] of [
      ["limit", limit],
      ["stop", stop],
      ["trail", trail],
    ] as const) {
      if (price == null) continue;
      if (price <= 0) return `Invalid ${name} price.`;
      if (!cm.onTick(price)) return `Invalid ${name} price. Price is not aligned to tick size.`;
    }
    return null;
  }

  private checkBrackets(
    side: OrderSide,
    sl: BracketLeg | null | undefined,
    tp: BracketLeg | null | undefined,
  ): string | null {
    const longing = side === OrderSide.Bid;
    const way = longing ? "longing" : "shorting";
    if (sl) {
      if (sl.type !== OrderType.Stop && sl.type !== OrderType.TrailingStop)
        return `Invalid stop loss type (${TYPE_NAME[sl.type] ?? sl.type})`;
      if (longing ? sl.ticks >= 0 : sl.ticks <= 0)
        return `Ticks should be ${longing ? "less" : "greater"} than zero when ${way}`;
    }
    if (tp) {
      if (tp.type !== OrderType.Limit) return `Invalid take profit type (${TYPE_NAME[tp.type] ?? tp.type})`;
      if (longing ? tp.ticks <= 0 : tp.ticks >= 0)
        return `Ticks should be ${longing ? "greater" : "less"} than zero when ${way}`;
    }
    return null;
  }

  private newOrder(
    accountId: number,
    cm: ContractMarket,
    type: OrderType,
    side: OrderSide,
    size: number,
    tag: string | null,
  ): SimOrder {
    const t = this.now();
    return {
      id: this.nextOrderId++,
      accountId,
      contractId: cm.id,
      symbolId: cm.symbolId,
      createdAt: t,
      updatedAt: t,
      status: OrderStatus.Pending,
      type,
      side,
      size,
      limitPrice: null,
      stopPrice: null,
      fillVolume: 0,
      filledPrice: null,
      customTag: tag,
      trailDistance: null,
      trailExtreme: null,
      parentOrderId: null,
      linkedOrderId: null,
      bracketTicks: null,
      childIds: [],
      triggered: false,
    };
  }

  private record(o: SimOrder): void {
    this.orders.set(o.id, o);
    entry(this.ordersByAccount, o.accountId, () => []).push(o);
    if (o.customTag !== null) entry(this.tags, o.accountId, () => new Set()).add(o.customTag);
  }

  private setTrail(o: SimOrder, cm: ContractMarket, trailPrice: number): void {
    o.trailDistance = Math.floor(Math.abs(cm.last - trailPrice) / cm.tickSize + 1e-9);
    o.trailExtreme = cm.last;
    o.stopPrice = this.trailStop(o, cm);
  }

  private trailStop(o: SimOrder, cm: ContractMarket): number {
    const d = o.trailDistance ?? 0;
    return cm.addTicks(o.trailExtreme!, o.side === OrderSide.Ask ? -d : d);
  }

  private link(o: SimOrder, peerId: number): void {
    const peer = this.orders.get(peerId);
    if (!peer || peer.accountId !== o.accountId || !LIVE_CHILD.has(peer.status)) return;
    o.linkedOrderId = peer.id;
    peer.linkedOrderId = o.id;
  }

  private addChild(parent: SimOrder, cm: ContractMarket, leg: BracketLeg): void {
    const exitSide = parent.side === OrderSide.Bid ? OrderSide.Ask : OrderSide.Bid;
    const child = this.newOrder(parent.accountId, cm, leg.type as OrderType, exitSide, parent.size, null);
    child.status = OrderStatus.Suspended;
    child.parentOrderId = parent.id;
    child.bracketTicks = leg.ticks;
    for (const id of parent.childIds) {
      const sibling = this.orders.get(id)!;
      sibling.linkedOrderId = child.id;
      child.linkedOrderId = sibling.id;
    }
    parent.childIds.push(child.id);
    this.record(child);
  }

  // ---- matching ----------------------------------------------------------------------------

  private addWorking(o: SimOrder): void {
    let set = this.working.get(o.contractId);
    if (!set) {
      set = new Set();
      this.working.set(o.contractId, set);
      this.market.retain(o.contractId);
    }
    set.add(o);
  }

  private removeWorking(o: SimOrder): void {
    const set = this.working.get(o.contractId);
    if (!set?.delete(o)) return;
    if (set.size === 0) {
      this.working.delete(o.contractId);
      this.market.release(o.contractId);
    }
  }

  /** Runs matching for a contract after its price moved. */
  onPrice(cm: ContractMarket): void {
    const set = this.working.get(cm.id);
    if (!set) return;
    for (const o of [...set]) if (o.status === OrderStatus.Open) this.tryMatch(o, cm, false);
  }

  /** Fills or updates one working order against the current quote. */
  private tryMatch(o: SimOrder, cm: ContractMarket, arriving: boolean): void {
    const buy = o.side === OrderSide.Bid;
    switch (o.type) {
      case OrderType.Market:
        this.fillMarketable(o, cm, null);
        return;
      case OrderType.Stop:
        if (buy ? cm.last >= o.stopPrice! : cm.last <= o.stopPrice!) this.fillMarketable(o, cm, null);
        return;
      case OrderType.TrailingStop: {
        const better = buy ? cm.last < o.trailExtreme! : cm.last > o.trailExtreme!;
        if (better) {
          o.trailExtreme = cm.last;
          o.stopPrice = this.trailStop(o, cm);
          o.updatedAt = this.now();
          this.listener.order(o);
        }
        if (buy ? cm.last >= o.stopPrice! : cm.last <= o.stopPrice!) this.fillMarketable(o, cm, null);
        return;
      }
      case OrderType.StopLimit:
        if (!o.triggered) {
          if (!(buy ? cm.last >= o.stopPrice! : cm.last <= o.stopPrice!)) return;
          o.triggered = true;
          arriving = true;
        }
        break;
      default:
        break;
    }
    // Limit-like: a marketable order takes the opposite side; a resting one fills at its limit.
    const limit = o.limitPrice!;
    const touch = buy ? cm.ask : cm.bid;
    if (!(buy ? touch <= limit : touch >= limit)) return;
    if (arriving) this.fillMarketable(o, cm, limit);
    else if (touch === limit && this.config.market.partialFills) {
      // The market prints at the limit: only part of the queue trades there.
      const n = Math.min(o.size - o.fillVolume, touchVolume(cm, this.config.market.touchFill));
      this.fill(o, cm, [{ price: limit, size: n }]);
    } else this.fill(o, cm, [{ price: limit, size: o.size - o.fillVolume }]);
  }

  /**
   * Executes what a marketable order gets from the book at once: the whole size at the touch
   * without partial fills, else level by level up to `limit`; a limit's rest keeps working.
   */
  private fillMarketable(o: SimOrder, cm: ContractMarket, limit: number | null): void {
    const buy = o.side === OrderSide.Bid;
    const left = o.size - o.fillVolume;
    if (!this.config.market.partialFills) {
      this.fill(o, cm, [{ price: buy ? cm.ask : cm.bid, size: left }]);
      return;
    }
    const chunks = walkBook(cm, buy, left, limit);
    for (const c of chunks) take(cm, buy, c.price, c.size);
    if (chunks.length > 0) this.fill(o, cm, chunks);
  }

  /**
   * Executes `chunks` of an order (one trade per price), growing `fillVolume` with `filledPrice`
   * the average; once it is complete, settles brackets and OCO peers.
   */
  private fill(o: SimOrder, cm: ContractMarket, chunks: ReadonlyArray<{ price: number; size: number }>): void {
    const account = this.accounts.get(o.accountId)!;
    const key = `${o.accountId}|${o.contractId}`;
    const before = this.positions.get(key);
    let pos: SimPosition | undefined;
    for (const c of chunks) {
      const trades = this.applyFill(account, cm, o, c.price, c.size);
      const filled = o.fillVolume + c.size;
      o.filledPrice = Number((((o.filledPrice ?? 0) * o.fillVolume + c.price * c.size) / filled).toFixed(9));
      o.fillVolume = filled;
      if (filled >= o.size) o.status = OrderStatus.Filled;
      o.updatedAt = this.now();
      for (const t of trades) this.listener.trade(t);
      this.listener.order(o);
      pos = this.positions.get(key);
      if (pos) {
        this.listener.position(pos);
        if (pos.size === 0) this.positions.delete(key);
      }
      this.listener.marketTrade(cm, c.price, c.size, o.side);
    }
    this.listener.account(account);
    if (o.status !== OrderStatus.Filled) {
      // Auto OCO protects what has filled so far: the legs work for the filled part and grow with it.
      for (const id of o.childIds) this.activateChild(this.orders.get(id)!, cm, o.filledPrice!, o.fillVolume);
      return;
    }
    this.removeWorking(o);

    if (o.linkedOrderId !== null) this.cancelInternal(this.orders.get(o.linkedOrderId));
    // A reversal went through flat too: the old position's legs would otherwise enlarge the new one.
    if (before && pos && pos.id !== before.id) this.cancelOrphanBrackets(o.accountId, o.contractId);
    for (const id of o.childIds) this.activateChild(this.orders.get(id)!, cm, o.filledPrice!, o.fillVolume);
    if (!pos || pos.size === 0) this.cancelOrphanBrackets(o.accountId, o.contractId);
  }

  private activateChild(child: SimOrder, cm: ContractMarket, parentFill: number, parentVolume: number): void {
    if (child.status === OrderStatus.Open && child.size !== parentVolume) {
      child.size = parentVolume;
      child.updatedAt = this.now();
      this.listener.order(child);
      return;
    }
    if (child.status !== OrderStatus.Suspended) return;
    // Legs protect what the parent filled: its size may have been modified since they were created.
    child.size = parentVolume;
    const level = cm.addTicks(parentFill, child.bracketTicks!);
    if (child.type === OrderType.Limit) child.limitPrice = level;
    else if (child.type === OrderType.TrailingStop) {
      child.trailDistance = Math.abs(child.bracketTicks!);
      child.trailExtreme = parentFill;
      child.stopPrice = level;
    } else child.stopPrice = level;
    child.status = OrderStatus.Open;
    child.updatedAt = this.now();
    this.listener.order(child);
    this.addWorking(child);
    this.tryMatch(child, cm, false);
  }

  /** Bracket legs whose position went flat by other means are cancelled, as Auto OCO does. */
  private cancelOrphanBrackets(accountId: number, contractId: string): void {
    for (const o of this.working.get(contractId) ?? []) {
      if (o.accountId === accountId && o.parentOrderId !== null) this.cancelInternal(o);
    }
  }

  private applyFill(account: SimAccount, cm: ContractMarket, o: SimOrder, price: number, size: number): SimTrade[] {
    const key = `${account.id}|${cm.id}`;
    const costs = this.costsPerSide(cm);
    const product = cm.listing.product;
    const dir = o.side === OrderSide.Bid ? 1 : -1;
    let pos = this.positions.get(key);
    const trades: SimTrade[] = [];
    let qty = size;
    if (pos && pos.size > 0 && (pos.type === PositionType.Long ? 1 : -1) !== dir) {
      const closing = Math.min(qty, pos.size);
      const posDir = pos.type === PositionType.Long ? 1 : -1;
      const pnl = cents(((price - pos.averagePrice) / cm.tickSize) * product.tickValue * closing * posDir);
      trades.push(this.trade(account, cm, o, price, closing, pnl, costs));
      pos.size -= closing;
      qty -= closing;
      if (pos.size === 0 && qty > 0) {
        // A reversal closes this position and opens another one with a new id.
        this.listener.position(pos);
        this.positions.delete(key);
        pos = undefined;
      }
    }
    if (qty > 0) {
      if (!pos || pos.size === 0) {
        pos = {
          id: this.nextPositionId++,
          accountId: account.id,
          contractId: cm.id,
          displayName: `${product.symbol}${cm.id.slice(-3)}`,
          createdAt: this.now(),
          type: dir > 0 ? PositionType.Long : PositionType.Short,
          size: qty,
          averagePrice: price,
        };
        this.positions.set(key, pos);
      } else {
        pos.averagePrice = Number(((pos.averagePrice * pos.size + price * qty) / (pos.size + qty)).toFixed(9));
        pos.size += qty;
      }
      trades.push(this.trade(account, cm, o, price, qty, null, costs));
    }
    return trades;
  }

  private trade(
    account: SimAccount,
    cm: ContractMarket,
    o: SimOrder,
    price: number,
    size: number,
    pnl: number | null,
    costs: Costs,
  ): SimTrade {
    const fees = cents(costs.fee * size);
    const commissions = cents(costs.commission * size);
    account.balance = cents(account.balance + (pnl ?? 0) - fees - commissions);
    const t: SimTrade = {
      id: this.nextTradeId++,
      accountId: account.id,
      contractId: cm.id,
      createdAt: this.now(),
      price,
      profitAndLoss: pnl,
      fees,
      commissions,
      side: o.side,
      size,
      voided: false,
      orderId: o.id,
    };
    entry(this.trades, account.id, () => []).push(t);
    return t;
  }

  // ---- cancel / modify -----------------------------------------------------------------------

  private cancelInternal(o: SimOrder | undefined): void {
    if (!o || !LIVE_CHILD.has(o.status)) return;
    this.removeWorking(o);
    o.status = OrderStatus.Cancelled;
    o.updatedAt = this.now();
    this.listener.order(o);
    // Legs already protecting a filled part stay: cancelling an entry's rest does not unprotect it.
    if (o.fillVolume === 0) for (const id of o.childIds) this.cancelInternal(this.orders.get(id));
  }

  cancel(accountId: number, orderId: number): Outcome {
    if (!this.accounts.has(accountId))
      return { errorCode: CancelOrderErrorCode.AccountNotFound, errorMessage: "Account not found." };
    const o = this.orders.get(orderId);
    if (!o || o.accountId !== accountId)
      return { errorCode: CancelOrderErrorCode.OrderNotFound, errorMessage: "Order not found." };
    if (!LIVE_CHILD.has(o.status))
      return { errorCode: CancelOrderErrorCode.Rejected, errorMessage: "Order is not working." };
    this.cancelInternal(o);
    return OK;
  }

  modify(req: ModifyOrderRequest): Outcome {
    if (!this.accounts.has(req.accountId))
      return { errorCode: ModifyOrderErrorCode.AccountNotFound, errorMessage: "Account not found." };
    const o = this.orders.get(req.orderId);
    if (!o || o.accountId !== req.accountId)
      return { errorCode: ModifyOrderErrorCode.OrderNotFound, errorMessage: "Order not found." };
    if (o.status !== OrderStatus.Open)
      return { errorCode: ModifyOrderErrorCode.Rejected, errorMessage: "Order is not working." };
    if (o.type === OrderType.Market)
      return { errorCode: ModifyOrderErrorCode.Rejected, errorMessage: "Market orders cannot be modified." };
    const cm = this.market.get(o.contractId)!;
    // A partly filled order keeps at least one contract working: what filled cannot be undone.
    if (req.size != null && (req.size <= 0 || req.size <= o.fillVolume))
      return { errorCode: ModifyOrderErrorCode.Rejected, errorMessage: "Invalid order size." };
    const priceError = this.checkPrices(cm, o.type, req.limitPrice, req.stopPrice, req.trailPrice, "modify");
    if (priceError) return { errorCode: ModifyOrderErrorCode.Rejected, errorMessage: priceError };
    if (req.size != null) o.size = req.size;
    const limitLike =
      o.type === OrderType.Limit ||
      o.type === OrderType.StopLimit ||
      o.type === OrderType.JoinBid ||
      o.type === OrderType.JoinAsk;
    if (req.limitPrice != null && limitLike) o.limitPrice = req.limitPrice;
    if (req.stopPrice != null && (o.type === OrderType.Stop || o.type === OrderType.StopLimit))
      o.stopPrice = req.stopPrice;
    if (req.trailPrice != null && o.type === OrderType.TrailingStop) this.setTrail(o, cm, req.trailPrice);
    o.updatedAt = this.now();
    this.listener.order(o);
    this.tryMatch(o, cm, true);
    return OK;
  }

  // ---- positions -----------------------------------------------------------------------------

  /** Closes (all or `size` of) a position with a market order, as Position/close* do. */
  closePosition(accountId: number, contractId: string, size: number | null): Outcome {
    const partial = size !== null;
    const codes = partial ? PartialClosePositionErrorCode : ClosePositionErrorCode;
    const account = this.accounts.get(accountId);
    if (!account) return { errorCode: codes.AccountNotFound, errorMessage: "Account not found." };
    const listing = parseContractId(contractId);
    if (!listing) return { errorCode: codes.ContractNotFound, errorMessage: "Contract not found." };
    const pos = this.positions.get(`${accountId}|${contractId}`);
    if (!pos || pos.size === 0) return { errorCode: codes.PositionNotFound, errorMessage: "Position not found." };
    if (partial && (size <= 0 || size > pos.size)) {
      return { errorCode: PartialClosePositionErrorCode.InvalidCloseSize, errorMessage: "Invalid close size." };
    }
    // Live answers a close while the market is closed with its "rejected" code and no message.
    if (!this.trading(listing.product.symbol)) return { errorCode: codes.OrderRejected, errorMessage: null };
    const cm = this.market.get(contractId)!;
    const side = pos.type === PositionType.Long ? OrderSide.Ask : OrderSide.Bid;
    const order = this.newOrder(accountId, cm, OrderType.Market, side, partial ? size : pos.size, null);
    this.record(order);
    this.listener.order(order);
    this.fillMarketable(order, cm, null);
    return OK;
  }
}
