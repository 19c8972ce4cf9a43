import { strict as assert } from "node:assert";
import { Journal, type JournalKind } from "../../src/core/journal/journal";
import { equityCurve, periodSummaries, reportFills, roundTrips, summariesCsv } from "../../src/core/journal/summaries";

const A = 10001;
/** 09:00 Chicago on trading day 2026-11-24 (a Tuesday), then minutes after. */
const DAY1 = Date.parse("2026-11-24T15:00:00Z");
const DAY2 = Date.parse("2026-11-25T15:00:00Z");
const min = (n: number) => n * 60_000;

let nextId = 1;
function fill(
  j: Journal,
  at: number,
  contractId: string,
  side: 0 | 1,
  size: number,
  pnl: number | null,
  fees: number,
  commissions: number,
) {
  j.append(
    "fill",
    A,
    {
      id: nextId++,
      accountId: A,
      contractId,
      creationTimestamp: new Date(at).toISOString(),
      price: 6800,
      profitAndLoss: pnl,
      fees,
      commissions,
      side,
      size,
      voided: false,
      orderId: nextId,
    },
    at,
  );
}

const MES = "CON.F.US.MES.Z26";
const ES = "CON.F.US.EP.Z26";

/**
 * Day 1: long 2 MES +$100 gross (costs 2.48: net 97.52, a win), short 1 ES −$200 gross (costs 3.80:
 * net −203.80, a loss). Day 2: long 1 MES reversed to short 2 by selling 3 (−$50 gross on the long;
 * the reversing fill's 1.86 costs shared 1/3 and 2/3), then the short 2 bought back +$200.
 */
function knownDays(j: Journal): void {
  fill(j, DAY1, MES, 0, 2, null, 0.74, 0.5);
  fill(j, DAY1 + min(10), MES, 1, 2, 100, 0.74, 0.5);
  fill(j, DAY1 + min(20), ES, 1, 1, null, 1.4, 0.5);
  j.append("breach", A, { rule: "dailyLossLimit", reason: "x" }, DAY1 + min(25));
  fill(j, DAY1 + min(30), ES, 0, 1, -200, 1.4, 0.5);
  j.append("start", A, { event: "new trading day", tradingDay: "2026-11-25", floor: 48000 }, DAY2 - min(600));
  fill(j, DAY2, MES, 0, 1, null, 0.37, 0.25);
  j.append("decision", A, { decision: { allow: false, rule: "maxContracts" } }, DAY2 + min(5));
  j.append("cooldown" as JournalKind, A, { rule: "cooldown", minutes: 30 }, DAY2 + min(6));
  fill(j, DAY2 + min(10), MES, 1, 3, -50, 1.11, 0.75);
  fill(j, DAY2 + min(20), MES, 0, 2, 200, 0.74, 0.5);
}

describe("core: report summaries from the journal", () => {
  let j: Journal;
  beforeEach(() => {
    j = new Journal(":memory:");
    knownDays(j);
  });
  afterEach(() => j.close());

  const ctx = { balance: 50040, now: DAY2 + min(60), floor: 48000, dailyLossAmount: 1000 };

  it("counts round trips, a reversal closing one and opening the next, with costs shared by size", () => {
    const trips = roundTrips(reportFills(j.accountEntries(A)));
    assert.deepEqual(
      trips.map((t) => [t.contractId, t.side, t.size, t.grossPnl, t.netPnl]),
      [
        [MES, "long", 2, 100, 97.52],
        [ES, "short", 1, -200, -203.8],
        [MES, "long", 1, -50, -51.24],
        [MES, "short", 2, 200, 197.52],
      ],
    );
  });

  it("sums each trading day: trades, win rate, gross, fees, commissions, net, drawdown, headroom, rule events", () => {
    const days = periodSummaries(j.accountEntries(A), "day", ctx);
    assert.deepEqual(
      days.map((d) => [
        d.key,
        d.fills,
        d.trades,
        d.wins,
        d.losses,
        d.winRate,
        d.grossPnl,
        d.fees,
        d.commissions,
        d.netPnl,
      ]),
      [
        ["2026-11-24", 4, 2, 1, 1, 0.5, -100, 4.28, 2, -106.28],
        ["2026-11-25", 3, 2, 1, 1, 0.5, 150, 2.22, 1.5, 146.28],
      ],
    );
    // Day 1: +97.52 after the MES trip, then down to −106.28: 203.80 below the high. Day 2: 0 → −52.48 → 146.28.
    assert.deepEqual(
      days.map((d) => d.maxDrawdown),
      [203.8, 52.48],
    );
    // 50,040 now, 146.28 made on day 2: day 1 closed at 49,893.72, 1,893.72 over the 48,000 floor.
    assert.deepEqual(
      days.map((d) => [d.balanceAtClose, d.floorAtClose, d.headroomAtClose]),
      [
        [49893.72, 48000, 1893.72],
        [50040, 48000, 2040],
      ],
    );
    assert.deepEqual(days[0]!.ruleEvents, { "breach:dailyLossLimit": 1 });
    assert.deepEqual(days[1]!.ruleEvents, { "refused:maxContracts": 1, "cooldown:cooldown": 1 });
    assert.equal(days[0]!.maxDrawdownBasis, "closedTrades");
  });

  it("sums the trading week named by its Monday", () => {
    const [w] = periodSummaries(j.accountEntries(A), "week", ctx);
    assert.deepEqual(
      [w!.key, w!.from, w!.to, w!.trades, w!.wins, w!.winRate, w!.grossPnl, w!.fees, w!.commissions, w!.netPnl],
      ["2026-11-23", "2026-11-24", "2026-11-25", 4, 2, 0.5, 50, 6.5, 3.5, 40],
    );
    // High 97.52 on day 1, low −158.76 after day 2's reversal.
    assert.equal(w!.maxDrawdown, 256.28);
  });

  it("writes CSV with one line per period and the rule events", () => {
    const csv = summariesCsv(periodSummaries(j.accountEntries(A), "day", ctx));
    const lines = csv.trim().split("\n");
    assert.equal(lines.length, 3);
    assert.match(
      lines[0]!,
      /^period,key,from,to,fills,trades,wins,losses,win_rate,gross_pnl,fees,commissions,net_pnl,max_drawdown/,
    );
    assert.equal(
      lines[1],
      "day,2026-11-24,2026-11-24,2026-11-24,4,2,1,1,0.5,-100.00,4.28,2.00,-106.28,203.80,closedTrades,49893.72,48000,1893.72,breach:dailyLossLimit=1",
    );
  });

  it("reads an account's rows from a time on, without the kinds a report skips", () => {
    j.append("alert", A, { alertId: "a-1" }, DAY2 + min(1));
    j.append("fill", A + 1, { id: 999 }, DAY2 + min(2));
    const all = j.accountEntries(A);
    assert.ok(all.some((e) => e.kind === "alert"));
    assert.ok(all.every((e) => e.accountId === A));
    const day2 = j.accountEntries(A, DAY2, ["alert", "order", "answer"]);
    assert.deepEqual(
      day2.map((e) => e.kind),
      ["fill", "decision", "cooldown", "fill", "fill"],
    );
  });

  it("draws the equity curve from the balance before the first fill, with the floor and the daily-loss line", () => {
    const curve = equityCurve(j.accountEntries(A), ctx);
    assert.equal(curve[0]!.balance, 50000);
    assert.equal(curve.at(-1)!.balance, 50040);
    assert.equal(curve[0]!.dailyLossLine, 49000);
    const day2 = curve.find((p) => p.tradingDay === "2026-11-25")!;
    assert.equal(day2.dailyLossLine, 48893.72);
    assert.equal(day2.floor, 48000);
    assert.equal(curve[1]!.chicago, "2026-11-24 09:00:00 CST");
  });
});
