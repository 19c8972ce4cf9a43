import type { Trade } from "../schemas";
import { type ConsistencyView, consistencySentence, consistencyView } from "./consistency";
import {
  type ActiveCooldown,
  activeCooldown,
  type CooldownState,
  type CooldownView,
  cooldownSentence,
  cooldownView,
  emptyCooldown,
  endedCooldown,
  followFill,
} from "./cooldown";
import { type ProfitLockView, profitLockView, profitStopSentence } from "./profit-lock";
import type { RuleName, RuleState } from "./rule-state";
import type { RulesConfig } from "./rules-config";

/** What the profit lock, consistency and cooldown rules remember across restarts. */
export interface DayRulesState {
  cooldown: CooldownState;
  /** The trading day, and the once-a-day events journaled on it (the profit stop, the consistency cap). */
  day: string;
  reached: RuleName[];
}

/** The day rules as the rule-state output shows them; null parts are not configured. */
export interface DayRulesView {
  profitLock: ProfitLockView | null;
  consistency: ConsistencyView | null;
  cooldown: CooldownView | null;
}

/** A journal row of the day rules: a cooldown's start or end, a limit reached. */
export interface DayRuleEvent {
  rule: RuleName;
  event: "start" | "end" | "reached";
  reason: string;
  [k: string]: unknown;
}

/** The day rules' memory in a rule state, created (and moved to today) as needed. */
export function dayRulesOf(s: RuleState): DayRulesState {
  s.dayRules ??= { cooldown: emptyCooldown(), day: s.tradingDay, reached: [] };
  if (s.dayRules.day !== s.tradingDay) {
    s.dayRules.day = s.tradingDay;
    s.dayRules.reached = [];
  }
  return s.dayRules;
}

/** A fill of the account, new to the rules: returns the cooldown it starts, if any. */
export function followDayFill(config: RulesConfig, s: RuleState, t: Trade, now: number): ActiveCooldown | null {
  return followFill(config, dayRulesOf(s).cooldown, t, now);
}

/** The view at today's P&L `dayPnl` (null before the first evaluation). */
export function dayRulesView(config: RulesConfig, s: RuleState, dayPnl: number | null, now: number): DayRulesView {
  const d = dayRulesOf(s);
  const pnl = dayPnl ?? s.dailyPnl[s.tradingDay] ?? 0;
  return {
    profitLock: profitLockView(config, s, pnl, d.reached.includes("dailyProfitTarget")),
    consistency: consistencyView(config, s.dailyPnl, s.tradingDay, pnl),
    cooldown: config.cooldown ? cooldownView(d.cooldown, now) : null,
  };
}

/**
 * What the day rules have to journal after an evaluation: a cooldown that ended, the daily profit
 * stop or the consistency cap reached (once a day each). The state records them.
 */
export function dayRuleEvents(config: RulesConfig, s: RuleState, dayPnl: number, now: number): DayRuleEvent[] {
  const d = dayRulesOf(s);
  const out: DayRuleEvent[] = [];
  const ended = endedCooldown(d.cooldown, now);
  if (ended)
    out.push({
      rule: "cooldown",
      event: "end",
      reason: `cooldown over (${ended.reason})`,
      startedAt: ended.startedAt,
      until: ended.until,
    });
  const stopAt = config.profitLock?.stopAt;
  if (stopAt !== undefined && dayPnl >= stopAt && !d.reached.includes("dailyProfitTarget")) {
    d.reached.push("dailyProfitTarget");
    out.push({
      rule: "dailyProfitTarget",
      event: "reached",
      reason: profitStopSentence(stopAt, dayPnl),
      dayPnl,
      stopAt,
    });
  }
  const c = consistencyView(config, s.dailyPnl, s.tradingDay, dayPnl);
  if (c && c.today > 0 && c.room <= 0 && !d.reached.includes("consistency")) {
    d.reached.push("consistency");
    out.push({ rule: "consistency", event: "reached", reason: consistencySentence(c), ...c });
  }
  return out;
}

/**
 * The day rules' refusal of an entry: a cooldown running, the daily profit stop reached today, the
 * consistency cap reached when the trader asked for entries to be refused there.
 */
export function dayRulesRefusal(
  config: RulesConfig,
  s: RuleState,
  dayPnl: number,
  now: number,
): { rule: RuleName; reason: string } | null {
  const d = dayRulesOf(s);
  const cool = activeCooldown(d.cooldown, now);
  if (cool) return { rule: "cooldown", reason: cooldownSentence(cool, now) };
  const stopAt = config.profitLock?.stopAt;
  if (stopAt !== undefined && (dayPnl >= stopAt || d.reached.includes("dailyProfitTarget")))
    return { rule: "dailyProfitTarget", reason: profitStopSentence(stopAt, dayPnl) };
  if (config.consistency?.refuseEntries) {
    const c = consistencyView(config, s.dailyPnl, s.tradingDay, dayPnl);
    if (c && c.today > 0 && c.room <= 0) return { rule: "consistency", reason: consistencySentence(c) };
  }
  return null;
}

/** Whether entries are refused by a day rule already recorded (for orders sent without the rules node's approval). */
export function dayRulesRefusing(config: RulesConfig, s: RuleState, now: number): boolean {
  const d = dayRulesOf(s);
  return (
    activeCooldown(d.cooldown, now) !== null ||
    (config.profitLock?.stopAt !== undefined && d.reached.includes("dailyProfitTarget")) ||
    (!!config.consistency?.refuseEntries && d.reached.includes("consistency"))
  );
}
