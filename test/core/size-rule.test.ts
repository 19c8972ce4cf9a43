import { strict as assert } from "node:assert";
import { SizeRule, sizeBy } from "../../src/core/groups/size-rule";

const MNQ = { id: "CON.F.US.MNQ.Z26", tickValue: 0.5 };
const NQ = { id: "CON.F.US.ENQ.Z26", tickValue: 5 };

describe("core: size rules of a group's accounts", () => {
  it("sends a fixed size whatever the alert asked", () => {
    assert.deepEqual(sizeBy({ kind: "fixed", quantity: 3 }, { quantity: 1, contract: MNQ }), { quantity: 3 });
  });

  it("multiplies the alert's quantity, rounding down, and refuses less than one contract", () => {
    assert.deepEqual(sizeBy({ kind: "multiplier", factor: 2 }, { quantity: 3, contract: MNQ }), { quantity: 6 });
    // 3 × 0.1 is 0.30000000000000004 in floats, and 10 × 0.3 is 3.0000000000000004: neither may round wrong.
    assert.deepEqual(sizeBy({ kind: "multiplier", factor: 0.3 }, { quantity: 10, contract: MNQ }), { quantity: 3 });
    const none = sizeBy({ kind: "multiplier", factor: 0.5 }, { quantity: 1, contract: MNQ });
    assert.equal(none.quantity, 0);
    assert.match("reason" in none ? none.reason : "", /1 × 0.5 is less than one contract/);
  });

  it("sizes a dollar risk from the stop distance, fees and commissions on both sides included", () => {
    // MNQ: 40 ticks × $0.50 = $20, + 2 × (0.37 + 0.25) = $21.24 a contract; $200 → 9 contracts.
    assert.deepEqual(sizeBy({ kind: "risk", dollars: 200 }, { quantity: 1, contract: MNQ, stopTicks: 40 }), {
      quantity: 9,
    });
    assert.deepEqual(
      sizeBy({ kind: "risk", dollars: 200, maxContracts: 5 }, { quantity: 1, contract: MNQ, stopTicks: 40 }),
      { quantity: 5 },
    );
    // The account's own charged cost wins over the table: $20 + 2 × $2.50 = $25 → 8.
    assert.deepEqual(
      sizeBy({ kind: "risk", dollars: 200 }, { quantity: 1, contract: MNQ, stopTicks: 40, costPerSide: 2.5 }),
      { quantity: 8 },
    );
  });

  it("refuses a dollar risk without a stop, or when one contract already loses more", () => {
    const noStop = sizeBy({ kind: "risk", dollars: 200 }, { quantity: 1, contract: NQ });
    assert.match("reason" in noStop ? noStop.reason : "", /needs a stop-loss in ticks/);
    // NQ: 40 ticks × $5 = $200, + 2 × $1.90 = $203.80 > $200.
    const tooBig = sizeBy({ kind: "risk", dollars: 200 }, { quantity: 1, contract: NQ, stopTicks: 40 });
    assert.equal(tooBig.quantity, 0);
    assert.match("reason" in tooBig ? tooBig.reason : "", /\$203\.80 at a 40-tick stop/);
  });

  it("names the field of a bad rule", () => {
    const r = SizeRule.safeParse({ kind: "fixed", quantity: 0 });
    assert.equal(r.success, false);
    assert.deepEqual(r.error?.issues[0]?.path, ["quantity"]);
  });
});
