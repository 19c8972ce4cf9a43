import type { ClockReading } from "./snapshot";

/** Our clock may run this far from the gateway's before the check warns. */
export const CLOCK_WARN_MS = 2_000;
/** From this far, sessions, cutoffs and alert ages are judged a minute off: danger. */
export const CLOCK_DANGER_MS = 60_000;

/**
 * How far our clock is ahead of the gateway's (negative: behind), and how sure that is. The server
 * stamped its time somewhere in the round trip (the middle, on average), and an HTTP Date header
 * drops the milliseconds (the middle of its second, on average).
 */
export function clockOffset(r: ClockReading): { offsetMs: number; uncertaintyMs: number } {
  const serverAtArrival = r.serverMs + r.resolutionMs / 2 + r.roundTripMs / 2;
  return {
    offsetMs: Math.round(r.ourMs - serverAtArrival),
    uncertaintyMs: Math.round((r.resolutionMs + r.roundTripMs) / 2),
  };
}

/** Reads an HTTP Date header ("Sun, 29 Nov 2026 23:54:18 GMT") as epoch ms, or null. */
export function dateHeaderMs(header: string | null | undefined): number | null {
  if (!header) return null;
  const ms = Date.parse(header);
  return Number.isFinite(ms) ? ms : null;
}
