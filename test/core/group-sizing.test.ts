import { strict as assert } from "node:assert";
import { RequestBudget } from "../../src/core/gateway/request-budget";
import { type GroupDay, groupReport, groupReportCsv } from "../../src/core/groups/group-report";
import { memberRequest } from "../../src/core/groups/member-intent";
import type { GateRequest } from "../../src/core/rules/order-gate";

const MNQ = { contract: { id: "CON.F.US.MNQ.Z26", tickValue: 0.5 } };
const buy = (o: Partial<GateRequest> = {}): GateRequest => ({
  action: "place",
  type: "market",
  symbol: "MNQ",
  side: "buy",
  quantity: 4,
  ...o,
});

describe("core: one member's share of a group's alert", () => {
  it("sizes an entry by the member's rule and puts the member's account in place of the alert's", () => {
    const r = memberRequest(buy({ account: 99, id: "a" }), { kind: "multiplier", factor: 0.5 }, 10003, MNQ);
    assert.ok("request" in r);
    assert.deepEqual([r.request.account, r.request.quantity, r.request.id, r.exit], [10003, 2, "a", false]);
  });

  it("leaves an alert sized from a risk unsized, for each member's gate to size from its own headroom", () => {
    const alert = buy({ quantity: undefined, riskPercent: 10, stopLoss: { points: 10 } });
    const r = memberRequest(alert, { kind: "multiplier", factor: 2 }, 10003, MNQ);
    assert.ok("request" in r);
    assert.deepEqual([r.request.account, r.request.quantity, r.request.riskPercent], [10003, undefined, 10]);
  });

  it("refuses a dollar risk without a stop in ticks, and says why a stop given as a price cannot size it", () => {
    const none = memberRequest(buy(), { kind: "risk", dollars: 200 }, 1, MNQ);
    assert.match("refused" in none ? none.refused : "", /needs a stop-loss in ticks/);
    const price = memberRequest(buy({ stopLoss: { price: 24_900 } }), { kind: "risk", dollars: 200 }, 1, MNQ);
    assert.match(
      "refused" in price ? price.refused : "",
      /a stop given as a price is a distance only once this account's entry fills/,
    );
  });

  it("sizes a target position's size, keeps its sign, and passes a flat target as an exit", () => {
    const short = memberRequest(buy({ targetPosition: -4 }), { kind: "multiplier", factor: 0.5 }, 1, MNQ);
    assert.ok("request" in short);
    assert.deepEqual([short.request.targetPosition, short.exit], [-2, false]);
    const flat = memberRequest(buy({ targetPosition: 0 }), { kind: "risk", dollars: 100 }, 1, MNQ);
    assert.ok("request" in flat);
    assert.deepEqual([flat.request.targetPosition, flat.exit], [0, true]);
  });

  it("scales a strategy's position sizes with its order, and closes the whole position when the strategy goes flat", () => {
    const rev = memberRequest(
      buy({ quantity: 6, strategyPosition: { after: "long", before: "short", afterSize: 3, beforeSize: 3 } }),
      { kind: "multiplier", factor: 2 },
      1,
      MNQ,
    );
    assert.ok("request" in rev);
    assert.deepEqual(
      [rev.request.quantity, rev.request.strategyPosition],
      [12, { after: "long", before: "short", afterSize: 6, beforeSize: 6 }],
    );
    const flat = memberRequest(
      buy({ side: "sell", quantity: 3, strategyPosition: { after: "flat", before: "long" } }),
      { kind: "risk", dollars: 100 },
      1,
      MNQ,
    );
    assert.ok("request" in flat);
    assert.deepEqual(
      [flat.request.action, flat.request.quantity, flat.request.side, flat.exit],
      ["close", undefined, undefined, true],
    );
  });

  it("never refuses an order that reduces the account's position: unsized, it closes the alert's quantity, never more than held", () => {
    const risk = { kind: "risk", dollars: 200 } as const;
    // Long 2, the alert sells 3 without a stop: a risk rule cannot size it, so it closes the 2 held.
    const sell = memberRequest(buy({ side: "sell", quantity: 3 }), risk, 1, { ...MNQ, held: 2 });
    assert.ok("request" in sell);
    assert.deepEqual([sell.request.quantity, sell.exit], [2, true]);
    // Flat, the same sell opens a short: the risk rule refuses it without a stop.
    assert.ok("refused" in memberRequest(buy({ side: "sell", quantity: 3 }), risk, 1, { ...MNQ, held: 0 }));
    // ×0.5 of one contract is nothing, but an exit is never rounded away.
    const half = memberRequest(buy({ side: "sell", quantity: 1 }), { kind: "multiplier", factor: 0.5 }, 1, {
      ...MNQ,
      held: 1,
    });
    assert.ok("request" in half);
    assert.deepEqual([half.request.quantity, half.exit], [1, true]);
    // A strategy's partial exit, the position unknown here: the alert's quantity, capped by the gate.
    const partial = memberRequest(
      buy({
        side: "sell",
        quantity: 2,
        strategyPosition: { after: "long", before: "long", afterSize: 1, beforeSize: 3 },
      }),
      risk,
      1,
      MNQ,
    );
    assert.ok("request" in partial);
    assert.deepEqual([partial.request.quantity, partial.exit], [2, true]);
    // A fixed 3 selling while long 1 is a reversal, not an exit.
    const flip = memberRequest(buy({ side: "sell", quantity: 1 }), { kind: "fixed", quantity: 3 }, 1, {
      ...MNQ,
      held: 1,
    });
    assert.ok("request" in flip);
    assert.deepEqual([flip.request.quantity, flip.exit], [3, false]);
  });

  it("scales a partial close by a multiplier, never to nothing; fixed and risk members close the alert's quantity", () => {
    const pc = (rule: Parameters<typeof memberRequest>[1], quantity: number) => {
      const r = memberRequest({ action: "partialClose", type: "market", symbol: "MNQ", quantity }, rule, 1, MNQ);
      assert.ok("request" in r && r.exit);
      return r.request.quantity;
    };
    assert.equal(pc({ kind: "multiplier", factor: 2 }, 3), 6);
    assert.equal(pc({ kind: "multiplier", factor: 0.5 }, 1), 1);
    assert.equal(pc({ kind: "fixed", quantity: 5 }, 2), 2);
    assert.equal(pc({ kind: "risk", dollars: 100 }, 2), 2);
  });
});

describe("core: the request budget's wait for n more requests", () => {
  it("is 0 while they fit, the oldest request's exit from the window after that, and never beyond the lane's ceiling", async () => {
    let now = 1_000_000;
    const b = new RequestBudget({ limit: 10, windowMs: 60_000, reserved: 2 }, { now: () => now });
    for (let i = 0; i < 7; i++) {
      await b.acquire();
      now += 1000;
    }
    assert.equal(b.waitFor(1), 0, "the 8th ordinary request fits");
    // The 9th ordinary one waits for the first to leave the window (63 s after it was sent, 7 s ago).
    assert.equal(b.waitFor(2), 63_000 - 7000);
    assert.equal(b.waitFor(3), 63_000 - 6000);
    assert.equal(b.waitFor(3, "exit"), 0, "the exit lane has the reserve too");
    assert.equal(b.waitFor(9), Number.POSITIVE_INFINITY, "more than the lane's ceiling never fits");
    assert.equal(b.usage().used, 7, "nothing counted");
  });
});

describe("core: a group's compliance report", () => {
  it("sums each trading day over the accounts, in day order, and writes one CSV line per account and day and per group day", () => {
    const day = (tradingDay: string, pnl: number, trades: number) => ({
      tradingDay,
      pnl,
      trades,
      breaches: 0,
      bestDay: false,
    });
    const r = groupReport([
      { account: "a", accountId: 1, days: [day("2026-11-25", 10.1, 2), day("2026-11-24", -5, 1)] },
      { account: "b, big", accountId: 2, days: [day("2026-11-25", 20.2, 4)] },
      { account: "c", accountId: null, days: [], error: "no rules node" },
    ]);
    assert.deepEqual(r.totals, [
      { tradingDay: "2026-11-24", pnl: -5, trades: 1, breaches: 0, accounts: 1 },
      { tradingDay: "2026-11-25", pnl: 30.3, trades: 6, breaches: 0, accounts: 2 },
    ] satisfies GroupDay[]);
    const lines = groupReportCsv(r).trim().split("\n");
    assert.deepEqual(lines.slice(-2), ["group,,2026-11-24,-5.00,1,0,", "group,,2026-11-25,30.30,6,0,"]);
    assert.equal(lines[3], '"b, big",2,2026-11-25,20.20,4,0,false');
  });
});
