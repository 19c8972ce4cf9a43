import { z } from "zod";
import { Decimal, Int32, withEnvelope } from "./common";

/** PositionModel and GatewayUserPosition payloads. `size` is positive; `type` gives the direction. */
export const Position = z.object({
  id: Int32,
  accountId: Int32,
  contractId: z.string(),
  contractDisplayName: z.string().nullish(),
  creationTimestamp: z.string(),
  type: Int32,
  size: Int32,
  averagePrice: Decimal,
});
export type Position = z.infer<typeof Position>;

/** Position/searchOpen answer: open positions only; `positions` may be null or absent (flat). */
export const SearchPositionResponse = withEnvelope({ positions: z.array(Position).nullish() });
export type SearchPositionResponse = z.infer<typeof SearchPositionResponse>;

/** POST /api/Position/closeContract */
export const ClosePositionRequest = z.object({ accountId: Int32, contractId: z.string() });
export type ClosePositionRequest = z.infer<typeof ClosePositionRequest>;

/** POST /api/Position/partialCloseContract */
export const PartialClosePositionRequest = z.object({
  accountId: Int32,
  contractId: z.string(),
  size: Int32,
});
export type PartialClosePositionRequest = z.infer<typeof PartialClosePositionRequest>;
