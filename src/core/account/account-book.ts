import { cents } from "../money/tick-grid";
import {
  isWorkingStatus,
  type Order,
  type Position,
  PositionType,
  parseTimestamp,
  type Trade,
  type TradingAccount,
} from "../schemas";
import { tradingDayStart } from "../time/trading-day";

/** What P&L needs to know of a contract. */
export interface ContractSpec {
  tickSize: number;
  tickValue: number;
}

/** A best bid and ask to mark positions with. */
export interface Marks {
  bestBid: number | null;
  bestAsk: number | null;
}

/** Open P&L of an account, and whether every position had a price to be marked with. */
export interface OpenPnl {
  pnl: number;
  complete: boolean;
  missing: string[];
}

/**
 * Open P&L of one position, marked conservatively: longs at the bid, shorts at the ask (what
 * closing at market would get), from the contract's tick size and tick value.
 */
export function positionPnl(
  p: Pick<Position, "type" | "size" | "averagePrice">,
  spec: ContractSpec,
  marks: Marks,
): number | null {
  const long = p.type !== PositionType.Short;
  const mark = long ? marks.bestBid : marks.bestAsk;
  if (mark === null) return null;
  const ticks = (long ? mark - p.averagePrice : p.averagePrice - mark) / spec.tickSize;
  return ticks * spec.tickValue * p.size;
}

/**
 * One account as the gateway last told us: balance, open positions, working orders and today's
 * fills. Kept from hub events and replaced by REST snapshots after every (re)connection.
 */
export class AccountBook {
  name = "";
  balance = 0;
  canTrade = true;
  /** Open positions by contract id; a flat contract has no entry. */
  readonly positions = new Map<string, Position>();
  /** Working orders (see isWorkingStatus) by order id; an order leaves when it fills or ends. */
  readonly orders = new Map<number, Order>();
  private readonly tradeIds = new Set<number>();
  /** Realized P&L (before costs), fees and commissions together, and fills since the trading day started. */
  realizedPnl = 0;
  fees = 0;
  fills = 0;
  /** Fees and commissions per contract per side as the account's latest fill of each contract id was charged. */
  readonly costPerSide = new Map<string, number>();
  /** Epoch ms of the current trading day's 17:00 Chicago open. */
  dayStart: number;
  /** When this book was last confirmed by a REST snapshot. */
  syncedAt = 0;

  constructor(
    readonly accountId: number,
    now: number,
  ) {
    this.dayStart = tradingDayStart(now);
  }

  /** Starts a new trading day's counters when `now` has crossed 17:00 Chicago. */
  rollDay(now: number): boolean {
    const start = tradingDayStart(now);
    if (start === this.dayStart) return false;
    this.dayStart = start;
    this.realizedPnl = 0;
    this.fees = 0;
    this.fills = 0;
    this.tradeIds.clear();
    return true;
  }

  /**
   * Takes an account event or row as it stands (name, balance, whether it may trade). Returns
   * whether any of them changed: live sends each account update 2 to 4 times, and a repeat is no news.
   */
  applyAccount(a: TradingAccount): boolean {
    const changed = this.name !== a.name || this.balance !== a.balance || this.canTrade !== a.canTrade;
    this.name = a.name;
    this.balance = a.balance;
    this.canTrade = a.canTrade;
    return changed;
  }

  /** Takes an order event: a working order is kept or updated, any other status removes it. */
  applyOrder(o: Order): void {
    if (isWorkingStatus(o.status)) this.orders.set(o.id, o);
    else this.orders.delete(o.id);
  }

  /** Takes a position event: size 0 means the contract went flat. */
  applyPosition(p: Position): void {
    if (p.size > 0) this.positions.set(p.contractId, p);
    else this.positions.delete(p.contractId);
  }

  /** Books a fill once (trades are deduplicated by id); returns false for a repeat or another day. */
  applyTrade(t: Trade): boolean {
    if (this.tradeIds.has(t.id) || t.voided) return false;
    if (parseTimestamp(t.creationTimestamp) < this.dayStart) return false;
    this.tradeIds.add(t.id);
    this.realizedPnl = cents(this.realizedPnl + (t.profitAndLoss ?? 0));
    this.fees = cents(this.fees + t.fees + (t.commissions ?? 0));
    if (t.size > 0) this.costPerSide.set(t.contractId, (t.fees + (t.commissions ?? 0)) / t.size);
    this.fills++;
    return true;
  }

  /**
   * Replaces the state with a REST snapshot. Returns the fills that the snapshot knew and the
   * book did not: fills that happened while the hub was disconnected.
   */
  replace(s: {
    account?: TradingAccount;
    positions: Position[];
    orders: Order[];
    trades: Trade[];
    now: number;
  }): Trade[] {
    this.rollDay(s.now);
    if (s.account) this.applyAccount(s.account);
    this.positions.clear();
    for (const p of s.positions) this.applyPosition(p);
    this.orders.clear();
    for (const o of s.orders) this.applyOrder(o);
    const missed: Trade[] = [];
    for (const t of s.trades) if (this.applyTrade(t)) missed.push(t);
    this.syncedAt = s.now;
    return missed;
  }

  /** Open P&L of every position, from the given marks and contract specs. */
  openPnl(
    marksOf: (contractId: string) => Marks | undefined,
    specOf: (contractId: string) => ContractSpec | undefined,
  ): OpenPnl {
    let pnl = 0;
    const missing: string[] = [];
    for (const p of this.positions.values()) {
      const spec = specOf(p.contractId);
      const marks = marksOf(p.contractId);
      const v = spec && marks ? positionPnl(p, spec, marks) : null;
      if (v === null) missing.push(p.contractId);
      else pnl += v;
    }
    return { pnl: cents(pnl), complete: missing.length === 0, missing };
  }
}
