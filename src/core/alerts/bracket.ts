import { fail, show } from "./alert-error";
import type { AlertFields } from "./alert-fields";
import { normalizeWord, positive, positiveWhole, price, type Side, text } from "./coerce";

/**
 * A stop-loss or take-profit of a JSON alert, as the OrderIntent wants it ({ticks} or {price}): a
 * bare number or {ticks} is ticks; {price}, stopLoss {stopPrice}, takeProfit {limitPrice} a price;
 * {amount} (TradersPost's word) or {points}, and {percent}, a distance from the reference price, below
 * the entry for a long's stop, above for a short's; without a reference price (a market order) they
 * stay distances, measured from the live quote when the order goes. {dollars} is what one contract
 * loses at the bracket, before fees. `type` may say stop (stopLoss) or limit (takeProfit), as
 * TradersPost writes it.
 */

type Kind = "stopLoss" | "takeProfit";
type Bracket = { ticks: number } | { price: number } | { points: number } | { dollars: number } | { percent: number };
type Entries = Map<string, { key: string; value: unknown }>;

/**
 * The bracket field `key` (normalized) of the alert, or undefined without one. A bracket named but
 * null is refused: sending the order without its stop is the one outcome to avoid.
 */
export function bracketField(
  fields: AlertFields,
  key: "stoploss" | "takeprofit",
  side: Side,
  reference: number | undefined,
): Bracket | undefined {
  const kind: Kind = key === "stoploss" ? "stopLoss" : "takeProfit";
  const field = fields.nameOf(key);
  if (fields.named(key) && !fields.has(key))
    return fail(field, `is null; leave it out for no ${kind === "stopLoss" ? "stop-loss" : "take-profit"}`);
  return fields.has(key) ? bracket(fields.get(key), kind, field, side, reference) : undefined;
}

function bracket(v: unknown, kind: Kind, field: string, side: Side, reference: number | undefined): Bracket {
  if (typeof v === "number" || typeof v === "string") return { ticks: positiveWhole(v, field) };
  if (typeof v !== "object" || v === null || Array.isArray(v))
    return fail(field, `must be a number of ticks or an object such as {"ticks": 40} (got ${show(v)})`);
  const given: Entries = new Map();
  for (const [key, value] of Object.entries(v))
    if (value !== null && value !== undefined) given.set(normalizeWord(key), { key, value });
  const sub = (k: string) => `${field}.${given.get(k)?.key ?? k}`;
  checkType(given, kind, sub("type"));
  const way = oneWay(given, kind, field);
  const value = given.get(way)!.value;
  if (way === "ticks") return { ticks: positiveWhole(value, sub(way)) };
  if (way === "price" || way === priceKey(kind)) return { price: price(value, sub(way)) };
  const n = positive(value, sub(way));
  if (way === "dollars") return { dollars: n };
  // Without a reference price (a market order), the distance goes as it is: the live quote measures it.
  if (reference === undefined) return way === "percent" ? { percent: n } : { points: n };
  return { price: distantPrice(n, way, kind, side, reference, sub(way)) };
}

const priceKey = (kind: Kind) => (kind === "stopLoss" ? "stopprice" : "limitprice");
const priceName = (kind: Kind) => (kind === "stopLoss" ? "stopPrice" : "limitPrice");

/** TradersPost's `type`: a stop-loss must be a plain stop, a take-profit a limit. */
function checkType(given: Entries, kind: Kind, field: string): void {
  const type = given.get("type");
  if (!type) return;
  const t = normalizeWord(text(type.value, field));
  const ok = kind === "stopLoss" ? t === "stop" || t === "stopmarket" : t === "limit";
  if (!ok) fail(field, `only ${kind === "stopLoss" ? "stop" : "limit"} is supported (got ${show(type.value)})`);
}

/** The one way the bracket is given (ticks, price, stopPrice/limitPrice, amount or percent). */
function oneWay(given: Entries, kind: Kind, field: string): string {
  const allowed = ["type", "ticks", "price", priceKey(kind), "amount", "points", "dollars", "percent"];
  const choices = `ticks, price, ${priceName(kind)}, amount, points, dollars or percent`;
  for (const [k, { key }] of given)
    if (!allowed.includes(k)) fail(`${field}.${key}`, `is not supported in ${kind}; give one of ${choices}`);
  const ways = allowed.filter((k) => k !== "type" && given.has(k));
  if (ways.length !== 1) {
    const got = ways.length ? ` (got ${ways.map((k) => given.get(k)!.key).join(", ")})` : "";
    fail(field, `give exactly one of ${choices}${got}`);
  }
  return ways[0]!;
}

/** The price `n` (an amount, or a percent of the reference) away from the reference, on the bracket's side. */
function distantPrice(n: number, way: string, kind: Kind, side: Side, reference: number, field: string): number {
  const distance = way === "percent" ? (reference * n) / 100 : n;
  const below = kind === "stopLoss" ? side === "buy" : side === "sell";
  const p = Math.round((below ? reference - distance : reference + distance) * 1e9) / 1e9;
  if (!(p > 0)) fail(field, `puts the ${kind} at ${p}, at or below zero (reference ${reference})`);
  return p;
}
