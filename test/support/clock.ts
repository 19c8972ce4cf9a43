import type { Clock } from "../../src/core/clock";

/**
 * The instant every test that needs "a trading session" starts at: Wednesday 2026-11-25 09:00
 * Chicago, an ordinary session day. Tests set time; the wall clock never decides an outcome, so CI
 * passes on a Sunday, after the 15:10 close and on a CME holiday alike.
 */
export const SESSION_INSTANT = Date.parse("2026-11-25T15:00:00Z");

/** A clock that starts at `at` when created and then runs at the wall clock's pace. */
export function runningClockFrom(at: number = SESSION_INSTANT): Clock & { offset: number } {
  const offset = at - Date.now();
  return { offset, now: () => Date.now() + offset };
}

/**
 * The Node-RED settings entry that pins our nodes' clock (runtime setting topstepxConfigClock) to
 * `clock`, for a Node-RED started as a separate process: pass the same clock to a restarted process
 * so that its time goes on rather than back.
 */
export function clockSetting(clock: { offset: number } = runningClockFrom()): string {
  return `topstepxConfigClock: { now: () => Date.now() + (${clock.offset}) }`;
}
