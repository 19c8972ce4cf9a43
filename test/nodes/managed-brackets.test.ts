import { strict as assert } from "node:assert";
import type { Simulator } from "../../src/sim";
import type { OrderMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { ACCOUNT, frontMonth, login, restClient, setPrice, startTestSim, until } from "../support/sim";

interface SimOrder {
  id: number;
  accountId: number;
  status: number;
  type: number;
  side: number;
  size: number;
  limitPrice: number | null;
  stopPrice: number | null;
  customTag: string | null;
}
interface SimState {
  orders: SimOrder[];
  positions: Array<{ accountId: number; contractId: string; size: number }>;
}

const OPEN = 1;
const FILLED = 2;
const CANCELLED = 3;

describe("node: topstepx-order keeps managed brackets on a Position Brackets account", () => {
  let sim: Simulator;
  let mnq: string;
  const state = async (): Promise<SimState> => (await restClient(sim).get("/sim/state")).data;
  const tagged = async (tag: string) => (await state()).orders.filter((o) => o.customTag === tag);

  before(async () => {
    // A resting limit fills 3 contracts each time the market prints at its price.
    sim = await startTestSim({ market: { touchFill: 3 } });
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
        quantity: "2",
        wires: [["ok"], ["err"]],
      },
      { id: "ok", type: "helper" },
      { id: "err", type: "helper" },
    ];
    await helper.load(allNodes, flow, cfg.credentials);
    const o1 = helper.getNode("o1");
    const ok = collect<OrderMsg>(helper.getNode("ok"));
    await until(() => lastStatus(o1).text === "connected", "the order node to show connected");
    return { o1, ok };
  }

  /** Places a bracketed buy of 2 and waits for both managed legs to work. */
  async function enter(tag: string) {
    const node = await load();
    node.o1.receive({ payload: { customTag: tag, stopLoss: 20, takeProfit: 40 } });
    await until(() => node.ok.length === 1, "the entry's result");
    const r = node.ok[0].payload;
    assert.equal(r.status, "filled");
    assert.equal(r.bracket, "managed");
    const fill = r.fillPrice!;
    const sl = await until(async () => (await tagged(`${tag}-sl`)).find((o) => o.status === OPEN), "a working stop");
    const tp = await until(async () => (await tagged(`${tag}-tp`)).find((o) => o.status === OPEN), "a working limit");
    return { ...node, fill, sl, tp };
  }

  it("protects a bracket entry with a working stop and limit at the entry's fill ± ticks", async () => {
    const { fill, sl, tp } = await enter("mb-1");
    assert.equal(sl.type, 4, "the stop-loss is a stop order");
    assert.equal(sl.stopPrice, fill - 20 * 0.25);
    assert.equal(tp.type, 1, "the take-profit is a limit order");
    assert.equal(tp.limitPrice, fill + 40 * 0.25);
    assert.deepEqual([sl.side, tp.side, sl.size, tp.size], [1, 1, 2, 2], "both sell the whole position");
    const entries = (await tagged("mb-1")).map((o) => o.status);
    assert.deepEqual(entries, [5], "the refused bracket order was created rejected, never filled");
  });

  it("places the legs of a limit entry only once it fills, from its fill price", async () => {
    const { o1, ok } = await load();
    o1.receive({ payload: { customTag: "mb-7", type: "limit", limitPrice: 20990, stopLoss: 20, takeProfit: 40 } });
    await until(() => ok.length === 1, "the entry's result");
    assert.deepEqual([ok[0].payload.status, ok[0].payload.bracket], ["working", "managed"]);
    assert.deepEqual(await tagged("mb-7-sl"), [], "no stop before the entry fills");
    await setPrice(sim, mnq, 20988);
    const sl = await until(async () => (await tagged("mb-7-sl")).find((o) => o.status === OPEN), "a working stop");
    const tp = await until(async () => (await tagged("mb-7-tp")).find((o) => o.status === OPEN), "a working limit");
    assert.deepEqual([sl.stopPrice, tp.limitPrice, sl.size], [20985, 21000, 2]);
  });

  it("cancels the stop when the take-profit fills, and leaves the account flat", async () => {
    const { fill } = await enter("mb-2");
    await setPrice(sim, mnq, fill + 40 * 0.25 + 1);
    await until(async () => (await tagged("mb-2-tp"))[0]?.status === FILLED, "the take-profit to fill");
    await until(async () => (await tagged("mb-2-sl"))[0]?.status === CANCELLED, "the stop to be cancelled");
    assert.equal((await state()).positions.filter((p) => p.accountId === ACCOUNT && p.size > 0).length, 0);
  });

  it("resizes both legs when the position is partly closed", async () => {
    const { o1 } = await enter("mb-3");
    o1.receive({ payload: { action: "partialClose", quantity: 1 } });
    await until(async () => {
      const legs = [...(await tagged("mb-3-sl")), ...(await tagged("mb-3-tp"))];
      return legs.length === 2 && legs.every((o) => o.status === OPEN && o.size === 1);
    }, "both legs resized to 1");
  });

  it("keeps the legs of two entries within the position they protect when it shrinks", async () => {
    const { o1, ok } = await enter("mb-8a");
    o1.receive({ payload: { customTag: "mb-8b", stopLoss: 20, takeProfit: 40 } });
    await until(() => ok.length === 2, "the second entry's result");
    await until(async () => (await tagged("mb-8b-sl")).find((o) => o.status === OPEN), "the second stop");
    o1.receive({ payload: { action: "partialClose", quantity: 3 } });
    const working = async (leg: string) =>
      (await state()).orders
        .filter((o) => o.status === OPEN && o.customTag?.endsWith(leg))
        .reduce((n, o) => n + o.size, 0);
    await until(async () => (await working("-sl")) === 1 && (await working("-tp")) === 1, "legs for 1 contract");
    assert.equal((await tagged("mb-8a-sl"))[0]?.size, 1, "the older entry keeps its protection");
    assert.equal((await tagged("mb-8b-sl"))[0]?.status, CANCELLED, "the newer one gives it up first");
  });

  it("re-adopts its legs after the flow restarts: no duplicates, and the OCO still holds", async () => {
    const { fill } = await enter("mb-4");
    await helper.unload();
    await load();
    await setPrice(sim, mnq, fill - 20 * 0.25 - 1);
    await until(async () => (await tagged("mb-4-sl"))[0]?.status === FILLED, "the stop to fill");
    await until(async () => (await tagged("mb-4-tp"))[0]?.status === CANCELLED, "the limit to be cancelled");
    assert.equal((await tagged("mb-4-sl")).length, 1, "one stop-loss ever");
    assert.equal((await tagged("mb-4-tp")).length, 1, "one take-profit ever");
  });

  it("cancels both legs when the position goes flat by other means", async () => {
    const { o1 } = await enter("mb-5");
    o1.receive({ payload: { action: "close" } });
    await until(async () => (await tagged("mb-5-sl"))[0]?.status === CANCELLED, "the stop to be cancelled");
    await until(async () => (await tagged("mb-5-tp"))[0]?.status === CANCELLED, "the limit to be cancelled");
  });

  it("protects a limit entry's first filled part at once, and grows the legs as the rest fills", async () => {
    const { o1, ok } = await load();
    o1.receive({
      payload: { customTag: "mb-8", type: "limit", limitPrice: 20990, quantity: 5, stopLoss: 20, takeProfit: 40 },
    });
    await until(() => ok.length === 1, "the entry's result");
    await setPrice(sim, mnq, 20989.75); // the ask at the limit: 3 of 5 fill
    const sl = await until(async () => (await tagged("mb-8-sl")).find((o) => o.status === OPEN), "a working stop");
    const tp = await until(async () => (await tagged("mb-8-tp")).find((o) => o.status === OPEN), "a working limit");
    assert.deepEqual([sl.size, tp.size, sl.stopPrice, tp.limitPrice], [3, 3, 20985, 21000], "the filled 3 protected");
    await setPrice(sim, mnq, 20989.75); // the other 2
    await until(
      async () => (await tagged("mb-8-sl"))[0]?.size === 5 && (await tagged("mb-8-tp"))[0]?.size === 5,
      "both legs grown to 5",
    );
    assert.equal((await tagged("mb-8-sl")).length, 1, "grown, not placed again");
  });

  it("leaves brackets to the gateway on an Auto OCO account and says native", async () => {
    await restClient(sim).post("/sim/account", { accountId: ACCOUNT, autoOcoBrackets: true });
    const { o1, ok } = await load();
    o1.receive({ payload: { customTag: "mb-6", stopLoss: 20, takeProfit: 40 } });
    await until(() => ok.length === 1, "the result");
    assert.equal(ok[0].payload.bracket, "native");
    assert.equal((await tagged("mb-6-sl")).length, 0);
  });
});
