import { createHash, timingSafeEqual } from "node:crypto";
import { AlertError } from "./alert-error";
import { type AlertFields, ID_KEYS, SECRET_KEYS, TIME_KEYS } from "./alert-fields";
import { explicitId, normalizeWord, time } from "./coerce";

/**
 * What every alert carries besides its order: the idempotency id (`id`, `alertId` or
 * `alertTimestamp`, else derived), the alert time (`alertTime`, `timenow` or `time`: first found,
 * every one given must parse) and the secret (`secret`, `passphrase`, `token` or `key`).
 */
export interface AlertIdentity {
  /** Idempotency id: the explicit field, else derived (see deriveId). */
  id: string;
  idDerived: boolean;
  /** When the alert was generated (epoch ms), from a time/timenow field when present. */
  alertTime?: number;
  /** The secret found in the body (removed from everything else), if any. */
  secret?: string;
}

/** The id, time and secret of a JSON alert; the derived id hashes the body without its secret. */
export function objectIdentity(body: Record<string, unknown>, fields: AlertFields, now: number): AlertIdentity {
  const secret = objectSecret(body);
  const secretFree: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body))
    if (!SECRET_KEYS.includes(normalizeWord(key))) secretFree[key] = value;
  const idKey = fields.first(ID_KEYS);
  const times = TIME_KEYS.filter((k) => fields.has(k)).map((k) => time(fields.get(k), fields.nameOf(k)));
  return {
    id: idKey ? explicitId(fields.get(idKey), fields.nameOf(idKey)) : deriveId(canonical(secretFree), now),
    idDerived: !idKey,
    ...(times.length ? { alertTime: times[0] } : {}),
    ...(secret !== undefined ? { secret } : {}),
  };
}

/** JSON with object keys sorted, so that key order does not change the derived id. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/**
 * An id for an alert that carries none: sha256 of the secret-free body plus the minute of arrival
 * (floor(now / 60000)). TradingView retries the same body within seconds, so a retry is a
 * duplicate; the same signal a minute later is a new alert. A retry that straddles a minute boundary
 * gets a new id: an explicit id (e.g. "{{strategy.order.id}}-{{timenow}}") has no such edge.
 */
export function deriveId(secretFreeBody: string, now: number): string {
  return `body:${createHash("sha256")
    .update(`${Math.floor(now / 60_000)}\n${secretFreeBody}`, "utf8")
    .digest("hex")}`;
}

/** The secret of a JSON alert; a secret that is not text is a 401. */
export function objectSecret(body: Record<string, unknown>): string | undefined {
  const byKey = new Map<string, unknown>();
  for (const [key, value] of Object.entries(body))
    if (!byKey.has(normalizeWord(key))) byKey.set(normalizeWord(key), value);
  for (const k of SECRET_KEYS) {
    const v = byKey.get(k);
    if (v === null || v === undefined) continue;
    if (typeof v !== "string" && typeof v !== "number") throw new AlertError(401, "secret", "must be text");
    return String(v).trim() || undefined;
  }
  return undefined;
}

/** The secret of a text command: its first `secret=…` (or passphrase=, token=, key=) word. */
export function textSecret(body: string): string | undefined {
  for (const token of body.split(/[\s,;]+/)) {
    const eq = token.indexOf("=");
    if (eq > 0 && SECRET_KEYS.includes(token.slice(0, eq).toLowerCase()))
      return token.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

function sha256(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

/**
 * Constant-time comparison of sha256 digests. False when no secret is configured: a webhook
 * without a secret would let anyone who finds the URL trade the account.
 */
export function checkSecret(given: string | undefined, expected: string | null): boolean {
  if (!expected || given === undefined) return false;
  return timingSafeEqual(sha256(given), sha256(expected));
}
