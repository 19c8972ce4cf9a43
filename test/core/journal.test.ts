import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Journal, reportCsv } from "../../src/core/journal/journal";
import { initialState } from "../../src/core/rules/rule-state";
import { rulesFor } from "../../src/core/rules/rules-config";
import { until } from "../support/sim";

describe("core: journal (SQLite)", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "topstepx-journal-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("keeps rule state, including a block with no end, and seen alert ids", () => {
    const file = join(dir, "j.sqlite");
    const config = rulesFor("topstep-combine-50k");
    const s = initialState(config, 7, 50_000, Date.parse("2026-11-25T15:00:00Z"));
    s.blockedUntil = Number.POSITIVE_INFINITY;
    s.killSwitch = true;
    let j = new Journal(file);
    j.saveState(s, 1);
    assert.equal(j.seenBefore("a1", 7, 1), false);
    assert.equal(j.seenBefore("a1", 7, 2), true);
    j.close();
    j = new Journal(file);
    assert.deepEqual(j.loadState(7), s);
    assert.equal(j.seenBefore("a1", 7, 3), true);
    j.close();
  });

  it("is append-only and hash-chained: an edit made behind its back is detected", () => {
    const file = join(dir, "j.sqlite");
    const j = new Journal(file);
    for (let i = 0; i < 5; i++) j.append("decision", 7, { i }, Date.parse("2026-11-25T15:00:00Z") + i);
    assert.equal(j.verify(), null);
    const db = new Database(file);
    assert.throws(() => db.prepare("UPDATE journal SET data = '{}' WHERE seq = 3").run(), /append-only/);
    assert.throws(() => db.prepare("DELETE FROM journal WHERE seq = 3").run(), /append-only/);
    db.exec("DROP TRIGGER journal_no_update");
    db.prepare("UPDATE journal SET data = '{\"i\":99}' WHERE seq = 3").run();
    db.close();
    assert.equal(j.verify(), 3);
    j.close();
  });

  it("reports each trading day's P&L, fills, breaches and the best day", () => {
    const j = new Journal(join(dir, "j.sqlite"));
    const t = Date.parse("2026-11-25T15:00:00Z");
    j.append("fill", 7, {}, t);
    j.append("fill", 7, {}, t + 1);
    j.append("breach", 7, {}, t + 2);
    j.append("fill", 7, {}, t + 86_400_000);
    j.append("dayRule", 7, { rule: "cooldown", event: "start" }, t + 3);
    j.append("dayRule", 7, { rule: "cooldown", event: "end" }, t + 4);
    j.append("dayRule", 7, { rule: "dailyProfitTarget", event: "reached" }, t + 86_400_001);
    j.append("breach", 7, { rule: "profitLock" }, t + 86_400_002);
    const rows = j.report(7, { dailyPnl: { "2026-11-25": -120.5, "2026-11-26": 300 } });
    assert.deepEqual(rows, [
      { tradingDay: "2026-11-25", pnl: -120.5, trades: 2, breaches: 1, bestDay: false, cooldowns: 1, profitLocks: [] },
      {
        tradingDay: "2026-11-26",
        pnl: 300,
        trades: 1,
        breaches: 1,
        bestDay: true,
        cooldowns: 0,
        profitLocks: ["dailyProfitTarget", "profitLock"],
      },
    ]);
    assert.equal(
      reportCsv(rows),
      "trading_day,pnl,trades,breaches,best_day,cooldowns,profit_locks\n2026-11-25,-120.50,2,1,false,1,\n2026-11-26,300.00,1,1,true,0,dailyProfitTarget|profitLock\n",
    );
    j.close();
  });

  it("loses nothing it wrote when its process is killed with SIGKILL", async () => {
    const file = join(dir, "j.sqlite");
    const journalModule = require.resolve("../../src/core/journal/journal");
    const script = `
      const { Journal } = require(${JSON.stringify(journalModule)});
      const j = new Journal(${JSON.stringify(file)});
      for (let i = 0; i < 200; i++) j.append("fill", 7, { i }, 1764082800000 + i);
      j.saveState({ version: 1, accountId: 7, killSwitch: true, floor: 48500 }, 1);
      process.stdout.write("written\\n");
      setInterval(() => {}, 1000);`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("written") && resolve());
      child.on("exit", (code) => reject(new Error(`child exited early (${code})`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    const j = new Journal(file);
    assert.equal(j.entries({ kind: "fill" }).length, 200);
    assert.deepEqual(j.loadState(7), { version: 1, accountId: 7, killSwitch: true, floor: 48500 });
    assert.equal(j.verify(), null);
    j.close();
  });

  it("copies its write-ahead log into the file off the event loop, and leaves no log once closed", async () => {
    const file = join(dir, "j.sqlite");
    const j = new Journal(file);
    const padding = "x".repeat(2000);
    // About 4 MB of log: SQLite alone would checkpoint inside one of these commits, on this thread.
    for (let i = 0; i < 2000; i++)
      j.recordDecision(7, `a-${i}`, [{ kind: "decision", data: { alertId: `a-${i}`, padding } }], i);
    const fileBytes = statSync(file).size;
    assert.ok(statSync(`${file}-wal`).size > 1_000_000, "the commits went to the log");
    // No write from here on: only the checkpointer thread can move the log into the file.
    await until(() => statSync(file).size > fileBytes + 1_000_000, "the log copied into the file", 10_000);
    j.close();
    await until(() => !existsSync(`${file}-wal`), "the log removed after the last close", 10_000);
    const again = new Journal(file);
    assert.equal(again.entries({ kind: "decision" }).length, 2000);
    assert.equal(again.verify(), null);
    again.close();
  });
});
