import { strict as assert } from "node:assert";
import { AccountBook } from "../../src/core/account/account-book";
import { chicagoTime, isGlobexOpen } from "../../src/core/time/chicago";
import { tradingDayOf, tradingDayStart } from "../../src/core/time/trading-day";

describe("core: Chicago time and the trading day", () => {
  it("starts the trading day at 17:00 Chicago in winter (CST, UTC-6) and summer (CDT, UTC-5)", () => {
    assert.equal(
      new Date(tradingDayStart(Date.parse("2026-11-25T15:00:00Z"))).toISOString(),
      "2026-11-24T23:00:00.000Z",
    );
    assert.equal(
      new Date(tradingDayStart(Date.parse("2026-07-15T23:30:00Z"))).toISOString(),
      "2026-07-15T22:00:00.000Z",
    );
    assert.equal(tradingDayOf(Date.parse("2026-07-15T23:30:00Z")), "2026-07-16");
    assert.equal(tradingDayOf(Date.parse("2026-07-15T21:59:59Z")), "2026-07-15");
  });

  it("is DST-correct on the change dates (8 March and 1 November 2026)", () => {
    // Sunday 8 March 2026 02:00 CST → 03:00 CDT. Monday's session opened Sunday 17:00 CDT = 22:00Z.
    assert.equal(
      new Date(tradingDayStart(Date.parse("2026-03-09T14:00:00Z"))).toISOString(),
      "2026-03-08T22:00:00.000Z",
    );
    // Sunday 16:00 CDT: the last 17:00 was Saturday's, in CST, 22 real hours (23 wall hours) before.
    assert.equal(
      new Date(tradingDayStart(Date.parse("2026-03-08T21:00:00Z"))).toISOString(),
      "2026-03-07T23:00:00.000Z",
    );
    // Sunday 1 November 16:00 CST: the last 17:00 was Saturday's, in CDT, 24 wall hours and 25 real hours before.
    assert.equal(
      new Date(tradingDayStart(Date.parse("2026-11-01T22:00:00Z"))).toISOString(),
      "2026-10-31T22:00:00.000Z",
    );
    // Sunday 1 November 2026 02:00 CDT → 01:00 CST. Monday's session opened Sunday 17:00 CST = 23:00Z.
    assert.equal(
      new Date(tradingDayStart(Date.parse("2026-11-02T15:00:00Z"))).toISOString(),
      "2026-11-01T23:00:00.000Z",
    );
    assert.equal(chicagoTime(Date.parse("2026-11-01T06:30:00Z")).hour, 1);
    assert.equal(chicagoTime(Date.parse("2026-11-01T07:30:00Z")).hour, 1);
  });

  it("knows Globex hours: closed Saturday and 16:00–17:00, open Sunday evening", () => {
    assert.equal(isGlobexOpen(Date.parse("2026-11-28T18:00:00Z")), false); // Saturday
    assert.equal(isGlobexOpen(Date.parse("2026-11-29T23:30:00Z")), true); // Sunday 17:30 CST
    assert.equal(isGlobexOpen(Date.parse("2026-11-25T22:30:00Z")), false); // 16:30 CST halt
    assert.equal(isGlobexOpen(Date.parse("2026-11-25T15:00:00Z")), true);
  });

  it("starts a new day of fills and P&L at 17:00 Chicago", () => {
    const book = new AccountBook(1, Date.parse("2026-11-25T15:00:00Z"));
    const trade = (id: number, at: string, pnl: number | null) => ({
      id,
      accountId: 1,
      contractId: "CON.F.US.MNQ.Z26",
      creationTimestamp: at,
      price: 1,
      profitAndLoss: pnl,
      fees: 0.37,
      side: 0,
      size: 1,
      voided: false,
      orderId: id,
    });
    assert.equal(book.applyTrade(trade(1, "2026-11-25T14:00:00+00:00", null)), true);
    assert.equal(book.applyTrade(trade(1, "2026-11-25T14:00:00+00:00", null)), false, "a repeated trade counts once");
    assert.equal(book.applyTrade(trade(2, "2026-11-25T14:30:00Z", 40)), true);
    assert.equal(book.applyTrade(trade(3, "2026-11-24T20:00:00Z", 99)), false, "yesterday's fill is not today's");
    assert.deepEqual([book.realizedPnl, book.fees, book.fills], [40, 0.74, 2]);
    assert.equal(book.rollDay(Date.parse("2026-11-25T23:00:01Z")), true);
    assert.deepEqual([book.realizedPnl, book.fees, book.fills], [0, 0, 0]);
  });
});

describe("chicagoTime", () => {
  it("agrees with the time-zone database at every hour of 2026-2028, DST changes included", () => {
    const tz = new Intl.DateTimeFormat("en-US", {
      timeZone: "America/Chicago",
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
      weekday: "short",
    });
    const weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const mismatches: string[] = [];
    // Three years at a step that walks every minute and second, then every 59.999 s around the
    // 2026 changes to and from daylight saving time.
    const times: number[] = [];
    for (let ms = Date.UTC(2026, 0, 1); ms < Date.UTC(2029, 0, 1); ms += 3_600_000 + 61_001) times.push(ms);
    for (const day of [Date.UTC(2026, 2, 8), Date.UTC(2026, 10, 1)])
      for (let ms = day; ms < day + 86_400_000; ms += 59_999) times.push(ms);
    for (const ms of times) {
      const p: Record<string, string> = {};
      for (const part of tz.formatToParts(new Date(ms))) p[part.type] = part.value;
      const want = [p.year, p.month, p.day, p.hour, p.minute, p.second, weekdays.indexOf(p.weekday!)].map(Number);
      const t = chicagoTime(ms);
      const got = [t.year, t.month, t.day, t.hour, t.minute, t.second, t.weekday];
      if (want.join() !== got.join()) mismatches.push(`${new Date(ms).toISOString()}: ${got.join()} ≠ ${want.join()}`);
    }
    assert.deepStrictEqual(mismatches.slice(0, 5), []);
  });
});
