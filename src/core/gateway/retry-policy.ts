import { GatewayClientError, GatewayHttpError, GatewayResponseError } from "./errors";

/** Capped exponential backoff: `initialMs · 2^attempt`, at most `maxMs`. */
export interface Backoff {
  initialMs: number;
  maxMs: number;
}

/**
 * The exits' backoff: quick at first (a single lost answer costs a quarter second), and never more
 * often than every 4 s, so a retry loop sends about 15 requests a minute during an outage and
 * follows the recovery within 4 s.
 */
export const EXIT_BACKOFF: Backoff = { initialMs: 250, maxMs: 4_000 };

/** How long an exit keeps retrying transient failures before it reports itself not confirmed. */
export const EXIT_DEADLINE_MS = 5 * 60_000;

/**
 * The wait before retry number `attempt + 1`: capped exponential with equal jitter (between half
 * and all of the step), never shorter than the server's `Retry-After`.
 */
export function backoffDelay(
  b: Backoff,
  attempt: number,
  retryAfterMs = 0,
  random: () => number = Math.random,
): number {
  const step = Math.min(b.maxMs, b.initialMs * 2 ** Math.max(0, attempt));
  return Math.max(retryAfterMs, step / 2 + random() * (step / 2));
}

/** Seconds of a `Retry-After` header in milliseconds (0 when absent or not a number of seconds). */
export function retryAfterMs(header: unknown): number {
  return typeof header === "string" && /^\d+$/.test(header) ? Number(header) * 1000 : 0;
}

/**
 * Failures worth repeating a request after: 5xx, 429, timeouts, broken connections and answers we
 * could not read. A refusal (`success: false`), a 4xx or a bad request is final.
 */
export function isTransient(e: unknown): boolean {
  if (e instanceof GatewayHttpError) return e.status >= 500 || e.status === 429;
  return e instanceof GatewayClientError && (e.ambiguous || e instanceof GatewayResponseError);
}
