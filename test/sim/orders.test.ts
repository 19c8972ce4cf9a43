import { strict as assert } from "node:assert";
import type { AxiosInstance } from "axios";
import type { Simulator } from "../../src/sim";
import {
  ACCOUNT,
  frontMonth,
  hubConnection,
  login,
  SECOND_ACCOUNT,
  setPrice,
  startTestSim,
  until,
} from "../support/sim";
import {
  BUY,
  call,
  getOrder,
  openOrders,
  openPositions,
  type PlaceBody,
  patchAccount,
  place,
  placeOk,
  resetSim,
  S,
  SELL,
  T,
  tradesOf,
} from "../support/trading";

/**
 * Order/place, cancel and modify against the matching engine, driven over REST with the market
 * frozen: prices move only through POST /sim/price. With a bare `price`, bid = price and
 * ask = price + one tick (MNQ: 0.25 points, $0.50).
 */
describe("simulator: order types and matching", () => {
  let sim: Simulator;
  let api: AxiosInstance;
  let token: string;
  let mnq: string;
  const clock = Date.parse("2026-11-25T15:00:00Z");

  before(async () => {
    sim = await startTestSim({ now: () => clock, rateLimits: { enabled: false } });
    ({ api, token } = await login(sim));
    mnq = (await frontMonth(api, "MNQ")).id;
  });
  after(() => sim.close());
  beforeEach(async () => {
    await resetSim(sim);
    await setPrice(sim, mnq, 25000);
  });

  const order = (o: Partial<PlaceBody> & Pick<PlaceBody, "type" | "side">): PlaceBody => ({
    accountId: ACCOUNT,
    contractId: mnq,
    size: 1,
    ...o,
  });

  describe("market orders", () => {
    it("buys at the ask and sells at the bid, in full", async () => {
      const buy = await placeOk(api, order({ type: T.Market, side: BUY, size: 2 }));
      const b = await getOrder(api, ACCOUNT, buy);
      assert.deepEqual([b.status, b.filledPrice, b.fillVolume, b.size], [S.Filled, 25000.25, 2, 2]);

      const sell = await placeOk(api, order({ type: T.Market, side: SELL, size: 2 }));
      const s = await getOrder(api, ACCOUNT, sell);
      assert.deepEqual([s.status, s.filledPrice, s.fillVolume], [S.Filled, 25000, 2]);

      const trades = await tradesOf(api, ACCOUNT);
      assert.deepEqual(
        trades.map((t) => [t.orderId, t.side, t.size, t.price]),
        [
          [buy, BUY, 2, 25000.25],
          [sell, SELL, 2, 25000],
        ],
      );
    });

    it("fills at an explicit bid and ask, not at the last price", async () => {
      await setPrice(sim, mnq, 25000, { bid: 24998, ask: 25003 });
      const buy = await placeOk(api, order({ type: T.Market, side: BUY }));
      const sell = await placeOk(api, order({ type: T.Market, side: SELL }));
      assert.equal((await getOrder(api, ACCOUNT, buy)).filledPrice, 25003);
      assert.equal((await getOrder(api, ACCOUNT, sell)).filledPrice, 24998);
    });

    it("goes 6 Pending, then 2 Filled on the user hub", async () => {
      const conn = hubConnection(sim, "user", token);
      const statuses = new Map<number, number[]>();
      conn.on("GatewayUserOrder", (ev: { data: { id: number; status: number } }) => {
        statuses.set(ev.data.id, [...(statuses.get(ev.data.id) ?? []), ev.data.status]);
      });
      await conn.start();
      try {
        await conn.invoke("SubscribeOrders", ACCOUNT);
        const id = await placeOk(api, order({ type: T.Market, side: BUY }));
        await until(() => statuses.get(id)?.includes(S.Filled), "the Filled order event");
        assert.deepEqual(statuses.get(id), [S.Pending, S.Filled]);
      } finally {
        await conn.stop();
      }
    });
  });

  describe("limit orders", () => {
    it("rests a buy limit below the ask and fills it at its limit when the ask comes down to it", async () => {
      const id = await placeOk(api, order({ type: T.Limit, side: BUY, limitPrice: 24990 }));
      let o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.limitPrice, o.fillVolume, o.filledPrice], [S.Open, 24990, 0, null]);
      assert.deepEqual(
        (await openOrders(api, ACCOUNT)).map((x) => x.id),
        [id],
      );

      await setPrice(sim, mnq, 24990); // ask 24990.25: one tick above the limit
      assert.equal((await getOrder(api, ACCOUNT, id)).status, S.Open);
      assert.deepEqual(await tradesOf(api, ACCOUNT), []);

      await setPrice(sim, mnq, 24989.75); // ask 24990.00
      o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.filledPrice, o.fillVolume], [S.Filled, 24990, 1]);
      assert.deepEqual(await openOrders(api, ACCOUNT), []);
      const [p] = await openPositions(api, ACCOUNT);
      assert.deepEqual([p!.type, p!.size, p!.averagePrice], [1, 1, 24990]);
    });

    it("fills a resting buy limit at its limit even when the market gaps through it", async () => {
      const id = await placeOk(api, order({ type: T.Limit, side: BUY, limitPrice: 24990 }));
      await setPrice(sim, mnq, 24950);
      assert.equal((await getOrder(api, ACCOUNT, id)).filledPrice, 24990);
    });

    it("rests a sell limit above the bid and fills it at its limit when the bid rises to it", async () => {
      const id = await placeOk(api, order({ type: T.Limit, side: SELL, limitPrice: 25010 }));
      await setPrice(sim, mnq, 25009.75);
      assert.equal((await getOrder(api, ACCOUNT, id)).status, S.Open);
      await setPrice(sim, mnq, 25010);
      const o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.filledPrice], [S.Filled, 25010]);
    });

    it("fills a limit that is marketable on arrival at once, at the better market price", async () => {
      const buy = await placeOk(api, order({ type: T.Limit, side: BUY, limitPrice: 25010 }));
      const b = await getOrder(api, ACCOUNT, buy);
      assert.deepEqual([b.status, b.filledPrice, b.limitPrice], [S.Filled, 25000.25, 25010]);
      const sell = await placeOk(api, order({ type: T.Limit, side: SELL, limitPrice: 24990 }));
      const s = await getOrder(api, ACCOUNT, sell);
      assert.deepEqual([s.status, s.filledPrice], [S.Filled, 25000]);
    });

    it("fills a buy limit placed exactly at the ask on arrival", async () => {
      const id = await placeOk(api, order({ type: T.Limit, side: BUY, limitPrice: 25000.25 }));
      const o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.filledPrice], [S.Filled, 25000.25]);
    });
  });

  describe("stop orders", () => {
    it("triggers a buy stop when the last trade reaches the stop and fills it at the ask", async () => {
      const id = await placeOk(api, order({ type: T.Stop, side: BUY, stopPrice: 25010 }));
      let o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.stopPrice, o.limitPrice], [S.Open, 25010, null]);
      await setPrice(sim, mnq, 25009.75, { bid: 25009.75, ask: 25010 }); // the ask touches the stop, the last does not
      assert.equal((await getOrder(api, ACCOUNT, id)).status, S.Open);
      await setPrice(sim, mnq, 25010);
      o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.filledPrice], [S.Filled, 25010.25]);
    });

    it("fills a triggered stop at the market with slippage past the stop", async () => {
      const id = await placeOk(api, order({ type: T.Stop, side: BUY, stopPrice: 25010 }));
      await setPrice(sim, mnq, 25012, { bid: 25011, ask: 25013.5 });
      assert.equal((await getOrder(api, ACCOUNT, id)).filledPrice, 25013.5);
    });

    it("triggers a sell stop when the last trade falls to the stop and fills it at the bid", async () => {
      const id = await placeOk(api, order({ type: T.Stop, side: SELL, stopPrice: 24990 }));
      await setPrice(sim, mnq, 24990.25);
      assert.equal((await getOrder(api, ACCOUNT, id)).status, S.Open);
      await setPrice(sim, mnq, 24989, { bid: 24988.5, ask: 24989.5 });
      const o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.filledPrice], [S.Filled, 24988.5]);
    });
  });

  describe("stop-limit orders (type 3)", () => {
    it("does not fill before the stop triggers, even when the ask is under the limit", async () => {
      const id = await placeOk(api, order({ type: T.StopLimit, side: BUY, stopPrice: 25010, limitPrice: 25012 }));
      const o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.stopPrice, o.limitPrice], [S.Open, 25010, 25012]);
      await setPrice(sim, mnq, 25005);
      assert.equal((await getOrder(api, ACCOUNT, id)).status, S.Open);
    });

    it("fills on the trigger at the ask when the ask is within the limit", async () => {
      const id = await placeOk(api, order({ type: T.StopLimit, side: BUY, stopPrice: 25010, limitPrice: 25012 }));
      await setPrice(sim, mnq, 25010);
      const o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.filledPrice], [S.Filled, 25010.25]);
    });

    it("rests as a limit once triggered above the limit, then fills at the limit after the stop is undone", async () => {
      const id = await placeOk(api, order({ type: T.StopLimit, side: BUY, stopPrice: 25010, limitPrice: 25012 }));
      await setPrice(sim, mnq, 25015); // triggers; ask 25015.25 is above the limit
      assert.equal((await getOrder(api, ACCOUNT, id)).status, S.Open);
      await setPrice(sim, mnq, 25005); // below the stop again, but the order is now a resting limit
      const o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.filledPrice], [S.Filled, 25012]);
    });

    it("triggers a sell stop-limit on the way down", async () => {
      const id = await placeOk(api, order({ type: T.StopLimit, side: SELL, stopPrice: 24990, limitPrice: 24988 }));
      await setPrice(sim, mnq, 24985); // triggers, bid 24985 below the limit: rests
      assert.equal((await getOrder(api, ACCOUNT, id)).status, S.Open);
      await setPrice(sim, mnq, 24988);
      const o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.filledPrice], [S.Filled, 24988]);
    });
  });

  describe("trailing stops (type 5)", () => {
    it("turns an absolute trailPrice into a tick distance and reads it back as distance", async () => {
      const id = await placeOk(api, order({ type: T.TrailingStop, side: SELL, trailPrice: 24995 }));
      const o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.stopPrice, o.trailDistance, o.trailPrice], [S.Open, 24995, 20, 5]);
    });

    it("moves a sell trailing stop up with the best price, never down, and fills at the bid", async () => {
      const id = await placeOk(api, order({ type: T.TrailingStop, side: SELL, trailPrice: 24995 }));
      await setPrice(sim, mnq, 25010);
      let o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.stopPrice, o.trailDistance, o.trailPrice], [S.Open, 25005, 20, 5]);
      await setPrice(sim, mnq, 25006);
      o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.stopPrice], [S.Open, 25005]);
      await setPrice(sim, mnq, 25008);
      assert.equal((await getOrder(api, ACCOUNT, id)).stopPrice, 25005);
      await setPrice(sim, mnq, 25005);
      o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.filledPrice], [S.Filled, 25005]);
    });

    it("moves a buy trailing stop down with the market and fills at the ask", async () => {
      const id = await placeOk(api, order({ type: T.TrailingStop, side: BUY, trailPrice: 25002.5 }));
      let o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.stopPrice, o.trailDistance, o.trailPrice], [25002.5, 10, 2.5]);
      await setPrice(sim, mnq, 24990);
      assert.equal((await getOrder(api, ACCOUNT, id)).stopPrice, 24992.5);
      await setPrice(sim, mnq, 24992.5);
      o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.filledPrice], [S.Filled, 24992.75]);
    });

    it("accepts a distance of 1000 ticks and refuses 1001", async () => {
      const ok = await place(api, order({ type: T.TrailingStop, side: SELL, trailPrice: 24750 }));
      assert.equal(ok.success, true);
      assert.equal((await getOrder(api, ACCOUNT, ok.orderId!)).trailDistance, 1000);
      const far = await place(api, order({ type: T.TrailingStop, side: SELL, trailPrice: 24749.75 }));
      assert.deepEqual(far, {
        orderId: null,
        success: false,
        errorCode: 2,
        errorMessage: "Trail Distance exceeds maximum (1000)",
      });
    });

    it("refuses a trailing stop without trailPrice or off the tick grid", async () => {
      const none = await place(api, order({ type: T.TrailingStop, side: SELL }));
      assert.deepEqual(none, { orderId: null, success: false, errorCode: 2, errorMessage: "Trail Distance not set." });
      const off = await place(api, order({ type: T.TrailingStop, side: SELL, trailPrice: 24995.1 }));
      assert.deepEqual(off, {
        orderId: null,
        success: false,
        errorCode: 2,
        errorMessage: "Invalid trail price. Price is not aligned to tick size.",
      });
    });
  });

  describe("join bid / join ask (types 6 and 7)", () => {
    it("sets the limit price from the current bid or ask and rests there", async () => {
      await setPrice(sim, mnq, 25000, { bid: 24999.5, ask: 25000.5 });
      const jb = await placeOk(api, order({ type: T.JoinBid, side: BUY }));
      const ja = await placeOk(api, order({ type: T.JoinAsk, side: SELL }));
      const b = await getOrder(api, ACCOUNT, jb);
      const a = await getOrder(api, ACCOUNT, ja);
      assert.deepEqual([b.type, b.status, b.limitPrice], [T.JoinBid, S.Open, 24999.5]);
      assert.deepEqual([a.type, a.status, a.limitPrice], [T.JoinAsk, S.Open, 25000.5]);

      await setPrice(sim, mnq, 24999.25); // ask 24999.5 reaches the joined bid
      const bf = await getOrder(api, ACCOUNT, jb);
      assert.deepEqual([bf.status, bf.filledPrice], [S.Filled, 24999.5]);
      assert.equal((await getOrder(api, ACCOUNT, ja)).status, S.Open);
      await setPrice(sim, mnq, 25000.5);
      const af = await getOrder(api, ACCOUNT, ja);
      assert.deepEqual([af.status, af.filledPrice], [S.Filled, 25000.5]);
    });
  });

  describe("validation", () => {
    const cases: [string, Partial<PlaceBody> & Pick<PlaceBody, "type" | "side">, number, string | RegExp][] = [
      ["a limit without limitPrice", { type: T.Limit, side: BUY }, 2, /limit price/i],
      ["a stop without stopPrice", { type: T.Stop, side: BUY }, 2, /stop price/i],
      ["a stop-limit without limitPrice", { type: T.StopLimit, side: BUY, stopPrice: 25010 }, 2, /limit price/i],
      ["a stop-limit without stopPrice", { type: T.StopLimit, side: BUY, limitPrice: 25010 }, 2, /stop price/i],
      [
        "a limit price off the tick grid",
        { type: T.Limit, side: BUY, limitPrice: 24990.1 },
        2,
        "Invalid limit price. Price is not aligned to tick size.",
      ],
      [
        "a stop price off the tick grid",
        { type: T.Stop, side: BUY, stopPrice: 25010.3 },
        2,
        "Invalid stop price. Price is not aligned to tick size.",
      ],
      ["size 0", { type: T.Market, side: BUY, size: 0 }, 2, /size/i],
      ["a negative size", { type: T.Market, side: BUY, size: -1 }, 2, /size/i],
      ["side 2", { type: T.Market, side: 2 }, 2, /side/i],
      ["type 0 (Unknown)", { type: 0, side: BUY }, 2, /type/i],
      ["type 8", { type: 8, side: BUY }, 2, /type/i],
      ["an unknown account", { type: T.Market, side: BUY, accountId: 99999 }, 1, /account/i],
      ["an unknown product", { type: T.Market, side: BUY, contractId: "CON.F.US.NOPE.Z26" }, 8, /contract/i],
      [
        "a month the product does not list",
        { type: T.Market, side: BUY, contractId: "CON.F.US.MNQ.F27" },
        8,
        /contract/i,
      ],
      ["an expired contract", { type: T.Market, side: BUY, contractId: "CON.F.US.MNQ.Z25" }, 9, /not active/i],
    ];
    for (const [what, body, code, message] of cases) {
      it(`refuses ${what} with errorCode ${code} and no order`, async () => {
        const r = await place(api, order(body));
        assert.equal(r.success, false);
        assert.equal(r.errorCode, code);
        assert.equal(r.orderId, null);
        if (typeof message === "string") assert.equal(r.errorMessage, message);
        else assert.match(r.errorMessage ?? "", message);
        const all = await call(api, "/api/Order/v2/query", { filter: { accountId: ACCOUNT }, includeTotalCount: true });
        assert.equal(all.totalCount, 0);
        assert.deepEqual(await tradesOf(api, ACCOUNT), []);
      });
    }

    it("refuses orders on an account that may not trade with errorCode 4", async () => {
      await patchAccount(sim, { accountId: ACCOUNT, canTrade: false });
      const r = await place(api, order({ type: T.Market, side: BUY }));
      assert.deepEqual([r.success, r.errorCode, r.orderId], [false, 4, null]);
      assert.deepEqual(await openPositions(api, ACCOUNT), []);
      await placeOk(api, order({ type: T.Market, side: BUY, accountId: SECOND_ACCOUNT }));
    });

    it("refuses a customTag already used on the account, but not on the other account", async () => {
      const first = await placeOk(api, order({ type: T.Limit, side: BUY, limitPrice: 24990, customTag: "entry-1" }));
      const dup = await place(api, order({ type: T.Limit, side: BUY, limitPrice: 24980, customTag: "entry-1" }));
      assert.equal(dup.success, false);
      assert.equal(dup.errorCode, 2);
      assert.match(dup.errorMessage ?? "", /tag/i);
      assert.deepEqual(
        (await openOrders(api, ACCOUNT)).map((o) => [o.id, o.customTag]),
        [[first, "entry-1"]],
      );

      const other = await placeOk(
        api,
        order({ type: T.Limit, side: BUY, limitPrice: 24980, customTag: "entry-1", accountId: SECOND_ACCOUNT }),
      );
      assert.equal((await getOrder(api, SECOND_ACCOUNT, other)).customTag, "entry-1");
    });

    it("keeps a customTag taken after its order is cancelled or filled", async () => {
      const a = await placeOk(api, order({ type: T.Limit, side: BUY, limitPrice: 24990, customTag: "once" }));
      assert.equal((await call(api, "/api/Order/cancel", { accountId: ACCOUNT, orderId: a })).success, true);
      assert.equal((await place(api, order({ type: T.Market, side: BUY, customTag: "once" }))).errorCode, 2);
      await placeOk(api, order({ type: T.Market, side: BUY, customTag: "filled" }));
      assert.equal((await place(api, order({ type: T.Market, side: SELL, customTag: "filled" }))).errorCode, 2);
      assert.equal((await openPositions(api, ACCOUNT))[0]!.size, 1);
    });
  });

  describe("cancel", () => {
    it("cancels a working order: status 3, gone from searchOpen, and it no longer fills", async () => {
      const id = await placeOk(api, order({ type: T.Limit, side: BUY, limitPrice: 24990 }));
      const r = await call(api, "/api/Order/cancel", { accountId: ACCOUNT, orderId: id });
      assert.deepEqual(r, { success: true, errorCode: 0, errorMessage: null });
      assert.equal((await getOrder(api, ACCOUNT, id)).status, S.Cancelled);
      assert.deepEqual(await openOrders(api, ACCOUNT), []);
      await setPrice(sim, mnq, 24980);
      assert.equal((await getOrder(api, ACCOUNT, id)).status, S.Cancelled);
      assert.deepEqual(await openPositions(api, ACCOUNT), []);
    });

    it("answers 3 for an order that is no longer working (cancelled or filled)", async () => {
      const id = await placeOk(api, order({ type: T.Limit, side: BUY, limitPrice: 24990 }));
      await call(api, "/api/Order/cancel", { accountId: ACCOUNT, orderId: id });
      const again = await call(api, "/api/Order/cancel", { accountId: ACCOUNT, orderId: id });
      assert.deepEqual([again.success, again.errorCode], [false, 3]);
      const filled = await placeOk(api, order({ type: T.Market, side: BUY }));
      const f = await call(api, "/api/Order/cancel", { accountId: ACCOUNT, orderId: filled });
      assert.deepEqual([f.success, f.errorCode], [false, 3]);
      assert.equal((await getOrder(api, ACCOUNT, filled)).status, S.Filled);
    });

    it("answers 2 for an unknown order or another account's order, and 1 for an unknown account", async () => {
      const id = await placeOk(api, order({ type: T.Limit, side: BUY, limitPrice: 24990 }));
      assert.equal((await call(api, "/api/Order/cancel", { accountId: ACCOUNT, orderId: 12345 })).errorCode, 2);
      assert.equal((await call(api, "/api/Order/cancel", { accountId: SECOND_ACCOUNT, orderId: id })).errorCode, 2);
      assert.equal((await call(api, "/api/Order/cancel", { accountId: 99999, orderId: id })).errorCode, 1);
      assert.equal((await getOrder(api, ACCOUNT, id)).status, S.Open);
    });
  });

  describe("modify", () => {
    it("moves a resting limit, which then fills at the new price", async () => {
      const id = await placeOk(api, order({ type: T.Limit, side: BUY, limitPrice: 24990 }));
      const r = await call(api, "/api/Order/modify", { accountId: ACCOUNT, orderId: id, limitPrice: 24995 });
      assert.deepEqual(r, { success: true, errorCode: 0, errorMessage: null });
      const o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.limitPrice], [S.Open, 24995]);
      await setPrice(sim, mnq, 24994.75);
      const f = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([f.status, f.filledPrice], [S.Filled, 24995]);
    });

    it("fills a limit moved through the market at once, at the market price", async () => {
      const id = await placeOk(api, order({ type: T.Limit, side: BUY, limitPrice: 24990 }));
      await call(api, "/api/Order/modify", { accountId: ACCOUNT, orderId: id, limitPrice: 25005 });
      const o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.filledPrice, o.limitPrice], [S.Filled, 25000.25, 25005]);
      const [p] = await openPositions(api, ACCOUNT);
      assert.deepEqual([p!.size, p!.averagePrice], [1, 25000.25]);
    });

    it("changes the size of a working order, and the fill uses the new size", async () => {
      const id = await placeOk(api, order({ type: T.Limit, side: SELL, limitPrice: 25010 }));
      await call(api, "/api/Order/modify", { accountId: ACCOUNT, orderId: id, size: 3 });
      assert.equal((await getOrder(api, ACCOUNT, id)).size, 3);
      await setPrice(sim, mnq, 25010);
      const o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.fillVolume], [S.Filled, 3]);
      const [p] = await openPositions(api, ACCOUNT);
      assert.deepEqual([p!.type, p!.size], [2, 3]);
    });

    it("moves a stop: the old level no longer triggers, the new one does", async () => {
      const id = await placeOk(api, order({ type: T.Stop, side: BUY, stopPrice: 25010 }));
      await call(api, "/api/Order/modify", { accountId: ACCOUNT, orderId: id, stopPrice: 25020 });
      await setPrice(sim, mnq, 25010);
      assert.equal((await getOrder(api, ACCOUNT, id)).status, S.Open);
      await setPrice(sim, mnq, 25020);
      const o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.status, o.filledPrice], [S.Filled, 25020.25]);
    });

    it("re-anchors a trailing stop from a new trailPrice level", async () => {
      const id = await placeOk(api, order({ type: T.TrailingStop, side: SELL, trailPrice: 24995 }));
      await call(api, "/api/Order/modify", { accountId: ACCOUNT, orderId: id, trailPrice: 24990 });
      const o = await getOrder(api, ACCOUNT, id);
      assert.deepEqual([o.stopPrice, o.trailDistance, o.trailPrice], [24990, 40, 10]);
    });

    it("answers 2 for an unknown order, 3 for one no longer working or off the tick grid, 1 for an unknown account", async () => {
      const id = await placeOk(api, order({ type: T.Limit, side: BUY, limitPrice: 24990 }));
      assert.equal(
        (await call(api, "/api/Order/modify", { accountId: ACCOUNT, orderId: 12345, limitPrice: 24985 })).errorCode,
        2,
      );
      assert.equal(
        (await call(api, "/api/Order/modify", { accountId: SECOND_ACCOUNT, orderId: id, limitPrice: 24985 })).errorCode,
        2,
      );
      assert.equal(
        (await call(api, "/api/Order/modify", { accountId: 99999, orderId: id, limitPrice: 24985 })).errorCode,
        1,
      );
      const off = await call(api, "/api/Order/modify", { accountId: ACCOUNT, orderId: id, limitPrice: 24985.1 });
      assert.deepEqual(
        [off.success, off.errorCode, off.errorMessage],
        [false, 3, "Invalid limit price. Price is not aligned to tick size."],
      );
      assert.equal((await getOrder(api, ACCOUNT, id)).limitPrice, 24990);

      const filled = await placeOk(api, order({ type: T.Market, side: BUY }));
      assert.equal(
        (await call(api, "/api/Order/modify", { accountId: ACCOUNT, orderId: filled, size: 2 })).errorCode,
        3,
      );
      await call(api, "/api/Order/cancel", { accountId: ACCOUNT, orderId: id });
      const cancelled = await call(api, "/api/Order/modify", { accountId: ACCOUNT, orderId: id, limitPrice: 24985 });
      assert.deepEqual([cancelled.success, cancelled.errorCode], [false, 3]);
      assert.equal((await getOrder(api, ACCOUNT, id)).limitPrice, 24990);
    });
  });
});
