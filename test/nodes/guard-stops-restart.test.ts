import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Journal } from "../../src/core/journal/journal";
import { guardFlow } from "../support/guard-flow";
import { helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, until } from "../support/sim";
import { BUY, S, SELL } from "../support/trading";

/**
 * Guard stops across a restart of the flow (the same journal file), a drop of the hubs, and guard
 * stops switched off, in the real Node-RED runtime on the simulator. The guard resting at the
 * gateway is adopted by its tag and fitted to the position as it is now: never a second one.
 */
describe("node: topstepx-rules guard stops across restarts and reconnections", function () {
  this.timeout(30_000);
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-guard-rs-", sim: { market: { partialFills: false } } });
  let mnq: string;
  const g = guardFlow(rt, () => mnq);

  before(async () => {
    mnq = (await frontMonth((await login(rt.sim)).api, "MNQ")).id;
  });
  beforeEach(() => setPrice(rt.sim, mnq, 25_000));
  afterEach(() => restClient(rt.sim).post("/sim/faults", { clear: true }));

  async function guarded(size: number) {
    const gs = await until(async () => {
      const x = await g.guards();
      return (await g.position()) === size && x.length === 1 && x[0]!.size === size ? x : null;
    }, `one guard for ${size}`);
    return gs[0]!;
  }

  /** Closes part of the position at the gateway directly, as the trader would in TopstepX. */
  async function partialClose(size: number) {
    const { api } = await login(rt.sim);
    const r = await api.post("/api/Position/partialCloseContract", { accountId: ACCOUNT, contractId: mnq, size });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
  }

  const journalActions = () => {
    const j = new Journal(join(rt.dir, "journal.sqlite"));
    try {
      return j.entries({ kind: "guard" }).map((e) => (e.data as { action: string }).action);
    } finally {
      j.close();
    }
  };

  it("adopts the guard left resting by the last run: the same order, no request to place one", async () => {
    let n = await g.load();
    await g.byHand(BUY, 2);
    const first = await guarded(2);
    const placed = await g.executed("Order/place");
    const modified = await g.executed("Order/modify");
    await helper.unload();
    assert.equal((await g.guards())[0]?.id, first.id, "the guard stays at the gateway while Node-RED is down");
    n = await g.load();
    await until(() => g.view(n)?.orderId === first.id, "the guard adopted");
    assert.equal(await g.executed("Order/place"), placed, "no order placed");
    assert.equal(await g.executed("Order/modify"), modified, "nothing modified: the level did not move");
    assert.deepEqual(
      (await g.guards()).map((o) => [o.id, o.size]),
      [[first.id, 2]],
    );
    assert.match(lastStatus(n.r1).text ?? "", /^\$[\d,]+ left · guard /);
  });

  it("resizes the adopted guard to a position partly closed while Node-RED was down", async () => {
    let n = await g.load();
    await g.byHand(BUY, 3);
    const first = await guarded(3);
    const placed = await g.executed("Order/place");
    await helper.unload();
    await partialClose(2);
    n = await g.load();
    const after = await guarded(1);
    assert.equal(after.id, first.id, "the same guard, resized");
    assert.ok(after.stopPrice! < first.stopPrice!, "a 1-lot has more room per tick: its guard sits lower");
    assert.equal(await g.executed("Order/place"), placed, "no second guard placed");
    await until(() => g.view(n)?.quantity === 1, "the view shows it");
    assert.ok(journalActions().includes("modified"));
  });

  it("cancels the guard of a position closed while Node-RED was down", async () => {
    await g.load();
    await g.byHand(BUY, 1);
    await guarded(1);
    await helper.unload();
    await partialClose(1).catch(async () => {
      const { api } = await login(rt.sim);
      await api.post("/api/Position/closeContract", { accountId: ACCOUNT, contractId: mnq });
    });
    await g.load();
    await until(async () => (await g.guards()).length === 0, "the guard cancelled");
    assert.equal(await g.position(), 0);
  });

  it("replaces the adopted guard of a position flipped while Node-RED was down: never a sell stop left on a short", async () => {
    await g.load();
    await g.byHand(BUY, 2);
    const first = await guarded(2);
    await helper.unload();
    await g.byHand(SELL, 4);
    await g.load();
    const after = await until(async () => {
      const gs = await g.guards();
      return (await g.position()) === -2 && gs.length === 1 && gs[0]!.side === BUY ? gs[0] : null;
    }, "one buy-stop guard for the short 2");
    assert.notEqual(after!.id, first.id);
    assert.equal(after!.size, 2);
    assert.equal((await g.guardsEver()).find((o) => o.id === first.id)?.status, S.Cancelled, "the old guard cancelled");
    assert.equal(await g.position(), -2, "short 2, not more");
  });

  for (const change of ["partly closed", "added to"] as const) {
    it(`fits the guard to a position ${change} while the hubs were down, after the re-sync: never two guards`, async () => {
      const n = await g.load();
      await g.byHand(BUY, 2);
      const first = await guarded(2);
      const placed = await g.executed("Order/place");
      await restClient(rt.sim).post("/sim/faults", { rejectUpgrades: 1000, dropHubs: "all" });
      await until(() => n.st.at(-1)?.payload.synced === false, "the rules node to lose the live account");
      if (change === "partly closed") await partialClose(1);
      else await g.byHand(BUY, 2);
      const want = change === "partly closed" ? 1 : 4;
      let most = 0;
      const watch = setInterval(() => {
        void g.guards().then((x) => (most = Math.max(most, x.length)));
      }, 20);
      try {
        await restClient(rt.sim).post("/sim/faults", { rejectUpgrades: 0 });
        await until(() => n.st.at(-1)?.payload.synced === true, "synced again", 20_000);
        const after = await guarded(want);
        assert.equal(after.id, first.id, "the same guard, resized");
      } finally {
        clearInterval(watch);
      }
      assert.equal(most, 1, "never two guards");
      assert.equal(
        await g.executed("Order/place"),
        placed + (change === "added to" ? 1 : 0),
        "no guard placed (the only order is the trader's own buy)",
      );
    });
  }

  it("cancels a guard left by an earlier run when guard stops are switched off, and warns in the status", async () => {
    await g.load();
    await g.byHand(BUY, 2);
    await guarded(2);
    await helper.unload();
    const n = await g.load({ guardStops: false });
    await until(async () => (await g.guards()).length === 0, "the guard cancelled");
    await until(() => /guard stops off/.test(lastStatus(n.r1).text ?? ""), "the status warning");
    assert.equal(lastStatus(n.r1).fill, "yellow");
    assert.equal(await g.position(), 2, "the position itself is left alone");
    assert.ok(journalActions().includes("cancelled"));
  });

  for (const away of ["Node-RED was down", "the hubs were down"] as const) {
    it(`treats a guard fill while ${away} as the breach it is: journaled, entries blocked`, async () => {
      let n = await g.load();
      await g.byHand(BUY, 2);
      const guard = await guarded(2);
      if (away === "Node-RED was down") await helper.unload();
      else {
        await restClient(rt.sim).post("/sim/faults", { rejectUpgrades: 1000, dropHubs: "all" });
        await until(() => n.st.at(-1)?.payload.synced === false, "the rules node to lose the live account");
      }
      await setPrice(rt.sim, mnq, guard.stopPrice! - 0.25);
      await until(async () => (await g.position()) === 0, "flat through the guard");
      if (away === "Node-RED was down") n = await g.load();
      else await restClient(rt.sim).post("/sim/faults", { rejectUpgrades: 0 });
      await until(() => n.st.at(-1)?.payload.synced === true, "synced", 20_000);
      await until(() => journalActions().includes("filled"), "the guard's fill journaled");
      await setPrice(rt.sim, mnq, 25_000);
      n.a1.receive({ payload: { symbol: "MNQ1!", side: "buy", quantity: 1 } });
      await until(() => n.refused.length === 1, "the entry refused");
      assert.match(JSON.stringify((n.refused[0] as { decision?: unknown }).decision), /flattenBuffer|maxLossLimit/);
      assert.equal(await g.position(), 0);
      // Another restart reads the same fills again: the journal has the guard's fill once.
      await helper.unload();
      await g.load();
      assert.equal(journalActions().filter((x) => x === "filled").length, 1, "one fill, journaled once");
    });
  }
});
