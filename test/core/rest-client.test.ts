import { strict as assert } from "node:assert";
import { EndpointError, resolveEndpoints, simulatorEndpoints } from "../../src/core/gateway/environments";
import { GatewayAuthError, GatewayRejectedError, OrderNotConfirmedError } from "../../src/core/gateway/errors";
import { GatewayApi } from "../../src/core/gateway/gateway-api";
import { BudgetExhaustedError } from "../../src/core/gateway/request-budget";
import { RestClient, type RestClientOptions } from "../../src/core/gateway/rest-client";
import type { Simulator } from "../../src/sim";
import { ACCOUNT, frontMonth, login, restClient, startTestSim, USER, until } from "../support/sim";

function client(sim: Simulator, o: Partial<RestClientOptions> = {}): RestClient {
  return new RestClient({
    endpoints: simulatorEndpoints(sim.restUrl),
    credentials: USER,
    backoff: { initialMs: 10, maxMs: 50 },
    ...o,
  });
}

async function faults(sim: Simulator, body: object): Promise<void> {
  const r = await restClient(sim).post("/sim/faults", body);
  assert.equal(r.status, 200, JSON.stringify(r.data));
}

/**
 * The simulator's count of Order/place requests: `succeeded` is the orders it created. Counting
 * orders per customTag would miss a retry that mints a new tag, since the simulator refuses a
 * second order with the same tag by itself.
 */
async function placements(sim: Simulator): Promise<{ received: number; executed: number; succeeded: number }> {
  const r = await restClient(sim).get("/sim/state");
  return r.data.requests["Order/place"] ?? { received: 0, executed: 0, succeeded: 0 };
}

describe("core: REST client against the simulator", () => {
  let sim: Simulator;
  let clock = Date.parse("2026-11-24T15:00:00Z");
  const now = () => clock;

  before(async () => {
    sim = await startTestSim({ now, tokenTtlSeconds: 8 * 3600 });
  });
  after(() => sim.close());
  beforeEach(() => restClient(sim).post("/sim/reset"));

  it("logs in on first use and parses typed answers", async () => {
    const api = new GatewayApi(client(sim, { clock: { now } }), { now });
    const accounts = await api.searchAccounts();
    assert.deepEqual(
      accounts.map((a) => a.id),
      [10001, 10002, 10003, 10004],
    );
    assert.equal(api.rest.stats.logins, 1);
  });

  it("renews the token through Auth/validate before it expires, without a new login", async () => {
    const rest = client(sim, { clock: { now } });
    const api = new GatewayApi(rest, { now });
    const first = await rest.sessionToken();
    clock += 6.5 * 3600_000; // past 8 h - min(2 h, 8 h / 4)
    await api.searchAccounts();
    assert.equal(rest.stats.renewals, 1);
    assert.equal(rest.stats.logins, 1);
    assert.notEqual(await rest.sessionToken(), first);
  });

  it("logs in again once when the session is refused with 401", async () => {
    const rest = client(sim, { clock: { now } });
    const api = new GatewayApi(rest, { now });
    await api.searchAccounts();
    await restClient(sim).post("/sim/tokens/expire");
    const accounts = await api.searchAccounts();
    assert.equal(accounts.length, 4);
    assert.equal(rest.stats.logins, 2);
  });

  it("reports bad credentials as GatewayAuthError with the reason", async () => {
    const api = new GatewayApi(client(sim, { credentials: { userName: "trader", apiKey: "nope" } }));
    await assert.rejects(
      api.searchAccounts(),
      (e: Error) => e instanceof GatewayAuthError && /wrong user name or API key/.test(e.message),
    );
  });

  it("retries reads after 429 and 5xx with backoff", async () => {
    const rest = client(sim, { clock: { now } });
    const api = new GatewayApi(rest, { now });
    await faults(sim, {
      fail: [
        { endpoint: "Account/search", count: 2, status: 429 },
        { endpoint: "Position/searchOpen", count: 1, status: 503 },
      ],
    });
    assert.equal((await api.searchAccounts()).length, 4);
    assert.deepEqual(await api.searchOpenPositions(ACCOUNT), []);
    assert.equal(rest.stats.retries, 3);
    assert.equal(rest.stats.rateLimited, 2);
  });

  it("keeps under a request budget on the client side, so the server never answers 429", async () => {
    const tight = await startTestSim({ rateLimits: { other: { limit: 8, windowMs: 400 } } });
    try {
      const rest = client(tight, {
        budgets: { bars: { limit: 5, windowMs: 400 }, other: { limit: 5, windowMs: 400 } },
        maxReadRetries: 0,
      });
      const api = new GatewayApi(rest);
      // 1 login + 11 searches: without the budget the 9th request would get HTTP 429.
      await Promise.all(Array.from({ length: 11 }, () => api.searchAccounts()));
      assert.equal(rest.stats.rateLimited, 0);
    } finally {
      await tight.close();
    }
  });

  it("turns success:false into GatewayRejectedError naming the endpoint and code", async () => {
    const api = new GatewayApi(client(sim));
    const mnq = await frontMonth((await login(sim)).api, "MNQ");
    await assert.rejects(
      api.placeOrder({ accountId: 999, contractId: mnq.id, type: 2, side: 0, size: 1 }),
      (e: Error) => e instanceof GatewayRejectedError && e.endpoint === "Order/place" && e.errorCode === 1,
    );
  });

  describe("order placement is never doubled", () => {
    let contractId: string;
    before(async () => {
      contractId = (await frontMonth((await login(sim)).api, "MNQ")).id;
    });

    it("an answer that arrives after the timeout: the order is found by its customTag, once", async () => {
      const api = new GatewayApi(client(sim, { clock: { now } }), { now }, 300);
      await faults(sim, { lateAnswer: [{ endpoint: "Order/place", delayMs: 1200 }] });
      const placed = await api.placeOrder({
        accountId: ACCOUNT,
        contractId,
        type: 1,
        side: 0,
        size: 1,
        limitPrice: 100,
        customTag: "late-1",
      });
      assert.equal(placed.reconciled, true);
      const sent = await placements(sim);
      assert.equal(sent.executed, 1, "one placement request ran");
      assert.equal(sent.succeeded, 1, "one order at the gateway");
    });

    it("a request that runs only after the client gave up: found on the second look, the retry refused, one order", async () => {
      const api = new GatewayApi(client(sim, { clock: { now } }), { now }, 300);
      // Every placement waits 500 ms before it runs: the first times out before it exists.
      await faults(sim, { latency: { "Order/place": 500 } });
      const placed = await api.placeOrder({
        accountId: ACCOUNT,
        contractId,
        type: 1,
        side: 0,
        size: 1,
        limitPrice: 100,
        customTag: "slow-1",
      });
      assert.equal(placed.reconciled, true);
      await until(async () => (await placements(sim)).executed === 2, "the second request to run on the server too");
      assert.equal((await placements(sim)).succeeded, 1, "one order at the gateway");
    });

    it("a 500 after execution: reconciled, not placed again", async () => {
      const api = new GatewayApi(client(sim, { clock: { now } }), { now });
      await faults(sim, { fail: [{ endpoint: "Order/place", status: 500, execute: true }] });
      const placed = await api.placeOrder({
        accountId: ACCOUNT,
        contractId,
        type: 1,
        side: 0,
        size: 1,
        limitPrice: 100,
        customTag: "exec-500",
      });
      assert.equal(placed.reconciled, true);
      assert.deepEqual(await placements(sim), { received: 1, executed: 1, succeeded: 1 }, "one order, sent once");
    });

    it("a 500 before execution: not found, placed once more, one order", async () => {
      const api = new GatewayApi(client(sim, { clock: { now } }), { now });
      await faults(sim, { fail: [{ endpoint: "Order/place", status: 500 }] });
      const placed = await api.placeOrder({
        accountId: ACCOUNT,
        contractId,
        type: 1,
        side: 0,
        size: 1,
        limitPrice: 100,
        customTag: "lost-500",
      });
      assert.equal(placed.reconciled, false);
      assert.deepEqual(await placements(sim), { received: 2, executed: 1, succeeded: 1 }, "one order");
      const orders = (await restClient(sim).get("/sim/state")).data.orders as Array<{ customTag: string }>;
      assert.deepEqual(
        orders.map((o) => o.customTag),
        ["lost-500"],
        "the order carries the caller's customTag",
      );
    });

    it("two ambiguous failures in a row: one order at most, and an error saying so", async () => {
      const api = new GatewayApi(client(sim, { clock: { now } }), { now });
      await faults(sim, { fail: [{ endpoint: "Order/place", status: 502, count: 2 }] });
      await assert.rejects(
        api.placeOrder({
          accountId: ACCOUNT,
          contractId,
          type: 1,
          side: 0,
          size: 1,
          limitPrice: 100,
          customTag: "gone",
        }),
        (e: Error) => e instanceof OrderNotConfirmedError && /no order with this tag was found/.test(e.message),
      );
      assert.equal((await placements(sim)).succeeded, 0, "no order at the gateway");
    });

    it("refuses an order, unsent, rather than hold it in an exhausted rate budget", async () => {
      const rest = client(sim, {
        clock: { now },
        budgets: { bars: { limit: 5, windowMs: 60_000 }, other: { limit: 2, windowMs: 60_000 } },
      });
      const api = new GatewayApi(rest, { now });
      await api.placeOrder({
        accountId: ACCOUNT,
        contractId,
        type: 1,
        side: 0,
        size: 1,
        limitPrice: 100,
        customTag: "b-1",
      });
      await api.placeOrder({
        accountId: ACCOUNT,
        contractId,
        type: 1,
        side: 0,
        size: 1,
        limitPrice: 100,
        customTag: "b-2",
      });
      await assert.rejects(
        api.placeOrder({
          accountId: ACCOUNT,
          contractId,
          type: 1,
          side: 0,
          size: 1,
          limitPrice: 100,
          customTag: "b-3",
        }),
        (e: Error) => e instanceof BudgetExhaustedError && /not sent/.test(e.message),
      );
      assert.equal((await placements(sim)).received, 2, "the third never reached the gateway");
    });

    it("generates a customTag when none is given", async () => {
      const api = new GatewayApi(client(sim));
      const placed = await api.placeOrder({
        accountId: ACCOUNT,
        contractId,
        type: 1,
        side: 0,
        size: 1,
        limitPrice: 100,
      });
      assert.match(placed.customTag, /^nrx-/);
      const orders = (await restClient(sim).get("/sim/state")).data.orders as Array<{ id: number; customTag: string }>;
      assert.deepEqual(
        orders.map((o) => [o.id, o.customTag]),
        [[placed.orderId, placed.customTag]],
      );
    });
  });
});

describe("core: environments", () => {
  it("offers TopstepX and the local simulator as presets", () => {
    assert.equal(resolveEndpoints("topstepx").restUrl, "https://api.topstepx.com");
    assert.equal(resolveEndpoints("topstepx").marketHubUrl, "https://rtc.topstepx.com/hubs/market");
    assert.equal(resolveEndpoints("simulator").userHubUrl, "http://127.0.0.1:5880/hubs/user");
  });

  it("refuses plain http outside this computer, and ws:// URLs, naming the field", () => {
    assert.throws(
      () =>
        resolveEndpoints("custom", {
          restUrl: "http://api.example.com",
          userHubUrl: "https://x/hubs/user",
          marketHubUrl: "https://x/hubs/market",
        }),
      (e: Error) => e instanceof EndpointError && /restUrl: plain http/.test(e.message),
    );
    assert.throws(
      () =>
        resolveEndpoints("custom", {
          restUrl: "https://a",
          userHubUrl: "wss://x/hubs/user",
          marketHubUrl: "https://x/hubs/market",
        }),
      (e: Error) => /userHubUrl/.test(e.message),
    );
    assert.equal(
      resolveEndpoints("custom", {
        restUrl: "http://localhost:5880/",
        userHubUrl: "http://[::1]:1/hubs/user",
        marketHubUrl: "http://127.0.0.2:1/hubs/market",
      }).restUrl,
      "http://localhost:5880",
    );
  });
});
