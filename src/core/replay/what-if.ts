import type { RulesConfig } from "../rules/rules-config";
import type { ReplayReport } from "./replay-report";
import type { ReplayTrade } from "./replay-trade";

/** What would have changed a replay's outcome, and the fewest contracts taken off that pass. */
export interface WhatIf {
  sentences: string[];
  passesWithFewer: number | null;
}

/**
 * Re-runs a replay that did not pass with every trade's size brought down by 1, 2… contracts (at
 * least 1 each, P&L, run-up and drawdown scaled alike) and says which pass first; names the
 * consistency figure when that is the rule broken.
 */
export function whatIfSentences(
  trades: readonly ReplayTrade[],
  config: RulesConfig,
  report: ReplayReport,
  rerun: (trades: ReplayTrade[]) => ReplayReport,
): WhatIf {
  const sentences: string[] = [];
  let passesWithFewer: number | null = null;
  // Without a rule broken, fewer contracts only make less: nothing to re-run.
  if (report.verdict !== "failed") return { sentences, passesWithFewer };
  if (report.firstBreach?.rule === "consistency" && report.bestDayShare !== null)
    sentences.push(
      `fails on consistency: best day ${Math.round(report.bestDayShare)}% (at most ${config.consistency?.bestDayPercent}%)`,
    );
  const most = Math.max(0, ...trades.map((t) => t.quantity));
  for (let fewer = 1; fewer < most; fewer++) {
    const r = rerun(trades.map((t) => scaled(t, Math.max(1, t.quantity - fewer))));
    if (r.verdict === "passed") {
      passesWithFewer = fewer;
      sentences.push(`passes with ${fewer} fewer contract${fewer === 1 ? "" : "s"} (at most ${most - fewer} a trade)`);
      break;
    }
  }
  if (passesWithFewer === null && most > 1) sentences.push("does not pass with fewer contracts either");
  return { sentences, passesWithFewer };
}

function scaled(t: ReplayTrade, quantity: number): ReplayTrade {
  if (quantity === t.quantity) return t;
  const k = quantity / t.quantity;
  const by = (x: number | undefined) => (x === undefined ? undefined : Math.round(x * k * 100) / 100);
  return { ...t, quantity, pnl: by(t.pnl), runUp: by(t.runUp), drawdown: by(t.drawdown) };
}
