import { strict as assert } from "node:assert";
import type { GatewayConnection } from "../../src/core/connection";
import { guardFlow } from "../support/guard-flow";
import { helper } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, until } from "../support/sim";
import { BUY, S, SELL, T } from "../support/trading";

/**
 * Partial exits and scale-ins sent as alerts (alert → rules → order) beside a guard stop, in the real
 * Node-RED runtime on the simulator: the guard follows the position, and an exit at market makes
 * room first, so the exit and the guard can never both fill and reverse the account.
 */
describe("node: topstepx-rules guard stops through exits and scale-ins", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-guard-ex-", sim: { market: { partialFills: false } } });
  let mnq: string;
  const g = guardFlow(rt, () => mnq);

  before(async () => {
    mnq = (await frontMonth((await login(rt.sim)).api, "MNQ")).id;
  });
  beforeEach(() => setPrice(rt.sim, mnq, 25_000));
  afterEach(() => restClient(rt.sim).post("/sim/faults", { clear: true }));

  /** One guard, for the whole position, once the account settled. */
  async function guardFor(size: number) {
    return until(async () => {
      const gs = await g.guards();
      return (await g.position()) === size && gs.length === 1 && gs[0]!.size === size ? gs[0] : null;
    }, `one guard for ${size}`);
  }

  it("keeps one guard equal to the position through partial exits and scale-ins, and cancels it when flat", async () => {
    const n = await g.load();
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 2 });
    const first = await guardFor(2);
    await g.alert(n, { symbol: "MNQ1!", action: "exit", quantity: 1 });
    await guardFor(1);
    await g.quoted();
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 3 });
    await guardFor(4);
    await g.alert(n, { symbol: "MNQ1!", side: "sell", quantity: 1 });
    const last = await guardFor(3);
    assert.equal(last!.id, first!.id, "the same guard order, resized each time");
    assert.equal((await g.guardsEver()).length, 1, "no second guard was ever placed");
    await g.alert(n, { symbol: "MNQ1!", action: "exit" });
    await until(async () => (await g.position()) === 0 && (await g.guards()).length === 0, "flat, the guard cancelled");
    const sold = (await g.orders()).filter((o) => o.status === S.Filled && o.side === SELL);
    assert.equal(
      sold.reduce((q, o) => q + o.size, 0),
      5,
      "sold what was bought, no more",
    );
  });

  it("holds an exit's room until the position shows it: no guard grows back when the fill's events come after the exit's answer", async () => {
    const n = await g.load();
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 2 });
    await guardFor(2);
    const placedBefore = (await g.guardsEver()).length;
    // A slow link: the gateway's answers arrive before its hub events, as they can live.
    await restClient(rt.sim).post("/sim/faults", { userEventDelayMs: 300 });
    await g.alert(n, { symbol: "MNQ1!", side: "sell", quantity: 2 });
    await until(
      () => (helper.getNode("cfg").connection as GatewayConnection).book(ACCOUNT)?.positions.size === 0,
      "our book flat once the delayed events came",
    );
    await until(async () => (await g.guards()).length === 0, "no guard working");
    await until(() => n.st.at(-1)?.payload.guards?.contracts.length === 0, "the rules showing no guarded contract");
    assert.equal((await g.guardsEver()).length, placedBefore, "no guard placed again on the closed position");
    assert.equal(await g.position(), 0, "flat, never short");
  });

  const exits = [
    { name: "a sell at market", body: { side: "sell", quantity: 2 }, endpoint: "Order/place", size: 2 },
    { name: "a close", body: { action: "exit" }, endpoint: "Position/closeContract", size: 2 },
    {
      name: "a partial close",
      body: { action: "exit", quantity: 1 },
      endpoint: "Position/partialCloseContract",
      size: 1,
    },
  ];
  for (const x of exits) {
    it(`never reverses the account when the price falls through the guard while ${x.name} is on its way`, async () => {
      const n = await g.load();
      await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 2 });
      const guard = await guardFor(2);
      // The market sits a tick above the guard; the exit reaches the gateway late.
      await setPrice(rt.sim, mnq, guard!.stopPrice! + 0.25);
      await restClient(rt.sim).post("/sim/faults", { latency: { [x.endpoint]: 400 } });
      const received = async () => (await rt.state()).requests[x.endpoint]?.received ?? 0;
      const before = await received();
      n.a1.receive({ payload: { symbol: "MNQ1!", ...x.body } });
      await until(async () => (await received()) > before, "the exit at the gateway");
      // While it waits there, the market trades through the guard's stop.
      await setPrice(rt.sim, mnq, guard!.stopPrice! - 0.25);
      await until(() => n.done.length + n.failed.length === 2, "the exit's answer");
      await until(
        async () => (await g.position()) !== 2 && (await g.working()).length === 0,
        "the account settled, nothing left working",
      );
      const fills = (await g.orders()).filter((o) => o.status === S.Filled);
      assert.deepEqual(fills[0] && [fills[0].side, fills[0].size], [BUY, 2], "the entry");
      assert.ok(
        fills.slice(1).every((o) => o.side === SELL),
        `nothing bought back: ${JSON.stringify(fills.map((o) => [o.side, o.size, o.customTag]))}`,
      );
      assert.equal(
        fills.slice(1).reduce((q, o) => q + o.size, 0),
        2,
        "2 contracts sold in all: the account never reversed",
      );
      assert.equal(await g.position(), 0);
      const guardFills = (await g.guardsEver()).filter((o) => o.status === S.Filled);
      // A whole exit made room first: the guard was gone before the market reached it. A partial one
      // left the guard the contract it kept: that one filled, and the rules closed the rest (the
      // floor was reached), the late partial close finding nothing left to sell.
      assert.equal(guardFills.length, x.size === 2 ? 0 : 1, "the guard filled only for what it still held");
      assert.equal((await g.guardsEver()).length, 1, "no second guard was ever placed");
    });
  }

  it("makes room for an exit sent while the hubs are down, so the exit and the guard cannot both fill", async () => {
    const n = await g.load();
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 2 });
    const guard = await guardFor(2);
    await setPrice(rt.sim, mnq, guard!.stopPrice! + 0.25);
    await restClient(rt.sim).post("/sim/faults", { rejectUpgrades: 1000, dropHubs: "all" });
    await until(() => n.st.at(-1)?.payload.synced === false, "the rules node to lose the live account");
    await restClient(rt.sim).post("/sim/faults", { latency: { "Order/place": 400 } });
    const received = async () => (await rt.state()).requests["Order/place"]?.received ?? 0;
    const before = await received();
    n.a1.receive({ payload: { symbol: "MNQ1!", side: "sell", quantity: 2 } });
    await until(async () => (await received()) > before, "the exit at the gateway");
    await setPrice(rt.sim, mnq, guard!.stopPrice! - 0.25);
    await until(() => n.done.length + n.failed.length === 2, "the exit's answer");
    await until(async () => (await g.position()) !== 2, "the exit filled");
    const sold = (await g.orders()).filter((o) => o.status === S.Filled && o.side === SELL);
    assert.deepEqual(
      sold.map((o) => o.size),
      [2],
      "the exit alone sold: the guard had made room",
    );
    assert.equal(await g.position(), 0, "never reversed");
  });

  it("replaces the guard when the position flips side: a buy stop for the short, never a sell stop left on it", async () => {
    const n = await g.load();
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 2 });
    const longGuard = await guardFor(2);
    assert.equal(longGuard!.side, SELL);
    await g.byHand(SELL, 4);
    const shortGuard = await until(async () => {
      const gs = await g.guards();
      return (await g.position()) === -2 && gs.length === 1 && gs[0]!.side === BUY && gs[0]!.size === 2 ? gs[0] : null;
    }, "one buy-stop guard for the short 2");
    assert.ok(shortGuard!.stopPrice! > 25_000, "above the market");
    assert.equal(await g.position(), -2, "short 2, as the trader flipped to: no guard sold more");
    const sold = (await g.orders()).filter((o) => o.status === S.Filled && o.side === SELL);
    assert.deepEqual(
      sold.map((o) => o.size),
      [4],
    );
  });

  it("makes room for the closing part of a flip at market: the guard and the flip never both sell", async () => {
    const n = await g.load();
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 2 });
    const guard = await guardFor(2);
    await g.quoted();
    await setPrice(rt.sim, mnq, guard!.stopPrice! + 0.25);
    await restClient(rt.sim).post("/sim/faults", { latency: { "Order/place": 400 } });
    const received = async () => (await rt.state()).requests["Order/place"]?.received ?? 0;
    const before = await received();
    n.a1.receive({ payload: { symbol: "MNQ1!", side: "sell", quantity: 4 } });
    await until(async () => (await received()) > before, "the flip at the gateway");
    await setPrice(rt.sim, mnq, guard!.stopPrice! - 0.25);
    await until(() => n.done.length + n.failed.length + n.refused.length === 2, "the flip's answer");
    await until(async () => (await g.position()) !== 2, "the flip filled");
    const sold = (await g.orders()).filter((o) => o.status === S.Filled && o.side === SELL);
    assert.deepEqual(
      sold.map((o) => o.size),
      [4],
      "the flip alone sold: the guard had made room",
    );
    assert.equal(await g.position(), -2, "short 2, as asked");
  });

  it("makes room in a managed bracket's stop for a partial exit at market: the stop and the exit never both sell", async () => {
    const n = await g.load();
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 2, stopLoss: 40, takeProfit: 800 });
    const sl = await until(
      async () => (await g.working()).find((o) => o.customTag?.endsWith("-sl") && o.size === 2),
      "the bracket's stop for 2",
    );
    await g.quoted();
    await setPrice(rt.sim, mnq, sl.stopPrice! + 0.25);
    await restClient(rt.sim).post("/sim/faults", { latency: { "Order/place": 400 } });
    const received = async () => (await rt.state()).requests["Order/place"]?.received ?? 0;
    const before = await received();
    n.a1.receive({ payload: { symbol: "MNQ1!", side: "sell", quantity: 1 } });
    await until(async () => (await received()) > before, "the exit at the gateway");
    await setPrice(rt.sim, mnq, sl.stopPrice! - 0.25);
    await until(() => n.done.length + n.failed.length === 2, "the exit's answer");
    await until(
      async () => (await g.position()) !== 2 && (await g.working()).every((o) => !o.customTag?.endsWith("-sl")),
      "the account settled",
    );
    const sold = (await g.orders()).filter((o) => o.status === S.Filled && o.side === SELL);
    assert.equal(
      sold.reduce((q, o) => q + o.size, 0),
      2,
      `2 contracts sold in all: ${JSON.stringify(sold.map((o) => [o.size, o.customTag]))}`,
    );
    assert.equal(await g.position(), 0, "never reversed");
  });

  it("makes room for an exit that arrives while the guard's own placement is still on its way", async () => {
    const n = await g.load();
    const { api } = await login(rt.sim);
    // A resting buy that fills when the market comes down to it, with the gateway slow by then: the
    // guard's placement takes 1 s, the close 3 s.
    const r = await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: mnq,
      type: 1,
      side: BUY,
      size: 2,
      limitPrice: 24_990,
    });
    assert.equal(r.data.success, true);
    await restClient(rt.sim).post("/sim/faults", {
      latency: { "Order/place": 1_000, "Position/closeContract": 3_000 },
    });
    await setPrice(rt.sim, mnq, 24_989);
    await until(async () => (await g.position()) === 2, "long 2");
    n.a1.receive({ payload: { symbol: "MNQ1!", action: "exit" } });
    const guard = await until(
      async () => (await g.guardsEver()).find((o) => o.status === S.Cancelled),
      "the guard cancelled",
      8_000,
    );
    assert.equal(await g.position(), 2, "the room was made before the close reached the market");
    await setPrice(rt.sim, mnq, guard.stopPrice! - 0.25);
    await until(() => n.done.length + n.failed.length === 1, "the close's answer", 10_000);
    await until(async () => (await g.position()) === 0, "flat");
    const sold = (await g.orders()).filter((o) => o.status === S.Filled && o.side === SELL);
    assert.deepEqual(
      sold.map((o) => o.size),
      [2],
      "the close alone sold",
    );
  });

  for (const q of [1, 2]) {
    it(`trims native bracket legs to what ${q === 1 ? "a partial exit leaves" : "a whole exit leaves (none)"}, before it goes: no leg can reverse the account`, async () => {
      await restClient(rt.sim).post("/sim/account", { accountId: ACCOUNT, autoOcoBrackets: true });
      const n = await g.load();
      await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 2, stopLoss: 40, takeProfit: 800 });
      const sl = await until(
        async () => (await g.working()).find((o) => o.type === T.Stop && o.parentOrderId && o.size === 2),
        "the native stop-loss for 2",
      );
      await g.quoted();
      await setPrice(rt.sim, mnq, sl.stopPrice! + 0.25);
      await restClient(rt.sim).post("/sim/faults", { latency: { "Order/place": 400 } });
      const received = async () => (await rt.state()).requests["Order/place"]?.received ?? 0;
      const before = await received();
      n.a1.receive({ payload: { symbol: "MNQ1!", side: "sell", quantity: q } });
      await until(async () => (await received()) > before, "the exit at the gateway");
      const legs = (await g.working()).filter((o) => o.parentOrderId);
      assert.deepEqual(
        legs.map((o) => o.size),
        q === 1 ? [1, 1] : [],
        "the legs trimmed to what the exit leaves",
      );
      await setPrice(rt.sim, mnq, sl.stopPrice! - 0.25);
      await until(() => n.done.length + n.failed.length === 2, "the exit's answer");
      await until(
        async () => (await g.position()) !== 2 && (await g.working()).every((o) => o.type !== T.Stop),
        "settled",
      );
      const sold = (await g.orders()).filter((o) => o.status === S.Filled && o.side === SELL);
      assert.equal(
        sold.reduce((q, o) => q + o.size, 0),
        2,
        `2 contracts sold in all: ${JSON.stringify(sold.map((o) => [o.size, o.parentOrderId]))}`,
      );
      assert.equal(await g.position(), 0, "never reversed");
    });
  }
});
