import { strict as assert } from "node:assert";
import type * as signalR from "@microsoft/signalr";
import type { Simulator, SimulatorOptions } from "../../src/sim";
import { ACCOUNT, frontMonth, hubConnection, login, restClient, setPrice, startTestSim } from "../support/sim";

type Json = Record<string, unknown>;
const EVENTS = ["GatewayUserAccount", "GatewayUserOrder", "GatewayUserTrade"];
const OFF = {
  secondTradeOnClose: false,
  repeatAccountUpdates: false,
  pendingBeforeReject: false,
  trimTimestamps: false,
};

/**
 * One round trip and one order refused for brackets on a Position Brackets account, as the user hub
 * sends them to the official client: every event's name and data, in order.
 */
async function session(
  options: SimulatorOptions,
): Promise<{ events: Array<{ name: string; data: Json }>; rest: Json[] }> {
  const sim: Simulator = await startTestSim(options);
  let conn: signalR.HubConnection | null = null;
  try {
    const { api, token } = await login(sim);
    const mnq = (await frontMonth(api, "MNQ")).id;
    await setPrice(sim, mnq, 21000);
    conn = hubConnection(sim, "user", token);
    const events: Array<{ name: string; data: Json }> = [];
    for (const name of EVENTS) conn.on(name, (e: { data: Json }) => events.push({ name, data: e.data }));
    await conn.start();
    await conn.invoke("SubscribeAccounts");
    await conn.invoke("SubscribeOrders", ACCOUNT);
    await conn.invoke("SubscribeTrades", ACCOUNT);
    const place = (side: number, extra: Json = {}) =>
      api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mnq, type: 2, side, size: 1, ...extra });
    await place(0);
    await setPrice(sim, mnq, 21010);
    await place(1);
    await restClient(sim).post("/sim/account", { accountId: ACCOUNT, autoOcoBrackets: false });
    await place(0, { stopLossBracket: { ticks: -20, type: 4 } });
    await conn.invoke("SubscribeAccounts"); // its completion follows every event already sent
    const rest = (await api.post("/api/Trade/search", { accountId: ACCOUNT, startTimestamp: "2000-01-01T00:00:00Z" }))
      .data.trades as Json[];
    return { events, rest };
  } finally {
    await conn?.stop();
    await sim.close();
  }
}

const ids = (events: Array<{ name: string; data: Json }>, name: string) =>
  events.filter((e) => e.name === name).map((e) => e.data.id);

describe("simulator: live's user-hub quirks", () => {
  it("are on by default: the opening half-turn after a close, repeated balances, Pending before Rejected, trimmed times on the hub and REST", async () => {
    const { events, rest } = await session({});
    const trades = ids(events, "GatewayUserTrade");
    assert.equal(rest.length, 2, "REST: one row per fill");
    assert.deepEqual(trades, [rest[0]!.id, rest[1]!.id, rest[0]!.id], "the opening half-turn again after the close");
    const balances = events.filter((e) => e.name === "GatewayUserAccount").map((e) => e.data.balance);
    // Three account events (the open, the close, the switch to Position Brackets), each 2 to 4 times.
    assert.ok(balances.length >= 3 * 2 && balances.length <= 3 * 4, `${balances}`);
    const refused = events.filter((e) => e.name === "GatewayUserOrder").slice(-2);
    assert.deepEqual(
      refused.map((e) => [e.data.id === refused[0]!.data.id, e.data.status]),
      [
        [true, 6],
        [true, 5],
      ],
    );
    for (const e of events.filter((x) => x.name !== "GatewayUserAccount")) {
      const ts = String(e.data.creationTimestamp);
      assert.doesNotMatch(ts, /\.\d*0\+00:00$/, `no trailing zero in ${ts}`);
      assert.ok(!Number.isNaN(Date.parse(ts)), ts);
    }
    assert.equal(
      Date.parse(String(events.find((e) => e.name === "GatewayUserTrade")!.data.creationTimestamp)),
      Date.parse(String(rest[0]!.creationTimestamp)),
      "the same instant as REST's",
    );
    for (const t of rest) assert.doesNotMatch(String(t.creationTimestamp), /\.\d*0\+00:00$/, "REST trims them too");
  });

  it("each switch off sends the kind events: one per fill and change, Rejected alone, seven digits", async () => {
    const { events, rest } = await session({ quirks: OFF });
    assert.deepEqual(ids(events, "GatewayUserTrade"), [rest[0]!.id, rest[1]!.id]);
    const balances = events.filter((e) => e.name === "GatewayUserAccount").map((e) => e.data.balance);
    assert.equal(balances.length, 3, `one event per account change (open, close, Position Brackets): ${balances}`);
    assert.deepEqual(
      events.filter((e) => e.name === "GatewayUserOrder").map((e) => e.data.status),
      [6, 2, 6, 2, 5],
    );
    for (const e of events.filter((x) => x.name !== "GatewayUserAccount"))
      assert.match(String(e.data.creationTimestamp), /\.\d{7}\+00:00$/);
    for (const t of rest) assert.match(String(t.creationTimestamp), /\.\d{7}\+00:00$/);
  });
});
