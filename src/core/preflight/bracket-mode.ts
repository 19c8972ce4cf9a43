import { isManagedLegTag } from "../orders/managed-brackets";
import type { BracketOrder } from "./snapshot";

/**
 * The account's bracket mode as its orders show it, or null when none tells. A bracket child (an
 * order with a parent) is the gateway's own Auto OCO; an entry sent again bare (`…-entry`) or a
 * leg our core placed (`…-sl`, `…-tp`) means the gateway refused brackets: Position Brackets. The
 * latest such order wins, since the trader may have switched since.
 */
export function bracketModeOf(orders: readonly BracketOrder[]): "autoOco" | "positionBrackets" | null {
  let latest: { at: number; mode: "autoOco" | "positionBrackets" } | null = null;
  for (const o of orders) {
    const mode =
      o.parentOrderId != null
        ? "autoOco"
        : isManagedLegTag(o.customTag) || /-entry$/.test(o.customTag ?? "")
          ? "positionBrackets"
          : null;
    if (!mode) continue;
    const at = Date.parse(o.creationTimestamp);
    if (!latest || at >= latest.at) latest = { at, mode };
  }
  return latest?.mode ?? null;
}
