import type { OrderIntent, StrategyPosition } from "../orders/order-intent";
import type { AlertIdentity } from "./alert-identity";

/** Which form the alert was written in (see parse-alert.ts). */
export type AlertFormat = "json" | "traderspost" | "target" | "text";

/** The position a target alert wants to hold; the order that reaches it is sized from the live position elsewhere. */
export interface TargetPosition {
  symbol: string;
  /** Signed contracts: -2 = short 2, 0 = flat. */
  position: number;
  account?: string | number;
  strategyPosition?: StrategyPosition;
}

/** An alert, parsed: an order intent, or (format "target") a target position. */
export interface ParsedAlert extends AlertIdentity {
  format: AlertFormat;
  /** For every format except "target": a validated OrderIntent. */
  intent: OrderIntent | null;
  /** "target" format: the signed position the alert wants (e.g. -2 = short 2), with the symbol. */
  target: TargetPosition | null;
}

/** An alert that asks for one order. */
export function intentAlert(
  format: Exclude<AlertFormat, "target">,
  intent: OrderIntent,
  identity: AlertIdentity,
): ParsedAlert {
  return { format, intent, target: null, ...identity };
}
