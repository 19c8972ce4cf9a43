import { createHash, timingSafeEqual } from "node:crypto";
import { z } from "zod";
import { missingField, OrderIntent, StrategyPosition } from "../orders/order-intent";

/**
 * TradingView (and similar) webhook alerts → an OrderIntent or a target position.
 *
 * Parse leniently, validate strictly: TradingView substitutes placeholders as text, so numbers
 * arrive as strings (" 2 ", "2.0"); anything that still looks wrong ("2.5" contracts, "-1", "", an
 * unsubstituted "{{strategy.order.contracts}}") is refused with an AlertError that names the field.
 * A risk field we cannot honour (trailAmount, a stop-limit stop-loss, sl_percent, …) refuses the
 * alert rather than sending the order without it.
 *
 * The format is detected (`ParsedAlert.format`):
 *
 * - "target": a JSON object with `targetPosition` (spelled `target_position` also works): the
 *   signed position the strategy wants to hold, -2 = short 2, 0 = flat. Use it with
 *   `{"symbol":"{{ticker}}","targetPosition":"{{strategy.position_size}}","id":"{{strategy.order.id}}-{{timenow}}"}`.
 *   A missed alert heals on the next one, because the order is computed from the live position
 *   (src/core/orders/target-position.ts, by the rules or the order node). Keys: `targetPosition`, `symbol` (or `ticker`), optional `account`,
 *   `sentiment` (checked against the sign), id, time and secret. It is a plain market order, so
 *   order fields (action, side, quantity, prices, brackets) next to it are refused as ambiguous.
 * - "traderspost": TradersPost-style JSON, detected by `sentiment`, or by `ticker` with `action`
 *   buy|sell|exit|cancel|add. `action` buy/sell = one order of `quantity` (not TradersPost's
 *   close-then-reverse position management: use the target form for that); `sentiment: flat`
 *   with buy/sell = close the position; exit = close (partialClose when a quantity is given, as in
 *   TradersPost); cancel = cancel every working order of the ticker; add = buy or sell by the
 *   sentiment. `price`/`signalPrice` is a reference price (and the limit price of a limit order that
 *   has no `limitPrice`); `stopLoss {type: stop, stopPrice | amount | percent}` and
 *   `takeProfit {limitPrice | amount | percent}` become absolute prices, amounts and percents
 *   measured from the reference price (limitPrice, else stopPrice, else price/signalPrice).
 * - "json": our own JSON: `symbol` (or `ticker`), `side` buy|sell|long|short, `quantity` (or
 *   `qty`, `contracts`), `type` (or `orderType`), `limitPrice`, `stopPrice`, `trailTicks`,
 *   `stopLoss`/`takeProfit` as `{ticks}`, `{price}` or a bare number of ticks, `account`, `orderId`,
 *   and `action` place|close|partialClose|flatten|cancel|cancelAll|modify (cancel without an
 *   orderId = cancelAll for the symbol). Keys match case-insensitively, ignoring `_` and `-`.
 * - "text": a short command, case-insensitive, words separated by spaces, commas or semicolons:
 *   `buy 2 MNQ1!`, `sell 1 ES limit 6800.25`, `buy 1 MNQ stop 21050` (add `limit P` for a stop-limit),
 *   `long 3 MES sl 40 tp 80` (ticks), `buy 1 MNQ trail 20` (ticks), `close MNQ1!`, `close 1 MNQ1!`
 *   (partial), `flatten` (the whole account), `cancel` / `cancel MNQ` / `cancel 12345` (an order id);
 *   `secret=…`, `id=…`, `account=…`, `time=…` anywhere.
 *
 * Common to every JSON form: the secret is `secret`, `passphrase`, `token` or `key`; the idempotency
 * id is `id`, `alertId` or `alertTimestamp`; the alert time is `alertTime`, `timenow` or `time`
 * (first found; ISO `yyyy-MM-ddTHH:mm:ssZ` or epoch seconds/ms). Other unknown fields are ignored,
 * except those that look like risk fields (trail…, stop…, …loss, …profit, sl…, tp…, risk…).
 * Brackets and risk fields only matter for orders that can open a position: on close, flatten and
 * cancel they are ignored, so a flat signal always goes through.
 *
 * The strategy's market position (`OrderIntent.strategyPosition`): `marketPosition`
 * ({{strategy.market_position}}: long, short or flat, once this order fills; TradersPost's
 * `sentiment` bullish/bearish/flat says the same), `prevMarketPosition`, `marketPositionSize` and
 * `prevMarketPositionSize`, also spelled `market_position`, `strategy.market_position`, … and, in
 * text, `market_position=long`. On an order that can open a position (and on a target) a bad value
 * refuses the alert; on close, flatten and cancel it is left out, so an exit always goes through.
 *
 * Bodies are checked before anything walks them: nested deeper than MAX_DEPTH levels, or with more
 * than MAX_VALUES values, is refused (400, field "body").
 */

export type AlertFormat = "json" | "traderspost" | "target" | "text";

export class AlertError extends Error {
  /** `message` may be given with or without the "field: " prefix; the error's message always has it. */
  constructor(
    readonly status: 400 | 401,
    readonly field: string,
    message: string,
  ) {
    super(message.startsWith(`${field}:`) ? message : `${field}: ${message}`);
    this.name = "AlertError";
  }
}

export interface ParsedAlert {
  format: AlertFormat;
  /** For every format except "target": a validated OrderIntent. */
  intent: OrderIntent | null;
  /** "target" format: the signed position the alert wants (e.g. -2 = short 2), with the symbol. */
  target: { symbol: string; position: number; account?: string | number; strategyPosition?: StrategyPosition } | null;
  /** Idempotency id: the explicit field, else derived (see deriveId). */
  id: string;
  idDerived: boolean;
  /** When the alert was generated (epoch ms), from a time/timenow field when present. */
  alertTime?: number;
  /** The secret found in the body (removed from everything else), if any. */
  secret?: string;
}

type Side = "buy" | "sell";
type Fields = Map<string, { key: string; value: unknown }>;

const MAX_ID = 200;
/** Alerts nest two levels (a stopLoss object); the limits keep code that walks a body off deep or huge ones. */
export const MAX_DEPTH = 16;
export const MAX_VALUES = 10_000;
const PLACEHOLDER = /\{\{[^}]*\}\}/;
const DECIMAL = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[+-]?\d+)?$/i;
const ISO = /^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?))?\s*(Z|[+-]\d{2}:?\d{2})?$/i;

const SECRET_KEYS = ["secret", "passphrase", "token", "key"];
/** Where the strategy's market position is read from (normalized keys, first found wins). */
const POSITION_KEYS = {
  after: ["marketposition", "strategy.marketposition"],
  before: ["prevmarketposition", "previousmarketposition", "strategy.prevmarketposition"],
  afterSize: ["marketpositionsize", "strategy.marketpositionsize"],
  beforeSize: ["prevmarketpositionsize", "previousmarketpositionsize", "strategy.prevmarketpositionsize"],
} as const;
const ALL_POSITION_KEYS: readonly string[] = Object.values(POSITION_KEYS).flat();
const ID_KEYS = ["id", "alertid", "alerttimestamp"];
const TIME_KEYS = ["alerttime", "timenow", "time"];
/** Keys this parser reads (normalized: lower case, no "_" or "-"). */
const HANDLED = new Set([
  ...SECRET_KEYS,
  ...ID_KEYS,
  ...TIME_KEYS,
  "symbol",
  "ticker",
  "action",
  "side",
  "sentiment",
  "quantity",
  "qty",
  "contracts",
  "quantitytype",
  "type",
  "ordertype",
  "limitprice",
  "stopprice",
  "price",
  "signalprice",
  "trailticks",
  "stoploss",
  "takeprofit",
  "orderid",
  "account",
  "targetposition",
  ...ALL_POSITION_KEYS,
]);
/** Unknown keys that look like a risk setting we would otherwise drop silently. */
const RISKY = /trail|stop|loss|profit|^sl|sl$|^tp|tp$|risk|breakeven|bracket|target/;

const norm = (key: string) => key.toLowerCase().replace(/[_\-\s]/g, "");
const show = (v: unknown) => {
  const s = typeof v === "string" ? JSON.stringify(v) : v === undefined ? "nothing" : (JSON.stringify(v) ?? String(v));
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
};
const fail = (field: string, message: string): never => {
  throw new AlertError(400, field, message);
};

// ---------------------------------------------------------------------------------------------
// Lenient coercion of single values; every failure names its field.

/** A string or number as trimmed text; refuses blanks and unsubstituted placeholders. */
function text(v: unknown, field: string): string {
  if (typeof v === "number" && Number.isFinite(v)) return String(v);
  if (typeof v !== "string") return fail(field, `must be text (got ${show(v)})`);
  const s = v.trim();
  if (s === "") return fail(field, "is empty");
  if (PLACEHOLDER.test(s)) return fail(field, `looks like an unsubstituted TradingView placeholder (got ${show(v)})`);
  return s;
}

/** A number given as a number or as decimal text; NaN when it is neither. */
function decimal(v: unknown): number {
  if (typeof v === "number") return v;
  if (typeof v === "string" && DECIMAL.test(v.trim())) return Number(v.trim());
  return Number.NaN;
}

function numberOf(v: unknown, field: string, what: string, ok: (n: number) => boolean): number {
  if (typeof v === "string" && PLACEHOLDER.test(v))
    return fail(field, `looks like an unsubstituted TradingView placeholder (got ${show(v)})`);
  const n = decimal(v);
  if (!Number.isFinite(n) || !ok(n)) return fail(field, `must be ${what} (got ${show(v)})`);
  return n;
}

const positiveWhole = (v: unknown, field: string) =>
  numberOf(v, field, "a positive whole number", (n) => Number.isInteger(n) && n > 0);
const signedWhole = (v: unknown, field: string) =>
  numberOf(v, field, "a whole number of contracts, negative for short", (n) => Number.isInteger(n)) + 0; // -0 → 0
const price = (v: unknown, field: string) => numberOf(v, field, "a positive price", (n) => n > 0);
const positive = (v: unknown, field: string) => numberOf(v, field, "a positive number", (n) => n > 0);

/** ISO (TradingView's yyyy-MM-ddTHH:mm:ssZ; no zone = UTC) or epoch seconds / milliseconds → ms. */
function time(v: unknown, field: string): number {
  const bad = () =>
    fail(field, `must be an ISO time like 2026-11-25T15:00:00Z or epoch seconds/milliseconds (got ${show(v)})`);
  const s = typeof v === "number" ? String(v) : typeof v === "string" ? v.trim() : bad();
  if (PLACEHOLDER.test(s)) return fail(field, `looks like an unsubstituted TradingView placeholder (got ${show(v)})`);
  if (DECIMAL.test(s)) {
    const n = Number(s);
    if (!(n > 0) || !Number.isFinite(n)) return bad();
    return Math.round(n < 1e11 ? n * 1000 : n); // below 1e11: seconds (1e11 s is the year 5138)
  }
  const m = ISO.exec(s);
  if (!m) return bad();
  const zone =
    m[3] === undefined
      ? "Z"
      : m[3].toUpperCase() === "Z"
        ? "Z"
        : m[3].includes(":")
          ? m[3]
          : `${m[3].slice(0, 3)}:${m[3].slice(3)}`;
  const ms = Date.parse(`${m[1]}T${m[2] ?? "00:00"}${zone}`);
  return Number.isFinite(ms) ? ms : bad();
}

function explicitId(v: unknown, field: string): string {
  const id = text(v, field);
  if (id.length > MAX_ID) fail(field, `is longer than ${MAX_ID} characters (${id.length})`);
  return id;
}

function account(v: unknown): string | number | undefined {
  if (v === undefined || v === null || (typeof v === "string" && v.trim() === "")) return undefined; // blank: the default account
  const a = text(v, "account");
  return /^\d+$/.test(a) ? positiveWhole(a, "account") : a;
}

function sideOf(v: unknown, field: string): Side {
  const s = text(v, field).toLowerCase();
  if (s === "buy" || s === "long") return "buy";
  if (s === "sell" || s === "short") return "sell";
  return fail(field, `must be buy, sell, long or short (got ${show(v)})`);
}

const TYPES: Record<string, OrderIntent["type"]> = {
  market: "market",
  mkt: "market",
  limit: "limit",
  lmt: "limit",
  stop: "stop",
  stopmarket: "stop",
  stp: "stop",
  stoplimit: "stopLimit",
  trailingstop: "trailingStop",
  trailing: "trailingStop",
  joinbid: "joinBid",
  joinask: "joinAsk",
};

function typeOf(v: unknown, field: string): OrderIntent["type"] {
  const t = TYPES[norm(text(v, field))];
  return t ?? fail(field, `must be market, limit, stop, stop_limit or trailing_stop (got ${show(v)})`);
}

// ---------------------------------------------------------------------------------------------
// The strategy's market position.

type MarketPosition = StrategyPosition["after"];
type Given = { name: string; value: unknown };

function marketPosition(f: Given): MarketPosition {
  const s = text(f.value, f.name).toLowerCase();
  const p = s === "bullish" ? "long" : s === "bearish" ? "short" : s;
  if (p === "long" || p === "short" || p === "flat") return p;
  return fail(f.name, `must be long, short or flat (got ${show(f.value)})`);
}

const SIGN: Record<MarketPosition, number> = { long: 1, short: -1, flat: 0 };

/**
 * The strategy position an alert carries, checked field by field and against itself: flat goes
 * with size 0, and the move from `before` to `after` must go the way the order's side goes.
 * `sentiment` is TradersPost's spelling of the position after the order.
 */
function strategyPositionOf(
  find: (keys: readonly string[]) => Given | undefined,
  sentiment: (Given & { value: MarketPosition }) | undefined,
  side: Side | undefined,
): StrategyPosition | undefined {
  const size = (f: Given) =>
    numberOf(f.value, f.name, "a whole number of contracts, 0 or more", (n) => Number.isInteger(n) && n >= 0) + 0;
  const a = find(POSITION_KEYS.after);
  const b = find(POSITION_KEYS.before);
  const as = find(POSITION_KEYS.afterSize);
  const bs = find(POSITION_KEYS.beforeSize);
  const afterField = a ?? sentiment;
  if (!afterField) {
    const orphan = b ?? as ?? bs;
    return orphan
      ? fail(
          orphan.name,
          'needs the position after the order next to it: "marketPosition":"{{strategy.market_position}}"',
        )
      : undefined;
  }
  const after = a ? marketPosition(a) : sentiment!.value;
  if (a && sentiment && after !== sentiment.value)
    fail(a.name, `says ${after} but ${sentiment.name} says ${sentiment.value}`);
  const p: StrategyPosition = { after };
  if (b) p.before = marketPosition(b);
  if (as) p.afterSize = size(as);
  if (bs) p.beforeSize = size(bs);
  for (const [pos, n, f] of [
    [p.after, p.afterSize, as],
    [p.before, p.beforeSize, bs],
  ] as const) {
    if (pos !== undefined && n !== undefined && (pos === "flat") !== (n === 0))
      fail(f!.name, `is ${n} but the position is ${pos}`);
  }
  if (side && p.before !== undefined) {
    const signed = (pos: MarketPosition, n: number | undefined) => SIGN[pos] * (n ?? 1);
    const sized = p.afterSize !== undefined && p.beforeSize !== undefined;
    const move = sized ? signed(p.after, p.afterSize) - signed(p.before, p.beforeSize) : SIGN[p.after] - SIGN[p.before];
    if ((move > 0 && side === "sell") || (move < 0 && side === "buy")) {
      fail(
        afterField.name,
        `says ${p.after} after a ${side} from ${p.before}${sized ? ` ${p.beforeSize}` : ""}: the fields do not describe this order`,
      );
    }
  }
  const r = StrategyPosition.safeParse(p);
  return r.success ? r.data : fail(`strategyPosition.${r.error.issues[0]!.path.join(".")}`, r.error.issues[0]!.message);
}

/** Strict where the order can open a position; elsewhere a bad value is left out so that exits go through. */
function positionFor(strict: boolean, read: () => StrategyPosition | undefined): StrategyPosition | undefined {
  try {
    return read();
  } catch (e) {
    if (strict || !(e instanceof AlertError)) throw e;
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Idempotency and secrets.

function sha256(s: string): Buffer {
  return createHash("sha256").update(s, "utf8").digest();
}

/** JSON with object keys sorted, so that key order does not change the derived id. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v !== null && typeof v === "object") {
    const entries = Object.keys(v)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(v) ?? "null";
}

/**
 * An id for an alert that carries none: sha256 of the secret-free body plus the minute of arrival
 * (floor(now / 60000)). TradingView retries the same body within seconds, so a retry is a
 * duplicate; the same signal a minute later is a new alert. A retry that straddles a minute boundary
 * gets a new id: an explicit id (e.g. "{{strategy.order.id}}-{{timenow}}") has no such edge.
 */
function deriveId(secretFreeBody: string, now: number): string {
  return `body:${createHash("sha256")
    .update(`${Math.floor(now / 60_000)}\n${secretFreeBody}`, "utf8")
    .digest("hex")}`;
}

/**
 * Constant-time comparison of sha256 digests. False when no secret is configured: a webhook
 * without a secret would let anyone who finds the URL trade the account.
 */
export function checkSecret(given: string | undefined, expected: string | null): boolean {
  if (!expected || given === undefined) return false;
  return timingSafeEqual(sha256(given), sha256(expected));
}

// ---------------------------------------------------------------------------------------------
// Entry point.

const JsonObject = z.record(z.string(), z.unknown());

/**
 * Refuses a body nested deeper than MAX_DEPTH or holding more than MAX_VALUES values (a cycle
 * counts as too deep). Iterative, so that the check itself cannot overflow the stack.
 */
export function checkBodyShape(value: unknown): void {
  const pending: Array<[unknown, number]> = [[value, 0]];
  let seen = 0;
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (++seen > MAX_VALUES) fail("body", `holds more than ${MAX_VALUES} values`);
    if (v === null || typeof v !== "object" || Buffer.isBuffer(v)) continue;
    if (depth >= MAX_DEPTH) fail("body", `is nested more than ${MAX_DEPTH} levels deep`);
    for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
}

/**
 * JSON text → the alert object it must hold. The JSON error names a position, never quotes the
 * body (it may hold the secret, and the reason is logged).
 */
export function jsonBody(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const placeholder = PLACEHOLDER.exec(text);
    const hint = placeholder ? ` (it holds the unsubstituted TradingView placeholder ${placeholder[0]})` : "";
    const at = /position (\d+)/.exec((e as Error).message);
    return fail("body", `is not valid JSON${hint}${at ? ` (near character ${Number(at[1]) + 1})` : ""}`);
  }
  return alertObject(parsed);
}

function alertObject(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) return fail("body", "must be one JSON object or a text command, not a JSON array");
  const r = JsonObject.safeParse(value);
  if (!r.success)
    return fail(
      "body",
      `must be a JSON object or a text command (got ${value === null ? "null" : typeof value === "string" ? "a JSON string" : show(value)})`,
    );
  checkBodyShape(r.data);
  return r.data;
}

/** A body as it arrives (text, Buffer, parsed JSON) → the text command or the alert object. */
function bodyValue(body: unknown): string | Record<string, unknown> {
  if (Buffer.isBuffer(body)) body = body.toString("utf8");
  if (typeof body === "string") {
    const s = body.replace(/^\uFEFF/, "").trim();
    if (s === "") return fail("body", "is empty");
    if (s.startsWith("{")) return jsonBody(s);
    if (s.startsWith("[")) return fail("body", "must be one JSON object or a text command, not a JSON array");
    return s;
  }
  if (body === undefined || body === null) return fail("body", "is empty");
  return alertObject(body);
}

/**
 * The secret an alert carries, read before anything else of the body so that a caller can answer
 * 401 before any detail of the content: `secret`/`passphrase`/`token`/`key` in JSON, `secret=…` in
 * text. Throws AlertError 400 (field "body") only when the body is not an alert at all, and 401
 * when the secret is not text.
 */
export function alertSecret(body: unknown): string | undefined {
  const value = bodyValue(body);
  return typeof value === "string" ? textSecret(value) : objectSecret(value);
}

function objectSecret(obj: Record<string, unknown>): string | undefined {
  const byKey = new Map<string, unknown>();
  for (const [key, value] of Object.entries(obj)) if (!byKey.has(norm(key))) byKey.set(norm(key), value);
  for (const k of SECRET_KEYS) {
    const v = byKey.get(k);
    if (v === null || v === undefined) continue;
    if (typeof v !== "string" && typeof v !== "number") throw new AlertError(401, "secret", "must be text");
    return String(v).trim() || undefined;
  }
  return undefined;
}

function textSecret(body: string): string | undefined {
  for (const token of body.split(/[\s,;]+/)) {
    const eq = token.indexOf("=");
    if (eq > 0 && SECRET_KEYS.includes(token.slice(0, eq).toLowerCase()))
      return token.slice(eq + 1).trim() || undefined;
  }
  return undefined;
}

/** Parses an alert body (text, Buffer, or parsed JSON) into an intent or a target; throws AlertError 400 naming the field. */
export function parseAlert(body: unknown, now: number): ParsedAlert {
  const value = bodyValue(body);
  return typeof value === "string" ? parseText(value, now) : parseObject(value, now);
}

/** Builds the intent through the shared zod schema, then checks what the action needs. */
function validIntent(raw: Record<string, unknown>): OrderIntent {
  for (const k of Object.keys(raw)) if (raw[k] === undefined) delete raw[k];
  const r = OrderIntent.safeParse(raw);
  if (!r.success) {
    const issue = r.error.issues[0]!;
    const field = issue.path.length ? issue.path.join(".") : "body";
    return fail(field, issue.message);
  }
  const missing = missingField(r.data);
  if (missing)
    return fail(
      missing,
      `required for ${r.data.action === "place" ? `a ${r.data.type} order` : `action ${r.data.action}`}`,
    );
  return r.data;
}

interface Common {
  id: string;
  idDerived: boolean;
  alertTime?: number;
  secret?: string;
}

function parseObject(obj: Record<string, unknown>, now: number): ParsedAlert {
  const fields: Fields = new Map();
  for (const [key, value] of Object.entries(obj)) {
    const k = norm(key);
    if (!fields.has(k)) fields.set(k, { key, value });
  }
  const has = (k: string) =>
    fields.get(k) !== undefined && fields.get(k)!.value !== null && fields.get(k)!.value !== undefined;
  const get = (k: string) => (has(k) ? fields.get(k)!.value : undefined);
  const nameOf = (k: string) => fields.get(k)?.key ?? k;
  const first = (keys: string[]) => keys.find(has);

  // The secret: taken out of the body before anything else sees it.
  const secret = objectSecret(obj);
  const secretFree: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(obj)) if (!SECRET_KEYS.includes(norm(key))) secretFree[key] = value;

  const idKey = first(ID_KEYS);
  const timeKeys = TIME_KEYS.filter(has);
  const times = timeKeys.map((k) => time(get(k), nameOf(k))); // every time field present must parse
  const common: Common = {
    id: idKey ? explicitId(get(idKey), nameOf(idKey)) : deriveId(canonical(secretFree), now),
    idDerived: !idKey,
    ...(times.length ? { alertTime: times[0] } : {}),
    ...(secret !== undefined ? { secret } : {}),
  };

  const symbolOf = (): string | undefined => {
    const s = has("symbol") ? text(get("symbol"), nameOf("symbol")) : undefined;
    const t = has("ticker") ? text(get("ticker"), nameOf("ticker")) : undefined;
    if (s !== undefined && t !== undefined && s.toUpperCase() !== t.toUpperCase())
      fail("symbol", `symbol ${show(s)} and ticker ${show(t)} disagree`);
    return s ?? t;
  };
  const refuseRiskyExtras = () => {
    for (const [k, { key }] of fields) {
      if (!HANDLED.has(k) && RISKY.test(k) && has(k)) {
        fail(
          key,
          "is a risk setting this node cannot honour, so the alert is refused rather than sent without it (use stopLoss/takeProfit as {ticks} or {price}, or trailTicks)",
        );
      }
    }
  };
  const sentiment = (): "long" | "short" | "flat" | undefined => {
    if (!has("sentiment")) return undefined;
    const s = text(get("sentiment"), nameOf("sentiment")).toLowerCase();
    if (s === "bullish" || s === "long") return "long";
    if (s === "bearish" || s === "short") return "short";
    if (s === "flat") return "flat";
    return fail(nameOf("sentiment"), `must be bullish, long, bearish, short or flat (got ${show(get("sentiment"))})`);
  };
  const findGiven = (keys: readonly string[]) => {
    const k = keys.find(has);
    return k === undefined ? undefined : { name: nameOf(k), value: get(k) };
  };
  // A target's sentiment only restates its sign; elsewhere it is TradersPost's market position.
  const strategyPosition = (strict: boolean, side?: Side, withSentiment = true) =>
    positionFor(strict, () => {
      const sent = withSentiment ? sentiment() : undefined;
      return strategyPositionOf(
        findGiven,
        sent === undefined ? undefined : { name: nameOf("sentiment"), value: sent },
        side,
      );
    });

  // --- target position ---------------------------------------------------------------------
  if (has("targetposition")) {
    const position = signedWhole(get("targetposition"), nameOf("targetposition"));
    for (const k of [
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
    ]) {
      if (has(k))
        fail(
          nameOf("targetposition"),
          `cannot be combined with "${nameOf(k)}": a target-position alert is a market order to reach the position`,
        );
    }
    const sent = sentiment();
    if (sent !== undefined && sent !== (position > 0 ? "long" : position < 0 ? "short" : "flat")) {
      fail(nameOf("sentiment"), `says ${sent} but targetPosition is ${position}`);
    }
    if (position !== 0) refuseRiskyExtras();
    const symbol = symbolOf() ?? fail("symbol", "required for a target-position alert");
    const acct = account(get("account"));
    const sp = strategyPosition(true, undefined, false);
    if (
      sp &&
      (SIGN[sp.after] !== Math.sign(position) || (sp.afterSize !== undefined && sp.afterSize !== Math.abs(position)))
    ) {
      fail(
        findGiven(POSITION_KEYS.after)!.name,
        `says ${sp.after}${sp.afterSize !== undefined ? ` ${sp.afterSize}` : ""} but targetPosition is ${position}`,
      );
    }
    return {
      format: "target",
      intent: null,
      target: {
        symbol,
        position,
        ...(acct !== undefined ? { account: acct } : {}),
        ...(sp ? { strategyPosition: sp } : {}),
      },
      ...common,
    };
  }

  // --- order: TradersPost-style or our own ---------------------------------------------------
  const actionWord = has("action") ? norm(text(get("action"), nameOf("action"))) : undefined;
  const format: AlertFormat =
    has("sentiment") || (has("ticker") && ["buy", "sell", "exit", "cancel", "add"].includes(actionWord ?? ""))
      ? "traderspost"
      : "json";
  const sent = sentiment();
  const side = has("side") ? sideOf(get("side"), nameOf("side")) : undefined;
  const quantity = () => {
    const k = first(["quantity", "qty", "contracts"]);
    return k ? positiveWhole(get(k), nameOf(k)) : undefined;
  };
  const symbol = symbolOf();
  const acct = account(get("account"));
  const orderId = has("orderid") ? positiveWhole(get("orderid"), nameOf("orderid")) : undefined;

  // What the alert asks for: an entry ("place" with a side) or one of the other actions.
  const entry = (s: Side): ["place", Side] => {
    if (side !== undefined && side !== s) fail(nameOf("side"), `says ${side} but action says ${s}`);
    return ["place", s];
  };
  const resolve = (): [OrderIntent["action"], Side?] => {
    switch (actionWord) {
      case undefined:
        if (sent === "flat") return ["close"];
        if (side !== undefined) return entry(side);
        if (has("position"))
          return fail(nameOf("position"), 'is not an order field: for a target-position alert use "targetPosition"');
        return fail("side", "required: buy or sell (or long, short), or an action such as close, flatten or cancel");
      case "buy":
      case "long":
        return sent === "flat" ? ["close"] : entry("buy");
      case "sell":
      case "short":
        return sent === "flat" ? ["close"] : entry("sell");
      case "add":
        if (side !== undefined) return entry(side);
        if (sent === "long") return entry("buy");
        if (sent === "short") return entry("sell");
        return fail(
          "sentiment",
          `action add needs sentiment bullish/long or bearish/short (got ${show(get("sentiment"))})`,
        );
      case "place":
        return entry(side ?? fail("side", "required for action place: buy or sell"));
      case "exit":
      case "close":
        return [quantity() !== undefined ? "partialClose" : "close"];
      case "partialclose":
        return ["partialClose"];
      case "cancel":
        return [orderId !== undefined ? "cancel" : "cancelAll"];
      case "cancelall":
        return ["cancelAll"];
      case "flatten":
        return ["flatten"];
      case "modify":
        return ["modify"];
      default:
        return fail(
          nameOf("action"),
          `must be buy, sell, add, exit, close, partialClose, cancel, cancelAll, flatten or modify (got ${show(get("action"))})`,
        );
    }
  };
  const [action, orderSide] = resolve();
  const sp = strategyPosition(action === "place", orderSide);

  if (action === "close")
    return {
      format,
      intent: validIntent({ action, symbol, account: acct, strategyPosition: sp }),
      target: null,
      ...common,
    };
  if (action === "partialClose")
    return {
      format,
      intent: validIntent({ action, symbol, quantity: quantity(), account: acct, strategyPosition: sp }),
      target: null,
      ...common,
    };
  if (action === "cancel")
    return {
      format,
      intent: validIntent({ action, orderId, symbol, account: acct, strategyPosition: sp }),
      target: null,
      ...common,
    };
  if (action === "cancelAll")
    return {
      format,
      intent: validIntent({ action, symbol, account: acct, strategyPosition: sp }),
      target: null,
      ...common,
    };
  if (action === "flatten") {
    if (symbol !== undefined)
      fail(
        has("symbol") ? nameOf("symbol") : nameOf("ticker"),
        'flatten closes every position and order on the account; to close one symbol use action "close"',
      );
    return { format, intent: validIntent({ action, account: acct, strategyPosition: sp }), target: null, ...common };
  }

  // place or modify
  if (format === "traderspost" && has("quantitytype")) {
    const qt = norm(text(get("quantitytype"), nameOf("quantitytype")));
    if (qt !== "fixedquantity" && qt !== "fixed")
      fail(nameOf("quantitytype"), `only fixed_quantity is supported (got ${show(get("quantitytype"))})`);
  }
  const limitPrice = has("limitprice") ? price(get("limitprice"), nameOf("limitprice")) : undefined;
  const stopPrice = has("stopprice") ? price(get("stopprice"), nameOf("stopprice")) : undefined;
  const refKey = first(["price", "signalprice"]);
  const refPrice = refKey ? price(get(refKey), nameOf(refKey)) : undefined;
  for (const k of ["price", "signalprice"]) if (k !== refKey && has(k)) price(get(k), nameOf(k));
  const trailTicks = has("trailticks") ? positiveWhole(get("trailticks"), nameOf("trailticks")) : undefined;
  const qty = quantity();

  if (action === "modify") {
    for (const k of ["stoploss", "takeprofit"]) if (has(k)) fail(nameOf(k), "cannot be changed by a modify alert");
    refuseRiskyExtras();
    return {
      format,
      intent: validIntent({
        action,
        orderId,
        symbol,
        quantity: qty,
        limitPrice,
        stopPrice,
        trailTicks,
        account: acct,
        strategyPosition: sp,
      }),
      target: null,
      ...common,
    };
  }

  refuseRiskyExtras();
  const typeKey = first(["type", "ordertype"]);
  const prices = { limitPrice, stopPrice, trailTicks };
  const type = placeType(typeKey ? typeOf(get(typeKey), nameOf(typeKey)) : undefined, prices, (k) => nameOf(norm(k)));
  // TradersPost: a limit order without limitPrice is placed at the signal price.
  if (
    (type === "limit" || type === "stopLimit") &&
    prices.limitPrice === undefined &&
    format === "traderspost" &&
    refPrice !== undefined
  )
    prices.limitPrice = refPrice;
  const reference = prices.limitPrice ?? prices.stopPrice ?? refPrice;
  const s = orderSide!;
  return {
    format,
    intent: validIntent({
      action,
      symbol,
      side: s,
      type,
      quantity: qty,
      ...prices,
      account: acct,
      strategyPosition: sp,
      // A bracket named but empty is refused: sending the order without its stop is the one outcome to avoid.
      stopLoss:
        fields.has("stoploss") && !has("stoploss")
          ? fail(nameOf("stoploss"), "is null; leave it out for no stop-loss")
          : has("stoploss")
            ? bracket(get("stoploss"), "stopLoss", nameOf("stoploss"), s, reference)
            : undefined,
      takeProfit:
        fields.has("takeprofit") && !has("takeprofit")
          ? fail(nameOf("takeprofit"), "is null; leave it out for no take-profit")
          : has("takeprofit")
            ? bracket(get("takeprofit"), "takeProfit", nameOf("takeprofit"), s, reference)
            : undefined,
    }),
    target: null,
    ...common,
  };
}

/** The order type: given, or inferred from the prices present; prices the type cannot use are refused. */
function placeType(
  given: OrderIntent["type"] | undefined,
  p: { limitPrice?: number; stopPrice?: number; trailTicks?: number },
  name: (k: string) => string,
): OrderIntent["type"] {
  const type =
    given ??
    (p.trailTicks !== undefined
      ? "trailingStop"
      : p.limitPrice !== undefined && p.stopPrice !== undefined
        ? "stopLimit"
        : p.limitPrice !== undefined
          ? "limit"
          : p.stopPrice !== undefined
            ? "stop"
            : "market");
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

/**
 * A stop-loss or take-profit, as the OrderIntent wants it ({ticks} or {price}): a bare number or
 * {ticks} is ticks; {price}, stopLoss {stopPrice}, takeProfit {limitPrice} a price; {amount} and
 * {percent} a distance from the reference price, below the entry for a long's stop, above for a short's.
 */
function bracket(
  v: unknown,
  kind: "stopLoss" | "takeProfit",
  field: string,
  side: Side,
  reference: number | undefined,
): { ticks: number } | { price: number } {
  if (typeof v === "number" || typeof v === "string") return { ticks: positiveWhole(v, field) };
  if (typeof v !== "object" || v === null || Array.isArray(v))
    return fail(field, `must be a number of ticks or an object such as {"ticks": 40} (got ${show(v)})`);
  const given = new Map<string, { key: string; value: unknown }>();
  for (const [key, value] of Object.entries(v))
    if (value !== null && value !== undefined) given.set(norm(key), { key, value });
  const sub = (k: string) => `${field}.${given.get(k)?.key ?? k}`;

  if (given.has("type")) {
    const t = norm(text(given.get("type")!.value, sub("type")));
    const ok = kind === "stopLoss" ? t === "stop" || t === "stopmarket" : t === "limit";
    if (!ok)
      fail(
        sub("type"),
        `only ${kind === "stopLoss" ? "stop" : "limit"} is supported (got ${show(given.get("type")!.value)})`,
      );
  }
  const priceKey = kind === "stopLoss" ? "stopprice" : "limitprice";
  const allowed = ["type", "ticks", "price", priceKey, "amount", "percent"];
  for (const [k, { key }] of given)
    if (!allowed.includes(k))
      fail(
        `${field}.${key}`,
        `is not supported in ${kind}; give one of ticks, price, ${kind === "stopLoss" ? "stopPrice" : "limitPrice"}, amount or percent`,
      );
  const ways = allowed.filter((k) => k !== "type" && given.has(k));
  if (ways.length !== 1)
    fail(
      field,
      `give exactly one of ticks, price, ${kind === "stopLoss" ? "stopPrice" : "limitPrice"}, amount or percent${ways.length ? ` (got ${ways.map((k) => given.get(k)!.key).join(", ")})` : ""}`,
    );
  const way = ways[0]!;
  const value = given.get(way)!.value;
  if (way === "ticks") return { ticks: positiveWhole(value, sub(way)) };
  if (way === "price" || way === priceKey) return { price: price(value, sub(way)) };

  const n = positive(value, sub(way));
  if (reference === undefined)
    return fail(sub(way), "needs a reference price to measure from: give limitPrice, stopPrice, price or signalPrice");
  const distance = way === "amount" ? n : (reference * n) / 100;
  const below = kind === "stopLoss" ? side === "buy" : side === "sell";
  const p = Math.round((below ? reference - distance : reference + distance) * 1e9) / 1e9;
  if (!(p > 0)) fail(sub(way), `puts the ${kind} at ${p}, at or below zero (reference ${reference})`);
  return { price: p };
}

// ---------------------------------------------------------------------------------------------
// Text commands.

function parseText(body: string, now: number): ParsedAlert {
  let id: string | undefined;
  let alertTime: number | undefined;
  let acct: string | number | undefined;
  const kept: string[] = []; // every token but the secret, for the derived id
  const positionWords = new Map<string, Given>();
  const words: string[] = [];
  const secret = textSecret(body);
  for (const token of body.split(/[\s,;]+/).filter(Boolean)) {
    const eq = token.indexOf("=");
    if (eq <= 0) {
      kept.push(token);
      words.push(token);
      continue;
    }
    const key = token.slice(0, eq).toLowerCase();
    const value = token.slice(eq + 1);
    if (SECRET_KEYS.includes(key)) continue;
    kept.push(token);
    if (key === "id") id = explicitId(value, "id");
    else if (key === "time" || key === "timenow") alertTime = time(value, key);
    else if (key === "account") acct = account(value);
    else if (["sl", "tp", "limit", "stop", "trail"].includes(key)) words.push(key, value);
    else if (ALL_POSITION_KEYS.includes(norm(key))) {
      if (!positionWords.has(norm(key))) positionWords.set(norm(key), { name: token.slice(0, eq), value });
    } else
      fail(
        "body",
        `unexpected ${show(token)} (known key=value words: secret, id, account, time, sl, tp, limit, stop, trail, market_position, prev_market_position, market_position_size, prev_market_position_size)`,
      );
  }
  const strategyPosition = (strict: boolean, side?: Side) =>
    positionFor(strict, () =>
      strategyPositionOf((keys) => positionWords.get(keys.find((k) => positionWords.has(k)) ?? ""), undefined, side),
    );
  const common: Common = {
    id: id ?? deriveId(kept.join(" "), now),
    idDerived: id === undefined,
    ...(alertTime !== undefined ? { alertTime } : {}),
    ...(secret !== undefined ? { secret } : {}),
  };
  const done = (intent: OrderIntent): ParsedAlert => ({ format: "text", intent, target: null, ...common });
  const symbolAt = (i: number, what: string) =>
    words[i] === undefined ? fail("symbol", `required: ${what}`) : text(words[i], "symbol").toUpperCase();
  const noMore = (from: number) => {
    if (words.length > from) fail("body", `unexpected ${show(words.slice(from).join(" "))}`);
  };

  if (words.length === 0) return fail("action", 'the text has no command (expected e.g. "buy 2 MNQ1!")');
  const verb = text(words[0], "action").toLowerCase();
  switch (verb) {
    case "buy":
    case "long":
    case "sell":
    case "short": {
      const side: Side = verb === "buy" || verb === "long" ? "buy" : "sell";
      if (words[1] === undefined) return fail("quantity", `required: e.g. "${verb} 2 MNQ1!"`);
      const quantity = positiveWhole(words[1], "quantity");
      const symbol = symbolAt(2, `e.g. "${verb} ${quantity} MNQ1!"`);
      const opts: Record<string, unknown> = {};
      let type: OrderIntent["type"] | undefined;
      const FIELD: Record<string, string> = {
        limit: "limitPrice",
        lmt: "limitPrice",
        stop: "stopPrice",
        stp: "stopPrice",
        sl: "stopLoss",
        tp: "takeProfit",
        trail: "trailTicks",
      };
      for (let i = 3; i < words.length; i++) {
        const w = words[i]!.toLowerCase();
        if (w === "market" || w === "mkt") {
          type = "market";
          continue;
        }
        const field = FIELD[w];
        if (!field) return fail("body", `unexpected ${show(words[i])} (expected limit, stop, sl, tp or trail)`);
        if (opts[field] !== undefined) return fail(field, "given twice");
        const arg = words[++i];
        if (arg === undefined) return fail(field, `missing the number after "${w}"`);
        opts[field] = field === "limitPrice" || field === "stopPrice" ? price(arg, field) : positiveWhole(arg, field);
      }
      const prices = {
        limitPrice: opts.limitPrice as number | undefined,
        stopPrice: opts.stopPrice as number | undefined,
        trailTicks: opts.trailTicks as number | undefined,
      };
      return done(
        validIntent({
          action: "place",
          side,
          quantity,
          symbol,
          type: placeType(type, prices, (k) => k),
          ...prices,
          account: acct,
          strategyPosition: strategyPosition(true, side),
          stopLoss: opts.stopLoss !== undefined ? { ticks: opts.stopLoss } : undefined,
          takeProfit: opts.takeProfit !== undefined ? { ticks: opts.takeProfit } : undefined,
        }),
      );
    }
    case "close":
    case "exit": {
      if (words.length >= 3) {
        noMore(3);
        return done(
          validIntent({
            action: "partialClose",
            quantity: positiveWhole(words[1], "quantity"),
            symbol: symbolAt(2, "close QTY SYMBOL"),
            account: acct,
            strategyPosition: strategyPosition(false),
          }),
        );
      }
      const symbol = symbolAt(1, `e.g. "${verb} MNQ1!" (or "flatten" for the whole account)`);
      return done(validIntent({ action: "close", symbol, account: acct, strategyPosition: strategyPosition(false) }));
    }
    case "flatten":
      if (words.length > 1)
        return fail(
          "symbol",
          'flatten closes every position and order on the account; to close one symbol write "close SYMBOL"',
        );
      return done(validIntent({ action: "flatten", account: acct, strategyPosition: strategyPosition(false) }));
    case "cancel":
    case "cancelall": {
      noMore(2);
      const arg = words[1];
      if (arg !== undefined && verb === "cancel" && /^#?\d+$/.test(arg)) {
        return done(
          validIntent({
            action: "cancel",
            orderId: positiveWhole(arg.replace("#", ""), "orderId"),
            account: acct,
            strategyPosition: strategyPosition(false),
          }),
        );
      }
      return done(
        validIntent({
          action: "cancelAll",
          symbol: arg === undefined ? undefined : symbolAt(1, ""),
          account: acct,
          strategyPosition: strategyPosition(false),
        }),
      );
    }
    default:
      return fail(
        "action",
        `unknown command ${show(words[0])} (expected buy, sell, long, short, close, flatten or cancel)`,
      );
  }
}
