import type { RulesConfig } from "../rules/rules-config";
import { PROFILES } from "../rules/rules-config";
import { type ReplayOptions, replay } from "./replay-engine";
import type { ReplayReport } from "./replay-report";
import type { ReplayTrade } from "./replay-trade";

/** The six Topstep profiles: Combine and Express Funded, 50K, 100K and 150K. */
export const TOPSTEP_PROFILES: readonly string[] = Object.keys(PROFILES).filter((p) => p.startsWith("topstep-"));

/** Replays the same trades under every profile given (by default the six Topstep ones), one report each. */
export function replayAll(
  trades: readonly ReplayTrade[],
  profiles: ReadonlyArray<string | RulesConfig> = TOPSTEP_PROFILES,
  opts: ReplayOptions = {},
): ReplayReport[] {
  return profiles.map((p) => replay(trades, p, opts));
}

/** A report without its equity curve, for a JSON table. */
export function withoutCurve(r: ReplayReport): Omit<ReplayReport, "curve"> {
  const { curve: _curve, ...rest } = r;
  return rest;
}
