import { strict as assert } from "node:assert";
import { settleFloor } from "../../src/core/rules/floor-check";
import { rebuildEodHistory } from "../../src/core/rules/floor-history";
import { accountKindOf, profileMismatch } from "../../src/core/rules/profile-check";
import { initialState } from "../../src/core/rules/rule-state";
import { rulesFor } from "../../src/core/rules/rules-config";
import type { Trade } from "../../src/core/schemas";

const CT = (day: number, hhmm: string) => Date.parse(`2026-11-${String(day).padStart(2, "0")}T${hhmm}:00-06:00`);
let nextId = 1;
function fill(at: number, pnl: number | null, fees: number, extra: Partial<Trade> = {}): Trade {
  return {
    id: nextId++,
    accountId: 1,
    contractId: "CON.F.US.MES.Z26",
    creationTimestamp: new Date(at).toISOString(),
    price: 6800,
    profitAndLoss: pnl,
    fees,
    side: 0,
    size: 1,
    voided: false,
    orderId: 1,
    ...extra,
  };
}

describe("core: end-of-day history rebuilt from fills", () => {
  it("sums each 17:00-to-17:00 trading day net of fees and takes the highest closed day", () => {
    const trades = [
      fill(CT(23, "09:00"), null, 0.74),
      fill(CT(23, "10:00"), 1_000, 0.74), // the 23rd: +998.52
      fill(CT(23, "17:30"), null, 0.74),
      fill(CT(23, "18:00"), -600, 0.74), // after 17:00: the 24th, −601.48
    ];
    const h = rebuildEodHistory(trades, 50_000, 50_397.04, CT(25, "09:00"));
    assert.equal(h.reconciled, true);
    assert.deepEqual(
      h.days.map((d) => [d.tradingDay, d.pnl, d.eodBalance, d.closed]),
      [
        ["2026-11-23", 998.52, 50_998.52, true],
        ["2026-11-24", -601.48, 50_397.04, true],
      ],
    );
    assert.equal(h.eodHigh, 50_998.52);
    assert.equal(h.todayStartBalance, 50_397.04);
  });

  it("leaves today's open day out of the end-of-day high", () => {
    const h = rebuildEodHistory([fill(CT(25, "09:00"), 800, 0)], 50_000, 50_800, CT(25, "10:00"));
    assert.deepEqual([h.reconciled, h.eodHigh, h.todayStartBalance, h.balanceHigh], [true, 50_000, 50_000, 50_800]);
  });

  it("ignores voided and repeated fills, and charges commissions only when the balance says they were charged", () => {
    const a = fill(CT(24, "09:00"), 100, 1, { commissions: 0.5 });
    const trades = [a, { ...a }, fill(CT(24, "09:05"), 5_000, 0, { voided: true })];
    assert.equal(rebuildEodHistory(trades, 50_000, 50_099, CT(25, "09:00")).withCommissions, false);
    const charged = rebuildEodHistory(trades, 50_000, 50_098.5, CT(25, "09:00"));
    assert.deepEqual([charged.reconciled, charged.withCommissions], [true, true]);
    // A balance neither explains is compared with what the fills were charged: fees and commissions.
    const unexplained = rebuildEodHistory(trades, 50_000, 51_234, CT(25, "09:00"));
    assert.deepEqual([unexplained.reconciled, unexplained.rebuiltBalance], [false, 50_098.5]);
  });

  it("does not reconcile when the balance holds more than the fills explain", () => {
    const h = rebuildEodHistory([fill(CT(24, "09:00"), 100, 0)], 50_000, 51_500, CT(25, "09:00"));
    assert.deepEqual([h.reconciled, h.rebuiltBalance], [false, 50_100]);
  });
});

describe("core: profile against account", () => {
  it("reads TopstepX account names", () => {
    assert.deepEqual(accountKindOf("50KTC-V2-123456-7890"), { kind: "combine", size: 50_000 });
    assert.deepEqual(accountKindOf("150KTC-V2-478426-52758441"), { kind: "combine", size: 150_000 });
    assert.deepEqual(accountKindOf("XFA-150K-V2-551001-86041837"), { kind: "xfa", size: 150_000 });
    assert.deepEqual(accountKindOf("PRAC-V2-14334-56363256"), { kind: "practice", size: null });
    assert.deepEqual(accountKindOf("My account"), { kind: null, size: null });
  });

  it("judges a Practice account by its balance only, and an unknown name too", () => {
    assert.equal(profileMismatch(rulesFor("topstep-combine-50k"), { name: "PRAC-V2-1-2", balance: 50_000 }), null);
    assert.match(
      profileMismatch(rulesFor("topstep-combine-50k"), { name: "PRAC-V2-1-2", balance: 157_688.19 }) ?? "",
      /between \$46,000\.00 and \$70,000\.00/,
    );
    assert.equal(profileMismatch(rulesFor("topstep-xfa-100k"), { name: "anything", balance: 1_250 }), null);
  });

  it("catches a name of the other kind even when the balance fits", () => {
    assert.match(
      profileMismatch(rulesFor("topstep-combine-50k"), { name: "XFA-V2-1-2", balance: 50_000 }) ?? "",
      /the name says Express Funded, the profile is Trading Combine/,
    );
  });
});

describe("core: settling the floor at start", () => {
  const cfg = rulesFor("topstep-combine-50k");
  it("holds entries when the history could not be read and no floor was entered, and lets a floor entered in", () => {
    const s = initialState(cfg, 1, 50_500, CT(25, "09:00"));
    const held = settleFloor(cfg, s, null, "Trade/search: HTTP 503", undefined, 50_500, CT(25, "09:00"));
    assert.equal(held.hold?.rule, "floorUnknown");
    assert.match(held.hold?.reason ?? "", /could not be read \(Trade\/search: HTTP 503\)/);
    const shown = settleFloor(cfg, s, null, "Trade/search: HTTP 503", 49_000, 50_500, CT(25, "09:00"));
    assert.deepEqual([shown.hold, shown.check.source, s.floor], [null, "shown", 49_000]);
  });

  it("refuses a floor entered at or above the balance rather than flatten on a typo", () => {
    const s = initialState(cfg, 1, 50_000, CT(25, "09:00"));
    const r = settleFloor(
      cfg,
      s,
      rebuildEodHistory([], 50_000, 50_000, CT(25, "09:00")),
      null,
      490_000,
      50_000,
      CT(25, "09:00"),
    );
    assert.equal(r.hold?.rule, "floorUnknown");
    assert.equal(s.floor, 48_000);
  });

  it("keeps the journal's higher floor over the history's, and says so", () => {
    const s = initialState(cfg, 1, 50_000, CT(25, "09:00"));
    s.eodHigh = 50_700;
    const r = settleFloor(
      cfg,
      s,
      rebuildEodHistory([], 50_000, 50_000, CT(25, "09:00")),
      null,
      undefined,
      50_000,
      CT(25, "09:00"),
    );
    assert.deepEqual([r.check.source, r.check.fromHistory, s.floor], ["state", 48_000, 48_700]);
    assert.match(r.check.note ?? "", /higher one is kept/);
  });
});
