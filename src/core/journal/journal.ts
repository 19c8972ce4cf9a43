import Database from "better-sqlite3";
import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { RuleState } from "../rules/rule-state";
import { tradingDayOf } from "../time/trading-day";

/** What a journal row records. */
export type JournalKind = "alert" | "decision" | "order" | "answer" | "fill" | "flatten" | "breach" | "killSwitch" | "start" | "error";

export interface JournalEntry {
  seq: number;
  ts: number;
  tsIso: string;
  tradingDay: string;
  accountId: number;
  kind: JournalKind;
  data: unknown;
  hash: string;
}

/** One trading day of the compliance report. */
export interface DayReport {
  tradingDay: string;
  pnl: number;
  trades: number;
  breaches: number;
  bestDay: boolean;
}

// JSON has no Infinity; a block "until re-armed" must survive a restart.
const replacer = (_k: string, v: unknown) => (v === Number.POSITIVE_INFINITY ? "__Infinity__" : v);
const reviver = (_k: string, v: unknown) => (v === "__Infinity__" ? Number.POSITIVE_INFINITY : v);

/**
 * The rules' memory, in one SQLite file: the rule state per account, the ids of alerts already
 * seen, and an append-only, hash-chained journal of every alert, decision, order, answer, fill,
 * breach and flatten. Writes are synchronous and WAL-logged, so a kill -9 loses nothing written.
 */
export class Journal {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly lastHash: Database.Statement;
  private readonly upsertState: Database.Statement;
  private prevHash: string;

  constructor(readonly file: string) {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS rule_state (account_id INTEGER PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS seen_alerts (alert_id TEXT PRIMARY KEY, account_id INTEGER, seen_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, ts_iso TEXT NOT NULL, trading_day TEXT NOT NULL,
        account_id INTEGER NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL, hash TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS journal_account_day ON journal (account_id, trading_day);
      CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
      CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    `);
    this.insert = this.db.prepare("INSERT INTO journal (ts, ts_iso, trading_day, account_id, kind, data, hash) VALUES (?, ?, ?, ?, ?, ?, ?)");
    this.lastHash = this.db.prepare("SELECT hash FROM journal ORDER BY seq DESC LIMIT 1");
    this.upsertState = this.db.prepare("INSERT INTO rule_state (account_id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(account_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at");
    this.prevHash = (this.lastHash.get() as { hash: string } | undefined)?.hash ?? "";
  }

  /** Appends one row; each row's hash covers the previous one, so edits outside the app show. */
  append(kind: JournalKind, accountId: number, data: unknown, ts: number): void {
    const text = JSON.stringify(data ?? null, replacer);
    const iso = new Date(ts).toISOString();
    const hash = createHash("sha256").update(`${this.prevHash}|${ts}|${accountId}|${kind}|${text}`).digest("hex");
    this.insert.run(ts, iso, tradingDayOf(ts), accountId, kind, text, hash);
    this.prevHash = hash;
  }

  loadState(accountId: number): RuleState | null {
    const row = this.db.prepare("SELECT state FROM rule_state WHERE account_id = ?").get(accountId) as { state: string } | undefined;
    return row ? (JSON.parse(row.state, reviver) as RuleState) : null;
  }

  saveState(s: RuleState, ts: number): void {
    this.upsertState.run(s.accountId, JSON.stringify(s, replacer), ts);
  }

  /** Records an alert id; returns true if it had been seen before (a duplicate). */
  seenBefore(alertId: string, accountId: number, ts: number): boolean {
    const r = this.db.prepare("INSERT OR IGNORE INTO seen_alerts (alert_id, account_id, seen_at) VALUES (?, ?, ?)").run(alertId, accountId, ts);
    return r.changes === 0;
  }

  /** Forgets alert ids older than `ms` (a week by default). */
  pruneSeen(now: number, ms = 7 * 86_400_000): void {
    this.db.prepare("DELETE FROM seen_alerts WHERE seen_at < ?").run(now - ms);
  }

  entries(filter: { accountId?: number; kind?: JournalKind; sinceSeq?: number; limit?: number } = {}): JournalEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.accountId !== undefined) { where.push("account_id = ?"); args.push(filter.accountId); }
    if (filter.kind) { where.push("kind = ?"); args.push(filter.kind); }
    if (filter.sinceSeq !== undefined) { where.push("seq > ?"); args.push(filter.sinceSeq); }
    const sql = `SELECT * FROM journal ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq LIMIT ?`;
    args.push(filter.limit ?? 10_000);
    return (this.db.prepare(sql).all(...args) as Array<Record<string, unknown>>).map((r) => ({
      seq: r.seq as number, ts: r.ts as number, tsIso: r.ts_iso as string, tradingDay: r.trading_day as string,
      accountId: r.account_id as number, kind: r.kind as JournalKind, data: JSON.parse(r.data as string, reviver), hash: r.hash as string,
    }));
  }

  /** The latest `limit` rows of an account, newest first. */
  recent(accountId: number, limit = 50): JournalEntry[] {
    const last = this.db.prepare("SELECT COALESCE(MAX(seq), 0) m FROM journal WHERE account_id = ?").get(accountId) as { m: number };
    const rows = this.entries({ accountId, sinceSeq: Math.max(0, last.m - limit * 20), limit: 100_000 });
    return rows.slice(-limit).reverse();
  }

  /** Checks the hash chain; returns the first broken row's seq, or null when intact. */
  verify(): number | null {
    let prev = "";
    for (const r of this.db.prepare("SELECT * FROM journal ORDER BY seq").iterate() as IterableIterator<Record<string, unknown>>) {
      const h = createHash("sha256").update(`${prev}|${r.ts}|${r.account_id}|${r.kind}|${r.data}`).digest("hex");
      if (h !== r.hash) return r.seq as number;
      prev = h;
    }
    return null;
  }

  /** Per trading day: P&L (from the rule state), fills and breaches (from the journal), the best day. */
  report(accountId: number, state: RuleState | null): DayReport[] {
    const counts = this.db.prepare("SELECT trading_day d, SUM(kind = 'fill') trades, SUM(kind = 'breach') breaches FROM journal WHERE account_id = ? GROUP BY trading_day").all(accountId) as Array<{ d: string; trades: number; breaches: number }>;
    const days = new Map<string, DayReport>();
    for (const [day, pnl] of Object.entries(state?.dailyPnl ?? {})) days.set(day, { tradingDay: day, pnl, trades: 0, breaches: 0, bestDay: false });
    for (const c of counts) {
      const d = days.get(c.d) ?? { tradingDay: c.d, pnl: 0, trades: 0, breaches: 0, bestDay: false };
      d.trades = c.trades;
      d.breaches = c.breaches;
      days.set(c.d, d);
    }
    const rows = [...days.values()].sort((a, b) => a.tradingDay.localeCompare(b.tradingDay));
    const best = rows.reduce<DayReport | null>((b, r) => (r.pnl > 0 && (!b || r.pnl > b.pnl) ? r : b), null);
    if (best) best.bestDay = true;
    return rows;
  }

  close(): void {
    this.db.close();
  }
}

/** The compliance report as CSV. */
export function reportCsv(rows: DayReport[]): string {
  return ["trading_day,pnl,trades,breaches,best_day", ...rows.map((r) => `${r.tradingDay},${r.pnl.toFixed(2)},${r.trades},${r.breaches},${r.bestDay}`)].join("\n") + "\n";
}
