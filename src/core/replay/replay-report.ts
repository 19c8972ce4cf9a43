/** A rule the replayed history broke, with the numbers the rules engine saw at that moment. */
export interface ReplayViolation {
  /** The rules engine's name of the rule (`maxLossLimit`, `dailyLossLimit`, `scaling`…), or `consistency`. */
  rule: string;
  /**
   * Epoch ms, the trading day it falls on, its Chicago wall time ("2026-03-11 10:15:00 CDT") and its
   * time in the replay's display zone (the same by default).
   */
  at: number;
  day: string;
  chicago: string;
  local: string;
  /** The rules engine's own sentence. */
  reason: string;
  /** Equity (balance, open P&L at its worst, closing costs) when the rule broke. */
  equity: number;
  /** The Maximum Loss Limit floor in force; null without one. */
  floor: number | null;
  /** The limit the rule holds: the floor, the daily loss threshold, the contract limit, the best-day share. */
  limit: number | null;
  /** The trade that broke it (its number in the file); null for a judgement over the whole history. */
  trade: number | null;
}

/** One point of the equity curve: after a fill, at a trade's worst open P&L, or a trade held past the flatten. */
export interface CurvePoint {
  at: number;
  kind: "entry" | "worst" | "held" | "exit";
  equity: number;
  balance: number;
  floor: number | null;
  /** The equity at which the daily loss limit is reached; null without a daily loss rule. */
  dailyThreshold: number | null;
}

/** What a replay found for one profile: JSON-friendly (numbers, strings, arrays). */
export interface ReplayReport {
  profile: string;
  /** passed: target reached (or none) with no rule broken; failed: a rule broken; not-yet: no rule broken, target not reached. */
  verdict: "passed" | "failed" | "not-yet";
  /** The verdict in one sentence. */
  summary: string;
  /** The first rule broken; null when none was. */
  firstBreach: ReplayViolation | null;
  /** Every rule broken, once per rule and trading day, in time order. */
  violations: ReplayViolation[];
  /** Trades replayed (a failure at the Maximum Loss Limit ends the replay). */
  trades: number;
  tradesInFile: number;
  daysTraded: number;
  /** Net P&L of each trading day, after fees and commissions. */
  dailyPnl: Record<string, number>;
  /** The best day's share of the total profit, percent; null without a total profit. */
  bestDayShare: number | null;
  /** The trading day the profit target was reached; null when it was not or the profile has none. */
  targetReachedOn: string | null;
  profitTarget: number | null;
  /** The most contracts held at once, and in mini equivalents (10 micros = 1 mini). */
  mostContracts: number;
  mostMiniEquivalent: number;
  startBalance: number;
  endBalance: number;
  /** Fees and commissions charged, from the cost table. */
  costs: number;
  /** What would have changed the outcome, in sentences ("passes with 1 fewer contract"). */
  whatIf: string[];
  /** The fewest contracts taken off every trade's size that pass; null when none does or it passed already. */
  passesWithFewer: number | null;
  /** How the replay judges, stated so a trader knows it errs on the safe side. */
  assumptions: string[];
  curve: CurvePoint[];
}
