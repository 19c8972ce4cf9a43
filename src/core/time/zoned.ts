/**
 * Wall-clock times in named time zones, turned into instants. Calendars publish US releases in
 * Eastern Time and traders think in Chicago time; daylight saving is left to the platform's
 * time-zone database, never to fixed offsets (see chicago.ts for the reverse direction).
 */

/** The zone abbreviations a blackout line or calendar row may use, and the IANA zone each names. */
export const ZONE_NAMES: Readonly<Record<string, string>> = Object.freeze({
  ET: "America/New_York",
  CT: "America/Chicago",
  UTC: "UTC",
});

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The wall-clock parts formatter of a zone (numeric, 24 h, to the second), built once per zone. */
export function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat("en-US", {
      timeZone: zone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at instant `ms`, in milliseconds (Chicago in winter: -6 h). */
function offsetAt(zone: string, ms: number): number {
  const p: Record<string, string> = {};
  for (const part of formatterFor(zone).formatToParts(new Date(ms))) p[part.type] = part.value;
  const wall = Date.UTC(
    Number(p.year),
    Number(p.month) - 1,
    Number(p.day),
    Number(p.hour),
    Number(p.minute),
    Number(p.second),
  );
  return wall - Math.floor(ms / 1000) * 1000;
}

/** Whether `zone` is an IANA zone name this platform knows ("America/New_York"). */
export function isKnownZone(zone: string): boolean {
  try {
    formatterFor(zone);
    return true;
  } catch {
    return false;
  }
}

/**
 * The instant (epoch ms) at which the wall clock of IANA zone `zone` shows the given date and time,
 * daylight saving included: 08:30 in New York is 13:30 UTC in January and 12:30 UTC in July.
 * A time skipped by a spring-forward lands an hour later; a repeated fall-back time takes the first.
 */
export function zonedTimeToEpoch(
  zone: string,
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second = 0,
): number {
  const wall = Date.UTC(year, month - 1, day, hour, minute, second);
  // Two passes settle it: the offset at the first guess may differ from the one at the answer
  // only when a daylight-saving change lies between them.
  const first = wall - offsetAt(zone, wall);
  const second2 = wall - offsetAt(zone, first);
  return offsetAt(zone, second2) === wall - second2 ? second2 : first;
}
