import { strict as assert } from "node:assert";
import type { Simulator } from "../../src/sim";
import { VenueClock } from "../../src/sim/venue-clock";
import { login, startTestSim } from "../support/sim";

/** A base clock the test moves by hand: the venue clock's speed is then exact. */
function manualBase(start: number) {
  let t = start;
  return {
    now: () => t,
    move: (ms: number) => {
      t += ms;
    },
  };
}

const TUESDAY_0930_CT = Date.parse("2026-12-01T09:30:00-06:00");

describe("sim: the venue clock", () => {
  let sim: Simulator;
  afterEach(async () => sim?.close());

  it("runs N times faster than its base, and is set, advanced and slowed through /sim/clock", async () => {
    const base = manualBase(Date.parse("2026-11-29T12:00:00Z"));
    sim = await startTestSim({ now: base.now, clock: { start: "2026-12-01T09:30:00-06:00", speed: 60 } });
    const clock = async () =>
      (await fetch(`${sim.restUrl}/sim/clock`)).json() as Promise<{ epochMs: number; speed: number; time: string }>;
    assert.deepEqual(await clock(), { time: "2026-12-01T15:30:00.000Z", epochMs: TUESDAY_0930_CT, speed: 60 });
    base.move(1000);
    assert.equal((await clock()).epochMs, TUESDAY_0930_CT + 60_000, "one second of base time is a minute at ×60");
    const post = (body: object) =>
      fetch(`${sim.restUrl}/sim/clock`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    let r = await post({ advance: 3_600_000, speed: 1 });
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), {
      time: "2026-12-01T16:31:00.000Z",
      epochMs: TUESDAY_0930_CT + 3_660_000,
      speed: 1,
    });
    base.move(1000);
    assert.equal((await clock()).epochMs, TUESDAY_0930_CT + 3_661_000);
    r = await post({ time: "2026-12-04T15:09:00-06:00" });
    assert.equal((await r.json()).time, "2026-12-04T21:09:00.000Z");
    for (const bad of [{ speed: 0 }, { speed: -1 }, { time: "next tuesday" }, { advance: "1h" }]) {
      r = await post(bad);
      assert.equal(r.status, 400, JSON.stringify(bad));
      assert.match((await r.json()).error, /speed|time|advance/);
    }
  });

  it("stamps orders, trades and tokens with the venue's time", async () => {
    sim = await startTestSim({ clock: { start: TUESDAY_0930_CT } });
    const { api } = await login(sim);
    const contract = sim.market.frontMonths()[3]!.id;
    const placed = await api.post("/api/Order/place", {
      accountId: 10001,
      contractId: contract,
      type: 2,
      side: 0,
      size: 1,
    });
    assert.equal(placed.data.success, true);
    const trades = await api.post("/api/Trade/search", { accountId: 10001, startTimestamp: "2026-12-01T00:00:00Z" });
    const stamp = Date.parse(trades.data.trades[0].creationTimestamp);
    assert.ok(
      Math.abs(stamp - TUESDAY_0930_CT) < 10_000,
      `the fill is stamped ${trades.data.trades[0].creationTimestamp}`,
    );
    await fetch(`${sim.restUrl}/sim/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ advance: 2 * 86_400_000 }),
    });
    const expired = await api.post("/api/Trade/search", { accountId: 10001, startTimestamp: "2026-12-03T00:00:00Z" });
    assert.equal(expired.status, 401, "the day's token expired with the venue's time");
    const again = (await login(sim)).api;
    const later = await again.post("/api/Trade/search", { accountId: 10001, startTimestamp: "2026-12-03T00:00:00Z" });
    assert.equal(later.data.success, true, JSON.stringify(later.data));
    assert.equal(later.data.trades.length, 0, "two days on, Tuesday's fill is not today's");
  });

  it("refuses a speed it cannot run at", () => {
    assert.throws(() => new VenueClock(Date.now, undefined, 0), /speed 0/);
    assert.throws(() => new VenueClock(Date.now, undefined, 20_000), /at most 10000/);
  });
});
