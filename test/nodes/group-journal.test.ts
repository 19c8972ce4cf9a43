import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Journal } from "../../src/core/journal/journal";
import { loadGroup, nativeBrackets, XFA_50K, XFA_150K } from "../support/group-flow";
import { helper } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, setPrice, until } from "../support/sim";

const ALL = [ACCOUNT, XFA_50K, XFA_150K] as const;

interface Row {
  account: string;
  accountId: number;
  killSwitch: boolean;
  positions: Array<{ size: number }>;
  status: string;
}
interface Report {
  accounts: Array<{
    account: string;
    accountId: number;
    days: Array<{ tradingDay: string; pnl: number; trades: number }>;
  }>;
  totals: Array<{ tradingDay: string; pnl: number; trades: number; accounts: number }>;
}

/**
 * What a group leaves behind: each account's trail in its journal, the compliance report per account
 * and per group, the group kill switch, and the alert ids it decided across a restart.
 */
describe("node: topstepx-group journals, reports and commands per account", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-group-journal-" });
  let mnq: string;

  before(async () => {
    const { api } = await login(rt.sim);
    mnq = (await frontMonth(api, "MNQ")).id;
  });
  beforeEach(async () => {
    await setPrice(rt.sim, mnq, 25_000);
    await nativeBrackets(rt);
  });

  const file = () => join(rt.dir, "journal.sqlite");
  function read<T>(f: (j: Journal) => T): T {
    const j = Journal.open(file());
    try {
      return f(j);
    } finally {
      j.close();
    }
  }
  const placesAt = async () => (await rt.state()).requests["Order/place"]?.received ?? 0;

  it("writes each account's alert, decision, order and answer line in its own trail, with source group:<name>", async () => {
    const n = await loadGroup(rt);
    const a = await n.alert({
      action: "place",
      symbol: "MNQ",
      side: "buy",
      quantity: 4,
      stopLoss: { ticks: 20 },
      id: "trail-1",
    });
    assert.equal(a.statusCode, 200, JSON.stringify(a.payload));
    for (const account of ALL) {
      const rows = await until(() => {
        const t = read((j) => j.trail("trail-1", account));
        return t.some((r) => r.kind === "answer") && t.some((r) => r.kind === "fill") ? t : undefined;
      }, `account ${account}'s trail`);
      assert.ok(
        rows.every((r) => r.accountId === account),
        "only this account's rows",
      );
      const kinds = rows.map((r) => r.kind);
      assert.deepEqual(kinds.slice(0, 3), ["alert", "decision", "order"], `account ${account}: ${kinds}`);
      const data = (k: string) => rows.filter((r) => r.kind === k).map((r) => r.data as Record<string, unknown>);
      assert.equal(data("alert")[0]!.source, "group:trio");
      assert.equal((data("decision")[0]!.decision as { allow: boolean }).allow, true);
      assert.ok(
        data("order").every((d) => d.source === "group:trio"),
        "every order row names the group",
      );
      const answer = data("answer")[0]!;
      assert.equal(answer.source, "group:trio");
      assert.equal(answer.status, 200);
      assert.equal((answer.body as { outcome: string }).outcome, "placed");
    }
    // Judged first, then sent together: every account's decision is in the file before any order.
    const rows = read((j) => j.entries({}).filter((e) => (e.data as { alertId?: string }).alertId === "trail-1"));
    const lastDecision = Math.max(...rows.filter((r) => r.kind === "decision").map((r) => r.seq));
    const firstOrder = Math.min(...rows.filter((r) => r.kind === "order").map((r) => r.seq));
    assert.ok(lastDecision < firstOrder, "all three decisions before the first order");
    assert.equal(
      read((j) => j.verify()),
      null,
      "one valid hash chain for the three accounts",
    );
  });

  it("reports each account's trading day and the group's total, as JSON and CSV", async () => {
    const n = await loadGroup(rt);
    await n.alert({ action: "place", symbol: "MNQ", side: "buy", quantity: 4, stopLoss: { ticks: 40 }, id: "rep-1" });
    for (const account of ALL) await until(() => n.conn.book(account)?.positions.size === 1, `account ${account} long`);
    await setPrice(rt.sim, mnq, 25_010);
    const closed = await n.alert({ action: "close", symbol: "MNQ", id: "rep-2" });
    assert.equal(closed.statusCode, 200, JSON.stringify(closed.payload));
    for (const account of ALL) await until(() => n.conn.book(account)?.positions.size === 0, `account ${account} flat`);
    const r = await until(async () => {
      const reply = await n.command({ command: "report" });
      const report = reply.payload as Report;
      return report.accounts.every((a) => a.days[0]?.trades === 2 && a.days[0].pnl > 0) ? reply : undefined;
    }, "every account's day with its two fills and its profit");
    assert.equal(r.topic, "report");
    const report = r.payload as Report;
    assert.deepEqual(
      report.accounts.map((a) => [a.accountId, a.days.length]),
      ALL.map((id) => [id, 1]),
    );
    // 10 points of MNQ are $20 a contract, less fees: 1, 2 and 3 contracts.
    const pnl = report.accounts.map((a) => a.days[0]!.pnl);
    assert.ok(pnl[0]! > 15 && pnl[0]! < 20 && pnl[1]! > 30 && pnl[2]! > 45, `P&L ${pnl}`);
    assert.equal(report.totals.length, 1);
    const total = report.totals[0]!;
    assert.equal(total.tradingDay, report.accounts[0]!.days[0]!.tradingDay);
    assert.equal(total.trades, 6);
    assert.equal(total.accounts, 3);
    assert.equal(total.pnl, Math.round(pnl.reduce((s, x) => s + x, 0) * 100) / 100);
    const csv = (await n.command({ command: "report", format: "csv" })).payload as string;
    const lines = csv.trim().split("\n");
    assert.equal(lines[0], "account,account_id,trading_day,pnl,trades,breaches,best_day");
    assert.equal(lines.length, 5, csv);
    assert.match(lines[1]!, /^combine,10001,\d{4}-\d{2}-\d{2},\d+\.\d\d,2,0,true$/);
    assert.match(lines[4]!, new RegExp(`^group,,${total.tradingDay},${total.pnl.toFixed(2)},6,0,$`));
  });

  it("switches every account's kill switch on with a flatten, refuses the next alert on all, and re-arms them", async () => {
    const n = await loadGroup(rt);
    await n.alert({ action: "place", symbol: "MNQ", side: "sell", quantity: 2, stopLoss: { ticks: 40 }, id: "ks-1" });
    for (const account of ALL)
      await until(() => n.conn.book(account)?.positions.size === 1, `account ${account} short`);
    const on = await n.command({ command: "killSwitch", on: true, flatten: true, reason: "news" });
    assert.equal(on.topic, "killSwitch");
    assert.deepEqual(
      (on.payload as Row[]).map((r) => [r.accountId, r.killSwitch]),
      ALL.map((id) => [id, true]),
    );
    for (const account of ALL)
      await until(() => n.conn.book(account)?.positions.size === 0, `account ${account} flattened`);
    const refused = await n.alert({
      action: "place",
      symbol: "MNQ",
      side: "sell",
      quantity: 2,
      stopLoss: { ticks: 40 },
      id: "ks-2",
    });
    assert.equal(refused.statusCode, 422, JSON.stringify(refused.payload));
    assert.ok(refused.payload.accounts.every((l) => l.rule === "killSwitch"));
    // A dashboard switch: topic killSwitch, payload false re-arms every account.
    n.g.receive({ topic: "killSwitch", payload: false });
    const rearmed = await until(() => n.cmd.find((m) => m.topic === "rearm"), "the re-arm reply");
    assert.deepEqual(
      (rearmed.payload as Row[]).map((r) => r.killSwitch),
      [false, false, false],
    );
    const again = await n.alert({
      action: "place",
      symbol: "MNQ",
      side: "sell",
      quantity: 2,
      stopLoss: { ticks: 40 },
      id: "ks-3",
    });
    assert.equal(again.statusCode, 200, JSON.stringify(again.payload));
  });

  it("still refuses an alert id it decided before a restart, on every account, and answers state after it", async () => {
    let n = await loadGroup(rt);
    const alert = {
      action: "place",
      symbol: "MNQ",
      side: "buy",
      quantity: 2,
      stopLoss: { ticks: 40 },
      id: "restart-1",
    };
    assert.equal((await n.alert(alert)).statusCode, 200);
    const placed = await placesAt();
    await helper.unload();
    n = await loadGroup(rt);
    const again = await n.alert(alert);
    assert.equal(again.statusCode, 409, JSON.stringify(again.payload));
    assert.deepEqual(
      again.payload.accounts.map((l) => l.outcome),
      ["duplicate", "duplicate", "duplicate"],
    );
    assert.equal(await placesAt(), placed, "no Order/place after the restart");
    const state = await n.command({ command: "state" });
    const rows = state.payload as Row[];
    assert.deepEqual(
      rows.map((r) => [r.accountId, r.positions.map((p) => p.size)]),
      [
        [ACCOUNT, [1]],
        [XFA_50K, [1]],
        [XFA_150K, [3]],
      ],
    );
  });
});
