import { strict as assert } from "node:assert";
import type { AxiosInstance } from "axios";
import type { Simulator } from "../../src/sim";
import { ACCOUNT, frontMonth, login, SECOND_ACCOUNT, setPrice, startTestSim } from "../support/sim";
import {
  BUY,
  balanceOf,
  call,
  LONG,
  openPositions,
  type PlaceBody,
  placeOk,
  resetSim,
  SELL,
  SHORT,
  T,
  tradesOf,
} from "../support/trading";

/**
 * Netted positions, realized P&L per fill, fees per side and the account balance. MNQ: a tick is
 * 0.25 points and $0.50, so one point is $2 per contract; the fee is $0.37 and the
 * commission $0.25 per contract per side.
 * Accounts start at $50,000. With a bare /sim/price, bid = price and ask = price + 0.25.
 */
const NOW = Date.parse("2026-11-25T15:00:00Z");

describe("simulator: positions, P&L and fees", () => {
  let sim: Simulator;
  let api: AxiosInstance;
  let mnq: string;

  before(async () => {
    sim = await startTestSim({ now: () => NOW, rateLimits: { enabled: false } });
    ({ api } = await login(sim));
    mnq = (await frontMonth(api, "MNQ")).id;
  });
  after(() => sim.close());
  beforeEach(async () => {
    await resetSim(sim);
    await setPrice(sim, mnq, 25000);
  });

  const market = (side: number, size: number, extra: Partial<PlaceBody> = {}) =>
    placeOk(api, { accountId: ACCOUNT, contractId: mnq, type: T.Market, side, size, ...extra });
  const close = (body: object) =>
    call(api, "/api/Position/closeContract", { accountId: ACCOUNT, contractId: mnq, ...body });
  const partial = (size: number, body: object = {}) =>
    call(api, "/api/Position/partialCloseContract", { accountId: ACCOUNT, contractId: mnq, size, ...body });

  it("opens a long position at the fill price", async () => {
    assert.equal(mnq, "CON.F.US.MNQ.Z26");
    await market(BUY, 2);
    const positions = await openPositions(api, ACCOUNT);
    assert.equal(positions.length, 1);
    const p = positions[0]!;
    assert.deepEqual(
      { ...p, id: typeof p.id },
      {
        id: "number",
        accountId: ACCOUNT,
        contractId: mnq,
        contractDisplayName: "MNQZ26",
        creationTimestamp: "2026-11-25T15:00:00+00:00",
        type: LONG,
        size: 2,
        averagePrice: 25000.25,
      },
    );
  });

  it("opens a short position with a positive size and type 2", async () => {
    await market(SELL, 3);
    const [p] = await openPositions(api, ACCOUNT);
    assert.deepEqual([p!.type, p!.size, p!.averagePrice], [SHORT, 3, 25000]);
  });

  it("averages the price when adding at a second price, weighted by size, under the same id", async () => {
    await market(BUY, 1); // 25000.25
    const [first] = await openPositions(api, ACCOUNT);
    await setPrice(sim, mnq, 25010);
    await market(BUY, 3); // 25010.25
    const [p] = await openPositions(api, ACCOUNT);
    assert.deepEqual([p!.id, p!.type, p!.size, p!.averagePrice], [first!.id, LONG, 4, 25007.75]);
  });

  it("keeps the average price when the position is reduced", async () => {
    await market(BUY, 1);
    await setPrice(sim, mnq, 25010);
    await market(BUY, 1); // average (25000.25 + 25010.25) / 2 = 25005.25
    await setPrice(sim, mnq, 25020);
    await market(SELL, 1);
    const [p] = await openPositions(api, ACCOUNT);
    assert.deepEqual([p!.size, p!.averagePrice], [1, 25005.25]);
    assert.equal((await tradesOf(api, ACCOUNT)).at(-1)!.profitAndLoss, 29.5); // 14.75 points = 59 ticks
  });

  describe("closing", () => {
    it("closes part of a position at the market, booking P&L on the closed part only", async () => {
      await market(BUY, 1);
      await setPrice(sim, mnq, 25010);
      await market(BUY, 3); // long 4 @ 25007.75
      await setPrice(sim, mnq, 25020);
      const r = await partial(1);
      assert.deepEqual(r, { success: true, errorCode: 0, errorMessage: null });
      const [p] = await openPositions(api, ACCOUNT);
      assert.deepEqual([p!.type, p!.size, p!.averagePrice], [LONG, 3, 25007.75]);
      const t = (await tradesOf(api, ACCOUNT)).at(-1)!;
      assert.deepEqual([t.side, t.size, t.price, t.profitAndLoss, t.fees], [SELL, 1, 25020, 24.5, 0.37]);
    });

    it("refuses a partial close larger than the position with errorCode 5, and size 0 too", async () => {
      await market(BUY, 2);
      const big = await partial(3);
      assert.deepEqual([big.success, big.errorCode], [false, 5]);
      const zero = await partial(0);
      assert.deepEqual([zero.success, zero.errorCode], [false, 5]);
      const [p] = await openPositions(api, ACCOUNT);
      assert.equal(p!.size, 2);
      assert.equal((await tradesOf(api, ACCOUNT)).length, 1);
    });

    it("closes a partial close of the whole size, leaving the account flat", async () => {
      await market(SELL, 2);
      assert.equal((await partial(2)).success, true);
      assert.deepEqual(await openPositions(api, ACCOUNT), []);
    });

    it("closes a whole position with closeContract; closing again answers errorCode 2", async () => {
      await market(BUY, 1);
      await setPrice(sim, mnq, 25010);
      await market(BUY, 3); // long 4 @ 25007.75
      await setPrice(sim, mnq, 25020);
      assert.deepEqual(await close({}), { success: true, errorCode: 0, errorMessage: null });
      assert.deepEqual(await openPositions(api, ACCOUNT), []);
      const t = (await tradesOf(api, ACCOUNT)).at(-1)!;
      assert.deepEqual([t.side, t.size, t.price, t.profitAndLoss, t.fees], [SELL, 4, 25020, 98, 1.48]);
      // 25020 - 25007.75 = 12.25 points = 49 ticks x $0.50 x 4 = $98; costs 8 sides x $0.62 = $4.96.
      assert.equal(await balanceOf(api, ACCOUNT), 50093.04);

      const again = await close({});
      assert.deepEqual([again.success, again.errorCode], [false, 2]);
      const part = await partial(1);
      assert.deepEqual([part.success, part.errorCode], [false, 2]);
    });

    it("buys back a short with closeContract at the ask", async () => {
      await market(SELL, 2); // 25000
      await setPrice(sim, mnq, 24990);
      assert.equal((await close({})).success, true);
      const t = (await tradesOf(api, ACCOUNT)).at(-1)!;
      assert.deepEqual([t.side, t.size, t.price, t.profitAndLoss], [BUY, 2, 24990.25, 39]);
      assert.deepEqual(await openPositions(api, ACCOUNT), []);
    });

    it("answers errorCode 1 for an unknown account and 3 for an unknown contract", async () => {
      await market(BUY, 1);
      assert.equal((await close({ accountId: 99999 })).errorCode, 1);
      assert.equal((await partial(1, { accountId: 99999 })).errorCode, 1);
      assert.equal((await close({ contractId: "CON.F.US.NOPE.Z26" })).errorCode, 3);
      assert.equal((await partial(1, { contractId: "CON.F.US.NOPE.Z26" })).errorCode, 3);
      assert.equal((await openPositions(api, ACCOUNT))[0]!.size, 1);
    });

    it("only closes the position of the account asked for", async () => {
      await market(BUY, 1);
      await market(BUY, 2, { accountId: SECOND_ACCOUNT });
      assert.equal((await close({ accountId: SECOND_ACCOUNT })).success, true);
      assert.deepEqual(await openPositions(api, SECOND_ACCOUNT), []);
      assert.equal((await openPositions(api, ACCOUNT))[0]!.size, 1);
    });
  });

  describe("reversal", () => {
    it("selling 3 against a long 2 closes the long and opens a short 1 with a new id, in two half-turns", async () => {
      const buy = await market(BUY, 2); // 25000.25
      const [long] = await openPositions(api, ACCOUNT);
      await setPrice(sim, mnq, 25010);
      const sell = await market(SELL, 3); // 25010

      const [short] = await openPositions(api, ACCOUNT);
      assert.deepEqual([short!.type, short!.size, short!.averagePrice], [SHORT, 1, 25010]);
      assert.notEqual(short!.id, long!.id);

      const trades = await tradesOf(api, ACCOUNT);
      assert.deepEqual(
        trades.map((t) => [t.orderId, t.side, t.size, t.price, t.profitAndLoss, t.fees]),
        [
          [buy, BUY, 2, 25000.25, null, 0.74],
          [sell, SELL, 2, 25010, 39, 0.74], // 9.75 points = 39 ticks x $0.50 x 2
          [sell, SELL, 1, 25010, null, 0.37],
        ],
      );
      assert.equal(await balanceOf(api, ACCOUNT), 50035.9);

      // The new short books its own P&L from 25010.
      await setPrice(sim, mnq, 25004.75); // ask 25005
      await market(BUY, 1);
      assert.equal((await tradesOf(api, ACCOUNT)).at(-1)!.profitAndLoss, 10);
      assert.deepEqual(await openPositions(api, ACCOUNT), []);
    });
  });

  describe("P&L, fees and balance", () => {
    it("charges the spread, two fees and two commissions on an instant round trip", async () => {
      await market(BUY, 1); // 25000.25
      await market(SELL, 1); // 25000
      const trades = await tradesOf(api, ACCOUNT);
      assert.deepEqual(
        trades.map((t) => [t.profitAndLoss, t.fees, t.commissions]),
        [
          [null, 0.37, 0.25],
          [-0.5, 0.37, 0.25],
        ],
      );
      // -0.50 - 2 × ($0.37 + $0.25)
      assert.equal(await balanceOf(api, ACCOUNT), 49998.26);
    });

    it("books a winning long: balance = start + P&L - fees - commissions", async () => {
      await market(BUY, 2); // 25000.25
      await setPrice(sim, mnq, 25020);
      await market(SELL, 2); // 25020: 19.75 points = 79 ticks x $0.50 x 2 = $79
      const last = (await tradesOf(api, ACCOUNT)).at(-1)!;
      assert.deepEqual([last.profitAndLoss, last.fees], [79, 0.74]);
      assert.equal(await balanceOf(api, ACCOUNT), 50076.52);
    });

    it("books a losing short with a negative P&L", async () => {
      await market(SELL, 1); // 25000
      await setPrice(sim, mnq, 25010);
      await market(BUY, 1); // 25010.25: 41 ticks against
      assert.equal((await tradesOf(api, ACCOUNT)).at(-1)!.profitAndLoss, -20.5);
      assert.equal(await balanceOf(api, ACCOUNT), 49978.26);
    });

    it("books P&L on limit and stop exits at their fill prices", async () => {
      await market(BUY, 1); // 25000.25
      await placeOk(api, {
        accountId: ACCOUNT,
        contractId: mnq,
        type: T.Limit,
        side: SELL,
        size: 1,
        limitPrice: 25010,
      });
      await setPrice(sim, mnq, 25010);
      assert.equal((await tradesOf(api, ACCOUNT)).at(-1)!.profitAndLoss, 19.5);
      await market(SELL, 1); // short 1 @ 25010
      await placeOk(api, { accountId: ACCOUNT, contractId: mnq, type: T.Stop, side: BUY, size: 1, stopPrice: 25015 });
      await setPrice(sim, mnq, 25015); // fills at the ask 25015.25
      assert.equal((await tradesOf(api, ACCOUNT)).at(-1)!.profitAndLoss, -10.5);
      // 19.5 - 10.5 = 9; four fills x ($0.37 + $0.25) = 2.48
      assert.equal(await balanceOf(api, ACCOUNT), 50006.52);
    });

    it("keeps each account's balance and positions apart", async () => {
      await market(BUY, 1);
      await setPrice(sim, mnq, 25010);
      await market(SELL, 1);
      assert.equal(await balanceOf(api, ACCOUNT), 50018.26);
      assert.equal(await balanceOf(api, SECOND_ACCOUNT), 50000);
      assert.deepEqual(await openPositions(api, SECOND_ACCOUNT), []);
      assert.deepEqual(await tradesOf(api, SECOND_ACCOUNT), []);
    });

    it("resets balances, positions and trades on POST /sim/reset", async () => {
      await market(BUY, 1);
      await resetSim(sim);
      assert.equal(await balanceOf(api, ACCOUNT), 50000);
      assert.deepEqual(await openPositions(api, ACCOUNT), []);
      assert.deepEqual(await tradesOf(api, ACCOUNT), []);
    });
  });
});

describe("simulator: fee and commission override from the configuration", () => {
  let sim: Simulator;
  let api: AxiosInstance;
  let mnq: string;
  let mes: string;

  before(async () => {
    sim = await startTestSim({
      now: () => NOW,
      rateLimits: { enabled: false },
      fees: { MNQ: 1.1 },
      commissions: { MNQ: 0.6 },
    });
    ({ api } = await login(sim));
    mnq = (await frontMonth(api, "MNQ")).id;
    mes = (await frontMonth(api, "MES")).id;
    await setPrice(sim, mnq, 25000);
    await setPrice(sim, mes, 6800);
  });
  after(() => sim.close());

  it("charges the configured fee and commission per contract per side, and the built-in ones elsewhere", async () => {
    await placeOk(api, { accountId: ACCOUNT, contractId: mnq, type: T.Market, side: BUY, size: 2 }); // 25000.25
    await setPrice(sim, mnq, 25010);
    await placeOk(api, { accountId: ACCOUNT, contractId: mnq, type: T.Market, side: SELL, size: 2 }); // 25010: +$39
    const trades = await tradesOf(api, ACCOUNT);
    assert.deepEqual(
      trades.map((t) => [t.profitAndLoss, t.fees, t.commissions]),
      [
        [null, 2.2, 1.2],
        [39, 2.2, 1.2],
      ],
    );
    // 39 - 2 × (2.20 + 1.20)
    assert.equal(await balanceOf(api, ACCOUNT), 50032.2);

    await placeOk(api, { accountId: ACCOUNT, contractId: mes, type: T.Market, side: BUY, size: 1 });
    const mesFill = (await tradesOf(api, ACCOUNT)).at(-1)!;
    assert.deepEqual([mesFill.fees, mesFill.commissions], [0.37, 0.25]);
    assert.equal(await balanceOf(api, ACCOUNT), 50031.58);
  });
});
