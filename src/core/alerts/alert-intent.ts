import { missingField, OrderIntent } from "../orders/order-intent";
import { fail } from "./alert-error";

type TypePrices = { limitPrice?: number; stopPrice?: number; trailTicks?: number };

/** Builds the intent through the shared zod schema, then checks what the action needs. */
export function validIntent(raw: Record<string, unknown>): OrderIntent {
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  const r = OrderIntent.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.length ? issue.path.join(".") : "body";
    return fail(field, issue.message);
  }
  const missing = missingField(r.data);
  if (missing) {
    const what = r.data.action === "place" ? `a ${r.data.type} order` : `action ${r.data.action}`;
    return fail(missing, `required for ${what}`);
  }
  return r.data;
}

/**
 * The order type: given, or inferred from the prices present; prices the type cannot use are
 * refused. `name` spells a price field as the alert did, for the error.
 */
export function placeType(
  given: OrderIntent["type"] | undefined,
  p: TypePrices,
  name: (k: string) => string,
): OrderIntent["type"] {
  const type = given ?? inferType(p);
  const uses = {
    limitPrice: type === "limit" || type === "stopLimit",
    stopPrice: type === "stop" || type === "stopLimit",
    trailTicks: type === "trailingStop",
  };
  for (const k of ["limitPrice", "stopPrice", "trailTicks"] as const) {
    if (p[k] !== undefined && !uses[k])
      fail(name(k), `a ${type} order takes no ${k}; set the order type to match, or remove it`);
  }
  return type;
}

function inferType(p: TypePrices): OrderIntent["type"] {
  if (p.trailTicks !== undefined) return "trailingStop";
  if (p.limitPrice !== undefined && p.stopPrice !== undefined) return "stopLimit";
  if (p.limitPrice !== undefined) return "limit";
  if (p.stopPrice !== undefined) return "stop";
  return "market";
}
