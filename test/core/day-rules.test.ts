import { strict as assert } from "node:assert";
import { consistencyView } from "../../src/core/rules/consistency";
import { closeTrip, emptyCooldown, followFill } from "../../src/core/rules/cooldown";
import { initialState, rollTradingDay } from "../../src/core/rules/rule-state";
import { rulesFor } from "../../src/core/rules/rules-config";
import { applyBreach, decide, evaluate, type LiveAccount } from "../../src/core/rules/rules-engine";
import type { Trade } from "../../src/core/schemas";

const ES = "CON.F.US.EP.Z26";
const ES_FEE = 1.9; // estimated cost per side to close one ES (closing-costs.ts)
const WED_1000 = Date.parse("2026-11-25T16:00:00Z"); // Wednesday 10:00 CT
const WED_1701 = Date.parse("2026-11-25T23:01:00Z"); // Wednesday 17:01 CT: Thursday's session
const MIN = 60_000;

function live(over: Partial<LiveAccount> = {}): LiveAccount {
  return {
    balance: 50_000,
    openPnl: 0,
    openPnlComplete: true,
    positions: [],
    workingOrders: [],
    synced: true,
    ...over,
  };
}
/** One ES held, marked so that equity is exactly `equity`. */
const holding = (balance: number, equity: number): LiveAccount =>
  live({ balance, openPnl: equity - balance + ES_FEE, positions: [{ contractId: ES, size: 1 }] });
const buyEs = { action: "place", contractId: ES, quantity: 1 } as const;

let tradeId = 0;
function fill(side: 0 | 1, size: number, pnl: number | null, at: number, fees = 1.4, commissions = 0.5): Trade {
  return {
    id: ++tradeId,
    accountId: 1,
    contractId: ES,
    creationTimestamp: new Date(at).toISOString(),
    price: 6800,
    profitAndLoss: pnl,
    fees,
    commissions,
    side,
    size,
    voided: false,
    orderId: tradeId,
  };
}

describe("day rules: profit lock", () => {
  it("refuses entries once the day reaches the profit stop, for the rest of the trading day", () => {
    const config = rulesFor("topstep-combine-50k", { profitLock: { stopAt: 1000 } });
    const s = initialState(config, 1, 50_000, WED_1000);
    assert.equal(decide(config, s, live({ balance: 50_999 }), buyEs, WED_1000).allow, true);
    const d = decide(config, s, live({ balance: 51_000 }), buyEs, WED_1000);
    assert.equal(d.rule, "dailyProfitTarget");
    assert.match(d.reason, /daily profit stop of \$1,000\.00/);
    // Exits pass.
    assert.equal(decide(config, s, holding(51_000, 51_000), { ...buyEs, quantity: -1 }, WED_1000).allow, true);
    // The next session starts afresh.
    rollTradingDay(config, s, WED_1701);
    assert.equal(decide(config, s, live({ balance: 51_000 }), buyEs, WED_1701).allow, true);
  });

  it("flattens and blocks until the next session when the day falls below the locked share of its peak", () => {
    const config = rulesFor("topstep-combine-50k", { profitLock: { lockFrom: 500, lockPercent: 50 } });
    const s = initialState(config, 1, 50_000, WED_1000);
    // Peak $450: not armed, a fall to $100 is no breach.
    assert.equal(evaluate(config, s, holding(50_000, 50_450), WED_1000).breach, null);
    assert.equal(evaluate(config, s, holding(50_000, 50_100), WED_1000).breach, null);
    // Peak $800 arms it at $400; $401 holds, $399 breaks.
    assert.equal(evaluate(config, s, holding(50_000, 50_800), WED_1000).breach, null);
    assert.equal(evaluate(config, s, holding(50_000, 50_401), WED_1000).breach, null);
    const b = evaluate(config, s, holding(50_000, 50_399), WED_1000).breach;
    assert.equal(b?.rule, "profitLock");
    assert.equal(b?.action, "flattenAndBlock");
    assert.equal(b?.blockUntil, Date.parse("2026-11-25T23:00:00Z"), "until 17:00 CT");
    assert.match(b!.reason, /\$399\.00 fell below \$400\.00, the 50% of today's peak of \$800\.00/);
    applyBreach(s, b!);
    // Flat after the flatten: no second breach; a position opened by hand is flattened again.
    assert.equal(evaluate(config, s, live({ balance: 50_399 }), WED_1000).breach, null);
    assert.equal(evaluate(config, s, holding(50_399, 50_390), WED_1000).breach?.rule, "profitLock");
    assert.equal(decide(config, s, live({ balance: 50_399 }), buyEs, WED_1000).rule, "profitLock");
    rollTradingDay(config, s, WED_1701);
    assert.equal(decide(config, s, live({ balance: 50_399 }), buyEs, WED_1701).allow, true);
  });

  it("names the field of a half-set peak lock", () => {
    assert.throws(
      () => rulesFor("topstep-combine-50k", { profitLock: { lockFrom: 500 } }),
      /^Error: profitLock\.lockPercent: /,
    );
  });
});

describe("day rules: consistency", () => {
  const config = rulesFor("topstep-combine-50k");

  it("carries Topstep's 50 % best-day target in the Combine profiles, none in the Express Funded ones", () => {
    assert.deepEqual(config.consistency, { bestDayPercent: 50, refuseEntries: false });
    assert.equal(rulesFor("topstep-xfa-50k").consistency, undefined);
  });

  it("keeps today within the share of the other days' profit, or of the profit target, the larger", () => {
    // Other days $2,000 together: today may make $2,000 (2,000 of 4,000 = 50 %).
    const v = consistencyView(
      config,
      { "2026-11-23": 1200, "2026-11-24": 800, "2026-11-25": 1660 },
      "2026-11-25",
      1660,
    );
    assert.deepEqual([v?.cap, v?.room, v?.bestOtherDay], [2000, 340, 1200]);
    assert.equal(v?.text, "$340 more today keeps the best day at 50%");
    // A first day: half the $3,000 target.
    assert.equal(consistencyView(config, {}, "2026-11-25", 200)?.cap, 1500);
    // Without a target the first day has no room.
    const custom = rulesFor("custom", { startBalance: 50_000, consistency: { bestDayPercent: 40 } });
    assert.equal(consistencyView(custom, { "2026-11-24": 600 }, "2026-11-25", 0)?.cap, 400);
  });

  it("refuses entries at the cap only when asked to", () => {
    const s = initialState(config, 1, 50_000, WED_1000);
    assert.equal(decide(config, s, live({ balance: 51_600 }), buyEs, WED_1000).allow, true);
    const refusing = rulesFor("topstep-combine-50k", { consistency: { bestDayPercent: 50, refuseEntries: true } });
    assert.equal(decide(refusing, s, live({ balance: 51_499 }), buyEs, WED_1000).allow, true);
    const d = decide(refusing, s, live({ balance: 51_500 }), buyEs, WED_1000);
    assert.equal(d.rule, "consistency");
    assert.match(d.reason, /reached \$1,500\.00, the most that keeps the best day at 50%/);
  });
});

describe("day rules: cooldown", () => {
  const config = rulesFor("topstep-combine-50k", {
    cooldown: { losses: 3, lossAmount: 500, withinMinutes: 30, minutes: 20 },
  });

  it("counts a round trip to flat, net of fees and commissions, and pauses after 3 losses in a row", () => {
    const c = emptyCooldown();
    const t0 = WED_1000;
    // A win of $100 gross, $3.80 costs: a win. Then three losers, one of them scaled out in two fills.
    assert.equal(followFill(config, c, fill(0, 1, null, t0), t0), null);
    assert.equal(followFill(config, c, fill(1, 1, 100, t0 + MIN), t0), null);
    assert.equal(c.streak, 0);
    followFill(config, c, fill(0, 1, null, t0 + 2 * MIN), t0);
    followFill(config, c, fill(1, 1, 2, t0 + 3 * MIN), t0); // +$2 gross, −$1.80 net: a loss
    assert.equal(c.streak, 1);
    followFill(config, c, fill(0, 2, null, t0 + 4 * MIN), t0);
    followFill(config, c, fill(1, 1, 50, t0 + 5 * MIN), t0);
    assert.equal(c.streak, 1, "half closed: the round trip is still open");
    followFill(config, c, fill(1, 1, -60, t0 + 6 * MIN), t0);
    assert.equal(c.streak, 2);
    followFill(config, c, fill(1, 1, null, t0 + 7 * MIN), t0);
    const started = followFill(config, c, fill(0, 1, -10, t0 + 8 * MIN), t0);
    assert.equal(started?.reason, "3 losing trades in a row");
    assert.equal(started?.until, t0 + 28 * MIN);
    assert.equal(c.streak, 0, "the next cooldown needs three new losses");
  });

  it("ends a round trip on a fill through flat, and counts a closing fill of a position it never saw open", () => {
    const c = emptyCooldown();
    followFill(config, c, fill(0, 1, null, WED_1000), WED_1000);
    followFill(config, c, fill(1, 2, -40, WED_1000 + MIN), WED_1000); // long 1 → short 1: a loser
    assert.deepEqual([c.streak, c.open[ES]?.position], [1, -1]);
    followFill(config, c, fill(0, 1, -30, WED_1000 + 2 * MIN), WED_1000);
    assert.deepEqual([c.streak, c.open[ES]], [2, undefined]);
    followFill(config, c, fill(1, 1, -5, WED_1000 + 3 * MIN), WED_1000); // closes a long opened before
    assert.deepEqual([c.streak, c.open[ES], c.active?.reason], [0, undefined, "3 losing trades in a row"]);
  });

  it("pauses after a loss of $500 within 30 minutes, and not when the losses are further apart", () => {
    const c = emptyCooldown();
    assert.equal(closeTrip(config, c, -300, WED_1000), null);
    assert.equal(closeTrip(config, c, 150, WED_1000 + 10 * MIN), null);
    assert.equal(closeTrip(config, c, -250, WED_1000 + 40 * MIN), null, "the first loss left the window");
    const started = closeTrip(config, c, -260, WED_1000 + 45 * MIN);
    assert.match(started?.reason ?? "", /^\$510\.00 lost within 30 min/);
  });

  it("names the field a cooldown lacks", () => {
    assert.throws(() => rulesFor("topstep-combine-50k", { cooldown: { minutes: 10 } }), /^Error: cooldown\.losses: /);
    assert.throws(
      () => rulesFor("topstep-combine-50k", { cooldown: { minutes: 10, lossAmount: 300 } }),
      /^Error: cooldown\.withinMinutes: /,
    );
    assert.throws(
      () => rulesFor("topstep-combine-50k", { cooldown: { losses: 3, minutes: "" } }),
      /^Error: cooldown\.minutes: /,
    );
  });

  it("refuses entries while it runs and lets exits through; entries pass again when it ends", () => {
    const s = initialState(config, 1, 50_000, WED_1000);
    s.dayRules = { cooldown: emptyCooldown(), day: s.tradingDay, reached: [] };
    closeTrip(config, s.dayRules.cooldown, -600, WED_1000);
    const d = decide(config, s, live(), buyEs, WED_1000 + MIN);
    assert.equal(d.rule, "cooldown");
    assert.match(d.reason, /Cooling down for 19 more min .* after \$600\.00 lost within 30 min/);
    assert.equal(decide(config, s, holding(50_000, 50_000), { ...buyEs, quantity: -1 }, WED_1000 + MIN).allow, true);
    assert.equal(decide(config, s, live(), buyEs, WED_1000 + 20 * MIN).allow, true);
  });
});
