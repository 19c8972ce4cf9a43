import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { Journal } from "../../src/core/journal/journal";

const T = Date.parse("2026-11-25T15:00:00Z");

describe("core: journal decisions, alert ids and the shared chain", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "topstepx-decisions-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("spends an alert id only with its decision, per account", () => {
    const j = new Journal(join(dir, "j.sqlite"));
    try {
      assert.equal(j.decided("a1", 7), false);
      assert.equal(j.recordDecision(7, "a1", [{ kind: "decision", data: { alertId: "a1" } }], T), true);
      assert.equal(j.decided("a1", 7), true);
      assert.equal(j.decided("a1", 8), false, "another account's id is its own");
      assert.equal(
        j.recordDecision(7, "a1", [{ kind: "decision", data: { alertId: "a1", again: true } }], T + 1),
        false,
      );
      assert.equal(j.entries({ kind: "decision" }).length, 1, "a refused second record writes nothing");
      assert.equal(j.recordDecision(8, "a1", [{ kind: "decision", data: { alertId: "a1" } }], T + 2), true);
    } finally {
      j.close();
    }
  });

  it("carries the ids of a file written before ids were kept per account over to their account", () => {
    const file = join(dir, "old.sqlite");
    const db = new Database(file);
    db.exec("CREATE TABLE seen_alerts (alert_id TEXT PRIMARY KEY, account_id INTEGER, seen_at INTEGER NOT NULL)");
    db.prepare("INSERT INTO seen_alerts VALUES (?, ?, ?)").run("old-1", 7, T);
    db.close();
    const j = new Journal(file);
    try {
      assert.deepEqual([j.decided("old-1", 7), j.decided("old-1", 8)], [true, false]);
    } finally {
      j.close();
    }
  });

  it("keeps one hash chain with several writers on one file: shared instances and separate connections", () => {
    const file = join(dir, "j.sqlite");
    const a = Journal.open(file);
    const b = Journal.open(file);
    assert.equal(a, b, "one journal per file");
    const other = new Journal(file);
    for (let i = 0; i < 20; i++) {
      a.append("decision", 7, { i }, T + i);
      other.append("decision", 8, { i }, T + i);
      b.recordDecision(
        9,
        `id-${i}`,
        [
          { kind: "alert", data: { alertId: `id-${i}` } },
          { kind: "decision", data: { alertId: `id-${i}` } },
        ],
        T + i,
      );
    }
    a.close();
    b.append("fill", 7, {}, T + 100);
    assert.equal(other.verify(), null);
    b.close();
    other.close();
    assert.throws(() => b.append("fill", 7, {}, T + 101), /not open/, "closed once its last holder closed it");
  });

  it("keeps each decided id with its decision through a kill -9, and neither without the other", async () => {
    const file = join(dir, "j.sqlite");
    const journalModule = require.resolve("../../src/core/journal/journal");
    const script = `
      const { Journal } = require(${JSON.stringify(journalModule)});
      const j = new Journal(${JSON.stringify(file)});
      let i = 0;
      for (;;) { j.recordDecision(7, "k-" + i, [{ kind: "alert", data: { alertId: "k-" + i } }, { kind: "decision", data: { alertId: "k-" + i } }], ${T} + i); i++; if (i === 200) process.stdout.write("writing\\n"); }`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => d.toString().includes("writing") && resolve());
      child.on("exit", (code) => reject(new Error(`child exited early (${code})`)));
    });
    // Killed in the middle of writing (it goes on after the 200th): inside or between transactions.
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    const db = new Database(file, { readonly: true });
    try {
      const ids = new Set(
        (
          db.prepare("SELECT alert_id FROM decided_alerts WHERE account_id = 7").all() as Array<{ alert_id: string }>
        ).map((r) => r.alert_id),
      );
      const decisions = (
        db.prepare("SELECT data FROM journal WHERE kind = 'decision'").all() as Array<{ data: string }>
      ).map((r) => JSON.parse(r.data).alertId as string);
      const alerts = (db.prepare("SELECT data FROM journal WHERE kind = 'alert'").all() as Array<{ data: string }>).map(
        (r) => JSON.parse(r.data).alertId as string,
      );
      assert.ok(ids.size > 0, "something was written before the kill");
      assert.deepEqual(
        decisions.sort(),
        [...ids].sort(),
        "every decided id has its decision row, every decision its id",
      );
      assert.deepEqual(alerts.sort(), decisions.sort(), "and its alert row");
    } finally {
      db.close();
    }
    const j = new Journal(file);
    assert.equal(j.verify(), null);
    j.close();
  });

  it("commits decisions queued in one turn together, each id spent once, in the order they came", async () => {
    const j = new Journal(join(dir, "j.sqlite"));
    try {
      const row = (id: string, n: number) => [{ kind: "decision" as const, data: { alertId: id, n } }];
      const outcomes = await Promise.all([
        j.recordDecisionSoon(7, "a1", row("a1", 1), T),
        j.recordDecisionSoon(7, "a1", row("a1", 2), T),
        j.recordDecisionSoon(7, "a2", row("a2", 3), T),
        j.recordDecisionSoon(7, null, row("none", 4), T),
      ]);
      assert.deepEqual(outcomes, [true, false, true, true]);
      assert.deepEqual(
        j.entries({ kind: "decision" }).map((e) => (e.data as { n: number }).n),
        [1, 3, 4],
        "the refused duplicate wrote nothing",
      );
      assert.equal(j.verify(), null);
    } finally {
      j.close();
    }
  });

  it("writes a queued decision when the journal closes, rather than leave it waiting", async () => {
    const j = new Journal(join(dir, "j.sqlite"));
    const pending = j.recordDecisionSoon(7, "a1", [{ kind: "decision", data: { alertId: "a1" } }], T);
    j.close();
    const settled = await pending.then(
      (fresh) => `resolved ${fresh}`,
      (e: Error) => `rejected: ${e.message}`,
    );
    // close() writes what is queued: the decision is kept, and its id spent.
    assert.equal(settled, "resolved true");
    const again = new Journal(join(dir, "j.sqlite"));
    assert.equal(again.decided("a1", 7), true);
    const late = again.recordDecisionSoon(7, "a2", [{ kind: "decision", data: { alertId: "a2" } }], T);
    again.close();
    assert.equal(await late, true);
  });

  it("acts on no batched decision that a kill -9 can take back", async () => {
    const file = join(dir, "j.sqlite");
    const journalModule = require.resolve("../../src/core/journal/journal");
    // Alerts arrive in bursts; each is "acted on" (its order sent) only once its decision is committed.
    const script = `
      const { Journal } = require(${JSON.stringify(journalModule)});
      const j = new Journal(${JSON.stringify(file)});
      let i = 0;
      process.stdout.write("started\\n");
      const burst = () => {
        for (let k = 0; k < 8; k++, i++) {
          const id = "k-" + i;
          j.recordDecisionSoon(7, id, [{ kind: "alert", data: { alertId: id } }, { kind: "decision", data: { alertId: id } }], ${T} + i)
            .then(() => process.stdout.write("acted " + id + "\\n"));
        }
        setImmediate(burst);
      };
      burst();`;
    const child = spawn(process.execPath, ["-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    let acted = 0;
    await new Promise<void>((resolve, reject) => {
      child.stdout.on("data", (d: Buffer) => {
        out += d.toString();
        acted = out.split("acted ").length - 1;
        if (acted >= 400) resolve();
      });
      child.on("exit", (code) => reject(new Error(`child exited early (${code})`)));
    });
    child.kill("SIGKILL");
    await new Promise((r) => child.on("exit", r));
    const actedIds = [...out.matchAll(/acted (k-\d+)\n/g)].map((m) => m[1]!);
    const db = new Database(file, { readonly: true });
    try {
      const ids = new Set(
        (
          db.prepare("SELECT alert_id FROM decided_alerts WHERE account_id = 7").all() as Array<{ alert_id: string }>
        ).map((r) => r.alert_id),
      );
      const decisions = (
        db.prepare("SELECT data FROM journal WHERE kind = 'decision'").all() as Array<{ data: string }>
      ).map((r) => JSON.parse(r.data).alertId as string);
      assert.ok(actedIds.length >= 400);
      assert.deepEqual(
        actedIds.filter((id) => !ids.has(id)),
        [],
        "every decision acted on survived the kill",
      );
      assert.deepEqual(
        decisions.sort(),
        [...ids].sort(),
        "every decided id has its decision row, every decision its id",
      );
    } finally {
      db.close();
    }
  });
});
