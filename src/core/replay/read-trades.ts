import { CsvError, parse } from "csv-parse/sync";
import { knownSymbols, productOf } from "../contracts/products";
import type { JournalEntry } from "../journal/journal";
import { type OpenTrip, pairFills, type ReportFill, type RoundTrip, reportFills } from "../journal/summaries";
import { isKnownZone, zonedTimeToEpoch } from "../time/zoned";
import { ReplayInputError, type ReplayTrade } from "./replay-trade";

/** How to read a trades file. */
export interface ReadTradesOptions {
  /** The file's name, for the trades' `source` (`trades.csv:12`). */
  fileName?: string;
  /**
   * The IANA zone of the file's wall times (TradingView writes the chart's time zone, without an
   * offset). Default {@link DEFAULT_TIME_ZONE}. Times with an offset or `Z` ignore it.
   */
  timeZone?: string;
  /** The product (`MNQ`) when the file names none, as TradingView's export never does. */
  symbol?: string;
}

/**
 * The zone assumed for a file's wall times when none is given: TradingView's default chart time
 * zone is the exchange's, and the CME futures Topstep trades are listed in Chicago.
 */
export const DEFAULT_TIME_ZONE = "America/Chicago";

/** The headers each layout needs (a currency suffix such as ` USD` follows the money columns). */
export const EXPECTED_HEADERS = Object.freeze({
  tradingViewOlder: "Trade #,Type,Signal,Date/Time,Price USD,Contracts,Profit USD,Run-up USD,Drawdown USD",
  tradingViewNewer: "Trade #,Type,Date and time,Signal,Price USD,Size (qty),Net P&L USD,Run-up USD,Drawdown USD",
  fills: "time,symbol,side,qty,price",
});

type Row = { cells: string[]; line: number };

/** A header without its currency suffix (`Price USD` → `Price`, `Net P&L EUR` → `Net P&L`). */
function headerName(h: string): string {
  return h
    .replace(/^\uFEFF/, "")
    .trim()
    .replace(/\s+[A-Z]{3,5}$/, "");
}

function rowsOf(text: string): Row[] {
  try {
    // With `info`, each record comes with where it ends in the text: errors name the real line.
    const records: unknown = parse(text, {
      info: true,
      bom: true,
      trim: true,
      skip_empty_lines: true,
      relax_column_count: true,
    });
    return (records as { record: string[]; info: { lines: number } }[]).map((r) => ({
      cells: r.record,
      line: r.info.lines,
    }));
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines ?? null;
      throw new ReplayInputError(line, null, `not a CSV file: ${e.message}`);
    }
    throw e;
  }
}

/**
 * A number as exports write it: thousands separators, a leading minus (ASCII or `−`), losses in
 * parentheses, a currency sign. Undefined for an empty cell; throws naming the cell otherwise.
 */
function numberAt(row: Row, col: number | undefined, column: string): number | undefined {
  if (col === undefined) return undefined;
  const raw = (row.cells[col] ?? "").trim();
  if (raw === "") return undefined;
  let s = raw.replace(/[\u2212\u2012\u2013]/g, "-").replace(/[$€£\s]/g, "");
  let negative = false;
  const paren = /^\((.*)\)$/.exec(s);
  if (paren) {
    negative = true;
    s = paren[1]!;
  }
  if (!/^[-+]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$|^[-+]?\.\d+$/.test(s))
    throw new ReplayInputError(row.line, column, `"${raw}" is not a number`);
  const n = Number(s.replace(/,/g, ""));
  return negative ? -Math.abs(n) : n;
}

function requiredNumber(row: Row, col: number, column: string): number {
  const n = numberAt(row, col, column);
  if (n === undefined) throw new ReplayInputError(row.line, column, "is empty");
  return n;
}

/**
 * A time cell: `2026-03-03 15:30[:45]` (or with `T`) as a wall time in `zone`; with an offset or `Z`
 * it is an instant already.
 */
function timeAt(row: Row, col: number, column: string, zone: string): number {
  const raw = (row.cells[col] ?? "").trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(raw);
  const bad = () =>
    new ReplayInputError(row.line, column, `"${raw}" is not a date and time (expected YYYY-MM-DD HH:MM[:SS])`);
  if (!m) throw bad();
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6] ?? "0"].map(Number) as number[];
  if (mo! < 1 || mo! > 12 || d! < 1 || d! > 31 || h! > 23 || mi! > 59 || s! > 59) throw bad();
  if (m[7]) {
    const t = Date.parse(raw.replace(" ", "T"));
    if (!Number.isFinite(t)) throw bad();
    return t;
  }
  return zonedTimeToEpoch(zone, y!, mo!, d!, h!, mi!, s!);
}

/** A header alone is a file cut short, not a strategy that never traded. */
function checkHasRows(rows: Row[]): void {
  if (rows.length === 1) throw new ReplayInputError(rows[0]!.line, null, "the file has a header but no trades");
}

const KNOWN = new Set(knownSymbols());

/**
 * The product of a symbol as traders and TradingView write it: `MNQ`, `mnq`, `MNQ1!`, `CME_MINI:MNQ1!`,
 * `MNQH2026`, `MNQZ6`. Throws naming the cell when it is no product this package knows.
 */
function productSymbol(raw: string, line: number | null, column: string | null): string {
  const s = raw.trim().toUpperCase().replace(/^.*:/, "").replace(/\d*!$/, "");
  if (KNOWN.has(s)) return s;
  const dated = /^(.+)[FGHJKMNQUVXZ]\d{1,4}$/.exec(s);
  if (dated && KNOWN.has(dated[1]!)) return dated[1]!;
  throw new ReplayInputError(line, column, `unknown product "${raw.trim()}" (known: ${[...KNOWN].join(", ")})`);
}

/** The zone of the options, checked. */
function zoneOf(opts: ReadTradesOptions): string {
  const zone = opts.timeZone ?? DEFAULT_TIME_ZONE;
  if (!isKnownZone(zone))
    throw new ReplayInputError(null, null, `unknown time zone "${zone}" (an IANA name, e.g. America/New_York)`);
  return zone;
}

const sourceOf = (opts: ReadTradesOptions, line: number) => `${opts.fileName ?? "trades.csv"}:${line}`;

/** Column indexes by header name (currency suffixes dropped), and the header row's raw names. */
function columnsOf(header: Row): Map<string, number> {
  const cols = new Map<string, number>();
  header.cells.forEach((h, i) => {
    const name = headerName(h);
    if (!cols.has(name)) cols.set(name, i);
  });
  return cols;
}

/**
 * The trades of a file, oldest first, whatever its layout (told by its header): TradingView's
 * Strategy Tester "List of trades" export in its older layout (`Trade #,Type,Signal,Date/Time,Price
 * USD,Contracts,Profit USD,…`, newest first, exit row then entry row) or its newer one (`Trade
 * #,Type,Date and time,Signal,Price USD,Size (qty),…,Net P&L USD,…`, oldest first), any currency
 * suffix, columns found by name; or a plain CSV of fills (`time,symbol,side,qty,price`) paired into
 * trades per symbol, as the journal's reports pair fills. Wall times are read in `opts.timeZone`
 * (default {@link DEFAULT_TIME_ZONE}). A trade still open at the end has no exit.
 *
 * Throws a {@link ReplayInputError} naming the line and the column of the first fault (an unknown
 * layout, a date or number that is not one, an unknown product, an exit without its entry, rows of
 * one trade that disagree): never a partial result.
 */
export function readTrades(text: string, opts: ReadTradesOptions = {}): ReplayTrade[] {
  const zone = zoneOf(opts);
  const rows = rowsOf(text);
  const header = rows[0];
  if (!header) throw new ReplayInputError(null, null, "the file is empty");
  const cols = columnsOf(header);
  const lower = new Map([...cols].map(([k, v]) => [k.toLowerCase(), v]));
  if (cols.has("Trade #") && cols.has("Type")) return tradingView(rows, cols, zone, opts);
  if (["time", "symbol", "side", "qty", "price"].every((c) => lower.has(c))) return plainFills(rows, lower, zone, opts);
  throw new ReplayInputError(
    header.line,
    null,
    `unknown layout: expected a header of TradingView's "List of trades" export (${EXPECTED_HEADERS.tradingViewOlder}; or ${EXPECTED_HEADERS.tradingViewNewer}) or of fills (${EXPECTED_HEADERS.fills})`,
  );
}

interface TvRow {
  row: Row;
  kind: "entry" | "exit";
  side: "long" | "short";
  open: boolean;
  time: number;
  price: number;
  quantity: number;
  pnl?: number;
  runUp?: number;
  drawdown?: number;
}

/** Where a TradingView layout keeps what a trade needs, and each column's name as the file spells it. */
interface TvLayout {
  cols: Map<string, number>;
  timeName: string;
  qtyName: string;
  pnlName: string;
  /** The header as written (`Price EUR`), for error messages. */
  raw: (name: string) => string;
}

function tvLayout(header: Row, cols: Map<string, number>): TvLayout {
  const older = cols.has("Date/Time");
  const timeName = older ? "Date/Time" : "Date and time";
  const qtyName = older ? "Contracts" : cols.has("Size (qty)") ? "Size (qty)" : "Position size (qty)";
  const missing = ["Trade #", "Type", timeName, "Price", qtyName].filter((n) => !cols.has(n));
  if (missing.length > 0)
    throw new ReplayInputError(
      header.line,
      missing[0]!,
      `missing ${missing.join(", ")}: expected ${older ? EXPECTED_HEADERS.tradingViewOlder : EXPECTED_HEADERS.tradingViewNewer}`,
    );
  return {
    cols,
    timeName,
    qtyName,
    pnlName: older ? "Profit" : "Net P&L",
    raw: (name) => header.cells[cols.get(name)!]!.trim(),
  };
}

/** One row of a TradingView export, read and checked. */
function tvRow(row: Row, l: TvLayout, zone: string): TvRow {
  const { cols, raw } = l;
  const typeText = (row.cells[cols.get("Type")!] ?? "").trim();
  const type = /^(entry|exit)\s+(long|short)$/i.exec(typeText);
  if (!type)
    throw new ReplayInputError(
      row.line,
      raw("Type"),
      `"${typeText}" is not one of Entry Long, Exit Long, Entry Short, Exit Short`,
    );
  const signal = cols.has("Signal") ? (row.cells[cols.get("Signal")!] ?? "").trim() : "";
  const quantity = requiredNumber(row, cols.get(l.qtyName)!, raw(l.qtyName));
  if (!(quantity > 0)) throw new ReplayInputError(row.line, raw(l.qtyName), `"${quantity}" is not a positive size`);
  const optional = (name: string) => (cols.has(name) ? numberAt(row, cols.get(name), raw(name)) : undefined);
  const drawdown = optional("Drawdown");
  return {
    row,
    kind: type[1]!.toLowerCase() as "entry" | "exit",
    side: type[2]!.toLowerCase() as "long" | "short",
    open: /^open$/i.test(signal),
    time: timeAt(row, cols.get(l.timeName)!, raw(l.timeName), zone),
    price: requiredNumber(row, cols.get("Price")!, raw("Price")),
    quantity,
    pnl: optional(l.pnlName),
    runUp: optional("Run-up"),
    // Some tools write the drawdown as a positive amount; it is a loss either way.
    drawdown: drawdown === undefined ? undefined : -Math.abs(drawdown),
  };
}

/** A trade's rows grouped by `Trade #`, whichever order the layout writes them in. */
function tvRowsByTrade(rows: Row[], l: TvLayout, zone: string): Map<number, { entry?: TvRow; exit?: TvRow }> {
  const byNumber = new Map<number, { entry?: TvRow; exit?: TvRow }>();
  for (const row of rows.slice(1)) {
    const num = requiredNumber(row, l.cols.get("Trade #")!, l.raw("Trade #"));
    if (!Number.isInteger(num) || num < 1)
      throw new ReplayInputError(row.line, l.raw("Trade #"), `"${num}" is not a trade number`);
    const r = tvRow(row, l, zone);
    const trade = byNumber.get(num) ?? {};
    const earlier = trade[r.kind];
    if (earlier)
      throw new ReplayInputError(
        row.line,
        l.raw("Type"),
        `trade ${num} has a second ${r.kind} row (the first is line ${earlier.row.line})`,
      );
    trade[r.kind] = r;
    byNumber.set(num, trade);
  }
  return byNumber;
}

/** Throws when a trade's exit row contradicts its entry row (side, size, the per-trade figures, times). */
function checkAgree(num: number, entry: TvRow, exit: TvRow, l: TvLayout): void {
  const disagree = (column: string, a: unknown, b: unknown) =>
    new ReplayInputError(
      exit.row.line,
      column,
      `trade ${num}'s rows disagree: ${String(b)} here, ${String(a)} on line ${entry.row.line}`,
    );
  if (exit.side !== entry.side) throw disagree(l.raw("Type"), entry.side, exit.side);
  if (exit.quantity !== entry.quantity) throw disagree(l.raw(l.qtyName), entry.quantity, exit.quantity);
  for (const [key, name] of [
    ["pnl", l.pnlName],
    ["runUp", "Run-up"],
    ["drawdown", "Drawdown"],
  ] as const)
    if (entry[key] !== undefined && exit[key] !== undefined && entry[key] !== exit[key])
      throw disagree(l.raw(name), entry[key], exit[key]);
  if (!exit.open && exit.time < entry.time)
    throw new ReplayInputError(exit.row.line, l.raw(l.timeName), `trade ${num} exits before it enters`);
}

function tradingView(rows: Row[], cols: Map<string, number>, zone: string, opts: ReadTradesOptions): ReplayTrade[] {
  const l = tvLayout(rows[0]!, cols);
  checkHasRows(rows);
  if (!opts.symbol)
    throw new ReplayInputError(null, null, "the file names no product: give one (the symbol option, e.g. MNQ)");
  const symbol = productSymbol(opts.symbol, null, "symbol option");
  const byNumber = tvRowsByTrade(rows, l, zone);
  const trades: ReplayTrade[] = [];
  let openSeen: { num: number; row: TvRow } | undefined;
  for (const num of [...byNumber.keys()].sort((a, b) => a - b)) {
    const { entry, exit } = byNumber.get(num)!;
    if (!entry) throw new ReplayInputError(exit!.row.line, l.raw("Type"), `trade ${num} has an exit without its entry`);
    if (openSeen)
      throw new ReplayInputError(
        openSeen.row.row.line,
        l.raw("Type"),
        `trade ${openSeen.num} is still open but later trades follow it (only the last trade may be open)`,
      );
    if (exit) checkAgree(num, entry, exit, l);
    const trade: ReplayTrade = {
      number: num,
      symbol,
      side: entry.side,
      quantity: entry.quantity,
      entryTime: entry.time,
      entryPrice: entry.price,
      source: sourceOf(opts, Math.min(entry.row.line, exit?.row.line ?? entry.row.line)),
    };
    if (!exit || exit.open) openSeen = { num, row: entry };
    else {
      trade.exitTime = exit.time;
      trade.exitPrice = exit.price;
      for (const k of ["pnl", "runUp", "drawdown"] as const) {
        const v = exit[k] ?? entry[k];
        if (v !== undefined) trade[k] = v;
      }
    }
    trades.push(trade);
  }
  return trades;
}

function plainFills(rows: Row[], cols: Map<string, number>, zone: string, opts: ReadTradesOptions): ReplayTrade[] {
  const header = rows[0]!;
  const raw = (name: string) => header.cells[cols.get(name)!]!.trim();
  checkHasRows(rows);
  const fills: (ReportFill & { line: number })[] = [];
  for (const [i, row] of rows.slice(1).entries()) {
    const symbolCell = (row.cells[cols.get("symbol")!] ?? "").trim();
    if (!symbolCell && !opts.symbol)
      throw new ReplayInputError(row.line, raw("symbol"), "is empty and no symbol option was given");
    const symbol = productSymbol(symbolCell || opts.symbol!, row.line, raw("symbol"));
    const sideText = (row.cells[cols.get("side")!] ?? "").trim();
    const side = /^(buy|b)$/i.test(sideText) ? 1 : /^(sell|s)$/i.test(sideText) ? -1 : 0;
    if (side === 0) throw new ReplayInputError(row.line, raw("side"), `"${sideText}" is neither buy nor sell`);
    const qty = requiredNumber(row, cols.get("qty")!, raw("qty"));
    if (!(qty > 0)) throw new ReplayInputError(row.line, raw("qty"), `"${qty}" is not a positive quantity`);
    fills.push({
      id: i + 1,
      contractId: symbol,
      time: timeAt(row, cols.get("time")!, raw("time"), zone),
      signedSize: side * qty,
      price: requiredNumber(row, cols.get("price")!, raw("price")),
      pnl: 0,
      fees: 0,
      commissions: 0,
      line: row.line,
    });
  }
  fills.sort((a, b) => a.time - b.time || a.id - b.id);
  const firstLine = new Map<string, number>();
  for (const f of fills) {
    const key = `${f.contractId}|${f.time}`;
    if (!firstLine.has(key)) firstLine.set(key, f.line);
  }
  const { closed, open } = pairFills(fills);
  return asTrades(
    closed,
    open,
    (t) => t.contractId,
    (t) => sourceOf(opts, firstLine.get(`${t.contractId}|${t.opened}`) ?? 0),
    false,
  );
}

/** Trips as trades, closed ones then open ones, each group by opening time, numbered from 1. */
function asTrades(
  closed: RoundTrip[],
  open: OpenTrip[],
  symbolOf: (t: { contractId: string }) => string,
  source: (t: { contractId: string; opened: number }) => string,
  withPnl: boolean,
): ReplayTrade[] {
  const done: ReplayTrade[] = closed
    .sort((a, b) => a.opened - b.opened)
    .map((t) => ({
      number: 0,
      symbol: symbolOf(t),
      side: t.side,
      quantity: t.size,
      entryTime: t.opened,
      entryPrice: t.entryPrice,
      exitTime: t.closed,
      exitPrice: t.exitPrice,
      ...(withPnl ? { pnl: t.grossPnl } : {}),
      source: source(t),
    }));
  const still: ReplayTrade[] = open
    .sort((a, b) => a.opened - b.opened)
    .map((t) => ({
      number: 0,
      symbol: symbolOf(t),
      side: t.side,
      quantity: t.size,
      entryTime: t.opened,
      entryPrice: t.entryPrice,
      source: source(t),
    }));
  return [...done, ...still].map((t, i) => ({ ...t, number: i + 1 }));
}

/**
 * The trades an account really made, from its journal rows (oldest first): its fills paired into
 * round trips exactly as the journal's reports pair them ({@link pairFills}), partial exits folded
 * into one trade at average prices, a reversal closing one trade and opening the next; `pnl` is the
 * gross P&L (before fees), since a replay charges the cost table's fees and commissions itself as it
 * does for every file. A position still open comes last, without an exit.
 */
export function tradesFromJournal(entries: readonly JournalEntry[]): ReplayTrade[] {
  const { closed, open } = pairFills(reportFills(entries));
  return asTrades(
    closed,
    open,
    (t) => productOf(t.contractId).symbol,
    (t) => `journal:${t.contractId}@${new Date(t.opened).toISOString()}`,
    true,
  );
}
