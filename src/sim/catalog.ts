import type { Contract } from "../core/schemas";

import { PRODUCTS, type Product } from "./products";

export { PRODUCTS, type Product };

const MONTH_CODES = "FGHJKMNQUVXZ";
const MONTH_NAMES = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];

/** One listed contract month of a product. */
export interface Listing {
  product: Product;
  id: string;
  /** Month index 0–11 and full year. */
  month: number;
  year: number;
  /** Epoch ms after which the next listed month is the front month. */
  rollAt: number;
}

export function contractId(product: Product, month: number, year: number): string {
  return `CON.F.US.${product.root}.${MONTH_CODES[month]}${String(year % 100).padStart(2, "0")}`;
}

function rollTime(product: Product, month: number, year: number): number {
  return Date.UTC(year, month - product.rollMonthsBefore, product.rollDay, 22, 0, 0);
}

function listing(product: Product, month: number, year: number): Listing {
  return { product, id: contractId(product, month, year), month, year, rollAt: rollTime(product, month, year) };
}

/** The listed months from the front month on, as of `now`. */
export function listingsFrom(product: Product, now: number, count: number): Listing[] {
  const d = new Date(now);
  let year = d.getUTCFullYear();
  let month = d.getUTCMonth();
  const out: Listing[] = [];
  for (let guard = 0; out.length < count && guard < 48; guard++) {
    if (product.months.includes(MONTH_CODES[month]!)) {
      const l = listing(product, month, year);
      if (l.rollAt > now) out.push(l);
    }
    month++;
    if (month === 12) {
      month = 0;
      year++;
    }
  }
  return out;
}

/** Parses `CON.F.US.<root>.<M><YY>` into a listing of a known product, or null. */
export function parseContractId(id: string): Listing | null {
  const m = /^CON\.F\.US\.([A-Z0-9]+)\.([FGHJKMNQUVXZ])(\d{2})$/.exec(id);
  if (!m) return null;
  const product = PRODUCTS.find((p) => p.root === m[1]);
  if (!product?.months.includes(m[2]!)) return null;
  return listing(product, MONTH_CODES.indexOf(m[2]!), 2000 + Number(m[3]));
}

/** The ContractModel of a listing as the gateway describes it. */
export function describe(l: Listing, now: number): Contract {
  const front = listingsFrom(l.product, now, 1)[0];
  return {
    id: l.id,
    name: `${l.product.symbol}${MONTH_CODES[l.month]}${l.year % 10}`,
    description: `${l.product.title}: ${MONTH_NAMES[l.month]} ${l.year}`,
    tickSize: l.product.tickSize,
    tickValue: l.product.tickValue,
    activeContract: front?.id === l.id,
    symbolId: `F.US.${l.product.root}`,
  };
}

/** Exchanges list a few years of months ahead; a later id is a typo, not a contract. */
export function isListed(l: Listing, now: number): boolean {
  return l.rollAt - now < 3 * 365 * 86_400_000;
}

/** A contract whose last trading time has passed can be looked up but not traded. */
export function isExpired(l: Listing, now: number): boolean {
  return l.rollAt + l.product.tradesDaysAfterRoll * 86_400_000 < now;
}
