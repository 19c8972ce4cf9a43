import { strict as assert } from "node:assert";
import type { Simulator } from "../../src/sim";
import type { ErrorMsg, OrderMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { ACCOUNT, frontMonth, login, restClient, setPrice, startTestSim, until } from "../support/sim";

interface SimState {
  orders: Array<{
    id: number;
    accountId: number;
    status: number;
    type: number;
    side: number;
    size: number;
    contractId: string;
    limitPrice: number | null;
    parentOrderId: number | null;
    customTag: string | null;
  }>;
  positions: Array<{ accountId: number; contractId: string; size: number; type: number }>;
  requests: Record<string, { received: number; executed: number; succeeded: number } | undefined>;
}

describe("node: topstepx-order against the simulator", () => {
  let sim: Simulator;
  let mnq: string;
  let mes: string;
  const state = async (): Promise<SimState> => (await restClient(sim).get("/sim/state")).data;

  before(async () => {
    sim = await startTestSim();
    const { api } = await login(sim);
    mnq = (await frontMonth(api, "MNQ")).id;
    mes = (await frontMonth(api, "MES")).id;
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
  beforeEach(async () => {
    await restClient(sim).post("/sim/reset");
    await setPrice(sim, mnq, 21000);
    await setPrice(sim, mes, 6800);
  });
  afterEach(() => helper.unload());

  async function load(order: Record<string, unknown>) {
    const cfg = configFor(sim);
    const flow = [
      cfg.node,
      {
        id: "o1",
        type: "topstepx-order",
        server: "cfg",
        action: "place",
        symbol: "MNQ1!",
        side: "buy",
        orderType: "market",
        quantity: "1",
        ...order,
        wires: [["ok"], ["err"]],
      },
      { id: "ok", type: "helper" },
      { id: "err", type: "helper" },
    ];
    await helper.load(allNodes, flow, cfg.credentials);
    const o1 = helper.getNode("o1");
    const ok = collect<OrderMsg>(helper.getNode("ok"));
    const err = collect<ErrorMsg>(helper.getNode("err"));
    await until(() => lastStatus(o1).text === "connected", "the order node to show connected");
    return { o1, ok, err };
  }

  it("places the dialog's market order and reports the fill", async () => {
    const { o1, ok } = await load({});
    o1.receive({ payload: Date.now() });
    await until(() => ok.length === 1, "a result");
    const r = ok[0].payload;
    assert.equal(r.action, "place");
    assert.equal(r.status, "filled");
    assert.equal(r.fillPrice, 21000.25, "a market buy fills at the ask");
    assert.equal(r.accountId, ACCOUNT);
    assert.equal(r.contractId, mnq);
    const s = await state();
    assert.deepEqual(
      s.positions.map((p) => [p.contractId, p.size]),
      [[mnq, 1]],
    );
    assert.equal(lastStatus(o1).text, "filled 1 @ 21,000.25");
  });

  it("takes every field from msg.payload: a limit sell with brackets in ticks, prices snapped to the grid", async () => {
    // Native legs (parentOrderId) need the account's Auto OCO Brackets setting.
    await restClient(sim).post("/sim/account", { accountId: ACCOUNT, autoOcoBrackets: true });
    const { o1, ok } = await load({});
    o1.receive({
      payload: {
        side: "sell",
        quantity: "2",
        type: "limit",
        limitPrice: 21010.1,
        stopLoss: 20,
        takeProfit: { ticks: 40 },
        customTag: "t-1",
      },
    });
    await until(() => ok.length === 1, "a result");
    assert.equal(ok[0].payload.status, "working");
    const s = await state();
    const parent = s.orders.find((o) => o.customTag === "t-1")!;
    assert.equal(parent.limitPrice, 21010, "21010.1 is snapped to the 0.25 grid");
    assert.equal(parent.side, 1);
    const legs = s.orders.filter((o) => o.parentOrderId === parent.id);
    assert.equal(legs.length, 2, "stop-loss and take-profit legs");
  });

  it("modifies, cancels and cancels all", async () => {
    const { o1, ok, err } = await load({ orderType: "limit", limitPrice: "20900" });
    o1.receive({ payload: {} });
    o1.receive({ payload: { symbol: "MES1!", limitPrice: 6700 } });
    await until(() => ok.length === 2, "two working orders");
    const a = ok.find((m) => m.payload.contractId === mnq)!.payload.orderId;
    const b = ok.find((m) => m.payload.contractId === mes)!.payload.orderId;
    o1.receive({ payload: { action: "modify", orderId: a, limitPrice: 20950, quantity: 3 } });
    await until(() => ok.length === 3, "modified");
    let s = await state();
    const modified = s.orders.find((o) => o.id === a)!;
    assert.deepEqual([modified.limitPrice, modified.size], [20950, 3]);
    o1.receive({ payload: { action: "cancel", orderId: a } });
    await until(() => ok.length === 4 || err.length > 0, "cancelled");
    assert.deepEqual(
      err.map((m) => m.error.message),
      [],
    );
    o1.receive({ payload: { action: "cancelAll" } });
    await until(() => ok.length === 5, "cancel all");
    assert.deepEqual(ok[4].payload.cancelledOrders, [b]);
    s = await state();
    assert.equal(s.orders.filter((o) => o.status === 1).length, 0);
  });

  it("closes and partially closes positions, and flattens the account until REST shows it flat", async () => {
    const { o1, ok } = await load({ quantity: "3" });
    o1.receive({ payload: {} });
    o1.receive({ payload: { symbol: "MES", side: "sell", quantity: 2 } });
    o1.receive({ payload: { symbol: "MES", side: "buy", type: "limit", limitPrice: 6000, quantity: 1 } });
    await until(() => ok.length === 3, "three placements");
    o1.receive({ payload: { action: "partialClose", quantity: 1 } });
    await until(() => ok.length === 4, "partial close");
    let s = await state();
    assert.equal(s.positions.find((p) => p.contractId === mnq)!.size, 2);
    o1.receive({ payload: { action: "close", symbol: "MES" } });
    await until(() => ok.length === 5, "close");
    s = await state();
    assert.equal(
      s.positions.some((p) => p.contractId === mes),
      false,
    );
    o1.receive({ payload: { action: "flatten" } });
    await until(() => ok.length === 6, "flatten");
    const f = ok[5].payload;
    assert.equal(f.flatten?.flat, true);
    assert.deepEqual(f.closedContracts, [mnq]);
    assert.equal(f.cancelledOrders?.length, 1);
    s = await state();
    assert.equal(s.positions.length, 0);
    assert.equal(s.orders.filter((o) => [1, 6, 8].includes(o.status)).length, 0);
  });

  it("finds an account by name", async () => {
    const { o1, ok } = await load({ account: "PRAC-V2-SIM-10002" });
    o1.receive({ payload: {} });
    await until(() => ok.length === 1, "a result");
    assert.equal(ok[0].payload.accountId, 10002);
  });

  for (const [payload, field, why] of [
    [{ quantity: 0 }, "quantity", "a zero quantity"],
    [{ quantity: "two" }, "quantity", "a quantity that is not a number"],
    [{ side: "hold" }, "side", "an unknown side"],
    [{ type: "limit" }, "limitPrice", "a limit order without a price"],
    [{ type: "iceberg" }, "type", "an unknown order type"],
    [{ stopLoss: { ticks: 10, price: 1 } }, "stopLoss", "a bracket with both ticks and price"],
    [{ action: "cancel" }, "orderId", "a cancel without an order id"],
    [{ action: "explode" }, "action", "an unknown action"],
  ] as const) {
    it(`refuses ${why}: error naming ${field}, red status, no order`, async () => {
      const { o1, ok, err } = await load({});
      const errors: unknown[] = [];
      o1.on("call:error", (c: { args: unknown[] }) => errors.push(c.args[0]));
      o1.receive({ payload });
      await until(() => err.length === 1, "an error msg");
      assert.equal(ok.length, 0);
      assert.equal(err[0].error.field, field);
      assert.match(err[0].error.message, new RegExp(field));
      assert.equal(lastStatus(o1).fill, "red");
      assert.match(lastStatus(o1).text!, new RegExp(field));
      await until(() => errors.length === 1, "done(err) reaching the runtime (and Catch nodes)");
      assert.equal((await state()).requests["Order/place"], undefined, "nothing was sent");
    });
  }

  it("reports an unknown symbol and a gateway refusal with their reasons", async () => {
    const { o1, ok, err } = await load({});
    o1.receive({ payload: { symbol: "FOO1!" } });
    await until(() => err.length === 1, "an error");
    assert.match(err[0].error.message, /unknown symbol "FOO1!"/);
    o1.receive({ payload: { customTag: "used-once" } });
    await until(() => ok.length === 1, "the first order's result");
    o1.receive({ payload: { customTag: "used-once" } });
    await until(() => err.length === 2, "a refusal");
    assert.equal(err[1].error.code, 2);
    assert.match(err[1].error.message, /Custom tag is already in use/);
    assert.match(lastStatus(o1).text!, /^refused/);
  });

  it("shows reconnecting when the hubs drop, then connected again", async () => {
    const { o1 } = await load({});
    await restClient(sim).post("/sim/faults", { dropHubs: "all", rejectUpgrades: 3 });
    const shown = () =>
      o1.status
        .getCalls()
        .map((c: { args: [{ fill: string; text: string }] }) => `${c.args[0].fill}:${c.args[0].text}`);
    await until(() => shown().includes("yellow:reconnecting"), "reconnecting status");
    await until(() => lastStatus(o1).text === "connected", "connected again", 10000);
    assert.equal(lastStatus(o1).fill, "green");
    await restClient(sim).delete("/sim/faults");
  });
});
