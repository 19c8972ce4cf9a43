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
  setPrice,
  sleep,
  startTestSim,
  until,
} from "../support/sim";

type Hub = "user" | "market";

/** What a connection's lifecycle callbacks reported, in order. */
interface Lifecycle {
  events: string[];
  reconnecting: Array<Error | undefined>;
  reconnected: Array<string | undefined>;
  closed: Array<Error | undefined>;
}

function watch(conn: signalR.HubConnection): Lifecycle {
  const l: Lifecycle = { events: [], reconnecting: [], reconnected: [], closed: [] };
  conn.onreconnecting((e) => {
    l.events.push("reconnecting");
    l.reconnecting.push(e);
  });
  conn.onreconnected((id) => {
    l.events.push("reconnected");
    l.reconnected.push(id);
  });
  conn.onclose((e) => {
    l.events.push("close");
    l.closed.push(e);
  });
  return l;
}

describe("simulator hubs: faults and reconnects", () => {
  let sim: Simulator;
  let token: string;
  let mnq: { id: string; tickSize: number };
  const open: signalR.HubConnection[] = [];

  function track(conn: signalR.HubConnection): signalR.HubConnection {
    open.push(conn);
    return conn;
  }

  async function connect(hub: Hub, o: HubOptions = {}): Promise<signalR.HubConnection> {
    const conn = track(hubConnection(sim, hub, token, o));
    await conn.start();
    return conn;
  }

  const control = () => restClient(sim);
  const state = async () => (await control().get("/sim/state")).data;

  async function faults(body: object): Promise<Record<string, unknown>> {
    const r = await control().post("/sim/faults", body);
    assert.equal(r.status, 200, JSON.stringify(r.data));
    return r.data;
  }

  async function placeMarket(side: 0 | 1): Promise<number> {
    const r = await restClient(sim, token).post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: mnq.id,
      type: 2,
      side,
      size: 1,
    });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
    return r.data.orderId;
  }

  before(async () => {
    sim = await startTestSim({ rateLimits: { enabled: false } });
    const { api } = await login(sim);
    mnq = await frontMonth(api, "MNQ");
  });

  beforeEach(async () => {
    token = (await login(sim)).token;
  });

  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.stop()));
    assert.equal((await control().delete("/sim/faults")).status, 200);
  });

  after(() => sim.close());

  describe("pausePings", () => {
    it("makes a client with a short server timeout give up on the socket, and reconnect once pings resume", async () => {
      const reconnecting = await connect("user", { serverTimeoutMs: 1000 });
      const once = await connect("user", { serverTimeoutMs: 1000, reconnectDelays: [] });
      const lr = watch(reconnecting);
      const lo = watch(once);
      const paused = await faults({ pausePings: true });
      assert.equal(paused.pausePings, true);
      const t0 = Date.now();

      await until(() => lr.reconnecting.length > 0 && lo.closed.length > 0, "both clients to time out", 3000);
      assert.ok(Date.now() - t0 >= 300, "not before the server went quiet for a while");
      assert.equal(lr.reconnecting[0]?.message, "Server timeout elapsed without receiving a message from the server.");
      assert.equal(lo.closed[0]?.message, "Server timeout elapsed without receiving a message from the server.");
      assert.equal(once.state, signalR.HubConnectionState.Disconnected);

      await faults({ pausePings: false });
      await until(() => reconnecting.state === signalR.HubConnectionState.Connected, "the reconnect");
      assert.equal(await reconnecting.invoke("SubscribeAccounts"), null);
    });
  });

  describe("dropHubs", () => {
    it("reconnects after a drop; subscriptions are gone until the client re-subscribes in onreconnected", async () => {
      await setPrice(sim, mnq.id, 25000);
      const EVENTS = ["GatewayUserOrder", "GatewayQuote"];
      // A client that re-subscribes in onreconnected, the way ProjectX's sample does…
      const goodUser = track(hubConnection(sim, "user", token));
      const goodMarket = track(hubConnection(sim, "market", token));
      const resubscribed: string[] = [];
      // SignalR ignores what onreconnected returns: a failed re-subscription is recorded, not left unhandled.
      const resubscribe = (name: string, done: Promise<unknown>) => {
        done.then(
          () => resubscribed.push(name),
          (e: Error) => resubscribed.push(`${name} failed: ${e.message}`),
        );
      };
      goodUser.onreconnected(() => resubscribe("user", goodUser.invoke("SubscribeOrders", ACCOUNT)));
      goodMarket.onreconnected(() => resubscribe("market", goodMarket.invoke("SubscribeContractQuotes", mnq.id)));
      // …and one that forgets to.
      const naiveUser = track(hubConnection(sim, "user", token));
      const naiveMarket = track(hubConnection(sim, "market", token));
      const all = [goodUser, goodMarket, naiveUser, naiveMarket];
      await Promise.all(all.map((c) => c.start()));
      const life = all.map(watch);
      const [gu, gm, nu, nm] = all.map((c) => record(c, EVENTS));
      await Promise.all([goodUser, naiveUser].map((c) => c.invoke("SubscribeOrders", ACCOUNT)));
      await Promise.all([goodMarket, naiveMarket].map((c) => c.invoke("SubscribeContractQuotes", mnq.id)));
      await placeMarket(0);
      await until(
        () => gu!.GatewayUserOrder!.length === 2 && nu!.GatewayUserOrder!.length === 2,
        "order events before the drop",
      );
      await until(
        () => gm!.GatewayQuote!.length === 1 && nm!.GatewayQuote!.length === 1,
        "first quotes before the drop",
      );
      const before = await state();

      const dropped = await faults({ dropHubs: "all" });
      assert.equal(dropped.dropped, 4);
      await until(() => life.every((l) => l.reconnected.length === 1), "all four to reconnect");
      for (const l of life) {
        assert.deepEqual(l.events, ["reconnecting", "reconnected"]);
        assert.equal(l.reconnecting[0]?.message, "WebSocket closed with status code: 1006 (no reason given).");
        assert.equal(l.reconnected[0], undefined, "skipNegotiation: no connection id");
      }
      await until(() => resubscribed.length === 2, "the re-subscriptions in onreconnected");
      assert.deepEqual(resubscribed.sort(), ["market", "user"]);
      // The good market client got a fresh full quote on re-subscribing.
      await until(() => gm!.GatewayQuote!.length === 2, "the full quote after re-subscribing");
      assert.equal((gm!.GatewayQuote![1]![1] as Record<string, unknown>).symbolName, "/MNQ");

      await placeMarket(1);
      await setPrice(sim, mnq.id, 25010);
      await until(() => gu!.GatewayUserOrder!.length === 4, "order events after the reconnect");
      await until(() => gm!.GatewayQuote!.length === 3, "a quote after the reconnect");
      const after = await state();
      assert.equal(after.hubs.user.connections, 2);
      assert.equal(after.hubs.market.connections, 2);
      assert.equal(after.hubs.user.handshakes, before.hubs.user.handshakes + 2);
      assert.equal(after.hubs.market.handshakes, before.hubs.market.handshakes + 2);
      assert.equal(
        after.hubs.user.invocations.SubscribeOrders,
        before.hubs.user.invocations.SubscribeOrders + 1,
        "only the good client re-subscribed",
      );
      assert.equal(
        after.hubs.market.invocations.SubscribeContractQuotes,
        before.hubs.market.invocations.SubscribeContractQuotes + 1,
      );

      // The naive clients re-subscribe late. Each completion arrives after anything the server had
      // queued on that socket before, so the counts below are final for the time in between.
      await naiveUser.invoke("SubscribeOrders", ACCOUNT);
      await naiveMarket.invoke("SubscribeContractQuotes", mnq.id);
      assert.equal(nu!.GatewayUserOrder!.length, 2, "no order events without re-subscribing");
      assert.equal(nm!.GatewayQuote!.length, 2, "no quote delta without re-subscribing, only the new full quote");
      const snapshot = nm!.GatewayQuote![1]![1] as Record<string, unknown>;
      assert.deepEqual([snapshot.symbolName, snapshot.lastPrice], ["/MNQ", 25010]);

      // Now events flow to them again.
      await placeMarket(0);
      await setPrice(sim, mnq.id, 25020);
      await until(() => nu!.GatewayUserOrder!.length === 4, "order events after the late re-subscription");
      const delta = (await until(() => nm!.GatewayQuote![2], "a quote after the late re-subscription"))[1] as Record<
        string,
        unknown
      >;
      assert.deepEqual([delta.lastPrice, "symbolName" in delta], [25020, false]);
    });

    it("drops only the named hub", async () => {
      const user = await connect("user");
      const market = await connect("market");
      const lu = watch(user);
      const lm = watch(market);
      const r = await faults({ dropHubs: "market" });
      assert.equal(r.dropped, 1);
      await until(() => lm.reconnected.length === 1, "the market client to reconnect");
      assert.deepEqual(lu.events, []);
      assert.equal(await user.invoke("SubscribeAccounts"), null);
    });

    it("hands a negotiating client a new connection id on reconnect", async () => {
      const conn = await connect("market", { negotiate: true });
      const l = watch(conn);
      const first = conn.connectionId;
      assert.equal(typeof first, "string");
      await faults({ dropHubs: "market" });
      await until(() => l.reconnected.length === 1, "the reconnect");
      assert.equal(typeof l.reconnected[0], "string");
      assert.notEqual(l.reconnected[0], first);
      assert.equal(conn.connectionId, l.reconnected[0]);
      assert.equal(await conn.invoke("SubscribeContractQuotes", mnq.id), null);
    });
  });

  describe("closeHubs", () => {
    it("with allowReconnect: the client reconnects, reporting the server's error text", async () => {
      const conn = await connect("user");
      const l = watch(conn);
      const before = await state();
      const r = await faults({ closeHubs: { hub: "user", error: "maintenance", allowReconnect: true } });
      assert.equal(r.closed, 1);
      await until(() => l.reconnected.length === 1, "the reconnect");
      assert.deepEqual(l.events, ["reconnecting", "reconnected"]);
      assert.equal(l.reconnecting[0]?.message, "Server returned an error on close: maintenance");
      assert.equal((await state()).hubs.user.handshakes, before.hubs.user.handshakes + 1);
      assert.equal(await conn.invoke("SubscribeAccounts"), null);
    });

    it("without allowReconnect: onclose with the error text, and no reconnect attempt", async () => {
      const conn = await connect("market");
      const l = watch(conn);
      const before = await state();
      await faults({ closeHubs: { error: "x" } });
      await until(() => l.closed.length === 1, "onclose");
      assert.equal(l.closed[0]?.message, "Server returned an error on close: x");
      // Asserting that no reconnect comes: nothing to await, so wait out the first reconnect delays.
      await sleep(300);
      assert.deepEqual(l.events, ["close"]);
      assert.equal(conn.state, signalR.HubConnectionState.Disconnected);
      const after = await state();
      assert.equal(after.hubs.market.connections, 0);
      assert.equal(after.hubs.market.upgrades, before.hubs.market.upgrades, "no reconnect attempt reached the server");
    });

    it("without an error or allowReconnect: onclose without an error", async () => {
      const conn = await connect("user");
      const l = watch(conn);
      await faults({ closeHubs: {} });
      await until(() => l.closed.length === 1, "onclose");
      assert.equal(l.closed[0], undefined);
      assert.deepEqual(l.events, ["close"]);
    });

    it("closes only the named hub", async () => {
      const user = await connect("user");
      const market = await connect("market");
      const lu = watch(user);
      const lm = watch(market);
      await faults({ closeHubs: { hub: "user", allowReconnect: true } });
      await until(() => lu.reconnected.length === 1, "the user client to reconnect");
      assert.equal(lu.reconnecting[0], undefined, "no error text when the server gave none");
      assert.deepEqual(lm.events, []);
      assert.equal(market.state, signalR.HubConnectionState.Connected);
    });
  });

  describe("rejectUpgrades", () => {
    it("makes the next N reconnect attempts fail, then lets one through", async () => {
      const conn = await connect("user");
      const l = watch(conn);
      const got = record(conn, ["GatewayUserAccount"]);
      conn.onreconnected(() => conn.invoke("SubscribeAccounts"));
      const before = await state();
      await faults({ rejectUpgrades: 2 });
      await faults({ dropHubs: "user" });
      await until(() => l.reconnected.length === 1, "the reconnect after two refusals");
      const after = await state();
      assert.equal(after.hubs.user.refused, before.hubs.user.refused + 2);
      assert.equal(after.hubs.user.upgrades, before.hubs.user.upgrades + 3);
      assert.equal(after.hubs.user.handshakes, before.hubs.user.handshakes + 1);
      assert.deepEqual(l.events, ["reconnecting", "reconnected"]);
      await until(
        async () =>
          (await state()).hubs.user.invocations.SubscribeAccounts >
          (before.hubs.user.invocations.SubscribeAccounts ?? 0),
        "the re-subscription",
      );
      await control().post("/sim/account", { accountId: ACCOUNT, balance: 50_500 });
      await until(() => got.GatewayUserAccount!.length >= 1, "an account event after the reconnect");
    });

    it("gives up (onclose) when every reconnect attempt is refused, and refuses a new start()", async () => {
      const conn = await connect("user", { reconnectDelays: [0, 50, 50] });
      const l = watch(conn);
      await faults({ rejectUpgrades: 10 });
      await faults({ dropHubs: "user" });
      await until(() => l.closed.length === 1, "onclose after the retries");
      assert.deepEqual(l.events, ["reconnecting", "close"]);
      assert.equal(l.closed[0], undefined, "the client closes without an error after exhausting its retries");
      const fresh = track(hubConnection(sim, "user", token));
      await assert.rejects(fresh.start(), /WebSocket failed to connect/);
      assert.equal((await state()).faults.rejectUpgrades, 10 - 4);
    });
  });

  describe("tokens on reconnect", () => {
    function factoryConnection(factory: () => Promise<string> | string): signalR.HubConnection {
      const conn = new signalR.HubConnectionBuilder()
        .withUrl(sim.userHubUrl, {
          skipNegotiation: true,
          transport: signalR.HttpTransportType.WebSockets,
          accessTokenFactory: factory,
        })
        .configureLogging(signalR.LogLevel.None)
        .withAutomaticReconnect([0, 50, 50])
        .build();
      conn.serverTimeoutInMilliseconds = 5000;
      return track(conn);
    }

    it("refuses the reconnect of a client whose token expired, and takes a refreshed one", async () => {
      const stale = factoryConnection(() => token);
      let calls = 0;
      const refreshing = factoryConnection(async () => {
        calls++;
        return calls === 1 ? token : (await login(sim)).token;
      });
      await stale.start();
      await refreshing.start();
      const ls = watch(stale);
      const lr = watch(refreshing);
      await control().post("/sim/tokens/expire");
      await faults({ dropHubs: "user" });
      await until(() => ls.closed.length === 1, "the stale client to give up");
      await until(() => lr.reconnected.length === 1, "the refreshing client to reconnect");
      assert.deepEqual(ls.events, ["reconnecting", "close"]);
      assert.equal(calls, 2, "the factory is asked again for the reconnect");
      assert.equal(await refreshing.invoke("SubscribeAccounts"), null);
    });
  });

  describe("server cleanup", () => {
    it("shows 0 connections after stop(), also for a client stopped while reconnecting", async () => {
      const a = await connect("user");
      const b = await connect("market", { reconnectDelays: [5000] });
      assert.equal((await state()).hubs.user.connections, 1);
      const lb = watch(b);
      await faults({ dropHubs: "market" });
      await until(() => lb.reconnecting.length === 1, "the market client to start reconnecting");
      await Promise.all([a.stop(), b.stop()]);
      assert.equal(b.state, signalR.HubConnectionState.Disconnected);
      await until(async () => {
        const s = await state();
        return s.hubs.user.connections === 0 && s.hubs.market.connections === 0;
      }, "0 connections on both hubs");
    });
  });
});

describe("simulator hubs: client timeout", () => {
  let sim: Simulator;
  const open: signalR.HubConnection[] = [];

  before(async () => {
    sim = await startTestSim({ hubs: { clientTimeoutMs: 600 } });
  });
  afterEach(async () => {
    await Promise.all(open.splice(0).map((c) => c.stop()));
  });
  after(() => sim.close());

  it("closes a client that stays silent past clientTimeoutMs with a reconnectable Close, and keeps a pinging one", async () => {
    const { token } = await login(sim);
    const silent = hubConnection(sim, "user", token);
    silent.keepAliveIntervalInMilliseconds = 10_000;
    const chatty = hubConnection(sim, "user", token); // pings every 250 ms
    open.push(silent, chatty);
    await Promise.all([silent.start(), chatty.start()]);
    const ls = watch(silent);
    const lc = watch(chatty);
    await until(() => ls.reconnecting.length === 1, "the silent client to be closed", 3000);
    assert.equal(ls.reconnecting[0]?.message, "Server returned an error on close: Connection closed with an error.");
    await until(() => ls.reconnected.length === 1, "the silent client to reconnect");
    assert.deepEqual(lc.events, []);
    assert.equal(chatty.state, signalR.HubConnectionState.Connected);
  });
});
