import { strict as assert } from "node:assert";
import type { AxiosInstance } from "axios";
import type { Simulator } from "../../src/sim";
import { runningClockFrom } from "../support/clock";
import { allNodes, configFor, helper, lastStatus } from "../support/node-red";
import { ACCOUNT, frontMonth, login, restClient, setPrice, startTestSim, until } from "../support/sim";
import { BUY, placeOk, T } from "../support/trading";
import { VirtualClock } from "../support/virtual-clock";

/* eslint-disable @typescript-eslint/no-require-imports */
const httpInModule = require("@node-red/nodes/core/network/21-httpin.js");
const supertest = require("supertest");
/* eslint-enable @typescript-eslint/no-require-imports */

/** The http in and http response nodes; keeps the express app they serve on (RED.httpNode). */
let httpNodeApp: unknown = null;
const httpNodes = (RED: { httpNode: unknown }) => {
  httpNodeApp = RED.httpNode;
  return httpInModule(RED);
};

type Counts = Record<string, { received: number; executed: number; succeeded: number } | undefined>;
/** A msg from the order node's outputs, as far as these tests read it. */
interface OutMsg {
  payload: { action?: string; status?: string; request?: { side?: string } };
  error?: { message: string };
}
/** The JSON answer of the webhook. */
interface Answer {
  status: number;
  body: { ok?: boolean; action?: string; status?: string; reason?: string; attempts?: number; reconciled?: boolean };
}
interface SimState {
  orders: Array<{ id: number; status: number; side: number; size: number; customTag: string | null }>;
  positions: Array<{ contractId: string; size: number }>;
  requests: Counts;
}

/**
 * Exits that webhooks send (close, exit, flatten, cancel), through a real http in → order node →
 * http response flow: repeated after transient gateway failures until confirmed, and answered 200
 * "none" when there is nothing left to close.
 */
describe("node: topstepx-order exits behind a webhook", () => {
  let sim: Simulator;
  let api: AxiosInstance;
  let mnq: string;
  const state = async (): Promise<SimState> => (await restClient(sim).get("/sim/state")).data;
  const faults = async (body: object) => assert.equal((await restClient(sim).post("/sim/faults", body)).status, 200);
  const sent = (s: SimState, endpoint: string) => s.requests[endpoint]?.received ?? 0;

  before(async () => {
    // The tests of this file run within a minute of each other: the gateway's limit is not their subject.
    sim = await startTestSim({ rateLimits: { enabled: false } });
    api = (await login(sim)).api;
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
    helper.settings({ topstepxConfigClock: runningClockFrom() });
  });
  afterEach(async () => {
    await restClient(sim).delete("/sim/faults");
    await helper.unload();
    helper.settings({});
  });

  /** http in (POST /exit) → [alert →] order → http response, the order node's outputs also collected. */
  async function load(o: { viaAlert?: boolean; on?: Simulator } = {}) {
    const cfg = configFor(o.on ?? sim);
    const flow = [
      cfg.node,
      { id: "in", type: "http in", url: "/exit", method: "post", wires: [[o.viaAlert ? "a1" : "o1"]] },
      { id: "a1", type: "topstepx-alert", server: "cfg", requireSecret: false, wires: [["o1"], ["res"]] },
      {
        id: "o1",
        type: "topstepx-order",
        server: "cfg",
        action: "close",
        symbol: "MNQ1!",
        wires: [
          ["res", "ok"],
          ["res", "err"],
        ],
      },
      { id: "res", type: "http response" },
      { id: "ok", type: "helper" },
      { id: "err", type: "helper" },
    ];
    await helper.load([httpNodes, ...allNodes], flow, cfg.credentials);
    const o1 = helper.getNode("o1");
    const err: OutMsg[] = [];
    const ok: OutMsg[] = [];
    helper.getNode("err").on("input", (m: OutMsg) => err.push(m));
    helper.getNode("ok").on("input", (m: OutMsg) => ok.push(m));
    await until(() => lastStatus(o1).text === "connected", "the order node to show connected");
    return { o1, ok, err, cfg: helper.getNode("cfg") };
  }

  const post = (body: unknown): Promise<Answer> =>
    supertest(httpNodeApp)
      .post("/exit")
      .set("content-type", typeof body === "string" ? "text/plain" : "application/json")
      .send(body);

  async function longMnq(size: number): Promise<void> {
    await placeOk(api, { accountId: ACCOUNT, contractId: mnq, type: T.Market, side: BUY, size });
  }

  it("a close meeting a 503 is repeated and answered 200 once the position is closed", async () => {
    await longMnq(2);
    const { err } = await load();
    await faults({ fail: [{ endpoint: "Position/closeContract", status: 503 }] });
    const r = await post({ action: "close", symbol: "MNQ" });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.ok, true);
    assert.equal(r.body.action, "close");
    assert.equal(r.body.attempts, 2);
    const s = await state();
    assert.deepEqual(s.positions, []);
    assert.equal(sent(s, "Position/closeContract"), 2);
    assert.equal(err.length, 0);
  });

  it("with the account followed, a close looks at the live account book before repeating: no extra read", async () => {
    const { o1, ok } = await load();
    o1.receive({ payload: { action: "place", symbol: "MNQ", side: "buy", quantity: 1 } });
    await until(() => ok.length === 1, "the entry, which makes the node follow the account");
    await faults({ fail: [{ endpoint: "Position/closeContract", status: 503 }] });
    const before = await state();
    const r = await post({ action: "close", symbol: "MNQ" });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.attempts, 2);
    const s = await state();
    assert.deepEqual(s.positions, []);
    assert.equal(
      sent(s, "Position/searchOpen") - sent(before, "Position/searchOpen"),
      1,
      "only the read that found the position",
    );
  });

  it("a close whose answer was lost after it ran is confirmed by a read, and closes once", async () => {
    await longMnq(2);
    await load();
    await faults({ fail: [{ endpoint: "Position/closeContract", status: 503, execute: true }] });
    const r = await post({ action: "close", symbol: "MNQ" });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.reconciled, true);
    const s = await state();
    assert.deepEqual(s.positions, []);
    assert.equal(s.orders.filter((o) => o.side === 1).length, 1, "one closing order");
    assert.equal(s.requests["Position/closeContract"]?.succeeded, 1, "one close carried out at the gateway");
  });

  it("a partial close whose answer was lost is not sent twice: the position is read first", async () => {
    await longMnq(3);
    await load();
    await faults({ fail: [{ endpoint: "Position/partialCloseContract", status: 503, execute: true }] });
    const r = await post({ action: "partialClose", symbol: "MNQ", quantity: 1 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.reconciled, true);
    const s = await state();
    assert.deepEqual(
      s.positions.map((p) => p.size),
      [2],
      "1 of 3 closed, once",
    );
    assert.equal(sent(s, "Position/partialCloseContract"), 1);
  });

  it("a partial close meeting a 503 before it ran is repeated for the same quantity", async () => {
    await longMnq(3);
    await load();
    await faults({ fail: [{ endpoint: "Position/partialCloseContract", status: 503 }] });
    const r = await post({ action: "partialClose", symbol: "MNQ", quantity: 2 });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.reconciled, false);
    assert.deepEqual(
      (await state()).positions.map((p) => p.size),
      [1],
    );
  });

  it("a cancel meeting two 503s is repeated until the order is cancelled", async () => {
    const orderId = await placeOk(api, {
      accountId: ACCOUNT,
      contractId: mnq,
      type: T.Limit,
      side: BUY,
      size: 1,
      limitPrice: 20000,
    });
    await load();
    await faults({ fail: [{ endpoint: "Order/cancel", status: 503, count: 2 }] });
    const r = await post({ action: "cancel", orderId });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.deepEqual([r.body.action, r.body.status, r.body.attempts], ["cancel", "cancelled", 3]);
    assert.equal((await state()).orders.find((o) => o.id === orderId)!.status, 3);
  });

  for (const [what, body, viaAlert] of [
    ["a close", { action: "close", symbol: "MNQ" }, false],
    ["an exit alert", "exit MNQ1!", true],
    ["a TradersPost flat alert", { ticker: "MNQ1!", action: "sell", sentiment: "flat", quantity: 1 }, true],
    ["a flatten", { action: "flatten" }, false],
  ] as const) {
    it(`${what} when already flat answers 200 {ok: true, action: "none", reason: "already flat"}`, async () => {
      const { o1, err } = await load({ viaAlert });
      const r = await post(body);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual([r.body.ok, r.body.action, r.body.reason], [true, "none", "already flat"]);
      assert.equal(err.length, 0);
      assert.match(lastStatus(o1).text!, /already flat/);
      assert.equal(sent(await state(), "Position/closeContract"), 0);
    });
  }

  it("when the budget refuses ordinary orders, an order that only reduces the position and a close still go", async () => {
    helper.settings({
      topstepxConfigClock: runningClockFrom(),
      topstepxConfigRestBudgets: {
        bars: { limit: 45, windowMs: 30_000 },
        other: { limit: 24, windowMs: 60_000, reserved: 6 },
      },
    });
    const { o1, ok, err } = await load();
    o1.receive({ payload: { action: "place", symbol: "MNQ", side: "buy", quantity: 3 } });
    await until(() => ok.length === 1, "the entry");
    for (let i = 0; i < 24 && err.length === 0; i++) {
      o1.receive({
        payload: { action: "place", symbol: "MNQ", side: "buy", quantity: 1, type: "limit", limitPrice: 20000 },
      });
      await until(() => ok.length + err.length === i + 2, "an answer");
    }
    assert.match(
      err[0]?.error?.message ?? "",
      /request budget .* not sent/,
      "ordinary orders are refused, unsent, before the reserve",
    );
    const errors = err.length;
    const answers = ok.length + err.length;
    o1.receive({ payload: { action: "place", symbol: "MNQ", side: "sell", quantity: 2 } });
    await until(() => ok.length + err.length > answers, "the reducing sell");
    assert.equal(err.length, errors, JSON.stringify(err.at(-1)?.error));
    assert.equal(ok.at(-1)?.payload.status, "filled");
    assert.deepEqual(
      (await state()).positions.map((p) => p.size),
      [1],
    );
    o1.receive({ payload: { action: "close", symbol: "MNQ" } });
    await until(() => ok.at(-1)?.payload.action === "close" || err.length > errors, "the close");
    assert.equal(err.length, errors, JSON.stringify(err.at(-1)?.error));
    assert.deepEqual((await state()).positions, []);
  });

  it("a flatten after a burst of orders and 15 s of failing closes: flat within one backoff step of the recovery", async () => {
    const clock = new VirtualClock();
    // A gateway of its own on the same clock, so that its rate limits count in the same time.
    const gw = await startTestSim({ now: clock.now });
    const gwState = async (): Promise<SimState> => (await restClient(gw).get("/sim/state")).data;
    try {
      await setPrice(gw, (await frontMonth((await login(gw)).api, "MNQ")).id, 21000);
      helper.settings({ topstepxConfigClock: clock });
      const { o1, ok, err, cfg } = await load({ on: gw });
      const busy = () => cfg.connection.rest.stats.inFlight > 0;
      // 190 market orders: as many as the whole budget (190 a minute) holds.
      for (let i = 0; i < 190; i++)
        o1.receive({ payload: { action: "place", symbol: "MNQ", side: "buy", quantity: 1 } });
      await clock.runUntil(() => ok.length + err.length === 190, { busy, what: "the burst's answers" });
      const refused = err.filter((m) => /request budget .* not sent/.test(m.error?.message ?? "")).length;
      assert.ok(
        refused >= 40 && refused === err.length,
        `${refused} of 190 refused unsent; ${ok.length} placed; ${[...new Set(err.map((m) => m.error?.message))].join(" / ")}`,
      );
      assert.equal(
        (
          await restClient(gw).post("/sim/faults", {
            fail: [{ endpoint: "Position/closeContract", status: 503, count: 100_000 }],
          })
        ).status,
        200,
      );
      const before = await gwState();
      const start = clock.now();
      const recovery = start + 15_000;
      o1.receive({ payload: { action: "flatten" } });
      await clock.runUntil(() => ok.at(-1)?.payload.action === "flatten" || err.length > refused, {
        busy,
        what: "the flatten",
        events: [{ at: recovery, run: () => restClient(gw).post("/sim/faults", { clear: true }) }],
      });
      assert.equal(err.length, refused, JSON.stringify(err.at(-1)?.error));
      const s = await gwState();
      assert.deepEqual(s.positions, []);
      assert.ok(
        clock.now() >= recovery && clock.now() - recovery <= 4000,
        `flat ${clock.now() - recovery} ms after the recovery`,
      );
      const closes = sent(s, "Position/closeContract") - sent(before, "Position/closeContract");
      assert.ok(closes <= 14, `${closes} closes in 15 s`);
      assert.equal(cfg.connection.rest.stats.rateLimited, 0, "the gateway never answered 429");
    } finally {
      await helper.unload();
      await gw.close();
    }
  });

  it("an exit still failing after 2 s is answered 202, goes on, and is reported when confirmed", async () => {
    await longMnq(1);
    const clock = new VirtualClock();
    helper.settings({ topstepxConfigClock: clock });
    const { o1, ok, err, cfg } = await load();
    await faults({ fail: [{ endpoint: "Position/closeContract", status: 503, count: 100_000 }] });
    const start = clock.now();
    let answer: Answer | null = null;
    void post({ action: "close", symbol: "MNQ" }).then((r: Answer) => (answer = r));
    const busy = () => cfg.connection.rest.stats.inFlight > 0;
    // Once the 2 s bound has passed, the 202 is on its way through Node-RED: hold time still for it.
    const answering = () => busy() || (ok.length === 0 && clock.now() >= start + 2000);
    await clock.runUntil(() => ok.length > 0, { busy: answering, what: "the webhook's answer" });
    const answeredAt = clock.now();
    const got = (await until(() => answer, "the HTTP answer")) as Answer;
    assert.equal(got.status, 202);
    assert.deepEqual([got.body.ok, got.body.action, got.body.status], [true, "close", "retrying"]);
    assert.equal(answeredAt - start, 2000, "answered at the 2 s bound, inside TradingView's 3 s");
    assert.equal(lastStatus(o1).fill, "yellow");
    // The gateway recovers 30 s later: the close goes through within one backoff step.
    const recovery = start + 30_000;
    await clock.runUntil(() => /confirmed late/.test(lastStatus(o1).text ?? ""), {
      busy,
      what: "the late confirmation",
      events: [{ at: recovery, run: () => faults({ clear: true }) }],
    });
    assert.ok(clock.now() - recovery <= 4000, `confirmed ${clock.now() - recovery} ms after the recovery`);
    const s = await state();
    assert.deepEqual(s.positions, []);
    assert.ok(sent(s, "Position/closeContract") <= 16, `${sent(s, "Position/closeContract")} closes in 30 s`);
    assert.equal(err.length, 0);
  });
});
