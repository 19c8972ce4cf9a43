import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Journal } from "../../src/core/journal/journal";
import { SESSION_INSTANT } from "../support/clock";
import type { DecisionMsg, OrderMsg, PlacedMsg, StateMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, until } from "../support/sim";

/**
 * The guard in the states a happy path never meets: late answers, racing targets, modifies,
 * unconfirmed state, positions above the limit. Rules and order nodes run in the real Node-RED
 * runtime against the simulator; the clock is the test's.
 */
describe("node: topstepx-rules holds its limits in every state", function () {
  this.timeout(60_000);
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-guard-" });
  let es: string;
  const signedEs = async () => {
    const p = (await rt.state()).positions.find((x) => x.contractId === es);
    return p ? (p.type === 2 ? -p.size : p.size) : 0;
  };

  before(async () => {
    es = (await frontMonth((await login(rt.sim)).api, "ES")).id;
  });
  beforeEach(async () => {
    await setPrice(rt.sim, es, 6800);
  });
  afterEach(async () => {
    await restClient(rt.sim).post("/sim/faults", { clear: true });
  });

  /** rules → order, as the webhook example wires them; outputs collected. */
  async function load(rules: Record<string, unknown> = {}) {
    const cfg = configFor(rt.sim);
    const flow = [
      cfg.node,
      {
        id: "r1",
        type: "topstepx-rules",
        server: "cfg",
        profile: "topstep-combine-50k",
        dbFile: join(rt.dir, "journal.sqlite"),
        ...rules,
        wires: [["o1"], ["no"], ["st"]],
      },
      { id: "o1", type: "topstepx-order", server: "cfg", wires: [["placed"], ["failed"]] },
      { id: "no", type: "helper" },
      { id: "st", type: "helper" },
      { id: "placed", type: "helper" },
      { id: "failed", type: "helper" },
    ];
    await helper.load(allNodes, flow, cfg.credentials);
    const r1 = helper.getNode("r1");
    const out = {
      r1,
      no: collect<DecisionMsg>(helper.getNode("no")),
      st: collect<StateMsg>(helper.getNode("st")),
      placed: collect<PlacedMsg>(helper.getNode("placed")),
      failed: collect<OrderMsg>(helper.getNode("failed")),
    };
    await until(() => /MLL \$/.test(lastStatus(r1).text ?? ""), "the rules node to be synced");
    return out;
  }

  it("keeps orders whose answer is late reserved against max contracts until the gateway answers", async () => {
    const { r1, no, placed, failed } = await load();
    // Every Order/place waits 3 s at the gateway before it runs; meanwhile the test's clock passes
    // the 15 s an approval used to be reserved for, and a second wave of alerts arrives.
    await restClient(rt.sim).post("/sim/faults", { latency: { "Order/place": 3000 } });
    for (let i = 0; i < 5; i++) r1.receive({ payload: { symbol: "ES", side: "buy", quantity: 1 } });
    await until(
      async () => (await rt.state()).requests["Order/place"]?.received === 5,
      "the first wave on its way to the gateway",
    );
    rt.clock += 15_500;
    for (let i = 0; i < 5; i++) r1.receive({ payload: { symbol: "ES", side: "buy", quantity: 1 } });
    await until(() => no.length + placed.length + failed.length === 10, "every alert refused or answered", 20_000);
    assert.ok(Math.abs(await signedEs()) <= 5, `never more than 5 ES (holding ${await signedEs()})`);
    assert.equal(no.length, 5, "the second wave is refused");
    assert.ok(
      no.every((m) => m.decision.rule === "maxContracts"),
      "by maxContracts, counting the unanswered orders",
    );
    assert.equal(await signedEs(), 5, "5 ES, the limit");
    assert.equal((await rt.state()).requests["Order/place"]?.succeeded, 5, "five orders at the gateway");
  });

  /** alert → [rules →] order, as the webhook example wires it, fed alert bodies directly. */
  async function loadAlertFlow(withRules: boolean) {
    const cfg = configFor(rt.sim);
    const creds = { cfg: { ...cfg.credentials.cfg, webhookSecret: "s3cret" } };
    const flow = [
      cfg.node,
      { id: "a1", type: "topstepx-alert", server: "cfg", wires: [[withRules ? "r1" : "o1"], ["answer"]] },
      ...(withRules
        ? [
            {
              id: "r1",
              type: "topstepx-rules",
              server: "cfg",
              profile: "topstep-combine-50k",
              dbFile: join(rt.dir, "journal.sqlite"),
              wires: [["o1"], ["answer"], []],
            },
          ]
        : []),
      { id: "o1", type: "topstepx-order", server: "cfg", wires: [["answer"], ["answer"]] },
      { id: "answer", type: "helper" },
    ];
    await helper.load(allNodes, flow, creds);
    const answers = collect<DecisionMsg>(helper.getNode("answer"));
    if (withRules)
      await until(() => /MLL \$/.test(lastStatus(helper.getNode("r1")).text ?? ""), "the rules node to be synced");
    else await until(() => lastStatus(helper.getNode("o1")).fill === "green", "the order node to be connected");
    return { a1: helper.getNode("a1"), answers };
  }

  for (const withRules of [true, false]) {
    it(`converges on the last of two quick target positions (${withRules ? "through the rules node" : "order node alone"})`, async () => {
      const { a1, answers } = await loadAlertFlow(withRules);
      for (let run = 0; run < 3; run++) {
        const before = answers.length;
        a1.receive({ payload: { secret: "s3cret", symbol: "ES", targetPosition: 3, id: `t3-${run}` } });
        a1.receive({ payload: { secret: "s3cret", symbol: "ES", targetPosition: 0, id: `t0-${run}` } });
        await until(() => answers.length === before + 2, "both targets answered");
        await until(
          async () => (await rt.state()).orders.every((o) => o.status !== 1 && o.status !== 6),
          "no order working",
        );
        assert.equal(
          await signedEs(),
          0,
          `run ${run}: flat, the last target (answers: ${JSON.stringify(answers.slice(before).map((m) => m.payload))})`,
        );
      }
    });
  }

  /** Places an order at the simulator directly (a trade made by hand in TopstepX). */
  async function placeByHand(body: Record<string, unknown>): Promise<number> {
    const { api } = await login(rt.sim);
    const r = await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: es, ...body });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
    return r.data.orderId;
  }

  it("judges a modify that adds exposure as an entry: size over the limit, after the cutoff, under the kill switch", async () => {
    const { r1, no, placed } = await load();
    const entry = await placeByHand({ type: 1, side: 0, size: 1, limitPrice: 6700 });
    const decided = () => no.length + placed.length;
    r1.receive({ payload: { action: "modify", orderId: entry, quantity: 10 } });
    await until(() => decided() === 1, "a decision");
    assert.equal(no.at(-1)?.decision.rule, "maxContracts", "1 → 10 ES is refused against the 5-contract limit");
    r1.receive({ payload: { action: "modify", orderId: entry, quantity: 3 } });
    await until(() => decided() === 2, "a decision");
    assert.equal(placed.at(-1)?.payload?.orderId, entry, "1 → 3 ES fits the limit and is modified");
    rt.clock = Date.parse("2026-11-25T21:02:00Z"); // 15:02 Chicago, after the 15:00 entry cutoff
    const refusals = no.length;
    r1.receive({ payload: { action: "modify", orderId: entry, limitPrice: 6800 } });
    await until(() => no.length === refusals + 1, "the late modify refused");
    assert.equal(no.at(-1)!.decision.rule, "tradingWindow", "a resting entry moved into the market after the cutoff");
    rt.clock = SESSION_INSTANT;
    r1.receive({ payload: { command: "killSwitch", on: true } });
    r1.receive({ payload: { action: "modify", orderId: entry, limitPrice: 6800 } });
    await until(() => no.length === refusals + 2, "the modify under the kill switch refused");
    assert.equal(no.at(-1)!.decision.rule, "killSwitch");
    const working = (await rt.state()).orders.find((o) => o.id === entry)!;
    assert.deepEqual([working.size, working.status], [3, 1], "the entry rests as it was: 3 ES, working");
  });

  it("lets a protective stop be moved and an entry be made smaller while entries are blocked", async () => {
    const { r1, no, placed } = await load();
    await placeByHand({ type: 2, side: 0, size: 2 });
    const stop = await placeByHand({ type: 4, side: 1, size: 2, stopPrice: 6790 });
    const entry = await placeByHand({ type: 1, side: 0, size: 2, limitPrice: 6700 });
    await until(async () => (await rt.state()).positions.length === 1, "long 2 ES");
    r1.receive({ payload: { command: "killSwitch", on: true } });
    r1.receive({ payload: { action: "modify", orderId: stop, stopPrice: 6795 } });
    r1.receive({ payload: { action: "modify", orderId: entry, quantity: 1 } });
    await until(() => placed.length + no.length === 2, "two decisions");
    assert.equal(no.length, 0, JSON.stringify(no.map((m) => m.decision)));
    assert.ok(placed.every((m) => m.decision.rule === "exit"));
  });

  it("passes an exit while the hubs are down, checked against the gateway's positions; refuses entries", async () => {
    const { r1, no, placed, st } = await load();
    await placeByHand({ type: 2, side: 0, size: 1 });
    await until(async () => (await signedEs()) === 1, "long 1 ES");
    await until(() => st.some((m) => m.payload.headroom?.contracts === 1), "the guard to see the position");
    await restClient(rt.sim).post("/sim/faults", { rejectUpgrades: 1000, dropHubs: "all" });
    await until(() => st.at(-1)?.payload.synced === false, "the guard to lose the account state");
    r1.receive({ payload: { symbol: "ES", side: "buy", quantity: 1 } });
    r1.receive({ payload: { symbol: "ES", side: "sell", quantity: 1 } });
    r1.receive({ payload: { symbol: "ES", side: "sell", quantity: 1 } });
    await until(() => placed.length + no.length === 3, "three decisions", 20_000);
    assert.deepEqual(
      no.map((m) => m.decision.rule),
      ["stateUnknown", "stateUnknown"],
      "the buy and the second sell (which would open a short) are refused",
    );
    assert.equal(placed.length, 1);
    assert.equal(placed[0].decision.rule, "exit");
    await until(async () => (await signedEs()) === 0, "flat: the exit was placed");
  });

  it("refuses an alert stamped an hour ahead of the clock; a second ahead passes", async () => {
    const { r1, no, placed } = await load();
    r1.receive({
      payload: { symbol: "ES", side: "buy", quantity: 1, alertTime: new Date(rt.clock + 3_600_000).toISOString() },
    });
    r1.receive({
      payload: { symbol: "ES", side: "buy", quantity: 1, alertTime: new Date(rt.clock + 1000).toISOString() },
    });
    await until(() => placed.length + no.length === 2, "two decisions");
    assert.equal(no.length, 1);
    assert.equal(no[0].decision.rule, "maxAlertAge");
    assert.match(no[0].decision.reason, /in the future/);
  });

  it("brings a position above the limit (a trade made by hand) back to the limit at once, and says why", async () => {
    const { st } = await load();
    const entry = await placeByHand({ type: 1, side: 0, size: 1, limitPrice: 6700 });
    await placeByHand({ type: 2, side: 0, size: 7 });
    await until(async () => (await signedEs()) === 5, "the position brought back to 5 ES");
    await until(
      async () => (await rt.state()).orders.find((o) => o.id === entry)?.status === 3,
      "the working entry cancelled",
    );
    await until(() => st.some((m) => m.payload.event === "breach:maxContracts"), "a breach on the state output");
    const j = new Journal(join(rt.dir, "journal.sqlite"));
    try {
      const breach = j.entries({ kind: "breach" }).map((e) => e.data as { rule: string; reason: string });
      assert.equal(breach[0]?.rule, "maxContracts");
      assert.match(breach[0]!.reason, /holds 7 mini-equivalent contracts; the limit is 5/);
    } finally {
      j.close();
    }
    assert.equal(await signedEs(), 5, "not reduced further than the limit");
  });

  it("keeps an order node outside the rules node from opening exposure while the kill switch is on", async () => {
    const cfg = configFor(rt.sim);
    const flow = [
      cfg.node,
      {
        id: "r1",
        type: "topstepx-rules",
        server: "cfg",
        profile: "topstep-combine-50k",
        // Off: this test counts every Order/place the gateway received.
        guardStops: false,
        dbFile: join(rt.dir, "journal.sqlite"),
        wires: [[], [], []],
      },
      {
        id: "ticket",
        type: "topstepx-order",
        server: "cfg",
        symbol: "ES",
        orderType: "market",
        quantity: "1",
        wires: [["done"], ["refused"]],
      },
      { id: "done", type: "helper" },
      { id: "refused", type: "helper" },
    ];
    await helper.load(allNodes, flow, cfg.credentials);
    const [r1, ticket] = [helper.getNode("r1"), helper.getNode("ticket")];
    const done = collect<OrderMsg>(helper.getNode("done"));
    const refused = collect<DecisionMsg>(helper.getNode("refused"));
    await until(() => /MLL \$/.test(lastStatus(r1).text ?? ""), "the rules node to be synced");
    ticket.receive({ payload: { side: "buy" } });
    await until(async () => (await signedEs()) === 1, "long 1 ES from the ticket");
    r1.receive({ payload: { command: "killSwitch", on: true } });
    ticket.receive({ payload: { side: "buy" } });
    await until(() => refused.length === 1, "the buy refused");
    assert.equal(refused[0].decision.rule, "killSwitch", refused[0].decision.reason);
    assert.equal(lastStatus(ticket).text, "refused: kill switch");
    ticket.receive({ payload: { side: "sell" } });
    await until(() => done.length === 2, "the sell (an exit) placed");
    await until(async () => (await signedEs()) === 0, "flat");
    assert.equal((await rt.state()).requests["Order/place"]?.received, 2, "the refused buy never reached the gateway");
  });

  for (const withRules of [true, false]) {
    it(`does nothing for a strategy's exit whose position is already gone, and never exits past flat (${withRules ? "through the rules node" : "order node alone"})`, async () => {
      const { a1, answers } = await loadAlertFlow(withRules);
      const send = async (body: Record<string, unknown>) => {
        const before = answers.length;
        a1.receive({ payload: { secret: "s3cret", symbol: "ES", ...body }, res: {} });
        await until(() => answers.length === before + 1, "an answer");
        return answers.at(-1)!;
      };
      // Flat already (a bracket or a daily-loss flatten closed the trade): the strategy's "sell 1" exit.
      let m = await send({ id: "x1", side: "sell", quantity: 1, marketPosition: "flat", prevMarketPosition: "long" });
      assert.deepEqual(
        [m.statusCode, m.payload.ok, m.payload.action],
        [200, true, "none"],
        JSON.stringify([m.payload, m.decision, m.error]),
      );
      assert.match(m.payload.reason ?? "", /already flat/);
      assert.equal((await rt.state()).requests["Order/place"]?.received ?? 0, 0, "no order sent");
      // Long 2 by hand; the strategy thinks it holds 3 and sells 3 to go flat: only 2 are sold.
      await placeByHand({ type: 2, side: 0, size: 2 });
      await until(async () => (await signedEs()) === 2, "long 2 ES");
      await until(() => helper.getNode("cfg").connection.book(ACCOUNT)?.positions.size === 1, "the book to hold it");
      m = await send({ id: "x2", side: "sell", quantity: 3, marketPosition: "flat", prevMarketPosition: "long" });
      assert.equal(m.payload.ok, true, JSON.stringify(m.payload));
      await until(async () => (await signedEs()) === 0, "flat, not short 1");
      // A reversal while flat opens only the strategy's new position: short 1, not short 2.
      m = await send({
        id: "x3",
        side: "sell",
        quantity: 2,
        marketPosition: "short",
        marketPositionSize: 1,
        prevMarketPosition: "long",
      });
      assert.equal(m.payload.ok, true, JSON.stringify(m.payload));
      await until(async () => (await signedEs()) === -1, "short 1");
    });
  }

  it("tries a failed re-sync again until it succeeds, and then takes entries again", async () => {
    const { r1, st, placed } = await load();
    // Position/searchOpen fails 10 times: the re-sync after the hubs come back (each read tried 5
    // times) fails twice, and no further change of connection state follows.
    await restClient(rt.sim).post("/sim/faults", {
      fail: [{ endpoint: "Position/searchOpen", count: 10, status: 503 }],
      dropHubs: "all",
    });
    // The rule-state msgs only: the same output also carries notifications (topic "notification").
    const state = () => st.filter((m) => m.topic !== "notification").at(-1);
    await until(() => state()?.payload.synced === false, "the guard to lose the account state");
    await until(() => state()?.payload.synced === true, "the account re-synced without another reconnection", 20_000);
    r1.receive({ payload: { symbol: "ES", side: "buy", quantity: 1 } });
    await until(() => placed.length === 1, "the entry approved and placed");
  });
});
