import { strict as assert } from "node:assert";
import type { AxiosInstance } from "axios";
import type { Simulator } from "../../src/sim";
import { isTrading } from "../../src/sim/trading-hours";
import { hubConnection, login, record, startTestSim, until } from "../support/sim";

const ct = (local: string) => Date.parse(`${local}-06:00`);
const SUNDAY_MORNING = ct("2026-12-06T10:00:00");
const FRIDAY_1500 = ct("2026-12-04T15:00:00");

describe("sim: CME trading hours on the venue clock", () => {
  let sim: Simulator;
  let api: AxiosInstance;
  afterEach(async () => sim?.close());

  async function start(time: number, hours?: "cme" | "always") {
    sim = await startTestSim({ clock: { start: time }, market: { quoteRate: 50, ...(hours ? { hours } : {}) } });
    api = (await login(sim)).api;
  }
  const setClock = (time: number) =>
    fetch(`${sim.restUrl}/sim/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ time }),
    });
  const buy = async () =>
    (
      await api.post("/api/Order/place", {
        accountId: 10001,
        contractId: sim.market.frontMonths()[3]!.id,
        type: 2,
        side: 0,
        size: 1,
      })
    ).data;

  it("refuses an order on a Sunday morning with OutsideTradingHours, and takes it from the 17:00 open", async () => {
    await start(SUNDAY_MORNING);
    assert.deepEqual(await buy(), {
      orderId: null,
      success: false,
      errorCode: 5,
      errorMessage: "Outside trading hours.",
    });
    await setClock(ct("2026-12-06T17:00:00"));
    assert.equal((await buy()).success, true);
  });

  it("closes for the daily 16:00–17:00 break, CME holidays and after Friday's close", async () => {
    await start(ct("2026-12-01T16:30:00"));
    assert.equal((await buy()).errorCode, 5, "Tuesday 16:30, the daily break");
    for (const [when, open] of [
      ["2026-12-01T17:00:00", true],
      ["2026-12-25T10:00:00", false],
      ["2026-12-04T15:59:00", true],
      ["2026-12-04T16:00:00", false],
      ["2026-12-05T12:00:00", false],
    ] as const) {
      await setClock(ct(when));
      // Weeks apart: the session token of the earlier time has expired by the later one.
      api = (await login(sim)).api;
      assert.equal((await buy()).success, open, when);
    }
  });

  it("refuses closing a position while closed, with live's codes and no message", async () => {
    await start(FRIDAY_1500);
    assert.equal((await buy()).success, true);
    await setClock(ct("2026-12-04T16:30:00"));
    const contractId = sim.market.frontMonths()[3]!.id;
    const close = (await api.post("/api/Position/closeContract", { accountId: 10001, contractId })).data;
    assert.deepEqual(close, { success: false, errorCode: 5, errorMessage: null });
    const partial = (await api.post("/api/Position/partialCloseContract", { accountId: 10001, contractId, size: 1 }))
      .data;
    assert.deepEqual(partial, { success: false, errorCode: 6, errorMessage: null });
  });

  it("sends no quotes while closed, and quotes again once open", async () => {
    await start(SUNDAY_MORNING);
    const contractId = sim.market.frontMonths()[3]!.id;
    const { token } = await login(sim);
    const conn = hubConnection(sim, "market", token);
    const got = record(conn, ["GatewayQuote"]);
    await conn.start();
    try {
      await conn.invoke("SubscribeContractQuotes", contractId);
      const first = got.GatewayQuote!.length; // the snapshot a subscriber gets at once
      // Absence is asserted over 25 ticker periods at 50 quotes/s.
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(got.GatewayQuote!.length, first, "no quote on a Sunday morning");
      await setClock(ct("2026-12-07T09:00:00"));
      await until(() => got.GatewayQuote!.length > first + 5, "quotes on Monday morning");
    } finally {
      await conn.stop();
    }
  });

  it("never closes when configured to (market.hours: always)", async () => {
    await start(SUNDAY_MORNING, "always");
    assert.equal((await buy()).success, true);
  });

  it("keeps day-session products to their own hours", () => {
    assert.equal(isTrading("ZC", ct("2026-12-01T09:00:00")), true);
    assert.equal(isTrading("ZC", ct("2026-12-01T14:00:00")), false, "grains close at 13:20");
    assert.equal(isTrading("HE", ct("2026-12-01T13:10:00")), false, "livestock close at 13:05");
    assert.equal(isTrading("ZC", ct("2026-12-25T09:00:00")), false, "Christmas");
    assert.equal(isTrading("ES", ct("2026-12-01T14:00:00")), true);
  });
});
