import { chicagoTime } from "./chicago";

/** Topstep's trading day opens at 17:00 Chicago time and is named for the date on which it closes. */
const SESSION_OPEN_HOUR = 17;

/** Epoch ms of the most recent 17:00 Chicago at or before `ms` (DST-correct). */
export function tradingDayStart(ms: number): number {
  const t = chicagoTime(ms);
  const sinceOpen =
    ((t.hour - SESSION_OPEN_HOUR + 24) % 24) * 3_600_000 + t.minute * 60_000 + t.second * 1000 + (ms % 1000);
  const start = ms - sinceOpen;
  // Across a daylight-saving change the wall clock skipped or repeated an hour: correct by one.
  for (const adjust of [0, -3_600_000, 3_600_000]) {
    const c = chicagoTime(start + adjust);
    if (c.hour === SESSION_OPEN_HOUR && c.minute === 0 && start + adjust <= ms) return start + adjust;
  }
  return start;
}

/** The trading day containing `ms`, as `YYYY-MM-DD` of the date it closes. */
export function tradingDayOf(ms: number): string {
  const t = chicagoTime(tradingDayStart(ms) + 12 * 3_600_000);
  return `${t.year}-${String(t.month).padStart(2, "0")}-${String(t.day).padStart(2, "0")}`;
}
