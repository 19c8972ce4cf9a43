/**
 * The framework-free core: the ProjectX Gateway client (REST, hubs, reconnection, reconciliation),
 * live account state, contract resolution and time. Nothing here imports Node-RED.
 */

export {
  AccountBook,
  type ContractSpec,
  type Marks,
  type OpenPnl,
  positionPnl,
} from "./account/account-book";
export { AccountLookup } from "./account/account-lookup";
export { FlattenIncompleteError, type FlattenOptions, type FlattenReport, flattenAccount } from "./account/flatten";
export * from "./clock";
export {
  type ConnectionEvents,
  type ConnectionOptions,
  type ConnectionState,
  type ConnectionStatus,
  GatewayConnection,
} from "./connection";
export { ContractResolver, UnknownSymbolError } from "./contracts/contract-resolver";
export { type ProductFacts, productOf, rootOf } from "./contracts/products";
export { newCustomTag, withCustomTag } from "./gateway/custom-tag";
export * from "./gateway/environments";
export * from "./gateway/errors";
export { GatewayApi, type PlacedOrder } from "./gateway/gateway-api";
export {
  BudgetExhaustedError,
  type BudgetLimits,
  DEFAULT_BUDGETS,
  type Lane,
  RequestBudget,
} from "./gateway/request-budget";
export { type CallOptions, type Credentials, RestClient, type RestClientOptions } from "./gateway/rest-client";
export { type Backoff, backoffDelay, EXIT_BACKOFF, EXIT_DEADLINE_MS, isTransient } from "./gateway/retry-policy";
export { type DayReport, Journal, type JournalEntry, type JournalKind, reportCsv } from "./journal/journal";
export { type Logger, silentLogger } from "./logger";
export { addTicks, cents, isOnTick, snapToTick, tickDecimals } from "./money/tick-grid";
export {
  cancelConfirmed,
  closeConfirmed,
  ExitNotConfirmedError,
  type ExitOutcome,
  type ExitRetryOptions,
  type PositionNow,
  type PositionRef,
  partialCloseConfirmed,
} from "./orders/confirmed-exits";
export { type ExecutionResult, type ExecutorOptions, OrderExecutor } from "./orders/order-executor";
export {
  describeIntent,
  IntentError,
  missingField,
  type OrderAction,
  OrderIntent,
  type OrderTypeName,
  toPlaceRequest,
} from "./orders/order-intent";
export { HubClient, type HubClientOptions, type HubState, type HubStateEvent } from "./realtime/hub-client";
export { type FeedIssue, MarketFeed, type MarketFeedOptions, type QuoteState } from "./realtime/market-feed";
export { UserFeed, type UserFeedListener } from "./realtime/user-feed";
export { AccountGuard, type GuardStatus } from "./rules/account-guard";
export type { DayRulesView } from "./rules/day-rules";
export {
  type GateContext,
  type GateOutcome,
  GateRequest,
  type GateResult,
  OrderGate,
} from "./rules/order-gate";
export {
  type Breach,
  computeFloor,
  initialState,
  type RuleName,
  type RuleState,
  rollTradingDay,
} from "./rules/rule-state";
export { PROFILES, RulesConfig, type RulesConfigInput, rulesFor } from "./rules/rules-config";
export {
  applyBreach,
  decide,
  type Evaluation,
  evaluate,
  exposure,
  type GateIntent,
  type Headroom,
  isExit,
  type LiveAccount,
  type RuleDecision,
  sessionAt,
} from "./rules/rules-engine";
export * as schemas from "./schemas";
export { type ChicagoTime, chicagoTime, isGlobexOpen } from "./time/chicago";
export { tradingDayOf, tradingDayStart } from "./time/trading-day";
