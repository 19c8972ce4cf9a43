import { strict as assert } from "node:assert";
import type { Simulator } from "../../src/sim";
import type { ErrorMsg, OrderMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { frontMonth, login, restClient, setPrice, startTestSim, until } from "../support/sim";

/**
 * The order node trades the products beyond the index futures as TradingView names them, at prices
 * on each product's own grid: 6J's 0.0000005, ZN's 1/64, MBT's 5 points.
 */
describe("node: topstepx-order across the listed products", () => {
  let sim: Simulator;
  const ids: Record<string, string> = {};

  before(async () => {
    sim = await startTestSim();
    const { api } = await login(sim);
    for (const symbol of ["6J", "ZN", "MBT"]) ids[symbol] = (await frontMonth(api, symbol)).id;
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
  beforeEach(async () => {
    await restClient(sim).post("/sim/reset");
    await setPrice(sim, ids["6J"]!, 0.00645);
    await setPrice(sim, ids.ZN!, 112.5);
    await setPrice(sim, ids.MBT!, 90000);
  });
  afterEach(() => helper.unload());

  async function load() {
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

  it("fills market buys of CME:6J1! and MBT1! at the ask, one tick of each grid above the price", async () => {
    const { o1, ok, err } = await load();
    o1.receive({ payload: { symbol: "CME:6J1!" } });
    await until(() => ok.length === 1 || err.length > 0, "the 6J result");
    o1.receive({ payload: { symbol: "MBT1!", quantity: 2 } });
    await until(() => ok.length === 2 || err.length > 0, "the MBT result");
    assert.deepEqual(
      err.map((m) => m.error.message),
      [],
    );
    assert.deepEqual(
      ok.map((m) => [m.payload.contractId, m.payload.status, m.payload.fillPrice]),
      [
        [ids["6J"], "filled", 0.0064505],
        [ids.MBT, "filled", 90005],
      ],
    );
  });

  it("snaps a CBOT:ZN1! limit price to the nearest 64th", async () => {
    const { o1, ok, err } = await load();
    o1.receive({ payload: { symbol: "CBOT:ZN1!", side: "sell", type: "limit", limitPrice: 112.74 } });
    await until(() => ok.length === 1 || err.length > 0, "the ZN result");
    assert.deepEqual(
      err.map((m) => m.error.message),
      [],
    );
    assert.equal(ok[0]!.payload.contractId, ids.ZN);
    assert.equal(ok[0]!.payload.status, "working");
    const state = (await restClient(sim).get("/sim/state")).data as {
      orders: { id: number; limitPrice: number | null }[];
    };
    const order = state.orders.find((o) => o.id === ok[0]!.payload.orderId);
    // 112.74 lies between 112.734375 (7215/64) and 112.75: the nearer is 112.734375.
    assert.equal(order?.limitPrice, 112.734375);
  });
});
