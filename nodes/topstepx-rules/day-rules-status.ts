import type { NodeStatus } from "node-red";
import { wholeDollars } from "../../src/core/money/format";
import type { GuardStatus } from "../../src/core/rules/account-guard";
import { NodeType } from "../shared/node-types";
import { textsOf } from "../shared/texts";

const T = textsOf(NodeType.Rules);

/**
 * The status of an entry refusal by a day rule: "cooldown 12 min: 3 losing trades in a row",
 * "profit stop: entries stopped for the day", "consistency: entries stopped"; null for other rules.
 */
export function dayRuleBlockStatus(s: GuardStatus): NodeStatus | null {
  const b = s.blocked;
  const d = s.dayRules;
  if (b?.rule === "cooldown" && d?.cooldown?.active)
    return {
      fill: "yellow",
      shape: "ring",
      text: T("status.cooldown", { minutes: d.cooldown.minutesLeft ?? "", reason: d.cooldown.reason ?? "" }),
    };
  if (b?.rule === "dailyProfitTarget")
    return {
      fill: "yellow",
      shape: "ring",
      text: T("status.profitStop", { amount: wholeDollars(d?.profitLock?.stopAt ?? 0) }),
    };
  if (b?.rule === "consistency") return { fill: "yellow", shape: "ring", text: T("status.consistencyCap") };
  if (b?.rule === "profitLock") return { fill: "red", shape: "ring", text: T("status.profitLocked") };
  return null;
}

/** On a day in profit, what more today keeps the best day within its share: "consistency $340 more". */
export function consistencyPart(s: GuardStatus): string | null {
  const c = s.dayRules?.consistency;
  if (!c || !(c.today > 0)) return null;
  return c.room > 0
    ? T("status.consistencyMore", { room: wholeDollars(c.room) })
    : T("status.consistencyPast", { percent: c.bestDayPercent });
}
