import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { starterRules } from "../support/editor-import";
import { allNodes, collect, configFor, helper } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, setPrice, until } from "../support/sim";
import { BUY, T } from "../support/trading";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const functionNode = require("@node-red/nodes/core/function/10-function.js");

const ROOT = resolve(__dirname, "..", "..", "..");

/**
 * The dashboard example's rules node and its "state → chart, gauges and guard" function, as
 * shipped, in the test runtime on the simulator: the guard stops line a trader reads on the
 * dashboard (the function's sixth output, shown by a ui-text).
 */
describe("example: the dashboard shows the guard stops", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-dash-guard-", sim: { market: { partialFills: false } } });
  let mnq: string;

  before(async () => {
    const { api } = await login(rt.sim);
    mnq = (await frontMonth(api, "MNQ")).id;
  });
  beforeEach(() => setPrice(rt.sim, mnq, 25_000));

  async function load(rules: Record<string, unknown> = {}) {
    const flow = JSON.parse(readFileSync(join(ROOT, "examples", "3 Dashboard.json"), "utf8")) as Array<
      Record<string, unknown>
    >;
    const shipped = (id: string) => flow.find((n) => n.id === id)!;
    const split = shipped("tsx-dash-split");
    assert.equal(split.outputs, 6, "the function's sixth output feeds the guard stops line");
    const cfg = configFor(rt.sim);
    await helper.load(
      [...allNodes, functionNode],
      [
        shipped("tsx-dash"),
        cfg.node,
        // The starter's rules node, which the dashboard's link call asks for its state.
        {
          ...starterRules("tsx-start-rules", "tsx-dash"),
          server: "cfg",
          dbFile: join(rt.dir, "j.sqlite"),
          ...rules,
          wires: [[], [], ["tsx-dash-split"]],
        },
        { ...split, wires: [[], [], [], [], [], ["line"]] },
        { id: "line", type: "helper", z: "tsx-dash" },
      ],
      cfg.credentials,
    );
    return collect(helper.getNode("line"));
  }

  it("names each guarded position's level and the dollars left above the floor, and the floor while flat", async () => {
    const lines = await load();
    // The tightest floor in force: the example's $1,000 daily loss, which flattens, above the MLL's $48,200.
    await until(() => lines.at(-1)?.payload === "no position · $1,000 left above $49,000", "the flat line");
    const { api } = await login(rt.sim);
    const r = await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: mnq,
      type: T.Market,
      side: BUY,
      size: 2,
    });
    assert.equal(r.data.success, true);
    // $997.52 of room above $49,000 after the entry's and the exit's $1.24, less 4 ticks of slippage,
    // is 993.52 ticks of $1 below the entry at 25,000.25: 24,751.87, up to the grid.
    await until(() => /^MNQZ26 2 @ 24,752 · \$99\d left$/.test(String(lines.at(-1)?.payload)), "the guard on the line");
  });

  it('says "guard stops off" when the rules node\'s checkbox is off', async () => {
    const lines = await load({ guardStops: false });
    await until(() => /^guard stops off/.test(String(lines.at(-1)?.payload)), "the warning on the line");
  });
});
