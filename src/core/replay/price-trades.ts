import { ReplayInputError, type ReplayTrade } from "./replay-trade";

/** What pricing a product's trades needs: its tick size and the dollars a tick is worth. */
export interface TickSpec {
  tickSize: number;
  tickValue: number;
}

/**
 * Trades from a file that states no P&L (a plain CSV of fills) priced from their entry and exit:
 * price difference × contracts × the product's dollars per point (tick value ÷ tick size), the spec
 * coming from the caller (the gateway's contract in Node-RED, the simulator's contract table on the
 * command line). Trades that carry a P&L, and trades still open, are left as they are; a product
 * with no spec is refused naming the trade's line.
 */
export function priceTrades(
  trades: readonly ReplayTrade[],
  specOf: (symbol: string) => TickSpec | undefined,
): ReplayTrade[] {
  return trades.map((t) => {
    if (t.pnl !== undefined || t.exitPrice === undefined) return t;
    const spec = specOf(t.symbol.toUpperCase());
    if (!spec)
      throw new ReplayInputError(
        lineOf(t.source),
        "symbol",
        `no tick size and value for "${t.symbol}" to price its P&L`,
      );
    const move = (t.exitPrice - t.entryPrice) * (t.side === "long" ? 1 : -1);
    return { ...t, pnl: Math.round((move / spec.tickSize) * spec.tickValue * t.quantity * 100) / 100 };
  });
}

function lineOf(source: string): number | null {
  const m = /:(\d+)$/.exec(source);
  return m ? Number(m[1]) : null;
}
