import { tickDecimals } from "./tick-grid";

/*
 * Amounts and prices as traders read them, en-US. The formatters are built once: a status is
 * formatted on every quote that moves an account, and toLocaleString builds a formatter each call.
 */
const WHOLE = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
const CENTS = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const PRICE = new Intl.NumberFormat("en-US", { maximumFractionDigits: 6 });

/** Whole dollars, as a status shows headroom: "$1,240" (negative amounts keep their minus sign). */
export function wholeDollars(x: number): string {
  return `$${WHOLE.format(Math.round(x))}`;
}

/** Dollars and cents of the amount's size, its sign left to the sentence: "$1,240.50" for ±1240.5. */
export function dollarsAndCents(x: number): string {
  return `$${CENTS.format(Math.abs(x))}`;
}

/** Signed dollars and cents, a loss with a minus sign: "−$1,240.50". */
export function signedDollars(x: number): string {
  return `${x < 0 ? "−" : ""}${dollarsAndCents(x)}`;
}

/** A price with its thousands separated and up to six decimals: "24,612.25". */
export function priceText(x: number): string {
  return PRICE.format(x);
}

const BY_DECIMALS = new Map<number, Intl.NumberFormat>();

/**
 * A price with as many decimals as its contract's tick has, as the platform shows it: "25,055.50"
 * (tick 0.25), "6,801.00"; two decimals when the tick is not known.
 */
export function tickPriceText(x: number, tickSize: number | undefined): string {
  const digits = tickSize === undefined ? 2 : tickDecimals(tickSize);
  let f = BY_DECIMALS.get(digits);
  if (!f) {
    f = new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: Math.max(digits, 6) });
    BY_DECIMALS.set(digits, f);
  }
  return f.format(x);
}
