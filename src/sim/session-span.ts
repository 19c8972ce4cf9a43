/**
 * Session edges inside a stretch of time. Every session boundary the simulator knows (CME opens and
 * closes, early closes, day sessions, a contract's last trading time at 22:00 UTC) falls on a whole
 * five minutes of UTC, so openness is constant within each five-minute slot and one look per slot
 * finds the edges.
 */
export const SLOT_MS = 5 * 60_000;

/** Whether a contract trades at an instant (its product's hours and its own expiry). */
export type OpenAt = (t: number) => boolean;

/** The first instant in [a, b) at which the market is open, or null. */
export function firstOpen(open: OpenAt, a: number, b: number): number | null {
  for (let t = a; t < b; t = (Math.floor(t / SLOT_MS) + 1) * SLOT_MS) if (open(t)) return t;
  return null;
}

/** The last instant in [a, b) at which the market is open, or null. */
export function lastOpen(open: OpenAt, a: number, b: number): number | null {
  for (let t = b - 1; t >= a; t = Math.floor(t / SLOT_MS) * SLOT_MS - 1) if (open(t)) return t;
  return null;
}
