import { z } from "zod";
import { Decimal, Int32, Int64, Timestamp, withEnvelope } from "./common";

/** HalfTradeModel: one row per fill; profitAndLoss is null on the opening half-turn. */
export const Trade = z.object({
  id: Int64,
  accountId: Int32,
  contractId: z.string(),
  creationTimestamp: z.string(),
  price: Decimal,
  profitAndLoss: Decimal.nullish(),
  fees: Decimal,
  commissions: Decimal.nullish(),
  side: Int32,
  size: Int32,
  voided: z.boolean(),
  orderId: Int64,
});
export type Trade = z.infer<typeof Trade>;

/** POST /api/Trade/search */
export const SearchTradeRequest = z.object({
  accountId: Int32,
  startTimestamp: Timestamp.nullish(),
  endTimestamp: Timestamp.nullish(),
});
export type SearchTradeRequest = z.infer<typeof SearchTradeRequest>;

/** Trade/search answer: the account's fills in the window; a row with `voided` true was annulled: skip it. */
export const SearchTradeResponse = withEnvelope({ trades: z.array(Trade).nullish() });
export type SearchTradeResponse = z.infer<typeof SearchTradeResponse>;
