/**
 * What one contract loses when its stop fills: the ticks to the stop at the contract's tick value,
 * plus fees and commissions on both sides (entry and stop), at `costPerSide` a side.
 */
export function lossPerContract(stopTicks: number, tickValue: number, costPerSide: number): number {
  return stopTicks * tickValue + 2 * costPerSide;
}

/**
 * The most whole contracts whose loss of `perContract` each stays within `dollars` (0 when not
 * even one does). A float quotient like 0.3 / 0.1 = 2.9999999999999996 is rounded to a millionth
 * before flooring, so an exact fit counts.
 */
export function contractsWithin(dollars: number, perContract: number): number {
  if (!(perContract > 0)) return 0;
  return Math.max(0, Math.floor(Math.round((dollars / perContract) * 1e6) / 1e6));
}
