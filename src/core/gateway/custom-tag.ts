import { randomBytes } from "node:crypto";

/**
 * A customTag unique enough to serve as the idempotency key of one order intent. Minted once per
 * order, by whichever step first reserves or sends it (the order gate, a target's reservation, the
 * order node, the executor for a library caller); every later step carries it unchanged, so a
 * retry reconciles by the same tag instead of placing a second order.
 */
export function newCustomTag(prefix = "nrx"): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(6).toString("hex")}`;
}

/** The intent with its customTag: the one it carries, or, for a placement without one, a new one. */
export function withCustomTag<T extends { action?: string; customTag?: string }>(intent: T): T {
  if (intent.customTag || (intent.action !== undefined && intent.action !== "place")) return intent;
  return { ...intent, customTag: newCustomTag() };
}

/**
 * The customTag prefix of guard stops: after a restart the guard re-adopts the orders carrying it
 * (and only those) instead of placing new ones, so a guard is never doubled.
 */
export const GUARD_TAG_PREFIX = "nrxg-";

/** A new customTag for a guard stop (unique per account, as the gateway requires). */
export function newGuardTag(): string {
  return newCustomTag(GUARD_TAG_PREFIX.slice(0, -1));
}

/** True for the customTag of a guard stop. */
export function isGuardTag(tag: string | null | undefined): boolean {
  return !!tag && tag.startsWith(GUARD_TAG_PREFIX);
}
