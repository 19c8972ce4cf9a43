import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  blackoutWindowsFrom,
  MAJOR_US_RELEASES_FILE,
  parseBlackoutCsv,
  parseBlackoutIcs,
  parseBlackoutLines,
  readBlackoutFile,
} from "../../src/core/time/news-calendar";

const iso = (ms: number) => new Date(ms).toISOString();

describe("core: news blackout calendars", () => {
  it("reads dialog lines: symmetric and asymmetric margins, zones, a product list, comments", () => {
    const w = parseBlackoutLines(
      [
        "# December",
        "2026-12-09 13:00 CT FOMC ±5m",
        "",
        "2026-12-10 08:30 ET CPI ES,MNQ -2m/+10m",
        '2026-12-04 13:30 UTC "Jobs report" +-30s',
        "2026-12-11 07:30 CT PPI",
      ].join("\n"),
    );
    assert.equal(w.length, 4);
    assert.deepEqual(
      [w[0]!.name, iso(w[0]!.at), iso(w[0]!.start), iso(w[0]!.end), w[0]!.markets],
      ["FOMC", "2026-12-09T19:00:00.000Z", "2026-12-09T18:55:00.000Z", "2026-12-09T19:05:00.000Z", []],
    );
    // 08:30 ET in December is 13:30 UTC; MNQ stands for its market, NQ.
    assert.deepEqual(
      [iso(w[1]!.at), iso(w[1]!.start), iso(w[1]!.end), w[1]!.markets],
      ["2026-12-10T13:30:00.000Z", "2026-12-10T13:28:00.000Z", "2026-12-10T13:40:00.000Z", ["ES", "NQ"]],
    );
    assert.deepEqual(
      [w[2]!.name, iso(w[2]!.start), iso(w[2]!.end)],
      ["Jobs report", "2026-12-04T13:29:30.000Z", "2026-12-04T13:30:30.000Z"],
    );
    // No margin: the default five minutes either side.
    assert.deepEqual([iso(w[3]!.start), iso(w[3]!.end)], ["2026-12-11T13:25:00.000Z", "2026-12-11T13:35:00.000Z"]);
  });

  it("converts an ET release to CT and UTC across daylight saving in March and November 2026", () => {
    const w = parseBlackoutLines(
      [
        "2026-03-06 08:30 ET NFP", // before 8 March: EST, UTC-5
        "2026-03-11 08:30 ET CPI", // after: EDT, UTC-4
        "2026-10-28 14:00 ET FOMC", // before 1 November: EDT
        "2026-11-06 08:30 ET NFP", // after: EST
        "2026-03-11 07:30 CT CPI", // the same instant written in Chicago time
      ].join("\n"),
    );
    assert.deepEqual(
      w.map((x) => iso(x.at)),
      [
        "2026-03-06T13:30:00.000Z",
        "2026-03-11T12:30:00.000Z",
        "2026-10-28T18:00:00.000Z",
        "2026-11-06T13:30:00.000Z",
        "2026-03-11T12:30:00.000Z",
      ],
    );
  });

  it("refuses a bad line with its line number and what is wrong", () => {
    const bad = (text: string, why: RegExp) => assert.throws(() => parseBlackoutLines(text), why);
    bad(
      "# ok\n2026-12-09 13:00 CT FOMC ±5m\n2026-12-09 1pm CT FOMC",
      /^Error: blackouts\.lines: line 3 .*"1pm" is not a time/,
    );
    bad("2026-02-30 13:00 CT FOMC", /line 1 .*2026-02-30 is not a calendar date/);
    bad("2026-12-09 13:00 PT FOMC", /line 1 .*"PT" is not a time zone \(ET, CT or UTC\)/);
    bad("2026-12-09 13:00 CT FOMC ±5x", /line 1 .*"±5x" is not a margin/);
    bad("2026-12-09 13:00 CT FOMC ES, NQ", /line 1 .*a second product list "NQ"/);
    bad("2026-12-09 13:00 CT", /line 1 .*expected "YYYY-MM-DD HH:MM ZONE NAME/);
    bad("12/09/2026 13:00 CT FOMC", /line 1 .*"12\/09\/2026" is not a date/);
  });

  it("reads a CSV calendar with optional margins and products, and names the line of a bad row", () => {
    const w = parseBlackoutCsv(
      "# my calendar\ndate,time,zone,event,before,after,products,source\n2026-12-10,08:30,ET,CPI,2,10,ES NQ,BLS\n2026-12-09,14:00,ET,FOMC,,,,Fed\n",
    );
    assert.deepEqual(
      w.map((x) => [x.name, iso(x.start), iso(x.end), x.markets]),
      [
        ["CPI", "2026-12-10T13:28:00.000Z", "2026-12-10T13:40:00.000Z", ["ES", "NQ"]],
        ["FOMC", "2026-12-09T18:55:00.000Z", "2026-12-09T19:05:00.000Z", []],
      ],
    );
    assert.throws(
      () => parseBlackoutCsv("date,time,zone,event\n2026-12-10,08:30,ET,CPI\n2026-12-11,8h30,ET,PPI\n"),
      /^Error: blackouts\.file: line 3: "8h30" is not a time/,
    );
    assert.throws(() => parseBlackoutCsv("day,time,event\n2026-12-10,08:30,CPI\n"), /line 2: the "date" column/);
  });

  it("reads an ICS calendar: zoned and UTC events and a weekly recurrence across the DST change", () => {
    const ics = [
      "BEGIN:VCALENDAR",
      "VERSION:2.0",
      "PRODID:-//test//EN",
      "BEGIN:VEVENT",
      "UID:1",
      "SUMMARY:FOMC",
      "DTSTART;TZID=America/New_York:20261209T140000",
      "DTEND;TZID=America/New_York:20261209T143000",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:2",
      "SUMMARY:CPI",
      "DTSTART:20260311T123000Z",
      "END:VEVENT",
      "BEGIN:VEVENT",
      "UID:3",
      "SUMMARY:Claims",
      "DTSTART;TZID=America/New_York:20261029T083000",
      "RRULE:FREQ=WEEKLY;COUNT=2",
      "END:VEVENT",
      "END:VCALENDAR",
    ].join("\r\n");
    const w = parseBlackoutIcs(ics);
    assert.deepEqual(
      w.map((x) => [x.name, iso(x.start), iso(x.end)]),
      [
        ["FOMC", "2026-12-09T18:55:00.000Z", "2026-12-09T19:35:00.000Z"],
        ["CPI", "2026-03-11T12:25:00.000Z", "2026-03-11T12:35:00.000Z"],
        // The second occurrence falls after the change back to EST: 08:30 is then 13:30 UTC.
        ["Claims", "2026-10-29T12:25:00.000Z", "2026-10-29T12:35:00.000Z"],
        ["Claims", "2026-11-05T13:25:00.000Z", "2026-11-05T13:35:00.000Z"],
      ],
    );
    assert.throws(
      () =>
        parseBlackoutIcs(
          "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:Floating\r\nDTSTART:20261209T140000\r\nEND:VEVENT\r\nEND:VCALENDAR",
        ),
      /event 1 \("Floating"\): its time has no time zone/,
    );
  });

  it("reads an all-day ICS event as its whole day in Chicago, and an .ics file by its extension", () => {
    const dir = mkdtempSync(join(tmpdir(), "topstepx-news-"));
    try {
      const file = join(dir, "days.ics");
      writeFileSync(
        file,
        "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:No trading\r\nDTSTART;VALUE=DATE:20261210\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
      );
      const [w] = readBlackoutFile(file, { before: 0, after: 0 });
      assert.deepEqual(
        [w!.name, iso(w!.start), iso(w!.end)],
        ["No trading", "2026-12-10T06:00:00.000Z", "2026-12-11T06:00:00.000Z"],
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("ships a calendar of major US releases: FOMC at 13:00 CT, CPI and NFP at 07:30 CT, whatever the season", () => {
    const w = readBlackoutFile(MAJOR_US_RELEASES_FILE, { before: 0, after: 0 });
    const ct = (ms: number) =>
      new Intl.DateTimeFormat("en-GB", { timeZone: "America/Chicago", hour: "2-digit", minute: "2-digit" }).format(
        new Date(ms),
      );
    const fomc = w.filter((x) => x.name === "FOMC");
    assert.equal(fomc.length, 16, "eight statements a year, 2026 and 2027");
    assert.ok(fomc.every((x) => ct(x.at) === "13:00"));
    const bls = w.filter((x) => x.name === "CPI" || x.name === "NFP");
    assert.ok(bls.length >= 24);
    assert.ok(bls.every((x) => ct(x.at) === "07:30"));
    assert.ok(w.some((x) => x.name === "FOMC" && iso(x.at) === "2027-12-08T19:00:00.000Z"));
  });

  it("reads a file by its extension and names it when it cannot", () => {
    const dir = mkdtempSync(join(tmpdir(), "topstepx-news-"));
    try {
      const csv = join(dir, "mine.csv");
      writeFileSync(csv, "date,time,zone,event\n2026-12-10,07:30,CT,CPI\n");
      const all = blackoutWindowsFrom({ file: csv, lines: "2026-12-09 13:00 CT FOMC ±1m", margin: "-1m/+2m" });
      assert.deepEqual(
        all.map((x) => [x.name, iso(x.start), iso(x.end)]),
        [
          ["FOMC", "2026-12-09T18:59:00.000Z", "2026-12-09T19:01:00.000Z"],
          ["CPI", "2026-12-10T13:29:00.000Z", "2026-12-10T13:32:00.000Z"],
        ],
      );
      assert.throws(
        () => blackoutWindowsFrom({ file: join(dir, "missing.ics") }),
        /blackouts\.file: cannot read .*ENOENT/,
      );
      assert.throws(
        () => blackoutWindowsFrom({ margin: "5 minutes" }),
        /blackouts\.margin: "5 minutes" is not a margin/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
