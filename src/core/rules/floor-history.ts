import type { GatewayApi } from "../gateway/gateway-api";
import { parseTimestamp, type Trade } from "../schemas";
import { tradingDayOf } from "../time/trading-day";

/** One trading day (17:00 Chicago to 17:00 the next day) rebuilt from the account's fills. */
export interface RebuiltDay {
  tradingDay: string;
  /** Realized P&L net of fees (and of commissions when the balance is charged them). */
  pnl: number;
  /** The balance when the day ended (or now, for today). */
  eodBalance: number;
  fills: number;
  closed: boolean;
}

/** The account's balance history rebuilt from Trade/search, and whether it accounts for the balance. */
export interface EodHistory {
  startBalance: number;
  reportedBalance: number;
  /** startBalance plus every fill's net P&L. */
  rebuiltBalance: number;
  /** The rebuilt balance equals the reported one (to the cent): no fill or adjustment is missing. */
  reconciled: boolean;
  /** Commissions had to be charged on top of fees for the history to match the balance. */
  withCommissions: boolean;
  days: RebuiltDay[];
  /** Highest end-of-day balance of the closed days, the start balance included. */
  eodHigh: number;
  /** Highest realized balance after any fill (a lower bound of the equity peak). */
  balanceHigh: number;
  /** The balance at the start of today's trading day. */
  todayStartBalance: number;
  /** The oldest instant Trade/search was asked about. */
  searchedFrom: number;
}

const DAY_MS = 86_400_000;
/** Trade/search is read in windows of this length, newest first, so no single answer is huge. */
export const HISTORY_WINDOW_MS = 31 * DAY_MS;
/**
 * How far back the history is read. Older fills are missed, and the balance check then says so:
 * an account that old needs the floor TopstepX shows entered in the rules node.
 */
export const HISTORY_LOOKBACK_MS = 366 * DAY_MS;

const toCents = (x: number) => Math.round(x * 100);

/**
 * Rebuilds the end-of-day balances from the account's fills: from `startBalance`, each trading
 * day's realized P&L net of fees. Voided fills and repeats (by id) are ignored. The rebuilt balance
 * must equal `reportedBalance` to the cent, first charging fees only, then fees and commissions;
 * otherwise the history is incomplete (fills older than what was read, a payout, a wrong start
 * balance), `reconciled` is false, and the rebuilt balance charges the commissions the fills carry
 * (TopstepX debits both). Today's day is open: it counts to the balance, not to `eodHigh`.
 */
export function rebuildEodHistory(
  trades: readonly Trade[],
  startBalance: number,
  reportedBalance: number,
  now: number,
  searchedFrom = 0,
): EodHistory {
  const seen = new Set<number>();
  const fills = trades
    .filter((t) => {
      if (t.voided || seen.has(t.id)) return false;
      seen.add(t.id);
      return true;
    })
    .map((t) => ({
      at: parseTimestamp(t.creationTimestamp),
      pnl: toCents(t.profitAndLoss ?? 0),
      fees: toCents(t.fees),
      commissions: toCents(t.commissions ?? 0),
    }))
    .sort((a, b) => a.at - b.at);
  const build = (withCommissions: boolean): EodHistory => {
    const today = tradingDayOf(now);
    const days: RebuiltDay[] = [];
    let balance = toCents(startBalance);
    let high = balance;
    for (const f of fills) {
      const day = tradingDayOf(f.at);
      let d = days.at(-1);
      if (!d || d.tradingDay !== day) {
        d = { tradingDay: day, pnl: 0, eodBalance: 0, fills: 0, closed: day < today };
        days.push(d);
      }
      const net = f.pnl - f.fees - (withCommissions ? f.commissions : 0);
      d.pnl += net;
      d.fills++;
      balance += net;
      d.eodBalance = balance;
      high = Math.max(high, balance);
    }
    let eodHigh = toCents(startBalance);
    for (const d of days) if (d.closed) eodHigh = Math.max(eodHigh, d.eodBalance);
    const last = days.at(-1);
    const todayPnl = last && !last.closed ? last.pnl : 0;
    return {
      startBalance,
      reportedBalance,
      rebuiltBalance: balance / 100,
      reconciled: Math.abs(balance - toCents(reportedBalance)) <= 1,
      withCommissions,
      days: days.map((d) => ({ ...d, pnl: d.pnl / 100, eodBalance: d.eodBalance / 100 })),
      eodHigh: eodHigh / 100,
      balanceHigh: high / 100,
      todayStartBalance: (balance - todayPnl) / 100,
      searchedFrom,
    };
  };
  const feesOnly = build(false);
  if (feesOnly.reconciled || !fills.some((f) => f.commissions !== 0)) return feesOnly;
  const withCommissions = build(true);
  return withCommissions;
}

/**
 * Reads the account's fills through Trade/search, newest window first, until the history accounts
 * for the reported balance and one more (older) window is empty, or the lookback is exhausted.
 * The balance is asked for after each window, so a fill made meanwhile cannot fake a mismatch.
 */
export async function readEodHistory(
  api: GatewayApi,
  accountId: number,
  startBalance: number,
  balanceNow: () => number,
  now: number,
): Promise<EodHistory> {
  const trades: Trade[] = [];
  const oldest = now - HISTORY_LOOKBACK_MS;
  let history: EodHistory | null = null;
  let end = now;
  while (end > oldest) {
    const start = Math.max(oldest, end - HISTORY_WINDOW_MS);
    // The newest window is open-ended: a fill made while reading is then in the sum as in the balance.
    const got = await api.searchTrades(accountId, start, end === now ? undefined : end);
    const matchedBefore = history?.reconciled ?? false;
    trades.push(...got);
    history = rebuildEodHistory(trades, startBalance, balanceNow(), now, start);
    // Reconciled, and the window older than the one that reconciled it holds nothing: done.
    if (matchedBefore && got.length === 0 && history.reconciled) break;
    end = start;
  }
  return history ?? rebuildEodHistory([], startBalance, balanceNow(), now, now);
}
