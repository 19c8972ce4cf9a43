import type { GatewayConnection } from "../connection";
import type { StrategyPosition } from "./order-intent";
import { accountExposure, type OpenExposure, projectedPosition, reserveOrder } from "./target-position";

const signOf = (p: StrategyPosition["after"]) => (p === "long" ? 1 : p === "short" ? -1 : 0);

/**
 * Sizes a strategy's order against what the account really holds, when the alert says where the
 * strategy's position goes. An order that only reduces the strategy's position (to flat, or a
 * partial exit) never does more than close the account's position: when that is already gone (a
 * bracket, a daily-loss flatten, a trader closed it), it does nothing. A reversal opens no more than
 * the strategy's new position. Anything else is left as it is.
 */
export function sizeStrategyOrder(
  e: OpenExposure,
  contractId: string,
  signedQuantity: number,
  sp: StrategyPosition,
): { quantity: number } | { none: string } {
  const dir = Math.sign(signedQuantity);
  const after = signOf(sp.after);
  const held = projectedPosition(e, contractId);
  const exit = after === 0 || after === -dir;
  if (exit) {
    if (held === 0 || Math.sign(held) === dir) return { none: "already flat" };
    return { quantity: dir * Math.min(Math.abs(signedQuantity), Math.abs(held)) };
  }
  const reversal = sp.before !== undefined && signOf(sp.before) === -after && after === dir;
  if (reversal && sp.afterSize !== undefined) {
    // Close what the account holds against the new direction, then open the strategy's new size.
    const closing = Math.sign(held) === -dir ? Math.abs(held) : 0;
    const wanted = closing + sp.afterSize - (Math.sign(held) === dir ? Math.abs(held) : 0);
    if (wanted <= 0) return { none: `already ${sp.after} ${sp.afterSize}` };
    return { quantity: dir * Math.min(Math.abs(signedQuantity), wanted) };
  }
  return { quantity: signedQuantity };
}

/**
 * For a path without a rules node: sizes a strategy's order on a watched account (see
 * sizeStrategyOrder) and reserves it at once under a new customTag, so that a second exit
 * computed before this one reaches the gateway cannot close the same position again.
 */
export function reserveStrategyOrder(
  conn: GatewayConnection,
  accountId: number,
  contractId: string,
  signedQuantity: number,
  sp: StrategyPosition,
): { none: string } | { quantity: number; customTag: string } {
  const sized = sizeStrategyOrder(accountExposure(conn, accountId), contractId, signedQuantity, sp);
  if ("none" in sized) return sized;
  return { quantity: sized.quantity, customTag: reserveOrder(conn, accountId, contractId, sized.quantity) };
}
