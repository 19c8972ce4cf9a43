import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Simulator } from "../../src/sim";
import type { DecisionMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { startTestSim, until } from "../support/sim";

const SATURDAY_NOON_CT = Date.parse("2026-12-05T12:00:00-06:00");
const TUESDAY_0930_CT = Date.parse("2026-12-08T09:30:00-06:00");

describe("nodes: on a simulator, the rules follow its venue clock", () => {
  let sim: Simulator;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), "topstepx-venue-"));
    sim = await startTestSim({ clock: { start: SATURDAY_NOON_CT } });
    // No pinned clock: the configuration node must learn the time from the simulator itself.
    helper.settings({ topstepxConfigClock: undefined });
    await helper.startServer();
  });
  after(async () => {
    await helper.unload();
    await helper.stopServer();
    helper.settings({});
    await sim.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("refuses an entry on the simulator's Saturday and takes it once the venue clock says Tuesday 09:30", async () => {
    const cfg = configFor(sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        {
          id: "r1",
          type: "topstepx-rules",
          server: "cfg",
          profile: "topstep-combine-50k",
          dbFile: join(dir, "journal.sqlite"),
          wires: [["ok"], ["no"], []],
        },
        { id: "ok", type: "helper" },
        { id: "no", type: "helper" },
      ],
      cfg.credentials,
    );
    const r1 = helper.getNode("r1");
    const ok = collect<DecisionMsg>(helper.getNode("ok"));
    const no = collect<DecisionMsg>(helper.getNode("no"));
    await until(() => /MLL \$/.test(lastStatus(r1).text ?? ""), "the rules node synced");
    r1.receive({ payload: { id: "sat", symbol: "MNQ1!", side: "buy", quantity: 1 } });
    await until(() => no.length === 1, "Saturday's refusal");
    assert.equal(no[0]!.decision.rule, "tradingWindow", no[0]!.decision.reason);

    await fetch(`${sim.restUrl}/sim/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ time: TUESDAY_0930_CT }),
    });
    // The configuration node reads the venue clock every second: retry until it has.
    for (let i = 0; ok.length === 0; i++) {
      r1.receive({ payload: { id: `tue-${i}`, symbol: "MNQ1!", side: "buy", quantity: 1 } });
      await until(() => ok.length + no.length === i + 2, `decision ${i}`);
      if (ok.length === 0) await new Promise((r) => setTimeout(r, 200));
      assert.ok(i < 25, "still refused 5 s after the venue clock moved");
    }
    assert.equal(ok.length, 1);
  });
});
