import { strict as assert } from "node:assert";
import type { AxiosInstance } from "axios";
import type { Simulator } from "../../src/sim";
import { ACCOUNT, frontMonth, login, SECOND_ACCOUNT, setPrice, startTestSim } from "../support/sim";
import {
  BUY,
  balanceOf,
  call,
  getOrder,
  type OrderList,
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
  type WireOrder,
} from "../support/trading";

/**
 * Auto OCO brackets: stopLossBracket / takeProfitBracket in signed ticks from the parent's fill
 * (buy: SL < 0 < TP; sell: the reverse). MNQ: 1 tick = 0.25 points = $0.50, fee $0.37 and commission $0.25 per side.
 */
describe("simulator: bracket orders", () => {
  let sim: Simulator;
  let api: AxiosInstance;
  let mnq: string;

  before(async () => {
    sim = await startTestSim({ now: () => Date.parse("2026-11-25T15:00:00Z"), rateLimits: { enabled: false } });
    ({ api } = await login(sim));
    mnq = (await frontMonth(api, "MNQ")).id;
  });
  after(() => sim.close());
  beforeEach(async () => {
    await resetSim(sim);
    // These are native (Auto OCO) brackets; the default account is in Position Brackets mode, as live.
    await patchAccount(sim, { accountId: ACCOUNT, autoOcoBrackets: true });
    await patchAccount(sim, { accountId: SECOND_ACCOUNT, autoOcoBrackets: true });
    await setPrice(sim, mnq, 25000);
  });

  const order = (o: Partial<PlaceBody> & Pick<PlaceBody, "type" | "side">): PlaceBody => ({
    accountId: ACCOUNT,
    contractId: mnq,
    size: 1,
    ...o,
  });
  const sl = (ticks: number, type: number = T.Stop) => ({ ticks, type });
  const tp = (ticks: number) => ({ ticks, type: T.Limit });

  /** The bracket children of a parent, stop-loss leg first, as Order/v2/query sees them. */
  async function children(parentId: number): Promise<WireOrder[]> {
    const r = await call<OrderList>(api, "/api/Order/v2/query", { filter: { accountId: ACCOUNT }, sortBy: 1 });
    return (r.orders as WireOrder[]).filter((o) => o.parentOrderId === parentId);
  }

  /** A resting buy limit at 24990 (market 25000) with SL -20 ticks and TP +40 ticks. */
  async function restingBracketedBuy(size = 1) {
    const parent = await placeOk(
      api,
      order({ type: T.Limit, side: BUY, size, limitPrice: 24990, stopLossBracket: sl(-20), takeProfitBracket: tp(40) }),
    );
    const [stop, target] = await children(parent);
    return { parent, stop: stop!.id, target: target!.id };
  }

  it("keeps the legs Suspended, linked to each other and to the parent, until the parent fills", async () => {
    const { parent, stop, target } = await restingBracketedBuy();
    const [s, t] = await children(parent);
    assert.deepEqual(
      [s!.status, s!.type, s!.side, s!.size, s!.parentOrderId, s!.linkedOrderId, s!.stopPrice],
      [S.Suspended, T.Stop, SELL, 1, parent, target, null],
    );
    assert.deepEqual(
      [t!.status, t!.type, t!.side, t!.size, t!.parentOrderId, t!.linkedOrderId, t!.limitPrice],
      [S.Suspended, T.Limit, SELL, 1, parent, stop, null],
    );
    assert.equal((await getOrder(api, ACCOUNT, parent)).status, S.Open);
  });

  it("omits suspended legs from Order/searchOpen; Order/v2/query with statuses [1,6,7,8] shows them", async () => {
    const { parent, stop, target } = await restingBracketedBuy();
    assert.deepEqual(
      (await openOrders(api, ACCOUNT)).map((o) => o.id),
      [parent],
    );
    const r = await call<OrderList>(api, "/api/Order/v2/query", {
      filter: { accountId: ACCOUNT, statuses: [1, 6, 7, 8] },
      sortBy: 1,
    });
    assert.deepEqual(
      r.orders.map((o: WireOrder) => [o.id, o.status]),
      [
        [parent, S.Open],
        [stop, S.Suspended],
        [target, S.Suspended],
      ],
    );
  });

  it("opens the legs at the parent's fill price plus and minus the ticks", async () => {
    const { parent, stop, target } = await restingBracketedBuy();
    await setPrice(sim, mnq, 24989.75); // ask 24990: the parent fills at its limit
    assert.equal((await getOrder(api, ACCOUNT, parent)).filledPrice, 24990);
    const s = await getOrder(api, ACCOUNT, stop);
    const t = await getOrder(api, ACCOUNT, target);
    assert.deepEqual([s.status, s.stopPrice], [S.Open, 24985]);
    assert.deepEqual([t.status, t.limitPrice], [S.Open, 25000]);
    assert.deepEqual((await openOrders(api, ACCOUNT)).map((o) => o.id).sort(), [stop, target].sort());
  });

  it("matches the live example: MNQ long at 24866 with SL -400 / TP +200 gives stop 24766 and limit 24916", async () => {
    await setPrice(sim, mnq, 24865.75); // ask 24866
    const parent = await placeOk(
      api,
      order({ type: T.Market, side: BUY, stopLossBracket: sl(-400), takeProfitBracket: tp(200) }),
    );
    assert.equal((await getOrder(api, ACCOUNT, parent)).filledPrice, 24866);
    const [s, t] = await children(parent);
    assert.deepEqual(
      [s!.status, s!.type, s!.stopPrice, t!.status, t!.type, t!.limitPrice],
      [S.Open, T.Stop, 24766, S.Open, T.Limit, 24916],
    );
  });

  it("take-profit fill cancels the stop-loss (OCO) and books the profit", async () => {
    const { stop, target } = await restingBracketedBuy();
    await setPrice(sim, mnq, 24989.75);
    await setPrice(sim, mnq, 25000); // bid reaches the target
    const t = await getOrder(api, ACCOUNT, target);
    assert.deepEqual([t.status, t.filledPrice], [S.Filled, 25000]);
    assert.equal((await getOrder(api, ACCOUNT, stop)).status, S.Cancelled);
    assert.deepEqual(await openPositions(api, ACCOUNT), []);
    assert.deepEqual(await openOrders(api, ACCOUNT), []);
    const trades = await tradesOf(api, ACCOUNT);
    assert.deepEqual(
      trades.map((x) => [x.orderId, x.price, x.profitAndLoss, x.fees]),
      [
        [trades[0]!.orderId, 24990, null, 0.37],
        [target, 25000, 20, 0.37],
      ],
    );
    assert.equal(await balanceOf(api, ACCOUNT), 50018.76); // +$20 - 2 × ($0.37 + $0.25)
    // The cancelled stop stays cancelled when the market later runs through it.
    await setPrice(sim, mnq, 24980);
    assert.equal((await getOrder(api, ACCOUNT, stop)).status, S.Cancelled);
    assert.equal((await tradesOf(api, ACCOUNT)).length, 2);
  });

  it("stop-loss fill cancels the take-profit (OCO) and books the loss", async () => {
    const { stop, target } = await restingBracketedBuy();
    await setPrice(sim, mnq, 24989.75);
    await setPrice(sim, mnq, 24985);
    const s = await getOrder(api, ACCOUNT, stop);
    assert.deepEqual([s.status, s.filledPrice], [S.Filled, 24985]);
    assert.equal((await getOrder(api, ACCOUNT, target)).status, S.Cancelled);
    assert.deepEqual(await openPositions(api, ACCOUNT), []);
    const last = (await tradesOf(api, ACCOUNT)).at(-1)!;
    assert.deepEqual([last.orderId, last.price, last.profitAndLoss], [stop, 24985, -10]);
    assert.equal(await balanceOf(api, ACCOUNT), 49988.76);
  });

  it("cancels the peer leg (OCO) even when the position is not flat afterwards", async () => {
    const parent = await placeOk(
      api,
      order({ type: T.Market, side: BUY, stopLossBracket: sl(-20), takeProfitBracket: tp(40) }),
    );
    const [s, t] = await children(parent);
    await placeOk(api, order({ type: T.Market, side: BUY })); // a second, unbracketed contract: long 2
    await setPrice(sim, mnq, 25010.25); // the target (sell 1 @ 25010.25) fills
    assert.equal((await getOrder(api, ACCOUNT, t!.id)).status, S.Filled);
    assert.equal((await getOrder(api, ACCOUNT, s!.id)).status, S.Cancelled);
    const [p] = await openPositions(api, ACCOUNT);
    assert.deepEqual([p!.type, p!.size], [1, 1]);
    await setPrice(sim, mnq, 24990); // through the old stop: nothing more happens
    assert.equal((await openPositions(api, ACCOUNT))[0]!.size, 1);
  });

  it("puts a sell's stop-loss above and take-profit below the fill", async () => {
    const parent = await placeOk(
      api,
      order({ type: T.Market, side: SELL, stopLossBracket: sl(20), takeProfitBracket: tp(-40) }),
    );
    assert.equal((await getOrder(api, ACCOUNT, parent)).filledPrice, 25000);
    const [s, t] = await children(parent);
    assert.deepEqual([s!.status, s!.side, s!.stopPrice], [S.Open, BUY, 25005]);
    assert.deepEqual([t!.status, t!.side, t!.limitPrice], [S.Open, BUY, 24990]);
    await setPrice(sim, mnq, 24989.75); // ask 24990 reaches the target
    assert.equal((await getOrder(api, ACCOUNT, t!.id)).filledPrice, 24990);
    assert.equal((await getOrder(api, ACCOUNT, s!.id)).status, S.Cancelled);
    assert.equal((await tradesOf(api, ACCOUNT)).at(-1)!.profitAndLoss, 20);
  });

  it("trails a stop-loss leg of type TrailingStop from the fill", async () => {
    const parent = await placeOk(api, order({ type: T.Market, side: BUY, stopLossBracket: sl(-20, T.TrailingStop) }));
    const [s] = await children(parent);
    assert.deepEqual(
      [s!.status, s!.type, s!.stopPrice, s!.trailDistance, s!.trailPrice],
      [S.Open, T.TrailingStop, 24995.25, 20, 5],
    );
    await setPrice(sim, mnq, 25010);
    assert.equal((await getOrder(api, ACCOUNT, s!.id)).stopPrice, 25005);
    await setPrice(sim, mnq, 25005);
    const f = await getOrder(api, ACCOUNT, s!.id);
    assert.deepEqual([f.status, f.filledPrice], [S.Filled, 25005]);
    assert.equal((await tradesOf(api, ACCOUNT)).at(-1)!.profitAndLoss, 9.5);
  });

  describe("refusals", () => {
    const cases: [string, Partial<PlaceBody> & Pick<PlaceBody, "side">, string | RegExp][] = [
      [
        "a positive stop-loss on a buy",
        { side: BUY, stopLossBracket: { ticks: 10, type: T.Stop } },
        "Ticks should be less than zero when longing",
      ],
      ["a zero stop-loss on a buy", { side: BUY, stopLossBracket: { ticks: 0, type: T.Stop } }, /longing/],
      ["a negative take-profit on a buy", { side: BUY, takeProfitBracket: { ticks: -10, type: T.Limit } }, /longing/],
      ["a negative stop-loss on a sell", { side: SELL, stopLossBracket: { ticks: -10, type: T.Stop } }, /shorting/],
      ["a positive take-profit on a sell", { side: SELL, takeProfitBracket: { ticks: 10, type: T.Limit } }, /shorting/],
      [
        "a stop-loss leg of type Limit",
        { side: BUY, stopLossBracket: { ticks: -10, type: T.Limit } },
        "Invalid stop loss type (Limit)",
      ],
    ];
    for (const [what, body, message] of cases) {
      it(`refuses ${what} with errorCode 2 and creates nothing`, async () => {
        const r = await place(api, order({ type: T.Market, ...body }));
        assert.deepEqual([r.success, r.errorCode, r.orderId], [false, 2, null]);
        if (typeof message === "string") assert.equal(r.errorMessage, message);
        else assert.match(r.errorMessage ?? "", message);
        const all = await call<OrderList>(api, "/api/Order/v2/query", {
          filter: { accountId: ACCOUNT },
          includeTotalCount: true,
        });
        assert.equal(all.totalCount, 0);
        assert.deepEqual(await openPositions(api, ACCOUNT), []);
      });
    }

    it("rejects brackets on a Position Brackets account but still returns the rejected order's id", async () => {
      await patchAccount(sim, { accountId: ACCOUNT, autoOcoBrackets: false });
      const r = await place(
        api,
        order({ type: T.Market, side: BUY, stopLossBracket: sl(-20), takeProfitBracket: tp(40) }),
      );
      assert.equal(r.success, false);
      assert.equal(r.errorCode, 2);
      assert.equal(
        r.errorMessage,
        "Brackets cannot be used with Position Brackets. You must enable Auto OCO Brackets.",
      );
      assert.equal(typeof r.orderId, "number");
      const o = await getOrder(api, ACCOUNT, r.orderId!);
      assert.deepEqual([o.status, o.fillVolume, o.filledPrice], [S.Rejected, 0, null]);
      assert.deepEqual(await children(r.orderId!), []);
      assert.deepEqual(await openPositions(api, ACCOUNT), []);
      assert.deepEqual(await tradesOf(api, ACCOUNT), []);
      assert.equal(await balanceOf(api, ACCOUNT), 50000);

      // Without brackets the same account trades; the other account keeps Auto OCO.
      await placeOk(api, order({ type: T.Market, side: BUY }));
      const other = await placeOk(
        api,
        order({ type: T.Market, side: BUY, accountId: SECOND_ACCOUNT, stopLossBracket: sl(-20) }),
      );
      assert.equal((await getOrder(api, SECOND_ACCOUNT, other)).status, S.Filled);
    });
  });

  describe("lifecycle", () => {
    it("cancels the suspended legs with their parent", async () => {
      const { parent, stop, target } = await restingBracketedBuy();
      assert.equal((await call(api, "/api/Order/cancel", { accountId: ACCOUNT, orderId: parent })).success, true);
      assert.deepEqual(
        [(await getOrder(api, ACCOUNT, stop)).status, (await getOrder(api, ACCOUNT, target)).status],
        [S.Cancelled, S.Cancelled],
      );
      await setPrice(sim, mnq, 24980);
      assert.deepEqual(await openPositions(api, ACCOUNT), []);
      assert.deepEqual(await tradesOf(api, ACCOUNT), []);
    });

    it("cancels the open legs when the position is closed by hand", async () => {
      const parent = await placeOk(
        api,
        order({ type: T.Market, side: BUY, stopLossBracket: sl(-20), takeProfitBracket: tp(40) }),
      );
      const [s, t] = await children(parent);
      assert.equal(
        (await call(api, "/api/Position/closeContract", { accountId: ACCOUNT, contractId: mnq })).success,
        true,
      );
      assert.deepEqual(
        [(await getOrder(api, ACCOUNT, s!.id)).status, (await getOrder(api, ACCOUNT, t!.id)).status],
        [S.Cancelled, S.Cancelled],
      );
      assert.deepEqual(await openOrders(api, ACCOUNT), []);
      await setPrice(sim, mnq, 25020);
      assert.deepEqual(await openPositions(api, ACCOUNT), []);
    });

    it("cancels the legs of a long that a larger sell reverses, so they cannot add to the new short", async () => {
      const parent = await placeOk(
        api,
        order({ type: T.Market, side: BUY, size: 2, stopLossBracket: sl(-20), takeProfitBracket: tp(40) }),
      );
      const [s, t] = await children(parent);
      await placeOk(api, order({ type: T.Market, side: SELL, size: 3 })); // long 2 -> short 1 @ 25000
      assert.deepEqual(
        [(await getOrder(api, ACCOUNT, s!.id)).status, (await getOrder(api, ACCOUNT, t!.id)).status],
        [S.Cancelled, S.Cancelled],
      );
      await setPrice(sim, mnq, 25010.25); // where the old take-profit (sell 2 @ 25010.25) sat
      const [p] = await openPositions(api, ACCOUNT);
      assert.deepEqual([p!.type, p!.size, p!.averagePrice], [2, 1, 25000]);
    });

    it("sizes the legs to the parent's fill after the parent's size was modified", async () => {
      const { parent, stop, target } = await restingBracketedBuy(1);
      assert.equal(
        (await call(api, "/api/Order/modify", { accountId: ACCOUNT, orderId: parent, size: 3 })).success,
        true,
      );
      await setPrice(sim, mnq, 24989.75);
      assert.deepEqual(
        [(await getOrder(api, ACCOUNT, stop)).size, (await getOrder(api, ACCOUNT, target)).size],
        [3, 3],
      );
      await setPrice(sim, mnq, 25000);
      // The target closes the whole position, not a third of it.
      assert.deepEqual(await openPositions(api, ACCOUNT), []);
      assert.equal((await tradesOf(api, ACCOUNT)).at(-1)!.profitAndLoss, 60);
    });
  });
});
