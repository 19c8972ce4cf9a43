/**
 * CME Globex holidays and early closes for equity index and commodity futures, 2026 and 2027: the one
 * table every part of the package reads (the rules engine's session, Globex hours; the simulator too).
 *
 * Keys are trading days, named as everywhere in the package for the date on which they close: the
 * session of 2026-12-25 would run from Thursday 24 December 17:00 Chicago. Times are Chicago
 * wall-clock "HH:MM" of the CME equity index close (ES, NQ, YM, RTY and their micros), the earliest
 * of the products Topstep lists but the grains (energy and metals trade on to 12:45 or 13:30); grains
 * keep their own, earlier hours.
 *
 * How the days are represented for Topstep's 17:00 → 15:10 trading day:
 * - `closed`: CME Globex does not trade that session at all (New Year's Day, Good Friday, Christmas).
 *   No entries; the next open skips it.
 * - `earlyClose` on a US holiday (MLK, Presidents, Memorial, Juneteenth, Independence, Labor Day,
 *   Thanksgiving): Globex trades from 17:00 the evening before, halts at 12:00 and reopens at 17:00
 *   for the next trading day. That session is an early close at 12:00: Topstep wants positions flat at
 *   the halt as at any close, so the entry cutoff and the flatten move with it (11:50, 11:55). CME
 *   clears those trades with the next day's trade date (Topstep may count them toward the next
 *   trading day: to verify); the package's day accounting still rolls at 17:00.
 * - `earlyClose` on a shortened business day (the day after Thanksgiving, Christmas Eve): 12:15.
 *
 * Confidence. Sure (CME's published pattern, the same every year; Juneteenth since 2022): New
 * Year's Day, Good Friday, Christmas Day, the 12:00 halts on the Monday holidays, Juneteenth, 3 July
 * 2026 (Independence Day observed) and Thanksgiving, the 12:15 closes on the day after Thanksgiving
 * and on Christmas Eve 2026. Less sure: 2027-12-24, Christmas observed on a Friday (CME has in some
 * years opened equity futures for a shortened morning): counted closed, failing closed; 31 December
 * (no equity early close listed, interest rates do close early); Good Friday when payrolls fall on
 * it (CME opened equity and rate futures for a morning session in 2015 and 2021): counted closed.
 * Verify each year against CME Group's "Holiday Calendar" (cmegroup.com/tools-information/holiday-calendar.html, the
 * per-holiday "Trading Hours" notices) and Topstep's holiday schedule posts; a trader's own
 * `session.earlyCloses` entries replace or add days without a release.
 */
export type CmeDay = { kind: "closed"; holiday: string } | { kind: "earlyClose"; close: string; holiday: string };

const closed = (holiday: string): CmeDay => ({ kind: "closed", holiday });
const early = (close: string, holiday: string): CmeDay => ({ kind: "earlyClose", close, holiday });

/** Trading day (YYYY-MM-DD) → what CME Globex does that day. Days not listed trade normally. */
export const CME_CALENDAR: Readonly<Record<string, CmeDay>> = Object.freeze({
  "2026-01-01": closed("New Year's Day"),
  "2026-01-19": early("12:00", "Martin Luther King Jr. Day"),
  "2026-02-16": early("12:00", "Presidents' Day"),
  "2026-04-03": closed("Good Friday"),
  "2026-05-25": early("12:00", "Memorial Day"),
  "2026-06-19": early("12:00", "Juneteenth"),
  "2026-07-03": early("12:00", "Independence Day (observed)"),
  "2026-09-07": early("12:00", "Labor Day"),
  "2026-11-26": early("12:00", "Thanksgiving Day"),
  "2026-11-27": early("12:15", "the day after Thanksgiving"),
  "2026-12-24": early("12:15", "Christmas Eve"),
  "2026-12-25": closed("Christmas Day"),
  "2027-01-01": closed("New Year's Day"),
  "2027-01-18": early("12:00", "Martin Luther King Jr. Day"),
  "2027-02-15": early("12:00", "Presidents' Day"),
  "2027-03-26": closed("Good Friday"),
  "2027-05-31": early("12:00", "Memorial Day"),
  "2027-06-18": early("12:00", "Juneteenth (observed)"),
  "2027-07-05": early("12:00", "Independence Day (observed)"),
  "2027-09-06": early("12:00", "Labor Day"),
  "2027-11-25": early("12:00", "Thanksgiving Day"),
  "2027-11-26": early("12:15", "the day after Thanksgiving"),
  "2027-12-24": closed("Christmas Day (observed)"),
});

/** What CME Globex does on a trading day (`YYYY-MM-DD`), or undefined for a normal day. */
export function cmeDay(tradingDay: string): CmeDay | undefined {
  return Object.hasOwn(CME_CALENDAR, tradingDay) ? CME_CALENDAR[tradingDay] : undefined;
}
