import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse as parseCsv } from "csv-parse/sync";
import ICAL from "ical.js";
import { marketOf } from "../contracts/products";
import { isKnownZone, ZONE_NAMES, zonedTimeToEpoch } from "./zoned";

/**
 * News blackouts as data: windows around scheduled releases (FOMC, CPI, NFP…) read from the rules
 * dialog's lines, a CSV or ICS file, or the calendar of major US releases shipped in the package.
 * Times convert to instants once, here; the rules engine only compares epoch milliseconds.
 */

/** One blackout: entries are refused from `start` to `end` for the listed markets (empty: all). */
export interface BlackoutWindow {
  /** The event's name as the trader reads it in a refusal: "FOMC", "CPI". */
  name: string;
  /** When the event happens (epoch ms). */
  at: number;
  start: number;
  end: number;
  /** Markets (ES, NQ, CL… a mini and its micro are one market); empty: every product. */
  markets: string[];
}

/** The margin around an event when its source does not give one, in milliseconds. */
export interface BlackoutMargin {
  before: number;
  after: number;
}

/** Where the windows come from, as the rules dialog gives them. */
export interface BlackoutSources {
  /** Lines such as `2026-12-09 13:00 CT FOMC ±5m` (see {@link parseBlackoutLines}). */
  lines?: string;
  /** A calendar file: `.ics` (iCalendar) or `.csv` (see {@link parseBlackoutCsv}). */
  file?: string;
  /** Add the shipped calendar of major US releases ({@link MAJOR_US_RELEASES_FILE}). */
  majorUsReleases?: boolean;
  /** The margin for calendar events that give none, as in a line: "±5m", "-2m/+10m". */
  margin?: string;
}

/** The margin a calendar event without its own gets: five minutes either side. */
export const DEFAULT_MARGIN: BlackoutMargin = { before: 5 * 60_000, after: 5 * 60_000 };

/**
 * The calendar of major US releases shipped with the package (FOMC statements, CPI, the
 * Employment Situation), with its sources in its header; a CSV a trader may copy and edit.
 */
export const MAJOR_US_RELEASES_FILE = join(
  __dirname,
  "..",
  "..",
  "..",
  "..",
  "data",
  "us-major-releases-2026-2027.csv",
);

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000 };

/** "5m", "30s", "1h", "5" (minutes) → milliseconds; null when it is none of these. */
function durationMs(text: string): number | null {
  const m = /^(\d+(?:\.\d+)?)([smh]?)$/.exec(text.trim());
  if (!m) return null;
  return Math.round(Number(m[1]) * UNIT_MS[m[2] || "m"]!);
}

/**
 * Reads a margin: `±5m` (or `+-5m`) both sides, `-2m/+10m` before and after; units s, m (the
 * default) or h. Returns null when the text is not a margin.
 */
export function parseMargin(text: string): BlackoutMargin | null {
  const t = text.trim();
  const sym = /^(?:±|\+-|\+\/-)(.+)$/.exec(t);
  if (sym) {
    const ms = durationMs(sym[1]!);
    return ms === null ? null : { before: ms, after: ms };
  }
  const asym = /^-([^/]+)\/\+(.+)$/.exec(t);
  if (asym) {
    const before = durationMs(asym[1]!);
    const after = durationMs(asym[2]!);
    return before === null || after === null ? null : { before, after };
  }
  return null;
}

/** A list of product symbols ("ES,NQ", "MES; CL") as markets: a micro counts as its mini. */
function marketsOf(list: string): string[] | string {
  const symbols = list
    .split(/[,;\s]+/)
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
  const bad = symbols.find((s) => !/^[A-Z0-9]{1,6}$/.test(s));
  if (bad !== undefined) return `"${bad}" is not a product symbol (ES, MNQ, CL…)`;
  return [...new Set(symbols.map((s) => marketOf(s)))];
}

/** A date, time and zone abbreviation as an instant, or a sentence saying which part is wrong. */
function instantOf(date: string, time: string, zone: string): number | string {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  if (!d) return `"${date}" is not a date (YYYY-MM-DD)`;
  const [y, mo, day] = [Number(d[1]), Number(d[2]), Number(d[3])];
  const probe = new Date(Date.UTC(y, mo - 1, day));
  if (probe.getUTCMonth() !== mo - 1 || probe.getUTCDate() !== day) return `${date} is not a calendar date`;
  const t = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(time);
  if (!t) return `"${time}" is not a time (HH:MM, 24 h)`;
  const iana = ZONE_NAMES[zone.toUpperCase()];
  if (!iana) return `"${zone}" is not a time zone (ET, CT or UTC)`;
  return zonedTimeToEpoch(iana, y, mo, day, Number(t[1]), Number(t[2]));
}

function windowOf(name: string, at: number, margin: BlackoutMargin, markets: string[]): BlackoutWindow {
  return { name, at, start: at - margin.before, end: at + margin.after, markets };
}

/**
 * Reads blackout lines, one event a line:
 *
 * `DATE TIME ZONE NAME [PRODUCTS] [MARGIN]`, e.g. `2026-12-09 13:00 CT FOMC ±5m`,
 * `2026-12-11 07:30 CT CPI ES,NQ -2m/+10m`, `2026-12-04 08:30 ET "Jobs report" ±3m`.
 *
 * DATE is YYYY-MM-DD; TIME HH:MM (24 h); ZONE ET, CT or UTC (daylight saving applies to ET and CT);
 * NAME one word or a quoted phrase; PRODUCTS symbols separated by commas (a mini or its micro
 * stands for both; absent: every product); MARGIN as {@link parseMargin} (absent: `fallback`).
 * Blank lines and lines starting with `#` are skipped.
 *
 * @throws Error naming `field` and the line number and what is wrong with it.
 */
export function parseBlackoutLines(
  text: string,
  fallback: BlackoutMargin = DEFAULT_MARGIN,
  field = "blackouts.lines",
): BlackoutWindow[] {
  const out: BlackoutWindow[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === "" || line.startsWith("#")) continue;
    const bad = (why: string) => new Error(`${field}: line ${i + 1} ("${line}"): ${why}`);
    const m = /^(\S+)\s+(\S+)\s+(\S+)\s+(?:"([^"]+)"|([^\s"]+))(.*)$/.exec(line);
    if (!m) throw bad('expected "YYYY-MM-DD HH:MM ZONE NAME [PRODUCTS] [MARGIN]", e.g. "2026-12-09 13:00 CT FOMC ±5m"');
    const at = instantOf(m[1]!, m[2]!, m[3]!);
    if (typeof at === "string") throw bad(at);
    let margin: BlackoutMargin | null = null;
    let markets: string[] | null = null;
    for (const token of m[6]!.trim().split(/\s+/).filter(Boolean)) {
      if (/^(±|\+|-)/.test(token)) {
        if (margin) throw bad(`a second margin "${token}"`);
        margin = parseMargin(token);
        if (!margin) throw bad(`"${token}" is not a margin (±5m, -2m/+10m; units s, m, h)`);
      } else {
        if (markets) throw bad(`a second product list "${token}" (separate products with commas, no spaces)`);
        const list = marketsOf(token);
        if (typeof list === "string") throw bad(`${list}; a margin starts with ± or -`);
        markets = list;
      }
    }
    out.push(windowOf(m[4] ?? m[5]!, at, margin ?? fallback, markets ?? []));
  }
  return out;
}

/**
 * Reads a blackout calendar in CSV: a header row naming the columns `date,time,zone,event` and
 * optionally `before`, `after` (minutes, or with a unit: 30s, 1h), `products` (ES NQ, or ES;NQ;
 * blank: every product) and any others (a source or a note, ignored). Lines starting with `#` are
 * comments. Rows without before/after take `fallback`.
 *
 * @throws Error naming `field` and the line number and what is wrong with it.
 */
export function parseBlackoutCsv(
  text: string,
  fallback: BlackoutMargin = DEFAULT_MARGIN,
  field = "blackouts.file",
): BlackoutWindow[] {
  let rows: Array<{ record: Record<string, string>; info: { lines: number } }>;
  try {
    rows = parseCsv(text, {
      columns: (header: string[]) => header.map((h) => h.trim().toLowerCase()),
      comment: "#",
      skip_empty_lines: true,
      trim: true,
      info: true,
    });
  } catch (e) {
    throw new Error(`${field}: ${(e as Error).message}`);
  }
  const out: BlackoutWindow[] = [];
  for (const { record, info } of rows) {
    const fail = (why: string): never => {
      throw new Error(`${field}: line ${info.lines}: ${why}`);
    };
    for (const column of ["date", "time", "zone", "event"])
      if (!record[column]) fail(`the "${column}" column is empty or missing (the header needs date,time,zone,event)`);
    const at = instantOf(record.date!, record.time!, record.zone!);
    if (typeof at === "string") return fail(at);
    const side = (column: "before" | "after"): number => {
      const v = record[column];
      if (!v) return fallback[column];
      return durationMs(v) ?? fail(`${column} "${v}" is not a duration (minutes, or 30s, 10m, 1h)`);
    };
    const list = record.products ? marketsOf(record.products) : [];
    if (typeof list === "string") return fail(list);
    out.push(windowOf(record.event!, at, { before: side("before"), after: side("after") }, list));
  }
  return out;
}

/** Recurring calendar events count this many times at most, over this many years from their start. */
const MAX_OCCURRENCES = 1000;
const MAX_RECURRENCE_YEARS = 3;

/**
 * Reads a blackout calendar in iCalendar (`.ics`): each VEVENT is a window from its start less
 * `margin.before` to its end (its start when it has none) plus `margin.after`, for every product.
 * Times with a TZID convert in that zone, UTC times as they are; floating times take the calendar's
 * X-WR-TIMEZONE. An all-day event covers its whole day in Chicago. Recurring events are expanded.
 *
 * @throws Error naming `field` and the event and what is wrong with it.
 */
export function parseBlackoutIcs(
  text: string,
  margin: BlackoutMargin = DEFAULT_MARGIN,
  field = "blackouts.file",
): BlackoutWindow[] {
  let root: InstanceType<typeof ICAL.Component>;
  try {
    root = new ICAL.Component(ICAL.parse(text) as unknown[]);
  } catch (e) {
    throw new Error(`${field}: not an iCalendar file: ${(e as Error).message}`);
  }
  const calendarZone = String(root.getFirstPropertyValue("x-wr-timezone") ?? "") || null;
  const out: BlackoutWindow[] = [];
  root.getAllSubcomponents("vevent").forEach((vevent, i) => {
    const name = String(vevent.getFirstPropertyValue("summary") ?? "").trim() || `event ${i + 1}`;
    const fail = (why: string): never => {
      throw new Error(`${field}: event ${i + 1} ("${name}"): ${why}`);
    };
    const startProp = vevent.getFirstProperty("dtstart") ?? fail("no DTSTART");
    const zone = String(startProp.getParameter("tzid") ?? "") || calendarZone;
    const instant = (t: InstanceType<typeof ICAL.Time>): number => {
      if (t.isDate) return zonedTimeToEpoch(ZONE_NAMES.CT!, t.year, t.month, t.day, 0, 0);
      if (t.zone?.tzid === "UTC") return t.toUnixTime() * 1000;
      if (!zone) return fail("its time has no time zone (give DTSTART a TZID or a Z, or the calendar X-WR-TIMEZONE)");
      if (!isKnownZone(zone)) return fail(`unknown time zone "${zone}"`);
      return zonedTimeToEpoch(zone, t.year, t.month, t.day, t.hour, t.minute, t.second);
    };
    const event = new ICAL.Event(vevent);
    const first = event.startDate;
    // An all-day event ends the next day at 00:00; a timed one without DTEND lasts no time.
    const lengthMs = event.endDate ? instant(event.endDate) - instant(first) : first.isDate ? 86_400_000 : 0;
    const starts: InstanceType<typeof ICAL.Time>[] = [first];
    if (event.isRecurring()) {
      starts.length = 0;
      const it = event.iterator();
      for (let next = it.next(); next && starts.length < MAX_OCCURRENCES; next = it.next()) {
        if (next.year > first.year + MAX_RECURRENCE_YEARS) break;
        starts.push(next);
      }
    }
    for (const t of starts) {
      const at = instant(t);
      out.push({ name, at, start: at - margin.before, end: at + Math.max(0, lengthMs) + margin.after, markets: [] });
    }
  });
  return out;
}

/**
 * Reads a calendar file by its extension: `.ics` as iCalendar, anything else as CSV.
 *
 * @throws Error naming the file when it cannot be read or parsed.
 */
export function readBlackoutFile(
  path: string,
  margin: BlackoutMargin = DEFAULT_MARGIN,
  field = "blackouts.file",
): BlackoutWindow[] {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(`${field}: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const label = `${field} (${path})`;
  return /\.ics$/i.test(path) ? parseBlackoutIcs(text, margin, label) : parseBlackoutCsv(text, margin, label);
}

/**
 * Every window of the given sources, in time order: the lines, the file and the shipped calendar.
 *
 * @throws Error naming the field (blackouts.lines, blackouts.file, blackouts.margin) that is wrong.
 */
export function blackoutWindowsFrom(sources: BlackoutSources): BlackoutWindow[] {
  let margin = DEFAULT_MARGIN;
  if (sources.margin?.trim()) {
    const m = parseMargin(sources.margin);
    if (!m) throw new Error(`blackouts.margin: "${sources.margin}" is not a margin (±5m, -2m/+10m; units s, m, h)`);
    margin = m;
  }
  const windows = [
    ...(sources.lines?.trim() ? parseBlackoutLines(sources.lines, margin) : []),
    ...(sources.file?.trim() ? readBlackoutFile(sources.file.trim(), margin) : []),
    ...(sources.majorUsReleases ? readBlackoutFile(MAJOR_US_RELEASES_FILE, margin, "blackouts.majorUsReleases") : []),
  ];
  return windows.sort((a, b) => a.start - b.start);
}
