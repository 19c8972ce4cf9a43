import { strict as assert } from "node:assert";
import * as signalR from "@microsoft/signalr";
import type { Simulator } from "../../src/sim";
import {
  ACCOUNT,
  frontMonth,
  type HubOptions,
  hubConnection,
  login,
  record,
  restClient,
  SECOND_ACCOUNT,
  setPrice,
  startTestSim,
  until,
} from "../support/sim";

type Hub = "user" | "market";
type Json = Record<string, unknown>;

/** Every event a connection receives for `names`, in arrival order across names. */
function recordInOrder(conn: signalR.HubConnection, names: string[]): Array<{ name: string; args: unknown[] }> {
  const got: Array<{ name: string; args: unknown[] }> = [];
  for (const name of names) conn.on(name, (...args: unknown[]) => got.push({ name, args }));
  return got;
}

/**
 * Events with live's back-to-back repeats folded into one (the account update comes 2 to 4 times);
 * each kept event says how many times in a row it came, all copies identical.
 */
function folded(
  got: Array<{ name: string; args: unknown[] }>,
): Array<{ name: string; args: unknown[]; times: number }> {
  const out: Array<{ name: string; args: unknown[]; times: number }> = [];
  for (const e of got) {
    const last = out.at(-1);
    if (last && last.name === e.name && JSON.stringify(last.args) === JSON.stringify(e.args)) last.times++;
    else out.push({ ...e, times: 1 });
  }
  return out;
}

/**
 * An official client whose logger captures the raw text frames it receives (Trace logging with
 * message content), so a test can see the records on the wire: pings, completions, events.
 */
function tappedConnection(
  sim: Simulator,
  hub: Hub,
  token: string,
  serverTimeoutMs = 5000,
): { conn: signalR.HubConnection; records: Json[] } {
  const records: Json[] = [];
  const logger: signalR.ILogger = {
    log(_level, message) {
      const m = /^\(WebSockets transport\) data received\. String data of length \d+\. Content: '([\s\S]*)'\.$/.exec(
        message,
      );
      if (!m) return;
      for (const part of m[1]!.split("\x1e")) if (part !== "") records.push(JSON.parse(part) as Json);
    },
  };
  const conn = new signalR.HubConnectionBuilder()
    .withUrl(hub === "user" ? sim.userHubUrl : sim.marketHubUrl, {
      skipNegotiation: true,
      transport: signalR.HttpTransportType.WebSockets,
      accessTokenFactory: () => token,
      logMessageContent: true,
    })
    .configureLogging(logger)
    .build();
  conn.serverTimeoutInMilliseconds = serverTimeoutMs;
  conn.keepAliveIntervalInMilliseconds = 250;
  return { conn, records };
}

const onGrid = (price: number, tick: number) => Math.abs(price / tick - Math.round(price / tick)) < 1e-9;

describe("simulator hubs", () => {
  let sim: Simulator;
  let token: string;
  let mnq: { id: string; tickSize: number };
  let es: { id: string; tickSize: number };
  const open: signalR.HubConnection[] = [];

  /** Tracks a connection so afterEach stops it. */
  function track(conn: signalR.HubConnection): signalR.HubConnection {
    open.push(conn);
    return conn;
  }

  async function connect(hub: Hub, o: HubOptions = {}, tok = token): Promise<signalR.HubConnection> {
    const conn = track(hubConnection(sim, hub, tok, o));
    await conn.start();
    return conn;
  }

  const state = async () => (await restClient(sim).get("/sim/state")).data;

  async function placeMarket(accountId: number, side: 0 | 1, size = 1): Promise<number> {
    const r = await restClient(sim, token).post("/api/Order/place", {
      accountId,
      contractId: mnq.id,
      type: 2,
      side,
      size,
    });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
    return r.data.orderId;
  }

  before(async () => {
    sim = await startTestSim({ rateLimits: { enabled: false } });
    const { api } = await login(sim);
    mnq = await frontMonth(api, "MNQ");
    es = await frontMonth(api, "ES");
  });

  beforeEach(async () => {
    token = (await login(sim)).token;
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.stop()));
  });

  after(() => sim.close());

  describe("connecting", () => {
    it("connects without negotiation, the token in the Authorization header from accessTokenFactory", async () => {
      const before = await state();
      const conn = await connect("user");
      assert.equal(conn.state, signalR.HubConnectionState.Connected);
      assert.equal(conn.connectionId, null);
      assert.equal(await conn.invoke("SubscribeAccounts"), null);
      const after = await state();
      assert.equal(after.hubs.user.connections, 1);
      assert.equal(after.hubs.user.handshakes, before.hubs.user.handshakes + 1);
    });

    it("connects through POST /hubs/<hub>/negotiate and the ?id= it hands out", async () => {
      const user = await connect("user", { negotiate: true });
      const market = await connect("market", { negotiate: true });
      assert.equal(typeof user.connectionId, "string");
      assert.equal(typeof market.connectionId, "string");
      assert.notEqual(user.connectionId, market.connectionId);
      assert.equal(await user.invoke("SubscribeOrders", ACCOUNT), null);
      assert.equal(await market.invoke("SubscribeContractQuotes", mnq.id), null);
    });

    it("answers negotiate with a connection token and WebSockets as the only transport", async () => {
      const r = await restClient(sim, token).post("/hubs/market/negotiate?negotiateVersion=1");
      assert.equal(r.status, 200);
      assert.deepEqual(Object.keys(r.data).sort(), [
        "availableTransports",
        "connectionId",
        "connectionToken",
        "negotiateVersion",
      ]);
      assert.equal(r.data.negotiateVersion, 1);
      assert.match(r.data.connectionToken, /^[A-Za-z0-9_-]+$/);
      assert.deepEqual(r.data.availableTransports, [{ transport: "WebSockets", transferFormats: ["Text", "Binary"] }]);
    });

    it("accepts the token in the access_token query alone, with or without negotiation", async () => {
      const direct = await connect("user", { tokenInQuery: true });
      assert.equal(await direct.invoke("SubscribeAccounts"), null);
      const negotiated = await connect("market", { tokenInQuery: true, negotiate: true });
      assert.equal(typeof negotiated.connectionId, "string");
      assert.equal(await negotiated.invoke("SubscribeContractQuotes", mnq.id), null);
    });

    it("refuses a bad token: start() rejects and the upgrade is counted as refused", async () => {
      const before = await state();
      for (const o of [{}, { tokenInQuery: true }] as HubOptions[]) {
        const conn = track(hubConnection(sim, "user", "not.a.token", o));
        await assert.rejects(conn.start(), /WebSocket failed to connect/);
        assert.equal(conn.state, signalR.HubConnectionState.Disconnected);
      }
      const after = await state();
      assert.equal(after.hubs.user.refused, before.hubs.user.refused + 2);
      assert.equal(after.hubs.user.handshakes, before.hubs.user.handshakes);
      assert.equal(after.hubs.user.connections, 0);
    });

    it("refuses a bad token at negotiate with 401, and start() reports it", async () => {
      const conn = track(hubConnection(sim, "market", "not.a.token", { negotiate: true }));
      await assert.rejects(conn.start(), /Failed to complete negotiation with the server.*Status code '401'/);
    });

    it("answers negotiate without a token with 401", async () => {
      assert.equal((await restClient(sim).post("/hubs/user/negotiate")).status, 401);
      assert.equal((await restClient(sim).post("/hubs/market/negotiate?negotiateVersion=1")).status, 401);
    });

    it("refuses an expired token, and a fresh login connects again", async () => {
      const stale = token;
      assert.equal((await restClient(sim).post("/sim/tokens/expire")).status, 200);
      const direct = track(hubConnection(sim, "user", stale));
      await assert.rejects(direct.start(), /WebSocket failed to connect/);
      const negotiated = track(hubConnection(sim, "market", stale, { negotiate: true }));
      await assert.rejects(negotiated.start(), /Status code '401'/);
      token = (await login(sim)).token;
      const again = await connect("user");
      assert.equal(again.state, signalR.HubConnectionState.Connected);
    });
  });

  describe("user hub", () => {
    const USER_EVENTS = ["GatewayUserAccount", "GatewayUserOrder", "GatewayUserPosition", "GatewayUserTrade"];

    async function subscribeAll(conn: signalR.HubConnection, accountId: number): Promise<void> {
      await Promise.all([
        conn.invoke("SubscribeAccounts"),
        conn.invoke("SubscribeOrders", accountId),
        conn.invoke("SubscribePositions", accountId),
        conn.invoke("SubscribeTrades", accountId),
      ]);
    }

    beforeEach(async () => {
      assert.equal((await restClient(sim).post("/sim/reset", {})).status, 200);
      await setPrice(sim, mnq.id, 25000);
    });

    it("delivers a filled market order as order Pending, trade, order Filled, position, account", async () => {
      const conn = await connect("user");
      const got = recordInOrder(conn, USER_EVENTS);
      await subscribeAll(conn, ACCOUNT);
      const orderId = await placeMarket(ACCOUNT, 0, 2);
      await until(() => got.filter((e) => e.name === "GatewayUserAccount").length >= 2, "the account events");
      await conn.invoke("SubscribeAccounts"); // its completion comes after every event already queued
      const events = folded(got);

      assert.deepEqual(
        events.map((e) => e.name),
        ["GatewayUserOrder", "GatewayUserTrade", "GatewayUserOrder", "GatewayUserPosition", "GatewayUserAccount"],
      );
      assert.ok(events.slice(0, -1).every((e) => e.times === 1));
      const repeats = events.at(-1)!.times;
      assert.ok(repeats >= 2 && repeats <= 4, `the account update came ${repeats} times, as live sends it 2 to 4`);
      for (const e of events) {
        assert.equal(e.args.length, 1, `${e.name} carries one argument`);
        assert.deepEqual(Object.keys(e.args[0] as Json).sort(), ["action", "data"]);
      }
      const [pending, trade, filled, position, account] = events.map(
        (e) => e.args[0] as { action: number; data: Json },
      );

      assert.equal(pending!.action, 1);
      assert.equal(pending!.data.id, orderId);
      assert.equal(pending!.data.accountId, ACCOUNT);
      assert.equal(pending!.data.contractId, mnq.id);
      assert.equal(pending!.data.symbolId, "F.US.MNQ");
      assert.equal(pending!.data.status, 6);
      assert.equal(pending!.data.type, 2);
      assert.equal(pending!.data.side, 0);
      assert.equal(pending!.data.size, 2);
      assert.equal(pending!.data.fillVolume, 0);
      for (const k of ["limitPrice", "stopPrice", "filledPrice", "customTag", "trailPrice", "parentOrderId"]) {
        assert.ok(!(k in pending!.data), `a pending market order has no ${k} key`);
      }

      // Bought at the ask, one tick above the 25000 last price.
      assert.equal(trade!.action, 0);
      assert.equal(trade!.data.orderId, orderId);
      assert.equal(trade!.data.price, 25000.25);
      assert.equal(trade!.data.size, 2);
      assert.equal(trade!.data.side, 0);
      assert.equal(trade!.data.voided, false);
      assert.equal(trade!.data.fees, 0.74);
      assert.equal(trade!.data.commissions, 0.5);
      assert.ok(!("profitAndLoss" in trade!.data), "an opening fill has no profitAndLoss key");

      assert.equal(filled!.action, 1);
      assert.equal(filled!.data.id, orderId);
      assert.equal(filled!.data.status, 2);
      assert.equal(filled!.data.fillVolume, 2);
      assert.equal(filled!.data.filledPrice, 25000.25);

      assert.equal(position!.action, 1);
      assert.equal(position!.data.accountId, ACCOUNT);
      assert.equal(position!.data.contractId, mnq.id);
      assert.equal(position!.data.type, 1);
      assert.equal(position!.data.size, 2);
      assert.equal(position!.data.averagePrice, 25000.25);

      assert.equal(account!.action, 1);
      assert.deepEqual(Object.keys(account!.data).sort(), [
        "balance",
        "canTrade",
        "id",
        "isVisible",
        "name",
        "simulated",
      ]);
      assert.equal(account!.data.id, ACCOUNT);
      assert.equal(account!.data.balance, 50_000 - 0.74 - 0.5);
    });

    it("reports a closing fill with profitAndLoss and the position at size 0", async () => {
      const conn = await connect("user");
      const got = record(conn, USER_EVENTS);
      await subscribeAll(conn, ACCOUNT);
      await placeMarket(ACCOUNT, 0);
      await until(() => got.GatewayUserPosition!.length === 1, "the opening fill");
      await setPrice(sim, mnq.id, 25010);
      await placeMarket(ACCOUNT, 1);
      await until(() => got.GatewayUserPosition!.length === 2, "the closing fill");
      const closing = (got.GatewayUserTrade![1]![0] as { data: Json }).data;
      assert.equal(closing.price, 25010); // sold at the bid
      assert.equal(closing.profitAndLoss, 19.5); // 39 ticks * $0.50
      const flat = (got.GatewayUserPosition![1]![0] as { data: Json }).data;
      assert.equal(flat.size, 0);
      assert.equal(flat.averagePrice, 25000.25);
    });

    it("follows a closing fill with the opening half-turn's trade again, same id, as live does", async () => {
      const conn = await connect("user");
      const got = recordInOrder(conn, ["GatewayUserTrade", "GatewayUserOrder"]);
      await conn.invoke("SubscribeTrades", ACCOUNT);
      await conn.invoke("SubscribeOrders", ACCOUNT);
      await placeMarket(ACCOUNT, 0);
      await setPrice(sim, mnq.id, 25010);
      const closeId = await placeMarket(ACCOUNT, 1);
      await until(
        () => got.some((e) => e.name === "GatewayUserOrder" && (e.args[0] as { data: Json }).data.id === closeId),
        "the closing order's events",
      );
      await until(() => got.filter((e) => e.name === "GatewayUserOrder").length === 4, "both orders filled");
      const trades = got.filter((e) => e.name === "GatewayUserTrade").map((e) => (e.args[0] as { data: Json }).data);
      assert.equal(trades.length, 3, "opening fill, closing fill, the opening half again");
      assert.deepEqual(trades[2], trades[0], "the second event of the close repeats the opening half-turn");
      assert.notEqual(trades[1]!.id, trades[0]!.id);
      // Before the closing order's Filled event, as in the production log.
      const names = got.map((e) => e.name);
      assert.deepEqual(names.slice(-3), ["GatewayUserTrade", "GatewayUserTrade", "GatewayUserOrder"]);
      const rest = await (await login(sim)).api.post("/api/Trade/search", {
        accountId: ACCOUNT,
        startTimestamp: "2000-01-01T00:00:00Z",
      });
      assert.equal(rest.data.trades.length, 2, "REST still has one row per fill");
    });

    it("delivers account changes to SubscribeAccounts, for every account", async () => {
      const conn = await connect("user");
      const got = record(conn, ["GatewayUserAccount"]);
      await conn.invoke("SubscribeAccounts");
      await restClient(sim).post("/sim/account", { accountId: SECOND_ACCOUNT, canTrade: false });
      await restClient(sim).post("/sim/account", { accountId: ACCOUNT, balance: 51_234.5 });
      const changes = () => folded(got.GatewayUserAccount!.map((args) => ({ name: "GatewayUserAccount", args })));
      await until(() => changes().length === 2, "two account events");
      const data = changes().map((a) => a.args[0] as { action: number; data: Json });
      assert.deepEqual(
        data.map((d) => d.action),
        [1, 1],
      );
      assert.deepEqual([data[0]!.data.id, data[0]!.data.canTrade], [SECOND_ACCOUNT, false]);
      assert.deepEqual([data[1]!.data.id, data[1]!.data.balance], [ACCOUNT, 51_234.5]);
    });

    it("stops delivering a topic after its Unsubscribe*, keeping the others", async () => {
      const conn = await connect("user");
      const got = recordInOrder(conn, USER_EVENTS);
      await subscribeAll(conn, ACCOUNT);
      await conn.invoke("UnsubscribeOrders", ACCOUNT);
      await conn.invoke("UnsubscribeTrades", ACCOUNT);
      await placeMarket(ACCOUNT, 0);
      await until(() => got.some((e) => e.name === "GatewayUserAccount"), "the account event");
      await conn.invoke("SubscribeAccounts"); // its completion comes after every event already queued
      assert.deepEqual(
        folded(got).map((e) => e.name),
        ["GatewayUserPosition", "GatewayUserAccount"],
      );

      await conn.invoke("UnsubscribePositions", ACCOUNT);
      await conn.invoke("UnsubscribeAccounts");
      await conn.invoke("SubscribeOrders", ACCOUNT); // the marker that the next fill has been published
      got.length = 0;
      await placeMarket(ACCOUNT, 0);
      await until(() => got.length === 2, "the two order events");
      assert.deepEqual(
        got.map((e) => e.name),
        ["GatewayUserOrder", "GatewayUserOrder"],
      );
    });

    it("keeps accounts apart: a subscriber of 10001 hears nothing about 10002", async () => {
      const first = await connect("user");
      const second = await connect("user");
      const gotFirst = recordInOrder(first, ["GatewayUserOrder", "GatewayUserPosition", "GatewayUserTrade"]);
      const gotSecond = recordInOrder(second, ["GatewayUserOrder", "GatewayUserPosition", "GatewayUserTrade"]);
      await subscribeAll(first, ACCOUNT);
      await subscribeAll(second, SECOND_ACCOUNT);

      const other = await placeMarket(SECOND_ACCOUNT, 1);
      const mine = await placeMarket(ACCOUNT, 0);
      await until(() => gotFirst.length === 4, "the 10001 fill on the first connection");
      await until(() => gotSecond.length === 4, "the 10002 fill on the second connection");
      for (const e of gotFirst) assert.equal((e.args[0] as { data: Json }).data.accountId, ACCOUNT, e.name);
      for (const e of gotSecond) assert.equal((e.args[0] as { data: Json }).data.accountId, SECOND_ACCOUNT, e.name);
      assert.equal((gotFirst[0]!.args[0] as { data: Json }).data.id, mine);
      assert.equal((gotSecond[0]!.args[0] as { data: Json }).data.id, other);
    });

    it("lets one connection follow several accounts", async () => {
      const conn = await connect("user");
      const got = record(conn, ["GatewayUserOrder"]);
      await conn.invoke("SubscribeOrders", ACCOUNT);
      await conn.invoke("SubscribeOrders", SECOND_ACCOUNT);
      await placeMarket(SECOND_ACCOUNT, 0);
      await placeMarket(ACCOUNT, 0);
      await until(() => got.GatewayUserOrder!.length === 4, "four order events");
      const accounts = got.GatewayUserOrder!.map((a) => (a[0] as { data: Json }).data.accountId);
      assert.deepEqual(accounts, [SECOND_ACCOUNT, SECOND_ACCOUNT, ACCOUNT, ACCOUNT]);
    });

    it("fails the invoke for an unknown account or a non-numeric id, and the connection stays usable", async () => {
      const conn = await connect("user");
      for (const m of ["SubscribeOrders", "SubscribePositions", "SubscribeTrades", "UnsubscribeOrders"]) {
        await assert.rejects(conn.invoke(m, 99999), {
          message: `Failed to invoke '${m}' due to an error on the server. HubException: Account not found.`,
        });
      }
      await assert.rejects(conn.invoke("SubscribeOrders", "10001x"), {
        message: "Failed to invoke 'SubscribeOrders' due to an error on the server.",
      });
      await assert.rejects(conn.invoke("SubscribeOrders"), /Failed to invoke 'SubscribeOrders'/);
      assert.equal(conn.state, signalR.HubConnectionState.Connected);
      const got = record(conn, ["GatewayUserOrder"]);
      assert.equal(await conn.invoke("SubscribeOrders", ACCOUNT), null);
      await placeMarket(ACCOUNT, 0);
      await until(() => got.GatewayUserOrder!.length === 2, "order events after the failures");
    });
  });

  describe("market hub", () => {
    async function quotes(conn: signalR.HubConnection) {
      const got = record(conn, ["GatewayQuote"]);
      return () => got.GatewayQuote!.map((a) => ({ contractId: a[0] as string, data: a[1] as Json, n: a.length }));
    }

    beforeEach(async () => {
      assert.equal((await restClient(sim).post("/sim/reset", {})).status, 200);
      await setPrice(sim, mnq.id, 25000);
    });

    it("sends a full first quote as (contractId, data), the symbolId in data.symbol", async () => {
      const conn = await connect("market");
      const q = await quotes(conn);
      await conn.invoke("SubscribeContractQuotes", mnq.id);
      const first = await until(() => q()[0], "the first quote");
      assert.equal(first.n, 2);
      assert.equal(first.contractId, mnq.id);
      assert.deepEqual(Object.keys(first.data).sort(), [
        "bestAsk",
        "bestBid",
        "change",
        "changePercent",
        "high",
        "lastPrice",
        "lastUpdated",
        "low",
        "open",
        "symbol",
        "symbolName",
        "timestamp",
        "volume",
      ]);
      assert.equal(first.data.symbol, "F.US.MNQ");
      assert.equal(first.data.symbolName, "/MNQ");
      assert.equal(first.data.lastPrice, 25000);
      const bid = first.data.bestBid as number;
      const ask = first.data.bestAsk as number;
      assert.ok(bid < ask, `bid ${bid} < ask ${ask}`);
      assert.ok(onGrid(bid, mnq.tickSize) && onGrid(ask, mnq.tickSize), `${bid}/${ask} on the ${mnq.tickSize} grid`);
      assert.match(first.data.timestamp as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}\+00:00$/);
    });

    it("follows with sparse deltas: a field that did not change is absent", async () => {
      const conn = await connect("market");
      const q = await quotes(conn);
      await conn.invoke("SubscribeContractQuotes", mnq.id);
      const first = (await until(() => q()[0], "the first quote")).data;
      const high = first.high as number;
      const low = first.low as number;

      const upTo = high + 2.5; // a new high; low unchanged
      await setPrice(sim, mnq.id, upTo);
      const up = (await until(() => q()[1], "the quote after a move up")).data;
      assert.equal(up.symbol, "F.US.MNQ");
      assert.deepEqual([up.lastPrice, up.bestBid, up.bestAsk, up.high], [upTo, upTo, upTo + 0.25, upTo]);
      for (const k of ["low", "open", "symbolName"]) assert.ok(!(k in up), `unchanged ${k} is absent`);
      assert.ok("change" in up && "volume" in up && "timestamp" in up);

      const downTo = low - 5; // a new low; high unchanged
      await setPrice(sim, mnq.id, downTo);
      const down = (await until(() => q()[2], "the quote after a move down")).data;
      assert.deepEqual([down.lastPrice, down.low], [downTo, downTo]);
      assert.ok(!("high" in down), "unchanged high is absent");

      // Same last price, wider spread below: only bestBid changes.
      await setPrice(sim, mnq.id, downTo, { bid: downTo - 0.25, ask: downTo + 0.25 });
      const wider = (await until(() => q()[3], "the quote after a spread change")).data;
      assert.equal(wider.bestBid, downTo - 0.25);
      for (const k of ["lastPrice", "change", "changePercent", "bestAsk", "high", "low"])
        assert.ok(!(k in wider), `unchanged ${k} is absent`);
    });

    it("sends a delta, not a second full quote, on the first move of a contract nobody had touched", async () => {
      const conn = await connect("market");
      const q = await quotes(conn);
      await conn.invoke("SubscribeContractQuotes", es.id); // ES is untouched since the reset
      const first = (await until(() => q()[0], "the first ES quote")).data;
      assert.equal(first.symbol, "F.US.EP");
      const to = (first.high as number) + 1;
      await setPrice(sim, es.id, to);
      const delta = (await until(() => q()[1], "the ES quote after a move")).data;
      assert.equal(delta.lastPrice, to);
      for (const k of ["symbolName", "open", "low"]) assert.ok(!(k in delta), `unchanged ${k} is absent`);
    });

    it("sends each new subscriber a full quote, even mid-stream", async () => {
      const a = await connect("market");
      const qa = await quotes(a);
      await a.invoke("SubscribeContractQuotes", mnq.id);
      await setPrice(sim, mnq.id, 25001);
      await until(() => qa().length === 2, "a delta on the first connection");
      const b = await connect("market");
      const qb = await quotes(b);
      await b.invoke("SubscribeContractQuotes", mnq.id);
      const full = (await until(() => qb()[0], "the first quote of the late subscriber")).data;
      assert.deepEqual([full.lastPrice, full.bestBid, full.bestAsk, full.symbolName], [25001, 25001, 25001.25, "/MNQ"]);
    });

    it("delivers quotes only for the subscribed contracts, and stops after UnsubscribeContractQuotes", async () => {
      const conn = await connect("market");
      const q = await quotes(conn);
      const trades = record(conn, ["GatewayTrade"]);
      await conn.invoke("SubscribeContractQuotes", mnq.id);
      await conn.invoke("SubscribeContractTrades", mnq.id);
      await setPrice(sim, es.id, 6800); // not subscribed
      await setPrice(sim, mnq.id, 25001);
      await until(() => trades.GatewayTrade!.length === 1, "the MNQ trade");
      assert.deepEqual(
        q().map((x) => x.contractId),
        [mnq.id, mnq.id],
      );

      await conn.invoke("UnsubscribeContractQuotes", mnq.id);
      await setPrice(sim, mnq.id, 25002);
      await until(() => trades.GatewayTrade!.length === 2, "the second MNQ trade");
      assert.equal(q().length, 2, "no quote after unsubscribing");
    });

    it("delivers GatewayTrade as (contractId, array of trades) with the aggressor side", async () => {
      const conn = await connect("market");
      const got = record(conn, ["GatewayTrade"]);
      await conn.invoke("SubscribeContractTrades", mnq.id);
      await setPrice(sim, mnq.id, 25003);
      await setPrice(sim, mnq.id, 25001);
      await until(() => got.GatewayTrade!.length === 2, "two market trades");
      const [up, down] = got.GatewayTrade!;
      for (const args of [up!, down!]) {
        assert.equal(args.length, 2);
        assert.equal(args[0], mnq.id);
        assert.ok(Array.isArray(args[1]), "trade data is an array");
      }
      const u = (up![1] as Json[])[0]!;
      assert.deepEqual(Object.keys(u).sort(), ["price", "symbolId", "timestamp", "type", "volume"]);
      assert.deepEqual([u.symbolId, u.price, u.type], ["F.US.MNQ", 25003, 0]);
      assert.ok((u.volume as number) > 0);
      const d = (down![1] as Json[])[0]!;
      assert.deepEqual([d.price, d.type], [25001, 1]);
    });

    it("prints a simulator fill as a market trade of the order's size", async () => {
      const conn = await connect("market");
      const got = record(conn, ["GatewayTrade"]);
      await conn.invoke("SubscribeContractTrades", mnq.id);
      await placeMarket(ACCOUNT, 1, 3);
      const args = await until(() => got.GatewayTrade![0], "the fill's market trade");
      const t = (args[1] as Json[])[0]!;
      assert.deepEqual([t.price, t.volume, t.type], [25000, 3, 1]); // sold at the bid
    });

    it("delivers GatewayDepth as (contractId, array of DOM entries): a snapshot on subscribe, another after a move", async () => {
      const conn = await connect("market");
      const got = record(conn, ["GatewayDepth"]);
      await conn.invoke("SubscribeContractMarketDepth", mnq.id);
      const snap = await until(() => got.GatewayDepth![0], "the depth snapshot");
      assert.equal(snap[0], mnq.id);
      const entries = snap[1] as Array<{
        type: number;
        price: number;
        volume: number;
        currentVolume: number;
        timestamp: string;
      }>;
      assert.ok(Array.isArray(entries));
      assert.equal(entries[0]!.type, 6, "a snapshot starts with Reset");
      const bestBid = entries.filter((e) => e.type === 4);
      const bestAsk = entries.filter((e) => e.type === 3);
      assert.deepEqual([bestBid.map((e) => e.price), bestAsk.map((e) => e.price)], [[25000], [25000.25]]);
      const bids = entries.filter((e) => e.type === 2 || e.type === 4).map((e) => e.price);
      const asks = entries.filter((e) => e.type === 1 || e.type === 3).map((e) => e.price);
      assert.equal(bids.length, 10);
      assert.equal(asks.length, 10);
      assert.ok(Math.max(...bids) < Math.min(...asks), "every bid is below every ask");
      for (const e of entries.slice(1)) {
        assert.ok(onGrid(e.price, mnq.tickSize), `${e.price} on the grid`);
        assert.ok(e.volume > 0 && e.currentVolume > 0);
      }

      await setPrice(sim, mnq.id, 25010);
      const moved = await until(() => got.GatewayDepth![1], "depth after a move");
      const after = moved[1] as Array<{ type: number; price: number }>;
      assert.deepEqual(
        [after.find((e) => e.type === 4)!.price, after.find((e) => e.type === 3)!.price],
        [25010, 25010.25],
      );
    });

    it("rejects a subscription to an unknown contract", async () => {
      const conn = await connect("market");
      for (const m of ["SubscribeContractQuotes", "SubscribeContractTrades", "SubscribeContractMarketDepth"]) {
        await assert.rejects(conn.invoke(m, "CON.F.US.NOPE.Z26"), {
          message: `Failed to invoke '${m}' due to an error on the server. HubException: Contract not found.`,
        });
      }
      await assert.rejects(conn.invoke("SubscribeContractQuotes", 42), /Failed to invoke 'SubscribeContractQuotes'/);
      assert.equal(conn.state, signalR.HubConnectionState.Connected);
    });

    it("serves several subscribers of one contract, and an unsubscribe affects only its own connection", async () => {
      const a = await connect("market");
      const b = await connect("market");
      const qa = await quotes(a);
      const qb = await quotes(b);
      await a.invoke("SubscribeContractQuotes", mnq.id);
      await b.invoke("SubscribeContractQuotes", mnq.id);
      await b.invoke("UnsubscribeContractQuotes", mnq.id);
      const tb = record(b, ["GatewayTrade"]);
      await b.invoke("SubscribeContractTrades", mnq.id);
      await setPrice(sim, mnq.id, 25004);
      await until(() => qa().length === 2, "a's delta");
      await until(() => tb.GatewayTrade!.length === 1, "b's trade");
      assert.equal(qb().length, 1, "b has only the first quote");
    });
  });

  describe("protocol", () => {
    it("rejects an unknown method with 'Method does not exist.'", async () => {
      const conn = await connect("market");
      await assert.rejects(conn.invoke("NoSuchMethod", 1), {
        message: "Failed to invoke 'NoSuchMethod' due to an error on the server. HubException: Method does not exist.",
      });
      // The user hub does not serve the market hub's methods.
      const user = await connect("user");
      await assert.rejects(user.invoke("SubscribeContractQuotes", mnq.id), /Method does not exist\./);
      assert.equal(conn.state, signalR.HubConnectionState.Connected);
    });

    it("runs a send (no invocationId) and never answers it", async () => {
      const { conn, records } = tappedConnection(sim, "user", token);
      track(conn);
      await conn.start();
      const got = record(conn, ["GatewayUserAccount"]);
      await conn.send("SubscribeAccounts");
      await conn.send("NoSuchMethod");
      await conn.send("SubscribeOrders", 99999);
      await restClient(sim).post("/sim/account", { accountId: ACCOUNT, balance: 49_000 });
      await until(() => got.GatewayUserAccount!.length >= 1, "the account event after send");
      assert.equal((got.GatewayUserAccount![0]![0] as { data: Json }).data.balance, 49_000);
      assert.equal(await conn.invoke("UnsubscribeAccounts"), null);
      const completions = records.filter((r) => r.type === 3);
      assert.deepEqual(completions, [{ type: 3, invocationId: "0", result: null }], "only the invoke was answered");
      assert.equal(conn.state, signalR.HubConnectionState.Connected);
      const s = await state();
      assert.ok(s.hubs.user.invocations.NoSuchMethod >= 1, "the unknown send was still counted");
    });

    it("matches method names case-insensitively and counts them under the real name", async () => {
      const before = await state();
      const conn = await connect("market");
      const q = record(conn, ["gatewayquote"]); // client handler names are case-insensitive too
      assert.equal(await conn.invoke("subscribecontractquotes", mnq.id), null);
      assert.equal(await conn.invoke("SUBSCRIBECONTRACTTRADES", mnq.id), null);
      await until(() => q.gatewayquote!.length === 1, "the first quote");
      const after = await state();
      const inv = (s: typeof after, k: string) => s.hubs.market.invocations[k] ?? 0;
      assert.equal(inv(after, "SubscribeContractQuotes"), inv(before, "SubscribeContractQuotes") + 1);
      assert.equal(inv(after, "SubscribeContractTrades"), inv(before, "SubscribeContractTrades") + 1);
      assert.equal(after.hubs.market.invocations.subscribecontractquotes, undefined);
    });

    it("sends keep-alive pings so a client with a 1.5 s server timeout stays connected", async function () {
      this.timeout(8000);
      const { conn, records } = tappedConnection(sim, "user", token, 1500);
      track(conn);
      let trouble = "";
      conn.onreconnecting((e) => (trouble ||= `reconnecting: ${e?.message}`));
      conn.onclose((e) => (trouble ||= `closed: ${e?.message}`));
      await conn.start();
      // Seven pings 500 ms apart span well past the 1.5 s after which a silent server is given up.
      const pings = () => records.filter((r) => r.type === 6).length;
      await until(() => pings() >= 7 || trouble, "seven pings from the server", 7000);
      assert.equal(trouble, "");
      assert.equal(conn.state, signalR.HubConnectionState.Connected);
      assert.equal(await conn.invoke("SubscribeAccounts"), null);
    });

    it("handles invocations sent together and answers each by id", async () => {
      const conn = await connect("user");
      const results = await Promise.allSettled([
        conn.invoke("SubscribeAccounts"),
        conn.invoke("SubscribeOrders", 99999),
        conn.invoke("SubscribeOrders", ACCOUNT),
        conn.invoke("NoSuchMethod"),
        conn.invoke("SubscribeTrades", ACCOUNT),
      ]);
      assert.deepEqual(
        results.map((r) => r.status),
        ["fulfilled", "rejected", "fulfilled", "rejected", "fulfilled"],
      );
      assert.match(String((results[1] as PromiseRejectedResult).reason), /Account not found/);
      assert.match(String((results[3] as PromiseRejectedResult).reason), /Method does not exist/);
    });
  });

  describe("server cleanup", () => {
    it("shows 0 connections once the clients stop, and stops publishing to them", async () => {
      await restClient(sim).post("/sim/reset", {});
      const user = await connect("user");
      const market = await connect("market");
      await user.invoke("SubscribeAccounts");
      await market.invoke("SubscribeContractQuotes", mnq.id);
      const during = await state();
      assert.equal(during.hubs.user.connections, 1);
      assert.equal(during.hubs.market.connections, 1);
      await Promise.all(open.splice(0).map((c) => c.stop()));
      await until(async () => {
        const s = await state();
        return s.hubs.user.connections === 0 && s.hubs.market.connections === 0;
      }, "both hubs to show 0 connections");
      const sent = (await state()).hubs.market.quotesSent;
      await setPrice(sim, mnq.id, 25100);
      await restClient(sim).post("/sim/account", { accountId: ACCOUNT, balance: 1 });
      assert.equal((await state()).hubs.market.quotesSent, sent, "no quote for a stopped subscriber");
    });
  });
});

describe("simulator hubs: running market", () => {
  let sim: Simulator;
  const open: signalR.HubConnection[] = [];

  before(async () => {
    sim = await startTestSim({ market: { quoteRate: 50 } });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.stop()));
  });
  after(() => sim.close());

  it("streams quotes on its own: a full first quote, then sparse deltas, until unsubscribed", async () => {
    const { api, token } = await login(sim);
    const mnq = await frontMonth(api, "MNQ");
    const conn = hubConnection(sim, "market", token);
    open.push(conn);
    await conn.start();
    const got = record(conn, ["GatewayQuote"]);
    await conn.invoke("SubscribeContractQuotes", mnq.id);
    await until(() => got.GatewayQuote!.length >= 11, "ten quotes after the first", 3000);
    const [first, ...deltas] = got.GatewayQuote!.map((a) => a[1] as Json);
    // Measured on the simulator's clock (the quotes' own timestamps), not on a loaded machine's.
    const at = deltas.slice(0, 10).map((d) => Date.parse(`${String(d.timestamp).slice(0, 23)}Z`));
    const span = at[9]! - at[0]!;
    assert.ok(span >= 100 && span <= 400, `about 50 quotes per second: 9 intervals took ${span} ms`);
    assert.equal(first!.symbolName, "/MNQ");
    for (const d of deltas) {
      assert.equal(d.symbol, "F.US.MNQ");
      assert.ok(!("symbolName" in d) && !("open" in d), "deltas leave out fields that never change");
      if (d.bestBid !== undefined && d.bestAsk !== undefined) assert.ok((d.bestBid as number) < (d.bestAsk as number));
    }
    await conn.invoke("UnsubscribeContractQuotes", mnq.id);
    const n = got.GatewayQuote!.length;
    // A subscriber that stays tells when quotes have gone out since.
    const other = hubConnection(sim, "market", token);
    open.push(other);
    await other.start();
    const seen = record(other, ["GatewayQuote"]);
    await other.invoke("SubscribeContractQuotes", mnq.id);
    await until(() => seen.GatewayQuote!.length >= 10, "ten quotes to the subscriber that stayed", 3000);
    assert.equal(got.GatewayQuote!.length, n, "no quote after the unsubscribe completed");
  });
});
