import type { ReplayTrade } from "../core/replay/replay-trade";
import { ReplayInputError } from "../core/replay/replay-trade";
import { PRODUCTS } from "../sim/products";

/**
 * Trades from a file that states no P&L (a plain CSV of fills) priced from their entry and exit:
 * price difference × contracts × the product's dollars per point, from the contract table the
 * simulator serves (tick value ÷ tick size, the gateway's own figures). Trades that carry a P&L, and
 * trades still open, are left as they are.
 */
export function priceTrades(trades: readonly ReplayTrade[]): ReplayTrade[] {
  return trades.map((t) => {
    if (t.pnl !== undefined || t.exitPrice === undefined) return t;
    const product = PRODUCTS.find((p) => p.symbol === t.symbol.toUpperCase());
    if (!product)
      throw new ReplayInputError(
        lineOf(t.source),
        "symbol",
        `no contract table entry for "${t.symbol}" to price its P&L`,
      );
    const perPoint = product.tickValue / product.tickSize;
    const move = (t.exitPrice - t.entryPrice) * (t.side === "long" ? 1 : -1);
    return { ...t, pnl: Math.round(move * perPoint * t.quantity * 100) / 100 };
  });
}

function lineOf(source: string): number | null {
  const m = /:(\d+)$/.exec(source);
  return m ? Number(m[1]) : null;
}
