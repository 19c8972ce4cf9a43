import type { DayReport } from "../journal/journal";

/** One account's compliance report (Journal.report), or why it has none. */
export interface AccountReport {
  account: string;
  accountId: number | null;
  days: DayReport[];
  /** Why there is no report (no rules node guards the account, unknown account). */
  error?: string;
}

/** One trading day of a whole group: summed over its accounts. */
export interface GroupDay {
  tradingDay: string;
  pnl: number;
  trades: number;
  breaches: number;
  /** Accounts with a row that day. */
  accounts: number;
}

/** A group's compliance report: each account's days, and the group's totals per trading day. */
export interface GroupReport {
  accounts: AccountReport[];
  totals: GroupDay[];
}

const cents = (x: number) => Math.round(x * 100) / 100;

/** Sums each trading day over the accounts of a group, in day order. */
export function groupReport(accounts: AccountReport[]): GroupReport {
  const byDay = new Map<string, GroupDay>();
  for (const a of accounts)
    for (const d of a.days) {
      const t = byDay.get(d.tradingDay) ?? { tradingDay: d.tradingDay, pnl: 0, trades: 0, breaches: 0, accounts: 0 };
      t.pnl = cents(t.pnl + d.pnl);
      t.trades += d.trades;
      t.breaches += d.breaches;
      t.accounts++;
      byDay.set(d.tradingDay, t);
    }
  return { accounts, totals: [...byDay.values()].sort((a, b) => a.tradingDay.localeCompare(b.tradingDay)) };
}

/**
 * The group report as CSV: one line per account and day (`best_day` as the account's report marks
 * it), then one line per day for the group (account `group`, best_day blank).
 */
export function groupReportCsv(r: GroupReport): string {
  const q = (s: string) => (/[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s);
  const lines = ["account,account_id,trading_day,pnl,trades,breaches,best_day"];
  for (const a of r.accounts)
    for (const d of a.days)
      lines.push(
        `${q(a.account)},${a.accountId ?? ""},${d.tradingDay},${d.pnl.toFixed(2)},${d.trades},${d.breaches},${d.bestDay}`,
      );
  for (const t of r.totals) lines.push(`group,,${t.tradingDay},${t.pnl.toFixed(2)},${t.trades},${t.breaches},`);
  return `${lines.join("\n")}\n`;
}
