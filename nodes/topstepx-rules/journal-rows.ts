import type { JournalEntry } from "../../src/core/journal/journal";
import { zoneTextFormatter } from "../../src/core/time/chicago-text";
import { summarize } from "./journal-summary";

/** A journal row as the journal command answers it: the time as the trader reads it first. */
export interface JournalRowView {
  /** The time in the display time zone, "2026-11-30 09:31:05 CST". */
  local: string;
  kind: string;
  /** The Topstep trading day (Chicago's, whatever the display zone). */
  tradingDay: string;
  detail: string;
  /** The instant, ISO UTC. */
  time: string;
}

/**
 * Journal rows for a table or an export, times in IANA zone `timeZone`. `local` comes first: a
 * dashboard table shows the columns in the order of the first row's keys.
 */
export function journalRows(entries: readonly JournalEntry[], timeZone: string): JournalRowView[] {
  const local = zoneTextFormatter(timeZone);
  return entries.map((e) => ({
    local: local(e.ts),
    kind: e.kind,
    tradingDay: e.tradingDay,
    detail: summarize(e.data),
    time: e.tsIso,
  }));
}

const CSV_HEADER = "local,time,kind,trading_day,detail";

/** The rows as CSV, one line each, the detail quoted when it needs to be. */
export function journalCsv(rows: readonly JournalRowView[]): string {
  const q = (s: string) => (/[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = rows.map((r) => [r.local, r.time, r.kind, r.tradingDay, q(r.detail)].join(","));
  return `${[CSV_HEADER, ...lines].join("\n")}\n`;
}
