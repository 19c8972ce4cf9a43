import { strict as assert } from "node:assert";
import type { AxiosInstance } from "axios";
import type { Simulator } from "../../src/sim";
import { ACCOUNT, frontMonth, hubConnection, login, record, setPrice, startTestSim, until } from "../support/sim";
import {
  BUY,
  call,
  getOrder,
  openOrders,
  openPositions,
  patchAccount,
  placeOk,
  resetSim,
  S,
  SELL,
  T,
  tradesOf,
} from "../support/trading";

interface Dom {
  type: number;
  price: number;
  volume: number;
}

/**
 * Depth-limited fills, driven over REST and the official SignalR client with the market frozen:
 * a market order walks the levels the market hub shows, a resting limit fills part by part.
 */
describe("simulator: depth, slippage and partial fills", () => {
  let sim: Simulator;
  let api: AxiosInstance;
  let token: string;
  let mnq: string;
  const clock = Date.parse("2026-11-25T15:00:00Z");

  before(async () => {
    sim = await startTestSim({ now: () => clock, rateLimits: { enabled: false }, market: { touchFill: 3 } });
    ({ api, token } = await login(sim));
    mnq = (await frontMonth(api, "MNQ")).id;
  });
  after(() => sim.close());
  beforeEach(async () => {
    await resetSim(sim);
    await setPrice(sim, mnq, 25000);
  });

  it("fills a 30-lot MNQ market order at several prices, level by level as the depth feed shows them", async () => {
    const conn = hubConnection(sim, "market", token);
    const got = record(conn, ["GatewayDepth"]);
    await conn.start();
    try {
      await conn.invoke("SubscribeContractMarketDepth", mnq);
      const snap = (await until(() => got.GatewayDepth![0], "the depth snapshot"))[1] as Dom[];
      const asks = snap.filter((e) => e.type === 1 || e.type === 3).sort((a, b) => a.price - b.price);
      assert.ok(asks[0]!.volume >= 5 && asks[0]!.volume <= 30, `MNQ's best ask holds ${asks[0]!.volume}`);
      assert.ok(asks[0]!.volume < 30, "the test needs a best level smaller than the order");

      const id = await placeOk(api, { accountId: ACCOUNT, contractId: mnq, type: T.Market, side: BUY, size: 30 });
      // What the book showed decides the fills: each level in turn, up to what it holds.
      const expected: Array<[number, number]> = [];
      let left = 30;
      for (const a of asks) {
        if (left === 0) break;
        const n = Math.min(left, a.volume);
        expected.push([a.price, n]);
        left -= n;
      }
      const trades = (await tradesOf(api, ACCOUNT)).filter((t) => t.orderId === id);
      assert.deepEqual(
        trades.map((t) => [t.price, t.size]),
        expected,
      );
      assert.ok(trades.length >= 2, "several prices");

      const o = await getOrder(api, ACCOUNT, id);
      const average = expected.reduce((s, [p, n]) => s + p * n, 0) / 30;
      assert.deepEqual([o.status, o.fillVolume, o.size], [S.Filled, 30, 30]);
      assert.ok(Math.abs(o.filledPrice! - average) < 1e-6, `filledPrice ${o.filledPrice} is the average ${average}`);
      const [pos] = await openPositions(api, ACCOUNT);
      assert.deepEqual([pos!.size, Math.abs(pos!.averagePrice - average) < 1e-6], [30, true]);

      // The book shows the liquidity gone until the quote moves.
      const after = (await until(() => got.GatewayDepth![1], "depth after the fill"))[1] as Dom[];
      const best = after.find((e) => e.type === 3)!;
      assert.equal(best.volume, 0, "the best ask was taken");
    } finally {
      await conn.stop();
    }
  });

  it("closes a multi-level position through the book, flat at the end", async () => {
    await placeOk(api, { accountId: ACCOUNT, contractId: mnq, type: T.Market, side: BUY, size: 30 });
    await setPrice(sim, mnq, 25010);
    const r = await call(api, "/api/Position/closeContract", { accountId: ACCOUNT, contractId: mnq });
    assert.equal(r.success, true);
    assert.deepEqual(await openPositions(api, ACCOUNT), []);
    const sells = (await tradesOf(api, ACCOUNT)).filter((t) => t.side === SELL);
    assert.ok(sells.length >= 2, `the close sold at several prices: ${sells.map((t) => t.price)}`);
    assert.equal(
      sells.reduce((s, t) => s + t.size, 0),
      30,
    );
    assert.ok(sells.every((t) => t.price <= 25010));
  });

  it("fills a resting limit part by part while the market prints at its price, Open until done", async () => {
    const id = await placeOk(api, {
      accountId: ACCOUNT,
      contractId: mnq,
      type: T.Limit,
      side: BUY,
      size: 5,
      limitPrice: 24999.75,
    });
    await setPrice(sim, mnq, 24999.5); // ask 24999.75: the market trades at the limit
    let o = await getOrder(api, ACCOUNT, id);
    assert.deepEqual([o.status, o.fillVolume, o.filledPrice], [S.Open, 3, 24999.75]);
    assert.deepEqual(
      (await openOrders(api, ACCOUNT)).map((x) => [x.id, x.fillVolume]),
      [[id, 3]],
    );
    assert.equal((await openPositions(api, ACCOUNT))[0]!.size, 3);
    const shrink = await call(api, "/api/Order/modify", { accountId: ACCOUNT, orderId: id, size: 3 });
    assert.deepEqual([shrink.success, shrink.errorMessage], [false, "Invalid order size."], "3 of 5 filled already");

    await setPrice(sim, mnq, 24999.5);
    o = await getOrder(api, ACCOUNT, id);
    assert.deepEqual([o.status, o.fillVolume], [S.Filled, 5]);
    const trades = (await tradesOf(api, ACCOUNT)).filter((t) => t.orderId === id);
    assert.deepEqual(
      trades.map((t) => t.size),
      [3, 2],
    );
  });

  it("fills the rest at once when the market trades through the limit", async () => {
    const id = await placeOk(api, {
      accountId: ACCOUNT,
      contractId: mnq,
      type: T.Limit,
      side: SELL,
      size: 8,
      limitPrice: 25001,
    });
    await setPrice(sim, mnq, 25001); // bid 25001: at the limit
    assert.equal((await getOrder(api, ACCOUNT, id)).fillVolume, 3);
    await setPrice(sim, mnq, 25002); // through it
    const o = await getOrder(api, ACCOUNT, id);
    assert.deepEqual([o.status, o.fillVolume, o.filledPrice], [S.Filled, 8, 25001]);
  });

  it("puts Auto OCO legs on the filled part of a bracketed limit and grows them with it", async () => {
    await patchAccount(sim, { accountId: ACCOUNT, autoOcoBrackets: true });
    const id = await placeOk(api, {
      accountId: ACCOUNT,
      contractId: mnq,
      type: T.Limit,
      side: BUY,
      size: 5,
      limitPrice: 24999.75,
      stopLossBracket: { ticks: -20, type: T.Stop },
      takeProfitBracket: { ticks: 40, type: T.Limit },
    });
    const legs = async () =>
      (await openOrders(api, ACCOUNT))
        .filter((o) => o.id !== id)
        .map((o) => [o.type, o.size])
        .sort();
    await setPrice(sim, mnq, 24999.5);
    assert.deepEqual(await legs(), [
      [T.Limit, 3],
      [T.Stop, 3],
    ]);
    // Cancelling the entry's rest leaves the filled 3 protected.
    assert.equal((await call(api, "/api/Order/cancel", { accountId: ACCOUNT, orderId: id })).success, true);
    assert.deepEqual(await legs(), [
      [T.Limit, 3],
      [T.Stop, 3],
    ]);
  });

  it("grows the legs as the bracketed entry fills", async () => {
    await patchAccount(sim, { accountId: ACCOUNT, autoOcoBrackets: true });
    await placeOk(api, {
      accountId: ACCOUNT,
      contractId: mnq,
      type: T.Limit,
      side: BUY,
      size: 5,
      limitPrice: 24999.75,
      stopLossBracket: { ticks: -20, type: T.Stop },
      takeProfitBracket: { ticks: 40, type: T.Limit },
    });
    await setPrice(sim, mnq, 24999.5);
    await setPrice(sim, mnq, 24999.5);
    const open = await openOrders(api, ACCOUNT);
    assert.deepEqual(open.map((o) => [o.type, o.size, o.limitPrice ?? o.stopPrice]).sort(), [
      [T.Limit, 5, 25009.75],
      [T.Stop, 5, 24994.75],
    ]);
  });

  it("fills everything at the touch in one trade when partialFills is off", async () => {
    const plain = await startTestSim({ now: () => clock, market: { partialFills: false } });
    try {
      const { api: a } = await login(plain);
      await setPrice(plain, mnq, 25000);
      const id = await placeOk(a, { accountId: ACCOUNT, contractId: mnq, type: T.Market, side: BUY, size: 30 });
      const trades = await tradesOf(a, ACCOUNT);
      assert.deepEqual(
        trades.map((t) => [t.orderId, t.price, t.size]),
        [[id, 25000.25, 30]],
      );
    } finally {
      await plain.close();
    }
  });

  it("sizes the book per product and from market.depthSize", async () => {
    const thick = await startTestSim({ now: () => clock, market: { depthSize: { MNQ: 200 } } });
    try {
      const { api: a } = await login(thick);
      await setPrice(thick, mnq, 25000);
      await placeOk(a, { accountId: ACCOUNT, contractId: mnq, type: T.Market, side: BUY, size: 30 });
      assert.equal((await tradesOf(a, ACCOUNT)).length, 1, "200 on average at the touch: one level is enough");
    } finally {
      await thick.close();
    }
    await assert.rejects(
      async () => startTestSim({ market: { depthSize: { XYZ: 5 } } }),
      /market\.depthSize\.XYZ: no product XYZ/,
    );
  });
});
