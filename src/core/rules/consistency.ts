import { dollarsAndCents, wholeDollars } from "../money/format";
import { round2 } from "./rule-state";
import type { RulesConfig } from "./rules-config";

/** How far today may go before its P&L makes it too large a share of the total profit. */
export interface ConsistencyView {
  /** The best day's largest share of the total profit, in percent (Topstep Combine: 50). */
  bestDayPercent: number;
  /** Today's P&L (net of fees and commissions, open positions marked). */
  today: number;
  /** The other days' P&L together, and the best of them. */
  otherDays: number;
  bestOtherDay: number;
  /** The most today may make and keep its share at `bestDayPercent`. */
  cap: number;
  /** What is left to the cap (negative: past it). */
  room: number;
  /** The best day's share of the total profit now, in percent; null without a total profit. */
  bestDayShare: number | null;
  /** The figure in words: "$340 more today keeps the best day at 50%". */
  text: string;
}

/**
 * The consistency figure: today (a day's P&L `x`) stays at most p of the total profit when
 * x ≤ p·(O + x), i.e. x ≤ p·O/(1 − p), O being the other days' P&L together. The total is judged
 * when the account reaches its profit target, and is then at least the target: up to p·target is
 * within the share as well, so the cap is the larger of the two (a first day of a 50K Combine may
 * make $1,500). Days' P&L are the rule state's (closed days rebuilt from the account's fills at start).
 */
export function consistencyView(
  config: RulesConfig,
  dailyPnl: Readonly<Record<string, number>>,
  tradingDay: string,
  today: number,
): ConsistencyView | null {
  const c = config.consistency;
  if (!c) return null;
  const p = c.bestDayPercent / 100;
  const others = Object.entries(dailyPnl).filter(([d]) => d !== tradingDay);
  const otherDays = round2(others.reduce((a, [, v]) => a + v, 0));
  const bestOtherDay = round2(Math.max(0, ...others.map(([, v]) => v)));
  const byOthers = (p * otherDays) / (1 - p);
  const byTarget = config.profitTarget === undefined ? 0 : p * config.profitTarget;
  const cap = round2(Math.max(0, byOthers, byTarget));
  const total = otherDays + today;
  const best = Math.max(bestOtherDay, today);
  const room = round2(cap - today);
  return {
    bestDayPercent: c.bestDayPercent,
    today: round2(today),
    otherDays,
    bestOtherDay,
    cap,
    room,
    bestDayShare: total > 0 && best > 0 ? round2((best / total) * 100) : null,
    text: consistencyText(c.bestDayPercent, room),
  };
}

/** "$340 more today keeps the best day at 50%", or that today is past it. */
export function consistencyText(bestDayPercent: number, room: number): string {
  return room > 0
    ? `${wholeDollars(room)} more today keeps the best day at ${bestDayPercent}%`
    : `today is past ${bestDayPercent}% of the total profit`;
}

/** The refusal once today has made the most that keeps the best day within its share. */
export function consistencySentence(v: ConsistencyView): string {
  return `Today's P&L ${dollarsAndCents(v.today)} reached ${dollarsAndCents(v.cap)}, the most that keeps the best day at ${v.bestDayPercent}% of the total profit (consistency): new entries are refused; exits pass.`;
}
