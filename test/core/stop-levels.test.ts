import { strict as assert } from "node:assert";
import { AlertError, parseAlert } from "../../src/core/alerts/parse-alert";
import {
  effectivePlan,
  managedStopLevel,
  plansMoves,
  type StopLevelInput,
} from "../../src/core/protection/stop-levels";
import { RulesConfig, rulesFor } from "../../src/core/rules/rules-config";

const tick = 0.25;
/** A long MNQ bought at 25,000, its stop 40 ticks under, the market at its best price. */
const long = (o: Partial<StopLevelInput> = {}): StopLevelInput => ({
  long: true,
  entry: 25_000,
  tickSize: tick,
  best: 25_000,
  mark: o.best ?? 25_000,
  stop: 25_000 - 40 * tick,
  guard: null,
  plan: {},
  ...o,
});
const short = (o: Partial<StopLevelInput> = {}): StopLevelInput =>
  long({ long: false, stop: 25_000 + 40 * tick, ...o });
const at = (ticks: number) => 25_000 + ticks * tick;

describe("core: stop levels (breakeven and trailing)", () => {
  it("moves a long to the entry plus the offset from `after` ticks of profit, not a tick before", () => {
    const plan = { breakeven: { after: 20, offset: 2 } };
    assert.equal(managedStopLevel(long({ best: at(19), plan })), null);
    assert.deepEqual(managedStopLevel(long({ best: at(20), plan })), {
      stopPrice: at(2),
      reason: "breakeven",
      profitTicks: 20,
    });
  });

  it("moves a short to the entry minus the offset", () => {
    const plan = { breakeven: { after: 20, offset: 2 } };
    assert.equal(managedStopLevel(short({ best: at(-19), plan })), null);
    assert.equal(managedStopLevel(short({ best: at(-20), plan }))?.stopPrice, at(-2));
  });

  it("trails `distance` behind the best price in whole steps, from the first step on", () => {
    const plan = { trail: { distance: 20, step: 5 } };
    assert.equal(managedStopLevel(long({ best: at(4), plan })), null, "before the first step");
    assert.equal(managedStopLevel(long({ best: at(5), plan }))?.stopPrice, at(-15));
    assert.equal(managedStopLevel(long({ best: at(29), plan }))?.stopPrice, at(5), "25 − 20, not 29 − 20");
    assert.equal(managedStopLevel(long({ best: at(30), plan }))?.stopPrice, at(10));
    assert.equal(managedStopLevel(short({ best: at(-30), plan }))?.stopPrice, at(-10));
  });

  it("takes the tighter of breakeven and trail, and says which", () => {
    const plan = { breakeven: { after: 10, offset: 1 }, trail: { distance: 20, step: 5 } };
    assert.deepEqual(managedStopLevel(long({ best: at(15), plan })), {
      stopPrice: at(1),
      reason: "breakeven",
      profitTicks: 15,
    });
    assert.equal(managedStopLevel(long({ best: at(30), plan }))?.reason, "trail");
  });

  it("never loosens: a level not tighter than the stop by a tick is no move", () => {
    const plan = { trail: { distance: 20, step: 5 } };
    assert.equal(managedStopLevel(long({ best: at(30), stop: at(10), plan })), null, "already there");
    assert.equal(managedStopLevel(long({ best: at(30), stop: at(12), plan })), null, "already tighter");
    assert.equal(managedStopLevel(short({ best: at(-30), stop: at(-12), plan })), null);
  });

  it("is never looser than the guard level: that move is left to the guard", () => {
    const plan = { trail: { distance: 100, step: 5 } };
    const stop = at(-200);
    assert.equal(managedStopLevel(long({ best: at(20), stop, guard: at(-60), plan })), null, "−80 under −60");
    assert.equal(managedStopLevel(long({ best: at(50), stop, guard: at(-60), plan }))?.stopPrice, at(-50));
    assert.equal(managedStopLevel(short({ best: at(-20), stop: at(200), guard: at(60), plan })), null);
  });

  it("keeps the stop a tick off the market when the price already came back under the level", () => {
    const plan = { breakeven: { after: 20, offset: 5 } };
    assert.equal(managedStopLevel(long({ best: at(20), mark: at(3), plan }))?.stopPrice, at(2));
    assert.equal(managedStopLevel(short({ best: at(-20), mark: at(-3), plan }))?.stopPrice, at(-2));
  });

  it("rounds an average price off the grid towards the market (never under breakeven)", () => {
    const plan = { breakeven: { after: 4, offset: 0 } };
    assert.equal(managedStopLevel(long({ entry: 25_000.1, best: at(8), plan }))?.stopPrice, 25_000.25);
    assert.equal(managedStopLevel(short({ entry: 25_000.1, best: at(-8), plan }))?.stopPrice, 25_000);
  });

  it("lets an entry's own settings, `false` included, beat the node's defaults field by field", () => {
    const defaults = { breakeven: { after: 30, offset: 0 }, trail: { distance: 15, step: 5 } };
    assert.deepEqual(effectivePlan({ breakeven: { after: 8, offset: 1 }, trail: false }, defaults), {
      breakeven: { after: 8, offset: 1 },
      trail: false,
    });
    assert.deepEqual(effectivePlan(null, defaults), defaults);
    assert.equal(plansMoves(effectivePlan({ breakeven: false, trail: false }, defaults)), false);
  });

  it("reads the node's defaults into the rules, refusing an offset at or past `after`", () => {
    const c = rulesFor("topstep-combine-50k", {
      stopManagement: { breakeven: { after: 20 }, trail: { distance: 30 } },
    });
    assert.deepEqual(c.stopManagement, { breakeven: { after: 20, offset: 0 }, trail: { distance: 30, step: 1 } });
    assert.deepEqual(RulesConfig.parse({ startBalance: 50_000 }).stopManagement, {});
    assert.throws(() => rulesFor("topstep-combine-50k", { stopManagement: { breakeven: { after: 2, offset: 2 } } }));
  });

  describe("alert fields", () => {
    const entry = { symbol: "MNQ1!", side: "buy", quantity: 1 };
    const intent = (extra: Record<string, unknown>) => {
      const a = parseAlert(JSON.stringify({ ...entry, ...extra }), Date.now());
      return "intent" in a ? a.intent : null;
    };
    const refusal = (extra: Record<string, unknown>) => {
      try {
        intent(extra);
      } catch (e) {
        if (e instanceof AlertError) return [e.field, e.message];
        throw e;
      }
      return null;
    };

    it("reads breakeven and trail as numbers, objects or false", () => {
      assert.deepEqual(intent({ breakeven: 20, trail: 30 }), {
        ...intent({}),
        breakeven: { after: 20, offset: 0 },
        trail: { distance: 30, step: 1 },
      });
      const i = intent({ breakeven: { after: "20", Offset: 2 }, trail: { distance: 30, step: 5 } })!;
      assert.deepEqual(
        [i.breakeven, i.trail],
        [
          { after: 20, offset: 2 },
          { distance: 30, step: 5 },
        ],
      );
      assert.deepEqual(
        [intent({ breakeven: false }), intent({ trail: "false" })].map((x) =>
          x && Object.keys(x).includes("breakeven") ? x.breakeven : x?.trail,
        ),
        [false, false],
      );
    });

    it("refuses a bad part naming it", () => {
      assert.equal(refusal({ breakeven: { after: 2, offset: 2 } })![0], "breakeven.offset");
      assert.equal(refusal({ breakeven: { aftr: 20 } })![0], "breakeven.aftr");
      assert.equal(refusal({ trail: { step: 5 } })![0], "trail");
      assert.equal(refusal({ trail: { distance: 2.5 } })![0], "trail.distance");
      assert.equal(refusal({ trail: null })![0], "trail");
      assert.equal(refusal({ breakeven: true })![0], "breakeven");
    });
  });
});
