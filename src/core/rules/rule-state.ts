import { tradingDayOf, tradingDayStart } from "../time/trading-day";
import type { DayRulesState } from "./day-rules";
import type { FloorCheck } from "./floor-check";
import type { RulesConfig } from "./rules-config";

/** A rule breach as recorded in the state and the journal. */
export interface Breach {
  at: number;
  rule: RuleName;
  reason: string;
}

/** The rules' names as decisions, breaches and the journal spell them (the rule-state output's `rule`). */
export type RuleName =
  | "maxLossLimit"
  | "flattenBuffer"
  | "dailyLossLimit"
  | "maxContracts"
  | "scaling"
  | "profitTarget"
  | "tradingWindow"
  | "sessionFlatten"
  | "maxOrdersPerMinute"
  | "maxTradesPerDay"
  | "killSwitch"
  | "maxAlertAge"
  | "allowedSymbols"
  | "stateUnknown"
  | "duplicateAlert"
  | "profileMismatch"
  | "floorUnknown"
  | "crossAccountHedge"
  | "staleFeed"
  | "newsBlackout"
  | "dailyProfitTarget"
  | "profitLock"
  | "consistency"
  | "cooldown";

/** A reason to refuse every entry (exits pass) that is not a breach: established anew on every start. */
export interface EntryHold {
  rule: RuleName;
  reason: string;
}

/**
 * What the gateway does not know and the rules need across restarts: high-water marks, the floor,
 * day counters, history of daily P&L, blocks and the kill switch. Persisted after every change.
 */
export interface RuleState {
  version: 1;
  accountId: number;
  startBalance: number;
  /** Highest end-of-day balance (trailing EOD floor). */
  eodHigh: number;
  /** Highest equity seen (trailing intraday floor). */
  equityPeak: number;
  /** The loss floor now in force; null without a loss-floor rule. */
  floor: number | null;
  floorLocked: boolean;
  tradingDay: string;
  dayStart: number;
  dayStartBalance: number;
  dayHighEquity: number;
  /** Fills today (entries and exits). */
  dayTrades: number;
  lastBalance: number;
  /** Net P&L of each trading day, closed days and today. */
  dailyPnl: Record<string, number>;
  /** Days with at least one fill. */
  tradingDays: string[];
  /** Scaling tier in force this session (from the previous end-of-day balance). */
  tierMaxContracts: number | null;
  killSwitch: boolean;
  /** Entries refused until this time (Infinity: until re-armed). */
  blockedUntil: number | null;
  blockedBy: RuleName | null;
  blockedReason: string | null;
  targetReached: boolean;
  breaches: Breach[];
  /** Approval times within the last minute, for maxOrdersPerMinute. */
  recentOrders: number[];
  /** Ids of the latest fills already journaled, so a re-sync after a restart does not journal them twice. */
  journaledTrades?: number[];
  /** The floor TopstepX shows, as the trader entered it: the computed floor never goes below it. */
  floorMinimum?: number | null;
  /** Entries are refused while set (profile mismatch, floor not established); exits pass. */
  entryHold?: EntryHold | null;
  /** How the floor in force was established at the last start. */
  floorCheck?: FloorCheck | null;
  /** Profit lock, consistency and cooldowns (day-rules.ts). */
  dayRules?: DayRulesState;
}

/** The scaling tier's contract limit for an end-of-day balance; null without a scaling plan. */
export function tierFor(config: RulesConfig, balance: number): number | null {
  if (!config.scaling || config.scaling.length === 0) return null;
  let max = config.scaling[0]!.maxContracts;
  for (const t of config.scaling) if (balance - config.startBalance >= t.minProfit) max = t.maxContracts;
  return max;
}

/**
 * The floor implied by the high-water marks, capped at the lock level, and never below the floor
 * the trader read in TopstepX (`floorMinimum`): of two floors the tighter one protects the account.
 */
export function computeFloor(
  config: RulesConfig,
  s: Pick<RuleState, "eodHigh" | "equityPeak" | "startBalance"> & Pick<Partial<RuleState>, "floorMinimum">,
): number | null {
  const f = config.lossFloor;
  if (!f) return null;
  const lock = f.lockAt ?? s.startBalance;
  const initial = s.startBalance - f.amount;
  const mark = f.mode === "static" ? s.startBalance : f.mode === "trailingEod" ? s.eodHigh : s.equityPeak;
  const computed = round2(Math.min(Math.max(lock, initial), Math.max(initial, mark - f.amount)));
  return s.floorMinimum == null ? computed : Math.max(computed, s.floorMinimum);
}

/**
 * The rule state of an account the journal has none for: the day starts at `balance`, the
 * high-water marks at the higher of it and the profile's start balance, and no block is in force.
 */
export function initialState(config: RulesConfig, accountId: number, balance: number, now: number): RuleState {
  const s: RuleState = {
    version: 1,
    accountId,
    startBalance: config.startBalance,
    eodHigh: Math.max(config.startBalance, balance),
    equityPeak: Math.max(config.startBalance, balance),
    floor: null,
    floorLocked: false,
    tradingDay: tradingDayOf(now),
    dayStart: tradingDayStart(now),
    dayStartBalance: balance,
    dayHighEquity: balance,
    dayTrades: 0,
    lastBalance: balance,
    dailyPnl: {},
    tradingDays: [],
    tierMaxContracts: tierFor(config, balance),
    killSwitch: false,
    blockedUntil: null,
    blockedBy: null,
    blockedReason: null,
    targetReached: false,
    breaches: [],
    recentOrders: [],
  };
  s.floor = computeFloor(config, s);
  s.floorLocked = s.floor !== null && s.floor >= (config.lossFloor?.lockAt ?? config.startBalance);
  return s;
}

/**
 * Closes the trading day(s) that ended before `now`: the end-of-day balance raises the trailing
 * floor (up to its lock), sets the scaling tier of the next session, and a block "until the next
 * session" ends. Returns true when a day was closed.
 */
export function rollTradingDay(config: RulesConfig, s: RuleState, now: number): boolean {
  const day = tradingDayOf(now);
  if (day === s.tradingDay) return false;
  const eod = s.lastBalance;
  s.dailyPnl[s.tradingDay] = round2(eod - s.dayStartBalance);
  s.eodHigh = Math.max(s.eodHigh, eod);
  if (!s.floorLocked) {
    s.floor = computeFloor(config, s);
    s.floorLocked = s.floor !== null && s.floor >= (config.lossFloor?.lockAt ?? config.startBalance);
  }
  s.tierMaxContracts = tierFor(config, eod);
  s.tradingDay = day;
  s.dayStart = tradingDayStart(now);
  s.dayStartBalance = eod;
  s.dayHighEquity = eod;
  s.dayTrades = 0;
  if (s.blockedUntil !== null && s.blockedUntil <= now) {
    s.blockedUntil = null;
    s.blockedBy = null;
    s.blockedReason = null;
  }
  return true;
}

/** Rounds dollars to cents. */
export function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
