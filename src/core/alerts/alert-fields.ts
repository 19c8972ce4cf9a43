import { fail, show } from "./alert-error";
import { normalizeWord, positiveWhole, text } from "./coerce";
import { RISK_KEYS } from "./risk-fields";

// Where each thing is read from in a JSON alert (normalized keys: lower case, no "_" or "-").

/** The secret's keys, first found wins. */
export const SECRET_KEYS = ["secret", "passphrase", "token", "key"];
/** The idempotency id's keys, first found wins. */
export const ID_KEYS = ["id", "alertid", "alerttimestamp"];
/** The alert time's keys, first found wins (every one given must parse). */
export const TIME_KEYS = ["alerttime", "timenow", "time"];
/** The quantity's keys, first found wins. */
export const QUANTITY_KEYS = ["quantity", "qty", "contracts"];
/** TradersPost's reference price, first found wins. */
export const REFERENCE_PRICE_KEYS = ["price", "signalprice"];
/** Where the strategy's market position is read from, first found wins. */
export const POSITION_KEYS = {
  after: ["marketposition", "strategy.marketposition"],
  before: ["prevmarketposition", "previousmarketposition", "strategy.prevmarketposition"],
  afterSize: ["marketpositionsize", "strategy.marketpositionsize"],
  beforeSize: ["prevmarketpositionsize", "previousmarketpositionsize", "strategy.prevmarketpositionsize"],
} as const;
/** Every key of the strategy position. */
export const ALL_POSITION_KEYS: readonly string[] = Object.values(POSITION_KEYS).flat();

/** Keys the parser reads; any other key that looks like a risk setting refuses the alert. */
const HANDLED = new Set([
  ...SECRET_KEYS,
  ...ID_KEYS,
  ...TIME_KEYS,
  ...QUANTITY_KEYS,
  ...REFERENCE_PRICE_KEYS,
  "symbol",
  "ticker",
  "action",
  "side",
  "sentiment",
  "quantitytype",
  "type",
  "ordertype",
  "limitprice",
  "stopprice",
  "trailticks",
  "stoploss",
  "takeprofit",
  "orderid",
  "account",
  "targetposition",
  ...ALL_POSITION_KEYS,
  "breakeven",
  "trail",
  ...RISK_KEYS,
]);
/** Unknown keys that look like a risk setting we would otherwise drop silently. */
const RISKY = /trail|stop|loss|profit|^sl|sl$|^tp|tp$|risk|breakeven|bracket|target/;

/** A field as the alert spelled it, for errors, with its value. */
export interface Given {
  name: string;
  value: unknown;
}

/**
 * The fields of a JSON alert by normalized key (the first spelling wins), remembering how the alert
 * spelled each one so that errors name the field as the user wrote it.
 */
export class AlertFields {
  private readonly byKey = new Map<string, { key: string; value: unknown }>();

  constructor(body: Record<string, unknown>) {
    for (const [key, value] of Object.entries(body)) {
      const k = normalizeWord(key);
      if (!this.byKey.has(k)) this.byKey.set(k, { key, value });
    }
  }

  /** Whether the field is there at all, null included. */
  named(k: string): boolean {
    return this.byKey.has(k);
  }

  /** Whether the field holds a value: null counts as absent. */
  has(k: string): boolean {
    const value = this.byKey.get(k)?.value;
    return value !== null && value !== undefined;
  }

  /** The field's value; undefined when absent or null. */
  get(k: string): unknown {
    return this.has(k) ? this.byKey.get(k)?.value : undefined;
  }

  /** The key as the alert spelled it; the normalized key when the alert has no such field. */
  nameOf(k: string): string {
    return this.byKey.get(k)?.key ?? k;
  }

  /** The first of `keys` that holds a value. */
  first(keys: readonly string[]): string | undefined {
    return keys.find((k) => this.has(k));
  }

  /** The first of `keys` that holds a value, with its name as spelled. */
  given(keys: readonly string[]): Given | undefined {
    const k = this.first(keys);
    return k === undefined ? undefined : { name: this.nameOf(k), value: this.get(k) };
  }

  /** The field coerced by `as` (which names the field as spelled in its errors); undefined when absent. */
  read<T>(k: string, as: (v: unknown, field: string) => T): T | undefined {
    return this.has(k) ? as(this.get(k), this.nameOf(k)) : undefined;
  }

  /** Every field: normalized key, spelling and value. */
  entries(): Array<[string, { key: string; value: unknown }]> {
    return [...this.byKey];
  }
}

/** `symbol` or `ticker` (they must agree when both are given). */
export function symbolOf(fields: AlertFields): string | undefined {
  const symbol = fields.read("symbol", text);
  const ticker = fields.read("ticker", text);
  if (symbol !== undefined && ticker !== undefined && symbol.toUpperCase() !== ticker.toUpperCase())
    fail("symbol", `symbol ${show(symbol)} and ticker ${show(ticker)} disagree`);
  return symbol ?? ticker;
}

/** The first of `quantity`, `qty`, `contracts` that is given. */
export function quantityOf(fields: AlertFields): number | undefined {
  const k = fields.first(QUANTITY_KEYS);
  return k === undefined ? undefined : positiveWhole(fields.get(k), fields.nameOf(k));
}

/** Refuses an unknown field that looks like a risk setting (trailAmount, sl_percent, …) rather than drop it. */
export function refuseRiskyExtras(fields: AlertFields): void {
  for (const [k, { key }] of fields.entries()) {
    if (!HANDLED.has(k) && RISKY.test(k) && fields.has(k)) {
      fail(
        key,
        "is a risk setting this node cannot honour, so the alert is refused rather than sent without it (use stopLoss/takeProfit as {ticks} or {price}, or trailTicks)",
      );
    }
  }
}
