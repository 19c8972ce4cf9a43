import { strict as assert } from "node:assert";
import { AlertError, parseAlert } from "../../src/core/alerts/parse-alert";
import { microRootOf } from "../../src/core/contracts/products";
import { contractsWithin, lossPerContract } from "../../src/core/money/risk";
import { bracketTicks } from "../../src/core/orders/order-intent";
import { type RiskOrder, type RiskRoom, sizeFromRisk, UNKNOWN_ROOM } from "../../src/core/orders/risk-order";

const MNQ = { id: "CON.F.US.MNQ.Z26", name: "MNQZ6", tickSize: 0.25, tickValue: 0.5 };
const NQ = { id: "CON.F.US.ENQ.Z26", name: "NQZ6", tickSize: 0.25, tickValue: 5 };
// The product table's fees and commissions a side: MNQ 0.37 + 0.25, NQ 1.40 + 0.50.
const mnq = { contract: MNQ, costPerSide: 0.62 };
const nq = { contract: NQ, costPerSide: 1.9 };
const buy = (o: Partial<RiskOrder>): RiskOrder => ({ side: "buy", stopTicks: 40, full: mnq, ...o });
const room = (headroom: number | null, max = Number.POSITIVE_INFINITY): RiskRoom => ({
  headroom,
  maxContracts: () => max,
});
const parse = (body: object) => parseAlert(JSON.stringify(body), Date.parse("2026-11-25T15:00:30Z")).intent!;

describe("core: sizing an order from a dollar risk", () => {
  it("counts the loss at the stop with fees and commissions both ways, and floors to whole contracts", () => {
    assert.equal(lossPerContract(40, 0.5, 0.62), 21.24);
    assert.equal(contractsWithin(212.4, 21.24), 10);
    assert.equal(contractsWithin(212.39, 21.24), 9);
    // $200 at a 40-tick MNQ stop: 9 contracts (9 × $21.24 = $191.16; 10 would lose $212.40).
    const s = sizeFromRisk(buy({ risk: 200 }), UNKNOWN_ROOM);
    assert.ok(!("reason" in s));
    assert.equal(s.quantity, 9);
    assert.equal(s.lossPerContract, 21.24);
  });

  it("takes a percent of the day's headroom, and caps by the headroom and the contract limit", () => {
    // 10% of $1,000 = $100 → 4 MNQ.
    assert.equal(sizeFromRisk(buy({ riskPercent: 10 }), room(1000)).quantity, 4);
    // $200 risk but $50 of headroom left → 2 contracts.
    assert.equal(sizeFromRisk(buy({ risk: 200 }), room(50)).quantity, 2);
    assert.equal(sizeFromRisk(buy({ risk: 200 }), room(null, 3)).quantity, 3);
    const noPercent = sizeFromRisk(buy({ riskPercent: 10 }), UNKNOWN_ROOM);
    assert.match("reason" in noPercent ? noPercent.reason : "", /riskPercent needs the day's remaining headroom/);
    const noRoom = sizeFromRisk(buy({ risk: 200 }), room(10));
    assert.match(
      "reason" in noRoom ? noRoom.reason : "",
      /one MNQ loses \$21\.24 .* more than the \$10\.00 of headroom/,
    );
  });

  it("refuses with the numbers when not even one contract fits, or falls back to the micro when asked", () => {
    const none = sizeFromRisk(buy({ risk: 15 }), UNKNOWN_ROOM);
    assert.deepEqual(none, {
      quantity: 0,
      field: "risk",
      reason: "one MNQ loses $21.24 at a 40-tick stop (fees included), more than the $15.00 risk",
    });
    // One NQ at 40 ticks loses $203.80; $150 buys 7 MNQ instead ($21.24 each).
    const fallback = sizeFromRisk(buy({ risk: 150, full: nq, micro: mnq }), UNKNOWN_ROOM);
    assert.ok(!("reason" in fallback));
    assert.deepEqual([fallback.quantity, fallback.contract.id, fallback.micro], [7, MNQ.id, true]);
    const fits = sizeFromRisk(buy({ risk: 450, full: nq, micro: mnq }), UNKNOWN_ROOM);
    assert.deepEqual([fits.quantity, "reason" in fits ? "" : fits.contract.id], [2, NQ.id]);
    assert.equal(microRootOf(NQ.id), "MNQ");
    assert.equal(microRootOf("CON.F.US.EP.Z26"), "MES");
    assert.equal(microRootOf(MNQ.id), undefined);
  });

  it("measures a stop in ticks, points, dollars, percent or price, on the tick grid", () => {
    assert.equal(bracketTicks({ ticks: 40 }, "stopLoss", "buy", MNQ, null), 40);
    assert.equal(bracketTicks({ points: 10 }, "stopLoss", "buy", MNQ, null), 40);
    assert.equal(bracketTicks({ dollars: 20.4 }, "stopLoss", "buy", MNQ, null), 40);
    assert.equal(bracketTicks({ percent: 0.04 }, "stopLoss", "buy", MNQ, 25000), 40);
    assert.equal(bracketTicks({ price: 24990.1 }, "stopLoss", "buy", MNQ, 25000), 40);
    assert.throws(() => bracketTicks({ price: 25010 }, "stopLoss", "buy", MNQ, 25000), /wrong side/);
    assert.throws(() => bracketTicks({ dollars: 0.4 }, "stopLoss", "buy", MNQ, null), /less than one tick/);
  });

  it("reads risk, riskPercent and microFallback from an alert, and refuses what cannot size", () => {
    const i = parse({ symbol: "NQ1!", side: "buy", risk: 150, stopLoss: { points: 10 }, microFallback: true });
    assert.deepEqual([i.quantity, i.risk, i.microFallback, i.stopLoss], [undefined, 150, true, { points: 10 }]);
    const tp = parse({ ticker: "MNQ1!", action: "sell", riskPercent: "25", stopLoss: { dollars: 20 } });
    assert.deepEqual([tp.riskPercent, tp.stopLoss], [25, { dollars: 20 }]);
    const fails = (body: object, field: string, re: RegExp) =>
      assert.throws(
        () => parse(body),
        (e: unknown) => e instanceof AlertError && e.field === field && re.test(e.message),
      );
    fails({ symbol: "MNQ1!", side: "buy", risk: 100 }, "risk", /needs a stopLoss/);
    fails({ symbol: "MNQ1!", side: "buy", risk: 100, qty: 1, stopLoss: 40 }, "qty", /give risk or a quantity/);
    fails({ symbol: "MNQ1!", side: "buy", risk: 100, riskPercent: 5, stopLoss: 40 }, "riskPercent", /not both/);
    fails({ symbol: "MNQ1!", side: "buy", riskPercent: 150, stopLoss: 40 }, "riskPercent", /at most 100/);
    fails({ symbol: "MNQ1!", side: "buy", risk: -5, stopLoss: 40 }, "risk", /positive/);
    fails({ symbol: "MNQ1!", side: "buy", quantity: 1, microFallback: true }, "microFallback", /only applies/);
    fails(
      { symbol: "MNQ1!", side: "buy", risk: 100, stopLoss: 40, microFallback: "maybe" },
      "microFallback",
      /true or false/,
    );
    fails({ symbol: "MNQ1!", side: "buy", stopLoss: 40 }, "quantity", /required/);
  });

  it("reads TradersPost's quantityType risk_dollar_amount as a risk, and closes the whole position on its exits", () => {
    const tp = { ticker: "MNQ1!", sentiment: "bullish", quantityType: "risk_dollar_amount", quantity: "150.5" };
    const i = parse({ ...tp, action: "buy", stopLoss: { type: "stop", amount: 10 } });
    assert.deepEqual([i.quantity, i.risk, i.stopLoss], [undefined, 150.5, { points: 10 }]);
    assert.equal(parse({ ...tp, action: "exit", sentiment: "flat" }).action, "close");
    assert.throws(
      () => parse({ ...tp, action: "buy", risk: 100, stopLoss: 40 }),
      (e: unknown) => e instanceof AlertError && e.field === "risk" && /not both/.test(e.message),
    );
  });
});
