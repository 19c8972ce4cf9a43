import { strict as assert } from "node:assert";
import { Journal } from "../../src/core/journal/journal";
import { equityCurve } from "../../src/core/journal/summaries";
import { Notifier } from "../../src/core/rules/notifications";
import {
  chicagoText,
  displayTimeZone,
  localText,
  TRADING_TIME_ZONE,
  zoneTextFormatter,
} from "../../src/core/time/chicago-text";

/** 2026-11-01, the fall-back night: 01:30 Chicago happens twice, at 06:30 UTC (CDT) and at 07:30 UTC (CST). */
const FIRST_0130 = Date.parse("2026-11-01T06:30:00Z");
const SECOND_0130 = Date.parse("2026-11-01T07:30:00Z");
const WINTER = Date.parse("2026-12-15T15:31:05Z");

describe("core: times in the display time zone", () => {
  it("writes Chicago's wall clock to the second with CDT or CST, both 01:30 of the fall-back night told apart", () => {
    assert.equal(chicagoText(FIRST_0130), "2026-11-01 01:30:00 CDT");
    assert.equal(chicagoText(SECOND_0130), "2026-11-01 01:30:00 CST");
    assert.equal(chicagoText(SECOND_0130 - 1), "2026-11-01 01:29:59 CST");
    assert.equal(chicagoText(Date.parse("2026-11-01T06:59:59.999Z")), "2026-11-01 01:59:59 CDT");
    assert.equal(chicagoText(Date.parse("2026-11-01T07:00:00Z")), "2026-11-01 01:00:00 CST");
    assert.equal(chicagoText(WINTER), "2026-12-15 09:31:05 CST");
    assert.equal(chicagoText(Date.parse("2026-03-08T08:00:00Z")), "2026-03-08 03:00:00 CDT");
    assert.equal(localText(WINTER), chicagoText(WINTER), "America/Chicago by default");
  });

  it("shows another zone with its own abbreviation and daylight saving: New York in ET, UTC, Kolkata", () => {
    assert.equal(localText(WINTER, "America/New_York"), "2026-12-15 10:31:05 EST");
    assert.equal(localText(Date.parse("2026-07-01T13:30:00Z"), "America/New_York"), "2026-07-01 09:30:00 EDT");
    assert.equal(localText(FIRST_0130, "America/New_York"), "2026-11-01 01:30:00 EST");
    assert.equal(localText(WINTER, "UTC"), "2026-12-15 15:31:05 UTC");
    assert.equal(localText(WINTER, "Asia/Kolkata"), "2026-12-15 21:01:05 GMT+5:30");
  });

  it("agrees with the platform's time-zone database every 7 minutes across both 2026 changes, in odd zones too", () => {
    for (const zone of [
      "America/Chicago",
      "America/New_York",
      "Europe/London",
      "Australia/Lord_Howe",
      "Asia/Kathmandu",
    ]) {
      const want = new Intl.DateTimeFormat("en-US", {
        timeZone: zone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
        timeZoneName: "short",
      });
      const text = zoneTextFormatter(zone);
      for (const [from, to] of [
        ["2026-03-07T00:00:00Z", "2026-03-09T12:00:00Z"],
        ["2026-03-28T00:00:00Z", "2026-04-06T00:00:00Z"],
        ["2026-10-03T00:00:00Z", "2026-10-05T00:00:00Z"],
        ["2026-10-24T00:00:00Z", "2026-11-02T12:00:00Z"],
      ] as const) {
        for (let ms = Date.parse(from) + 13_000; ms < Date.parse(to); ms += 7 * 60_000) {
          const p: Record<string, string> = {};
          for (const part of want.formatToParts(new Date(ms))) p[part.type] = part.value;
          const expected = `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second} ${p.timeZoneName}`;
          assert.equal(text(ms), expected, `${zone} at ${new Date(ms).toISOString()}`);
        }
      }
    }
  });

  it("builds one formatter per zone and keeps it", () => {
    assert.equal(zoneTextFormatter("America/New_York"), zoneTextFormatter("America/New_York"));
    assert.equal(zoneTextFormatter(TRADING_TIME_ZONE), zoneTextFormatter("America/Chicago"));
  });

  it("reads a display zone setting: empty is Chicago, a known name as the platform spells it, else an error naming the field", () => {
    assert.equal(displayTimeZone(undefined, "timeZone"), "America/Chicago");
    assert.equal(displayTimeZone("  ", "timeZone"), "America/Chicago");
    assert.equal(displayTimeZone(" america/new_york ", "timeZone"), "America/New_York");
    assert.throws(
      () => displayTimeZone("America/Chicag", "timeZone"),
      /^Error: timeZone: "America\/Chicag" is not a time zone: use an IANA name such as America\/Chicago/,
    );
    assert.throws(() => displayTimeZone(42, "tz"), /^Error: tz: 42 is not a time zone/);
  });

  it("dates a journal's equity curve across the fall-back night in Chicago and in the display zone", () => {
    const j = new Journal(":memory:");
    try {
      const fill = (id: number, at: number, side: number, pnl: number | null) =>
        j.append(
          "fill",
          1,
          {
            id,
            contractId: "CON.F.US.MES.Z26",
            side,
            size: 1,
            price: 6800,
            profitAndLoss: pnl,
            fees: 0,
            commissions: 0,
            creationTimestamp: new Date(at).toISOString(),
          },
          at,
        );
      fill(1, FIRST_0130, 0, null);
      fill(2, SECOND_0130, 1, 50);
      const ctx = { balance: 50_050, now: WINTER, floor: 48_000 };
      const chicago = equityCurve(j.accountEntries(1), ctx);
      assert.deepEqual(
        chicago.map((p) => p.local),
        ["2026-11-01 01:29:59 CDT", "2026-11-01 01:30:00 CDT", "2026-11-01 01:30:00 CST", "2026-12-15 09:31:05 CST"],
      );
      assert.deepEqual(
        chicago.map((p) => p.chicago),
        chicago.map((p) => p.local),
      );
      const eastern = equityCurve(j.accountEntries(1), { ...ctx, timeZone: "America/New_York" });
      assert.deepEqual(
        eastern.map((p) => p.local),
        ["2026-11-01 01:29:59 EST", "2026-11-01 01:30:00 EST", "2026-11-01 02:30:00 EST", "2026-12-15 10:31:05 EST"],
      );
      // The trading day stays Chicago's whatever the display zone.
      assert.deepEqual(
        eastern.map((p) => p.tradingDay),
        chicago.map((p) => p.tradingDay),
      );
    } finally {
      j.close();
    }
  });

  it("tells a notification's time and a block's end in the display zone, keeping timeCT in Chicago", () => {
    const who = () => ({ account: "A", accountId: 1 });
    const n = new Notifier(who, undefined, "America/New_York");
    const b = n.notify(
      { type: "status", blocked: { rule: "cooldown", reason: "r", until: WINTER + 1_800_000 } },
      WINTER,
    )!;
    assert.deepEqual([b.local, b.timeCT], ["2026-12-15 10:31:05 EST", "2026-12-15 09:31:05 CST"]);
    assert.match(b.text, /blocked until 2026-12-15 11:01:05 EST/);
  });
});
