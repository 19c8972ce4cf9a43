import { createHash } from "node:crypto";
import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import Database from "better-sqlite3";
import type { RuleState } from "../rules/rule-state";
import { tradingDayOf } from "../time/trading-day";
import { checkpointOffThread } from "./checkpointer";

/** What a journal row records. */
export type JournalKind =
  | "alert"
  | "decision"
  | "order"
  | "answer"
  | "fill"
  | "flatten"
  | "breach"
  | "killSwitch"
  | "guard"
  | "stop"
  | "start"
  | "error"
  /** Day rules (day-rules.ts): a cooldown's start and end, the daily profit stop or the consistency cap reached. */
  | "dayRule";

/** One journal row as read back. */
export interface JournalEntry {
  /** Position in the journal of the whole file (all accounts), from 1, never reused. */
  seq: number;
  /** When it was written, epoch ms of the journal's clock; `tsIso` is the same instant in UTC. */
  ts: number;
  tsIso: string;
  /** The Topstep trading day of `ts` (YYYY-MM-DD of the 17:00 Chicago session's close). */
  tradingDay: string;
  accountId: number;
  kind: JournalKind;
  /** The row's JSON payload, parsed; its shape depends on `kind`. */
  data: unknown;
  /** SHA-256 over the previous row's hash and this row: {@link Journal.verify} finds edits by it. */
  hash: string;
}

/** A row to journal: what it is and what it says. */
export interface JournalRow {
  kind: JournalKind;
  data: unknown;
}

/** A rule state waiting for saveStateSoon's write. */
interface SoonState {
  state: RuleState;
  ts: number;
}

/** A decision waiting for recordDecisionSoon's write, with the promise it settles once committed. */
interface QueuedDecision {
  decision: { accountId: number; alertId: string | null; rows: QueuedRow[]; ts: number };
  settle: { resolve(fresh: boolean): void; reject(e: unknown): void };
}

/** A row waiting in appendSoon's queue, its data already serialized. */
interface QueuedRow {
  kind: JournalKind;
  accountId: number;
  ts: number;
  text: string;
}

/** One trading day of the compliance report. */
export interface DayReport {
  tradingDay: string;
  pnl: number;
  trades: number;
  breaches: number;
  bestDay: boolean;
  /** Cooldowns started that day, and the day's profit limits that acted (profitLock, dailyProfitTarget, consistency). */
  cooldowns?: number;
  profitLocks?: string[];
}

// JSON has no Infinity; a block "until re-armed" must survive a restart.
const replacer = (_k: string, v: unknown) => (v === Number.POSITIVE_INFINITY ? "__Infinity__" : v);
const reviver = (_k: string, v: unknown) => (v === "__Infinity__" ? Number.POSITIVE_INFINITY : v);

/** Rows of one account at one time, their data serialized as the journal stores it. */
function serialized(rows: JournalRow[], accountId: number, ts: number): QueuedRow[] {
  return rows.map((r) => ({ kind: r.kind, accountId, ts, text: JSON.stringify(r.data ?? null, replacer) }));
}

/** The journals opened through Journal.open, one per file, with how many holders each has. */
const shared = new Map<string, { journal: Journal; holders: number }>();

/**
 * The rules' memory, in one SQLite file: the rule state per account, the ids of alerts already
 * decided, and an append-only, hash-chained journal of every alert, decision, order, answer, fill,
 * breach and flatten. Writes are synchronous and WAL-logged, so a kill -9 loses nothing written;
 * only appendSoon's trail rows wait for the next turn of the event loop.
 */
export class Journal {
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly lastHash: Database.Statement;
  private readonly upsertState: Database.Statement;
  private readonly insertSeen: Database.Statement;
  private readonly selectSeen: Database.Statement;
  private readonly appendRows: (rows: JournalRow[], accountId: number, ts: number) => void;
  private readonly decideRows: (accountId: number, alertId: string | null, rows: JournalRow[], ts: number) => boolean;
  private readonly appendQueued: (
    items: Array<QueuedRow | QueuedDecision>,
    states: Map<number, SoonState>,
  ) => boolean[];
  /** Rows of appendSoon, written together on the next turn of the event loop (or before any other write or read). */
  private queued: Array<QueuedRow | QueuedDecision> = [];
  /** Rule states of saveStateSoon, written (as they are then) in the same transaction as the queued rows. */
  private queuedStates = new Map<number, SoonState>();
  private flushScheduled = false;
  private readonly releaseCheckpoints: (() => void) | null;
  private sharedKey: string | null = null;

  /**
   * The journal of a file, shared by everyone who opens it here: several rules nodes on one file
   * then write one hash chain through one connection. Each open needs its close.
   */
  static open(file: string): Journal {
    const key = file === ":memory:" ? null : resolve(file);
    if (!key) return new Journal(file);
    const entry = shared.get(key);
    if (entry) {
      entry.holders++;
      return entry.journal;
    }
    const journal = new Journal(file);
    journal.sharedKey = key;
    shared.set(key, { journal, holders: 1 });
    return journal;
  }

  constructor(readonly file: string) {
    if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true });
    this.db = new Database(file);
    this.db.pragma("journal_mode = WAL");
    this.db.pragma("synchronous = NORMAL");
    this.releaseCheckpoints = file === ":memory:" ? null : checkpointOffThread(file);
    // A thread checkpoints the log; SQLite's own checkpoint stays only as a backstop should it stop.
    if (this.releaseCheckpoints) this.db.pragma("wal_autocheckpoint = 20000");
    this.db.exec(`
      CREATE TABLE IF NOT EXISTS rule_state (account_id INTEGER PRIMARY KEY, state TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS decided_alerts (account_id INTEGER NOT NULL, alert_id TEXT NOT NULL, decided_at INTEGER NOT NULL, PRIMARY KEY (account_id, alert_id));
      CREATE TABLE IF NOT EXISTS journal (
        seq INTEGER PRIMARY KEY AUTOINCREMENT, ts INTEGER NOT NULL, ts_iso TEXT NOT NULL, trading_day TEXT NOT NULL,
        account_id INTEGER NOT NULL, kind TEXT NOT NULL, data TEXT NOT NULL, hash TEXT NOT NULL);
      CREATE INDEX IF NOT EXISTS journal_account_day ON journal (account_id, trading_day);
      CREATE INDEX IF NOT EXISTS journal_alert ON journal (account_id, json_extract(data, '$.alertId')) WHERE json_extract(data, '$.alertId') IS NOT NULL;
      CREATE INDEX IF NOT EXISTS journal_order ON journal (account_id, json_extract(data, '$.orderId')) WHERE kind = 'fill';
      CREATE TRIGGER IF NOT EXISTS journal_no_update BEFORE UPDATE ON journal BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
      CREATE TRIGGER IF NOT EXISTS journal_no_delete BEFORE DELETE ON journal BEGIN SELECT RAISE(ABORT, 'the journal is append-only'); END;
    `);
    this.insert = this.db.prepare(
      "INSERT INTO journal (ts, ts_iso, trading_day, account_id, kind, data, hash) VALUES (?, ?, ?, ?, ?, ?, ?)",
    );
    this.lastHash = this.db.prepare("SELECT hash FROM journal ORDER BY seq DESC LIMIT 1");
    this.upsertState = this.db.prepare(
      "INSERT INTO rule_state (account_id, state, updated_at) VALUES (?, ?, ?) ON CONFLICT(account_id) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at",
    );
    // A file with a seen_alerts table keeps its alert ids for the whole file: move each under the
    // account that sent it, so its replays stay refused (a row naming no account goes under 0).
    if (this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'seen_alerts'").get()) {
      this.db.exec(
        "BEGIN; INSERT OR IGNORE INTO decided_alerts (account_id, alert_id, decided_at) SELECT COALESCE(account_id, 0), alert_id, seen_at FROM seen_alerts; DROP TABLE seen_alerts; COMMIT;",
      );
    }
    this.insertSeen = this.db.prepare(
      "INSERT OR IGNORE INTO decided_alerts (account_id, alert_id, decided_at) VALUES (?, ?, ?)",
    );
    this.selectSeen = this.db.prepare("SELECT 1 FROM decided_alerts WHERE account_id = ? AND alert_id = ?");
    // The chain goes on from the last row in the file, read inside the write transaction: another
    // connection to the same file (another process, a reader that wrote) cannot fork it.
    const insertChained = (items: Array<QueuedRow | QueuedDecision>): boolean[] => {
      let prev = (this.lastHash.get() as { hash: string } | undefined)?.hash ?? "";
      const write = (r: QueuedRow) => {
        const hash = createHash("sha256").update(`${prev}|${r.ts}|${r.accountId}|${r.kind}|${r.text}`).digest("hex");
        this.insert.run(r.ts, new Date(r.ts).toISOString(), tradingDayOf(r.ts), r.accountId, r.kind, r.text, hash);
        prev = hash;
      };
      const outcomes: boolean[] = [];
      for (const item of items) {
        if (!("decision" in item)) {
          write(item);
          continue;
        }
        const d = item.decision;
        const fresh = d.alertId === null || this.insertSeen.run(d.accountId, d.alertId, d.ts).changes > 0;
        if (fresh) for (const r of d.rows) write(r);
        outcomes.push(fresh);
      }
      return outcomes;
    };
    const appendRows = this.db.transaction((rows: JournalRow[], accountId: number, ts: number) => {
      insertChained(serialized(rows, accountId, ts));
    });
    const appendQueued = this.db.transaction(
      (items: Array<QueuedRow | QueuedDecision>, states: Map<number, SoonState>) => {
        const outcomes = insertChained(items);
        for (const [accountId, q] of states) this.upsertState.run(accountId, JSON.stringify(q.state, replacer), q.ts);
        return outcomes;
      },
    );
    this.appendQueued = (rows, states) => appendQueued.immediate(rows, states);
    this.appendRows = (rows, accountId, ts) => {
      this.flush();
      appendRows.immediate(rows, accountId, ts);
    };
    const decideRows = this.db.transaction(
      (accountId: number, alertId: string | null, rows: JournalRow[], ts: number) => {
        if (alertId !== null && this.insertSeen.run(accountId, alertId, ts).changes === 0) return false;
        appendRows(rows, accountId, ts);
        return true;
      },
    );
    this.decideRows = (accountId, alertId, rows, ts) => {
      this.flush();
      return decideRows.immediate(accountId, alertId, rows, ts);
    };
  }

  /** Appends one row; each row's hash covers the previous one, so edits outside the app show. */
  append(kind: JournalKind, accountId: number, data: unknown, ts: number): void {
    this.appendRows([{ kind, data }], accountId, ts);
  }

  /**
   * Appends a row on the next turn of the event loop, in one transaction with every other row
   * queued meanwhile: for the trail rows of the order path (order, answer), which would otherwise
   * cost a transaction each on every alert. The row is taken as it is now; it is written before
   * any later append, decision or read, so the chain keeps the order of the calls. A kill -9 may
   * lose the rows of the last turn, never a decision (recordDecision writes at once).
   */
  appendSoon(kind: JournalKind, accountId: number, data: unknown, ts: number): void {
    this.queued.push({ kind, accountId, ts, text: JSON.stringify(data ?? null, replacer) });
    this.flushSoon();
  }

  /**
   * Saves a rule state on the next turn of the event loop, together with the rows appendSoon queued:
   * for changes that follow every fill, which the gateway's history restores after a kill -9.
   * The state is written as it is then; a later saveState writes it at once.
   */
  saveStateSoon(s: RuleState, ts: number): void {
    this.queuedStates.set(s.accountId, { state: s, ts });
    this.flushSoon();
  }

  private flushSoon(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      try {
        this.flush();
      } catch {
        // A closed or broken file: the trail row is lost, the order path goes on (see journal-trail).
      }
    });
  }

  /** Writes the rows, decisions and states queued by appendSoon, recordDecisionSoon and saveStateSoon now. */
  flush(): void {
    if (this.queued.length === 0 && this.queuedStates.size === 0) return;
    const items = this.queued;
    const states = this.queuedStates;
    this.queued = [];
    this.queuedStates = new Map();
    const decisions = items.filter((i): i is QueuedDecision => "decision" in i);
    let outcomes: boolean[];
    try {
      if (!this.db.open) throw new Error("the journal is closed");
      outcomes = this.appendQueued(items, states);
    } catch (e) {
      for (const d of decisions) d.settle.reject(e);
      throw e;
    }
    decisions.forEach((d, i) => {
      d.settle.resolve(outcomes[i]!);
    });
  }

  /**
   * Journals the decision on an alert and burns its id, in one transaction: an id is spent only by
   * a decision, and a decision written is never without its id (a kill -9 keeps both or neither).
   * Returns false, writing nothing, when the account had already decided this id.
   */
  recordDecision(accountId: number, alertId: string | null | undefined, rows: JournalRow[], ts: number): boolean {
    return this.decideRows(accountId, alertId ?? null, rows, ts);
  }

  /**
   * recordDecision in one transaction with everything else queued this turn of the event loop
   * (other decisions, trail rows, states): under a burst of alerts the file takes one commit per
   * turn, not one per alert. Resolves once committed, so nothing acts on a decision that a kill -9
   * could still take back; rejects if the write fails.
   */
  recordDecisionSoon(
    accountId: number,
    alertId: string | null | undefined,
    rows: JournalRow[],
    ts: number,
  ): Promise<boolean> {
    return new Promise((resolve, reject) => {
      const queued = serialized(rows, accountId, ts);
      this.queued.push({
        decision: { accountId, alertId: alertId ?? null, rows: queued, ts },
        settle: { resolve, reject },
      });
      this.flushSoon();
    });
  }

  /** Whether the account has already decided an alert with this id. */
  decided(alertId: string, accountId: number): boolean {
    return this.selectSeen.get(accountId, alertId) !== undefined;
  }

  /** The account's last saved rule state, or null for an account this file has never guarded. */
  loadState(accountId: number): RuleState | null {
    this.flush();
    const row = this.db.prepare("SELECT state FROM rule_state WHERE account_id = ?").get(accountId) as
      | { state: string }
      | undefined;
    return row ? (JSON.parse(row.state, reviver) as RuleState) : null;
  }

  /**
   * Replaces the saved rule state of `s.accountId`; `ts` (epoch ms) records when. Committed before it
   * returns, so it survives a killed process (not a power cut: the file syncs in WAL NORMAL mode).
   */
  saveState(s: RuleState, ts: number): void {
    this.queuedStates.delete(s.accountId);
    this.upsertState.run(s.accountId, JSON.stringify(s, replacer), ts);
  }

  /** Records an alert id of an account; returns true if it had been recorded before (a duplicate). */
  seenBefore(alertId: string, accountId: number, ts: number): boolean {
    return this.insertSeen.run(accountId, alertId, ts).changes === 0;
  }

  /** Forgets alert ids older than `ms` (a week by default). */
  pruneSeen(now: number, ms = 7 * 86_400_000): void {
    this.db.prepare("DELETE FROM decided_alerts WHERE decided_at < ?").run(now - ms);
  }

  /**
   * Rows in journal order, filtered by account, kind and `seq` after `sinceSeq`; at most `limit`
   * (10,000 by default), so page on with the last row's seq. Rows queued by appendSoon are written first.
   */
  entries(filter: { accountId?: number; kind?: JournalKind; sinceSeq?: number; limit?: number } = {}): JournalEntry[] {
    this.flush();
    const where: string[] = [];
    const args: unknown[] = [];
    if (filter.accountId !== undefined) {
      where.push("account_id = ?");
      args.push(filter.accountId);
    }
    if (filter.kind) {
      where.push("kind = ?");
      args.push(filter.kind);
    }
    if (filter.sinceSeq !== undefined) {
      where.push("seq > ?");
      args.push(filter.sinceSeq);
    }
    const sql = `SELECT * FROM journal ${where.length ? `WHERE ${where.join(" AND ")}` : ""} ORDER BY seq LIMIT ?`;
    args.push(filter.limit ?? 10_000);
    return (this.db.prepare(sql).all(...args) as Array<Record<string, unknown>>).map(toEntry);
  }

  /**
   * Every row of an account written at or after `fromTs` (epoch ms), oldest first, but those of the
   * kinds in `except`: what a report adds up (it needs no alert, order or answer row).
   */
  accountEntries(accountId: number, fromTs = 0, except: readonly JournalKind[] = []): JournalEntry[] {
    this.flush();
    const skip = except.length ? ` AND kind NOT IN (${except.map(() => "?").join(", ")})` : "";
    const rows = this.db
      .prepare(`SELECT * FROM journal WHERE account_id = ? AND ts >= ?${skip} ORDER BY seq`)
      .all(accountId, fromTs, ...except) as Array<Record<string, unknown>>;
    return rows.map(toEntry);
  }

  /** The latest `limit` rows of an account, newest first. */
  recent(accountId: number, limit = 50): JournalEntry[] {
    const last = this.db.prepare("SELECT COALESCE(MAX(seq), 0) m FROM journal WHERE account_id = ?").get(accountId) as {
      m: number;
    };
    const rows = this.entries({ accountId, sinceSeq: Math.max(0, last.m - limit * 20), limit: 100_000 });
    return rows.slice(-limit).reverse();
  }

  /**
   * The trail of one alert on an account, oldest first: the alert, the decision, the order, its
   * fills (by order id), the answer, and any error, linked by the alert id.
   */
  trail(alertId: string, accountId: number): JournalEntry[] {
    this.flush();
    const rows = this.db
      .prepare(
        "SELECT * FROM journal WHERE account_id = ? AND json_extract(data, '$.alertId') = ? AND kind IN ('alert', 'decision', 'order', 'answer', 'error') ORDER BY seq",
      )
      .all(accountId, alertId) as Array<Record<string, unknown>>;
    if (rows.length === 0) return [];
    const entries = rows.map(toEntry);
    // The order id is in the answer to a webhook, or in the placed order's row.
    const orders = new Set<number>();
    for (const e of entries) {
      const d = (e.data ?? {}) as { orderId?: unknown; body?: { orderId?: unknown }; result?: { orderId?: unknown } };
      for (const x of [d.orderId, d.body?.orderId, d.result?.orderId]) if (typeof x === "number") orders.add(x);
    }
    const byOrder = this.db.prepare(
      "SELECT * FROM journal WHERE account_id = ? AND kind = 'fill' AND json_extract(data, '$.orderId') = ?",
    );
    const fills = [...orders].flatMap((id) =>
      (byOrder.all(accountId, id) as Array<Record<string, unknown>>).map(toEntry),
    );
    return [...entries, ...fills].sort((a, b) => a.seq - b.seq);
  }

  /** Checks the hash chain; returns the first broken row's seq, or null when intact. */
  verify(): number | null {
    this.flush();
    let prev = "";
    for (const r of this.db.prepare("SELECT * FROM journal ORDER BY seq").iterate() as IterableIterator<
      Record<string, unknown>
    >) {
      const h = createHash("sha256").update(`${prev}|${r.ts}|${r.account_id}|${r.kind}|${r.data}`).digest("hex");
      if (h !== r.hash) return r.seq as number;
      prev = h;
    }
    return null;
  }

  /** Per trading day: P&L (from the rule state), fills and breaches (from the journal), the best day. */
  report(accountId: number, state: Pick<RuleState, "dailyPnl"> | null): DayReport[] {
    this.flush();
    const counts = this.db
      .prepare(
        `SELECT trading_day d, SUM(kind = 'fill') trades, SUM(kind = 'breach') breaches, ${DAY_RULE_COLUMNS} FROM journal WHERE account_id = ? GROUP BY trading_day`,
      )
      .all(accountId) as Array<{
      d: string;
      trades: number;
      breaches: number;
      cooldowns: number;
      locks: string | null;
    }>;
    const days = new Map<string, DayReport>();
    for (const [day, pnl] of Object.entries(state?.dailyPnl ?? {}))
      days.set(day, { tradingDay: day, pnl, trades: 0, breaches: 0, bestDay: false, cooldowns: 0, profitLocks: [] });
    for (const c of counts) {
      const d = days.get(c.d) ?? {
        tradingDay: c.d,
        pnl: 0,
        trades: 0,
        breaches: 0,
        bestDay: false,
        cooldowns: 0,
        profitLocks: [],
      };
      d.trades = c.trades;
      d.breaches = c.breaches;
      d.cooldowns = c.cooldowns;
      d.profitLocks = c.locks ? c.locks.split(",").sort() : [];
      days.set(c.d, d);
    }
    const rows = [...days.values()].sort((a, b) => a.tradingDay.localeCompare(b.tradingDay));
    const best = rows.reduce<DayReport | null>((b, r) => (r.pnl > 0 && (!b || r.pnl > b.pnl) ? r : b), null);
    if (best) best.bestDay = true;
    return rows;
  }

  /** Closes the file; a journal from Journal.open closes once its last holder has closed it. */
  close(): void {
    const entry = this.sharedKey ? shared.get(this.sharedKey) : undefined;
    if (entry && --entry.holders > 0) return;
    if (this.sharedKey) shared.delete(this.sharedKey);
    this.flush();
    this.releaseCheckpoints?.();
    this.db.close();
  }
}

function toEntry(r: Record<string, unknown>): JournalEntry {
  return {
    seq: r.seq as number,
    ts: r.ts as number,
    tsIso: r.ts_iso as string,
    tradingDay: r.trading_day as string,
    accountId: r.account_id as number,
    kind: r.kind as JournalKind,
    data: JSON.parse(r.data as string, reviver),
    hash: r.hash as string,
  };
}

/** The report's day-rule columns: cooldowns started, and the profit limits that acted (dayRule rows, profitLock breaches). */
const DAY_RULE_COLUMNS = `SUM(kind = 'dayRule' AND json_extract(data, '$.event') = 'start') cooldowns,
  GROUP_CONCAT(DISTINCT CASE WHEN (kind = 'dayRule' AND json_extract(data, '$.event') = 'reached')
    OR (kind = 'breach' AND json_extract(data, '$.rule') = 'profitLock') THEN json_extract(data, '$.rule') END) locks`;

/** The compliance report as CSV. */
export function reportCsv(rows: DayReport[]): string {
  return `${[
    "trading_day,pnl,trades,breaches,best_day,cooldowns,profit_locks",
    ...rows.map(
      (r) =>
        `${r.tradingDay},${r.pnl.toFixed(2)},${r.trades},${r.breaches},${r.bestDay},${r.cooldowns ?? 0},${(r.profitLocks ?? []).join("|")}`,
    ),
  ].join("\n")}\n`;
}
