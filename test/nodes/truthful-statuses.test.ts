import { strict as assert } from "node:assert";
import type { Simulator } from "../../src/sim";
import { callsOn } from "../support/node-calls";
import type { OrderMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { ACCOUNT, frontMonth, login, restClient, setPrice, startTestSim, until } from "../support/sim";

const SECRET = "statuses-secret";

/** Every status text a node showed, "fill:text". */
const shown = (node: { id: string }) =>
  callsOn(node, "status").map((a) => {
    const s = a[0] as { fill?: string; text?: string };
    return `${s.fill}:${s.text}`;
  });

describe("nodes: statuses that tell the truth", () => {
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
    await setPrice(sim, mnq, 25055.25);
  });
  afterEach(async () => {
    await restClient(sim).delete("/sim/faults");
    await helper.unload();
  });

  async function loadOrder(order: Record<string, unknown> = {}) {
    const cfg = configFor(sim);
    await helper.load(
      allNodes,
      [
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
          ...order,
          wires: [["ok"], ["err"]],
        },
        { id: "ok", type: "helper" },
        { id: "err", type: "helper" },
      ],
      cfg.credentials,
    );
    const o1 = helper.getNode("o1");
    await until(() => lastStatus(o1).text === "connected", "the order node connected");
    return { o1, ok: collect<OrderMsg>(helper.getNode("ok")) };
  }

  it("order: a webhook answered before the fill shows the fill once it comes, quantity and price first", async () => {
    const { o1, ok } = await loadOrder();
    // msg.res: a webhook, answered at placement without waiting for the fill.
    o1.receive({ res: {}, payload: {} });
    await until(() => ok.length === 1, "the answer");
    assert.equal((ok[0] as OrderMsg & { statusCode?: number }).statusCode, 200);
    await until(() => lastStatus(o1).text === "filled 2 @ 25,055.50", `the fill in the status (${shown(o1)})`);
    assert.equal(lastStatus(o1).fill, "green");
  });

  it("order: a working limit shows filled when the market reaches it, and cancelled when cancelled", async () => {
    const { o1, ok } = await loadOrder({ orderType: "limit", limitPrice: "25000" });
    o1.receive({ payload: {} });
    await until(() => ok.length === 1, "the placement");
    assert.equal(lastStatus(o1).text, "working 2");
    await setPrice(sim, mnq, 24999, { bid: 24998.75, ask: 24999 });
    await until(() => lastStatus(o1).text === "filled 2 @ 25,000.00", `the fill (${shown(o1)})`);

    o1.receive({ payload: { limitPrice: 24000, quantity: 1 } });
    await until(() => ok.length === 2, "the second placement");
    const orderId = ok[1]!.payload.orderId;
    o1.receive({ payload: { action: "cancel", orderId } });
    await until(() => ok.length === 3, "the cancel");
    assert.equal(lastStatus(o1).text, `cancelled #${orderId}`);
  });

  it("order: a working limit cancelled elsewhere says cancelled", async () => {
    const { o1, ok } = await loadOrder({ orderType: "limit", limitPrice: "24000" });
    o1.receive({ payload: {} });
    await until(() => ok.length === 1, "the placement");
    const { api } = await login(sim);
    await api.post("/api/Order/cancel", { accountId: ACCOUNT, orderId: ok[0]!.payload.orderId });
    await until(() => lastStatus(o1).text === "cancelled 2", `cancelled in the status (${shown(o1)})`);
    assert.equal(lastStatus(o1).fill, "grey");
  });

  it("alert: back to connected, green, once the hubs are back after an alert was shown", async () => {
    const cfg = configFor(sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        { id: "a1", type: "topstepx-alert", server: "cfg", requireSecret: true, wires: [["i"], ["r"]] },
        // An order node on the same configuration starts the shared connection.
        { id: "o1", type: "topstepx-order", server: "cfg", wires: [[], []] },
        { id: "i", type: "helper" },
        { id: "r", type: "helper" },
      ],
      { cfg: { ...cfg.credentials.cfg, webhookSecret: SECRET } },
    );
    const a1 = helper.getNode("a1");
    await until(() => lastStatus(a1).text === "connected", "the alert node connected");
    a1.receive({ payload: { secret: SECRET, symbol: "MNQ1!", side: "buy", quantity: 1 } });
    await until(() => /buy 1 MNQ1!/.test(lastStatus(a1).text ?? ""), "the alert in the status");
    await restClient(sim).post("/sim/faults", { dropHubs: "all", rejectUpgrades: 3 });
    await until(() => shown(a1).includes("yellow:reconnecting"), "reconnecting");
    await until(() => lastStatus(a1).text === "connected", `connected again (${shown(a1)})`, 10_000);
    assert.equal(lastStatus(a1).fill, "green");
  });

  for (const balance of [true, false]) {
    it(`account: the status follows the balance after a losing trade (balance msgs ${balance ? "on" : "off"})`, async () => {
      const cfg = configFor(sim);
      await helper.load(
        allNodes,
        [cfg.node, { id: "acc", type: "topstepx-account", server: "cfg", positions: true, balance, wires: [[]] }],
        cfg.credentials,
      );
      const acc = helper.getNode("acc");
      await until(() => /^\$50,000\.00/.test(lastStatus(acc).text ?? ""), "the starting balance first");
      const { api } = await login(sim);
      await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mnq, type: 2, side: 0, size: 1 });
      await setPrice(sim, mnq, 25005.25);
      await api.post("/api/Position/closeContract", { accountId: ACCOUNT, contractId: mnq });
      // Bought at the ask 25,055.50, sold at the bid 25,005.25: 201 ticks × $0.50, and 2 × $0.62 costs.
      await until(
        () => lastStatus(acc).text?.startsWith("$49,898.26"),
        `the balance after the loss (${shown(acc).at(-1)})`,
      );
      assert.equal(lastStatus(acc).fill, "green");
    });
  }
});
