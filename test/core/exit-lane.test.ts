import { strict as assert } from "node:assert";
import { FlattenIncompleteError, type FlattenReport, flattenAccount } from "../../src/core/account/flatten";
import { simulatorEndpoints } from "../../src/core/gateway/environments";
import { GatewayHttpError, GatewayRejectedError, GatewayTimeoutError } from "../../src/core/gateway/errors";
import { GatewayApi } from "../../src/core/gateway/gateway-api";
import { BudgetExhaustedError, DEFAULT_BUDGETS, RequestBudget } from "../../src/core/gateway/request-budget";
import { RestClient } from "../../src/core/gateway/rest-client";
import { backoffDelay, EXIT_BACKOFF, isTransient } from "../../src/core/gateway/retry-policy";
import { closeConfirmed } from "../../src/core/orders/confirmed-exits";
import type { Simulator } from "../../src/sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, startTestSim, USER } from "../support/sim";
import { type ClockEvent, VirtualClock } from "../support/virtual-clock";

type Counts = Record<string, { received: number; executed: number }>;

/** Runs `work` to its end, moving the virtual clock whenever the client has nothing on the wire. */
async function drive<T>(
  clock: VirtualClock,
  rest: RestClient,
  work: Promise<T>,
  what: string,
  events: ClockEvent[] = [],
): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | null = null;
  work.then(
    (value) => (outcome = { ok: true, value }),
    (error: unknown) => (outcome = { ok: false, error }),
  );
  await clock.runUntil(() => outcome !== null, { busy: () => rest.stats.inFlight > 0, events, what });
  const o = outcome as unknown as { ok: true; value: T } | { ok: false; error: unknown };
  if (!o.ok) throw o.error;
  return o.value;
}

describe("core: the request budget's exit lane", () => {
  describe("the budget and the retry policy", () => {
    it("keeps a reserve that only the exit lane may use, and caps the exit lane's retries", async () => {
      const clock = new VirtualClock();
      const budget = new RequestBudget({ limit: 10, windowMs: 1000, reserved: 4, exitRetries: 2 }, clock);
      for (let i = 0; i < 6; i++) await budget.acquire({ maxWaitMs: 0 });
      await assert.rejects(budget.acquire({ maxWaitMs: 0 }), BudgetExhaustedError, "ordinary requests stop at 6 of 10");
      await budget.acquire({ lane: "exit", maxWaitMs: 0 });
      await budget.acquire({ lane: "exit", retry: true, maxWaitMs: 0 });
      await budget.acquire({ lane: "exit", retry: true, maxWaitMs: 0 });
      await assert.rejects(
        budget.acquire({ lane: "exit", retry: true, maxWaitMs: 0 }),
        BudgetExhaustedError,
        "a third retry in the window waits",
      );
      await budget.acquire({ lane: "exit", maxWaitMs: 0 });
      assert.deepEqual(budget.usage(), { used: 10, exitRetries: 2 });
      // The third retry goes when the first retry leaves the window (1.05 × 1000 ms later).
      const start = clock.now();
      let sentAt = 0;
      const retry = budget.acquire({ lane: "exit", retry: true }).then(() => (sentAt = clock.now()));
      await clock.runUntil(() => sentAt > 0, { busy: () => false, what: "the third retry" });
      await retry;
      assert.equal(sentAt - start, 1050);
    });

    it("backs off from 250 ms doubling to at most 4 s, with jitter, never under Retry-After", () => {
      const steps = [0, 1, 2, 3, 4, 5, 9].map((a) => [
        backoffDelay(EXIT_BACKOFF, a, 0, () => 0),
        backoffDelay(EXIT_BACKOFF, a, 0, () => 1),
      ]);
      assert.deepEqual(steps, [
        [125, 250],
        [250, 500],
        [500, 1000],
        [1000, 2000],
        [2000, 4000],
        [2000, 4000],
        [2000, 4000],
      ]);
      assert.equal(
        backoffDelay(EXIT_BACKOFF, 0, 30_000, () => 1),
        30_000,
      );
    });

    it("repeats after 5xx, 429 and timeouts, never after a refusal or a bad request", () => {
      assert.deepEqual(
        [503, 500, 429, 400, 404].map((s) => isTransient(new GatewayHttpError("Position/closeContract", s))),
        [true, true, true, false, false],
      );
      assert.equal(isTransient(new GatewayTimeoutError("Order/cancel", 10_000)), true);
      assert.equal(isTransient(new GatewayRejectedError("Position/closeContract", 5, "Order rejected")), false);
      assert.equal(isTransient(new Error("x")), false);
    });

    it("reserves 40 of the 190 requests a minute for exits, 20 of them for retries", () => {
      const b = new RequestBudget(DEFAULT_BUDGETS.other, new VirtualClock());
      assert.deepEqual([b.limit, b.reserved, b.exitRetries], [190, 40, 20]);
    });
  });

  describe("flatten against the simulator after a burst of orders", () => {
    let clock: VirtualClock;
    let sim: Simulator;
    let rest: RestClient;
    let api: GatewayApi;
    let mnq: string;

    const counts = async (): Promise<Counts> => (await restClient(sim).get("/sim/state")).data.requests;
    const positions = async (): Promise<unknown[]> => (await restClient(sim).get("/sim/state")).data.positions;

    beforeEach(async () => {
      clock = new VirtualClock();
      sim = await startTestSim({ now: clock.now });
      mnq = (await frontMonth((await login(sim)).api, "MNQ")).id;
      await setPrice(sim, mnq, 21000);
      // The client of a connection: the documented budget (190 of 200 a minute), the test's clock.
      rest = new RestClient({ endpoints: simulatorEndpoints(sim.restUrl), credentials: USER, clock });
      api = new GatewayApi(rest, clock);
    });
    afterEach(async () => {
      rest.close();
      await sim.close();
    });

    /** 190 market orders at once: as many as the whole budget holds. */
    async function burst(): Promise<{ placed: number; refused: number }> {
      const all = Promise.allSettled(
        Array.from({ length: 190 }, (_, i) =>
          api.placeOrder({ accountId: ACCOUNT, contractId: mnq, type: 2, side: 0, size: 1, customTag: `burst-${i}` }),
        ),
      );
      const settled = await drive(clock, rest, all, "the burst");
      const refused = settled.filter((s) => s.status === "rejected");
      for (const r of refused)
        assert.ok(
          (r as PromiseRejectedResult).reason instanceof BudgetExhaustedError,
          String((r as PromiseRejectedResult).reason),
        );
      return { placed: settled.length - refused.length, refused: refused.length };
    }

    it("a burst of orders cannot use the exits' reserve: the flatten that follows is flat at once", async () => {
      const b = await burst();
      assert.deepEqual(
        b,
        { placed: 150, refused: 40 },
        "ordinary orders stop at 150 of 190; the rest are refused unsent",
      );
      const start = clock.now();
      const sentBefore = rest.stats.requests;
      const report = await drive(clock, rest, flattenAccount(api, ACCOUNT, clock), "the flatten");
      assert.equal(report.flat, true);
      assert.deepEqual(report.closedContracts, [mnq]);
      assert.equal(report.confirmedAt - start, 0, "no wait for the budget window");
      assert.equal(rest.stats.requests - sentBefore, 5, "look (2), close (1), confirm (2)");
      assert.equal(rest.stats.rateLimited, 0, "the gateway never answered 429");
      assert.deepEqual(await positions(), []);
    });

    it("closes of three positions failing for the whole deadline: the repeats keep to their share, then the flatten reports itself incomplete", async () => {
      const { api: sim1 } = await login(sim);
      for (const symbol of ["MNQ", "MES", "M2K"]) {
        const c = (await frontMonth(sim1, symbol)).id;
        await setPrice(sim, c, symbol === "M2K" ? 2400 : 6000);
        await drive(
          clock,
          rest,
          api.placeOrder({ accountId: ACCOUNT, contractId: c, type: 2, side: 0, size: 1 }),
          `a ${symbol} position`,
        );
      }
      await restClient(sim).post("/sim/faults", {
        fail: [{ endpoint: "Position/closeContract", status: 503, count: 100_000 }],
      });
      const start = clock.now();
      const samples: Array<{ used: number; exitRetries: number }> = [];
      const sample = () => void samples.push(rest.budgetUsage());
      const flatten = flattenAccount(api, ACCOUNT, clock, { deadlineMs: 180_000 });
      await assert.rejects(
        drive(
          clock,
          rest,
          flatten,
          "the flatten",
          [30, 60, 90, 120, 150].map((s) => ({ at: start + s * 1000, run: sample })),
        ),
        (e: Error) =>
          e instanceof FlattenIncompleteError &&
          /3 positions and 0 working orders remained; last error: .*HTTP 503/.test(e.message),
      );
      // A round that has started finishes, even if its repeats wait for their share: one window at most.
      assert.ok(
        clock.now() - start >= 180_000 && clock.now() - start <= 180_000 + 63_000,
        `gave up after ${clock.now() - start} ms; samples ${JSON.stringify(samples)}`,
      );
      for (const u of samples) {
        assert.ok(u.exitRetries <= 20, `repeats in a window: ${u.exitRetries}`);
        assert.ok(u.used <= 40, `exit requests in a window: ${u.used}: ordinary orders keep their 150`);
      }
      assert.equal(rest.stats.rateLimited, 0);
    });

    it("closes failing with 503 for 15 s: flat within one backoff step of the recovery, on a few requests", async () => {
      await burst();
      const before = await counts();
      const sentBefore = rest.stats.requests;
      await restClient(sim).post("/sim/faults", {
        fail: [{ endpoint: "Position/closeContract", status: 503, count: 100_000 }],
      });
      const start = clock.now();
      const recovery = start + 15_000;
      const report: FlattenReport = await drive(clock, rest, flattenAccount(api, ACCOUNT, clock), "the flatten", [
        { at: recovery, run: () => restClient(sim).post("/sim/faults", { clear: true }) },
      ]);
      const after = await counts();
      const closes = after["Position/closeContract"]!.received - (before["Position/closeContract"]?.received ?? 0);
      const sent = rest.stats.requests - sentBefore;
      assert.equal(report.flat, true);
      assert.ok(report.confirmedAt >= recovery, "not flat before the gateway recovered");
      assert.ok(
        report.confirmedAt - recovery <= EXIT_BACKOFF.maxMs,
        `flat ${report.confirmedAt - recovery} ms after the recovery: within one backoff step`,
      );
      assert.ok(closes >= 6 && closes <= 14, `${closes} closes in 15 s: capped exponential backoff`);
      assert.equal(sent, closes + 4, "besides the closes, only the first look and the confirmation");
      assert.ok(
        rest.budgetUsage().exitRetries <= DEFAULT_BUDGETS.other.exitRetries!,
        "the repeats stayed in their share of the reserve",
      );
      assert.equal(rest.stats.rateLimited, 0, "the gateway never answered 429");
      assert.deepEqual(await positions(), []);
    });
  });
  describe("a close whose answer was lost", () => {
    it("does not close a new position that an entry opened before the repeat", async () => {
      const clock = new VirtualClock();
      const sim = await startTestSim({ now: clock.now });
      const rest = new RestClient({ endpoints: simulatorEndpoints(sim.restUrl), credentials: USER, clock });
      const api = new GatewayApi(rest, clock);
      try {
        const other = (await login(sim)).api;
        const mnq = (await frontMonth(other, "MNQ")).id;
        await setPrice(sim, mnq, 21000);
        const entry = () =>
          other.post("/api/Order/place", { accountId: ACCOUNT, contractId: mnq, type: 2, side: 0, size: 1 });
        await entry();
        const [first] = await drive(clock, rest, api.exitLane().searchOpenPositions(ACCOUNT), "the position");
        // The close runs, its answer is lost; the strategy's next entry arrives before the repeat.
        await restClient(sim).post("/sim/faults", {
          fail: [{ endpoint: "Position/closeContract", status: 503, execute: true }],
        });
        const done = await drive(clock, rest, closeConfirmed(api, clock, ACCOUNT, first!), "the close", [
          { at: clock.now() + 100, run: entry },
        ]);
        assert.deepEqual(done, { attempts: 1, reconciled: true });
        const left = (await restClient(sim).get("/sim/state")).data.positions as Array<{ id: number; size: number }>;
        assert.equal(left.length, 1, "the new entry's position is still open");
        assert.notEqual(left[0]!.id, first!.id);
      } finally {
        rest.close();
        await sim.close();
      }
    });
  });

  describe("a close refused with 429 by the gateway's own limiter", () => {
    it("waits as long as Retry-After says instead of knocking every few seconds", async () => {
      const clock = new VirtualClock();
      // The gateway counts more than this client does (another program on the same key, say).
      const sim = await startTestSim({ now: clock.now, rateLimits: { other: { limit: 8, windowMs: 60_000 } } });
      const rest = new RestClient({ endpoints: simulatorEndpoints(sim.restUrl), credentials: USER, clock });
      const api = new GatewayApi(rest, clock);
      try {
        const other = (await login(sim)).api;
        const mnq = (await frontMonth(other, "MNQ")).id;
        await setPrice(sim, mnq, 21000);
        await drive(
          clock,
          rest,
          api.placeOrder({ accountId: ACCOUNT, contractId: mnq, type: 2, side: 0, size: 1 }),
          "the entry",
        );
        const [position] = await drive(clock, rest, api.exitLane().searchOpenPositions(ACCOUNT), "the position");
        // Another program on the same user uses up the gateway's window.
        for (let i = 0; (await other.post("/api/Account/search", { onlyActiveAccounts: true })).status !== 429; i++)
          assert.ok(i < 20);
        const start = clock.now();
        const before =
          ((await restClient(sim).get("/sim/state")).data.requests as Counts)["Position/closeContract"]?.received ?? 0;
        const done = await drive(clock, rest, closeConfirmed(api, clock, ACCOUNT, position!), "the close");
        const closes =
          ((await restClient(sim).get("/sim/state")).data.requests as Counts)["Position/closeContract"]!.received -
          before;
        assert.equal(done.reconciled, false);
        assert.ok(closes <= 3, `${closes} close requests: Retry-After was honoured`);
        assert.ok(clock.now() - start <= 65_000, `closed ${clock.now() - start} ms later: within the gateway's window`);
        assert.deepEqual((await restClient(sim).get("/sim/state")).data.positions, []);
      } finally {
        rest.close();
        await sim.close();
      }
    });
  });
});
