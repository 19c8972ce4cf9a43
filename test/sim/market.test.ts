import { strict as assert } from "node:assert";
import type { AxiosInstance } from "axios";
import { RetrieveBarResponse } from "../../src/core/schemas";
import type { Simulator } from "../../src/sim";
import { ACCOUNT, login, restClient, setPrice, startTestSim, until } from "../support/sim";

interface Bar {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}
interface PriceRow {
  contractId: string;
  lastPrice: number;
  bestBid: number;
  bestAsk: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const ES = "CON.F.US.EP.Z26";
const MNQ = "CON.F.US.MNQ.Z26";

/** The bar's `t` in epoch ms; the gateway prints 7 fractional digits and `+00:00`. */
function barTime(t: string): number {
  assert.match(t, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/);
  const ms = Date.parse(t.replace(/(\.\d{3})\d+/, "$1"));
  assert.ok(!Number.isNaN(ms), t);
  return ms;
}

/** True when `price` is a whole number of ticks (with float tolerance, not a rounding of our own). */
/** Waits for the simulator's market to move a price after the call: its ticker runs on real timers. */
function ticker(sim: Simulator): () => Promise<void> {
  let moves = 0;
  sim.market.listen({ onPrice: () => void moves++ });
  return async () => {
    const seen = moves;
    await until(() => moves > seen, "the market's next tick", 2000);
  };
}

function onGrid(price: number, tick: number): boolean {
  const n = price / tick;
  return Math.abs(n - Math.round(n)) < 1e-6;
}

function assertSaneBars(bars: Bar[], tick: number, what: string): void {
  for (const b of bars) {
    for (const k of ["o", "h", "l", "c"] as const)
      assert.ok(onGrid(b[k], tick), `${what} ${b.t} ${k}=${b[k]} is off the ${tick} grid`);
    assert.ok(b.l <= Math.min(b.o, b.c) && Math.max(b.o, b.c) <= b.h, `${what} ${JSON.stringify(b)}`);
    assert.ok(Number.isInteger(b.v) && b.v > 0, `${what} volume ${b.v}`);
  }
}

function barsBody(
  contractId: string,
  startMs: number,
  endMs: number,
  unit: number,
  unitNumber: number,
  limit: number,
  includePartialBar: boolean,
) {
  return {
    contractId,
    live: false,
    startTime: new Date(startMs).toISOString(),
    endTime: new Date(endMs).toISOString(),
    unit,
    unitNumber,
    limit,
    includePartialBar,
  };
}

async function bars(api: AxiosInstance, body: ReturnType<typeof barsBody>): Promise<Bar[]> {
  const r = await api.post("/api/History/retrieveBars", body);
  assert.equal(r.status, 200, JSON.stringify(r.data));
  assert.equal(r.data.success, true, JSON.stringify(r.data));
  assert.ok(RetrieveBarResponse.safeParse(r.data).success, "matches the wire schema");
  return r.data.bars;
}

async function prices(sim: Simulator): Promise<PriceRow[]> {
  return (await restClient(sim).get("/sim/state")).data.prices;
}

describe("simulator: History/retrieveBars", () => {
  const T0 = Date.parse("2026-11-25T15:07:31.300Z");
  let clock = T0;
  let sim: Simulator;
  let api: AxiosInstance;

  before(async () => {
    sim = await startTestSim({ now: () => clock, rateLimits: { enabled: false } });
    ({ api } = await login(sim));
  });
  after(() => sim.close());
  afterEach(async () => {
    clock = T0;
    await restClient(sim).post("/sim/reset", {});
  });

  // unit → [unitNumber, span to ask for, check that a bar start is aligned]
  const units: Record<number, [number, number, (t: number, n: number) => boolean]> = {
    1: [15, 10 * MINUTE, (t, n) => t % (n * 1000) === 0],
    2: [5, 3 * HOUR, (t, n) => t % (n * MINUTE) === 0],
    3: [4, 3 * DAY, (t, n) => t % (n * HOUR) === 0],
    4: [1, 30 * DAY, (t) => t % DAY === 0],
    5: [1, 90 * DAY, (t) => t % DAY === 0 && new Date(t).getUTCDay() === 1],
    6: [3, 800 * DAY, (t, n) => new Date(t).getUTCDate() === 1 && t % DAY === 0 && new Date(t).getUTCMonth() % n === 0],
    7: [10, 30_000, (t, n) => t % (n * 250) === 0],
  };

  for (const [unitText, [unitNumber, span, aligned]] of Object.entries(units)) {
    const unit = Number(unitText);
    it(`unit ${unit} × ${unitNumber}: bars newest first, aligned to the unit, on the tick grid`, async () => {
      const start = T0 - span;
      const got = await bars(api, barsBody(ES, start, T0 + DAY, unit, unitNumber, 20_000, true));
      assert.ok(got.length >= 2, `${got.length} bars`);
      const ts = got.map((b) => barTime(b.t));
      for (let i = 1; i < ts.length; i++)
        assert.ok(ts[i]! < ts[i - 1]!, `newest first at ${i}: ${got[i - 1]!.t}, ${got[i]!.t}`);
      for (const t of ts) {
        assert.ok(
          aligned(t, unitNumber),
          `${new Date(t).toISOString()} is not aligned to unit ${unit} × ${unitNumber}`,
        );
        assert.ok(t >= start && t <= T0, `${new Date(t).toISOString()} outside [start, now]`);
      }
      // Fixed-size units have no gaps in this open week; the newest bar is the one forming now.
      // Day bars are trading days: none for a Saturday or Sunday (session-bars.test.ts).
      if (unit === 4) for (const t of ts) assert.ok(new Date(t).getUTCDay() % 6 !== 0, new Date(t).toISOString());
      if (unit !== 6 && unit !== 4) {
        const size = ts[0]! - ts[1]!;
        for (let i = 1; i < ts.length; i++) assert.equal(ts[i - 1]! - ts[i]!, size);
        assert.ok(ts[0]! <= T0 && T0 < ts[0]! + size, "the newest bar contains now");
      }
      assertSaneBars(got, 0.25, `unit ${unit}`);
    });
  }

  it("gives 5-minute bars the expected count and timestamps", async () => {
    const start = Date.parse("2026-11-25T14:00:00Z");
    const got = await bars(api, barsBody(ES, start, Date.parse("2026-11-25T15:00:00Z"), 2, 5, 1000, false));
    assert.equal(got.length, 12);
    assert.equal(got[0]!.t, "2026-11-25T14:55:00.0000000+00:00");
    assert.equal(barTime(got[11]!.t), start);
  });

  it("keeps the most recent bars when `limit` cuts the window", async () => {
    const body = barsBody(ES, T0 - 2 * HOUR, T0, 2, 1, 1000, false);
    const all = await bars(api, body);
    assert.ok(all.length >= 100);
    const few = await bars(api, { ...body, limit: 10 });
    assert.equal(few.length, 10);
    assert.deepEqual(few, all.slice(0, 10));
    const one = await bars(api, { ...body, limit: 1 });
    assert.equal(one[0]!.t, "2026-11-25T15:06:00.0000000+00:00");
  });

  it("includes the forming bar only with includePartialBar", async () => {
    const body = barsBody(ES, T0 - 10 * MINUTE, T0 + HOUR, 2, 1, 100, true);
    const withPartial = await bars(api, body);
    assert.equal(withPartial[0]!.t, "2026-11-25T15:07:00.0000000+00:00");
    const without = await bars(api, { ...body, includePartialBar: false });
    assert.equal(without[0]!.t, "2026-11-25T15:06:00.0000000+00:00");
    assert.equal(withPartial.length, without.length + 1);
    assert.deepEqual(withPartial.slice(1), without);
    // No bar from the future, even when endTime lies ahead.
    assert.ok(withPartial.every((b) => barTime(b.t) <= T0));
  });

  it("keeps o/h/l/c on each contract's own tick grid", async () => {
    const grid: Array<[string, number]> = [
      ["CON.F.US.CLE.F27", 0.01],
      ["CON.F.US.GCE.G27", 0.1],
      ["CON.F.US.YM.Z26", 1],
      ["CON.F.US.M2K.Z26", 0.1],
      ["CON.F.US.USA.Z26", 0.03125],
      ["CON.F.US.EU6.Z26", 0.00005],
      [MNQ, 0.25],
    ];
    for (const [id, tick] of grid) {
      const got = await bars(api, barsBody(id, T0 - 6 * HOUR, T0, 2, 1, 20_000, true));
      assert.ok(got.length > 300, id);
      assertSaneBars(got, tick, id);
      // A synthetic market that never moves would be useless for charts.
      assert.ok(new Set(got.map((b) => b.c)).size > 5, `${id} closes vary`);
      assert.ok(
        got.some((b) => b.h > b.l),
        `${id} has bars with a range`,
      );
    }
  });

  it("gives the same bars for the same seed in two simulators, and other bars for another seed", async () => {
    const body = barsBody(MNQ, T0 - 3 * HOUR, T0, 2, 15, 100, true);
    const a = await startTestSim({ now: () => T0, seed: 7 });
    const b = await startTestSim({ now: () => T0, seed: 7 });
    const c = await startTestSim({ now: () => T0, seed: 8 });
    try {
      const [ba, bb, bc] = await Promise.all([a, b, c].map(async (s) => bars((await login(s)).api, body)));
      assert.deepEqual(ba, bb);
      assert.equal(ba!.length, bc!.length);
      assert.notDeepEqual(
        ba!.map((x) => x.c),
        bc!.map((x) => x.c),
      );
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it("shows a manual /sim/price move in the latest bar's high and low", async () => {
    const body = barsBody(MNQ, T0 - 10 * MINUTE, T0 + HOUR, 2, 1, 100, true);
    const before = await bars(api, body);
    const p = before[0]!.c;
    clock += 1000;
    await setPrice(sim, MNQ, p + 50 * 0.25);
    clock += 1000;
    await setPrice(sim, MNQ, p - 40 * 0.25);
    clock += 1000;
    await setPrice(sim, MNQ, p);
    clock += 1000;
    const after = await bars(api, body);
    assert.equal(after[0]!.t, before[0]!.t, "still the same minute");
    assert.ok(after[0]!.h >= p + 12.5, `high ${after[0]!.h}`);
    assert.ok(after[0]!.l <= p - 10, `low ${after[0]!.l}`);
    assert.ok(after[0]!.h >= before[0]!.h && after[0]!.l <= before[0]!.l, "a forming bar's range only widens");
    assert.equal(after[0]!.c, p);
    assert.deepEqual(after.slice(1), before.slice(1), "older bars do not change");
    // One-second bars place each move in its own second.
    const secs = await bars(api, barsBody(MNQ, T0 - 2000, T0 + HOUR, 1, 1, 100, true));
    assert.deepEqual(secs.map((b) => b.c).slice(0, 5), [p, p, p - 10, p + 12.5, p]);
    assert.equal(secs[3]!.h, p + 12.5);
    assert.equal(secs[2]!.l, p - 10);
  });

  it("keeps a forming bar's earlier high and low as time passes, into the finished bar", async () => {
    const minute = Date.parse("2026-11-25T15:07:00Z");
    let t = minute;
    const moving = await startTestSim({ now: () => t, market: { quoteRate: 4 }, rateLimits: { enabled: false } });
    try {
      const { api: a } = await login(moving);
      const body = barsBody(ES, minute, minute + MINUTE, 2, 1, 1, true);
      const seen: Bar[] = [];
      for (let k = 1; k <= 61; k++) {
        t = minute + k * 997;
        const [bar] = await bars(a, body);
        assert.equal(bar!.t, "2026-11-25T15:07:00.0000000+00:00");
        for (const prev of seen) {
          assert.equal(bar!.o, prev.o, "the open does not move");
          assert.ok(bar!.v >= prev.v, `volume fell from ${prev.v} to ${bar!.v} at +${k * 997} ms`);
          // A high or low reached inside the bar (not merely the close of the moment) never disappears.
          if (prev.h > prev.c)
            assert.ok(bar!.h >= prev.h, `high dropped from ${prev.h} to ${bar!.h} at +${k * 997} ms`);
          if (prev.l < prev.c) assert.ok(bar!.l <= prev.l, `low rose from ${prev.l} to ${bar!.l} at +${k * 997} ms`);
        }
        seen.push(bar!);
      }
      assert.ok(t > minute + MINUTE, "the last look saw the finished bar");
    } finally {
      await moving.close();
    }
  });

  it("returns an empty list for a window with no bars", async () => {
    const got = await bars(api, barsBody(ES, T0 + HOUR, T0 + 2 * HOUR, 2, 1, 100, true));
    assert.deepEqual(got, []);
  });

  it("reports errorCode 1 for an unknown contract", async () => {
    const r = await api.post("/api/History/retrieveBars", barsBody("CON.F.US.XYZ.Z26", T0 - HOUR, T0, 2, 1, 10, false));
    assert.equal(r.status, 200);
    assert.equal(r.data.success, false);
    assert.equal(r.data.errorCode, 1);
    assert.equal(r.data.bars ?? null, null);
  });

  it("reports errorCode 2 for a bad unit, 3 for unitNumber 0, 4 for limit 0 or above 20000", async () => {
    const ok = barsBody(ES, T0 - HOUR, T0, 2, 1, 10, false);
    const cases: Array<[Partial<typeof ok>, number]> = [
      [{ unit: 0 }, 2],
      [{ unit: 8 }, 2],
      [{ unit: -1 }, 2],
      [{ unitNumber: 0 }, 3],
      [{ unitNumber: -5 }, 3],
      [{ limit: 0 }, 4],
      [{ limit: 20_001 }, 4],
      [{ limit: -1 }, 4],
    ];
    for (const [patch, code] of cases) {
      const r = await api.post("/api/History/retrieveBars", { ...ok, ...patch });
      assert.equal(r.status, 200, JSON.stringify(patch));
      assert.equal(r.data.success, false, JSON.stringify(patch));
      assert.equal(r.data.errorCode, code, JSON.stringify(patch));
    }
    const max = await api.post("/api/History/retrieveBars", { ...ok, unit: 1, limit: 20_000 });
    assert.equal(max.data.success, true);
    // Whole seconds from 14:07:32 to 15:07:30; the forming 15:07:31 bar is left out.
    assert.equal(max.data.bars.length, 3599);
  });

  it("answers a request missing its contract, or with a bad timestamp, with HTTP 400", async () => {
    const { contractId: _, ...missing } = barsBody(ES, T0 - HOUR, T0, 2, 1, 10, false);
    const r = await api.post("/api/History/retrieveBars", missing);
    assert.equal(r.status, 400);
    assert.deepEqual(Object.keys(r.data.errors), ["ContractId"]);
    const badTime = await api.post("/api/History/retrieveBars", {
      ...barsBody(ES, T0 - HOUR, T0, 2, 1, 10, false),
      startTime: "yesterday",
    });
    assert.equal(badTime.status, 400);
    const stringUnit = await api.post("/api/History/retrieveBars", {
      ...barsBody(ES, T0 - HOUR, T0, 2, 1, 10, false),
      unit: "2",
    });
    assert.equal(stringUnit.status, 400);
  });
});

describe("simulator: the synthetic market", () => {
  const T0 = Date.parse("2026-11-25T15:00:00Z");

  /** A buy limit far below the market: it keeps the contract ticking and never fills. */
  async function restingOrder(api: AxiosInstance, contractId: string, tick: number): Promise<number> {
    const b = await bars(api, barsBody(contractId, T0 - 10 * MINUTE, T0 + HOUR, 2, 1, 1, true));
    const r = await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId,
      type: 1,
      side: 0,
      size: 1,
      limitPrice: Number((b[0]!.c - 1000 * tick).toFixed(5)),
    });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
    return r.data.orderId;
  }

  it("moves prices over time with quoteRate > 0, on the tick grid, with bid below ask", async () => {
    let clock = T0;
    const sim = await startTestSim({ now: () => clock, market: { quoteRate: 200 } });
    const tick = ticker(sim);
    try {
      const { api } = await login(sim);
      const orderId = await restingOrder(api, MNQ, 0.25);
      const seen = new Set<number>();
      for (let i = 0; i < 200 && seen.size < 5; i++) {
        clock += 100;
        await tick();
        const row = (await prices(sim)).find((p) => p.contractId === MNQ)!;
        assert.ok(
          onGrid(row.lastPrice, 0.25) && onGrid(row.bestBid, 0.25) && onGrid(row.bestAsk, 0.25),
          JSON.stringify(row),
        );
        assert.ok(row.bestBid < row.bestAsk, JSON.stringify(row));
        assert.ok(row.bestBid <= row.lastPrice && row.lastPrice <= row.bestAsk, JSON.stringify(row));
        seen.add(row.lastPrice);
      }
      assert.ok(seen.size >= 5, `only ${seen.size} distinct prices`);
      const order = await api.post("/api/Order/searchById", { accountId: ACCOUNT, orderId });
      assert.equal(order.data.order.status, 1, "the far limit order still rests");
    } finally {
      await sim.close();
    }
  });

  it("holds prices still with quoteRate 0 and switches the rate through POST /sim/market", async () => {
    let clock = T0;
    const sim = await startTestSim({ now: () => clock });
    const tick = ticker(sim);
    try {
      const { api } = await login(sim);
      await restingOrder(api, MNQ, 0.25);
      const lastOf = async () => (await prices(sim)).find((p) => p.contractId === MNQ)!.lastPrice;
      const frozen = await lastOf();
      // With quoteRate 0 no ticker runs: only a read could move a price, and reading is what this checks.
      for (let i = 0; i < 10; i++) {
        clock += 1000;
        assert.equal(await lastOf(), frozen);
      }
      const on = await restClient(sim).post("/sim/market", { quoteRate: 200 });
      assert.equal(on.status, 200);
      assert.equal(on.data.quoteRate, 200);
      assert.equal((await restClient(sim).get("/sim/state")).data.quoteRate, 200);
      const seen = new Set<number>([frozen]);
      for (let i = 0; i < 200 && seen.size < 4; i++) {
        clock += 100;
        await tick();
        seen.add(await lastOf());
      }
      assert.ok(seen.size >= 4, `only ${seen.size} distinct prices after switching the market on`);

      // Switching the rate to 0 stops the ticker before it answers: no tick can come after.
      const off = await restClient(sim).post("/sim/market", { quoteRate: 0 });
      assert.equal(off.data.quoteRate, 0);
      const stopped = await lastOf();
      for (let i = 0; i < 10; i++) {
        clock += 1000;
        assert.equal(await lastOf(), stopped);
      }
      // Bars agree with the frozen quote.
      const b = await bars(api, barsBody(MNQ, clock - MINUTE, clock + MINUTE, 1, 1, 1, true));
      assert.equal(b[0]!.c, stopped);

      assert.equal((await restClient(sim).post("/sim/market", { quoteRate: -1 })).status, 400);
      assert.equal((await restClient(sim).post("/sim/market", {})).status, 400);
    } finally {
      await sim.close();
    }
  });

  it("fills a market order at the current price even on a contract nobody watched", async () => {
    let clock = T0;
    const sim = await startTestSim({ now: () => clock, market: { quoteRate: 4 } });
    try {
      let { api } = await login(sim);
      // Touch the contract once, then let an hour pass without anyone watching it.
      await bars(api, barsBody(MNQ, T0 - MINUTE, T0 + MINUTE, 1, 1, 1, true));
      clock += HOUR;
      ({ api } = await login(sim)); // the first token is still valid, but be independent of the TTL
      const now = await bars(api, barsBody(MNQ, clock - 5000, clock + 5000, 1, 1, 1, true));
      const r = await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: MNQ, type: 2, side: 0, size: 1 });
      assert.equal(r.data.success, true);
      const o = await api.post("/api/Order/searchById", { accountId: ACCOUNT, orderId: r.data.orderId });
      assert.equal(o.data.order.status, 2);
      // A buy at market pays the ask: one tick above the last trade that the chart shows now.
      assert.equal(o.data.order.filledPrice, now[0]!.c + 0.25);
      const row = (await prices(sim)).find((p) => p.contractId === MNQ)!;
      assert.equal(row.lastPrice, now[0]!.c);
    } finally {
      await sim.close();
    }
  });
});

describe("simulator: quotes of contracts nobody watches", () => {
  const T0 = Date.parse("2026-11-25T15:00:00Z");

  it("freezes an unwatched contract at the price of the moment the market stops", async () => {
    let clock = T0;
    const sim = await startTestSim({ now: () => clock, market: { quoteRate: 4 } });
    try {
      const { api } = await login(sim);
      await bars(api, barsBody(MNQ, T0 - MINUTE, T0 + MINUTE, 1, 1, 1, true));
      clock += HOUR;
      assert.equal((await restClient(sim).post("/sim/market", { quoteRate: 0 })).status, 200);
      const stopped = clock;
      clock += HOUR;
      const b = await bars(api, barsBody(MNQ, stopped - 5000, clock + 5000, 1, 1, 20, true));
      // After the stop every bar is flat at one price, and the quote agrees with it.
      const flat = b[0]!.c;
      assert.ok(
        b.every((x) => barTime(x.t) < stopped || (x.o === flat && x.h === flat && x.l === flat && x.c === flat)),
      );
      const row = (await prices(sim)).find((p) => p.contractId === MNQ)!;
      assert.deepEqual([row.lastPrice, row.bestBid, row.bestAsk], [flat, flat, flat + 0.25]);
      const r = await (await login(sim)).api.post("/api/Order/place", {
        accountId: ACCOUNT,
        contractId: MNQ,
        type: 2,
        side: 1,
        size: 1,
      });
      const o = await api.post("/api/Order/searchById", { accountId: ACCOUNT, orderId: r.data.orderId });
      assert.equal(o.data.order.filledPrice, flat, "a sell at market gets the frozen bid");
    } finally {
      await sim.close();
    }
  });
});

describe("simulator: a manual quote in a moving market", () => {
  it("keeps a bid and ask set through /sim/price for an order placed right after", async () => {
    let clock = Date.parse("2026-11-25T15:00:00Z");
    const sim = await startTestSim({ now: () => clock, market: { quoteRate: 4 } });
    try {
      const { api } = await login(sim);
      const r = await restClient(sim).post("/sim/price", {
        contractId: MNQ,
        price: 25_000,
        bid: 24_999.75,
        ask: 25_000.5,
      });
      assert.equal(r.status, 200);
      clock += 2;
      const buy = await api.post("/api/Order/place", {
        accountId: ACCOUNT,
        contractId: MNQ,
        type: 2,
        side: 0,
        size: 1,
      });
      const o = await api.post("/api/Order/searchById", { accountId: ACCOUNT, orderId: buy.data.orderId });
      assert.equal(o.data.order.filledPrice, 25_000.5, "a buy at market pays the ask that was set");
    } finally {
      await sim.close();
    }
  });
});

describe("simulator: POST /sim/price", () => {
  const T0 = Date.parse("2026-11-25T15:00:00Z");
  let sim: Simulator;

  before(async () => {
    sim = await startTestSim({ now: () => T0 });
  });
  after(() => sim.close());

  it("moves a contract to a price on its grid and shows it in /sim/state and in a fill", async () => {
    const r = await restClient(sim).post("/sim/price", { contractId: ES, price: 6812.75 });
    assert.equal(r.status, 200);
    assert.deepEqual(r.data, { contractId: ES, lastPrice: 6812.75, bestBid: 6812.75, bestAsk: 6813 });
    assert.deepEqual(
      (await prices(sim)).find((p) => p.contractId === ES),
      { contractId: ES, lastPrice: 6812.75, bestBid: 6812.75, bestAsk: 6813 },
    );
    const { api } = await login(sim);
    const placed = await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: ES,
      type: 2,
      side: 1,
      size: 1,
    });
    const o = await api.post("/api/Order/searchById", { accountId: ACCOUNT, orderId: placed.data.orderId });
    assert.equal(o.data.order.filledPrice, 6812.75, "a sell at market gets the bid");
  });

  it("refuses a price off the tick grid with 400 and a reason naming the tick", async () => {
    const r = await restClient(sim).post("/sim/price", { contractId: ES, price: 6812.3 });
    assert.equal(r.status, 400);
    assert.match(r.data.error, /tick/);
    assert.match(r.data.error, /0\.25/);
    const cl = await restClient(sim).post("/sim/price", { contractId: "CON.F.US.CLE.F27", price: 62.005 });
    assert.equal(cl.status, 400);
    assert.match(cl.data.error, /0\.01/);
    // Decimal prices that binary floats cannot hold exactly are still on the grid.
    for (const [contractId, price] of [
      ["CON.F.US.CLE.F27", 62.07],
      ["CON.F.US.EU6.Z26", 1.16005],
      ["CON.F.US.USA.Z26", 115.09375],
    ] as const) {
      const ok = await restClient(sim).post("/sim/price", { contractId, price });
      assert.equal(ok.status, 200, `${contractId} ${price}: ${JSON.stringify(ok.data)}`);
      assert.equal(ok.data.lastPrice, price);
    }
    const badBid = await restClient(sim).post("/sim/price", {
      contractId: ES,
      price: 6812.5,
      bid: 6812.1,
      ask: 6812.75,
    });
    assert.equal(badBid.status, 400);
    assert.match(badBid.data.error, /bid/);
  });

  it("accepts a product symbol like MNQ for its front month", async () => {
    const r = await restClient(sim).post("/sim/price", { contractId: "MNQ", price: 25_000.5 });
    assert.equal(r.status, 200);
    assert.equal(r.data.contractId, MNQ);
    assert.equal(r.data.lastPrice, 25_000.5);
    const lower = await restClient(sim).post("/sim/price", { contractId: "cl", price: 61.5 });
    assert.equal(lower.data.contractId, "CON.F.US.CLE.F27");
    const unknown = await restClient(sim).post("/sim/price", { contractId: "XYZ", price: 10 });
    assert.equal(unknown.status, 400);
    assert.match(unknown.data.error, /XYZ/);
  });

  it("sets an explicit bid and ask, and refuses bid >= ask or only one side", async () => {
    const r = await restClient(sim).post("/sim/price", { contractId: ES, price: 6800, bid: 6799.75, ask: 6800.5 });
    assert.equal(r.status, 200);
    assert.deepEqual(r.data, { contractId: ES, lastPrice: 6800, bestBid: 6799.75, bestAsk: 6800.5 });
    for (const [bid, ask] of [
      [6800.5, 6800],
      [6800, 6800],
    ]) {
      const bad = await restClient(sim).post("/sim/price", { contractId: ES, price: 6800, bid, ask });
      assert.equal(bad.status, 400, `bid ${bid} ask ${ask}`);
      assert.match(bad.data.error, /bid must be below ask/);
    }
    const one = await restClient(sim).post("/sim/price", { contractId: ES, price: 6800, bid: 6799.75 });
    assert.equal(one.status, 400);
    // Nothing changed after the refusals.
    assert.deepEqual(
      (await prices(sim)).find((p) => p.contractId === ES),
      { contractId: ES, lastPrice: 6800, bestBid: 6799.75, bestAsk: 6800.5 },
    );
    assert.equal((await restClient(sim).post("/sim/price", { contractId: ES, price: -5 })).status, 400);
    assert.equal(
      (await restClient(sim).post("/sim/price", "{not json", { headers: { "content-type": "application/json" } }))
        .status,
      400,
    );
  });
});
