import { strict as assert } from "node:assert";
import type { Simulator } from "../../src/sim";
import type { AlertRefusalMsg, IntentPayload, Received } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { startTestSim, until } from "../support/sim";

const SECRET = "alert-node-secret";

describe("node: topstepx-alert", () => {
  let sim: Simulator;

  before(async () => {
    sim = await startTestSim();
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
  afterEach(() => helper.unload());

  async function load(
    alert: Record<string, unknown> = {},
    credentials: Record<string, string> = { webhookSecret: SECRET },
  ) {
    const cfg = configFor(sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        {
          id: "a1",
          type: "topstepx-alert",
          server: "cfg",
          requireSecret: true,
          ...alert,
          wires: [["intent"], ["refused"]],
        },
        { id: "intent", type: "helper" },
        { id: "refused", type: "helper" },
      ],
      { cfg: { ...cfg.credentials.cfg, ...credentials } },
    );
    return {
      a1: helper.getNode("a1"),
      intent: collect<Received<IntentPayload>>(helper.getNode("intent")),
      refused: collect<AlertRefusalMsg>(helper.getNode("refused")),
    };
  }

  it("carries the strategy's market position to the rules node as msg.payload.strategyPosition", async () => {
    const { a1, intent } = await load();
    a1.receive({
      payload: JSON.stringify({
        secret: SECRET,
        id: "exit-1",
        symbol: "MNQ1!",
        side: "sell",
        quantity: "1",
        marketPosition: "flat",
        prevMarketPosition: "long",
        marketPositionSize: "0",
        prevMarketPositionSize: "1",
      }),
    });
    a1.receive({
      payload: { secret: SECRET, id: "tp-1", ticker: "MNQ1!", action: "buy", sentiment: "bullish", quantity: 2 },
    });
    a1.receive({ payload: `buy 1 MNQ1! secret=${SECRET} id=text-1 market_position=long prev_market_position=flat` });
    await until(() => intent.length === 3, "three intents");
    assert.deepEqual(intent[0].payload.strategyPosition, {
      after: "flat",
      before: "long",
      afterSize: 0,
      beforeSize: 1,
    });
    assert.deepEqual([intent[0].payload.side, intent[0].payload.quantity, intent[0].payload.id], ["sell", 1, "exit-1"]);
    assert.deepEqual(intent[1].payload.strategyPosition, { after: "long" });
    assert.deepEqual(intent[2].payload.strategyPosition, { after: "long", before: "flat" });
  });

  it("refuses a bad market position on an entry with 400 naming the field, and lets an exit through without it", async () => {
    const { a1, intent, refused } = await load();
    a1.receive({
      res: {},
      payload: {
        secret: SECRET,
        id: "bad-1",
        symbol: "MNQ1!",
        side: "buy",
        quantity: 1,
        marketPosition: "{{strategy.market_position}}",
      },
    });
    a1.receive({
      res: {},
      payload: { secret: SECRET, id: "bad-2", symbol: "MNQ1!", action: "close", marketPosition: "sideways" },
    });
    await until(() => refused.length === 1 && intent.length === 1, "one refusal and one intent");
    assert.equal(refused[0].statusCode, 400);
    assert.deepEqual(refused[0].payload, {
      ok: false,
      status: 400,
      field: "marketPosition",
      error: 'marketPosition: looks like an unsubstituted TradingView placeholder (got "{{strategy.market_position}}")',
      reason:
        'marketPosition: looks like an unsubstituted TradingView placeholder (got "{{strategy.market_position}}")',
    });
    assert.deepEqual(intent[0].payload, {
      action: "close",
      type: "market",
      symbol: "MNQ1!",
      id: "bad-2",
      alertTime: undefined,
    });
  });

  it("with no webhook secret refuses every alert with 401 and stays red; unticked, it lets them through", async () => {
    let { a1, intent, refused } = await load({}, {});
    await until(() => lastStatus(a1).fill === "red", "a red status");
    a1.receive({ res: {}, payload: { id: "n-1", symbol: "MNQ1!", side: "buy", quantity: 1 } });
    await until(() => refused.length === 1, "a refusal");
    assert.equal(refused[0].statusCode, 401);
    assert.equal(refused[0].payload.field, "secret");
    assert.match(refused[0].payload.error, /no webhook secret is configured/);
    assert.equal(intent.length, 0);
    assert.deepEqual(lastStatus(a1), { fill: "red", shape: "ring", text: "refusing: no webhook secret" });
    await helper.unload();

    ({ a1, intent, refused } = await load({ requireSecret: false }, {}));
    a1.receive({ payload: { id: "n-2", symbol: "MNQ1!", side: "buy", quantity: 1 } });
    await until(() => intent.length === 1, "an intent");
    assert.equal(refused.length, 0);
  });
});
