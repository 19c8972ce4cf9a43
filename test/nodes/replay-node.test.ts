import { strict as assert } from "node:assert";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import type { Simulator } from "../../src/sim";
import { callsOn } from "../support/node-calls";
import { collect, configFor, configNode, helper, lastStatus } from "../support/node-red";
import { startTestSim, until } from "../support/sim";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const replayNode = require("../../nodes/topstepx-replay/topstepx-replay");
// Node-RED's own inject and change nodes, as the example uses them.
const coreNode = (path: string) =>
  require(require.resolve(`@node-red/nodes/core/${path}`, { paths: [require.resolve("node-red")] }));
const injectNode = coreNode("common/20-inject.js");
const changeNode = coreNode("function/15-change.js");
const functionNode = coreNode("function/10-function.js");

const ROOT = resolve(__dirname, "..", "..", "..");
const FIXTURES = join(ROOT, "test", "fixtures", "replay");
const EXAMPLE = join(ROOT, "examples", "9 Replay a strategy.json");

interface ReportMsg {
  payload: Array<{
    profile: string;
    verdict: string;
    firstBreach: { rule: string; day: string; equity: number } | null;
  }>;
  table: string;
  html: string;
}

interface FlowNode {
  id: string;
  type: string;
  payload?: string;
  wires?: string[][];
  [k: string]: unknown;
}

function flow(extra: Record<string, unknown> = {}) {
  return [
    {
      id: "rp",
      type: "topstepx-replay",
      name: "",
      profile: "",
      symbol: "MNQ",
      tz: "America/Chicago",
      wires: [["out"]],
      ...extra,
    },
    { id: "out", type: "helper" },
  ];
}

/** The example's sample export, as its inject node ships it. */
const exampleNodes = () => JSON.parse(readFileSync(EXAMPLE, "utf8")) as FlowNode[];
const sample = () => exampleNodes().find((n) => n.type === "inject")!.payload!;

describe("node: topstepx-replay", function () {
  this.timeout(30_000);
  let sim: Simulator;
  let dir: string;

  before(async () => {
    sim = await startTestSim();
    dir = mkdtempSync(join(tmpdir(), "topstepx-replay-node-"));
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });
  afterEach(() => helper.unload());

  it("judges the example's export per profile without a connection: the 50Ks fail on the MLL through trade 3's Drawdown", async () => {
    await helper.load([replayNode], flow());
    const out = collect(helper.getNode("out"));
    helper.getNode("rp").receive({ payload: sample() });
    await until(() => out.length === 1, "the reports");
    const reports = (out[0] as unknown as ReportMsg).payload;
    const verdicts = Object.fromEntries(reports.map((r) => [r.profile, r.verdict]));
    assert.deepEqual(verdicts, {
      "topstep-combine-50k": "failed",
      "topstep-combine-100k": "not-yet",
      "topstep-combine-150k": "not-yet",
      "topstep-xfa-50k": "failed",
      "topstep-xfa-100k": "passed",
      "topstep-xfa-150k": "passed",
    });
    // Two days net $2,500 less 2 trades × 10 MNQ sides × $0.62: $52,487.60; floor capped at $50,000.
    // Trade 3 at its worst: −$2,700, its entry's $3.10 and the $3.10 it would cost to close: $49,781.40.
    const b = reports[0]!.firstBreach!;
    assert.deepEqual([b.rule, b.day, b.equity], ["maxLossLimit", "2026-03-04", 49_781.4]);
    assert.equal(lastStatus(helper.getNode("rp")).text, "6 profiles: 2 passed");
    const msg = out[0] as unknown as ReportMsg;
    assert.match(msg.table, /^topstep-combine-50k\s+failed\s+maxLossLimit/m);
    assert.match(msg.html, /<canvas/);
    assert.equal("curve" in reports[0]!, false, "reports without their curves");
  });

  it("shows one profile's verdict and its first broken rule in the status, from msg.profile", async () => {
    await helper.load([replayNode], flow());
    const out = collect(helper.getNode("out"));
    helper.getNode("rp").receive({ payload: sample(), profile: "topstep-combine-50k" });
    await until(() => out.length === 1, "the report");
    assert.deepEqual(lastStatus(helper.getNode("rp")), {
      fill: "red",
      shape: "dot",
      text: "50K Combine: failed (max loss limit 03-04)",
    });
  });

  it("refuses a bad file naming its line and column, and sends nothing", async () => {
    await helper.load([replayNode], flow());
    const rp = helper.getNode("rp");
    const out = collect(helper.getNode("out"));
    rp.receive({ filename: join(FIXTURES, "bad-date.csv") });
    await until(() => callsOn(rp, "error").length === 1, "the error");
    const [err] = callsOn(rp, "error")[0]!;
    assert.match(String(err), /line 3, column "Date\/Time": "03\/02\/2026 9:30 AM" is not a date and time/);
    assert.equal(lastStatus(rp).fill, "red");
    assert.match(lastStatus(rp).text ?? "", /^line 3/);
    assert.equal(out.length, 0);
  });

  it("refuses a plain CSV of fills without a connection, saying why", async () => {
    await helper.load([replayNode], flow());
    const rp = helper.getNode("rp");
    rp.receive({ payload: join(FIXTURES, "fills.csv") });
    await until(() => callsOn(rp, "error").length === 1, "the error");
    assert.match(String(callsOn(rp, "error")[0]![0]), /states no P&L: select a connection/);
  });

  it("prices a plain CSV of fills from the gateway's contracts through a connection", async () => {
    const cfg = configFor(sim);
    await helper.load(
      [configNode, replayNode],
      [cfg.node, ...flow({ server: "cfg", profile: "topstep-combine-50k" })],
      cfg.credentials,
    );
    const file = join(dir, "fills.csv");
    // Only MNQ, closed: long 3 at 21,001 average out at 21,020 (19 × 3 × $2 = $114), short 3 at 21,025
    // back at 21,005 (20 × 3 × $2 = $120), 12 sides × $0.62 = $7.44.
    writeFileSync(
      file,
      readFileSync(join(FIXTURES, "fills.csv"), "utf8")
        .split("\n")
        .filter((l) => !l.includes(",ES,"))
        .join("\n"),
    );
    const out = collect(helper.getNode("out"));
    const rp = helper.getNode("rp");
    const send = () => rp.receive({ filename: file });
    // The connection starts after the load: until it has, the file is refused for want of prices.
    await until(
      async () => {
        send();
        await new Promise((r) => setImmediate(r));
        return out.length > 0;
      },
      "a priced report",
      15_000,
    );
    const [report] = (out[0] as unknown as { payload: Array<{ dailyPnl: Record<string, number>; costs: number }> })
      .payload;
    assert.deepEqual([report!.costs, report!.dailyPnl], [7.44, { "2026-03-02": 226.56 }]);
  });

  it("serves the last report's page on the editor's admin API", async () => {
    await helper.load([replayNode], flow());
    assert.equal((await helper.request().get("/topstepx-replay/rp/report.html")).status, 404);
    const out = collect(helper.getNode("out"));
    helper.getNode("rp").receive({ payload: sample() });
    await until(() => out.length === 1, "the report");
    const page = await helper.request().get("/topstepx-replay/rp/report.html");
    assert.equal(page.status, 200);
    assert.match(page.text, /<canvas/);
    assert.match(page.text, /topstep-combine-50k/);
  });

  it("runs the example's shipped nodes: inject → replay → the table for the debug, the page kept for the http page", async () => {
    const all = exampleNodes();
    const debug = all.find((n) => n.type === "debug")!;
    assert.equal(debug.complete, "table", "the debug shows msg.table");
    const nodes = all.filter(
      (n) => ["inject", "topstepx-replay", "change", "function"].includes(n.type) && n.id !== "tsx-replay-page",
    );
    const replay = nodes.find((n) => n.type === "topstepx-replay")!;
    const keep = nodes.find((n) => n.type === "change")!;
    const rowsFn = nodes.find((n) => n.type === "function")!;
    // The example's connection is the local simulator's; a TradingView export needs none.
    await helper.load(
      [injectNode, changeNode, functionNode, replayNode],
      [
        ...nodes.map((n) =>
          n.type === "topstepx-replay"
            ? { ...n, server: "", wires: [[keep.id, rowsFn.id, "out"]] }
            : n.type === "function"
              ? { ...n, wires: [["rows"]] }
              : n,
        ),
        { id: "out", type: "helper", z: replay.z },
        { id: "rows", type: "helper", z: replay.z },
        { id: replay.z, type: "tab" },
      ],
    );
    const out = collect(helper.getNode("out"));
    const rows = collect<{ _msgid: string; payload: Array<Record<string, string>> }>(helper.getNode("rows"));
    helper.getNode(nodes.find((n) => n.type === "inject")!.id).receive({});
    await until(() => out.length === 1, "the example's reports");
    assert.match((out[0] as unknown as ReportMsg).table, /^topstep-xfa-150k\s+passed/m);
    assert.equal(lastStatus(helper.getNode(replay.id)).text, "6 profiles: 2 passed");
    // The dashboard page's table: one row per profile, the 50K Combine failed at the MLL on 03-04.
    const table = await until(() => rows[0]?.payload, "the dashboard's rows");
    assert.equal(table.length, 6);
    const combine = table.find((r) => r.profile === "topstep-combine-50k")!;
    assert.deepEqual([combine.verdict, combine["first rule broken"]], ["failed", "maxLossLimit"]);
    assert.match(combine.when!, /^2026-03-04 /);
    await until(
      () => /<canvas/.test(String(helper.getNode(keep.id).context().flow.get("replayHtml") ?? "")),
      "the page kept",
    );
  });
});
