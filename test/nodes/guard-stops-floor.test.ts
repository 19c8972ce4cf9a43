import { strict as assert } from "node:assert";
import { guardFlow } from "../support/guard-flow";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, until } from "../support/sim";
import { BUY, T } from "../support/trading";

/** Tuesday 17 November 2026, 09:00 in Chicago: an ordinary session, no holiday next day. */
const TUESDAY_0900_CT = Date.parse("2026-11-17T15:00:00Z");
/** The same day at 17:01 in Chicago: Wednesday's trading day has begun. */
const TUESDAY_1701_CT = Date.parse("2026-11-17T23:01:00Z");

/**
 * The guard follows the floor it keeps: a trailing intraday MLL and a trailing daily loss rise with
 * the equity's peak, the end-of-day trail with the day's closing balance. The guard's price moves at
 * most once per `repriceSeconds` (2) of our nodes' clock, which only the test moves.
 */
describe("node: topstepx-rules re-prices guard stops when the floor moves", () => {
  const rt = useRuntimeOnSim({
    at: TUESDAY_0900_CT,
    dirPrefix: "topstepx-guard-fl-",
    // A market that never closes, so a position can be held across the 17:00 roll.
    sim: { market: { partialFills: false, hours: "always" } },
  });
  let mnq: string;
  const g = guardFlow(rt, () => mnq);

  before(async () => {
    mnq = (await frontMonth((await login(rt.sim)).api, "MNQ")).id;
  });
  beforeEach(() => setPrice(rt.sim, mnq, 25_000));

  const guardAt = async () => (await g.guards())[0]?.stopPrice ?? null;

  for (const c of [
    { name: "a trailing intraday MLL", props: { mllMode: "trailingIntraday" }, rule: "flattenBuffer" },
    {
      name: "a trailing daily loss that flattens",
      props: { dailyLossAmount: "500", dailyLossMode: "trailing", dailyLossAction: "flatten" },
      rule: "dailyLossLimit",
    },
  ]) {
    it(`raises the guard with ${c.name} as the price rises, at most once per 2 s of the clock`, async () => {
      const n = await g.load(c.props);
      await g.byHand(BUY, 2);
      const start = await until(async () => ((await g.guards()).length === 1 ? guardAt() : null), "a guard");
      const modifies = await g.executed("Order/modify");
      await setPrice(rt.sim, mnq, 25_010);
      const first = await until(async () => {
        const p = await guardAt();
        return p !== null && p > start ? p : null;
      }, "the guard raised with the floor");
      // 10 points on 2 MNQ lift the peak, and the floor, by ~$39: the guard by ~39 ticks at $1 a tick.
      assert.ok(first - start >= 9 && first - start <= 10, `raised ${first - start} points`);
      assert.equal(n.st.at(-1)?.payload.guards?.rule, c.rule);
      assert.equal(await g.executed("Order/modify"), modifies + 1, "one modify");
      await setPrice(rt.sim, mnq, 25_020);
      // The level has moved again, but the guard waits for the clock.
      const level = (
        await until(() => {
          const v = g.view(n);
          return v && v.level > first ? v : null;
        }, "the new level computed")
      ).level;
      assert.equal(await guardAt(), first, "not moved again within 2 s");
      assert.equal(await g.executed("Order/modify"), modifies + 1);
      rt.clock += 2_000;
      await until(async () => (await guardAt()) === level, "the guard moved once the 2 s passed");
      assert.equal(await g.executed("Order/modify"), modifies + 2, "one modify per move");
      assert.equal((await g.guardsEver()).length, 1, "the same guard, moved");
    });
  }

  it("raises the guard after the 17:00 roll when the day closed with a higher balance (EOD trail)", async () => {
    const n = await g.load();
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 4 });
    await until(async () => (await g.guards())[0]?.size === 4, "a guard for 4");
    await setPrice(rt.sim, mnq, 25_100);
    await g.alert(n, { symbol: "MNQ1!", action: "exit", quantity: 2 });
    const held = await until(async () => {
      const gs = await g.guards();
      return (await g.position()) === 2 && gs[0]?.size === 2 ? gs[0] : null;
    }, "2 held, guarded");
    const before = held.stopPrice!;
    const balance = (await rt.state()).accounts[0]!.balance;
    assert.ok(balance > 50_300, `a day closed with profit: ${balance}`);
    const modifies = await g.executed("Order/modify");
    rt.clock = TUESDAY_1701_CT;
    const after = await until(async () => {
      const p = await guardAt();
      return p !== null && p > before ? p : null;
    }, "the guard raised after the roll");
    // The floor rose by the day's profit (~$395): the guard by as many ticks at $1 a tick.
    const rise = balance - 50_000;
    assert.ok(Math.abs((after - before) * 4 - rise) <= 2, `raised ${after - before} points for $${rise}`);
    assert.equal(await g.executed("Order/modify"), modifies + 1, "one modify");
    assert.equal(await g.position(), 2, "the position is held across the roll");
  });

  it("moves a bracket's tightened stop with the trailing floor no more often than its own guard", async () => {
    await restClient(rt.sim).post("/sim/account", { accountId: ACCOUNT, autoOcoBrackets: true });
    const n = await g.load({ mllMode: "trailingIntraday", flattenBuffer: "1700" });
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 2, stopLoss: 400, takeProfit: 800 });
    const stopAt = async () => (await g.working()).find((o) => o.type === T.Stop)?.stopPrice ?? null;
    const tightened = await until(async () => {
      const v = g.view(n);
      return v?.coveredByOthers === 2 && (await stopAt()) === v.level ? v.level : null;
    }, "the bracket's stop at the guard level");
    const modifies = await g.executed("Order/modify");
    for (const p of [25_005, 25_010, 25_015, 25_020]) {
      await setPrice(rt.sim, mnq, p);
      await until(() => (g.view(n)?.level ?? 0) > tightened, "the level raised");
    }
    assert.equal(await stopAt(), tightened, "not moved again within the same 2 s");
    assert.equal(await g.executed("Order/modify"), modifies, "no modify for 4 moves within the same instant");
    rt.clock += 2_000;
    const level = g.view(n)!.level;
    await until(async () => (await stopAt()) === level, "the stop at the last level once 2 s passed");
    assert.equal(await g.executed("Order/modify"), modifies + 1, "one modify, to the last level");
    assert.deepEqual(await g.guardsEver(), [], "no guard placed: the bracket's stop protects the position");
  });
});
