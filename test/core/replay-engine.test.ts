import { strict as assert } from "node:assert";
import { replayAll, TOPSTEP_PROFILES } from "../../src/core/replay/replay-all";
import { replay } from "../../src/core/replay/replay-engine";
import { renderReplayHtml } from "../../src/core/replay/replay-html";
import { formatReplayTable } from "../../src/core/replay/replay-table";
import type { ReplayTrade } from "../../src/core/replay/replay-trade";
import { rulesFor } from "../../src/core/rules/rules-config";
import { zonedTimeToEpoch } from "../../src/core/time/zoned";

// ES costs $1.40 fees + $0.50 commission a side a contract (closing-costs.ts): $3.80 a round trip.
const SIDE = 1.9;
const TRIP = 2 * SIDE;

/** Chicago wall time in March 2026 (no holiday that week) → epoch ms. */
function ct(day: number, hour: number, minute = 0): number {
  return zonedTimeToEpoch("America/Chicago", 2026, 3, day, hour, minute);
}

let n = 0;
/** One ES trade on a March day, 10:00 → 10:30 CT. */
function trade(day: number, pnl: number, drawdown: number, quantity = 1, runUp = Math.max(0, pnl)): ReplayTrade {
  n++;
  return {
    number: n,
    symbol: "ES",
    side: "long",
    quantity,
    entryTime: ct(day, 10),
    entryPrice: 5000,
    exitTime: ct(day, 10, 30),
    exitPrice: 5000 + pnl / 50 / quantity,
    pnl,
    runUp,
    drawdown,
    source: `hand:${n}`,
  };
}

// Monday 9 → Wednesday 11 March 2026.
const PASSING = [trade(9, 1000, -100), trade(10, 1000, -100), trade(11, 1100, -100)];

describe("replay engine", () => {
  it("passes a Combine 50K that reaches the target on day 3 with no rule broken", () => {
    const r = replay(PASSING, "topstep-combine-50k");
    assert.equal(r.verdict, "passed", r.summary);
    assert.equal(r.firstBreach, null);
    assert.equal(r.targetReachedOn, "2026-03-11");
    assert.equal(r.daysTraded, 3);
    assert.equal(r.endBalance, 50_000 + 3100 - 3 * TRIP); // 53,088.60
    // Best day 1,096.20 of 3,088.60.
    assert.equal(Math.round(r.bestDayShare! * 10) / 10, 35.5);
    assert.equal(r.mostContracts, 1);
    assert.equal(r.costs, 11.4);
    assert.deepEqual(r.whatIf, []);
    assert.ok(r.assumptions.some((a) => a.includes("worst")));
  });

  it("passes at the close of the target day and does not judge the trades after it", () => {
    // Thursday's loss would break the floor (53,088.60 EOD → floor 50,000 locked; -3,500 at worst), but the
    // Combine passed at Wednesday's close.
    const r = replay([...PASSING, trade(12, -3000, -3500)], "topstep-combine-50k");
    assert.equal(r.verdict, "passed", r.summary);
    assert.equal(r.trades, 3);
    assert.equal(r.tradesInFile, 4);
    assert.equal(r.targetReachedOn, "2026-03-11");
  });

  it("fails on the end-of-day trailing MLL on day 3, found only through the trade's drawdown", () => {
    // Day 1 +996.20 net → EOD 50,996.20, floor 48,996.20; day 2 +496.20 → EOD 51,492.40, floor 49,492.40.
    // Day 3 closes at -1,000 (balance 50,488.60, above the floor), but at its worst it was -2,100:
    // equity 51,492.40 - 1.90 (entry) - 2,100 - 1.90 (closing) = 49,388.60, under the floor.
    const trades = [trade(9, 1000, -50), trade(10, 500, -50), trade(11, -1000, -2100)];
    const r = replay(trades, "topstep-combine-50k");
    assert.equal(r.verdict, "failed");
    const b = r.firstBreach!;
    assert.equal(b.rule, "maxLossLimit");
    assert.equal(b.day, "2026-03-11");
    assert.equal(b.floor, 49_492.4);
    assert.equal(b.limit, 49_492.4);
    assert.equal(b.equity, 49_388.6);
    assert.equal(b.trade, trades[2]!.number);
    assert.match(b.chicago, /^2026-03-11 10:15:00 CDT$/);
    // The same trades judged on their closes alone break nothing.
    const closesOnly = replay(
      trades.map((t) => ({ ...t, drawdown: Math.min(0, t.pnl!) })),
      "topstep-combine-50k",
    );
    assert.equal(closesOnly.firstBreach, null, closesOnly.summary);
    // The chart shows the worst point under the floor.
    assert.ok(r.curve.some((p) => p.kind === "worst" && p.floor !== null && p.equity <= p.floor));
  });

  it("fails on a daily loss limit hit inside the day's second trade", () => {
    // Day starts at 50,000; after trade 1 the balance is 50,000 - 600 - 3.80 = 49,396.20. Trade 2 at its
    // worst: 49,396.20 - 1.90 - 500 - 1.90 = 48,892.40, under the threshold 50,000 - 1,000 = 49,000.
    const first = trade(12, -600, -700);
    const second = { ...trade(12, -300, -500), entryTime: ct(12, 11), exitTime: ct(12, 11, 30) };
    const config = rulesFor("topstep-combine-50k", { dailyLoss: { amount: 1000 } });
    const r = replay([first, second], config);
    assert.equal(r.verdict, "failed");
    assert.equal(r.firstBreach!.rule, "dailyLossLimit");
    assert.equal(r.firstBreach!.limit, 49_000);
    assert.equal(r.firstBreach!.equity, 48_892.4);
    assert.equal(r.firstBreach!.trade, second.number);
  });

  it("fails an Express Funded 50K that trades 3 contracts before its end-of-day profit reaches $1,500", () => {
    // Day 1 nets 2 × 500 - 2 × 3.80 = 992.40: the tier stays at 2 contracts for day 2.
    const r = replay([trade(9, 1000, -100, 2), trade(10, 900, -100, 3)], "topstep-xfa-50k");
    assert.equal(r.verdict, "failed");
    assert.equal(r.firstBreach!.rule, "scaling");
    assert.equal(r.firstBreach!.day, "2026-03-10");
    assert.equal(r.firstBreach!.limit, 2);
    assert.equal(r.mostContracts, 3);
  });

  it("fails on consistency when the best day is 61% of the profit", () => {
    // 1,896.20 of 1,896.20 + 1,196.20 = 3,092.40: 61.3%.
    const r = replay([trade(9, 1900, -100), trade(10, 1200, -100)], "topstep-combine-50k");
    assert.equal(r.verdict, "failed");
    assert.equal(r.firstBreach!.rule, "consistency");
    assert.equal(r.targetReachedOn, "2026-03-10");
    assert.ok(r.whatIf.includes("fails on consistency: best day 61% (at most 50%)"), r.whatIf.join(" | "));
  });

  it("fails a trade still open past the 15:05 flatten, and one held overnight", () => {
    // Entered 14:30 (before the 15:00 cutoff), closed 15:30 CT: live, the 15:05 flatten closes it.
    const late = { ...trade(9, 200, -50), entryTime: ct(9, 14, 30), exitTime: ct(9, 15, 30) };
    const r = replay([late], "topstep-combine-50k");
    assert.equal(r.firstBreach?.rule, "sessionFlatten", r.summary);
    assert.equal(r.firstBreach!.chicago, "2026-03-09 15:30:00 CDT");
    // Entered Monday 14:00, closed Tuesday 09:00: judged at 16:59 Monday, the session closed.
    const overnight = { ...trade(9, 200, -50), entryTime: ct(9, 14), exitTime: ct(10, 9) };
    const o = replay([overnight], "topstep-combine-50k");
    assert.equal(o.firstBreach?.rule, "sessionFlatten", o.summary);
    assert.equal(o.firstBreach!.chicago, "2026-03-09 16:59:00 CDT");
    // Entered 15:02, past the 15:00 cutoff: the gate refuses it.
    const cutoff = { ...trade(9, 200, -50), entryTime: ct(9, 15, 2), exitTime: ct(9, 15, 4) };
    assert.equal(replay([cutoff], "topstep-combine-50k").firstBreach?.rule, "tradingWindow");
  });

  it("says the strategy passes with 1 fewer contract", () => {
    // 2 contracts: day 1 at its worst 50,000 - 3.80 - 2,100 - 3.80 = 47,892.40, under the 48,000 floor.
    // 1 contract (P&L and drawdown halved): 48,946.20 at worst, then 3 × 996.20 + ... reaches the target.
    const trades = [trade(9, 2000, -2100, 2), trade(10, 2000, -100, 2), trade(11, 2200, -100, 2)];
    const r = replay(trades, "topstep-combine-50k");
    assert.equal(r.verdict, "failed");
    assert.equal(r.firstBreach!.rule, "maxLossLimit");
    assert.equal(r.firstBreach!.equity, 47_892.4);
    assert.equal(r.passesWithFewer, 1);
    assert.ok(r.whatIf.includes("passes with 1 fewer contract (at most 1 a trade)"), r.whatIf.join(" | "));
  });

  it("refuses a trade without its P&L, closing before it opens, or of no contracts, naming it", () => {
    const t = trade(9, 100, -10);
    assert.throws(() => replay([{ ...t, pnl: undefined }], "topstep-combine-50k"), {
      name: "ReplayInputError",
      message: `line ${t.number}, column "pnl": trade ${t.number} (hand:${t.number}) has no P&L: the replay needs it`,
    });
    assert.throws(() => replay([{ ...t, exitTime: t.entryTime - 1 }], "topstep-combine-50k"), /column "exitTime"/);
    assert.throws(() => replay([{ ...t, quantity: 0 }], "topstep-combine-50k"), /column "quantity".*0 contracts/);
    assert.throws(() => replay([t], "topstep-combine-75k"), /profile: unknown profile "topstep-combine-75k"/);
  });

  it("replays against all six Topstep profiles at once, as a table and as JSON", () => {
    const reports = replayAll(PASSING);
    assert.deepEqual(
      reports.map((r) => [r.profile, r.verdict]),
      [
        ["topstep-combine-50k", "passed"],
        ["topstep-combine-100k", "not-yet"],
        ["topstep-combine-150k", "not-yet"],
        ["topstep-xfa-50k", "passed"],
        ["topstep-xfa-100k", "passed"],
        ["topstep-xfa-150k", "passed"],
      ],
    );
    assert.equal(TOPSTEP_PROFILES.length, 6);
    const table = formatReplayTable(reports);
    for (const p of TOPSTEP_PROFILES) assert.match(table, new RegExp(`^${p} `, "m"));
    assert.match(table, /Not yet: no rule broken, net \$3,088\.60 of the \$6,000\.00 target/);
    const json = JSON.parse(JSON.stringify(reports)) as typeof reports;
    assert.equal(json[0]!.targetReachedOn, "2026-03-11");
  });
});

describe("replay HTML report", () => {
  it("is one self-contained page with the verdict table, the floor and the breach marked", () => {
    const trades = [trade(9, 1000, -50), trade(10, 500, -50), trade(11, -1000, -2100)];
    const html = renderReplayHtml(replayAll(trades));
    // Chart.js inlined, nothing fetched.
    assert.ok(html.includes("Chart.js v4"), "Chart.js inlined");
    assert.doesNotMatch(html, /<script[^>]+src=|<link[^>]+href=/);
    assert.match(html, /<td>topstep-combine-50k<\/td><td class="v" style="color:#cf222e">failed<\/td><td>maxLossLimit/);
    assert.match(html, /equity \$49,388\.60, floor \$49,492\.40/);
    const data = JSON.parse(
      /<script type="application\/json" id="replay-data">(.*?)<\/script>/s.exec(html)![1]!,
    ) as Array<{
      profile: string;
      floor: Array<number | null>;
      breach: { rule: string; equity: number } | null;
    }>;
    assert.equal(data.length, 6);
    assert.deepEqual(data[0]!.breach, { index: 7, rule: "maxLossLimit", equity: 49_388.6 });
    assert.equal(data[0]!.floor.at(-1), 49_492.4);
  });
});
