import { strict as assert } from "node:assert";
import type { Simulator } from "../../src/sim";
import type { Received } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { ACCOUNT, frontMonth, login, restClient, setPrice, startTestSim, until } from "../support/sim";

/** What a flow reads of an account or market event: names, and the gateway's codes under `raw`. */
interface Readable {
  status?: string;
  type?: string;
  side?: string;
  size?: number;
  raw?: Record<string, number>;
}
type EventMsg = Received<Readable & { positions?: Readable[]; orders?: Readable[] }> & { event?: string };
type DepthMsg = Received<Readable[]> & { event?: string };

describe("nodes: account and market events with readable fields", () => {
  let sim: Simulator;
  let mnq: string;

  before(async () => {
    sim = await startTestSim();
    const { api } = await login(sim);
    mnq = (await frontMonth(api, "MNQ")).id;
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
  beforeEach(async () => {
    await restClient(sim).post("/sim/reset");
    await setPrice(sim, mnq, 21000);
  });
  afterEach(() => helper.unload());

  it("names the order's status, type and side, the fill's side and the position's side, and keeps the codes under raw", async () => {
    const cfg = configFor(sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        {
          id: "a1",
          type: "topstepx-account",
          server: "cfg",
          orders: true,
          positions: true,
          trades: true,
          wires: [["out"]],
        },
        { id: "out", type: "helper" },
      ],
      cfg.credentials,
    );
    const a1 = helper.getNode("a1");
    const out = collect<EventMsg>(helper.getNode("out"));
    await until(() => /^\$50,000\.00/.test(lastStatus(a1).text ?? ""), "the account watched");
    const { api } = await login(sim);
    await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: mnq,
      type: 1,
      side: 1,
      size: 1,
      limitPrice: 22000,
    });
    await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mnq, type: 2, side: 0, size: 2 });
    const filled = await until(
      () => out.find((m) => m.topic === "order" && m.payload.status === "filled"),
      "the filled order",
    );
    assert.deepEqual(
      [filled.payload.type, filled.payload.side, filled.payload.raw],
      ["market", "buy", { status: 2, type: 2, side: 0 }],
    );
    const sell = await until(() => out.find((m) => m.topic === "order" && m.payload.type === "limit"), "the limit");
    assert.deepEqual([sell.payload.side, sell.payload.raw?.side], ["sell", 1]);
    const fill = await until(() => out.find((m) => m.topic === "trade"), "the fill");
    assert.deepEqual([fill.payload.side, fill.payload.raw], ["buy", { side: 0 }]);
    const position = await until(() => out.find((m) => m.topic === "position"), "the position");
    assert.deepEqual([position.payload.side, position.payload.size, position.payload.raw], ["long", 2, { type: 1 }]);
    assert.equal("type" in position.payload, false, "the position's side replaces its type code");

    a1.receive({ payload: null });
    const snap = await until(() => out.find((m) => m.topic === "snapshot"), "the snapshot");
    assert.deepEqual(
      snap.payload.positions?.map((p) => [p.side, p.size, p.raw?.type]),
      [["long", 2, 1]],
    );
    assert.deepEqual(
      snap.payload.orders?.map((o) => [o.status, o.type, o.side]),
      [["open", "limit", "sell"]],
    );
  });

  it("names a market trade's aggressor side and each depth entry's type", async () => {
    const cfg = configFor(sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        {
          id: "m1",
          type: "topstepx-market",
          server: "cfg",
          symbols: "MNQ",
          quotes: false,
          trades: true,
          depth: true,
          wires: [["out"]],
        },
        { id: "out", type: "helper" },
      ],
      cfg.credentials,
    );
    const m1 = helper.getNode("m1");
    const out = collect<EventMsg | DepthMsg>(helper.getNode("out"));
    await until(() => /contract/.test(lastStatus(m1).text ?? ""), "the market node subscribed");
    await setPrice(sim, mnq, 21010);
    const trade = (await until(() => out.find((m) => m.event === "trade"), "a market trade")) as EventMsg;
    assert.ok(["buy", "sell"].includes(String(trade.payload.side)), JSON.stringify(trade.payload));
    assert.equal(typeof trade.payload.raw?.type, "number");
    assert.equal("type" in trade.payload, false, "the side replaces the type code");
    const depth = (await until(() => out.find((m) => m.event === "depth"), "depth")) as DepthMsg;
    const names = new Set(depth.payload.map((e) => e.type));
    assert.ok(
      [...names].every((n) => typeof n === "string" && /^[a-z][A-Za-z]*$/.test(n)),
      `named entries: ${[...names]}`,
    );
    assert.ok(depth.payload.every((e) => typeof e.raw?.type === "number"));
  });
});
