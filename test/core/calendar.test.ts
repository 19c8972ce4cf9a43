import { strict as assert } from "node:assert";
import { initialState } from "../../src/core/rules/rule-state";
import { rulesFor } from "../../src/core/rules/rules-config";
import {
  applyBreach,
  decide,
  evaluate,
  type GateIntent,
  type LiveAccount,
  nextSessionOpen,
  type RuleDecision,
  sessionAt,
} from "../../src/core/rules/rules-engine";
import { chicagoTime, isGlobexOpen } from "../../src/core/time/chicago";
import { CME_CALENDAR, cmeDay } from "../../src/core/time/cme-calendar";

const ES = "CON.F.US.EP.Z26";
const at = (iso: string) => Date.parse(iso);
const buy: GateIntent = { action: "place", contractId: ES, quantity: 1 };
const live = (over: Partial<LiveAccount> = {}): LiveAccount => ({
  balance: 50_000,
  openPnl: 0,
  openPnlComplete: true,
  positions: [],
  workingOrders: [],
  synced: true,
  ...over,
});
const held = live({ positions: [{ contractId: ES, size: 1 }] });
const resting = live({ workingOrders: [{ contractId: ES, size: 1 }] });
const cfg = rulesFor("topstep-combine-50k");
const fresh = (c = cfg) => initialState(c, 7, 50_000, at("2026-11-16T16:00:00Z"));

function refused(d: RuleDecision, ...says: RegExp[]): void {
  assert.deepEqual([d.allow, d.rule], [false, "tradingWindow"], d.reason);
  assert.match(d.reason, /^[A-Z].*\.$/);
  for (const r of says) assert.match(d.reason, r);
}
function approved(d: RuleDecision): void {
  assert.deepEqual([d.allow, d.rule], [true, "allRulesPassed"], d.reason);
}

// Winter dates are CST (UTC-6): Chicago = UTC - 6 h.
describe("core: the CME holiday calendar in the rules and Globex hours", () => {
  it("refuses entries on Christmas 2026, from the evening before, naming the holiday", () => {
    refused(decide(cfg, fresh(), live(), buy, at("2026-12-25T16:00:00Z")), /^CME is closed for Christmas Day/); // Fri 10:00 CT
    refused(decide(cfg, fresh(), live(), buy, at("2026-12-24T23:30:00Z")), /Christmas Day/); // Thu 17:30 CT: Friday's session
    const s = sessionAt(cfg, at("2026-12-25T16:00:00Z"));
    assert.deepEqual(
      [s.open, s.closedReason],
      [false, "CME is closed for Christmas Day: there is no session on trading day 2026-12-25."],
    );
  });

  it("refuses entries on New Year's Day 2027 and approves them on New Year's Eve", () => {
    refused(decide(cfg, fresh(), live(), buy, at("2027-01-01T16:00:00Z")), /CME is closed for New Year's Day/);
    approved(decide(cfg, fresh(), live(), buy, at("2026-12-31T16:00:00Z")));
  });

  it("closes the day after Thanksgiving 2026 at 12:15 CT: approves at 11:00, refuses from the 12:05 cutoff and after the close", () => {
    approved(decide(cfg, fresh(), live(), buy, at("2026-11-27T17:00:00Z"))); // 11:00 CT
    refused(
      decide(cfg, fresh(), live(), buy, at("2026-11-27T18:06:00Z")),
      /No new entries after 12:05 Chicago time \(the session closes at 12:15\)/,
    );
    refused(
      decide(cfg, fresh(), live(), buy, at("2026-11-27T18:20:00Z")),
      /the day after Thanksgiving closes early/,
      /17:00 to 12:15 Chicago time today/,
    ); // 12:20 CT
    refused(decide(cfg, fresh(), live(), buy, at("2026-11-27T20:00:00Z")), /closes early/); // 14:00 CT
    assert.equal(evaluate(cfg, fresh(), held, at("2026-11-27T18:09:00Z")).breach, null);
    const ev = evaluate(cfg, fresh(), held, at("2026-11-27T18:10:00Z")); // 12:10 CT
    assert.equal(ev.breach?.rule, "sessionFlatten");
    assert.match(ev.breach!.reason, /past 12:10 Chicago time, the scheduled flatten before the 12:15 close/);
  });

  it("halts Thanksgiving at 12:00 CT and opens Friday's session at 17:00", () => {
    approved(decide(cfg, fresh(), live(), buy, at("2026-11-26T17:00:00Z"))); // Thu 11:00 CT
    refused(decide(cfg, fresh(), live(), buy, at("2026-11-26T18:30:00Z")), /Thanksgiving Day closes early/); // 12:30 CT
    approved(decide(cfg, fresh(), live(), buy, at("2026-11-26T23:30:00Z"))); // Thu 17:30 CT
    assert.equal(evaluate(cfg, fresh(), held, at("2026-11-26T17:55:00Z")).breach?.rule, "sessionFlatten"); // 11:55 CT
  });

  it("skips holidays for the next open: a block on Christmas Eve runs to Sunday 27 December 17:00", () => {
    assert.equal(nextSessionOpen(cfg, at("2026-12-24T18:10:00Z")), at("2026-12-27T23:00:00Z"));
    assert.equal(nextSessionOpen(cfg, at("2026-12-31T21:05:00Z")), at("2027-01-03T23:00:00Z"));
    assert.equal(
      nextSessionOpen(cfg, at("2026-04-02T20:05:00Z")),
      at("2026-04-05T22:00:00Z"),
      "Good Friday 2026 (CDT)",
    );
    assert.equal(
      nextSessionOpen(cfg, at("2026-11-26T18:05:00Z")),
      at("2026-11-26T23:00:00Z"),
      "Thanksgiving reopens at 17:00 for Friday",
    );
    const ev = evaluate(cfg, fresh(), held, at("2026-12-24T18:10:00Z"));
    assert.equal(ev.breach?.blockUntil, at("2026-12-27T23:00:00Z"));
  });

  it("lets the trader's early closes replace or add days, and calendar none switch the table off", () => {
    const own = rulesFor("topstep-combine-50k", {
      session: { earlyCloses: { "2026-12-24": "closed", "2026-12-25": "12:00", "2026-12-30": "11:00" } },
    });
    refused(
      decide(own, fresh(own), live(), buy, at("2026-12-24T16:00:00Z")),
      /^Trading day 2026-12-24 \(Christmas Eve\) is closed in the rules' early closes \(session\.earlyCloses\): there is no session\.$/,
    );
    approved(decide(own, fresh(own), live(), buy, at("2026-12-25T16:00:00Z")));
    refused(decide(own, fresh(own), live(), buy, at("2026-12-30T17:30:00Z")), /today closes early/, /to 11:00/);
    approved(decide(own, fresh(own), live(), buy, at("2026-11-27T17:00:00Z")));
    refused(decide(own, fresh(own), live(), buy, at("2026-11-27T18:20:00Z")), /to 12:15/);
    const none = rulesFor("custom", { startBalance: 50_000, calendar: "none" });
    approved(decide(none, fresh(none), live(), buy, at("2026-12-25T16:00:00Z")));
    assert.throws(
      () => rulesFor("topstep-combine-50k", { session: { earlyCloses: { "2026-12-24": "noon" } } }),
      /^Error: session\.earlyCloses\.2026-12-24: use HH:MM \(24 h, Chicago time\) or "closed"$/,
    );
  });

  it("is the one table behind the rules and Globex hours: every closed day is closed in both", () => {
    for (const [day, entry] of Object.entries(CME_CALENDAR)) {
      // 10:00 Chicago on that date, whatever the daylight saving offset.
      const tenAm = [at(`${day}T15:00:00Z`), at(`${day}T16:00:00Z`)].find((ms) => chicagoTime(ms).hour === 10)!;
      const s = sessionAt(cfg, tenAm);
      assert.equal(cmeDay(day), entry);
      if (entry.kind === "closed") {
        assert.equal(s.open, false, day);
        assert.equal(isGlobexOpen(tenAm), false, day);
        assert.match(s.closedReason, new RegExp(`CME is closed for ${entry.holiday.replace(/[().]/g, "\\$&")}`));
      } else {
        assert.equal(s.closeLabel, entry.close, day);
        assert.equal(isGlobexOpen(tenAm), true, day);
      }
    }
  });

  it("knows Globex holiday hours", () => {
    assert.equal(isGlobexOpen(at("2026-12-25T16:00:00Z")), false); // Christmas 10:00
    assert.equal(isGlobexOpen(at("2026-12-24T23:30:00Z")), false); // Christmas Eve 17:30: no session for Christmas
    assert.equal(isGlobexOpen(at("2026-12-24T18:14:00Z")), true); // 12:14
    assert.equal(isGlobexOpen(at("2026-12-24T18:15:00Z")), false); // 12:15
    assert.equal(isGlobexOpen(at("2026-11-26T18:30:00Z")), false); // Thanksgiving 12:30
    assert.equal(isGlobexOpen(at("2026-11-26T23:30:00Z")), true); // Thanksgiving 17:30
    assert.equal(isGlobexOpen(at("2027-01-01T00:00:00Z")), false); // New Year's Eve 18:00
    assert.equal(isGlobexOpen(at("2027-01-03T23:30:00Z")), true); // Sunday 3 January 17:30
    assert.equal(isGlobexOpen(at("2026-07-03T16:30:00Z")), true); // 3 July 2026 11:30 CDT
    assert.equal(isGlobexOpen(at("2026-07-03T17:30:00Z")), false); // 12:30 CDT
  });

  it("cancels working entries at the scheduled flatten when flat, once per trading day", () => {
    const s = fresh();
    assert.equal(evaluate(cfg, s, resting, at("2026-11-25T20:59:00Z")).breach, null, "14:59: before the flatten");
    const ev = evaluate(cfg, s, resting, at("2026-11-25T21:05:00Z")); // 15:05 CT
    assert.deepEqual([ev.breach?.rule, ev.breach?.action, ev.breach?.blockUntil], ["sessionFlatten", "flatten", null]);
    assert.match(
      ev.breach!.reason,
      /past 15:05 Chicago time, the scheduled flatten before the 15:10 close: working orders are cancelled/,
    );
    applyBreach(s, ev.breach!);
    assert.equal(evaluate(cfg, s, resting, at("2026-11-25T21:06:00Z")).breach, null, "acted once this trading day");
    assert.equal(
      evaluate(cfg, s, live(), at("2026-11-25T21:07:00Z")).breach,
      null,
      "flat, nothing working: nothing to do",
    );
    assert.equal(evaluate(cfg, fresh(), live(), at("2026-11-25T21:05:00Z")).breach, null);
    // Working orders found while the session is closed (a restart on Christmas) are cancelled too.
    const closed = evaluate(cfg, fresh(), resting, at("2026-12-25T16:00:00Z"));
    assert.deepEqual([closed.breach?.rule, closed.breach?.action], ["sessionFlatten", "flatten"]);
    assert.match(closed.breach!.reason, /^CME is closed for Christmas Day: .* Working orders are cancelled/);
    // A new trading day acts again.
    const next = evaluate(cfg, s, resting, at("2026-11-26T17:56:00Z")); // Thanksgiving 11:56
    assert.equal(next.breach?.rule, "sessionFlatten");
  });
});
