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
