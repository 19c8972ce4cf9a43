import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Simulator } from "../../src/sim";
import { SESSION_INSTANT } from "../support/clock";
import { callsOn, statusOf } from "../support/node-calls";
import { type MarketMsg, quoteOf, type StateMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper } from "../support/node-red";
import { frontMonth, login, restClient, setPrice, startTestSim, until } from "../support/sim";

describe("nodes: starting and refusing to start without stopping Node-RED", () => {
  let sim: Simulator;
  let dir: string;
  const now = () => SESSION_INSTANT;
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);

  before(async () => {
    sim = await startTestSim({ now });
    helper.settings({ topstepxConfigClock: { now } });
    await helper.startServer();
    process.on("unhandledRejection", onUnhandled);
  });
  after(async () => {
    process.off("unhandledRejection", onUnhandled);
    await helper.stopServer();
    helper.settings({});
    await sim.close();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "topstepx-life-"));
    unhandled.length = 0;
    await restClient(sim).post("/sim/reset");
  });
  afterEach(async () => {
    await helper.unload();
    rmSync(dir, { recursive: true, force: true });
  });

  it("shows a refused market subscription in red, keeps Node-RED running, and subscribes once the gateway allows it", async () => {
    const { api } = await login(sim);
    const mnq = (await frontMonth(api, "MNQ")).id;
    const cfg = configFor(sim);
    // The connection first, so that the market node subscribes on a connected hub.
    const base = [cfg.node, { id: "a1", type: "topstepx-account", server: "cfg", wires: [[]] }];
    await helper.load(allNodes, base, cfg.credentials);
    await until(() => helper.getNode("cfg").connection?.status().state === "connected", "the connection up");
    await restClient(sim).post("/sim/faults", { refuseSubscriptions: 1000 });
    await helper.setFlows(
      [
        ...base,
        { id: "m1", type: "topstepx-market", server: "cfg", symbols: "MNQ", quotes: true, wires: [["out"]] },
        { id: "out", type: "helper" },
      ],
      "nodes",
      cfg.credentials,
    );
    const m1 = helper.getNode("m1");
    const out = collect<MarketMsg>(helper.getNode("out"));
    await until(() => /Subscription refused/.test(statusOf(m1).text ?? ""), "a red status naming the refusal");
    assert.equal(statusOf(m1).fill, "red");
    assert.match(statusOf(m1).text ?? "", /^MNQ: Subscription refused/);
    assert.ok(
      callsOn(m1, "error").some((a) => /Subscription refused/.test(String(a[0]))),
      "the refusal logged",
    );
    await restClient(sim).delete("/sim/faults");
    await until(() => statusOf(m1).text === "1 contract(s)", "subscribed on a retry", 8000);
    await setPrice(sim, mnq, 21111);
    await until(() => out.some((m) => quoteOf(m)?.lastPrice === 21111), "quotes flowing after the retry");
    assert.deepEqual(unhandled, [], "no unhandled rejection");
  });

  it("says once, in red, which rules node already guards the account; a dashboard's polling logs nothing more", async () => {
    const cfg = configFor(sim);
    const rules = {
      type: "topstepx-rules",
      server: "cfg",
      profile: "topstep-combine-50k",
      dbFile: join(dir, "journal.sqlite"),
    };
    await helper.load(
      allNodes,
      [
        cfg.node,
        { id: "r1", name: "Combine guard", ...rules, wires: [[], [], ["st1"]] },
        { id: "r2", name: "Dashboard rules", ...rules, wires: [[], [], ["st2"]] },
        { id: "st1", type: "helper" },
        { id: "st2", type: "helper" },
      ],
      cfg.credentials,
    );
    const r1 = helper.getNode("r1");
    const r2 = helper.getNode("r2");
    const st2 = collect<StateMsg>(helper.getNode("st2"));
    await until(() => /MLL \$/.test(statusOf(r1).text ?? ""), "the first node guarding");
    await until(() => /guarded by/.test(statusOf(r2).text ?? ""), "the second node refusing");
    // The Dashboard example asks for the journal every 2 s: 30 polls are a minute of it.
    for (let i = 0; i < 30; i++) r2.receive({ payload: { command: "journal", limit: 20 } });
    r2.receive({ payload: { command: "state" } });
    // Something happening on the first node, so that anything the second one would say has had time to show.
    r1.receive({ payload: { command: "killSwitch", on: true } });
    await until(() => statusOf(r1).text === "kill switch on", "the first node answering");
    const state = await until(() => st2.find((m) => m.topic === "state"), "the answer to the state command");
    assert.deepEqual([statusOf(r2).fill, statusOf(r2).text], ["red", "guarded by Combine guard"]);
    const errors = callsOn(r2, "error").map((a) => String(a[0]));
    assert.equal(errors.length, 1, `one error, got ${errors.join(" | ")}`);
    assert.match(errors[0]!, /already guarded by rules node "Combine guard" \(r1\)/);
    assert.ok(
      st2.every((m) => m.payload.headroom === null),
      "no headroom claimed on the second node's state output",
    );
    assert.deepEqual(
      [state?.payload.event, state?.payload.guardedBy, state?.payload.headroom],
      ["refused", "r1", null],
      "the state command tells who guards",
    );
  });
});
