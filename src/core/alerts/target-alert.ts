import type { StrategyPosition } from "../orders/order-intent";
import { fail } from "./alert-error";
import { type AlertFields, POSITION_KEYS, refuseRiskyExtras, symbolOf } from "./alert-fields";
import type { AlertIdentity } from "./alert-identity";
import { accountOf, signedWhole } from "./coerce";
import type { ParsedAlert } from "./parsed-alert";
import { POSITION_SIGN, strategyPositionOf } from "./strategy-position";
import { sentimentOf } from "./traderspost";

/**
 * A target-position alert: a JSON object with `targetPosition` (spelled `target_position` also
 * works), the signed position the strategy wants to hold, -2 = short 2, 0 = flat. Use it with
 * `{"symbol":"{{ticker}}","targetPosition":"{{strategy.position_size}}","id":"{{strategy.order.id}}-{{timenow}}"}`.
 * Keys: `targetPosition`, `symbol` (or `ticker`), optional `account`, `sentiment` (checked against
 * the sign), the strategy position, id, time and secret. The alert is only parsed here: the order
 * that reaches the target is computed from the live position and working orders
 * (src/core/orders/target-position.ts), so a missed alert heals on the next one. It is a plain
 * market order, so order fields next to it are refused as ambiguous.
 */

/** Order fields that would make a target alert ambiguous (normalized keys). */
const ORDER_FIELDS = [
  "action",
  "side",
  "quantity",
  "qty",
  "contracts",
  "type",
  "ordertype",
  "limitprice",
  "stopprice",
  "trailticks",
  "stoploss",
  "takeprofit",
  "orderid",
];

/** Parses an alert whose fields hold `targetposition`. */
export function parseTargetAlert(fields: AlertFields, identity: AlertIdentity): ParsedAlert {
  const targetName = fields.nameOf("targetposition");
  const position = signedWhole(fields.get("targetposition"), targetName);
  for (const k of ORDER_FIELDS) {
    if (fields.has(k))
      fail(
        targetName,
        `cannot be combined with "${fields.nameOf(k)}": a target-position alert is a market order to reach the position`,
      );
  }
  const sentiment = sentimentOf(fields);
  if (sentiment !== undefined && POSITION_SIGN[sentiment] !== Math.sign(position))
    fail(fields.nameOf("sentiment"), `says ${sentiment} but targetPosition is ${position}`);
  if (position !== 0) refuseRiskyExtras(fields);
  const symbol = symbolOf(fields) ?? fail("symbol", "required for a target-position alert");
  const account = accountOf(fields.get("account"));
  // The sentiment only restates the target's sign (checked above), so it is no market position here.
  const strategyPosition = strategyPositionOf((keys) => fields.given(keys), undefined, undefined);
  if (strategyPosition) checkAgainstTarget(fields, strategyPosition, position);
  return {
    format: "target",
    intent: null,
    target: {
      symbol,
      position,
      ...(account !== undefined ? { account } : {}),
      ...(strategyPosition ? { strategyPosition } : {}),
    },
    ...identity,
  };
}

/** The strategy's position after the order is the target: same direction, same size when given. */
function checkAgainstTarget(fields: AlertFields, sp: StrategyPosition, position: number): void {
  const sameSize = sp.afterSize === undefined || sp.afterSize === Math.abs(position);
  if (POSITION_SIGN[sp.after] === Math.sign(position) && sameSize) return;
  const size = sp.afterSize !== undefined ? ` ${sp.afterSize}` : "";
  fail(fields.given(POSITION_KEYS.after)!.name, `says ${sp.after}${size} but targetPosition is ${position}`);
}
