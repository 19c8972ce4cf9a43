import { z } from "zod";
import { Decimal, Int32, Int64, Timestamp, withEnvelope } from "./common";

/** A bracket leg of Order/place: signed ticks from the fill price and the leg's OrderType. */
export const BracketLeg = z.object({ ticks: Int32, type: Int32 });
export type BracketLeg = z.infer<typeof BracketLeg>;

/** POST /api/Order/place */
export const PlaceOrderRequest = z.object({
  accountId: Int32,
  contractId: z.string(),
  type: Int32,
  side: Int32,
  size: Int32,
  limitPrice: Decimal.nullish(),
  stopPrice: Decimal.nullish(),
  trailPrice: Decimal.nullish(),
  customTag: z.string().nullish(),
  linkedOrderId: Int64.nullish(),
  stopLossBracket: BracketLeg.nullish(),
  takeProfitBracket: BracketLeg.nullish(),
});
export type PlaceOrderRequest = z.infer<typeof PlaceOrderRequest>;

/** A rejected order can still carry a real orderId: never infer success from it. */
export const PlaceOrderResponse = withEnvelope({ orderId: Int64.nullish() });
export type PlaceOrderResponse = z.infer<typeof PlaceOrderResponse>;

/** POST /api/Order/modify: omitted fields stay as they are. */
export const ModifyOrderRequest = z.object({
  accountId: Int32,
  orderId: Int64,
  size: Int32.nullish(),
  limitPrice: Decimal.nullish(),
  stopPrice: Decimal.nullish(),
  trailPrice: Decimal.nullish(),
});
export type ModifyOrderRequest = z.infer<typeof ModifyOrderRequest>;

/** POST /api/Order/cancel */
export const CancelOrderRequest = z.object({ accountId: Int32, orderId: Int64 });
export type CancelOrderRequest = z.infer<typeof CancelOrderRequest>;

/** POST /api/Order/search */
export const SearchOrderRequest = z.object({
  accountId: Int32,
  startTimestamp: Timestamp,
  endTimestamp: Timestamp.nullish(),
});
export type SearchOrderRequest = z.infer<typeof SearchOrderRequest>;

/** POST /api/Order/searchOpen, /api/Position/searchOpen */
export const AccountIdRequest = z.object({ accountId: Int32 });
export type AccountIdRequest = z.infer<typeof AccountIdRequest>;

/** POST /api/Order/searchById */
export const SearchOrderByIdRequest = z.object({ accountId: Int32, orderId: Int64 });
export type SearchOrderByIdRequest = z.infer<typeof SearchOrderByIdRequest>;

/** POST /api/Order/v2/query */
export const QueryOrdersRequest = z.object({
  filter: z.object({
    accountId: Int32,
    statuses: z.array(Int32).nullish(),
    contractId: z.string().nullish(),
    createdAfter: Timestamp.nullish(),
    createdBefore: Timestamp.nullish(),
  }),
  pageSize: Int32.nullish(),
  pageOffset: Int32.nullish(),
  sortBy: Int32.nullish(),
  sortDirection: Int32.nullish(),
  includeTotalCount: z.boolean().nullish(),
});
export type QueryOrdersRequest = z.infer<typeof QueryOrdersRequest>;

/** OrderModel (REST) and GatewayUserOrder payloads; null fields may be omitted on the hub. */
export const Order = z.object({
  id: Int64,
  accountId: Int32,
  contractId: z.string(),
  symbolId: z.string().nullish(),
  creationTimestamp: z.string(),
  updateTimestamp: z.string().nullish(),
  status: Int32,
  type: Int32,
  side: Int32,
  size: Int32,
  limitPrice: Decimal.nullish(),
  stopPrice: Decimal.nullish(),
  fillVolume: Int32.nullish(),
  filledPrice: Decimal.nullish(),
  customTag: z.string().nullish(),
  trailPrice: Decimal.nullish(),
  trailDistance: Int32.nullish(),
  parentOrderId: Int64.nullish(),
  linkedOrderId: Int64.nullish(),
});
export type Order = z.infer<typeof Order>;

/**
 * Order/search and Order/searchOpen answer. searchOpen leaves out Suspended bracket children: for
 * every working order use Order/v2/query ({@link QueryOrdersResponse}).
 */
export const SearchOrderResponse = withEnvelope({ orders: z.array(Order).nullish() });
export type SearchOrderResponse = z.infer<typeof SearchOrderResponse>;

/** Order/searchById answer; `order` is null or absent when the account has no such order. */
export const SearchOrderByIdResponse = withEnvelope({ order: Order.nullish() });
export type SearchOrderByIdResponse = z.infer<typeof SearchOrderByIdResponse>;

/**
 * Order/v2/query answer: one page of `orders`; `totalCount` only when asked for. The gateway refuses
 * a malformed query with HTTP 400 and a ProblemDetails body instead of this envelope.
 */
export const QueryOrdersResponse = withEnvelope({
  orders: z.array(Order).nullish(),
  totalCount: Int32.nullish(),
});
export type QueryOrdersResponse = z.infer<typeof QueryOrdersResponse>;
