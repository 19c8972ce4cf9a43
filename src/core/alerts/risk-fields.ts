import { fail, show } from "./alert-error";
import type { AlertFields } from "./alert-fields";
import { normalizeWord, positive } from "./coerce";

/** The normalized keys of an alert's sizing from risk. */
export const RISK_KEYS = ["risk", "riskpercent", "microfallback"];

/** How an alert sizes its order from a risk instead of a quantity. */
export interface RiskFields {
  /** Dollars the whole order may lose at its stop-loss, fees included. */
  risk?: number;
  /** Percent of the day's remaining headroom (needs a rules node). */
  riskPercent?: number;
  /** Size the market's micro when one full-size contract loses more than the risk. */
  microFallback?: boolean;
}

/**
 * `risk` (dollars) or `riskPercent` (1–100, of the day's headroom), and `microFallback`
 * (true/false): a size from risk needs a stop-loss to measure the loss at, and replaces `quantity`
 * (both at once is refused: which one wins would be a guess). `quantityRisk` is a quantity that
 * TradersPost's `quantityType: risk_dollar_amount` makes a dollar risk.
 */
export function riskFieldsOf(fields: AlertFields, quantityKey: string | undefined, quantityRisk?: number): RiskFields {
  if (quantityRisk !== undefined) {
    // TradersPost's quantityType risk_dollar_amount: the quantity is the risk.
    for (const k of ["risk", "riskpercent"])
      if (fields.has(k)) fail(fields.nameOf(k), "give it or quantityType risk_dollar_amount, not both");
    if (!fields.has("stoploss"))
      fail(fields.nameOf("quantitytype"), "risk_dollar_amount needs a stopLoss to size the order from");
    return { risk: quantityRisk, microFallback: fields.read("microfallback", flag) };
  }
  const risk = fields.read("risk", positive);
  const riskPercent = fields.read("riskpercent", (v, f) => {
    const n = positive(v, f);
    return n > 100 ? fail(f, `is a percent of the day's headroom, at most 100 (got ${show(v)})`) : n;
  });
  const microFallback = fields.read("microfallback", flag);
  const sizing = risk !== undefined ? "risk" : riskPercent !== undefined ? "riskpercent" : undefined;
  if (sizing === undefined) {
    if (microFallback !== undefined)
      fail(fields.nameOf("microfallback"), "only applies to an order sized from risk or riskPercent");
    return {};
  }
  if (risk !== undefined && riskPercent !== undefined)
    fail(fields.nameOf("riskpercent"), `give risk or riskPercent, not both`);
  if (quantityKey !== undefined)
    fail(fields.nameOf(quantityKey), `give ${fields.nameOf(sizing)} or a quantity, not both`);
  if (!fields.has("stoploss"))
    fail(fields.nameOf(sizing), "needs a stopLoss (ticks, points, dollars or price) to size the order from");
  return { risk, riskPercent, microFallback };
}

function flag(v: unknown, field: string): boolean {
  if (typeof v === "boolean") return v;
  const w = typeof v === "string" ? normalizeWord(v) : "";
  if (w === "true" || w === "yes") return true;
  if (w === "false" || w === "no") return false;
  return fail(field, `must be true or false (got ${show(v)})`);
}
