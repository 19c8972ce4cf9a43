import { strict as assert } from "node:assert";
import { computeFloor, initialState, type RuleState, rollTradingDay } from "../../src/core/rules/rule-state";
import { PROFILES, type RulesConfig, rulesFor } from "../../src/core/rules/rules-config";
import {
  applyBreach,
  decide,
  evaluate,
  exposure,
  type GateIntent,
  isExit,
  type LiveAccount,
  type RuleDecision,
  sessionAt,
} from "../../src/core/rules/rules-engine";

// ProjectX contract ids: ES trades as EP, CL as CLE.
const ES = "CON.F.US.EP.Z26";
const MES = "CON.F.US.MES.Z26";
const MNQ = "CON.F.US.MNQ.Z26";
const CL = "CON.F.US.CLE.F27";
const ES_FEE = 1.9; // estimated cost per side to close one ES: $1.40 fees + $0.50 commission (closing-costs.ts)

const at = (iso: string) => Date.parse(iso);

// A working week in winter (CST, UTC-6): Chicago time = UTC - 6 h.
const MON_1000 = at("2026-11-16T16:00:00Z"); // Monday 16 Nov 10:00 CT
const MON_1400 = at("2026-11-16T20:00:00Z"); // Monday 14:00 CT
const MON_1659 = at("2026-11-16T22:59:00Z"); // Monday 16:59 CT, still Monday's trading day
const MON_1701 = at("2026-11-16T23:01:00Z"); // Monday 17:01 CT, Tuesday's trading day has opened
const MON_1800 = at("2026-11-17T00:00:00Z"); // Monday 18:00 CT (Tuesday's session)
const TUE_1000 = at("2026-11-17T16:00:00Z"); // Tuesday 17 Nov 10:00 CT
const TUE_1030 = at("2026-11-17T16:30:00Z"); // Tuesday 10:30 CT
const TUE_1700 = at("2026-11-17T23:00:00Z"); // Tuesday 17:00 CT, Wednesday's session opens
const TUE_1701 = at("2026-11-17T23:01:00Z"); // Tuesday 17:01 CT
const TUE_1800 = at("2026-11-18T00:00:00Z"); // Tuesday 18:00 CT (Wednesday's session)
const WED_1000 = at("2026-11-18T16:00:00Z"); // Wednesday 18 Nov 10:00 CT
const WED_1701 = at("2026-11-18T23:01:00Z"); // Wednesday 17:01 CT
const THU_1000 = at("2026-11-19T16:00:00Z"); // Thursday 19 Nov 10:00 CT
const THU_1701 = at("2026-11-19T23:01:00Z"); // Thursday 17:01 CT
const FRI_1000 = at("2026-11-20T16:00:00Z"); // Friday 20 Nov 10:00 CT

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

/** One ES held with open P&L chosen so that equity (balance + open P&L - closing fee) is exactly `equity`. */
function holdingEsAt(balance: number, equity: number, size = 1): LiveAccount {
  return live({ balance, openPnl: equity - balance + ES_FEE * size, positions: [{ contractId: ES, size }] });
}

const buy = (contractId: string, quantity: number, alertTime?: number): GateIntent => ({
  action: "place",
  contractId,
  quantity,
  alertTime,
});
const sell = (contractId: string, quantity: number): GateIntent => ({
  action: "place",
  contractId,
  quantity: -quantity,
});

/** A refusal names the rule and says why in a plain sentence, with the numbers a trader needs. */
function assertRefused(d: RuleDecision, rule: string, ...says: RegExp[]): void {
  assert.equal(d.allow, false, `expected a refusal by ${rule}, got: ${d.rule} — ${d.reason}`);
  assert.equal(d.rule, rule, d.reason);
  assertSentence(d.reason);
  for (const r of says) assert.match(d.reason, r);
}

function assertSentence(reason: string): void {
  assert.match(reason, /^[A-Z$0-9].*\.$/s, `not a sentence: ${reason}`);
  assert.doesNotMatch(reason, /undefined|NaN|null|\[object/, `reason leaks internals: ${reason}`);
}

function assertPassed(d: RuleDecision, rule: "allRulesPassed" | "exit" = "allRulesPassed"): void {
  assert.equal(d.allow, true, `expected a pass, got ${d.rule}: ${d.reason}`);
  assert.equal(d.rule, rule);
}

/** Trades a day to an end-of-day balance and closes it after 17:00 Chicago. */
function closeDay(config: RulesConfig, s: RuleState, balance: number, during: number, after: number): void {
  evaluate(config, s, live({ balance }), during);
  assert.equal(rollTradingDay(config, s, after), true, "the day rolls after 17:00 CT");
}

describe("core: rules engine", () => {
  describe("Maximum Loss Limit (trailing end-of-day, Topstep 50K Combine)", () => {
    const cfg = rulesFor("topstep-combine-50k");

    it("follows Topstep's worked example: 48,000 → 48,500 → stays → 50,000 locked", () => {
      const s = initialState(cfg, 7, 50_000, MON_1000);
      assert.deepEqual([s.startBalance, s.floor, s.floorLocked], [50_000, 48_000, false]);

      // Monday +$500. An intraday high does not move an end-of-day floor; nor does 16:59 CT close the day.
      evaluate(cfg, s, live({ balance: 50_500 }), MON_1400);
      assert.equal(s.floor, 48_000);
      assert.equal(rollTradingDay(cfg, s, MON_1659), false);
      assert.equal(rollTradingDay(cfg, s, MON_1701), true);
      assert.equal(s.tradingDay, "2026-11-17");
      assert.deepEqual([s.eodHigh, s.floor, s.floorLocked], [50_500, 48_500, false]);
      assert.equal(s.dailyPnl["2026-11-16"], 500);
      assert.equal(rollTradingDay(cfg, s, MON_1800), false, "the day rolls once");

      // Tuesday -$500: the floor stays at 48,500.
      closeDay(cfg, s, 50_000, TUE_1000, TUE_1701);
      assert.deepEqual([s.eodHigh, s.floor, s.floorLocked], [50_500, 48_500, false]);
      assert.equal(s.dailyPnl["2026-11-17"], -500);

      // Wednesday +$2,500 to 52,500: 52,500 - 2,000 = 50,500 is capped at the start, and the floor locks.
      closeDay(cfg, s, 52_500, WED_1000, WED_1701);
      assert.deepEqual([s.eodHigh, s.floor, s.floorLocked], [52_500, 50_000, true]);

      // Thursday a further high day: locked for the life of the account.
      closeDay(cfg, s, 55_000, THU_1000, THU_1701);
      assert.deepEqual([s.eodHigh, s.floor, s.floorLocked], [55_000, 50_000, true]);
      assert.equal(evaluate(cfg, s, live({ balance: 55_000 }), FRI_1000).headroom.maxLoss, 5_000);
    });

    it("computes the floor as min(lock, max(initial floor, EOD high - MLL))", () => {
      const base = { startBalance: 50_000, equityPeak: 0 };
      assert.equal(computeFloor(cfg, { ...base, eodHigh: 50_000 }), 48_000);
      assert.equal(computeFloor(cfg, { ...base, eodHigh: 51_999.99 }), 49_999.99);
      assert.equal(computeFloor(cfg, { ...base, eodHigh: 60_000 }), 50_000);
      assert.equal(
        computeFloor(rulesFor("custom", { startBalance: 50_000 }), { ...base, eodHigh: 60_000 }),
        null,
        "no loss floor rule, no floor",
      );
    });

    it("breaches when equity = balance + open P&L - estimated closing fees reaches the floor", () => {
      const s = initialState(cfg, 7, 50_000, MON_1000);
      closeDay(cfg, s, 50_500, MON_1400, MON_1701); // floor 48,500

      // Open P&L -1,998.00 with one ES: 50,500 - 1,998.00 - 1.90 (fees and commission) = 48,500.10 — one dime above.
      const above = evaluate(
        cfg,
        s,
        live({ balance: 50_500, openPnl: -1_998, positions: [{ contractId: ES, size: 1 }] }),
        TUE_1000,
      );
      assert.equal(above.headroom.equity, 48_500.1);
      assert.equal(above.headroom.maxLoss, 0.1);
      assert.equal(above.breach, null);

      // Open P&L -1,998.10: the closing cost takes equity to exactly 48,500 (the cost is what breaches).
      const ev = evaluate(
        cfg,
        s,
        live({ balance: 50_500, openPnl: -1_998.1, positions: [{ contractId: ES, size: 1 }] }),
        TUE_1000,
      );
      assert.equal(ev.headroom.equity, 48_500);
      assert.equal(ev.headroom.floor, 48_500);
      assert.equal(ev.headroom.maxLoss, 0);
      assert.ok(ev.breach);
      assert.equal(ev.breach.rule, "maxLossLimit");
      assert.equal(ev.breach.action, "flattenAndBlock");
      assert.equal(ev.breach.blockUntil, Number.POSITIVE_INFINITY, "a hard breach blocks until re-armed");
      assertSentence(ev.breach.reason);
      assert.match(ev.breach.reason, /Equity \$48,500\.00 reached the Maximum Loss Limit floor of \$48,500\.00/);

      // A flat account under the floor is breached too: the loss is realized.
      assert.equal(evaluate(cfg, s, live({ balance: 48_400 }), TUE_1000).breach?.rule, "maxLossLimit");

      // The block outlives the session: entries are refused tomorrow too, exits pass.
      applyBreach(s, ev.breach);
      assert.equal(s.breaches.length, 1);
      assertRefused(
        decide(cfg, s, live({ balance: 48_400 }), buy(ES, 1), TUE_1030),
        "maxLossLimit",
        /blocked until re-armed/,
        /Maximum Loss Limit/,
      );
      rollTradingDay(cfg, s, TUE_1701);
      assertRefused(decide(cfg, s, live({ balance: 48_400 }), buy(ES, 1), WED_1000), "maxLossLimit", /until re-armed/);
      assertPassed(decide(cfg, s, holdingEsAt(48_500, 48_400), sell(ES, 1), WED_1000), "exit");
    });

    it("flattens at the buffer before the floor, with a position open, and then refuses entries", () => {
      const c = rulesFor("topstep-combine-50k", { flattenBuffer: 200 });
      const s = initialState(c, 7, 50_000, MON_1000); // floor 48,000

      assert.equal(evaluate(c, s, holdingEsAt(50_000, 48_200.01), TUE_1000).breach, null);
      const edge = evaluate(c, s, holdingEsAt(50_000, 48_200), TUE_1000);
      assert.equal(edge.breach?.rule, "flattenBuffer", "within 200 inclusive");

      const ev = evaluate(c, s, holdingEsAt(50_000, 48_150), TUE_1030);
      assert.equal(ev.headroom.maxLoss, 150);
      assert.ok(ev.breach);
      assert.equal(ev.breach.rule, "flattenBuffer");
      assert.equal(ev.breach.action, "flattenAndBlock");
      assert.equal(ev.breach.blockUntil, TUE_1700, "blocked until Tuesday 17:00 CT, the next session open");
      assertSentence(ev.breach.reason);
      assert.match(
        ev.breach.reason,
        /Equity \$48,150\.00 is within \$150\.00 of the Maximum Loss Limit floor \(\$48,000\.00\), inside the \$200\.00 buffer/,
      );

      // Flat there is nothing to flatten, but entries are refused by the Maximum Loss Limit.
      const flat = live({ balance: 48_150 });
      assert.equal(evaluate(c, s, flat, TUE_1030).breach, null);
      assertRefused(
        decide(c, s, flat, buy(MNQ, 1), TUE_1030),
        "maxLossLimit",
        /Equity \$48,150\.00 is \$150\.00 from the Maximum Loss Limit floor \(\$48,000\.00\), inside the \$200\.00 buffer/,
      );
      assertPassed(decide(c, s, live({ balance: 48_300 }), buy(MNQ, 1), TUE_1030));

      // With the breach applied the block names the buffer and lifts at the next open.
      applyBreach(s, ev.breach);
      assertRefused(
        decide(c, s, live({ balance: 48_300 }), buy(MNQ, 1), TUE_1030),
        "flattenBuffer",
        /blocked until 2026-11-17 17:00:00 CST/,
      );
      rollTradingDay(c, s, TUE_1701);
      assertPassed(decide(c, s, live({ balance: 48_300 }), buy(MNQ, 1), TUE_1800));
    });

    it("refuses entries at or under the floor with a plain sentence even without a buffer", () => {
      const s = initialState(cfg, 7, 50_000, MON_1000);
      assertRefused(
        decide(cfg, s, live({ balance: 48_000 }), buy(ES, 1), MON_1000),
        "maxLossLimit",
        /Equity \$48,000\.00 has reached the Maximum Loss Limit floor of \$48,000\.00/,
      );
    });
  });

  describe("trailing intraday floor", () => {
    it("follows the equity peak, open P&L included, and stops at the lock", () => {
      const cfg = rulesFor("topstep-combine-50k", {
        lossFloor: { mode: "trailingIntraday", amount: 2_000, lockAt: 50_000 },
      });
      const s = initialState(cfg, 7, 50_000, MON_1000);
      assert.equal(s.floor, 48_000);

      const up = evaluate(cfg, s, holdingEsAt(50_000, 50_800), MON_1000);
      assert.deepEqual([up.headroom.floor, s.equityPeak, up.changed], [48_800, 50_800, true]);

      // Giving back open profit does not lower it.
      const back = evaluate(cfg, s, holdingEsAt(50_000, 50_200), MON_1400);
      assert.deepEqual([back.headroom.floor, back.headroom.maxLoss], [48_800, 1_400]);
      assert.equal(evaluate(cfg, s, holdingEsAt(50_000, 48_800), MON_1400).breach?.rule, "maxLossLimit");

      // 53,000 would trail to 51,000: capped at the 50,000 lock, and locked.
      evaluate(cfg, s, holdingEsAt(50_000, 53_000), MON_1400);
      assert.deepEqual([s.floor, s.floorLocked], [50_000, true]);
      evaluate(cfg, s, holdingEsAt(50_000, 56_000), MON_1400);
      rollTradingDay(cfg, s, MON_1701);
      assert.deepEqual([s.floor, s.floorLocked], [50_000, true]);
    });

    it("the end-of-day mode ignores the same intraday peak", () => {
      const cfg = rulesFor("topstep-combine-50k");
      const s = initialState(cfg, 7, 50_000, MON_1000);
      assert.equal(evaluate(cfg, s, holdingEsAt(50_000, 50_800), MON_1000).headroom.floor, 48_000);
      rollTradingDay(cfg, s, MON_1701); // ended the day back at 50,000
      assert.equal(s.floor, 48_000);
    });

    it("a static floor never moves", () => {
      const cfg = rulesFor("topstep-combine-50k", { lossFloor: { mode: "static", amount: 2_000 } });
      const s = initialState(cfg, 7, 50_000, MON_1000);
      closeDay(cfg, s, 53_000, MON_1400, MON_1701);
      assert.equal(s.floor, 48_000);
    });
  });

  describe("personal daily loss limit", () => {
    const trailing = (action: "none" | "flatten" | "flattenAndBlock" = "flattenAndBlock") =>
      rulesFor("topstep-combine-50k", { dailyLoss: { amount: 500, mode: "trailing", action } });

    it("trails the day's high: $500 from 50,000 triggers at 49,500", () => {
      const cfg = trailing();
      const s = initialState(cfg, 7, 50_000, MON_1000);
      const near = evaluate(cfg, s, holdingEsAt(50_000, 49_500.01), MON_1000);
      assert.deepEqual([near.headroom.dailyLoss, near.breach], [0.01, null]);
      const ev = evaluate(cfg, s, holdingEsAt(50_000, 49_500), MON_1000);
      assert.equal(ev.headroom.dailyLoss, 0);
      assert.equal(ev.headroom.dayPnl, -500);
      assert.ok(ev.breach);
      assert.equal(ev.breach.rule, "dailyLossLimit");
      assert.equal(ev.breach.action, "flattenAndBlock");
      assertSentence(ev.breach.reason);
      assert.match(ev.breach.reason, /\$49,500\.00/);
    });

    it("equity reaching 51,200 moves the threshold to 50,700", () => {
      const cfg = trailing();
      const s = initialState(cfg, 7, 50_000, MON_1000);
      const high = evaluate(cfg, s, holdingEsAt(50_000, 51_200), MON_1000);
      assert.equal(s.dayHighEquity, 51_200);
      assert.equal(high.headroom.dailyLoss, 500);
      assert.equal(evaluate(cfg, s, holdingEsAt(50_000, 50_700.01), MON_1000).breach, null);
      const ev = evaluate(cfg, s, holdingEsAt(50_000, 50_700), MON_1000);
      assert.ok(ev.breach);
      assert.equal(ev.breach.rule, "dailyLossLimit");
      assert.equal(ev.headroom.dayPnl, 700, "a trailing limit can fire on a green day");
      // So the reason names the high and the threshold, not "P&L $700 reached the limit".
      assertSentence(ev.breach.reason);
      assert.match(
        ev.breach.reason,
        /trailing daily loss threshold of \$50,700\.00, \$500\.00 below today's high of \$51,200\.00/,
      );
      assertRefused(
        decide(cfg, s, holdingEsAt(50_000, 50_700), buy(ES, 1), MON_1000),
        "dailyLossLimit",
        /\$50,700\.00/,
        /\$51,200\.00/,
      );
    });

    it("the fixed mode counts from the day's starting balance, not its high", () => {
      const cfg = rulesFor("topstep-combine-50k", { dailyLoss: { amount: 1_000 } });
      assert.deepEqual(cfg.dailyLoss, { amount: 1_000, mode: "fixed", action: "flattenAndBlock" });
      const s = initialState(cfg, 7, 50_000, MON_1000);
      assert.equal(evaluate(cfg, s, holdingEsAt(50_000, 51_200), MON_1000).headroom.dailyLoss, 2_200);
      assert.equal(
        evaluate(cfg, s, holdingEsAt(50_000, 50_200), MON_1000).breach,
        null,
        "a trailing $1,000 would fire at 50,200",
      );
      const ev = evaluate(cfg, s, holdingEsAt(50_000, 49_000), MON_1000);
      assert.equal(ev.breach?.rule, "dailyLossLimit");
      assert.match(
        ev.breach!.reason,
        /Today's P&L -\$1,000\.00 reached the daily loss limit of \$1,000\.00: flattened, entries blocked until the next session\./,
      );
      // The next day starts from Monday's end-of-day balance.
      closeDay(cfg, s, 49_400, MON_1400, MON_1701);
      assert.equal(evaluate(cfg, s, live({ balance: 49_400 }), TUE_1000).headroom.dailyLoss, 1_000);
    });

    it("flattenAndBlock blocks entries until the next session open, then entries pass again", () => {
      const cfg = trailing("flattenAndBlock");
      const s = initialState(cfg, 7, 50_000, MON_1800);
      // Tuesday 10:30 CT: the block lasts until Tuesday 17:00 CT exactly (not 17:30).
      const ev = evaluate(cfg, s, holdingEsAt(50_000, 49_450), TUE_1030);
      assert.ok(ev.breach);
      assert.equal(ev.breach.blockUntil, TUE_1700);
      assert.match(ev.breach.reason, /flattened, entries blocked until the next session/);
      applyBreach(s, ev.breach);
      assert.deepEqual([s.blockedUntil, s.blockedBy], [TUE_1700, "dailyLossLimit"]);

      // Flattened: no repeated breach while flat and blocked.
      const flat = live({ balance: 49_450 });
      assert.equal(evaluate(cfg, s, flat, TUE_1030).breach, null);
      assertRefused(
        decide(cfg, s, flat, buy(ES, 1), TUE_1030),
        "dailyLossLimit",
        /Entries are blocked until 2026-11-17 17:00:00 CST/,
        /\$49,500\.00/,
      );
      assertPassed(decide(cfg, s, flat, { action: "cancelAll" }, TUE_1030), "exit");

      // Tuesday 17:01 CT: the day rolls, the block ends, a new day's limit counts from 49,450.
      assert.equal(rollTradingDay(cfg, s, TUE_1701), true);
      assert.deepEqual([s.blockedUntil, s.blockedBy, s.blockedReason], [null, null, null]);
      assertPassed(decide(cfg, s, flat, buy(ES, 1), TUE_1800));
      assert.equal(evaluate(cfg, s, flat, TUE_1800).headroom.dailyLoss, 500);
    });

    it("a Friday block lasts until Sunday 17:00, the next session that opens", () => {
      const cfg = trailing("flattenAndBlock");
      const s = initialState(cfg, 7, 50_000, at("2026-03-06T14:00:00Z")); // Friday 6 March 08:00 CST
      // Friday 10:30 CST (16:30Z) → Sunday 8 March 17:00 CDT (22:00Z), across the spring-forward change.
      const ev = evaluate(cfg, s, holdingEsAt(50_000, 49_000), at("2026-03-06T16:30:00Z"));
      assert.equal(ev.breach?.blockUntil, at("2026-03-08T22:00:00Z"));
    });

    it("flatten liquidates once, then lets the trader go on (TopstepX 'Liquidate')", () => {
      const cfg = trailing("flatten");
      const s = initialState(cfg, 7, 50_000, MON_1800); // Tuesday's trading day
      const held = holdingEsAt(50_000, 49_400);
      const ev = evaluate(cfg, s, held, TUE_1000);
      assert.ok(ev.breach);
      assert.deepEqual([ev.breach.rule, ev.breach.action, ev.breach.blockUntil], ["dailyLossLimit", "flatten", null]);
      assertSentence(ev.breach.reason);
      // Until the flatten is done, adding to the position is refused.
      assertRefused(
        decide(cfg, s, held, buy(ES, 1), TUE_1000),
        "dailyLossLimit",
        /entries wait until the account is flattened/,
      );
      applyBreach(s, ev.breach);
      assert.equal(s.blockedUntil, null, "flatten does not block");

      const flat = live({ balance: 49_400 });
      assert.equal(evaluate(cfg, s, flat, TUE_1030).breach, null);
      assertPassed(decide(cfg, s, flat, buy(ES, 1), TUE_1030));
      assert.equal(evaluate(cfg, s, holdingEsAt(49_400, 49_300), TUE_1030).breach, null, "it fired once today");

      // A new day, a new limit: it can fire again.
      rollTradingDay(cfg, s, TUE_1701);
      assert.equal(evaluate(cfg, s, holdingEsAt(49_400, 48_900), TUE_1800).breach?.action, "flatten");
    });

    it("none reports the headroom only: no breach, entries pass (TopstepX 'Do nothing')", () => {
      const cfg = trailing("none");
      const s = initialState(cfg, 7, 50_000, MON_1000);
      const ev = evaluate(cfg, s, holdingEsAt(50_000, 49_000), MON_1000);
      assert.deepEqual([ev.breach, ev.headroom.dailyLoss], [null, -500]);
      assertPassed(decide(cfg, s, holdingEsAt(50_000, 49_000), buy(ES, 1), MON_1000));
    });
  });

  describe("position size: micro and mini weighting", () => {
    const cfg = rulesFor("topstep-combine-50k"); // maxContracts 5, microRatio 10
    const s = () => initialState(cfg, 7, 50_000, MON_1000);

    it("4 ES + 10 MES = 5 passes; one more MES is refused", () => {
      assertPassed(decide(cfg, s(), live({ positions: [{ contractId: ES, size: 4 }] }), buy(MES, 10), MON_1000));
      const full = live({
        positions: [
          { contractId: ES, size: 4 },
          { contractId: MES, size: 10 },
        ],
      });
      assert.equal(evaluate(cfg, s(), full, MON_1000).headroom.contracts, 5);
      assertRefused(
        decide(cfg, s(), full, buy(MES, 1), MON_1000),
        "maxContracts",
        /5\.1 mini-equivalent contracts \(10 micros = 1 mini\)/,
        /limit is 5/,
      );
    });

    it("counts absolute size across products and directions (long 2 ES + short 3 CL = 5)", () => {
      const mixed = live({
        positions: [
          { contractId: ES, size: 2 },
          { contractId: CL, size: -3 },
        ],
      });
      assert.equal(exposure(mixed, 10), 5);
      assertRefused(decide(cfg, s(), mixed, buy(MNQ, 1), MON_1000), "maxContracts", /5\.1/);
      assertRefused(decide(cfg, s(), mixed, sell(MNQ, 1), MON_1000), "maxContracts", /5\.1/);
    });

    it("an exit that, with exit orders already working, would reverse the position is judged as an entry", () => {
      const st = s();
      st.killSwitch = true;
      const long2 = live({ positions: [{ contractId: ES, size: 2 }] });
      assert.equal(decide(cfg, st, long2, sell(ES, 2), MON_1000).rule, "exit");
      const withExit = live({
        positions: [{ contractId: ES, size: 2 }],
        workingOrders: [{ contractId: ES, size: -2 }],
      });
      assertRefused(decide(cfg, st, withExit, sell(ES, 2), MON_1000), "killSwitch", /kill switch/);
      assert.equal(
        decide(
          cfg,
          st,
          live({ positions: [{ contractId: ES, size: 2 }], workingOrders: [{ contractId: ES, size: -1 }] }),
          sell(ES, 1),
          MON_1000,
        ).rule,
        "exit",
      );
    });

    it("working entry orders count toward the limit", () => {
      const working = live({
        positions: [{ contractId: ES, size: 4 }],
        workingOrders: [{ contractId: MES, size: 10 }],
      });
      assertRefused(
        decide(cfg, s(), working, buy(MES, 1), MON_1000),
        "maxContracts",
        /counting working orders/,
        /5\.1/,
      );
      // An entry order on the other side of a flat contract can fill too: both sides are worst cases.
      const straddle = live({
        workingOrders: [
          { contractId: ES, size: 3 },
          { contractId: ES, size: -3 },
        ],
      });
      assert.equal(exposure(straddle, 10), 3);
      assertRefused(decide(cfg, s(), straddle, buy(ES, 3), MON_1000), "maxContracts", /6 mini-equivalent/);
      assertPassed(decide(cfg, s(), straddle, buy(ES, 2), MON_1000));
      // An exit order working against a position does not add exposure.
      assert.equal(
        exposure(live({ positions: [{ contractId: ES, size: 4 }], workingOrders: [{ contractId: ES, size: -4 }] }), 10),
        4,
      );
      assert.equal(
        exposure(live({ positions: [{ contractId: ES, size: 4 }], workingOrders: [{ contractId: ES, size: -6 }] }), 10),
        4,
      );
      assert.equal(
        exposure(
          live({ positions: [{ contractId: ES, size: 4 }], workingOrders: [{ contractId: ES, size: -10 }] }),
          10,
        ),
        6,
      );
    });

    it("an order against the position (an exit) is always allowed, a reversal is an entry", () => {
      const full = live({
        positions: [
          { contractId: ES, size: 4 },
          { contractId: MES, size: 10 },
        ],
      });
      assertPassed(decide(cfg, s(), full, sell(ES, 4), MON_1000), "exit");
      assertPassed(decide(cfg, s(), full, sell(MES, 3), MON_1000), "exit");
      assert.equal(isExit(sell(ES, 5), full), false);
      // Sell 10 ES from long 4 ends short 6: over the limit.
      assertRefused(decide(cfg, s(), full, sell(ES, 10), MON_1000), "maxContracts");
    });

    it("microRatio 1 makes a micro a full contract", () => {
      const c = rulesFor("topstep-combine-50k", { microRatio: 1 });
      const four = live({ positions: [{ contractId: ES, size: 4 }] });
      assertPassed(decide(c, initialState(c, 7, 50_000, MON_1000), four, buy(MES, 1), MON_1000));
      assertRefused(
        decide(c, initialState(c, 7, 50_000, MON_1000), four, buy(MES, 2), MON_1000),
        "maxContracts",
        /6 mini-equivalent contracts \(1 micros = 1 mini\)/,
        /limit is 5/,
      );
    });
  });

  describe("scaling plan (Topstep 50K Express Funded Account)", () => {
    it("a new tier takes effect the next session, never intraday", () => {
      const cfg = rulesFor("topstep-xfa-50k");
      const s = initialState(cfg, 9, 0, MON_1000);
      assert.deepEqual([s.floor, s.tierMaxContracts], [-2_000, 2]);

      // Monday: the balance goes to 1,600 intraday. The limit stays 2 (20 micros).
      const up = live({ balance: 1_600 });
      assert.equal(evaluate(cfg, s, up, MON_1400).headroom.maxContracts, 2);
      assertRefused(decide(cfg, s, up, buy(ES, 3), MON_1400), "scaling", /scaling plan allows 2/, /3 mini-equivalent/);
      assertPassed(decide(cfg, s, up, buy(MNQ, 20), MON_1400));
      assertRefused(decide(cfg, s, up, buy(MNQ, 21), MON_1400), "scaling", /2\.1 mini-equivalent/);

      // End of day 1,600 ≥ 1,500: three contracts from the next session (Monday 18:00 CT).
      assert.equal(rollTradingDay(cfg, s, MON_1701), true);
      assert.equal(s.tierMaxContracts, 3);
      assertPassed(decide(cfg, s, up, buy(ES, 3), MON_1800));
      assertRefused(decide(cfg, s, up, buy(ES, 4), MON_1800), "scaling", /scaling plan allows 3/);

      // End of day 2,000: five, which is also the account's maximum.
      closeDay(cfg, s, 2_000, TUE_1000, TUE_1701);
      assert.equal(s.tierMaxContracts, 5);
      assertPassed(decide(cfg, s, live({ balance: 2_000 }), buy(ES, 5), TUE_1800));
      assertRefused(decide(cfg, s, live({ balance: 2_000 }), buy(ES, 6), TUE_1800), "maxContracts", /limit is 5/);

      // A losing day back under 1,500 drops the tier the next session.
      closeDay(cfg, s, 1_400, WED_1000, WED_1701);
      assert.equal(s.tierMaxContracts, 2);
      // The XFA floor trailed from the 2,000 end-of-day high: 0 is the lock.
      assert.deepEqual([s.floor, s.floorLocked], [0, true]);
    });
  });

  describe("trading window: 15:10 CT close, cutoffs, DST, weekends, early closes", () => {
    const cfg = rulesFor("topstep-combine-50k"); // entryCutoff 15:00, flattenAt 15:05, close 15:10
    const st = () => initialState(cfg, 7, 50_000, MON_1000);
    const held = holdingEsAt(50_000, 50_000);
    const entryAt = (now: number) => decide(cfg, st(), live(), buy(ES, 1), now);

    const sides: Array<[string, Record<string, string>]> = [
      // Friday 6 March 2026 is CST (UTC-6): 14:59 CT = 20:59Z.
      [
        "Friday 6 March 2026 (CST, UTC-6)",
        {
          "14:59": "2026-03-06T20:59:00Z",
          "15:01": "2026-03-06T21:01:00Z",
          "15:04": "2026-03-06T21:04:00Z",
          "15:05": "2026-03-06T21:05:00Z",
          "15:09": "2026-03-06T21:09:00Z",
        },
      ],
      // Monday 9 March 2026 is CDT (UTC-5) after the 8 March change: 14:59 CT = 19:59Z.
      [
        "Monday 9 March 2026 (CDT, UTC-5)",
        {
          "14:59": "2026-03-09T19:59:00Z",
          "15:01": "2026-03-09T20:01:00Z",
          "15:04": "2026-03-09T20:04:00Z",
          "15:05": "2026-03-09T20:05:00Z",
          "15:09": "2026-03-09T20:09:00Z",
        },
      ],
      // Friday 30 October 2026 is still CDT (UTC-5).
      [
        "Friday 30 October 2026 (CDT, UTC-5)",
        {
          "14:59": "2026-10-30T19:59:00Z",
          "15:01": "2026-10-30T20:01:00Z",
          "15:04": "2026-10-30T20:04:00Z",
          "15:05": "2026-10-30T20:05:00Z",
          "15:09": "2026-10-30T20:09:00Z",
        },
      ],
      // Monday 2 November 2026 is CST (UTC-6) after the 1 November change.
      [
        "Monday 2 November 2026 (CST, UTC-6)",
        {
          "14:59": "2026-11-02T20:59:00Z",
          "15:01": "2026-11-02T21:01:00Z",
          "15:04": "2026-11-02T21:04:00Z",
          "15:05": "2026-11-02T21:05:00Z",
          "15:09": "2026-11-02T21:09:00Z",
        },
      ],
    ];
    for (const [label, t] of sides) {
      it(`cuts entries off at 15:00 CT and flattens at 15:05 CT on ${label}`, () => {
        assertPassed(entryAt(at(t["14:59"]!)));
        assertRefused(
          entryAt(at(t["15:01"]!)),
          "tradingWindow",
          /No new entries after 15:00 Chicago time \(the session closes at 15:10\)/,
        );
        assertRefused(entryAt(at(t["15:09"]!)), "tradingWindow", /No new entries after 15:05 Chicago time/);
        // Exits pass after the cutoff.
        assertPassed(decide(cfg, st(), held, sell(ES, 1), at(t["15:09"]!)), "exit");

        assert.equal(evaluate(cfg, st(), held, at(t["15:04"]!)).breach, null);
        const ev = evaluate(cfg, st(), held, at(t["15:05"]!));
        assert.ok(ev.breach);
        assert.deepEqual([ev.breach.rule, ev.breach.action], ["sessionFlatten", "flattenAndBlock"]);
        assertSentence(ev.breach.reason);
        assert.match(ev.breach.reason, /past 15:05 Chicago time, the scheduled flatten before the 15:10 close/);
        assert.equal(evaluate(cfg, st(), live(), at(t["15:05"]!)).breach, null, "nothing to flatten when flat");
      });
    }

    it("the same UTC instant is inside the session in CST and after the close in CDT", () => {
      // 20:59Z: 14:59 CST on Friday 6 March, 15:59 CDT on Monday 9 March.
      assertPassed(entryAt(at("2026-03-06T20:59:00Z")));
      assertRefused(
        entryAt(at("2026-03-09T20:59:00Z")),
        "tradingWindow",
        /The session is closed: Topstep's trading day runs 17:00 to 15:10 Chicago time, Sunday to Friday\./,
      );
      assert.equal(sessionAt(cfg, at("2026-03-09T20:59:00Z")).open, false);
    });

    it("refuses entries on Saturday, Friday evening and Sunday before 17:00 CT", () => {
      assertRefused(entryAt(at("2026-03-06T21:30:00Z")), "tradingWindow", /session is closed/); // Friday 15:30 CST
      assertRefused(entryAt(at("2026-03-06T23:30:00Z")), "tradingWindow", /session is closed/); // Friday 17:30 CST
      assertRefused(entryAt(at("2026-03-07T18:00:00Z")), "tradingWindow", /session is closed/); // Saturday 12:00 CST
      assertRefused(entryAt(at("2026-03-08T21:59:00Z")), "tradingWindow", /session is closed/); // Sunday 8 March 16:59 CDT
      assertPassed(entryAt(at("2026-03-08T22:01:00Z"))); // Sunday 8 March 17:01 CDT
      assertRefused(entryAt(at("2026-11-01T22:59:00Z")), "tradingWindow", /session is closed/); // Sunday 1 Nov 16:59 CST
      assertPassed(entryAt(at("2026-11-01T23:01:00Z"))); // Sunday 1 Nov 17:01 CST
      assertPassed(entryAt(at("2026-03-10T02:00:00Z"))); // Monday 9 March 21:00 CDT, overnight
      assertRefused(entryAt(at("2026-03-09T21:30:00Z")), "tradingWindow", /session is closed/); // Monday 16:30 CDT
    });

    it("flattens and blocks a position above the contract limit at the scheduled flatten, not only reduces it", () => {
      const over = holdingEsAt(50_000, 50_000, 7); // 7 ES, the 50K Combine allows 5
      const before = evaluate(cfg, st(), over, at("2026-11-02T20:59:00Z")).breach; // Monday 14:59 CST
      assert.deepEqual([before?.rule, before?.action], ["maxContracts", "reduce"]);
      const flatten = evaluate(cfg, st(), over, at("2026-11-02T21:05:00Z")).breach; // Monday 15:05 CST
      assert.deepEqual([flatten?.rule, flatten?.action], ["sessionFlatten", "flattenAndBlock"]);
      const closed = evaluate(cfg, st(), over, at("2026-11-02T21:30:00Z")).breach; // Monday 15:30 CST
      assert.deepEqual([closed?.rule, closed?.action], ["sessionFlatten", "flattenAndBlock"]);
    });

    it("a position still open after the close or over the weekend must be flattened", () => {
      const at1515 = evaluate(cfg, st(), held, at("2026-03-09T20:15:00Z")); // Monday 9 March 15:15 CDT
      assert.equal(at1515.breach?.rule, "sessionFlatten");
      assertSentence(at1515.breach!.reason);
      assert.match(at1515.breach!.reason, /session is closed/);
      assert.equal(at1515.breach!.blockUntil, at("2026-03-09T22:00:00Z"), "until Monday 17:00 CDT");
      assert.equal(evaluate(cfg, st(), held, at("2026-03-07T18:00:00Z")).breach?.rule, "sessionFlatten"); // Saturday 12:00 CST
      assert.equal(evaluate(cfg, st(), live(), at("2026-03-07T18:00:00Z")).breach, null);
      assert.equal(
        evaluate(cfg, st(), held, at("2026-03-10T02:00:00Z")).breach,
        null,
        "overnight inside the session is fine",
      );
    });

    it("an early close moves the close, and cutoff and flatten keep their distance to it", () => {
      const c = rulesFor("topstep-combine-50k", { session: { earlyCloses: { "2026-11-27": "12:00" } } });
      assert.equal(c.session.close, "15:10", "the other session times stay");
      const s = () => initialState(c, 7, 50_000, MON_1000);
      // Friday 27 November 2026, CST (UTC-6). Close 12:00 → cutoff 11:50, flatten 11:55.
      const info = sessionAt(c, at("2026-11-27T17:49:00Z"));
      assert.deepEqual(
        [info.open, info.closeLabel, info.cutoffLabel, info.flattenLabel],
        [true, "12:00", "11:50", "11:55"],
      );
      assertPassed(decide(c, s(), live(), buy(ES, 1), at("2026-11-27T17:49:00Z"))); // 11:49 CST
      assertRefused(
        decide(c, s(), live(), buy(ES, 1), at("2026-11-27T17:51:00Z")),
        "tradingWindow", // 11:51 CST
        /No new entries after 11:50 Chicago time \(the session closes at 12:00\)/,
      );
      assert.equal(evaluate(c, s(), held, at("2026-11-27T17:54:00Z")).breach, null); // 11:54 CST
      const ev = evaluate(c, s(), held, at("2026-11-27T17:55:00Z")); // 11:55 CST
      assert.equal(ev.breach?.rule, "sessionFlatten");
      assert.match(ev.breach!.reason, /past 11:55 Chicago time, the scheduled flatten before the 12:00 close/);
      assertRefused(
        decide(c, s(), live(), buy(ES, 1), at("2026-11-27T18:01:00Z")),
        "tradingWindow",
        /session is closed/,
        /to 12:00/,
      ); // 12:01 CST
      assertRefused(
        decide(c, s(), live(), buy(ES, 1), at("2026-11-27T20:59:00Z")),
        "tradingWindow",
        /session is closed/,
      ); // 14:59 CST
      // The day before keeps the normal close.
      assertPassed(decide(c, s(), live(), buy(ES, 1), at("2026-11-25T20:59:00Z"))); // Wednesday 25 Nov 14:59 CST
    });
  });

  describe("profit target, consistency and trading days", () => {
    it("marks the target reached and, with stopAtTarget, stops new entries", () => {
      const cfg = rulesFor("topstep-combine-50k", { stopAtTarget: true });
      const s = initialState(cfg, 7, 50_000, MON_1000);
      const short = evaluate(cfg, s, live({ balance: 52_999 }), MON_1000);
      assert.deepEqual([short.headroom.profitToTarget, s.targetReached], [1, false]);
      assertPassed(decide(cfg, s, live({ balance: 52_999 }), buy(ES, 1), MON_1000));
      const hit = evaluate(cfg, s, live({ balance: 53_000 }), MON_1000);
      assert.deepEqual([hit.headroom.profitToTarget, s.targetReached, hit.changed], [0, true, true]);
      assertRefused(
        decide(cfg, s, live({ balance: 53_000 }), buy(ES, 1), MON_1000),
        "profitTarget",
        /profit target of \$3,000\.00 is reached/,
      );
      assertPassed(decide(cfg, s, holdingEsAt(53_000, 53_000), sell(ES, 1), MON_1000), "exit");

      const go = rulesFor("topstep-combine-50k");
      const s2 = initialState(go, 7, 50_000, MON_1000);
      evaluate(go, s2, live({ balance: 53_000 }), MON_1000);
      assert.equal(s2.targetReached, true);
      assertPassed(decide(go, s2, live({ balance: 53_000 }), buy(ES, 1), MON_1000));
    });

    it("reports the best day's share of the total profit (consistency)", () => {
      const cfg = rulesFor("topstep-combine-50k");
      const s = initialState(cfg, 7, 50_000, MON_1000);
      closeDay(cfg, s, 51_000, MON_1400, MON_1701); // +1,000
      closeDay(cfg, s, 51_500, TUE_1000, TUE_1701); // +500
      closeDay(cfg, s, 53_000, WED_1000, WED_1701); // +1,500: best day
      const ev = evaluate(cfg, s, live({ balance: 53_000 }), THU_1000);
      assert.deepEqual(s.dailyPnl, { "2026-11-16": 1_000, "2026-11-17": 500, "2026-11-18": 1_500, "2026-11-19": 0 });
      assert.equal(ev.headroom.bestDayShare, 0.5, "1,500 / 3,000: not below 50 % yet");
      // Today's realized P&L counts: +1,000 more makes it 1,500 / 4,000.
      assert.equal(evaluate(cfg, s, live({ balance: 54_000 }), THU_1000).headroom.bestDayShare, 0.38);
      assert.equal(
        evaluate(cfg, initialState(cfg, 7, 50_000, MON_1000), live({ balance: 49_000 }), MON_1000).headroom
          .bestDayShare,
        null,
        "no profit, no share",
      );
    });

    it("reports the minimum trading days from the days with fills", () => {
      const cfg = rulesFor("topstep-combine-50k");
      const s = initialState(cfg, 7, 50_000, MON_1000);
      assert.equal(evaluate(cfg, s, live(), MON_1000).headroom.tradingDays, 0);
      s.tradingDays.push("2026-11-16");
      assert.equal(evaluate(cfg, s, live(), MON_1000).headroom.tradingDays, 1);
      s.tradingDays.push("2026-11-17");
      assert.equal(evaluate(cfg, s, live(), TUE_1000).headroom.tradingDays, 2);
    });
  });

  describe("pacing, kill switch, alert age, symbols and state", () => {
    it("maxOrdersPerMinute counts approvals: the n+1th within 60 s is refused, passes again after a minute", () => {
      const cfg = rulesFor("topstep-combine-50k", { maxOrdersPerMinute: 3 });
      const s = initialState(cfg, 7, 50_000, MON_1000);
      const t0 = MON_1000;
      assertPassed(decide(cfg, s, live(), buy(MNQ, 1), t0));
      assertPassed(decide(cfg, s, live(), buy(MNQ, 1), t0 + 10_000));
      assertRefused(decide(cfg, s, live(), buy(ES, 6), t0 + 15_000), "maxContracts"); // refused: not counted
      assertPassed(
        decide(cfg, s, live({ positions: [{ contractId: MNQ, size: 2 }] }), sell(MNQ, 1), t0 + 16_000),
        "exit",
      ); // exits not counted
      assertPassed(decide(cfg, s, live(), buy(MNQ, 1), t0 + 20_000));
      assert.equal(s.recentOrders.length, 3);
      assertRefused(
        decide(cfg, s, live(), buy(MNQ, 1), t0 + 59_999),
        "maxOrdersPerMinute",
        /3 orders in the last minute; the limit is 3/,
      );
      assertPassed(decide(cfg, s, live(), buy(MNQ, 1), t0 + 60_000), "allRulesPassed");
    });

    it("maxTradesPerDay refuses entries once the day's fills reach it, exits still pass, a new day resets", () => {
      const cfg = rulesFor("topstep-combine-50k", { maxTradesPerDay: 4 });
      const s = initialState(cfg, 7, 50_000, MON_1000);
      s.dayTrades = 3;
      assertPassed(decide(cfg, s, live(), buy(ES, 1), MON_1000));
      s.dayTrades = 4; // 5-lot scaled out 2/2/1 is 4 fills
      assertRefused(
        decide(cfg, s, live(), buy(ES, 1), MON_1000),
        "maxTradesPerDay",
        /4 fills today; the limit is 4 per day/,
      );
      assertPassed(decide(cfg, s, holdingEsAt(50_000, 50_000), sell(ES, 1), MON_1000), "exit");
      rollTradingDay(cfg, s, MON_1701);
      assert.equal(s.dayTrades, 0);
      assertPassed(decide(cfg, s, live(), buy(ES, 1), MON_1800));
    });

    it("the kill switch refuses entries; exits still pass", () => {
      const cfg = rulesFor("topstep-combine-50k");
      const s = initialState(cfg, 7, 50_000, MON_1000);
      s.killSwitch = true;
      assertRefused(decide(cfg, s, live(), buy(ES, 1), MON_1000), "killSwitch", /kill switch is on/, /re-armed/);
      assertPassed(decide(cfg, s, holdingEsAt(50_000, 50_000), sell(ES, 1), MON_1000), "exit");
      assertPassed(decide(cfg, s, holdingEsAt(50_000, 50_000), { action: "flatten" }, MON_1000), "exit");
      s.killSwitch = false;
      assertPassed(decide(cfg, s, live(), buy(ES, 1), MON_1000));
    });

    it("refuses alerts older than maxAlertAgeSeconds", () => {
      const cfg = rulesFor("topstep-combine-50k", { maxAlertAgeSeconds: 10 });
      const s = initialState(cfg, 7, 50_000, MON_1000);
      assertRefused(
        decide(cfg, s, live(), buy(ES, 1, MON_1000 - 11_000), MON_1000),
        "maxAlertAge",
        /The alert is 11\.0 s old; alerts older than 10 s are refused\./,
      );
      assertPassed(decide(cfg, s, live(), buy(ES, 1, MON_1000 - 10_000), MON_1000));
      assertPassed(decide(cfg, s, live(), buy(ES, 1), MON_1000), "allRulesPassed");
    });

    it("allowedSymbols takes the symbol from the contract id (EP → ES, CLE → CL)", () => {
      const cfg = rulesFor("topstep-combine-50k", { allowedSymbols: ["es", " MNQ "] });
      assert.deepEqual(cfg.allowedSymbols, ["ES", "MNQ"]);
      const s = initialState(cfg, 7, 50_000, MON_1000);
      assertPassed(decide(cfg, s, live(), buy(ES, 1), MON_1000));
      assertPassed(decide(cfg, s, live(), buy(MNQ, 1), MON_1000));
      assertRefused(
        decide(cfg, s, live(), buy(CL, 1), MON_1000),
        "allowedSymbols",
        /CL is not in the allowed symbols \(ES, MNQ\)/,
      );
      assertRefused(decide(cfg, s, live(), buy(MES, 1), MON_1000), "allowedSymbols", /MES is not/);
      // A CL position opened elsewhere can still be closed.
      assertPassed(decide(cfg, s, live({ positions: [{ contractId: CL, size: 2 }] }), sell(CL, 2), MON_1000), "exit");
    });

    it("does not breach again every second once flattened at the floor and blocked", () => {
      const cfg = rulesFor("topstep-combine-50k");
      const s = initialState(cfg, 7, 50_000, MON_1000);
      const under = live({ balance: 47_900 });
      const first = evaluate(cfg, s, live({ balance: 47_900, positions: [{ contractId: ES, size: 1 }] }), MON_1000)
        .breach!;
      assert.equal(first.rule, "maxLossLimit");
      applyBreach(s, first);
      assert.equal(evaluate(cfg, s, under, MON_1000).breach, null, "flat and blocked: nothing left to do");
      assert.equal(
        evaluate(cfg, s, live({ balance: 47_900, positions: [{ contractId: ES, size: 1 }] }), MON_1000).breach?.rule,
        "maxLossLimit",
        "a position again: flatten again",
      );
    });

    it("an unconfirmed account state refuses orders, even exits judged on a stale book; close and flatten pass", () => {
      const cfg = rulesFor("topstep-combine-50k");
      const s = initialState(cfg, 7, 50_000, MON_1000);
      assertRefused(
        decide(cfg, s, live({ synced: false }), buy(ES, 1), MON_1000),
        "stateUnknown",
        /not confirmed by the gateway/,
      );
      // The book may be stale (a stop filled while disconnected): a "sell 1" could open a short.
      assertRefused(
        decide(cfg, s, live({ synced: false, positions: [{ contractId: ES, size: 1 }] }), sell(ES, 1), MON_1000),
        "stateUnknown",
        /close, cancel and flatten still work/,
      );
      assertPassed(
        decide(
          cfg,
          s,
          live({ synced: false, positions: [{ contractId: ES, size: 1 }] }),
          { action: "close", contractId: ES },
          MON_1000,
        ),
        "exit",
      );
      // A position without a quote: equity, and the distance to the floor, are unknown. Fail closed.
      const unmarked = live({ openPnlComplete: false, positions: [{ contractId: ES, size: 1 }] });
      assertRefused(decide(cfg, s, unmarked, buy(MNQ, 1), MON_1000), "stateUnknown", /no quote/);
      assertPassed(decide(cfg, s, unmarked, sell(ES, 1), MON_1000), "exit");
      // The kill switch is the reason the trader sees while it is on, quote or no quote.
      s.killSwitch = true;
      assertRefused(decide(cfg, s, unmarked, buy(MNQ, 1), MON_1000), "killSwitch", /kill switch/);
    });

    it("exits, flattens and cancels always pass, even when everything is blocked; a modify is never an exit by itself", () => {
      const cfg = rulesFor("topstep-combine-50k");
      const s = initialState(cfg, 7, 50_000, MON_1000);
      s.killSwitch = true;
      s.blockedUntil = Number.POSITIVE_INFINITY;
      s.blockedBy = "maxLossLimit";
      s.blockedReason = "Equity reached the floor.";
      const a = live({
        synced: false,
        openPnlComplete: false,
        balance: 47_000,
        positions: [{ contractId: ES, size: -2 }],
      });
      const saturday = at("2026-03-07T18:00:00Z"); // Saturday 12:00 CST: session closed too
      for (const intent of [
        { action: "cancel" },
        { action: "cancelAll" },
        { action: "close", contractId: ES },
        { action: "partialClose", contractId: ES, quantity: 1 },
        { action: "flatten" },
      ] satisfies GateIntent[]) {
        assertPassed(decide(cfg, s, a, intent, saturday), "exit");
      }
      // Exit orders pass when the account is confirmed, whatever else blocks.
      for (const intent of [buy(ES, 2), buy(ES, 1)])
        assertPassed(decide(cfg, s, { ...a, synced: true }, intent, saturday), "exit");
      assertRefused(decide(cfg, s, a, buy(ES, 3), saturday), "stateUnknown");
      assertRefused(decide(cfg, s, a, { action: "modify", contractId: ES, quantity: 5 }, saturday), "stateUnknown");
      // The guard judges a modify as the order it leaves working (test/nodes/guard-states.test.ts).
      assertRefused(
        decide(
          cfg,
          s,
          { ...a, synced: true, openPnlComplete: true },
          { action: "modify", orderId: 1, priceChange: true },
          saturday,
        ),
        "killSwitch",
      );
    });
  });

  describe("rulesFor: profiles as data, overrides, validation", () => {
    const combine: Array<[string, number, number, number, number]> = [
      ["topstep-combine-50k", 50_000, 3_000, 2_000, 5],
      ["topstep-combine-100k", 100_000, 6_000, 3_000, 10],
      ["topstep-combine-150k", 150_000, 9_000, 4_500, 15],
    ];
    for (const [name, size, target, mll, contracts] of combine) {
      it(`${name}: start ${size}, target ${target}, MLL ${mll} locked at the start, ${contracts} contracts`, () => {
        const r = rulesFor(name);
        assert.equal(r.profile, name);
        assert.equal(r.startBalance, size);
        assert.deepEqual(r.lossFloor, { mode: "trailingEod", amount: mll, lockAt: size });
        assert.deepEqual([r.maxContracts, r.microRatio, r.profitTarget], [contracts, 10, target]);
        assert.deepEqual(r.session, {
          open: "17:00",
          close: "15:10",
          entryCutoff: "15:00",
          flattenAt: "15:05",
          earlyCloses: {},
        });
        assert.deepEqual(
          [r.dailyLoss, r.scaling, r.stopAtTarget, r.flattenBuffer, r.allowedSymbols],
          [undefined, undefined, false, 0, []],
        );
        assert.equal(initialState(r, 1, size, MON_1000).floor, size - mll);
      });
    }

    const xfa: Array<[string, number, number, number[], number[]]> = [
      ["topstep-xfa-50k", 2_000, 5, [2, 3, 5], [1_500, 2_000]],
      ["topstep-xfa-100k", 3_000, 10, [3, 4, 5, 10], [1_500, 2_000, 3_000]],
      ["topstep-xfa-150k", 4_500, 15, [3, 4, 5, 10, 15], [1_500, 2_000, 3_000, 4_500]],
    ];
    for (const [name, mll, contracts, tiers, thresholds] of xfa) {
      it(`${name}: start 0, MLL ${mll} locked at 0, scaling ${tiers.join(" → ")}`, () => {
        const r = rulesFor(name);
        assert.equal(r.startBalance, 0);
        assert.deepEqual(r.lossFloor, { mode: "trailingEod", amount: mll, lockAt: 0 });
        assert.equal(r.maxContracts, contracts);
        assert.deepEqual(
          r.scaling!.map((t) => t.maxContracts),
          tiers,
        );
        assert.deepEqual(
          r.scaling!.slice(1).map((t) => t.minProfit),
          thresholds,
        );
        assert.deepEqual([r.profitTarget, r.dailyLoss], [undefined, undefined], "no target, no DLL on TopstepX");
        const s = initialState(r, 1, 0, MON_1000);
        assert.deepEqual([s.floor, s.tierMaxContracts], [-mll, tiers[0]]);
      });
    }

    it("keeps the profiles as plain data", () => {
      assert.deepEqual(Object.keys(PROFILES).sort(), [
        "topstep-combine-100k",
        "topstep-combine-150k",
        "topstep-combine-50k",
        "topstep-xfa-100k",
        "topstep-xfa-150k",
        "topstep-xfa-50k",
      ]);
      assert.deepEqual(JSON.parse(JSON.stringify(PROFILES)), PROFILES);
    });

    it("merges overrides over the profile, the session field by field", () => {
      const r = rulesFor("topstep-combine-50k", {
        maxContracts: 3,
        flattenBuffer: 250,
        dailyLoss: { amount: 500, mode: "trailing" },
        session: { entryCutoff: "14:30" },
      });
      assert.equal(r.maxContracts, 3);
      assert.equal(r.flattenBuffer, 250);
      assert.deepEqual(r.dailyLoss, { amount: 500, mode: "trailing", action: "flattenAndBlock" });
      assert.deepEqual(r.session, {
        open: "17:00",
        close: "15:10",
        entryCutoff: "14:30",
        flattenAt: "15:05",
        earlyCloses: {},
      });
      assert.deepEqual([r.profitTarget, r.lossFloor?.amount], [3_000, 2_000], "the rest of the profile stays");
      // Undefined overrides leave the profile's value; numbers from a form are coerced.
      assert.equal(rulesFor("topstep-combine-50k", { maxContracts: undefined }).maxContracts, 5);
      assert.equal(rulesFor("topstep-combine-50k", { maxContracts: "4" }).maxContracts, 4);
      // A custom profile is built from the overrides alone.
      const custom = rulesFor("custom", { startBalance: 25_000, lossFloor: { amount: 1_500 } });
      assert.deepEqual(
        [custom.profile, custom.lossFloor, custom.session.close],
        ["custom", { mode: "trailingEod", amount: 1_500 }, "15:10"],
      );
      assert.equal(initialState(custom, 1, 25_000, MON_1000).floor, 23_500);
    });

    it("throws an error naming the field of a bad override", () => {
      const bad: Array<[Parameters<typeof rulesFor>[1], RegExp]> = [
        [{ maxContracts: 0 }, /^maxContracts: /],
        [{ microRatio: 2.5 }, /^microRatio: /],
        [{ flattenBuffer: -1 }, /^flattenBuffer: /],
        [{ startBalance: "lots" }, /^startBalance: /],
        [{ lossFloor: { amount: -2_000 } }, /^lossFloor\.amount: /],
        [{ dailyLoss: { amount: 500, mode: "sliding" as "fixed" } }, /^dailyLoss\.mode: /],
        [{ session: { entryCutoff: "3pm" } }, /^session\.entryCutoff: use HH:MM \(24 h, Chicago time\)$/],
        [{ session: { earlyCloses: { "27/11/2026": "12:00" } } }, /^session\.earlyCloses/],
        [{ scaling: [{ minProfit: 0, maxContracts: 0 }] }, /^scaling\.0\.maxContracts: /],
      ];
      for (const [overrides, message] of bad)
        assert.throws(() => rulesFor("topstep-combine-50k", overrides), { message }, JSON.stringify(overrides));
      assert.throws(() => rulesFor("topstep-200k"), {
        message: /^profile: unknown profile "topstep-200k" \(known: topstep-combine-50k, .*custom\)$/,
      });
      assert.throws(() => rulesFor("custom"), { message: /^startBalance: / });
    });
  });
});
