import type { Product } from "./catalog";

/** What a fill costs per contract per side, as TopstepX reports it on each trade. */
export interface Costs {
  /** Exchange, clearing and NFA fees (the trade's `fees`). */
  fee: number;
  /** The firm's commission (the trade's `commissions`), charged on top of the fees. */
  commission: number;
}

/*
 * Sources (the fees themselves are the catalog's, src/sim/products.ts).
 * - Fees: the exchange (CME Globex non-member) and clearing fee plus the $0.02 NFA fee, passed
 *   through in `fees`. Two figures are evidence: ES at $1.40 a side is the example of ProjectX's
 *   Trade/search documentation, and $0.37 a side on a micro equity index is what a production
 *   TopstepX log shows (MYM 15 lots: fees 5.55). The others (NQ/YM/RTY 1.40 like ES, the equity
 *   micros 0.37 like MYM, CL 1.52, MCL 0.52, GC 1.62, MGC 0.62, ZB 1.25, 6E 1.55) are ESTIMATES
 *   after CME's non-member rates: no copy of TopstepX's fee schedule could be consulted, so check
 *   them against it before relying on a cent.
 * - Commissions: $0.25 a side on MYM is measured (the same log: MYM 15 lots, commissions 3.75),
 *   which makes a micro round turn $1.24, 40% more than fees alone. The other micros are ESTIMATED
 *   at the same $0.25; minis and full-size contracts are ESTIMATED at $0.50 a side.
 * Override any figure per symbol with the simulator configuration's `fees` and `commissions`.
 */
const MICRO_COMMISSION = 0.25;
const FULL_COMMISSION = 0.5;

/**
 * Costs per contract per side of a product: the configured figure, else the catalog's fee
 * (src/sim/products.ts), and a commission of $0.25 for a micro-sized product (a fee under $1 a
 * side) or $0.50 for any other.
 */
export function costsOf(
  product: Product,
  overrides: { fees: Record<string, number>; commissions: Record<string, number> },
): Costs {
  const fee = overrides.fees[product.symbol] ?? product.feePerSide;
  const commission =
    overrides.commissions[product.symbol] ?? (product.feePerSide < 1 ? MICRO_COMMISSION : FULL_COMMISSION);
  return { fee, commission };
}
