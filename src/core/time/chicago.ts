import { cmeDay } from "./cme-calendar";

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

const fmt = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/Chicago",
  hourCycle: "h23",
  year: "numeric",
  month: "numeric",
  day: "numeric",
  hour: "numeric",
  minute: "numeric",
  second: "numeric",
  weekday: "short",
});
const WEEKDAYS: Record<string, number> = { Sun: 0, Mon: 1, Tue: 2, Wed: 3, Thu: 4, Fri: 5, Sat: 6 };

/**
 * The America/Chicago wall-clock time of epoch milliseconds `ms`, daylight saving included. In the
 * repeated hour of a fall-back night two instants give the same fields; go back to epoch ms to
 * compare or order times.
 */
export function chicagoTime(ms: number): ChicagoTime {
  const p: Record<string, string> = {};
  for (const part of fmt.formatToParts(new Date(ms))) p[part.type] = part.value;
  return {
    year: Number(p.year),
    month: Number(p.month),
    day: Number(p.day),
    hour: Number(p.hour),
    minute: Number(p.minute),
    second: Number(p.second),
    weekday: WEEKDAYS[p.weekday!] ?? 0,
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
