/**
 * Numeric enums of the ProjectX Gateway wire format, as the Swagger document defines them.
 * The gateway speaks integers; these names exist so code never carries magic numbers.
 */

/** Order side: 0 buys at the ask side of the book ("Bid"), 1 sells ("Ask"). */
export const OrderSide = { Bid: 0, Ask: 1 } as const;
export type OrderSide = (typeof OrderSide)[keyof typeof OrderSide];

/** Order type. StopLimit (3) exists in the enum but is not documented for placement. */
export const OrderType = {
  Unknown: 0,
  Limit: 1,
  Market: 2,
  StopLimit: 3,
  Stop: 4,
  TrailingStop: 5,
  JoinBid: 6,
  JoinAsk: 7,
} as const;
export type OrderType = (typeof OrderType)[keyof typeof OrderType];

/** Order status. PendingCancellation and Suspended appear in the 2026 Swagger only. */
export const OrderStatus = {
  None: 0,
  Open: 1,
  Filled: 2,
  Cancelled: 3,
  Expired: 4,
  Rejected: 5,
  Pending: 6,
  PendingCancellation: 7,
  Suspended: 8,
} as const;
export type OrderStatus = (typeof OrderStatus)[keyof typeof OrderStatus];

/** The statuses of an order that can still fill: the ones a book, a flatten and a re-sync follow. */
export const WORKING_STATUSES: readonly OrderStatus[] = [
  OrderStatus.Open,
  OrderStatus.Pending,
  OrderStatus.PendingCancellation,
  OrderStatus.Suspended,
];
const WORKING = new Set<number>(WORKING_STATUSES);

/** Whether an order in this status can still fill. */
export function isWorkingStatus(status: number): boolean {
  return WORKING.has(status);
}

/** Position direction; `size` is always positive on the wire. */
export const PositionType = { Undefined: 0, Long: 1, Short: 2 } as const;
export type PositionType = (typeof PositionType)[keyof typeof PositionType];

/** Aggressor side of a market trade (GatewayTrade). */
export const TradeLogType = { Buy: 0, Sell: 1 } as const;
export type TradeLogType = (typeof TradeLogType)[keyof typeof TradeLogType];

/** Market depth entry type (GatewayDepth). */
export const DomType = {
  Unknown: 0,
  Ask: 1,
  Bid: 2,
  BestAsk: 3,
  BestBid: 4,
  Trade: 5,
  Reset: 6,
  Low: 7,
  High: 8,
  NewBestBid: 9,
  NewBestAsk: 10,
  Fill: 11,
} as const;
export type DomType = (typeof DomType)[keyof typeof DomType];

/** Bar unit of History/retrieveBars. */
export const AggregateBarUnit = {
  Unspecified: 0,
  Second: 1,
  Minute: 2,
  Hour: 3,
  Day: 4,
  Week: 5,
  Month: 6,
  Tick: 7,
} as const;
export type AggregateBarUnit = (typeof AggregateBarUnit)[keyof typeof AggregateBarUnit];

/** The `action` of a user-hub event envelope `{action, data}`: 0 created, 1 updated, 2 deleted. */
export const UserEventAction = { Created: 0, Updated: 1, Deleted: 2 } as const;
export type UserEventAction = (typeof UserEventAction)[keyof typeof UserEventAction];

/**
 * Error codes, per endpoint: the same number means different things on different endpoints, so
 * read `errorCode` only with the endpoint's own table. They arrive with HTTP 200 and success false.
 *
 * Auth/loginKey: 3 InvalidCredentials is a wrong user name or API key; 9 and 10 mean the user has no
 * API subscription or API keys are switched off, which no retry fixes.
 */
export const LoginErrorCode = {
  Success: 0,
  UserNotFound: 1,
  PasswordVerificationFailed: 2,
  InvalidCredentials: 3,
  AppNotFound: 4,
  AppVerificationFailed: 5,
  InvalidDevice: 6,
  AgreementsNotSigned: 7,
  UnknownError: 8,
  ApiSubscriptionNotFound: 9,
  ApiKeyAuthenticationDisabled: 10,
} as const;

/** Auth/validate: every code but 0 means the token cannot be renewed; log in again. */
export const ValidateErrorCode = {
  Success: 0,
  InvalidSession: 1,
  SessionNotFound: 2,
  ExpiredToken: 3,
  UnknownError: 4,
} as const;

/** Contract/searchById: 1 when no contract, expired or not, has the id. */
export const SearchByIdContractErrorCode = { Success: 0, ContractNotFound: 1 } as const;

/** History/retrieveBars: 2–4 name the request field the gateway refused (`unit`, `unitNumber`, `limit`). */
export const RetrieveBarErrorCode = {
  Success: 0,
  ContractNotFound: 1,
  UnitInvalid: 2,
  UnitNumberInvalid: 3,
  LimitInvalid: 4,
} as const;

/**
 * Order/place. 2 OrderRejected covers every validation refusal (a duplicate customTag, a price off
 * the tick grid, wrong bracket signs…): `errorMessage` says which. A refused order may still carry
 * an `orderId`.
 */
export const PlaceOrderErrorCode = {
  Success: 0,
  AccountNotFound: 1,
  OrderRejected: 2,
  InsufficientFunds: 3,
  AccountViolation: 4,
  OutsideTradingHours: 5,
  OrderPending: 6,
  UnknownError: 7,
  ContractNotFound: 8,
  ContractNotActive: 9,
  AccountRejected: 10,
} as const;

/** Order/modify: 3 Rejected carries the same messages as placement's OrderRejected. */
export const ModifyOrderErrorCode = {
  Success: 0,
  AccountNotFound: 1,
  OrderNotFound: 2,
  Rejected: 3,
  Pending: 4,
  UnknownError: 5,
  AccountRejected: 6,
  ContractNotFound: 7,
} as const;

/** Order/cancel: 6 AccountRejected is a live or follower account, where the gateway refuses cancels. */
export const CancelOrderErrorCode = {
  Success: 0,
  AccountNotFound: 1,
  OrderNotFound: 2,
  Rejected: 3,
  Pending: 4,
  UnknownError: 5,
  AccountRejected: 6,
} as const;

/** Order/search, Order/searchOpen, Position/searchOpen and Trade/search share this shape. */
export const SearchByAccountErrorCode = { Success: 0, AccountNotFound: 1 } as const;

/** Order/searchById: 1 when the account has no order with that id. */
export const SearchOrderByIdErrorCode = { Success: 0, OrderNotFound: 1 } as const;

/**
 * Position/closeContract (closes at market). A flat contract is taken to answer 2 PositionNotFound
 * (the simulator does; unverified on the live gateway).
 */
export const ClosePositionErrorCode = {
  Success: 0,
  AccountNotFound: 1,
  PositionNotFound: 2,
  ContractNotFound: 3,
  ContractNotActive: 4,
  OrderRejected: 5,
  OrderPending: 6,
  UnknownError: 7,
  AccountRejected: 8,
} as const;

/**
 * Position/partialCloseContract (closes at market). Numbered differently from closeContract:
 * 5 InvalidCloseSize shifts the rest by one. 6 OrderRejected also comes, with a null message, when
 * the market is closed or halted or has no price yet.
 */
export const PartialClosePositionErrorCode = {
  Success: 0,
  AccountNotFound: 1,
  PositionNotFound: 2,
  ContractNotFound: 3,
  ContractNotActive: 4,
  InvalidCloseSize: 5,
  OrderRejected: 6,
  OrderPending: 7,
  UnknownError: 8,
  AccountRejected: 9,
} as const;
