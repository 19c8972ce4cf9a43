import { PROFILES, type RulesConfigInput } from "../../src/core/rules/rules-config";

/** The dialog's profit lock, consistency and cooldown fields; blank means off (consistency: the profile's). */
export interface DayRulesProps {
  profile?: string;
  /** Stop new entries once the day's P&L reaches this many dollars. */
  profitStopAt?: string;
  /** From a day's peak of this many dollars, keep `profitLockPercent` % of the peak. */
  profitLockFrom?: string;
  profitLockPercent?: string;
  /** The best day's largest share of the total profit, in percent; blank: the profile's. */
  consistencyPercent?: string;
  /** Refuse entries once today reaches the most that keeps the best day within its share. */
  consistencyRefuse?: boolean;
  /** After this many losing trades in a row… */
  cooldownLosses?: string;
  /** …or a loss of this many dollars within `cooldownWithinMinutes`… */
  cooldownLossAmount?: string;
  cooldownWithinMinutes?: string;
  /** …refuse entries for this many minutes. */
  cooldownMinutes?: string;
}

const blank = (v: string | undefined) => v === undefined || String(v).trim() === "";
const num = (v: string | undefined) => (blank(v) ? undefined : Number(String(v).replace(/[$,\s%]/g, "")));

/** The dialog's day rules as rules data (the schema validates them and names a bad field). */
export function dayRulesOverrides(p: DayRulesProps): Partial<RulesConfigInput> {
  const o: Partial<RulesConfigInput> = {};
  if (!blank(p.profitStopAt) || !blank(p.profitLockFrom) || !blank(p.profitLockPercent))
    o.profitLock = {
      stopAt: num(p.profitStopAt),
      lockFrom: num(p.profitLockFrom),
      lockPercent: num(p.profitLockPercent),
    };
  const profile = PROFILES[p.profile || "topstep-combine-50k"]?.consistency as { bestDayPercent?: number } | undefined;
  const percent = num(p.consistencyPercent) ?? profile?.bestDayPercent;
  if (!blank(p.consistencyPercent) || p.consistencyRefuse)
    o.consistency = { bestDayPercent: percent, refuseEntries: !!p.consistencyRefuse };
  if (!blank(p.cooldownMinutes) || !blank(p.cooldownLosses) || !blank(p.cooldownLossAmount))
    o.cooldown = {
      minutes: num(p.cooldownMinutes),
      losses: num(p.cooldownLosses),
      lossAmount: num(p.cooldownLossAmount),
      withinMinutes: num(p.cooldownWithinMinutes),
    };
  return o;
}
