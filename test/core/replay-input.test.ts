import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { Journal } from "../../src/core/journal/journal";
import { reportFills, roundTrips } from "../../src/core/journal/summaries";
import { readTrades, tradesFromJournal } from "../../src/core/replay/read-trades";
import { ReplayInputError, type ReplayTrade } from "../../src/core/replay/replay-trade";

// Tests run from dist/test/core; the fixtures stay in the source tree.
const FIXTURES = join(__dirname, "../../../test/fixtures/replay");
const fixture = (name: string) => readFileSync(join(FIXTURES, name), "utf8");
const NY = { timeZone: "America/New_York", symbol: "MNQ" };
const utc = (iso: string) => Date.parse(iso);
const withoutSource = (trades: ReplayTrade[]) => trades.map(({ source: _, ...t }) => t);

/** The three trades both TradingView fixtures describe, their times read in New York (EST, UTC−5). */
const EXPECTED: Omit<ReplayTrade, "source">[] = [
  {
    number: 1,
    symbol: "MNQ",
    side: "long",
    quantity: 12,
    entryTime: utc("2026-03-02T14:30:00Z"),
    entryPrice: 21000,
    exitTime: utc("2026-03-02T15:15:00Z"),
    exitPrice: 21050.5,
    pnl: 1212,
    runUp: 1500,
    drawdown: -480,
  },
  {
    number: 2,
    symbol: "MNQ",
    side: "short",
    quantity: 1,
    entryTime: utc("2026-03-03T16:00:30Z"),
    entryPrice: 21100.25,
    exitTime: utc("2026-03-03T16:45:00Z"),
    exitPrice: 21150.25,
    pnl: -100,
    runUp: 20,
    drawdown: -120,
  },
  { number: 3, symbol: "MNQ", side: "long", quantity: 3, entryTime: utc("2026-03-04T14:45:00Z"), entryPrice: 21000 },
];

/** Runs `f`, expecting a ReplayInputError, and returns it. */
function inputError(f: () => unknown): ReplayInputError {
  try {
    f();
  } catch (e) {
    if (e instanceof ReplayInputError) return e;
    throw e;
  }
  assert.fail("expected a ReplayInputError");
}

describe("core: replay inputs (TradingView exports, fills CSV, journal)", () => {
  it("reads the older layout (newest first, exit row then entry row) oldest first, with parentheses and separators", () => {
    const trades = readTrades(fixture("tv-older.csv"), { ...NY, fileName: "tv-older.csv" });
    assert.deepEqual(withoutSource(trades), EXPECTED);
    // Each trade's source is the line of its first row in the file.
    assert.deepEqual(
      trades.map((t) => t.source),
      ["tv-older.csv:5", "tv-older.csv:3", "tv-older.csv:2"],
    );
  });

  it("reads the newer layout in euros (Unicode minus, an open trade marked Open) as the same trades", () => {
    const trades = readTrades(fixture("tv-newer-eur.csv"), NY);
    assert.deepEqual(withoutSource(trades), EXPECTED);
    assert.equal(trades[2]!.exitTime, undefined);
  });

  it("reads wall times in Chicago by default, and the Position size (qty) variant", () => {
    const text =
      "Trade #,Type,Date and time,Signal,Price USDT,Position size (qty),Net P&L USDT\n" +
      "1,Entry Short,2026-07-01 08:30,S,5000,2,-25\n" +
      "1,Exit Short,2026-07-01 08:45,C,5000.25,2,-25\n";
    const [t] = readTrades(text, { symbol: "es" });
    assert.equal(t!.symbol, "ES");
    assert.equal(t!.quantity, 2);
    // 08:30 CDT is 13:30 UTC.
    assert.equal(t!.entryTime, utc("2026-07-01T13:30:00Z"));
    assert.equal(t!.pnl, -25);
  });

  it("pairs a plain CSV of fills into trades per symbol: a partial exit folds in, a reversal opens the next", () => {
    const trades = readTrades(fixture("fills.csv"), { timeZone: "America/New_York", fileName: "fills.csv" });
    assert.deepEqual(trades, [
      {
        number: 1,
        symbol: "MNQ",
        side: "long",
        quantity: 3,
        entryTime: utc("2026-03-02T14:30:00Z"),
        entryPrice: 21001,
        exitTime: utc("2026-03-02T15:00:00Z"),
        exitPrice: 21020,
        source: "fills.csv:2",
      },
      {
        number: 2,
        symbol: "MNQ",
        side: "short",
        quantity: 3,
        entryTime: utc("2026-03-02T15:00:00Z"),
        entryPrice: 21025,
        exitTime: utc("2026-03-02T15:30:00Z"),
        exitPrice: 21005,
        source: "fills.csv:5",
      },
      {
        number: 3,
        symbol: "ES",
        side: "short",
        quantity: 1,
        entryTime: utc("2026-03-02T16:00:00Z"),
        entryPrice: 5000.25,
        source: "fills.csv:7",
      },
    ]);
  });

  it("turns the journal's fills into the round trips its reports count, with prices and the open position last", () => {
    const j = new Journal(":memory:");
    try {
      const A = 10001;
      const MES = "CON.F.US.MES.Z26";
      const t0 = utc("2026-11-24T15:00:00Z");
      let id = 1;
      const fill = (min: number, side: 0 | 1, size: number, price: number, pnl: number | null) =>
        j.append(
          "fill",
          A,
          {
            id: id++,
            accountId: A,
            contractId: MES,
            creationTimestamp: new Date(t0 + min * 60_000).toISOString(),
            price,
            profitAndLoss: pnl,
            fees: 0.37 * size,
            commissions: 0.25 * size,
            side,
            size,
            voided: false,
            orderId: id,
          },
          t0 + min * 60_000,
        );
      fill(0, 0, 2, 6800, null);
      fill(5, 1, 1, 6810, 50);
      fill(10, 1, 3, 6820, 200); // closes the last 1 long, reverses to short 2
      fill(20, 0, 2, 6815, 50);
      fill(30, 0, 1, 6790, null); // still open
      const entries = j.accountEntries(A);
      const trades = tradesFromJournal(entries);
      const trips = roundTrips(reportFills(entries));
      assert.deepEqual(
        trades.slice(0, trips.length).map((t) => [t.side, t.quantity, t.entryTime, t.exitTime, t.pnl]),
        trips.map((t) => [t.side, t.size, t.opened, t.closed, t.grossPnl]),
      );
      assert.deepEqual(
        trades.map((t) => [t.symbol, t.entryPrice, t.exitPrice]),
        [
          ["MES", 6800, 6815],
          ["MES", 6820, 6815],
          ["MES", 6790, undefined],
        ],
      );
    } finally {
      j.close();
    }
  });

  describe("bad files name the line and the column", () => {
    it("an unknown layout, listing the headers expected", () => {
      const e = inputError(() => readTrades("when,what\n2026-03-02,buy\n", NY));
      assert.equal(e.line, 1);
      assert.match(
        e.message,
        /unknown layout.*Trade #,Type,Signal,Date\/Time.*Date and time.*time,symbol,side,qty,price/,
      );
    });

    it("a header without trades, and a broken quote", () => {
      const e = inputError(() => readTrades(`${fixture("tv-older.csv").split("\n")[0]}\n`, NY));
      assert.deepEqual([e.line, e.column], [1, null]);
      assert.match(e.message, /no trades/);
      const q = inputError(() => readTrades(fixture("fills.csv").replace("MNQ,sell,1", 'MNQ,"sell,1'), NY));
      assert.equal(q.line, 7);
      assert.match(q.message, /not a CSV file: Quote Not Closed/);
    });

    it("a TradingView header missing a column", () => {
      const e = inputError(() => readTrades("Trade #,Type,Signal,Date/Time,Contracts\n", NY));
      assert.deepEqual([e.line, e.column], [1, "Price"]);
    });

    it("an unparseable date", () => {
      const e = inputError(() => readTrades(fixture("bad-date.csv"), NY));
      assert.deepEqual([e.line, e.column], [3, "Date/Time"]);
      assert.match(e.message, /"03\/02\/2026 9:30 AM" is not a date and time/);
    });

    it("a number that is not one", () => {
      const text = fixture("tv-older.csv").replace('"21,150.25"', "21.150.25");
      const e = inputError(() => readTrades(text, NY));
      assert.deepEqual([e.line, e.column], [3, "Price USD"]);
    });

    it("an exit without its entry", () => {
      const e = inputError(() => readTrades(fixture("exit-without-entry.csv"), NY));
      assert.deepEqual([e.line, e.column], [4, "Type"]);
      assert.match(e.message, /trade 2 has an exit without its entry/);
    });

    it("rows of one trade that disagree", () => {
      const text = fixture("tv-older.csv").replace(
        'order Long,2026-03-02 10:15,"21,050.50",12',
        'order Long,2026-03-02 10:15,"21,050.50",11',
      );
      const e = inputError(() => readTrades(text, NY));
      assert.deepEqual([e.line, e.column], [5, "Contracts"]);
      assert.match(e.message, /rows disagree: 11 here, 12 on line 6/);
    });

    it("an open trade followed by closed ones", () => {
      const lines = fixture("tv-newer-eur.csv").trim().split("\n");
      const text = [lines[0], lines[1], lines[3], lines[4]].join("\n");
      const e = inputError(() => readTrades(text, NY));
      assert.deepEqual([e.line, e.column], [2, "Type"]);
    });

    it("an unknown product, or none at all", () => {
      assert.match(
        inputError(() => readTrades(fixture("tv-older.csv"), { timeZone: "UTC" })).message,
        /names no product/,
      );
      const e = inputError(() => readTrades(fixture("tv-older.csv"), { symbol: "XYZ" }));
      assert.deepEqual([e.line, e.column], [null, "symbol option"]);
      const f = inputError(() => readTrades(fixture("fills.csv").replace("ES,sell", "FOO,sell"), NY));
      assert.deepEqual([f.line, f.column], [7, "symbol"]);
      assert.match(f.message, /unknown product "FOO"/);
    });

    it("a fill's side that is neither buy nor sell, and an unknown time zone", () => {
      const e = inputError(() => readTrades(fixture("fills.csv").replace("buy,1", "hold,1"), NY));
      assert.deepEqual([e.line, e.column], [3, "side"]);
      assert.match(
        inputError(() => readTrades(fixture("fills.csv"), { timeZone: "Mars/Olympus" })).message,
        /unknown time zone/,
      );
    });
  });
});
