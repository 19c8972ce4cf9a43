import { strict as assert } from "node:assert";
import { isGuardTag } from "../../src/core/gateway/custom-tag";
import { loadGroup, nativeBrackets, XFA_50K, XFA_150K } from "../support/group-flow";
import { guardFlow } from "../support/guard-flow";
import type { DecisionMsg, Received } from "../support/node-msgs";
import { allNodes, collect, configFor, helper } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, setPrice, until } from "../support/sim";
import { patchAccount, S, T } from "../support/trading";

/**
 * Orders sized from a dollar risk instead of a quantity, from the alert through the rules to the
 * order node, on the simulator: the contracts whose loss at the stop, fees both ways included, fits
 * the risk; capped by the rules; the micro when one mini is too much; refused with the numbers.
 */
describe("node: orders sized from a risk (alert → rules → order)", function () {
  this.timeout(60_000);
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-risk-" });
  let mnq: string;
  let nq: string;
  const flow = guardFlow(rt, () => mnq);
  const positionOf = async (id: string) => {
    const p = (await rt.state()).positions.find((x) => x.contractId === id);
    return p ? (p.type === 2 ? -p.size : p.size) : 0;
  };
  /** The working bracket legs of the contract (guard stops left out), as /sim/state lists them. */
  const legs = async (id: string) =>
    (await flow.orders()).filter((o) => o.status === S.Open && o.contractId === id && !isGuardTag(o.customTag));

  before(async () => {
    const { api } = await login(rt.sim);
    mnq = (await frontMonth(api, "MNQ")).id;
    nq = (await frontMonth(api, "NQ")).id;
  });
  beforeEach(async () => {
    await setPrice(rt.sim, mnq, 25000, { bid: 25000, ask: 25000.25 });
    await setPrice(rt.sim, nq, 25000, { bid: 25000, ask: 25000.25 });
  });

  it("buys the MNQ that a $200 risk covers at a 40-tick stop, fees both ways included: 9, the stop 40 ticks under the fill", async () => {
    const n = await flow.load({ guardStops: false });
    const done = await flow.alert(n, { symbol: "MNQ1!", side: "buy", risk: 200, stopLoss: { ticks: 40 } });
    // One MNQ loses 40 × $0.50 + 2 × $0.62 = $21.24: 9 lose $191.16, 10 would lose $212.40.
    assert.equal(await positionOf(mnq), 9);
    assert.equal(done.status, "filled");
    const stop = (await legs(mnq)).find((o) => o.type === T.Stop)!;
    assert.equal(stop.size, 9);
    assert.equal(stop.stopPrice, 25000.25 - 10);
  });

  it("takes riskPercent of the day's headroom as the rules know it: 10% of the $1,000 left above the flatten buffer sizes 4 MNQ", async () => {
    // $800 lost since the start: the Maximum Loss Limit floor of $48,000 is $1,200 away, its $200
    // flatten buffer (guardFlow's) $1,000.
    await patchAccount(rt.sim, { accountId: ACCOUNT, balance: 49_200 });
    const n = await flow.load({ guardStops: false, shownFloor: "48000" });
    await flow.alert(n, { symbol: "MNQ1!", side: "buy", riskPercent: 10, stopLoss: { points: 10 } });
    // $100 covers 4 MNQ at $21.24 each.
    assert.equal(await positionOf(mnq), 4);
  });

  it("caps the size at the rules' contract limit: 5 NQ though the risk covers 18", async () => {
    const n = await flow.load({ guardStops: false });
    // One NQ at a 10-tick stop loses 10 × $5 + 2 × $1.90 = $53.80: $1,000 covers 18, the 50K Combine allows 5.
    await flow.alert(n, { symbol: "NQ1!", side: "buy", risk: 1000, stopLoss: 10 });
    assert.equal(await positionOf(nq), 5);
  });

  it("caps the size at the scaling plan's tier: 2 NQ on a new Express Funded Account", async () => {
    const n = await flow.load({ guardStops: false, profile: "topstep-xfa-50k", account: "10003" });
    await flow.alert(n, { ticker: "NQ1!", action: "buy", sentiment: "bullish", risk: 1000, stopLoss: { ticks: 10 } });
    assert.equal(await positionOf(nq), 2);
  });

  it("falls back to MNQ when one NQ loses more than the risk and the alert allows micros", async () => {
    const n = await flow.load({ guardStops: false });
    // One NQ at 10 points loses $203.80; one MNQ $21.24: $150 covers 7.
    await flow.alert(n, { symbol: "NQ1!", side: "buy", risk: 150, stopLoss: { points: 10 }, microFallback: true });
    assert.deepEqual([await positionOf(nq), await positionOf(mnq)], [0, 7]);
    assert.equal((await legs(mnq)).find((o) => o.type === T.Stop)!.stopPrice, 25000.25 - 10);
  });

  it("refuses a risk that does not cover one contract, naming the numbers, and places nothing", async () => {
    const n = await flow.load({ guardStops: false });
    n.a1.receive({ payload: { symbol: "MNQ1!", side: "buy", risk: 15, stopLoss: 40 } });
    await until(() => n.refused.length === 1, "the refusal");
    const refusal = n.refused[0] as DecisionMsg;
    assert.equal(refusal.decision.rule, "riskSize");
    assert.equal(
      refusal.decision.reason,
      "one MNQ loses $21.24 at a 40-tick stop (fees included), more than the $15.00 risk.",
    );
    assert.equal(await flow.executed("Order/place"), 0);
  });

  it("places dollar and point brackets of a market order from the live quote, on the tick grid", async () => {
    const n = await flow.load({ guardStops: false });
    await flow.alert(n, {
      symbol: "MNQ1!",
      side: "sell",
      quantity: 2,
      stopLoss: { dollars: 12.6 },
      takeProfit: { amount: 5.1 },
    });
    // $12.60 a contract at $0.50 a tick is 25 ticks (rounded down: never more loss than said), 6.25
    // points above the bid the sell filled at; 5.1 points is 20 ticks (5.00) below it.
    const open = await legs(mnq);
    assert.equal(open.find((o) => o.type === T.Stop)!.stopPrice, 25006.25);
    assert.equal(open.find((o) => o.type === T.Limit)!.limitPrice, 24995);
  });

  it("measures a percent bracket of a market order from the live quote", async () => {
    const n = await flow.load({ guardStops: false });
    await setPrice(rt.sim, mnq, 20000, { bid: 20000, ask: 20000.25 });
    // 0.05% of the ask (20,000.25) is 10.0001 points: 40 ticks, on the grid, under the fill.
    await flow.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 1, stopLoss: { percent: 0.05 } });
    assert.equal((await legs(mnq)).find((o) => o.type === T.Stop)!.stopPrice, 20000.25 - 10);
  });

  it("sizes a group's riskPercent alert on each account from that account's own headroom", async () => {
    await nativeBrackets(rt);
    const n = await loadGroup(rt);
    const a = await n.alert({ symbol: "MNQ", side: "buy", riskPercent: 5, stopLoss: { ticks: 40 }, id: "risk-g" });
    // 5% of $2,000 (the 50K accounts) is $100: 4 MNQ; of $4,500 (the 150K) $225: 10 MNQ, at $21.24 each.
    assert.deepEqual(
      a.payload.accounts.map((x) => [x.accountId, x.outcome, x.quantity]),
      [
        [ACCOUNT, "placed", 4],
        [XFA_50K, "placed", 4],
        [XFA_150K, "placed", 10],
      ],
    );
  });

  describe("the order node alone", () => {
    async function loadOrderNode() {
      const cfg = configFor(rt.sim);
      await helper.load(
        allNodes,
        [
          cfg.node,
          { id: "o1", type: "topstepx-order", server: "cfg", quantity: "3", wires: [["done"], ["failed"]] },
          { id: "done", type: "helper" },
          { id: "failed", type: "helper" },
        ],
        cfg.credentials,
      );
      return {
        o1: helper.getNode("o1"),
        done: collect<Received>(helper.getNode("done")),
        failed: collect<Received & { error?: { message?: string } }>(helper.getNode("failed")),
      };
    }

    it("sizes a dollar risk without the dialog's quantity, and refuses riskPercent: no headroom is known there", async () => {
      const n = await loadOrderNode();
      n.o1.receive({ payload: { symbol: "MNQ1!", side: "buy", risk: 100, stopLoss: { points: 10 } } });
      await until(() => n.done.length + n.failed.length === 1, "the order node's answer");
      assert.equal(n.failed.length, 0, JSON.stringify(n.failed[0]?.error));
      await until(async () => (await positionOf(mnq)) === 4, "4 MNQ ($100 / $21.24)");
      // A strategy's entry (TradersPost's sentiment) sized from risk: $50 covers 2 more.
      const strategyPosition = { after: "long", before: "long" };
      n.o1.receive({ payload: { symbol: "MNQ1!", side: "buy", risk: 50, stopLoss: 40, strategyPosition } });
      await until(async () => (await positionOf(mnq)) === 6, "2 more MNQ");
      n.o1.receive({ payload: { symbol: "MNQ1!", side: "buy", riskPercent: 5, stopLoss: 40 } });
      await until(() => n.failed.length === 1, "the refusal");
      assert.match(String(n.failed[0]!.error?.message), /^riskPercent: needs the day's remaining headroom/);
      assert.equal(await positionOf(mnq), 6);
      assert.equal(n.done.length, 2);
    });
  });
});
