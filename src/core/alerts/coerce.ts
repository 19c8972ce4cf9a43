import type { OrderIntent } from "../orders/order-intent";
import { fail, show } from "./alert-error";

/**
 * Lenient coercion of single alert values. TradingView substitutes placeholders as text, so
 * numbers arrive as strings (" 2 ", "2.0"); anything that still looks wrong ("2.5" contracts, "-1",
 * "", an unsubstituted "{{strategy.order.contracts}}") is refused with an AlertError naming `field`.
 */

/** An order's side, as intents spell it. */
export type Side = NonNullable<OrderIntent["side"]>;

/** An unsubstituted TradingView placeholder such as {{close}}. */
export const PLACEHOLDER = /\{\{[^}]*\}\}/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;
const MAX_ID = 200;

/** A key or word as compared: lower case, without "_", "-" or spaces ("Stop_Limit" → "stoplimit"). */
export function normalizeWord(word: string): string {
  return word.toLowerCase().replace(/[_\-\s]/g, "");
}

function refusePlaceholder(field: string, v: unknown): never {
  return fail(field, `looks like an unsubstituted TradingView placeholder (got ${show(v)})`);
}

/** A string or number as trimmed text; refuses blanks and unsubstituted placeholders. */
export function text(v: unknown, field: string): string {
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v !== "string") return fail(field, `must be text (got ${show(v)})`);
  const s = v.trim();
  if (s === "") return fail(field, "is empty");
  if (PLACEHOLDER.test(s)) return refusePlaceholder(field, v);
  return s;
}

/** A number given as a number or as decimal text; NaN when it is neither. */
function decimal(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && DECIMAL.test(v.trim())) return Number(v.trim());
  return Number.NaN;
}

function numberOf(v: unknown, field: string, what: string, ok: (n: number) => boolean): number {
  if (typeof v === "string" && PLACEHOLDER.test(v)) return refusePlaceholder(field, v);
  const n = decimal(v);
  if (!Number.isFinite(n) || !ok(n)) return fail(field, `must be ${what} (got ${show(v)})`);
  return n;
}

/** A whole number above zero: a quantity, a tick distance, an order or account id. */
export function positiveWhole(v: unknown, field: string): number {
  return numberOf(v, field, "a positive whole number", (n) => Number.isInteger(n) && n > 0);
}

/** A signed whole number of contracts (a target position), -0 read as 0. */
export function signedWhole(v: unknown, field: string): number {
  return numberOf(v, field, "a whole number of contracts, negative for short", (n) => Number.isInteger(n)) + 0;
}

/** An absolute position size: a whole number of contracts, 0 or more, -0 read as 0. */
export function positionSize(v: unknown, field: string): number {
  return numberOf(v, field, "a whole number of contracts, 0 or more", (n) => Number.isInteger(n) && n >= 0) + 0;
}

/** A price above zero. */
export function price(v: unknown, field: string): number {
  return numberOf(v, field, "a positive price", (n) => n > 0);
}

/** Any number above zero (a bracket's amount or percent). */
export function positive(v: unknown, field: string): number {
  return numberOf(v, field, "a positive number", (n) => n > 0);
}

/** ISO (TradingView's yyyy-MM-ddTHH:mm:ssZ; no zone = UTC) or epoch seconds / milliseconds → ms. */
export function time(v: unknown, field: string): number {
  const bad = (): never =>
    fail(field, `must be an ISO time like 2026-11-25T15:00:00Z or epoch seconds/milliseconds (got ${show(v)})`);
  if (typeof v !== "number" && typeof v !== "string") return bad();
  const s = typeof v === "number" ? String(v) : v.trim();
  if (PLACEHOLDER.test(s)) return refusePlaceholder(field, v);
  const ms = DECIMAL.test(s) ? epochMs(Number(s)) : isoMs(s);
  return ms ?? bad();
}

/** Epoch seconds or milliseconds → ms; below 1e11 is seconds (1e11 s is the year 5138). */
function epochMs(n: number): number | undefined {
  if (!(n > 0) || !Number.isFinite(n)) return undefined;
  return Math.round(n < 1e11 ? n * 1000 : n);
}

function isoMs(s: string): number | undefined {
  const m = ISO.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}T${m[2] ?? "00:00"}${isoZone(m[3])}`);
  return Number.isFinite(ms) ? ms : undefined;
}

/** The zone as Date.parse wants it: "Z", or "+hh:mm" (TradingView may send "+hhmm"). */
function isoZone(zone: string | undefined): string {
  if (zone === undefined || zone.toUpperCase() === "Z") return "Z";
  return zone.includes(":") ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
}

/** An idempotency id given by the alert: text of at most 200 characters. */
export function explicitId(v: unknown, field: string): string {
  const id = text(v, field);
  if (id.length > MAX_ID) fail(field, `is longer than ${MAX_ID} characters (${id.length})`);
  return id;
}

/** The account: an id (digits) or a name; blank or absent means the configuration's default account. */
export function accountOf(v: unknown): string | number | undefined {
  if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) return undefined;
  const a = text(v, "account");
  return /^\d+$/.test(a) ? positiveWhole(a, "account") : a;
}

/** buy/long → buy, sell/short → sell. */
export function sideOf(v: unknown, field: string): Side {
  const s = text(v, field).toLowerCase();
  if (s === "buy" || s === "long") return "buy";
  if (s === "sell" || s === "short") return "sell";
  return fail(field, `must be buy, sell, long or short (got ${show(v)})`);
}

const ORDER_TYPES = new Map<string, OrderIntent["type"]>([
  ["market", "market"],
  ["mkt", "market"],
  ["limit", "limit"],
  ["lmt", "limit"],
  ["stop", "stop"],
  ["stopmarket", "stop"],
  ["stp", "stop"],
  ["stoplimit", "stopLimit"],
  ["trailingstop", "trailingStop"],
  ["trailing", "trailingStop"],
  ["joinbid", "joinBid"],
  ["joinask", "joinAsk"],
]);

/** An order type in any spelling TradingView users write ("Stop_Limit", "mkt", "trailing"). */
export function typeOf(v: unknown, field: string): OrderIntent["type"] {
  const type = ORDER_TYPES.get(normalizeWord(text(v, field)));
  return type ?? fail(field, `must be market, limit, stop, stop_limit or trailing_stop (got ${show(v)})`);
}
