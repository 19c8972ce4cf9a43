/**
 * One closed (or still open) trade as a replay reads it, whatever file it came from: a TradingView
 * Strategy Tester export (either layout), a plain CSV of fills, or our own journal. Times are epoch
 * ms (the file's local times converted with the chart's time zone); prices in the product's quote;
 * `runUp` and `drawdown` are the trade's best and worst open P&L in dollars as the file states them
 * (drawdown ≤ 0), when it does: a replay judges the trailing and daily limits on the worst of them.
 */
export interface ReplayTrade {
  /** The trade's number in the file (TradingView's `Trade #`), or its order there from 1. */
  number: number;
  /** The product's symbol as given by the file or the user (`MNQ`, `ES`…). */
  symbol: string;
  side: "long" | "short";
  /** Contracts, positive. */
  quantity: number;
  entryTime: number;
  entryPrice: number;
  /** Absent for a trade still open at the end of the file. */
  exitTime?: number;
  exitPrice?: number;
  /** The trade's P&L in dollars as the file states it (TradingView's, after its own commission setting). */
  pnl?: number;
  /** Best open P&L in dollars during the trade (≥ 0), when the file gives it. */
  runUp?: number;
  /** Worst open P&L in dollars during the trade (≤ 0), when the file gives it. */
  drawdown?: number;
  /** Where it came from, for error messages and the report: `file.csv:12` (the line of its first row). */
  source: string;
}

/** A file that cannot be read as trades: names the line and the column at fault. */
export class ReplayInputError extends Error {
  constructor(
    readonly line: number | null,
    readonly column: string | null,
    message: string,
  ) {
    super(`${line !== null ? `line ${line}` : "file"}${column ? `, column "${column}"` : ""}: ${message}`);
    this.name = "ReplayInputError";
  }
}
