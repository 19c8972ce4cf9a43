import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { readSettings } from "../../nodes/topstepx-config/config-settings";
import type { Received } from "../support/node-msgs";
import { allNodes, collect, configFor, configNode, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { until } from "../support/sim";

/** A journal row as the journal command answers it. */
interface Row {
  local: string;
  kind: string;
  tradingDay: string;
  detail: string;
  time: string;
}

/** What the tests read of the rule-state output's msgs. */
type Out = Received<unknown> & { curve?: Array<{ local: string; chicago: string; time: number }> };

// eslint-disable-next-line @typescript-eslint/no-require-imports
const replayNode = require("../../nodes/topstepx-replay/topstepx-replay");

/** The replay example's sample export, as its inject node ships it. */
function sampleExport(): string {
  const file = resolve(__dirname, "..", "..", "..", "examples", "9 Replay a strategy.json");
  const nodes = JSON.parse(readFileSync(file, "utf8")) as Array<{ type: string; payload?: string }>;
  return nodes.find((n) => n.type === "inject")!.payload!;
}

/** 2026-11-01, the fall-back night: 01:30 Chicago happens twice, at 06:30 UTC (CDT) and at 07:30 UTC (CST). */
const FIRST_0130 = Date.parse("2026-11-01T06:30:00Z");
const SECOND_0130 = Date.parse("2026-11-01T07:30:00Z");
const WINTER = Date.parse("2026-12-15T15:31:05Z");

/** A rules node on the simulator with its rule-state output collected, and its commands answered. */
function rulesOn(rt: ReturnType<typeof useRuntimeOnSim>) {
  return async (config: Record<string, unknown> = {}) => {
    const cfg = configFor(rt.sim, config);
    await helper.load(
      allNodes,
      [
        cfg.node,
        {
          id: "r1",
          type: "topstepx-rules",
          server: "cfg",
          profile: "topstep-combine-50k",
          dbFile: join(rt.dir, "journal.sqlite"),
          wires: [[], [], ["st"]],
        },
        { id: "st", type: "helper" },
      ],
      cfg.credentials,
    );
    const r1 = helper.getNode("r1");
    const st = collect<Out>(helper.getNode("st"));
    const ask = async (payload: Record<string, unknown>) => {
      const seen = st.length;
      r1.receive({ payload });
      return until(() => st.slice(seen).find((m) => m.topic === payload.command), `the ${payload.command} answer`);
    };
    const journal = async () => (await ask({ command: "journal", limit: 100 })).payload as Row[];
    // The guard runs once the state command answers with the account's state.
    await until(async () => {
      const seen = st.length;
      r1.receive({ payload: { command: "state" } });
      return until(() => st.slice(seen).find((m) => m.topic === "state"), "the state").then(
        (m) => (m.payload as { synced?: boolean }).synced === true,
        () => false,
      );
    }, "the rules node guarding");
    const notes = () =>
      st
        .filter((m) => m.topic === "notification")
        .map((m) => m.payload as { local: string; timeCT: string; event: string });
    return { r1, st, ask, journal, notes };
  };
}

describe("node: times in the trading time zone (America/Chicago by default)", () => {
  const rt = useRuntimeOnSim({ at: FIRST_0130, dirPrefix: "topstepx-tz-" });
  const load = rulesOn(rt);

  it("shows the journal, its CSV export, the report and its page in CT across the fall-back night and in winter", async () => {
    const { r1, ask, journal, notes } = await load();
    r1.receive({ payload: { command: "killSwitch", on: true, reason: "first 01:30" } });
    rt.clock = SECOND_0130;
    r1.receive({ payload: { command: "rearm", reason: "second 01:30" } });
    rt.clock = WINTER;
    r1.receive({ payload: { command: "killSwitch", on: true, reason: "winter" } });
    const rows = await until(async () => {
      const r = (await journal()).filter((x) => x.kind === "killSwitch");
      return r.length === 3 ? r : null;
    }, "three kill-switch rows");
    // Newest first; the local text is the first column a dashboard table shows, the instant kept beside it.
    assert.deepEqual(
      rows.map((r) => [r.local, r.time, r.tradingDay]),
      [
        ["2026-12-15 09:31:05 CST", "2026-12-15T15:31:05.000Z", "2026-12-15"],
        ["2026-11-01 01:30:00 CST", "2026-11-01T07:30:00.000Z", "2026-11-01"],
        ["2026-11-01 01:30:00 CDT", "2026-11-01T06:30:00.000Z", "2026-11-01"],
      ],
    );
    assert.equal(Object.keys(rows[0]!)[0], "local");
    const csv = (await ask({ command: "journal", limit: 100, format: "csv" })).payload as string;
    const lines = csv.split("\n");
    assert.equal(lines[0], "local,time,kind,trading_day,detail");
    for (const line of [
      "2026-12-15 09:31:05 CST,2026-12-15T15:31:05.000Z,killSwitch,2026-12-15,kill switch on: winter",
      "2026-11-01 01:30:00 CST,2026-11-01T07:30:00.000Z,killSwitch,2026-11-01,kill switch off: second 01:30",
      "2026-11-01 01:30:00 CDT,2026-11-01T06:30:00.000Z,killSwitch,2026-11-01,kill switch on: first 01:30",
    ])
      assert.ok(lines.includes(line), `the export has ${line}`);
    await until(() => notes().filter((n) => n.event === "killSwitch").length === 3, "three notifications");
    assert.deepEqual(
      notes()
        .filter((n) => n.event === "killSwitch")
        .map((n) => [n.local, n.timeCT]),
      [
        ["2026-11-01 01:30:00 CDT", "2026-11-01 01:30:00 CDT"],
        ["2026-11-01 01:30:00 CST", "2026-11-01 01:30:00 CST"],
        ["2026-12-15 09:31:05 CST", "2026-12-15 09:31:05 CST"],
      ],
    );
    const report = await ask({ command: "report", period: "day" });
    assert.equal(report.curve!.at(-1)!.local, "2026-12-15 09:31:05 CST");
    const page = await helper.request().get("/topstepx-rules/r1/report.html");
    assert.equal(page.status, 200);
    assert.match(
      page.text,
      /Generated 2026-12-15 09:31:05 CST \(2026-12-15T15:31:05\.000Z\)\. Times in America\/Chicago;/,
    );
    assert.match(page.text, /"local":"2026-12-15 09:31:05 CST"/);
  });
});

describe("node: times in a display zone the configuration names", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-tz-ny-" });
  const load = rulesOn(rt);

  it("shows America/New_York in ET, keeping the trading day and timeCT in Chicago", async () => {
    const { r1, ask, journal, notes } = await load({ timeZone: "America/New_York" });
    r1.receive({ payload: { command: "killSwitch", on: true, reason: "lunch" } });
    const row = await until(async () => (await journal()).find((x) => x.kind === "killSwitch"), "the kill-switch row");
    assert.deepEqual(
      [row.local, row.time, row.tradingDay],
      ["2026-11-25 10:00:00 EST", "2026-11-25T15:00:00.000Z", "2026-11-25"],
    );
    const note = await until(() => notes().find((n) => n.event === "killSwitch"), "the notification");
    assert.deepEqual([note.local, note.timeCT], ["2026-11-25 10:00:00 EST", "2026-11-25 09:00:00 CST"]);
    const report = await ask({ command: "report", period: "day" });
    assert.deepEqual(
      [report.curve!.at(-1)!.local, report.curve!.at(-1)!.chicago],
      ["2026-11-25 10:00:00 EST", "2026-11-25 09:00:00 CST"],
    );
    const page = await helper.request().get("/topstepx-rules/r1/report.html");
    assert.match(
      page.text,
      /Generated 2026-11-25 10:00:00 EST \(2026-11-25T15:00:00\.000Z\)\. Times in America\/New_York;/,
    );
  });

  it("dates a replay's first broken rule in the connection's zone, Chicago's kept beside it", async () => {
    const cfg = configFor(rt.sim, { timeZone: "America/New_York" });
    await helper.load(
      [configNode, replayNode],
      [
        cfg.node,
        {
          id: "rp",
          type: "topstepx-replay",
          server: "cfg",
          profile: "topstep-combine-50k",
          symbol: "MNQ",
          tz: "America/Chicago",
          wires: [["out"]],
        },
        { id: "out", type: "helper" },
      ],
      cfg.credentials,
    );
    const out = collect<Received<Array<{ firstBreach: { local: string; chicago: string; at: number } }>>>(
      helper.getNode("out"),
    );
    helper.getNode("rp").receive({ payload: sampleExport() });
    const msg = await until(() => out[0], "the report");
    const b = msg.payload[0]!.firstBreach;
    // 4 March 2026, before daylight saving starts: EST and CST, an hour apart.
    assert.match(b.local, /^2026-03-04 \d\d:\d\d:\d\d EST$/);
    assert.match(b.chicago, /^2026-03-04 \d\d:\d\d:\d\d CST$/);
    assert.equal(Number(b.local.slice(11, 13)) - Number(b.chicago.slice(11, 13)), 1);
    const { table, html } = msg as unknown as { table: string; html: string };
    assert.ok(table.includes(b.local), "the table's time");
    assert.ok(html.includes(`<th>When (America/New_York)</th>`) && html.includes(b.local), "the page's time");
  });

  it("takes the zone from TOPSTEPX_TIME_ZONE when the field is empty, Chicago when neither names one", () => {
    const creds = { userName: "u", apiKey: "k" };
    assert.equal(readSettings({}, creds, {}).timeZone, "America/Chicago");
    assert.equal(readSettings({}, creds, { TOPSTEPX_TIME_ZONE: "America/New_York" }).timeZone, "America/New_York");
    assert.equal(
      readSettings({ timeZone: "UTC" }, creds, { TOPSTEPX_TIME_ZONE: "America/New_York" }).timeZone,
      "UTC",
      "the field first",
    );
    assert.throws(
      () => readSettings({}, creds, { TOPSTEPX_TIME_ZONE: "CET+1" }),
      /^Error: timeZone: "CET\+1" is not a time zone/,
    );
  });

  it("refuses a zone it does not know: red, naming the field, and nothing connects", async () => {
    const cfg = configFor(rt.sim, { timeZone: "America/Chicag" });
    await helper.load(
      allNodes,
      [
        cfg.node,
        {
          id: "r1",
          type: "topstepx-rules",
          server: "cfg",
          profile: "topstep-combine-50k",
          dbFile: join(rt.dir, "journal.sqlite"),
          wires: [[], [], []],
        },
      ],
      cfg.credentials,
    );
    const r1 = helper.getNode("r1");
    await until(() => /timeZone/.test(lastStatus(r1).text ?? ""), "the rules node's status naming the field");
    assert.equal(lastStatus(r1).fill, "red");
    const spy = helper.log() as { args: Array<[{ msg: unknown }]> };
    const logged = spy.args.filter(([l]) => /timeZone: "America\/Chicag" is not a time zone/.test(String(l.msg)));
    assert.ok(logged.length > 0, "the configuration's error names the field and the value");
    assert.equal((await rt.state()).requests["Auth/loginKey"]?.received ?? 0, 0, "no login tried");
  });
});
