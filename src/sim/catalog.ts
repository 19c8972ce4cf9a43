import type { Contract } from "../core/schemas";

/**
 * The simulator's product list: ProjectX roots (ES is EP, NQ is ENQ, CL is CLE, GC is GCE), real
 * tick sizes and values, Topstep-like fees per side, and listing rules that decide the front month.
 */
export interface Product {
  /** Exchange symbol as traders write it (ES, MNQ, CL). */
  symbol: string;
  /** ProjectX root inside ids (`CON.F.US.<root>.Z26`). */
  root: string;
  title: string;
  tickSize: number;
  tickValue: number;
  /** Fee per contract per side, charged on every fill. */
  feePerSide: number;
  /** Month codes listed for trading. */
  months: string;
  /** Day of the month before the contract month on which volume rolls to the next listed month. */
  rollDay: number;
  /** Roll this many months earlier than the month before (quarterlies roll in the expiry month). */
  rollInExpiryMonth: boolean;
  /** Starting price level for the synthetic path. */
  basePrice: number;
  /** Typical daily range as a fraction of price. */
  dailyRange: number;
}

const QUARTERLY = "HMUZ";
const MONTHLY = "FGHJKMNQUVXZ";
const GOLD = "GJMQVZ";
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

function index(
  symbol: string,
  root: string,
  title: string,
  tickSize: number,
  tickValue: number,
  feePerSide: number,
  basePrice: number,
): Product {
  // Equity index futures expire on the third Friday; volume rolls about eight days earlier.
  return {
    symbol,
    root,
    title,
    tickSize,
    tickValue,
    feePerSide,
    months: QUARTERLY,
    rollDay: 10,
    rollInExpiryMonth: true,
    basePrice,
    dailyRange: 0.012,
  };
}

export const PRODUCTS: readonly Product[] = [
  index("ES", "EP", "E-mini S&P 500", 0.25, 12.5, 1.4, 6800),
  index("MES", "MES", "Micro E-mini S&P 500", 0.25, 1.25, 0.37, 6800),
  index("NQ", "ENQ", "E-mini Nasdaq-100", 0.25, 5, 1.4, 25000),
  index("MNQ", "MNQ", "Micro E-mini Nasdaq-100", 0.25, 0.5, 0.37, 25000),
  index("YM", "YM", "E-mini Dow Jones", 1, 5, 1.4, 47000),
  index("MYM", "MYM", "Micro E-mini Dow Jones", 1, 0.5, 0.37, 47000),
  index("RTY", "RTY", "E-mini Russell 2000", 0.1, 5, 1.4, 2450),
  index("M2K", "M2K", "Micro E-mini Russell 2000", 0.1, 0.5, 0.37, 2450),
  {
    symbol: "CL",
    root: "CLE",
    title: "Crude Oil",
    tickSize: 0.01,
    tickValue: 10,
    feePerSide: 1.52,
    months: MONTHLY,
    rollDay: 15,
    rollInExpiryMonth: false,
    basePrice: 62,
    dailyRange: 0.025,
  },
  {
    symbol: "MCL",
    root: "MCLE",
    title: "Micro Crude Oil",
    tickSize: 0.01,
    tickValue: 1,
    feePerSide: 0.52,
    months: MONTHLY,
    rollDay: 15,
    rollInExpiryMonth: false,
    basePrice: 62,
    dailyRange: 0.025,
  },
  {
    symbol: "GC",
    root: "GCE",
    title: "Gold",
    tickSize: 0.1,
    tickValue: 10,
    feePerSide: 1.62,
    months: GOLD,
    rollDay: 24,
    rollInExpiryMonth: false,
    basePrice: 4100,
    dailyRange: 0.015,
  },
  {
    symbol: "MGC",
    root: "MGC",
    title: "Micro Gold",
    tickSize: 0.1,
    tickValue: 1,
    feePerSide: 0.62,
    months: GOLD,
    rollDay: 24,
    rollInExpiryMonth: false,
    basePrice: 4100,
    dailyRange: 0.015,
  },
  {
    symbol: "ZB",
    root: "USA",
    title: "30-Year U.S. Treasury Bond",
    tickSize: 0.03125,
    tickValue: 31.25,
    feePerSide: 1.25,
    months: QUARTERLY,
    rollDay: 24,
    rollInExpiryMonth: false,
    basePrice: 115,
    dailyRange: 0.008,
  },
  {
    symbol: "6E",
    root: "EU6",
    title: "Euro FX",
    tickSize: 0.00005,
    tickValue: 6.25,
    feePerSide: 1.55,
    months: QUARTERLY,
    rollDay: 10,
    rollInExpiryMonth: true,
    basePrice: 1.16,
    dailyRange: 0.006,
  },
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
  const rollMonth = product.rollInExpiryMonth ? month : month - 1;
  return Date.UTC(year, rollMonth, product.rollDay, 22, 0, 0);
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
  return l.rollAt + 14 * 86_400_000 < now;
}
