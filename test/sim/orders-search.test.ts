import { strict as assert } from "node:assert";
import type { AxiosInstance } from "axios";
import type { Simulator } from "../../src/sim";
import { ACCOUNT, frontMonth, login, SECOND_ACCOUNT, setPrice, startTestSim } from "../support/sim";
import {
  BUY,
  call,
  type OrderAnswer,
  type OrderList,
  placeOk,
  resetSim,
  S,
  SELL,
  T,
  type TradeList,
  type WireOrder,
  type WireTrade,
} from "../support/trading";

/** Order/search, Order/searchById, Order/v2/query and Trade/search, with a clock the test moves. */
describe("simulator: order and trade queries", () => {
  let sim: Simulator;
  let api: AxiosInstance;
  let mnq: string;
  let mes: string;
  const t0 = Date.parse("2026-11-25T15:00:00Z");
  let clock = t0;
  const iso = (ms: number) => new Date(ms).toISOString();

  before(async () => {
    sim = await startTestSim({ now: () => clock, rateLimits: { enabled: false } });
    ({ api } = await login(sim));
    mnq = (await frontMonth(api, "MNQ")).id;
    mes = (await frontMonth(api, "MES")).id;
  });
  after(() => sim.close());
  beforeEach(async () => {
    clock = t0;
    await resetSim(sim);
    await setPrice(sim, mnq, 25000);
    await setPrice(sim, mes, 6800);
  });

  const ids = (orders: WireOrder[]) => orders.map((o) => o.id);

  describe("Order/search", () => {
    it("returns the orders created inside the time window", async () => {
      const a = await placeOk(api, {
        accountId: ACCOUNT,
        contractId: mnq,
        type: T.Limit,
        side: BUY,
        size: 1,
        limitPrice: 24990,
      });
      clock = t0 + 60_000;
      const b = await placeOk(api, { accountId: ACCOUNT, contractId: mnq, type: T.Market, side: BUY, size: 1 });
      clock = t0 + 120_000;

      const all = await call<OrderList>(api, "/api/Order/search", {
        accountId: ACCOUNT,
        startTimestamp: iso(t0 - 1000),
      });
      assert.deepEqual([all.success, all.errorCode], [true, 0]);
      assert.deepEqual(ids(all.orders), [a, b]);
      const later = await call<OrderList>(api, "/api/Order/search", {
        accountId: ACCOUNT,
        startTimestamp: iso(t0 + 30_000),
      });
      assert.deepEqual(ids(later.orders), [b]);
      const earlier = await call<OrderList>(api, "/api/Order/search", {
        accountId: ACCOUNT,
        startTimestamp: iso(t0 - 1000),
        endTimestamp: iso(t0 + 30_000),
      });
      assert.deepEqual(ids(earlier.orders), [a]);
      const none = await call<OrderList>(api, "/api/Order/search", {
        accountId: ACCOUNT,
        startTimestamp: iso(t0 + 90_000),
      });
      assert.deepEqual(none.orders, []);
    });

    it("reads an order back in the gateway's OrderModel shape", async () => {
      const id = await placeOk(api, {
        accountId: ACCOUNT,
        contractId: mnq,
        type: T.Limit,
        side: SELL,
        size: 2,
        limitPrice: 25010,
        customTag: "tp-1",
      });
      const r = await call<OrderList>(api, "/api/Order/search", { accountId: ACCOUNT, startTimestamp: iso(t0) });
      assert.deepEqual(r.orders, [
        {
          id,
          accountId: ACCOUNT,
          contractId: mnq,
          symbolId: "F.US.MNQ",
          creationTimestamp: "2026-11-25T15:00:00+00:00",
          updateTimestamp: "2026-11-25T15:00:00+00:00",
          status: S.Open,
          type: T.Limit,
          side: SELL,
          size: 2,
          limitPrice: 25010,
          stopPrice: null,
          fillVolume: 0,
          filledPrice: null,
          customTag: "tp-1",
          trailDistance: null,
          trailPrice: null,
          parentOrderId: null,
          linkedOrderId: null,
        },
      ]);
    });

    it("keeps each account's orders apart", async () => {
      await placeOk(api, { accountId: ACCOUNT, contractId: mnq, type: T.Limit, side: BUY, size: 1, limitPrice: 24990 });
      const r = await call<OrderList>(api, "/api/Order/search", {
        accountId: SECOND_ACCOUNT,
        startTimestamp: iso(t0 - 1000),
      });
      assert.deepEqual(r.orders, []);
    });
  });

  describe("Order/searchById", () => {
    it("finds an order of the account, and answers errorCode 1 for another account or an unknown id", async () => {
      const id = await placeOk(api, { accountId: ACCOUNT, contractId: mnq, type: T.Market, side: BUY, size: 1 });
      const r = await call<OrderAnswer>(api, "/api/Order/searchById", { accountId: ACCOUNT, orderId: id });
      assert.deepEqual([r.success, r.order?.id, r.order?.status, r.order?.filledPrice], [true, id, S.Filled, 25000.25]);
      assert.deepEqual(await call(api, "/api/Order/searchById", { accountId: SECOND_ACCOUNT, orderId: id }), {
        order: null,
        success: false,
        errorCode: 1,
        errorMessage: "Order not found.",
      });
      const unknown = await call(api, "/api/Order/searchById", { accountId: ACCOUNT, orderId: id + 1000 });
      assert.deepEqual([unknown.success, unknown.errorCode, unknown.order], [false, 1, null]);
    });
  });

  describe("Order/v2/query", () => {
    /** A working MNQ limit, a filled MNQ market order, a cancelled MNQ limit and a working MES limit. */
    async function fourOrders() {
      const open = await placeOk(api, {
        accountId: ACCOUNT,
        contractId: mnq,
        type: T.Limit,
        side: BUY,
        size: 1,
        limitPrice: 24990,
      });
      clock += 1000;
      const filled = await placeOk(api, { accountId: ACCOUNT, contractId: mnq, type: T.Market, side: BUY, size: 1 });
      clock += 1000;
      const cancelled = await placeOk(api, {
        accountId: ACCOUNT,
        contractId: mnq,
        type: T.Limit,
        side: BUY,
        size: 1,
        limitPrice: 24980,
      });
      assert.equal((await call(api, "/api/Order/cancel", { accountId: ACCOUNT, orderId: cancelled })).success, true);
      // Created with the clock turned back: the newest id is the oldest order, so the two sort keys differ.
      clock = t0 - 60_000;
      const mesOpen = await placeOk(api, {
        accountId: ACCOUNT,
        contractId: mes,
        type: T.Limit,
        side: SELL,
        size: 1,
        limitPrice: 6810,
      });
      clock = t0 + 10_000;
      return { open, filled, cancelled, mesOpen };
    }
    const query = (body: object) => call<OrderList>(api, "/api/Order/v2/query", body);

    it("filters by status", async () => {
      const o = await fourOrders();
      assert.deepEqual(ids((await query({ filter: { accountId: ACCOUNT, statuses: [S.Open] }, sortBy: 1 })).orders), [
        o.open,
        o.mesOpen,
      ]);
      assert.deepEqual(ids((await query({ filter: { accountId: ACCOUNT, statuses: [S.Filled] } })).orders), [o.filled]);
      assert.deepEqual(ids((await query({ filter: { accountId: ACCOUNT, statuses: [S.Cancelled] } })).orders), [
        o.cancelled,
      ]);
      assert.deepEqual(
        ids((await query({ filter: { accountId: ACCOUNT, statuses: [S.Filled, S.Cancelled] }, sortBy: 1 })).orders),
        [o.filled, o.cancelled],
      );
      assert.deepEqual((await query({ filter: { accountId: ACCOUNT, statuses: [S.Rejected] } })).orders, []);
    });

    it("filters by contract and by creation time", async () => {
      const o = await fourOrders();
      assert.deepEqual(ids((await query({ filter: { accountId: ACCOUNT, contractId: mes } })).orders), [o.mesOpen]);
      assert.deepEqual(
        ids((await query({ filter: { accountId: ACCOUNT, contractId: mnq, statuses: [S.Open] } })).orders),
        [o.open],
      );
      const after = await query({ filter: { accountId: ACCOUNT, createdAfter: iso(t0 + 500) }, sortBy: 1 });
      assert.deepEqual(ids(after.orders), [o.filled, o.cancelled]);
      const before = await query({ filter: { accountId: ACCOUNT, createdBefore: iso(t0 - 1) } });
      assert.deepEqual(ids(before.orders), [o.mesOpen]);
    });

    it("sorts by creation time or by id, ascending or descending", async () => {
      const o = await fourOrders();
      const byTime = await query({ filter: { accountId: ACCOUNT }, sortBy: 0, sortDirection: 0 });
      assert.deepEqual(ids(byTime.orders), [o.mesOpen, o.open, o.filled, o.cancelled]);
      const byTimeDesc = await query({ filter: { accountId: ACCOUNT }, sortBy: 0, sortDirection: 1 });
      assert.deepEqual(ids(byTimeDesc.orders), [o.cancelled, o.filled, o.open, o.mesOpen]);
      const byId = await query({ filter: { accountId: ACCOUNT }, sortBy: 1, sortDirection: 0 });
      assert.deepEqual(ids(byId.orders), [o.open, o.filled, o.cancelled, o.mesOpen]);
      const byIdDesc = await query({ filter: { accountId: ACCOUNT }, sortBy: 1, sortDirection: 1 });
      assert.deepEqual(ids(byIdDesc.orders), [o.mesOpen, o.cancelled, o.filled, o.open]);
    });

    it("pages with pageSize and pageOffset and reports totalCount only when asked", async () => {
      const o = await fourOrders();
      const p1 = await query({
        filter: { accountId: ACCOUNT },
        sortBy: 1,
        pageSize: 3,
        pageOffset: 0,
        includeTotalCount: true,
      });
      assert.deepEqual([ids(p1.orders), p1.totalCount], [[o.open, o.filled, o.cancelled], 4]);
      const p2 = await query({
        filter: { accountId: ACCOUNT },
        sortBy: 1,
        pageSize: 3,
        pageOffset: 3,
        includeTotalCount: true,
      });
      assert.deepEqual([ids(p2.orders), p2.totalCount], [[o.mesOpen], 4]);
      const past = await query({
        filter: { accountId: ACCOUNT },
        sortBy: 1,
        pageSize: 3,
        pageOffset: 4,
        includeTotalCount: true,
      });
      assert.deepEqual([past.orders, past.totalCount], [[], 4]);
      const filtered = await query({
        filter: { accountId: ACCOUNT, statuses: [S.Open] },
        pageSize: 1,
        includeTotalCount: true,
      });
      assert.deepEqual([filtered.orders.length, filtered.totalCount], [1, 2]);
      const uncounted = await query({ filter: { accountId: ACCOUNT } });
      assert.deepEqual([uncounted.success, uncounted.orders.length, uncounted.totalCount], [true, 4, null]);
    });

    it("answers HTTP 400 when the filter is missing", async () => {
      const r = await api.post("/api/Order/v2/query", { pageSize: 10 });
      assert.equal(r.status, 400);
    });
  });

  describe("Trade/search", () => {
    it("returns one half-turn per fill inside the time window", async () => {
      const buy = await placeOk(api, { accountId: ACCOUNT, contractId: mnq, type: T.Market, side: BUY, size: 2 });
      clock = t0 + 60_000;
      await setPrice(sim, mnq, 25010);
      const sell = await placeOk(api, { accountId: ACCOUNT, contractId: mnq, type: T.Market, side: SELL, size: 2 });

      const all = await call<TradeList>(api, "/api/Trade/search", {
        accountId: ACCOUNT,
        startTimestamp: iso(t0 - 1000),
      });
      const trades = all.trades as WireTrade[];
      assert.equal(trades.length, 2);
      assert.deepEqual(
        { ...trades[0]!, id: 0 },
        {
          id: 0,
          accountId: ACCOUNT,
          contractId: mnq,
          creationTimestamp: "2026-11-25T15:00:00+00:00",
          price: 25000.25,
          profitAndLoss: null,
          fees: 0.74,
          commissions: 0.5,
          side: BUY,
          size: 2,
          voided: false,
          orderId: buy,
        },
      );
      assert.deepEqual(
        [trades[1]!.orderId, trades[1]!.price, trades[1]!.profitAndLoss, trades[1]!.fees, trades[1]!.side],
        [sell, 25010, 39, 0.74, SELL],
      );
      assert.notEqual(trades[0]!.id, trades[1]!.id);

      const later = await call<TradeList>(api, "/api/Trade/search", {
        accountId: ACCOUNT,
        startTimestamp: iso(t0 + 30_000),
      });
      assert.deepEqual(
        later.trades.map((t: WireTrade) => t.orderId),
        [sell],
      );
      const earlier = await call<TradeList>(api, "/api/Trade/search", {
        accountId: ACCOUNT,
        startTimestamp: iso(t0 - 1000),
        endTimestamp: iso(t0 + 30_000),
      });
      assert.deepEqual(
        earlier.trades.map((t: WireTrade) => t.orderId),
        [buy],
      );
      const other = await call<TradeList>(api, "/api/Trade/search", {
        accountId: SECOND_ACCOUNT,
        startTimestamp: iso(t0 - 1000),
      });
      assert.deepEqual(other.trades, []);
    });
  });

  describe("unknown accounts", () => {
    const cases: [string, object][] = [
      ["Order/search", { accountId: 99999, startTimestamp: "2026-11-25T00:00:00Z" }],
      ["Order/searchOpen", { accountId: 99999 }],
      ["Order/v2/query", { filter: { accountId: 99999 } }],
      ["Trade/search", { accountId: 99999, startTimestamp: "2026-11-25T00:00:00Z" }],
      ["Position/searchOpen", { accountId: 99999 }],
    ];
    for (const [path, body] of cases) {
      it(`${path} answers errorCode 1 (AccountNotFound)`, async () => {
        const r = await call(api, `/api/${path}`, body);
        assert.deepEqual([r.success, r.errorCode], [false, 1]);
      });
    }
  });
});
