import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { starterRules } from "../support/editor-import";
import type { Received } from "../support/node-msgs";
import { allNodes, collect, configFor, helper } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { until } from "../support/sim";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const functionNode = require("@node-red/nodes/core/function/10-function.js");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const changeNode = require("@node-red/nodes/core/function/15-change.js");

const ROOT = resolve(__dirname, "..", "..", "..");

/**
 * The dashboard example's journal table, as shipped: the starter's rules node answers the "journal command"
 * and the "state → chart, gauges and guard" function hands the rows to the table, whose first
 * column is the time as the trading time zone reads it.
 */
describe("example: the dashboard's journal shows the trading time zone", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-dash-times-" });

  async function load(config: Record<string, unknown> = {}) {
    const flow = JSON.parse(readFileSync(join(ROOT, "examples", "3 Dashboard.json"), "utf8")) as Array<
      Record<string, unknown>
    >;
    const shipped = (id: string) => flow.find((n) => n.id === id)!;
    const cfg = configFor(rt.sim, config);
    await helper.load(
      [...allNodes, functionNode, changeNode],
      [
        shipped("tsx-dash"),
        cfg.node,
        { ...shipped("tsx-dash-jcmd"), wires: [["tsx-start-rules"]] },
        {
          // The dashboard reaches the starter's rules node through a link call; here it is wired to it.
          ...starterRules("tsx-start-rules", "tsx-dash"),
          server: "cfg",
          dbFile: join(rt.dir, "j.sqlite"),
          wires: [[], [], ["tsx-dash-split"]],
        },
        { ...shipped("tsx-dash-split"), wires: [[], [], [], [], ["table"], []] },
        { id: "table", type: "helper", z: "tsx-dash" },
      ],
      cfg.credentials,
    );
    const rules = helper.getNode("tsx-start-rules");
    const jcmd = helper.getNode("tsx-dash-jcmd");
    const table = collect<Received<Array<Record<string, string>>>>(helper.getNode("table"));
    // Until the guard has synced the account, the kill switch has no state to switch: asked again.
    const rows = await until(() => {
      const last = table.at(-1)?.payload;
      if (last && Array.from(last).some((r) => r.kind === "killSwitch")) return Array.from(last);
      rules.receive({ payload: { command: "killSwitch", on: true, reason: "lunch" } });
      jcmd.receive({ payload: "" });
      return null;
    }, "the journal table with the kill switch row");
    return rows.find((r) => r.kind === "killSwitch")!;
  }

  it("gets rows whose first column is the Chicago time, named CST", async () => {
    const row = await load();
    assert.equal(Object.keys(row)[0], "local");
    assert.equal(row.local, "2026-11-25 09:00:00 CST");
    assert.equal(row.time, "2026-11-25T15:00:00.000Z");
  });

  it("gets the configuration's display zone when it names one", async () => {
    const row = await load({ timeZone: "America/New_York" });
    assert.equal(row.local, "2026-11-25 10:00:00 EST");
  });
});
