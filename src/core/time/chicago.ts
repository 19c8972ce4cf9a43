import { cmeDay } from "./cme-calendar";
import { formatterFor } from "./zoned";

/**
 * Wall-clock time in America/Chicago, where CME futures and Topstep's trading day live. Daylight
 * saving is handled by the platform's time-zone database, never by fixed offsets.
 */
export interface ChicagoTime {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
  second: number;
  /** 0 Sunday … 6 Saturday. */
  weekday: number;
}

const fmt = formatterFor("America/Chicago");
const HOUR_MS = 3_600_000;
/**
 * Chicago's UTC offset by UTC hour. Intl formatting costs microseconds and the rules engine asks the
 * time on every quote, fill and decision; America/Chicago changes its offset only on a UTC hour
 * boundary (02:00 local is 08:00 or 07:00 UTC), so one lookup per hour is exact.
 */
const offsets = new Map<number, number>();

function offsetAt(ms: number): number {
  const hour = Math.floor(ms / HOUR_MS);
  let offset = offsets.get(hour);
  if (offset === undefined) {
    const p: Record<string, string> = {};
    for (const part of fmt.formatToParts(new Date(hour * HOUR_MS))) p[part.type] = part.value;
    const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
    offset = wall - hour * HOUR_MS;
    if (offsets.size >= 4096) offsets.clear();
    offsets.set(hour, offset);
  }
  return offset;
}

/**
 * The America/Chicago wall-clock time of epoch milliseconds `ms`, daylight saving included. In the
 * repeated hour of a fall-back night two instants give the same fields; go back to epoch ms to
 * compare or order times.
 */
export function chicagoTime(ms: number): ChicagoTime {
  const wall = new Date(ms + offsetAt(ms));
  return {
    year: wall.getUTCFullYear(),
    month: wall.getUTCMonth() + 1,
    day: wall.getUTCDate(),
    hour: wall.getUTCHours(),
    minute: wall.getUTCMinutes(),
    second: wall.getUTCSeconds(),
    weekday: wall.getUTCDay(),
  };
}

/**
 * Minutes since midnight of a wall-clock "HH:MM" (24 h): "15:10" → 910. It trusts the format, which
 * the rules schema checks; anything else gives a wrong number or NaN.
 */
export function minutesOf(hhmm: string): number {
  return Number(hhmm.slice(0, 2)) * 60 + Number(hhmm.slice(3, 5));
}

/** The Chicago calendar date `days` after the date of `t`, as `YYYY-MM-DD`. */
function chicagoDate(t: ChicagoTime, days = 0): string {
  const d = new Date(Date.UTC(t.year, t.month - 1, t.day + days));
  return d.toISOString().slice(0, 10);
}

/**
 * Whether CME Globex equity and commodity futures trade at `ms`: Sunday 17:00 to Friday 16:00
 * Chicago time, with a daily halt from 16:00 to 17:00, closed on CME holidays and from an early
 * close until 17:00 (the CME calendar in cme-calendar.ts).
 */
export function isGlobexOpen(ms: number): boolean {
  const t = chicagoTime(ms);
  const m = t.hour * 60 + t.minute;
  if (t.weekday === 6) return false;
  if (t.weekday === 0 && m < 17 * 60) return false;
  if (t.weekday === 5 && m >= 16 * 60) return false;
  if (m >= 16 * 60 && m < 17 * 60) return false;
  // The session from 17:00 belongs to the next day's trading day.
  const day = cmeDay(chicagoDate(t, m >= 17 * 60 ? 1 : 0));
  if (day?.kind === "closed") return false;
  if (day?.kind === "earlyClose" && m < 17 * 60) return m < minutesOf(day.close);
  return true;
}
