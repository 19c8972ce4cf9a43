import { strict as assert } from "node:assert";
import { Notifier } from "../../src/core/rules/notifications";

const T = Date.parse("2026-11-25T15:00:00Z");
const who = () => ({ account: "50KTC-1", accountId: 10001 });

describe("core: notifications from the rules' events", () => {
  it("tells a breach of any rule as critical, with its rule, the account and both times", () => {
    const n = new Notifier(who).notify({ type: "breach", rule: "someNewRule", reason: "why" }, T)!;
    assert.deepEqual(
      [n.title, n.text, n.severity, n.rule, n.account, n.accountId, n.event, n.time, n.timeCT],
      [
        "Rule breached: someNewRule",
        "why",
        "critical",
        "someNewRule",
        "50KTC-1",
        10001,
        "breach",
        "2026-11-25T15:00:00.000Z",
        "2026-11-25 09:00:00 CST",
      ],
    );
  });

  it("tells a flatten started, done, not flat and failed", () => {
    const n = new Notifier(who);
    assert.equal(n.notify({ type: "flatten", phase: "started", reason: "maxLossLimit" }, T)!.severity, "warning");
    const done = n.notify(
      { type: "flatten", phase: "done", reason: "maxLossLimit", flat: true, closed: 1, cancelled: 2 },
      T,
    )!;
    assert.deepEqual([done.title, done.severity], ["Flatten done", "info"]);
    assert.match(done.text, /flat, 1 position\(s\) closed, 2 order\(s\) cancelled/);
    assert.equal(n.notify({ type: "flatten", phase: "done", reason: "x", flat: false }, T)!.severity, "critical");
    const failed = n.notify({ type: "flatten", phase: "failed", reason: "x", error: "timeout" }, T)!;
    assert.deepEqual([failed.title, failed.severity], ["Flatten FAILED", "critical"]);
  });

  it("tells guard stops placed, filled and failed, a move once per five minutes per contract, never a cancel", () => {
    const n = new Notifier(who);
    const g = { type: "guard" as const, contractId: "CON.F.US.MES.Z26", size: 1, stopPrice: 6700, reason: "r" };
    assert.equal(n.notify({ ...g, action: "placed" }, T)!.title, "Guard stop placed: CON.F.US.MES.Z26");
    assert.equal(n.notify({ ...g, action: "modified", from: { size: 1, stopPrice: 6690 } }, T + 10_000), null);
    const moved = n.notify({ ...g, action: "modified", from: { size: 1, stopPrice: 6690 } }, T + 5 * 60_000)!;
    assert.match(moved.text, /moved from 6,690 to 6,700/);
    assert.equal(n.notify({ ...g, action: "cancelled" }, T), null);
    assert.equal(n.notify({ ...g, action: "filled" }, T)!.severity, "critical");
    assert.equal(n.notify({ ...g, action: "failed" }, T)!.severity, "critical");
  });

  it("tells a disconnection once and the reconnection once after it, not the first connect", () => {
    const n = new Notifier(who);
    assert.equal(n.notify({ type: "connection", state: "connected" }, T), null);
    assert.equal(
      n.notify({ type: "connection", state: "reconnecting", reason: "hub closed" }, T)!.title,
      "Disconnected",
    );
    assert.equal(n.notify({ type: "connection", state: "disconnected" }, T), null);
    assert.equal(n.notify({ type: "connection", state: "connected" }, T)!.title, "Reconnected");
    assert.equal(n.notify({ type: "connection", state: "connected" }, T), null);
  });

  it("tells a block by any rule when it starts and ends, not one a breach just told, nor start-up holds", () => {
    const n = new Notifier(who);
    const cooldown = { rule: "cooldown", reason: "3 losing trades in a row", until: T + 1_800_000 };
    const b = n.notify({ type: "status", blocked: cooldown }, T)!;
    assert.deepEqual(
      [b.title, b.severity, b.rule, b.event],
      ["Entries blocked: cooldown", "warning", "cooldown", "block"],
    );
    assert.match(b.text, /blocked until 2026-11-25 09:30:00 CST/);
    assert.equal(n.notify({ type: "status", blocked: cooldown, event: "heartbeat" }, T), null);
    assert.equal(n.notify({ type: "status", blocked: null }, T)!.title, "Entries allowed again");
    assert.equal(n.notify({ type: "status", blocked: { rule: "floorUnknown", reason: "", until: null } }, T), null);
    n.notify({ type: "breach", rule: "dailyLossLimit", reason: "r" }, T);
    assert.equal(n.notify({ type: "status", blocked: { rule: "dailyLossLimit", reason: "r", until: null } }, T), null);
  });

  it("tells a newer rule's named event as info at most once a minute, and no routine event", () => {
    const n = new Notifier(who);
    assert.equal(
      n.notify({ type: "status", blocked: null, event: "profitLock:armed" }, T)!.title,
      "Rules: profitLock armed",
    );
    assert.equal(n.notify({ type: "status", blocked: null, event: "profitLock:armed" }, T + 1000), null);
    for (const event of ["heartbeat", "synced", "guard:placed", "breach:maxLossLimit", "killSwitch:on", "flattened"])
      assert.equal(n.notify({ type: "status", blocked: null, event }, T + 2000), null, event);
  });

  it("tells the day's summary: net, gross, costs, trades, win rate, headroom", () => {
    const n = new Notifier(who).notify(
      {
        type: "summary",
        summary: {
          period: "day",
          key: "2026-11-25",
          from: "2026-11-25",
          to: "2026-11-25",
          fills: 4,
          trades: 2,
          wins: 1,
          losses: 1,
          winRate: 0.5,
          grossPnl: 150,
          fees: 2.22,
          commissions: 1.5,
          netPnl: 146.28,
          maxDrawdown: 52.48,
          maxDrawdownBasis: "closedTrades",
          balanceAtClose: 50040,
          floorAtClose: 48000,
          headroomAtClose: 2040,
          ruleEvents: { "refused:maxContracts": 2 },
        },
      },
      T,
    )!;
    assert.equal(n.title, "Day 2026-11-25: $146.28");
    assert.equal(
      n.text,
      "Net $146.28 (gross $150.00, fees and commissions −$3.72); 2 trade(s), 50% won; max drawdown $52. Headroom to the loss floor at the close: $2,040. Rule events: refused:maxContracts ×2.",
    );
  });
});
