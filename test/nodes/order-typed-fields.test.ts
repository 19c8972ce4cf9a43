import { strict as assert } from "node:assert";
import type { Simulator } from "../../src/sim";
import { callsOn } from "../support/node-calls";
import type { ErrorMsg, OrderMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { frontMonth, login, restClient, setPrice, startTestSim, until } from "../support/sim";

interface SimState {
  orders: Array<{ size: number; contractId: string; limitPrice: number | null; customTag: string | null }>;
  positions: Array<{ contractId: string; size: number }>;
  requests: Record<string, { received: number } | undefined>;
}

interface ContextNode {
  id: string;
  receive(msg: object): void;
  context(): { flow: { set(k: string, v: unknown): void }; global: { set(k: string, v: unknown): void } };
}

/**
 * The order dialog's typed fields through the real runtime: each source (msg, flow, global, env)
 * places the order it says on the simulator; nonsense is refused naming the field, nothing placed;
 * a flow saved before typed fields loads and trades as it did.
 */
describe("node: topstepx-order's typed fields (msg, flow, global, env)", () => {
  let sim: Simulator;
  let mnq: string;
  let mes: string;
  const state = async (): Promise<SimState> => (await restClient(sim).get("/sim/state")).data;
  const placed = async () => (await state()).requests["Order/place"]?.received ?? 0;

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
  afterEach(async () => {
    delete process.env.TSX_E2E_QTY;
    await helper.unload();
  });

  /** Loads one order node with these dialog values (version 2 unless `order` says otherwise). */
  async function load(order: Record<string, unknown>, settled = "connected", tabEnv: object[] = []) {
    const cfg = configFor(sim);
    const flow = [
      { id: "tab", type: "tab", label: "typed", env: tabEnv },
      cfg.node,
      {
        id: "o1",
        z: "tab",
        type: "topstepx-order",
        server: "cfg",
        action: "place",
        symbol: "MNQ1!",
        side: "buy",
        orderType: "market",
        quantity: "1",
        version: 2,
        ...order,
        wires: [["ok"], ["err"]],
      },
      { id: "ok", z: "tab", type: "helper" },
      { id: "err", z: "tab", type: "helper" },
    ];
    await helper.load(allNodes, flow, cfg.credentials);
    const o1 = helper.getNode("o1") as ContextNode;
    const ok = collect<OrderMsg>(helper.getNode("ok"));
    const err = collect<ErrorMsg>(helper.getNode("err"));
    await until(() => (lastStatus(o1).text ?? "").startsWith(settled), `the order node to show "${settled}"`);
    return { o1, ok, err };
  }

  it("msg: the quantity is read from msg.qty for each msg", async () => {
    const { o1, ok } = await load({ quantity: "qty", quantityType: "msg" });
    o1.receive({ qty: 2, payload: {} });
    await until(() => ok.length === 1, "a result");
    o1.receive({ qty: "3", payload: {} });
    await until(() => ok.length === 2, "a second result");
    const s = await state();
    assert.deepEqual(
      s.positions.map((p) => [p.contractId, p.size]),
      [[mnq, 5]],
      "2 then 3 contracts, as each msg said",
    );
  });

  it("flow: the symbol is read from the flow context when the msg comes", async () => {
    const { o1, ok } = await load({ symbol: "sym", symbolType: "flow" });
    o1.context().flow.set("sym", "MES");
    o1.receive({ payload: {} });
    await until(() => ok.length === 1, "a result");
    assert.equal(ok[0]!.payload.contractId, mes);
    assert.deepEqual(
      (await state()).positions.map((p) => [p.contractId, p.size]),
      [[mes, 1]],
    );
  });

  it("global: the limit price is read from the global context", async () => {
    const { o1, ok } = await load({ orderType: "limit", limitPrice: "entry.price", limitPriceType: "global" });
    o1.context().global.set("entry", { price: 20990.5 });
    o1.receive({ payload: { customTag: "g-1" } });
    await until(() => ok.length === 1, "a result");
    const order = (await state()).orders.find((o) => o.customTag === "g-1");
    assert.equal(order?.limitPrice, 20990.5);
    assert.equal(ok[0]!.payload.status, "working");
  });

  it("env: the quantity is read once from the environment when the flow starts", async () => {
    process.env.TSX_E2E_QTY = "3";
    const { o1, ok } = await load({ quantity: "TSX_E2E_QTY", quantityType: "env" });
    // Read at deploy: a later change of the variable does not change the deployed node.
    process.env.TSX_E2E_QTY = "7";
    o1.receive({ payload: {} });
    await until(() => ok.length === 1, "a result");
    assert.deepEqual(
      (await state()).positions.map((p) => [p.contractId, p.size]),
      [[mnq, 3]],
    );
  });

  it("env: a variable of the flow's own environment (the tab's env) counts too", async () => {
    const { o1, ok } = await load({ quantity: "TAB_QTY", quantityType: "env" }, "connected", [
      { name: "TAB_QTY", value: "4", type: "num" },
    ]);
    o1.receive({ payload: {} });
    await until(() => ok.length === 1, "a result");
    assert.deepEqual(
      (await state()).positions.map((p) => p.size),
      [4],
    );
  });

  it("msg.payload still overrides a typed field", async () => {
    const { o1, ok } = await load({ quantity: "qty", quantityType: "msg" });
    o1.receive({ qty: 2, payload: { quantity: 1 } });
    await until(() => ok.length === 1, "a result");
    assert.deepEqual(
      (await state()).positions.map((p) => p.size),
      [1],
    );
  });

  it("refuses quantity 0 from msg.qty: done(err) naming the field and the source, nothing placed", async () => {
    const { o1, ok, err } = await load({ quantity: "qty", quantityType: "msg" });
    o1.receive({ qty: 0, payload: {} });
    await until(() => err.length === 1, "an error");
    assert.equal(err[0]!.error.message, "quantity: must be a whole number ≥ 1 (msg.qty was 0)");
    assert.equal(err[0]!.error.field, "quantity");
    assert.equal(lastStatus(o1).fill, "red");
    assert.match(lastStatus(o1).text ?? "", /quantity/);
    const errors = callsOn(o1, "error").map((c) => String(c[0]));
    assert.ok(
      errors.some((e) => e.includes("quantity: must be a whole number ≥ 1")),
      `done(err) logged: ${errors}`,
    );
    o1.receive({ qty: 1.5, payload: {} });
    await until(() => err.length === 2, "a second error");
    assert.equal(err[1]!.error.message, "quantity: must be a whole number ≥ 1 (msg.qty was 1.5)");
    assert.equal(ok.length, 0);
    assert.equal(await placed(), 0, "no Order/place reached the gateway");
  });

  it("refuses a deployed quantity of 0: red status naming the field, entries refused, a flatten still goes", async () => {
    const { o1, ok, err } = await load({ quantity: "0", quantityType: "num" }, "quantity:");
    assert.equal(lastStatus(o1).fill, "red");
    assert.ok(
      callsOn(o1, "error").some((c) => String(c[0]) === "quantity: must be a whole number ≥ 1 (was 0)"),
      "the refusal is logged at deploy",
    );
    o1.receive({ payload: {} });
    await until(() => err.length === 1, "an error");
    assert.equal(err[0]!.error.field, "quantity");
    // A msg's own quantity does not open a position through a node whose dialog is nonsense.
    o1.receive({ payload: { quantity: 2 } });
    await until(() => err.length === 2, "a second error");
    assert.equal(await placed(), 0, "no Order/place reached the gateway");
    o1.receive({ payload: { action: "flatten" } });
    await until(() => ok.length === 1, "the flatten's result");
    assert.equal(ok[0]!.payload.action, "none", "already flat: the exit went through");
  });

  it("refuses a stop loss from an environment variable that is not set: no entry goes without its bracket", async () => {
    const { o1, ok, err } = await load({ stopLossTicks: "TSX_E2E_UNSET", stopLossTicksType: "env" }, "stopLossTicks:");
    assert.equal(lastStatus(o1).fill, "red");
    o1.receive({ payload: {} });
    await until(() => err.length === 1, "an error");
    assert.equal(err[0]!.error.message, "stopLossTicks: env TSX_E2E_UNSET is not set");
    assert.equal(ok.length, 0);
    assert.equal(await placed(), 0, "no Order/place reached the gateway");
  });

  it("loads a flow saved before typed fields (version 1, plain values) and trades as before", async () => {
    process.env.TSX_E2E_QTY = "2";
    const old = {
      version: 1,
      symbol: "MNQ1!",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Node-RED's own substitution of a whole-value ${VAR}
      quantity: "${TSX_E2E_QTY}",
      orderType: "limit",
      limitPrice: "21010.1",
      stopLossTicks: "",
      takeProfitTicks: 40,
    };
    const { o1, ok } = await load(old);
    o1.receive({ payload: { side: "sell", customTag: "v1" } });
    await until(() => ok.length === 1, "a result");
    const order = (await state()).orders.find((o) => o.customTag === "v1");
    assert.equal(order?.size, 2, "the environment variable as before");
    assert.equal(order?.limitPrice, 21010, "snapped to the tick grid as before");
  });
});
