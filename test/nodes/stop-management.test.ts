import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Journal } from "../../src/core/journal/journal";
import type { StopAction, StopView } from "../../src/core/protection/stop-manager";
import { guardFlow } from "../support/guard-flow";
import { helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, until } from "../support/sim";
import { T } from "../support/trading";

/**
 * Breakeven and trailing of bracket stops through alert → rules → order in the real Node-RED runtime
 * on the simulator. MNQ ticks are 0.25; the simulator quotes bid = price and ask = price + 1 tick,
 * so a market buy at 25,000 fills at 25,000.25 and its profit is read on the bid. Stop moves are
 * throttled by the guard's reprice interval (2 s by default) on the test clock, which only the test
 * moves.
 */
describe("node: topstepx-rules breakeven and trailing", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-stops-", sim: { market: { partialFills: false } } });
  let mnq: string;
  const g = guardFlow(rt, () => mnq);
  const ENTRY = 25_000.25;
  const tick = 0.25;

  before(async () => {
    mnq = (await frontMonth((await login(rt.sim)).api, "MNQ")).id;
  });
  beforeEach(() => setPrice(rt.sim, mnq, 25_000));

  const autoOco = () => restClient(rt.sim).post("/sim/account", { accountId: ACCOUNT, autoOcoBrackets: true });
  /** The position's working stop-loss legs at the simulator. */
  const stops = async () => (await g.working()).filter((o) => o.type === T.Stop);
  const stopAt = (price: number, what: string) =>
    until(async () => {
      const s = await stops();
      return s.length === 1 && s[0]!.stopPrice === price ? s[0] : null;
    }, `${what}: the stop at ${price}`);
  /** The bid `ticks` ticks of profit from the long entry (quotes step the market one print at a time). */
  const longAt = (ticks: number) => setPrice(rt.sim, mnq, ENTRY + ticks * tick);
  const later = (ms = 2_000) => {
    rt.clock += ms;
  };
  /** The journal's "stop" rows: the moves, or with `plans` the plans bound to positions. */
  const stopRows = (plans = false) => {
    const j = new Journal(join(rt.dir, "journal.sqlite"));
    try {
      const rows = j.entries({ kind: "stop" }).map((e) => e.data as StopAction | { action: "plan" });
      return rows.filter((r): r is StopAction => (r.action === "plan") === plans);
    } finally {
      j.close();
    }
  };
  const stopView = (n: Awaited<ReturnType<typeof g.load>>) =>
    n.st
      .map((m) => (m.payload as { stops?: StopView[] }).stops?.find((v) => v.contractId === mnq))
      .filter((v) => v !== undefined)
      .at(-1);

  it("moves a long's native bracket stop to breakeven plus the offset once it is 20 ticks up, not before", async () => {
    await autoOco();
    const n = await g.load();
    const r = await g.alert(n, {
      symbol: "MNQ1!",
      side: "buy",
      quantity: 1,
      stopLoss: 40,
      takeProfit: 200,
      breakeven: { after: 20, offset: 2 },
    });
    assert.equal(r.bracket, "native");
    const leg = await stopAt(ENTRY - 40 * tick, "the bracket's stop");
    assert.ok(leg.parentOrderId, "a native bracket leg");
    await longAt(19);
    await until(() => stopView(n)?.best === ENTRY + 19 * tick, "the 19-tick high seen");
    assert.equal((await stops())[0]!.stopPrice, ENTRY - 40 * tick, "not moved at 19 ticks");
    await longAt(20);
    const moved = await stopAt(ENTRY + 2 * tick, "breakeven + 2 ticks");
    assert.equal(moved.id, leg.id, "the same leg, modified");
    assert.equal(await g.executed("Order/modify"), 1);
    const rows = await until(() => (stopRows().length === 1 ? stopRows() : null), "the move journaled");
    assert.deepEqual(
      rows.map((a) => [a.action, a.reason, a.from, a.stopPrice, a.plan]),
      [["moved", "breakeven", ENTRY - 40 * tick, ENTRY + 2 * tick, "entry"]],
    );
    const v = await until(() => (stopView(n)?.last === "breakeven" ? stopView(n) : null), "the status's stop");
    assert.deepEqual([v.stopPrice, v.source, v.orderIds], [ENTRY + 2 * tick, "entry", [leg.id]]);
    await until(() => / · BE 25,000\.75( · |$)/.test(lastStatus(n.r1).text ?? ""), "the node's status naming the stop");
  });

  it("moves a short's stop down to breakeven minus the offset", async () => {
    await autoOco();
    const n = await g.load();
    await g.alert(n, { symbol: "MNQ1!", side: "sell", quantity: 1, stopLoss: 40, breakeven: { after: 20, offset: 2 } });
    // The sell filled at the bid, 25,000; the short's profit is read on the ask, a tick above the price.
    await stopAt(25_000 + 40 * tick, "the bracket's stop");
    await setPrice(rt.sim, mnq, 25_000 - 21 * tick);
    await stopAt(25_000 - 2 * tick, "breakeven − 2 ticks");
  });

  it("trails in steps behind the best price and never loosens when the price comes back", async () => {
    await autoOco();
    const n = await g.load();
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 1, stopLoss: 40, trail: { distance: 20, step: 4 } });
    await stopAt(ENTRY - 40 * tick, "the bracket's stop");
    const seen: number[] = [];
    for (let p = 21; p <= 35; p++) {
      later();
      await longAt(p);
      const want = ENTRY + (Math.floor(p / 4) * 4 - 20) * tick;
      await stopAt(want, `${p} ticks up`);
      seen.push((await stops())[0]!.stopPrice!);
    }
    const levels = [...new Set(seen)];
    assert.deepEqual(
      levels.map((x) => (x - ENTRY) / tick),
      [0, 4, 8, 12],
      "the stop moved in 4-tick steps, 20 behind the best",
    );
    assert.equal(await g.executed("Order/modify"), levels.length, "one modify per step, none in between");
    for (const p of [30, 22, 15]) {
      later();
      await longAt(p);
    }
    // Quotes are handled in order: once a new high's move shows, the pullback was judged and left alone.
    later();
    await longAt(36);
    await stopAt(ENTRY + 16 * tick, "the next step after the pullback");
    assert.equal(await g.executed("Order/modify"), levels.length + 1, "no modify during the pullback");
    assert.deepEqual(
      (await until(() => (stopRows().length === 5 ? stopRows() : null), "the moves journaled")).map(
        (a) => (a.stopPrice - ENTRY) / tick,
      ),
      [0, 4, 8, 12, 16],
      "every move tightened",
    );
  });

  it("never loosens a bracket stop tighter than the trail: it moves only once the trail passes it", async () => {
    await autoOco();
    const n = await g.load();
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 1, stopLoss: 8, trail: { distance: 20, step: 4 } });
    await stopAt(ENTRY - 8 * tick, "the bracket's tight stop");
    for (let p = 1; p <= 15; p++) {
      later();
      await longAt(p);
      await until(() => stopView(n)?.best === ENTRY + p * tick, `${p} ticks seen`);
      assert.equal(
        (await stops())[0]!.stopPrice,
        ENTRY - 8 * tick,
        `left alone at ${p} ticks (the trail is 20 behind)`,
      );
    }
    later();
    await longAt(16);
    await stopAt(ENTRY - 4 * tick, "the trail at 16 − 20 ticks, tighter than the bracket");
    assert.equal(await g.executed("Order/modify"), 1, "one modify in all");
  });

  it("holds the moves to one per reprice interval in a fast market, then goes to the latest level", async () => {
    await autoOco();
    const n = await g.load();
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 1, stopLoss: 40, trail: { distance: 10, step: 1 } });
    await stopAt(ENTRY - 40 * tick, "the bracket's stop");
    const modifies = await g.executed("Order/modify");
    // 30 quotes within one instant of the test clock.
    for (let p = 1; p <= 30; p++) await longAt(p);
    await until(() => stopView(n)?.best === ENTRY + 30 * tick, "the 30-tick high seen");
    await until(async () => (await g.executed("Order/modify")) > modifies, "the first move");
    await g.quoted();
    assert.equal(await g.executed("Order/modify"), modifies + 1, "one modify for 30 quotes");
    const first = (await stops())[0]!.stopPrice!;
    assert.ok(first > ENTRY - 40 * tick && first < ENTRY + 20 * tick, `the first move went to ${first}`);
    later();
    await longAt(30);
    await stopAt(ENTRY + 20 * tick, "the latest level once the interval passed");
    assert.equal(await g.executed("Order/modify"), modifies + 2);
    // 20 s of a market rising a tick every 200 ms: one move per 2 s at most, however many quotes.
    for (let p = 31; p <= 130; p++) {
      later(200);
      await longAt(p);
    }
    await until(() => stopView(n)?.best === ENTRY + 130 * tick, "the 130-tick high seen");
    later();
    await longAt(130);
    await stopAt(ENTRY + 120 * tick, "the last level");
    const used = (await g.executed("Order/modify")) - modifies - 2;
    assert.ok(used <= 12, `${used} modifies for 101 quotes over 22 s`);
  });

  it("never moves a stop looser than the guard level", async () => {
    await autoOco();
    // A $1,700 buffer on the $2,000 MLL: a 2-lot's guard sits some 293 ticks under the entry.
    const n = await g.load({ flattenBuffer: "1700" });
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 2, stopLoss: 400, trail: { distance: 330, step: 10 } });
    const level = (await until(() => (g.view(n)?.coveredByOthers === 2 ? g.view(n) : null), "the guard view")).level;
    const guardTicks = (level - ENTRY) / tick;
    assert.ok(guardTicks > -300 && guardTicks < -280, `the guard ${guardTicks} ticks from the entry`);
    await stopAt(level, "the bracket's stop tightened to the guard level");
    for (let p = 1; p <= 30; p++) {
      later();
      await longAt(p);
      await until(() => stopView(n)?.best === ENTRY + p * tick, `${p} ticks seen`);
      const s = (await stops())[0]!.stopPrice!;
      assert.ok(s >= level, `the stop ${s} never under the guard level ${level}`);
    }
    assert.equal((await stops())[0]!.stopPrice, level, "the trail (30 − 330 ticks) is still looser than the guard");
    later();
    await longAt(50);
    await stopAt(ENTRY - 280 * tick, "the trail once tighter than the guard");
    assert.ok(
      stopRows().every((a) => a.stopPrice >= level),
      "no move ever went under the guard level",
    );
    // Only the price moved: the guard still counts the leg as the position's cover and adds no stop.
    await until(() => g.view(n)?.coveredByOthers === 2, "the guard's view after the move");
    assert.deepEqual(await g.guardsEver(), [], "no guard order was ever sent");
    assert.equal((await stops())[0]!.size, 2);
  });

  it("moves a managed stop-loss leg (Position Brackets mode) to breakeven", async () => {
    const n = await g.load();
    const r = await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 1, stopLoss: 40, breakeven: 12 });
    assert.equal(r.bracket, "managed");
    const leg = await stopAt(ENTRY - 40 * tick, "the managed stop");
    assert.match(leg.customTag ?? "", /-sl$/);
    await longAt(12);
    const moved = await stopAt(ENTRY, "breakeven");
    assert.equal(moved.id, leg.id);
  });

  it("applies the node's defaults to an entry without settings; an alert's own settings beat them", async () => {
    await autoOco();
    const n = await g.load({ breakevenAfter: "30", breakevenOffset: "0", trailDistance: "15", trailStep: "5" });
    // The alert's breakeven beats the node's; `trail: false` turns the node's trail off.
    await g.alert(n, {
      symbol: "MNQ1!",
      side: "buy",
      quantity: 1,
      stopLoss: 40,
      breakeven: { after: 8, offset: 1 },
      trail: false,
    });
    await stopAt(ENTRY - 40 * tick, "the bracket's stop");
    later();
    await longAt(8);
    await stopAt(ENTRY + tick, "the alert's breakeven at 8 ticks");
    later();
    await longAt(40);
    await until(() => stopView(n)?.best === ENTRY + 40 * tick, "the 40-tick high seen");
    later();
    await longAt(40);
    await until(() => stopView(n)?.best === ENTRY + 40 * tick, "the quote seen again");
    assert.equal((await stops())[0]!.stopPrice, ENTRY + tick, "no trail: the alert turned it off");
    assert.equal(stopView(n)?.source, "entry");
  });

  it("uses the node's defaults for an entry whose alert carried no settings", async () => {
    await autoOco();
    const n = await g.load({ breakevenAfter: "30", breakevenOffset: "1" });
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 1, stopLoss: 40 });
    await stopAt(ENTRY - 40 * tick, "the bracket's stop");
    later();
    await longAt(29);
    await until(() => stopView(n)?.best === ENTRY + 29 * tick, "29 ticks seen");
    assert.equal((await stops())[0]!.stopPrice, ENTRY - 40 * tick, "not at 29 ticks");
    later();
    await longAt(30);
    await stopAt(ENTRY + tick, "the node's breakeven at 30 ticks");
    assert.equal(stopView(n)?.source, "node");
  });

  it("keeps an alert's own settings for its position across a restart of the flow (the journal holds them)", async () => {
    await autoOco();
    const defaults = { breakevenAfter: "40", breakevenOffset: "0" };
    let n = await g.load(defaults);
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 1, stopLoss: 40, breakeven: { after: 8, offset: 1 } });
    await stopAt(ENTRY - 40 * tick, "the bracket's stop");
    await until(() => stopRows(true).length === 1, "the plan journaled");
    await helper.unload();
    n = await g.load(defaults);
    await until(() => stopView(n)?.source === "entry", "the alert's plan back after the restart");
    later();
    await longAt(8);
    await stopAt(ENTRY + tick, "the alert's breakeven at 8 ticks, not the node's 40");
  });
});
