import { dollarsAndCents, signedDollars } from "../money/format";
import type { Breach, RuleState } from "./rule-state";
import { round2 } from "./rule-state";
import type { RulesConfig } from "./rules-config";

/** The profit lock of the day as the rule-state output shows it; P&L amounts are net of fees and commissions. */
export interface ProfitLockView {
  /** The day's P&L at which new entries stop (null: off), and whether today reached it. */
  stopAt: number | null;
  stopped: boolean;
  /** The day's peak P&L so far. */
  peak: number;
  /** The peak from which a share of it is locked (null: off). */
  lockFrom: number | null;
  lockPercent: number | null;
  /** The peak reached `lockFrom`: falling below `lockLevel` flattens and blocks. */
  armed: boolean;
  /** The day's P&L the lock keeps (the share of the peak); null until armed. */
  lockLevel: number | null;
}

/** A breach of the profit lock, shaped as the engine's breaches (flatten and block until `blockUntil`). */
export type ProfitLockBreach = Breach & { action: "flattenAndBlock"; blockUntil: number };

/** The day's peak P&L: the day's highest equity above the day's starting balance. */
export function dayPeakPnl(s: Pick<RuleState, "dayHighEquity" | "dayStartBalance">): number {
  return round2(Math.max(0, s.dayHighEquity - s.dayStartBalance));
}

/** The profit lock of the day at a day P&L of `dayPnl`; null when neither part is configured. */
export function profitLockView(
  config: RulesConfig,
  s: RuleState,
  dayPnl: number,
  stopped: boolean,
): ProfitLockView | null {
  const p = config.profitLock;
  if (!p || (p.stopAt === undefined && p.lockFrom === undefined)) return null;
  const peak = dayPeakPnl(s);
  const armed = p.lockFrom !== undefined && p.lockPercent !== undefined && peak >= p.lockFrom;
  return {
    stopAt: p.stopAt ?? null,
    stopped: p.stopAt !== undefined && (stopped || dayPnl >= p.stopAt),
    peak,
    lockFrom: p.lockFrom ?? null,
    lockPercent: p.lockPercent ?? null,
    armed,
    lockLevel: armed ? round2((peak * p.lockPercent!) / 100) : null,
  };
}

/**
 * The day falling back below the locked share of its peak: flatten and block until `nextOpen`.
 * Acted on once a day: a flat account already locked today is not breached again, but a position
 * opened after the lock (by hand) is flattened again.
 */
export function profitLockBreach(
  config: RulesConfig,
  s: RuleState,
  dayPnl: number,
  flat: boolean,
  now: number,
  nextOpen: () => number,
): ProfitLockBreach | null {
  const v = profitLockView(config, s, dayPnl, false);
  if (!v?.armed || v.lockLevel === null || !(dayPnl < v.lockLevel)) return null;
  const lockedToday =
    s.blockedBy === "profitLock" || s.breaches.some((b) => b.rule === "profitLock" && b.at >= s.dayStart);
  if (lockedToday && flat) return null;
  return {
    at: now,
    rule: "profitLock",
    action: "flattenAndBlock",
    blockUntil: nextOpen(),
    reason: `Today's P&L ${signedDollars(dayPnl)} fell below ${dollarsAndCents(v.lockLevel)}, the ${v.lockPercent}% of today's peak of ${dollarsAndCents(v.peak)} the profit lock keeps (armed from ${dollarsAndCents(v.lockFrom!)}): flattened, entries blocked until the next session.`,
  };
}

/** The refusal once today's P&L has reached the daily profit stop (or reached it earlier today). */
export function profitStopSentence(stopAt: number, dayPnl: number): string {
  return `Today's P&L reached the daily profit stop of ${dollarsAndCents(stopAt)} (now ${signedDollars(dayPnl)}): new entries are stopped until the next session; exits pass.`;
}
