import { chicagoTime } from "../time/chicago";
import type { RulesConfig } from "./rules-config";
import { sessionAt } from "./rules-engine";

/** A practice session starts at 09:30 Chicago, the equity open, on a day that trades until its usual close. */
const PRACTICE_HOUR = 9;
const PRACTICE_MINUTE = 30;
/** Minutes from 09:30 to a full session's entry cutoff and close: early-close days are skipped. */
const FULL_DAY_MINUTES = 300;

/**
 * Where `npm start` sets the simulator's venue clock when entries cannot be tried now (a weekend,
 * a holiday, after the cutoff): 09:30 Chicago of the latest full session day before `now`, so the
 * sample alert is placed at any hour of the week. Null while entries are allowed now.
 */
export function practiceStart(config: RulesConfig, now: number): number | null {
  const live = sessionAt(config, now);
  if (live.open && !live.afterCutoff) return null;
  const today = chicagoTime(now);
  for (let back = 0; back < 21; back++) {
    const at = chicagoInstant(today.year, today.month, today.day - back, PRACTICE_HOUR, PRACTICE_MINUTE);
    if (at > now) continue;
    const s = sessionAt(config, at);
    if (s.open && !s.afterCutoff && s.minutesToClose >= FULL_DAY_MINUTES) return at;
  }
  return null;
}

/** Epoch ms of a Chicago wall-clock time (the day may overflow the month, as with Date.UTC). */
function chicagoInstant(year: number, month: number, day: number, hour: number, minute: number): number {
  // Chicago is UTC-6 in winter and UTC-5 in summer: try winter, then correct by the hour it shows.
  const winter = Date.UTC(year, month - 1, day, hour + 6, minute);
  return winter - (chicagoTime(winter).hour - hour) * 3_600_000;
}
