import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { starterRules } from "../support/editor-import";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, setPrice, until } from "../support/sim";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const functionNode = require("@node-red/nodes/core/function/10-function.js");

const ROOT = resolve(__dirname, "..", "..", "..");

/** A point of the "equity vs floor" chart as the example's function sends it to ui-chart. */
interface Point {
  series: string;
  x: number;
  y: number;
}

/**
 * The dashboard example's rules node and its "report → equity vs floor" function, as shipped, on
 * the simulator: the chart's balance, MLL floor and daily-loss line, and the day's summary line.
 */
describe("example: the dashboard charts equity against the floor from the day report", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-dash-report-" });
  let mes: string;

  before(async () => {
    const { api } = await login(rt.sim);
    mes = (await frontMonth(api, "MES")).id;
  });

  it("draws the balance after a round trip above the 48,000 floor and the 49,000 daily-loss line", async () => {
    const flow = JSON.parse(readFileSync(join(ROOT, "examples", "3 Dashboard.json"), "utf8")) as Array<
      Record<string, unknown>
    >;
    const shipped = (id: string) => flow.find((n) => n.id === id)!;
    const cfg = configFor(rt.sim);
    await helper.load(
      [...allNodes, functionNode],
      [
        shipped("tsx-dash"),
        cfg.node,
        {
          ...starterRules("tsx-start-rules", "tsx-dash"),
          server: "cfg",
          dbFile: join(rt.dir, "j.sqlite"),
          wires: [[], [], ["tsx-dash-curve"]],
        },
        { ...shipped("tsx-dash-curve"), wires: [["chart"], ["today"]] },
        { id: "chart", type: "helper", z: "tsx-dash" },
        { id: "today", type: "helper", z: "tsx-dash" },
      ],
      cfg.credentials,
    );
    const rules = helper.getNode("tsx-start-rules");
    const chart = collect<{ _msgid: string; payload: Point[] }>(helper.getNode("chart"));
    const today = collect(helper.getNode("today"));
    await until(() => /MLL \$/.test(lastStatus(rules).text ?? ""), "the rules node guarding its account");
    // One MES: bought at 6800.25, sold at 6810: +48.75, less 1.24 of fees and commissions.
    const { api } = await login(rt.sim);
    await setPrice(rt.sim, mes, 6800, { bid: 6800, ask: 6800.25 });
    await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mes, type: 2, side: 0, size: 1 });
    await until(async () => (await rt.state()).positions.length === 1, "the position");
    await setPrice(rt.sim, mes, 6810, { bid: 6810, ask: 6810.25 });
    await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mes, type: 2, side: 1, size: 1 });
    await until(async () => (await rt.state()).positions.length === 0, "flat");
    const inject = shipped("tsx-dash-rtick") as { payload: string };
    await until(() => {
      rules.receive({ payload: JSON.parse(inject.payload) });
      return today.some((m) => /^2026-11-25: net \$47\.51/.test(String(m.payload)));
    }, "the day's line with the round trip");
    const points = chart.at(-1)!.payload;
    // Array.from: the function node's arrays come from its own VM context, which deepEqual tells apart.
    const series = (name: string) =>
      Array.from(
        points.filter((p) => p.series === name),
        (p) => p.y,
      );
    assert.deepEqual(series("balance"), [50000, 49999.38, 50047.51, 50047.51]);
    assert.ok(
      series("MLL floor").every((y) => y === 48000),
      "the floor line",
    );
    assert.ok(
      series("daily loss line").every((y) => y === 49000),
      "the daily-loss line",
    );
    assert.equal(
      today.at(-1)!.payload,
      "2026-11-25: net $47.51 (fees and commissions $1.24) · 1 trades, 100% won · max drawdown $0.62 · headroom $2047.51",
    );
  });
});
