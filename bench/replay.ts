import { replayAll } from "../src/core/replay/replay-all";
import type { ReplayTrade } from "../src/core/replay/replay-trade";
import { chicagoTime } from "../src/core/time/chicago";
import { zonedTimeToEpoch } from "../src/core/time/zoned";

/**
 * `count` MNQ trades, 20 a trading day from 08:30 to 14:50 Chicago, Monday to Friday from January 2025,
 * with P&L, run-up and drawdown from a fixed seed: a history long enough that no profile stops early.
 */
export function syntheticTrades(count: number): ReplayTrade[] {
  let seed = 42;
  const random = () => {
    seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
    return seed / 2 ** 31;
  };
  const trades: ReplayTrade[] = [];
  let day = Date.UTC(2025, 0, 6);
  while (trades.length < count) {
    const d = new Date(day);
    const weekday = chicagoTime(day + 12 * 3_600_000).weekday;
    if (weekday >= 1 && weekday <= 5) {
      for (let i = 0; i < 20 && trades.length < count; i++) {
        const entry = zonedTimeToEpoch(
          "America/Chicago",
          d.getUTCFullYear(),
          d.getUTCMonth() + 1,
          d.getUTCDate(),
          8,
          30 + i * 19,
        );
        const pnl = Math.round((random() - 0.45) * 60 * 100) / 100;
        const n = trades.length + 1;
        trades.push({
          number: n,
          symbol: "MNQ",
          side: random() < 0.5 ? "long" : "short",
          quantity: 1 + Math.floor(random() * 2),
          entryTime: entry,
          entryPrice: 20_000,
          exitTime: entry + 15 * 60_000,
          exitPrice: 20_000,
          pnl,
          runUp: Math.max(0, pnl) + Math.round(random() * 20),
          drawdown: Math.min(0, pnl) - Math.round(random() * 20),
          source: `bench:${n}`,
        });
      }
    }
    day += 86_400_000;
  }
  return trades;
}

/** Replays `count` trades against the six Topstep profiles, what-ifs included, `runs` times: ms per run. */
export function replayBench(
  count: number,
  runs: number,
): { trades: number; profiles: number; ms: number[]; verdicts: string[] } {
  const trades = syntheticTrades(count);
  const ms: number[] = [];
  let verdicts: string[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const reports = replayAll(trades);
    ms.push(Math.round((performance.now() - t0) * 10) / 10);
    verdicts = reports.map((r) => `${r.profile} ${r.verdict}`);
  }
  return { trades: count, profiles: 6, ms, verdicts };
}
