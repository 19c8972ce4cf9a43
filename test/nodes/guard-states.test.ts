import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Simulator } from "../../src/sim";
import { SESSION_INSTANT } from "../support/clock";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { ACCOUNT, frontMonth, login, restClient, setPrice, startTestSim, until } from "../support/sim";

interface SimState {
  positions: Array<{ contractId: string; size: number; type: number }>;
  orders: Array<{ id: number; status: number; contractId: string; size: number; side: number; customTag?: string }>;
  requests: Record<string, { received: number; executed: number }>;
}

/**
 * The guard in the states a happy path never meets: late answers, racing targets, modifies,
 * unconfirmed state, positions above the limit. Rules and order nodes run in the real Node-RED
 * runtime against the simulator; the clock is the test's.
 */
describe("node: topstepx-rules holds its limits in every state", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let dir: string;
  let clock = SESSION_INSTANT;
  const now = () => clock;
  let es: string;
  const state = async (): Promise<SimState> => (await restClient(sim).get("/sim/state")).data;
  const signedEs = async () => {
    const p = (await state()).positions.find((x) => x.contractId === es);
    return p ? (p.type === 2 ? -p.size : p.size) : 0;
  };

  before(async () => {
    sim = await startTestSim({ now });
    const { api } = await login(sim);
    es = (await frontMonth(api, "ES")).id;
    helper.settings({ topstepxConfigClock: { now } });
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    helper.settings({});
    await sim.close();
  });
  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "topstepx-guard-"));
    clock = SESSION_INSTANT;
    await restClient(sim).post("/sim/reset");
    await setPrice(sim, es, 6800);
  });
  afterEach(async () => {
    await helper.unload();
    await restClient(sim).post("/sim/faults", { clear: true });
    rmSync(dir, { recursive: true, force: true });
  });

  /** rules → order, as the webhook example wires them; outputs collected. */
  async function load(rules: Record<string, unknown> = {}) {
    const cfg = configFor(sim);
    const flow = [
      cfg.node,
      { id: "r1", type: "topstepx-rules", server: "cfg", profile: "topstep-combine-50k", dbFile: join(dir, "journal.sqlite"), ...rules, wires: [["o1"], ["no"], ["st"]] },
      { id: "o1", type: "topstepx-order", server: "cfg", wires: [["placed"], ["failed"]] },
      { id: "no", type: "helper" }, { id: "st", type: "helper" }, { id: "placed", type: "helper" }, { id: "failed", type: "helper" },
    ];
    await helper.load(allNodes, flow, cfg.credentials);
    const r1 = helper.getNode("r1");
    const out = { r1, no: collect(helper.getNode("no")), st: collect(helper.getNode("st")), placed: collect(helper.getNode("placed")), failed: collect(helper.getNode("failed")) };
    await until(() => /MLL \$/.test(lastStatus(r1).text ?? ""), "the rules node to be synced");
    return out;
  }

  it("keeps orders whose answer is late reserved against max contracts until the gateway answers", async () => {
    const { r1, no, placed, failed } = await load();
    // Every Order/place waits 3 s at the gateway before it runs; meanwhile the test's clock passes
    // the 15 s an approval used to be reserved for, and a second wave of alerts arrives.
    await restClient(sim).post("/sim/faults", { latency: { "Order/place": 3000 } });
    for (let i = 0; i < 5; i++) r1.receive({ payload: { symbol: "ES", side: "buy", quantity: 1 } });
    await until(async () => (await state()).requests["Order/place"]?.received === 5, "the first wave on its way to the gateway");
    clock += 15_500;
    for (let i = 0; i < 5; i++) r1.receive({ payload: { symbol: "ES", side: "buy", quantity: 1 } });
    await until(() => no.length + placed.length + failed.length === 10, "every alert refused or answered", 20_000);
    assert.ok(Math.abs(await signedEs()) <= 5, `never more than 5 ES (holding ${await signedEs()})`);
    assert.equal(no.length, 5, "the second wave is refused");
    assert.ok(no.every((m) => m.decision.rule === "maxContracts"), "by maxContracts, counting the unanswered orders");
    assert.equal(await signedEs(), 5, "5 ES, the limit");
    assert.equal((await state()).requests["Order/place"]?.executed, 5, "five placements reached the gateway");
  });
});
