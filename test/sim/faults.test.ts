import { strict as assert } from "node:assert";
import type { AxiosInstance } from "axios";
import type { Simulator } from "../../src/sim";
import { ACCOUNT, login, restClient, SECOND_ACCOUNT, setPrice, startTestSim } from "../support/sim";

const MNQ = "CON.F.US.MNQ.Z26";
const SINCE = "2020-01-01T00:00:00Z";

interface OrderRow {
  id: number;
  customTag: string | null;
  status: number;
}

describe("simulator: fault injection", () => {
  let sim: Simulator;
  let api: AxiosInstance;
  const control = () => restClient(sim);

  /** A buy limit far below the market: it rests and never fills. */
  const place = (tag: string, client: AxiosInstance = api, config = {}) =>
    client.post(
      "/api/Order/place",
      { accountId: ACCOUNT, contractId: MNQ, type: 1, side: 0, size: 1, limitPrice: 20_000, customTag: tag },
      config,
    );

  const orders = async (): Promise<OrderRow[]> => {
    const r = await api.post("/api/Order/search", { accountId: ACCOUNT, startTimestamp: SINCE });
    assert.equal(r.data.success, true);
    return r.data.orders;
  };
  const tagged = async (tag: string) => (await orders()).filter((o) => o.customTag === tag);

  const state = async () => (await control().get("/sim/state")).data;

  /** Milliseconds one request takes. */
  const timed = async <T>(f: () => Promise<T>): Promise<[T, number]> => {
    const t = performance.now();
    const v = await f();
    return [v, performance.now() - t];
  };

  before(async () => {
    // Real time: latency and late answers are real delays. The market is frozen.
    sim = await startTestSim();
    await setPrice(sim, MNQ, 25_000);
  });
  after(() => sim.close());
  beforeEach(async () => {
    await control().post("/sim/reset", {});
    await setPrice(sim, MNQ, 25_000);
    ({ api } = await login(sim));
  });

  it("adds latency to one endpoint only, until the faults are cleared", async () => {
    const r = await control().post("/sim/faults", { latency: { "Contract/available": 1000 } });
    assert.equal(r.status, 200);
    assert.deepEqual(r.data.latency, { "contract/available": 1000 });
    const contracts = () => timed(() => api.post("/api/Contract/available", { live: false }));
    const accounts = () => api.post("/api/Account/search", { onlyActiveAccounts: true });
    /** Which of two requests answers first: an order of events, not a reading of the machine's clock. */
    const firstOf = (a: Promise<unknown>, b: Promise<unknown>) =>
      Promise.race([a.then(() => "contracts"), b.then(() => "accounts")]);
    const slowly = contracts();
    const other = accounts();
    assert.equal(await firstOf(slowly, other), "accounts", "Account/search answers while Contract/available waits");
    assert.equal((await other).status, 200);
    const [slow, slowMs] = await slowly;
    assert.equal(slow.status, 200);
    assert.equal(slow.data.success, true);
    assert.ok(slowMs >= 980, `Contract/available took ${slowMs} ms`);
    // Latency is not used up by a request: it stays until DELETE /sim/faults.
    const [, againMs] = await contracts();
    assert.ok(againMs >= 980, `second Contract/available took ${againMs} ms`);
    const cleared = await control().delete("/sim/faults");
    assert.equal(cleared.status, 200);
    assert.deepEqual(cleared.data.latency, {});
    await control().post("/sim/faults", { latency: { "Account/search": 1000 } });
    const fast = contracts();
    const held = accounts();
    assert.equal(await firstOf(fast, held), "contracts", "after clearing, Contract/available is not held");
    await Promise.all([fast, held]);
  });

  it("fails the next two Order/place with 500 without creating an order, then lets one through", async () => {
    await control().post("/sim/faults", { fail: [{ endpoint: "Order/place", count: 2, status: 500 }] });
    for (let i = 0; i < 2; i++) {
      const r = await place("fail-1");
      assert.equal(r.status, 500, `attempt ${i + 1}`);
      assert.deepEqual(await orders(), [], `no order after attempt ${i + 1}`);
    }
    // Other endpoints are not affected.
    assert.equal((await api.post("/api/Order/searchOpen", { accountId: ACCOUNT })).status, 200);
    const ok = await place("fail-1");
    assert.equal(ok.status, 200);
    assert.equal(ok.data.success, true);
    const rows = await tagged("fail-1");
    assert.equal(rows.length, 1);
    assert.equal(rows[0]!.id, ok.data.orderId);
    assert.deepEqual((await state()).requests["Order/place"], { received: 3, executed: 1, succeeded: 1 });
  });

  it("with execute:true answers 500 but creates the order: the client must reconcile by customTag", async () => {
    await control().post("/sim/faults", { fail: [{ endpoint: "Order/place", status: 500, execute: true }] });
    const r = await place("exec-1");
    assert.equal(r.status, 500);
    const rows = await tagged("exec-1");
    assert.equal(rows.length, 1, "the order exists although the client saw a 500");
    assert.equal(rows[0]!.status, 1, "and it is working");
    // A blind retry with the same tag is refused, and no second order appears.
    const retry = await place("exec-1");
    assert.equal(retry.status, 200);
    assert.equal(retry.data.success, false);
    assert.equal(retry.data.errorCode, 2);
    assert.equal((await tagged("exec-1")).length, 1);
    assert.deepEqual(
      (await state()).requests["Order/place"],
      { received: 2, executed: 2, succeeded: 1 },
      "both ran, one order was created",
    );
  });

  it("answers a 429 storm on every endpoint, then recovers; nothing runs meanwhile", async () => {
    await control().post("/sim/faults", { fail: [{ endpoint: "*", count: 4, status: 429 }] });
    const statuses = [
      (await place("storm-1")).status,
      (await api.post("/api/Account/search", { onlyActiveAccounts: true })).status,
      (await place("storm-1")).status,
      (await api.post("/api/Contract/available", { live: false })).status,
    ];
    assert.deepEqual(statuses, [429, 429, 429, 429]);
    const after = await place("storm-1");
    assert.equal(after.status, 200);
    assert.equal(after.data.success, true);
    assert.equal((await tagged("storm-1")).length, 1);
  });

  it("answers late after executing: the client times out, the order exists once, and a retry is a duplicate", async () => {
    await control().post("/sim/faults", { lateAnswer: [{ endpoint: "Order/place", delayMs: 800 }] });
    await assert.rejects(place("late-1", api, { timeout: 200 }), (e: { code?: string }) => {
      assert.equal(e.code, "ECONNABORTED");
      return true;
    });
    const rows = await tagged("late-1");
    assert.equal(rows.length, 1, "exactly one order carries the tag");
    const retry = await place("late-1");
    assert.equal(retry.status, 200);
    assert.equal(retry.data.success, false);
    assert.equal(retry.data.errorCode, 2);
    assert.match(retry.data.errorMessage, /tag/i);
    assert.equal((await tagged("late-1")).length, 1);
    assert.deepEqual((await state()).requests["Order/place"], { received: 2, executed: 2, succeeded: 1 });
    // The late answer was used up by one request: none is left for a fresh tag.
    assert.deepEqual((await state()).faults.lateAnswer, []);
    assert.equal((await place("late-2")).data.success, true);
  });

  it("still delivers a late answer to a client that waits", async () => {
    await control().post("/sim/faults", { lateAnswer: [{ endpoint: "Order/place", delayMs: 300 }] });
    const [r, ms] = await timed(() => place("patient-1"));
    assert.ok(ms >= 280, `answered after ${ms} ms`);
    assert.equal(r.status, 200);
    assert.equal(r.data.success, true);
    assert.equal((await tagged("patient-1"))[0]!.id, r.data.orderId);
  });

  it("consumes faults per request, per endpoint", async () => {
    await control().post("/sim/faults", {
      fail: [{ endpoint: "/api/Account/search", count: 2, status: 503 }],
      lateAnswer: [{ endpoint: "order/PLACE", count: 2, delayMs: 10 }],
    });
    let faults = (await state()).faults;
    assert.deepEqual(
      faults.fail.map((f: { endpoint: string; count: number }) => [f.endpoint, f.count]),
      [["account/search", 2]],
    );
    assert.deepEqual(
      faults.lateAnswer.map((f: { endpoint: string; count: number }) => [f.endpoint, f.count]),
      [["order/place", 2]],
    );

    // Requests elsewhere use nothing up.
    assert.equal((await api.post("/api/Contract/available", { live: false })).status, 200);
    assert.equal((await state()).faults.fail[0].count, 2);

    assert.equal((await api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 503);
    assert.equal((await state()).faults.fail[0].count, 1);
    assert.equal((await api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 503);
    faults = (await state()).faults;
    assert.deepEqual(faults.fail, []);
    assert.equal((await api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 200);

    assert.equal((await place("count-1")).data.success, true);
    assert.equal((await state()).faults.lateAnswer[0].count, 1);
    assert.equal((await place("count-2")).data.success, true);
    assert.deepEqual((await state()).faults.lateAnswer, []);
  });

  it("keeps an executing fault for a request that runs: a 401 or a 400 does not use it up", async () => {
    await control().post("/sim/faults", {
      fail: [{ endpoint: "Order/place", status: 500, execute: true }],
      lateAnswer: [{ endpoint: "Order/place", delayMs: 300 }],
    });
    // Neither request runs, and both are answered with their own status, the faults left in force.
    const unauth = await place("keep-1", restClient(sim));
    assert.equal(unauth.status, 401);
    const invalid = await api.post("/api/Order/place", { accountId: ACCOUNT });
    assert.equal(invalid.status, 400);
    assert.deepEqual(await orders(), []);
    const kept = (await state()).faults;
    assert.deepEqual([kept.fail.length, kept.lateAnswer.length], [1, 1], "both faults still wait");
    // The faults still wait for requests that run: first the 500 after execution, then the late answer.
    assert.equal((await place("keep-1")).status, 500);
    assert.equal((await tagged("keep-1")).length, 1);
    const [late, lateMs] = await timed(() => place("keep-2"));
    assert.equal(late.data.success, true);
    assert.ok(lateMs >= 280, `answered after ${lateMs} ms`);
    const faults = (await state()).faults;
    assert.deepEqual([faults.fail, faults.lateAnswer], [[], []]);
  });

  it("adds to the faults in force, and clear:true starts over", async () => {
    await control().post("/sim/faults", { fail: [{ endpoint: "Order/place", count: 1 }] });
    await control().post("/sim/faults", { fail: [{ endpoint: "Order/cancel", count: 1 }] });
    assert.equal((await state()).faults.fail.length, 2);
    const r = await control().post("/sim/faults", { clear: true, fail: [{ endpoint: "Order/modify", count: 3 }] });
    assert.deepEqual(
      r.data.fail.map((f: { endpoint: string }) => f.endpoint),
      ["order/modify"],
    );
    assert.equal((await place("clear-1")).status, 200);
  });

  it("refuses a bad fault description with 400 naming the field", async () => {
    const bad = await control().post("/sim/faults", { fail: [{ endpoint: "Order/place", status: 404 }] });
    assert.equal(bad.status, 400);
    assert.match(bad.data.error, /fail\.0\.status/);
    const negative = await control().post("/sim/faults", { latency: { "Order/place": -5 } });
    assert.equal(negative.status, 400);
    assert.match(negative.data.error, /latency/);
    const noDelay = await control().post("/sim/faults", { lateAnswer: [{ endpoint: "Order/place" }] });
    assert.equal(noDelay.status, 400);
    assert.match(noDelay.data.error, /delayMs/);
    // Nothing was added by the refused requests.
    assert.deepEqual((await state()).faults.fail, []);
  });

  it("counts requests per endpoint: received, executed, and succeeded (a duplicate tag runs but places nothing)", async () => {
    await control().post("/sim/faults", { fail: [{ endpoint: "Order/place", count: 1, status: 502 }] });
    assert.equal((await place("count-a")).status, 502);
    assert.equal((await place("count-a")).data.success, true);
    assert.equal((await place("count-a")).data.errorCode, 2); // executed, refused as a duplicate
    assert.equal((await restClient(sim).post("/api/Order/place", {})).status, 401);
    assert.equal((await api.post("/api/Order/place", { accountId: ACCOUNT })).status, 400);
    assert.equal((await api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 200);
    const requests = (await state()).requests;
    assert.deepEqual(requests["Order/place"], { received: 5, executed: 2, succeeded: 1 });
    assert.deepEqual(requests["Account/search"], { received: 1, executed: 1, succeeded: 1 });
    assert.ok(requests["Auth/loginKey"].executed >= 1);
    assert.equal(requests["Order/cancel"], undefined);
  });

  it("POST /sim/reset clears faults, orders, positions and request counts, and restores balances", async () => {
    // Change the world: a fill (fees and a position), a resting order, a patched account, faults.
    const buy = await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: MNQ, type: 2, side: 0, size: 2 });
    assert.equal(buy.data.success, true);
    assert.equal((await place("reset-1")).data.success, true);
    await control().post("/sim/account", {
      accountId: SECOND_ACCOUNT,
      balance: 12_345,
      canTrade: false,
      active: false,
    });
    await control().post("/sim/faults", {
      fail: [{ endpoint: "Account/search", count: 5 }],
      latency: { "Order/search": 300 },
    });
    const before = await state();
    assert.ok(before.accounts.find((a: { id: number }) => a.id === ACCOUNT).balance < 50_000, "fees were charged");
    assert.equal(before.positions.length, 1);

    const r = await control().post("/sim/reset", {});
    assert.equal(r.status, 200);

    const accounts = await api.post("/api/Account/search", { onlyActiveAccounts: true });
    assert.equal(accounts.status, 200, "the failure fault is gone");
    assert.deepEqual(
      accounts.data.accounts
        .map((a: { id: number; balance: number; canTrade: boolean }) => [a.id, a.balance, a.canTrade])
        .sort(),
      [
        [ACCOUNT, 50_000, true],
        [SECOND_ACCOUNT, 50_000, true],
        [10003, 0, true],
        [10004, 0, true],
      ],
    );
    assert.deepEqual((await state()).faults.latency, {}, "the latency fault is gone");
    assert.deepEqual(await orders(), []);
    assert.deepEqual((await api.post("/api/Position/searchOpen", { accountId: ACCOUNT })).data.positions, []);
    assert.deepEqual(
      (await api.post("/api/Trade/search", { accountId: ACCOUNT, startTimestamp: SINCE })).data.trades,
      [],
    );
    const after = await state();
    assert.deepEqual(after.faults.fail, []);
    assert.deepEqual(after.faults.latency, {});
    assert.equal(after.requests["Order/place"], undefined, "request counts start over");
    // A tag used before the reset is free again.
    assert.equal((await place("reset-1")).data.success, true);
  });

  it("keeps tokens across a reset unless asked to revoke them", async () => {
    await control().post("/sim/reset", {});
    assert.equal((await api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 200);
    await control().post("/sim/reset", { tokens: true });
    assert.equal((await api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 401);
  });
});
