import type { RuleName } from "../../src/core/rules/rule-state";
import { commonText } from "./texts";

/**
 * The catalogue key of each rule's short name, for statuses ("refused: daily loss limit"): the
 * core names rules by id, the trader reads them in words. Typed by RuleName, so a new rule without
 * a text does not compile.
 */
const RULE_KEYS: Record<RuleName, `common.rule.${string}`> = {
  maxLossLimit: "common.rule.maxLossLimit",
  flattenBuffer: "common.rule.flattenBuffer",
  dailyLossLimit: "common.rule.dailyLossLimit",
  maxContracts: "common.rule.maxContracts",
  scaling: "common.rule.scaling",
  profitTarget: "common.rule.profitTarget",
  tradingWindow: "common.rule.tradingWindow",
  sessionFlatten: "common.rule.sessionFlatten",
  maxOrdersPerMinute: "common.rule.maxOrdersPerMinute",
  maxTradesPerDay: "common.rule.maxTradesPerDay",
  killSwitch: "common.rule.killSwitch",
  maxAlertAge: "common.rule.maxAlertAge",
  allowedSymbols: "common.rule.allowedSymbols",
  stateUnknown: "common.rule.stateUnknown",
  duplicateAlert: "common.rule.duplicateAlert",
  profileMismatch: "common.rule.profileMismatch",
  floorUnknown: "common.rule.floorUnknown",
  crossAccountHedge: "common.rule.crossAccountHedge",
  staleFeed: "common.rule.staleFeed",
  newsBlackout: "common.rule.newsBlackout",
  dailyProfitTarget: "common.rule.dailyProfitTarget",
  profitLock: "common.rule.profitLock",
  consistency: "common.rule.consistency",
  cooldown: "common.rule.cooldown",
};

/** A rule's short name in the trader's words; a name the core adds later shows as its id. */
export function ruleText(rule: string): string {
  const key = (RULE_KEYS as Record<string, `common.rule.${string}` | undefined>)[rule];
  return key ? commonText(key) : rule;
}
