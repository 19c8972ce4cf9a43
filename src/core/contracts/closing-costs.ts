import { productOf, rootOf } from "./products";

/*
 * TopstepX charges a commission beside the exchange and NFA fees, and the balance falls by both.
 * $0.25 a side on a micro is measured (a production log: MYM 15 lots, fees 5.55, commissions 3.75);
 * $0.50 a side on other contracts is an estimate. Both only estimate what closing would cost:
 * the account's own fills say what it was actually charged.
 */
const MICRO_COMMISSION = 0.25;
const FULL_COMMISSION = 0.5;

/** Roots whose commission differs from the micro/full default. None is known yet. */
const COMMISSIONS: Readonly<Record<string, number>> = {};

/** Estimated commission per contract per side of a contract id. */
export function commissionPerSide(contractId: string): number {
  return COMMISSIONS[rootOf(contractId)] ?? (productOf(contractId).micro ? MICRO_COMMISSION : FULL_COMMISSION);
}

/** Estimated cost of one contract's fill: exchange and NFA fees plus commission, per side. */
export function typicalCostPerSide(contractId: string): number {
  return productOf(contractId).feePerSide + commissionPerSide(contractId);
}
