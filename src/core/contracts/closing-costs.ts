import { productOf } from "./products";

/*
 * TopstepX charges a commission beside the exchange and NFA fees, and the balance falls by both.
 * $0.25 a side on a micro is measured (a production log: MYM 15 lots, fees 5.55, commissions 3.75);
 * $0.50 a side on other contracts is an estimate. Both only estimate what closing would cost:
 * the account's own fills say what it was actually charged.
 */
const MICRO_COMMISSION = 0.25;
const FULL_COMMISSION = 0.5;

/**
 * Estimated cost of one contract's fill: exchange and NFA fees plus commission, per side. A root
 * whose commission differs from the micro/full default would get its own figure here; none is known yet.
 */
export function typicalCostPerSide(contractId: string): number {
  const product = productOf(contractId);
  return product.feePerSide + (product.micro ? MICRO_COMMISSION : FULL_COMMISSION);
}
