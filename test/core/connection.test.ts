import { strict as assert } from "node:assert";
import { type ConnectionOptions, type ConnectionStatus, GatewayConnection } from "../../src/core/connection";
import { simulatorEndpoints } from "../../src/core/gateway/environments";
import { GatewayAuthError } from "../../src/core/gateway/errors";
import type { QuoteState } from "../../src/core/realtime/market-feed";
import type { Trade } from "../../src/core/schemas";
import type { Simulator } from "../../src/sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, startTestSim, USER, until } from "../support/sim";

function connect(sim: Simulator, o: Partial<ConnectionOptions> = {}): GatewayConnection {
  return new GatewayConnection({
    endpoints: simulatorEndpoints(sim.restUrl),
    credentials: USER,
    // The simulator's clock: today's fills are "today" for the book whatever day the test runs.
    clock: { now: () => sim.now() },
    hubBackoff: { initialMs: 50, maxMs: 200 },
    serverTimeoutMs: 3000,
    keepAliveMs: 250,
    ...o,
  });
}

describe("core: realtime connection against the simulator", () => {
  let sim: Simulator;
  let conn: GatewayConnection | null = null;
  let mnq: { id: string; tickSize: number; tickValue: number };

  before(async () => {
    sim = await startTestSim();
    mnq = await frontMonth((await login(sim)).api, "MNQ");
  });
  after(() => sim.close());
  beforeEach(() => restClient(sim).post("/sim/reset"));
  afterEach(async () => {
    await conn?.stop();
    conn = null;
  });

  it("reports connecting, then connected, and rejects bad credentials with the reason", async () => {
    conn = connect(sim);
    const states: ConnectionStatus[] = [];
    conn.on("state", (s) => states.push(s));
    await conn.start();
    await conn.whenConnected();
    assert.equal(states[0]!.state, "connecting");
    assert.equal(states.at(-1)!.state, "connected");

    const bad = connect(sim, { credentials: { userName: "trader", apiKey: "wrong" } });
    const badStates: ConnectionStatus[] = [];
    bad.on("state", (s) => badStates.push(s));
    await assert.rejects(bad.start(), GatewayAuthError);
    assert.equal(badStates.at(-1)!.state, "error");
    assert.match(badStates.at(-1)!.reason!, /wrong user name or API key/);
    await bad.stop();
  });

  it("keeps account state from hub events: position, balance, open P&L marked long at the bid", async () => {
    conn = connect(sim);
    await conn.start();
    const book = await conn.watchAccount(ACCOUNT);
    await conn.whenConnected();
    await setPrice(sim, mnq.id, 20000);
    await conn.market.watchQuotes(mnq.id, () => undefined);
    const placed = await conn.api.placeOrder({ accountId: ACCOUNT, contractId: mnq.id, type: 2, side: 0, size: 2 });
    assert.ok(placed.orderId > 0);
    await until(() => book.positions.get(mnq.id)?.size === 2, "the long position");
    assert.equal(book.positions.get(mnq.id)!.averagePrice, 20000.25);
    assert.equal(book.balance, 50000 - 0.74 - 0.5);
    // The book's fees count the commissions too: the balance fell by both.
    assert.equal(book.fees, 1.24);
    assert.equal(book.costPerSide.get(mnq.id), 0.62, "what one MNQ side was charged, for the closing estimate");
    await setPrice(sim, mnq.id, 20010);
    await until(() => conn!.market.quote(mnq.id)?.bestBid === 20010, "the new quote");
    // (20010 - 20000.25) / 0.25 ticks × $0.50 × 2 contracts
    assert.deepEqual(conn.openPnl(ACCOUNT), { pnl: 39, complete: true, missing: [] });
  });

  it("reconnects after dropped sockets, subscribes again and re-syncs a fill made while disconnected", async () => {
    conn = connect(sim);
    const states: string[] = [];
    conn.on("state", (s) => states.push(s.state));
    const trades: Array<{ t: Trade; missed: boolean }> = [];
    conn.on("trade", (_b, t, m) => trades.push({ t, missed: m.missed }));
    await conn.start();
    const book = await conn.watchAccount(ACCOUNT);
    await conn.whenConnected();
    const quotes: number[] = [];
    await conn.market.watchQuotes(mnq.id, (q: QuoteState) => quotes.push(q.lastPrice!));

    // Cut both hubs and keep them down for a few attempts, then trade behind the client's back.
    await restClient(sim).post("/sim/faults", { dropHubs: "all", rejectUpgrades: 4 });
    await until(() => states.includes("reconnecting"), "reconnecting state");
    const { api } = await login(sim);
    const r = await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mnq.id, type: 2, side: 1, size: 1 });
    assert.equal(r.data.success, true);

    await until(
      () => conn!.status().state === "connected" && book.positions.get(mnq.id)?.size === 1,
      "reconnected and re-synced",
      8000,
    );
    const missed = trades.filter((x) => x.missed);
    assert.equal(missed.length, 1, "the fill made while disconnected is reported once");
    assert.equal(missed[0]!.t.orderId, r.data.orderId);
    assert.equal(book.fills, 1);

    // Subscriptions were restored: new events and quotes flow again.
    await setPrice(sim, mnq.id, 21000);
    await until(() => quotes.includes(21000), "a quote after the reconnection");
    await api.post("/api/Position/closeContract", { accountId: ACCOUNT, contractId: mnq.id });
    await until(() => !book.positions.has(mnq.id), "the position closed through a live event");
    assert.equal(trades.filter((x) => !x.missed).length, 1);
  });

  it("recovers from a server close without permission to reconnect, and from silenced pings", async () => {
    conn = connect(sim, { serverTimeoutMs: 800 });
    await conn.start();
    await conn.whenConnected();
    const closed: string[] = [];
    conn.on("state", (st) => closed.push(st.state));
    await restClient(sim).post("/sim/faults", { closeHubs: { hub: "all", error: "maintenance" } });
    await until(() => closed.some((x) => x !== "connected"), "the close");
    await until(() => conn!.status().state === "connected", "connected again");

    // Watch the events, not the current state: the reconnection can be quicker than any poll.
    const seen: string[] = [];
    conn.on("state", (st) => seen.push(st.state));
    await restClient(sim).post("/sim/faults", { pausePings: true });
    await until(() => seen.some((x) => x !== "connected"), "the server timeout", 4000);
    await restClient(sim).post("/sim/faults", { pausePings: false });
    await until(() => conn!.status().state === "connected", "connected after pings resume", 4000);
  });

  it("coalesces a quote flood so that fills still arrive while it lasts", async () => {
    const flood = await startTestSim({ market: { quoteRate: 0 } });
    const c = connect(flood);
    try {
      await c.start();
      const book = await c.watchAccount(ACCOUNT);
      await c.whenConnected();
      const es = await frontMonth((await login(flood)).api, "ES");
      let deliveries = 0;
      let maxMerged = 0;
      await c.market.watchQuotes(es.id, (q) => {
        deliveries++;
        maxMerged = Math.max(maxMerged, q.merged);
        const until = Date.now() + 2; // a slow consumer: 2 ms per quote
        while (Date.now() < until) {
          /* busy */
        }
      });
      await restClient(flood).post("/sim/market", { quoteRate: 20_000 });
      await until(() => maxMerged > 1, "the flood to outrun the consumer", 3000);
      const floodStillOn = () => flood.market.quoteRate > 0;
      let filledDuringFlood = false;
      c.on("trade", () => {
        filledDuringFlood = floodStillOn();
      });
      await c.api.placeOrder({ accountId: ACCOUNT, contractId: es.id, type: 2, side: 0, size: 1 });
      await until(() => book.fills === 1, "the fill during the flood", 3000);
      await restClient(flood).post("/sim/market", { quoteRate: 0 });
      assert.ok(filledDuringFlood, "the fill event arrived while quotes were still flooding");
      assert.ok(maxMerged > 1, "quotes were merged per contract instead of queued");
      assert.ok(c.market.stats.quotesIn > deliveries, `${c.market.stats.quotesIn} quotes in, ${deliveries} delivered`);
    } finally {
      await c.stop();
      await flood.close();
    }
  });

  it("reports a watched contract whose quotes stop while the market is open", async () => {
    conn = connect(sim, { staleAfterMs: 300, isMarketOpen: () => true });
    const issues: string[] = [];
    conn.on("feed", (i) => issues.push(`${i.kind}:${i.contractId}`));
    await conn.start();
    await conn.whenConnected();
    await conn.market.watchQuotes(mnq.id, () => undefined);
    await until(() => issues.includes(`stale:${mnq.id}`), "a stale report", 3000);
    await setPrice(sim, mnq.id, 20500);
    await until(() => issues.includes(`recovered:${mnq.id}`), "recovery on the next quote");
  });
});
