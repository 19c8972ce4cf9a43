import { EXIT_ACTIONS } from "../../src/core/orders/order-executor";
import { OrderActions } from "../../src/core/orders/order-intent";

/**
 * A msg that only closes, cancels or flattens (`action` says so): what a rules node that cannot
 * judge (its configuration refused) still lets through, since it only lowers exposure.
 */
export function isPlainExit(payload: unknown): boolean {
  if (payload === null || typeof payload !== "object") return false;
  const action = (payload as { action?: unknown }).action;
  const known = OrderActions.find((a) => a === action);
  return known !== undefined && EXIT_ACTIONS.has(known);
}

/** The decision such a msg carries on the approved output. */
export function unjudgedExit(configError: string): { allow: true; rule: "exit"; reason: string } {
  return {
    allow: true,
    rule: "exit",
    reason: `Exits, cancels and flattens pass; the rules judge nothing else until their configuration is fixed (${configError}).`,
  };
}
