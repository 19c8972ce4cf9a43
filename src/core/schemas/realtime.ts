import { z } from "zod";
import { Decimal, Int32 } from "./common";

/**
 * GatewayQuote payload. Quotes are sparse: after the first, only changed fields may arrive,
 * so an absent field means "unchanged", never zero. `symbol` is the symbolId, not the contractId.
 */
export const Quote = z.object({
  symbol: z.string().optional(),
  symbolName: z.string().optional(),
  lastPrice: Decimal.optional(),
  bestBid: Decimal.optional(),
  bestAsk: Decimal.optional(),
  change: Decimal.optional(),
  changePercent: Decimal.optional(),
  open: Decimal.optional(),
  high: Decimal.optional(),
  low: Decimal.optional(),
  volume: Decimal.optional(),
  lastUpdated: z.string().optional(),
  timestamp: z.string().optional(),
});
export type Quote = z.infer<typeof Quote>;

/** One item of a GatewayTrade payload (usually an array). `type` is the aggressor (TradeLogType). */
export const MarketTrade = z.object({
  symbolId: z.string().optional(),
  price: Decimal,
  timestamp: z.string().optional(),
  type: Int32,
  volume: Decimal,
});
export type MarketTrade = z.infer<typeof MarketTrade>;

/** One item of a GatewayDepth payload (an array that may hold null padding). */
export const DepthEntry = z.object({
  timestamp: z.string().optional(),
  type: Int32,
  price: Decimal,
  volume: Decimal,
  currentVolume: Decimal.optional(),
});
export type DepthEntry = z.infer<typeof DepthEntry>;

/**
 * The SignalR method names the hubs call: user hub (account, order, position, trade) and market hub
 * (quote, market trade, depth). The user-hub events carry `(data)` or `{action, data}`; the market
 * ones `(contractId, data)`.
 */
export const HubEventName = {
  Account: "GatewayUserAccount",
  Order: "GatewayUserOrder",
  Position: "GatewayUserPosition",
  Trade: "GatewayUserTrade",
  Quote: "GatewayQuote",
  MarketTrade: "GatewayTrade",
  Depth: "GatewayDepth",
} as const;
