/** Price arithmetic on a contract's tick grid, free of binary floating-point residue. */

/** Number of decimals needed to print a tick size exactly (0.25 → 2, 0.03125 → 5). */
export function tickDecimals(tickSize: number): number {
  for (let d = 0; d <= 10; d++) {
    if (Math.abs(Math.round(tickSize * 10 ** d) - tickSize * 10 ** d) < 1e-9) return d;
  }
  return 10;
}

/**
 * Rounds a price to the nearest tick, a half tick up (towards +∞), printed with `decimals` so that
 * 0.1 + 0.2 residue never reaches the gateway, which refuses prices off the grid.
 */
export function snapToTick(price: number, tickSize: number, decimals = tickDecimals(tickSize)): number {
  return Number((Math.round(price / tickSize) * tickSize).toFixed(decimals));
}

/** True when the price lies on the tick grid (within float tolerance). */
export function isOnTick(price: number, tickSize: number): boolean {
  const ticks = price / tickSize;
  return Math.abs(ticks - Math.round(ticks)) < 1e-6;
}

/**
 * The price `ticks` ticks away (negative: lower), snapped to the grid first, so an off-grid `price`
 * lands on the tick nearest to where it meant.
 */
export function addTicks(price: number, ticks: number, tickSize: number, decimals = tickDecimals(tickSize)): number {
  return Number((Math.round(price / tickSize + ticks) * tickSize).toFixed(decimals));
}

/** Rounds an amount of money to cents, half a cent up; for reports and comparisons, not for prices. */
export function cents(x: number): number {
  return Math.round(x * 100) / 100;
}
