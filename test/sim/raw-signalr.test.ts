import { strict as assert } from "node:assert";
import type { Simulator } from "../../src/sim";
import { RawHubClient, type RawRecord } from "../support/raw-signalr";
import { ACCOUNT, frontMonth, login, restClient, setPrice, startTestSim, until } from "../support/sim";

const wsUrl = (httpUrl: string) => httpUrl.replace(/^http/, "ws");

describe("simulator: raw SignalR clients (negotiate v0, hand-made JSON handshake)", () => {
  let sim: Simulator;
  let token: string;
  const open: RawHubClient[] = [];

  before(async () => {
    sim = await startTestSim();
    ({ token } = await login(sim));
  });
  afterEach(() => {
    for (const c of open.splice(0)) c.close();
  });
  after(() => sim.close());

  const negotiate = (query: string, auth: "header" | "query" = "header") =>
    restClient(sim, auth === "header" ? token : undefined).post(
      `/hubs/user/negotiate${auth === "query" ? `?access_token=${encodeURIComponent(token)}${query ? `&${query.slice(1)}` : ""}` : query}`,
    );

  async function connect(url: string): Promise<RawHubClient> {
    const c = await RawHubClient.open(url);
    open.push(c);
    return c;
  }

  /** Sends a handshake and waits for the server's answer record. */
  async function handshake(c: RawHubClient, request: RawRecord | string): Promise<RawRecord> {
    c.send(request);
    return until(() => c.records[0], "the handshake answer");
  }

  it("connects like signalrcore: negotiate without a version, ?id=<connectionId>, json v1, invoke, event", async () => {
    const n = await negotiate("");
    assert.equal(n.status, 200);
    assert.deepEqual(Object.keys(n.data).sort(), ["availableTransports", "connectionId", "negotiateVersion"]);
    assert.equal(n.data.negotiateVersion, 0);
    const c = await connect(`${wsUrl(sim.userHubUrl)}?id=${encodeURIComponent(n.data.connectionId)}`);
    assert.deepEqual(await handshake(c, { protocol: "json", version: 1 }), {});
    const id = c.invoke("SubscribeAccounts", []);
    await until(() => c.records.find((r) => r.type === 3), "the completion");
    assert.deepEqual(
      c.records.find((r) => r.type === 3),
      { type: 3, invocationId: id, result: null },
    );
    await restClient(sim).post("/sim/account", { accountId: ACCOUNT, balance: 48_500 });
    const event = await until(
      () => c.records.find((r) => r.type === 1 && r.target === "GatewayUserAccount"),
      "the account event",
    );
    const [payload] = event.arguments as [{ data: { id: number; balance: number } }];
    assert.deepEqual([payload.data.id, payload.data.balance], [ACCOUNT, 48_500]);
  });

  it("streams quotes to a raw client on the market hub after a version 0 negotiation", async () => {
    const api = restClient(sim, token);
    const mnq = (await frontMonth(api, "MNQ")).id;
    const n = await api.post("/hubs/market/negotiate");
    assert.equal(n.data.negotiateVersion, 0);
    const c = await connect(`${wsUrl(sim.marketHubUrl)}?id=${encodeURIComponent(n.data.connectionId)}`);
    assert.deepEqual(await handshake(c, { protocol: "json", version: 1 }), {});
    c.invoke("SubscribeContractQuotes", [mnq]);
    await setPrice(sim, mnq, 25_100);
    const quote = await until(
      () => c.records.find((r) => r.type === 1 && r.target === "GatewayQuote"),
      "a quote on the raw socket",
    );
    assert.equal((quote.arguments as unknown[])[0], mnq);
  });

  it("connects like pysignalr: the token in the access_token query of negotiate and of the socket", async () => {
    const n = await negotiate("", "query");
    assert.equal(n.status, 200);
    assert.equal(n.data.connectionToken, undefined);
    const url = `${wsUrl(sim.userHubUrl)}?access_token=${encodeURIComponent(token)}&id=${encodeURIComponent(n.data.connectionId)}`;
    const c = await connect(url);
    assert.deepEqual(await handshake(c, { protocol: "json", version: 1 }), {});
    c.invoke("SubscribeOrders", [ACCOUNT]);
    await until(() => c.records.find((r) => r.type === 3), "the completion");
    assert.equal(c.records.find((r) => r.type === 3)?.error, undefined);
  });

  it("gives a version 1 client a separate token: its connection id alone does not open the socket", async () => {
    const n = await negotiate("?negotiateVersion=1");
    assert.equal(n.data.negotiateVersion, 1);
    assert.notEqual(n.data.connectionToken, n.data.connectionId);
    await assert.rejects(RawHubClient.open(`${wsUrl(sim.userHubUrl)}?id=${n.data.connectionId}`), /refused: 404/);
    const c = await connect(`${wsUrl(sim.userHubUrl)}?id=${n.data.connectionToken}`);
    assert.deepEqual(await handshake(c, { protocol: "json", version: 1 }), {});
  });

  it("reads negotiateVersion as ASP.NET does: any case, higher lowered to 1, bad values answered with an error", async () => {
    const version = async (q: string) => (await negotiate(q)).data;
    assert.equal((await version("?NegotiateVersion=1")).negotiateVersion, 1);
    assert.equal((await version("?negotiateVersion=0")).negotiateVersion, 0);
    assert.equal((await version("?negotiateVersion=7")).negotiateVersion, 1);
    assert.equal((await version("?negotiateVersion=%2B01")).negotiateVersion, 1);
    const bad = await negotiate("?negotiateVersion=abc");
    assert.equal(bad.status, 200);
    assert.deepEqual(bad.data, { error: "The client requested a non-integer protocol version." });
    assert.deepEqual(await version("?negotiateVersion=-1"), {
      error: "The client requested version '-1', but the server does not support this version.",
    });
  });

  it("accepts the json protocol at versions 0 to 2 and in any case, without negotiation", async () => {
    for (const request of [
      { protocol: "json", version: 0 },
      { protocol: "json", version: 2 },
      { protocol: "JSON", version: 1 },
    ]) {
      const c = await connect(`${wsUrl(sim.userHubUrl)}?access_token=${encodeURIComponent(token)}`);
      assert.deepEqual(await handshake(c, request), {}, JSON.stringify(request));
      const id = c.invoke("SubscribeAccounts", []);
      await until(
        () => c.records.find((r) => r.invocationId === id),
        `the completion after ${JSON.stringify(request)}`,
      );
    }
  });

  it("refuses other protocols, later versions and malformed handshakes with ASP.NET's error, then closes", async () => {
    const cases: Array<[RawRecord | string, string]> = [
      [{ protocol: "json", version: 3 }, "The server does not support version 3 of the 'json' protocol."],
      [{ protocol: "messagepack", version: 1 }, "The protocol 'messagepack' is not supported."],
      [{ protocol: "json" }, "An unexpected error occurred during connection handshake."],
      [{ protocol: "json", version: "1" }, "An unexpected error occurred during connection handshake."],
      ["not json", "An unexpected error occurred during connection handshake."],
    ];
    for (const [request, error] of cases) {
      const c = await connect(`${wsUrl(sim.userHubUrl)}?access_token=${encodeURIComponent(token)}`);
      assert.deepEqual(await handshake(c, request), { error }, JSON.stringify(request));
      assert.deepEqual(await until(() => c.closed, "the socket to close"), { code: 1000 });
      assert.equal(c.records.length, 1, "the error alone, no Close message");
    }
  });
});
