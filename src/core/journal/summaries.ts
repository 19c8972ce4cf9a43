import { chicagoText, TRADING_TIME_ZONE, zoneTextFormatter } from "../time/chicago-text";
import { tradingDayOf } from "../time/trading-day";
import type { JournalEntry } from "./journal";

/** One fill of the account as the journal keeps it (a gateway trade), in the figures a report adds up. */
export interface ReportFill {
  id: number;
  contractId: string;
  /** Epoch ms of the fill (the gateway's timestamp; the journal row's time when it has none). */
  time: number;
  /** +size for a buy, −size for a sell. */
  signedSize: number;
  price: number;
  /** Gross realized P&L of a closing fill; 0 for an opening one. */
  pnl: number;
  fees: number;
  commissions: number;
}

/** A position from flat back to flat (or to a reversal) on one contract. */
export interface RoundTrip {
  contractId: string;
  side: "long" | "short";
  /** Largest size held during the trip. */
  size: number;
  opened: number;
  closed: number;
  /** Gross P&L, and net after every fill's fees and commissions. */
  grossPnl: number;
  netPnl: number;
  /** Average prices by size of the fills that built the position and of those that closed it. */
  entryPrice: number;
  exitPrice: number;
}

/** What a report adds up for one trading day or one trading week. */
export interface PeriodSummary {
  period: "day" | "week";
  /** The trading day, or the Monday that names the trading week (YYYY-MM-DD). */
  key: string;
  /** First and last trading day of the period. */
  from: string;
  to: string;
  fills: number;
  /** Round trips closed in the period (a position opened and brought back to flat). */
  trades: number;
  wins: number;
  losses: number;
  /** Wins over trades, 0..1; null without a closed trade. */
  winRate: number | null;
  grossPnl: number;
  fees: number;
  commissions: number;
  /** Gross P&L less fees and commissions. */
  netPnl: number;
  /** Largest fall of the net P&L from its high within the period, a positive number. */
  maxDrawdown: number;
  /**
   * What the drawdown was measured on: the running net P&L after each fill ("closedTrades"); open
   * P&L between fills is not journaled, so an intraday dip that came back unrealized is not in it.
   */
  maxDrawdownBasis: "closedTrades";
  /** The balance after the period's last fill (rebuilt backward from the balance now). */
  balanceAtClose: number | null;
  /** The Maximum Loss Limit floor in force after the period, and the dollars the balance kept above it. */
  floorAtClose: number | null;
  headroomAtClose: number | null;
  /** Rule events journaled in the period, by name: `breach:<rule>`, `refused:<rule>`, `killSwitch:on`, `flatten`… */
  ruleEvents: Record<string, number>;
}

/** A point of the equity curve: the balance after a fill, with the lines it must stay above. */
export interface EquityPoint {
  time: number;
  /** The time in the trading time zone, "2026-11-25 09:30:00 CST". */
  chicago: string;
  /** The time in the display time zone ({@link ReportContext.timeZone}), "2026-11-25 10:30:00 EST". */
  local: string;
  tradingDay: string;
  balance: number;
  /** The Maximum Loss Limit floor in force that day, and the daily-loss line (day start less the daily limit). */
  floor: number | null;
  dailyLossLine: number | null;
}

/** What a report needs beside the journal: the balance now, the floor now, the daily limit. */
export interface ReportContext {
  /** The account's balance now and when: the curve is rebuilt backward from it. */
  balance: number;
  now: number;
  /** The floor in force now (for the open day). */
  floor: number | null;
  /** The daily loss limit's amount, for the daily-loss line; absent without one. */
  dailyLossAmount?: number | null;
  /** The IANA zone the times are shown in (default America/Chicago); trading days stay Chicago's. */
  timeZone?: string;
}

const cents = (x: number) => Math.round(x * 100) / 100;
const num = (x: unknown) => (typeof x === "number" && Number.isFinite(x) ? x : 0);

/** The Monday (YYYY-MM-DD) of the week of a trading day: a week's report is named by it. */
export function tradingWeekOf(tradingDay: string): string {
  const d = new Date(`${tradingDay}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.toISOString().slice(0, 10);
}

/**
 * The account's fills in the journal, oldest first, each once (a re-sync may journal a fill again
 * under a new row only if its id was forgotten) and without voided ones.
 */
export function reportFills(entries: readonly JournalEntry[]): ReportFill[] {
  const seen = new Set<number>();
  const fills: ReportFill[] = [];
  for (const e of entries) {
    if (e.kind !== "fill") continue;
    const t = (e.data ?? {}) as Record<string, unknown>;
    if (t.voided === true || typeof t.id !== "number" || seen.has(t.id)) continue;
    seen.add(t.id);
    const stamped = typeof t.creationTimestamp === "string" ? Date.parse(t.creationTimestamp) : Number.NaN;
    const size = Math.abs(num(t.size));
    fills.push({
      id: t.id,
      contractId: String(t.contractId ?? ""),
      time: Number.isFinite(stamped) ? stamped : e.ts,
      signedSize: t.side === 1 ? -size : size,
      price: num(t.price),
      pnl: num(t.profitAndLoss),
      fees: num(t.fees),
      commissions: num(t.commissions),
    });
  }
  return fills.sort((a, b) => a.time - b.time || a.id - b.id);
}

/**
 * Round trips of the fills: a trip opens when a contract leaves flat and closes when it is flat
 * again; a fill that reverses the position closes one trip and opens the next, its costs shared by
 * size. Trips still open at the end are left out.
 */
export function roundTrips(fills: readonly ReportFill[]): RoundTrip[] {
  return pairFills(fills).closed;
}

/** A position still open after the last fill: how it was opened, and what is held now (signed). */
export interface OpenTrip {
  contractId: string;
  side: "long" | "short";
  /** Largest size held so far, and the size held now (+long, −short). */
  size: number;
  position: number;
  opened: number;
  /** Average price of the fills that built the position. */
  entryPrice: number;
}

type Building = RoundTrip & {
  position: number;
  entryQty: number;
  entryValue: number;
  exitQty: number;
  exitValue: number;
};

/**
 * The fills paired into round trips per contract (see {@link roundTrips}), with the trips still open
 * after the last fill. Entry and exit prices are averages by size, so partial exits fold into one
 * trip (what a replay and a report count as one trade).
 */
export function pairFills(fills: readonly ReportFill[]): { closed: RoundTrip[]; open: OpenTrip[] } {
  const open = new Map<string, Building>();
  const closed: RoundTrip[] = [];
  for (const f of fills) {
    let trip = open.get(f.contractId);
    const cost = f.fees + f.commissions;
    const size = Math.abs(f.signedSize);
    if (size === 0) continue;
    const before = trip?.position ?? 0;
    const after = before + f.signedSize;
    const closing = before !== 0 && Math.sign(after) !== Math.sign(before);
    const closedSize = closing ? Math.abs(before) : 0;
    if (trip) {
      const share = closing ? closedSize / size : 1;
      trip.grossPnl += f.pnl;
      trip.netPnl += f.pnl - cost * share;
      trip.position = after;
      if (!closing && Math.abs(after) > Math.abs(before)) {
        trip.entryQty += size;
        trip.entryValue += size * f.price;
      } else {
        trip.exitQty += closing ? closedSize : size;
        trip.exitValue += (closing ? closedSize : size) * f.price;
      }
      if (!closing) trip.size = Math.max(trip.size, Math.abs(after));
      if (closing) {
        const { position: _, entryQty, entryValue, exitQty, exitValue, ...done } = trip;
        closed.push({
          ...done,
          closed: f.time,
          grossPnl: cents(done.grossPnl),
          netPnl: cents(done.netPnl),
          entryPrice: entryValue / entryQty,
          exitPrice: exitValue / exitQty,
        });
        open.delete(f.contractId);
        trip = undefined;
      }
    }
    if (!trip && after !== 0) {
      const share = (size - closedSize) / size;
      open.set(f.contractId, {
        contractId: f.contractId,
        side: after > 0 ? "long" : "short",
        size: Math.abs(after),
        opened: f.time,
        closed: f.time,
        grossPnl: 0,
        netPnl: -cost * share,
        entryPrice: f.price,
        exitPrice: f.price,
        position: after,
        entryQty: Math.abs(after),
        entryValue: Math.abs(after) * f.price,
        exitQty: 0,
        exitValue: 0,
      });
    }
  }
  const stillOpen = [...open.values()].map((t) => ({
    contractId: t.contractId,
    side: t.side,
    size: t.size,
    position: t.position,
    opened: t.opened,
    entryPrice: t.entryValue / t.entryQty,
  }));
  return { closed, open: stillOpen };
}

/** The name a journal row counts under in a report's rule events, or null for what is not one. */
function ruleEventOf(e: JournalEntry): string | null {
  const d = (e.data ?? {}) as Record<string, unknown>;
  const rule = typeof d.rule === "string" ? d.rule : null;
  switch (e.kind) {
    case "breach":
      return `breach:${rule ?? "unknown"}`;
    case "decision": {
      const dec = d.decision as { allow?: boolean; rule?: string } | undefined;
      return dec && dec.allow === false ? `refused:${dec.rule ?? "unknown"}` : null;
    }
    case "killSwitch":
      return `killSwitch:${d.on ? "on" : "off"}`;
    case "flatten":
      return d.reduce ? "reduce" : "flatten";
    case "guard":
      return d.action === "filled" || d.action === "failed" ? `guard:${d.action}` : null;
    case "error":
      return "error";
    case "alert":
    case "order":
    case "answer":
    case "fill":
    case "start":
      return null;
    default:
      // A kind a newer rule journals (a cooldown, a blackout…) counts under its own name.
      return rule ? `${e.kind}:${rule}` : e.kind;
  }
}

/** The floor each trading day opened with, from the journal's "new trading day" rows. */
function floorsByDay(entries: readonly JournalEntry[]): Map<string, number> {
  const floors = new Map<string, number>();
  for (const e of entries) {
    const d = (e.data ?? {}) as Record<string, unknown>;
    if (e.kind === "start" && d.event === "new trading day" && typeof d.floor === "number")
      floors.set(String(d.tradingDay ?? e.tradingDay), d.floor);
  }
  return floors;
}

/** The balance before the first journaled fill: the balance now less every fill's net since. */
function baseBalance(fills: readonly ReportFill[], ctx: ReportContext): number {
  return ctx.balance - fills.reduce((s, f) => s + f.pnl - f.fees - f.commissions, 0);
}

/** A summary being added up: the running net P&L and its high, for the drawdown. */
type Tally = PeriodSummary & { high: number; running: number };

function emptyTally(period: "day" | "week", key: string, day: string): Tally {
  return {
    period,
    key,
    from: day,
    to: day,
    fills: 0,
    trades: 0,
    wins: 0,
    losses: 0,
    winRate: null,
    grossPnl: 0,
    fees: 0,
    commissions: 0,
    netPnl: 0,
    maxDrawdown: 0,
    maxDrawdownBasis: "closedTrades",
    balanceAtClose: null,
    floorAtClose: null,
    headroomAtClose: null,
    ruleEvents: {},
    high: 0,
    running: 0,
  };
}

/** Adds a fill to its period's tally; `balance` is the balance after it. */
function addFill(r: Tally, f: ReportFill, balance: number): void {
  const net = f.pnl - f.fees - f.commissions;
  r.fills++;
  r.grossPnl += f.pnl;
  r.fees += f.fees;
  r.commissions += f.commissions;
  r.running += net;
  r.high = Math.max(r.high, r.running);
  r.maxDrawdown = Math.max(r.maxDrawdown, r.high - r.running);
  r.balanceAtClose = balance;
}

/** A tally rounded to cents, with the balance carried from earlier periods and the headroom to `floor`. */
function finished(t: Tally, balance: number, floor: number | null): PeriodSummary {
  const { high: _h, running: _r, ...r } = t;
  return {
    ...r,
    grossPnl: cents(r.grossPnl),
    fees: cents(r.fees),
    commissions: cents(r.commissions),
    netPnl: cents(r.grossPnl - r.fees - r.commissions),
    maxDrawdown: cents(r.maxDrawdown),
    winRate: r.trades > 0 ? Math.round((r.wins / r.trades) * 10_000) / 10_000 : null,
    balanceAtClose: cents(balance),
    floorAtClose: floor,
    headroomAtClose: floor === null ? null : cents(balance - floor),
  };
}

/**
 * Daily or weekly summaries of an account from its journal rows (all of them, oldest first):
 * trades as round trips, win rate, gross and net P&L, fees and commissions, the largest drawdown
 * of the running net P&L, the balance and the Maximum Loss Limit headroom at the close, and the
 * rule events. Periods are trading days (17:00 to 17:00 Chicago) or the weeks of them; a period
 * shows when it has a fill or a rule event. Oldest first.
 */
export function periodSummaries(
  entries: readonly JournalEntry[],
  period: "day" | "week",
  ctx: ReportContext,
): PeriodSummary[] {
  const fills = reportFills(entries);
  const floors = floorsByDay(entries);
  const rows = new Map<string, Tally>();
  const rowOf = (day: string) => {
    const key = period === "day" ? day : tradingWeekOf(day);
    const r = rows.get(key) ?? emptyTally(period, key, day);
    rows.set(key, r);
    if (day < r.from) r.from = day;
    if (day > r.to) r.to = day;
    return r;
  };
  let balance = baseBalance(fills, ctx);
  for (const f of fills) {
    balance += f.pnl - f.fees - f.commissions;
    addFill(rowOf(tradingDayOf(f.time)), f, balance);
  }
  for (const t of roundTrips(fills)) {
    const r = rowOf(tradingDayOf(t.closed));
    r.trades++;
    if (t.netPnl > 0) r.wins++;
    else if (t.netPnl < 0) r.losses++;
  }
  for (const e of entries) {
    const name = ruleEventOf(e);
    if (!name) continue;
    const r = rowOf(e.tradingDay);
    r.ruleEvents[name] = (r.ruleEvents[name] ?? 0) + 1;
  }
  const today = tradingDayOf(ctx.now);
  const days = [...floors.keys()].sort();
  let carried = baseBalance(fills, ctx);
  return [...rows.values()]
    .sort((a, b) => a.key.localeCompare(b.key))
    .map((r) => {
      carried = r.balanceAtClose ?? carried;
      // The floor after the close is the one the next trading day opened with; the open day's is the floor now.
      const next = days.find((d) => d > r.to);
      const floor = r.to >= today || next === undefined ? ctx.floor : floors.get(next)!;
      return finished(r, carried, floor);
    });
}

const CSV_HEADER =
  "period,key,from,to,fills,trades,wins,losses,win_rate,gross_pnl,fees,commissions,net_pnl,max_drawdown,max_drawdown_basis,balance_at_close,floor_at_close,headroom_at_close,rule_events";

/** Summaries as CSV, one line each; rule events as `name=count` joined by `;`. */
export function summariesCsv(rows: readonly PeriodSummary[]): string {
  const opt = (x: number | null) => (x === null ? "" : String(x));
  const lines = rows.map((r) =>
    [
      r.period,
      r.key,
      r.from,
      r.to,
      r.fills,
      r.trades,
      r.wins,
      r.losses,
      opt(r.winRate),
      r.grossPnl.toFixed(2),
      r.fees.toFixed(2),
      r.commissions.toFixed(2),
      r.netPnl.toFixed(2),
      r.maxDrawdown.toFixed(2),
      r.maxDrawdownBasis,
      opt(r.balanceAtClose),
      opt(r.floorAtClose),
      opt(r.headroomAtClose),
      Object.entries(r.ruleEvents)
        .map(([k, v]) => `${k}=${v}`)
        .join(";"),
    ].join(","),
  );
  return `${[CSV_HEADER, ...lines].join("\n")}\n`;
}

/**
 * The equity curve for a chart: the balance after each fill (rebuilt backward from the balance
 * now), with the floor in force that day and the daily-loss line (the day's starting balance less
 * the daily limit), and a last point now.
 */
export function equityCurve(entries: readonly JournalEntry[], ctx: ReportContext): EquityPoint[] {
  const fills = reportFills(entries);
  const floors = floorsByDay(entries);
  let balance = baseBalance(fills, ctx);
  let day = "";
  let dayStart = balance;
  const points: EquityPoint[] = [];
  const today = tradingDayOf(ctx.now);
  const floorOf = (d: string) => (d === today ? ctx.floor : (floors.get(d) ?? ctx.floor));
  const local = zoneTextFormatter(ctx.timeZone ?? TRADING_TIME_ZONE);
  const push = (time: number) => {
    const d = tradingDayOf(time);
    if (d !== day) {
      day = d;
      dayStart = balance;
    }
    points.push({
      time,
      chicago: chicagoText(time),
      local: local(time),
      tradingDay: d,
      balance: cents(balance),
      floor: floorOf(d),
      dailyLossLine: ctx.dailyLossAmount ? cents(dayStart - ctx.dailyLossAmount) : null,
    });
  };
  if (fills.length > 0) push(fills[0]!.time - 1);
  for (const f of fills) {
    // The day's line starts from the balance before its first fill.
    if (tradingDayOf(f.time) !== day) {
      day = tradingDayOf(f.time);
      dayStart = balance;
    }
    balance += f.pnl - f.fees - f.commissions;
    push(f.time);
  }
  push(ctx.now);
  return points;
}
