import type { GatewayConnection } from "../../src/core/connection";
import type { Journal, JournalEntry, JournalKind } from "../../src/core/journal/journal";
import {
  type EquityPoint,
  equityCurve,
  type PeriodSummary,
  periodSummaries,
  type ReportContext,
} from "../../src/core/journal/summaries";
import type { AccountGuard } from "../../src/core/rules/account-guard";
import { localText, TRADING_TIME_ZONE } from "../../src/core/time/chicago-text";

/** Rows a report never reads: the bulk of a busy journal. */
export const NOT_REPORTED: readonly JournalKind[] = ["alert", "order", "answer"];

/** The rows of an account a report adds up. */
export function reportEntries(journal: Journal, accountId: number): JournalEntry[] {
  return journal.accountEntries(accountId, 0, NOT_REPORTED);
}

/** The balance and floor now, and the daily limit, that a report rebuilds the account's history from. */
export function reportContext(guard: AccountGuard, conn: GatewayConnection): ReportContext {
  const s = guard.state;
  return {
    balance: conn.book(guard.accountId)?.balance ?? s?.lastBalance ?? 0,
    now: conn.clock.now(),
    floor: s?.floor ?? null,
    dailyLossAmount: guard.config.dailyLoss?.amount ?? null,
    timeZone: conn.options.timeZone ?? TRADING_TIME_ZONE,
  };
}

/** A report of an account: daily and weekly summaries and the equity curve with its floor lines. */
export interface AccountReport {
  account: string;
  accountId: number;
  /** When it was made: ISO UTC, and in the display time zone (`timeZone`). */
  generated: string;
  generatedLocal: string;
  timeZone: string;
  days: PeriodSummary[];
  weeks: PeriodSummary[];
  curve: EquityPoint[];
}

/** Everything the report page and the report command show, from the journal. */
export function accountReport(guard: AccountGuard, conn: GatewayConnection, journal: Journal): AccountReport {
  const entries = reportEntries(journal, guard.accountId);
  const ctx = reportContext(guard, conn);
  return {
    account: conn.book(guard.accountId)?.name || String(guard.accountId),
    accountId: guard.accountId,
    generated: new Date(ctx.now).toISOString(),
    generatedLocal: localText(ctx.now, ctx.timeZone),
    timeZone: ctx.timeZone ?? TRADING_TIME_ZONE,
    days: periodSummaries(entries, "day", ctx),
    weeks: periodSummaries(entries, "week", ctx),
    curve: equityCurve(entries, ctx),
  };
}
