import { strict as assert } from "node:assert";
import {
  type GuardLevel,
  type GuardLevelsInput,
  type GuardPosition,
  guardLevels,
} from "../../src/core/protection/guard-levels";
import { initialState } from "../../src/core/rules/rule-state";
import { rulesFor } from "../../src/core/rules/rules-config";
import { guardFloor } from "../../src/core/rules/rules-engine";

const MNQ = "CON.F.US.MNQ.Z26";
const ES = "CON.F.US.EP.Z26";
const mnq = (size: number, averagePrice: number, mark: number | null = null): GuardPosition => ({
  contractId: MNQ,
  size,
  averagePrice,
  tickSize: 0.25,
  tickValue: 0.5,
  costPerSide: 0.37 + 0.25,
  mark,
});
const es = (size: number, averagePrice: number, mark: number | null = null): GuardPosition => ({
  contractId: ES,
  size,
  averagePrice,
  tickSize: 0.25,
  tickValue: 12.5,
  costPerSide: 1.9,
  mark,
});
/**
 * Equity left if every guard filled `slippageTicks` past its stop, after closing costs: at or above
 * the floor by construction: the check of guardLevels, computed the other way round.
 */
function equityAtGuards(input: GuardLevelsInput, levels: ReadonlyArray<GuardLevel>): number {
  let equity = input.balance;
  for (const l of levels) {
    const p = input.positions.find((x) => x.contractId === l.contractId)!;
    const fill = l.stopPrice - (l.long ? 1 : -1) * input.slippageTicks * p.tickSize;
    equity += ((fill - p.averagePrice) / p.tickSize) * p.tickValue * p.size - p.costPerSide * Math.abs(p.size);
  }
  return equity;
}

const onGrid = (p: number) => Math.abs(p / 0.25 - Math.round(p / 0.25)) < 1e-9;

describe("guard levels", () => {
  it("puts a 2-lot long's stop where a fill 4 ticks worse, after closing costs, still keeps the floor", () => {
    // Balance 50,000, floor 48,000 + 0 buffer: $2,000 of room less $1.24 closing costs, at $1 a tick for 2 MNQ.
    const input = { balance: 50_000, floor: 48_000, positions: [mnq(2, 25_000)], slippageTicks: 4 };
    const [l] = guardLevels(input);
    assert.equal(l!.long, true);
    assert.equal(l!.quantity, 2);
    assert.ok(onGrid(l!.stopPrice));
    // 1,998.76 ticks of room, 4 of them kept for slippage: 1,994.76 ticks below → 498.69 points, rounded up.
    assert.equal(l!.stopPrice, 24_501.5);
    const left = equityAtGuards(input, [l!]);
    assert.ok(left >= 48_000, `equity at the guard ${left} must stay at or above the floor`);
    assert.ok(left - 48_000 < 1, "and not waste more than a tick of room");
  });

  it("mirrors it above a short, rounded down towards the market", () => {
    const input = { balance: 50_000, floor: 49_000, positions: [mnq(-1, 25_000.25)], slippageTicks: 2 };
    const [l] = guardLevels(input);
    assert.equal(l!.long, false);
    assert.ok(onGrid(l!.stopPrice));
    assert.ok(l!.stopPrice > 25_000.25);
    assert.ok(equityAtGuards(input, [l!]) >= 49_000);
  });

  it("shares the room so that all stops filling together keep the floor, the same ticks for each", () => {
    const input = { balance: 50_000, floor: 49_000, positions: [mnq(3, 25_000), es(-1, 6_000)], slippageTicks: 4 };
    const levels = guardLevels(input);
    assert.equal(levels.length, 2);
    assert.equal(levels[0]!.roomTicks, levels[1]!.roomTicks);
    assert.ok(equityAtGuards(input, levels) >= 49_000);
    for (const l of levels) assert.equal(l.anchor, "entry");
  });

  it("measures from the marks when one position is already past its share, and never puts a stop through the market", () => {
    // ES long deep in profit, MNQ long in loss beyond an equal share of the entry room.
    const input = {
      balance: 49_200,
      floor: 49_000,
      positions: [es(1, 6_000, 6_080), mnq(2, 25_000, 24_960)],
      slippageTicks: 2,
    };
    const levels = guardLevels(input);
    for (const l of levels) {
      assert.equal(l.anchor, "market");
      assert.equal(l.inside, false);
    }
    assert.ok(levels.find((l) => l.contractId === MNQ)!.stopPrice < 24_960);
    assert.ok(equityAtGuards(input, levels) >= 49_000);
  });

  it("says inside when equity is already at the floor: no stop can be placed, the rules flatten", () => {
    const input = { balance: 48_100, floor: 48_000, positions: [mnq(2, 25_000, 24_940)], slippageTicks: 4 };
    const [l] = guardLevels(input);
    assert.equal(l!.inside, true);
  });
});

describe("guard floor", () => {
  const now = Date.parse("2026-11-25T15:00:00Z");

  it("is the MLL floor plus the flatten buffer", () => {
    const config = rulesFor("topstep-combine-50k", { flattenBuffer: 250 });
    const s = initialState(config, 1, 50_000, now);
    assert.deepEqual(guardFloor(config, s), { equity: 48_250, rule: "flattenBuffer" });
  });

  it("is the daily loss threshold when it is tighter and its action flattens, and not once 'flatten' has acted", () => {
    const config = rulesFor("topstep-combine-50k", { dailyLoss: { amount: 500, action: "flatten" } });
    const s = initialState(config, 1, 50_000, now);
    assert.deepEqual(guardFloor(config, s), { equity: 49_500, rule: "dailyLossLimit" });
    s.breaches.push({ at: now, rule: "dailyLossLimit", reason: "x" });
    assert.deepEqual(guardFloor(config, s), { equity: 48_000, rule: "maxLossLimit" });
  });

  it("ignores a daily limit that only reports", () => {
    const config = rulesFor("topstep-combine-50k", { dailyLoss: { amount: 500, action: "none" } });
    assert.equal(guardFloor(config, initialState(config, 1, 50_000, now))?.rule, "maxLossLimit");
  });
});
