/**
 * The framework-free core: the ProjectX Gateway client (REST, hubs, reconnection, reconciliation),
 * live account state, contract resolution and time. Nothing here imports Node-RED.
 */
export * from "./clock";
export * as schemas from "./schemas";
export * from "./gateway/environments";
export * from "./gateway/errors";
export { RestClient, type RestClientOptions, type Credentials, type CallOptions } from "./gateway/rest-client";
export { GatewayApi, newCustomTag, type PlacedOrder } from "./gateway/gateway-api";
export { RequestBudget, DEFAULT_BUDGETS, BudgetExhaustedError, type BudgetLimits, type Lane } from "./gateway/request-budget";
export { backoffDelay, isTransient, EXIT_BACKOFF, EXIT_DEADLINE_MS, type Backoff } from "./gateway/retry-policy";
export { HubClient, type HubState, type HubStateEvent, type HubClientOptions } from "./realtime/hub-client";
export { MarketFeed, type QuoteState, type FeedIssue, type MarketFeedOptions } from "./realtime/market-feed";
export { UserFeed, type UserFeedListener } from "./realtime/user-feed";
export { AccountBook, positionPnl, signedSize, type ContractSpec, type Marks, type OpenPnl } from "./account/account-book";
export { ContractResolver, UnknownSymbolError } from "./contracts/contract-resolver";
export { GatewayConnection, type ConnectionOptions, type ConnectionStatus, type ConnectionState, type ConnectionEvents } from "./connection";
export { chicagoTime, isGlobexOpen, type ChicagoTime } from "./time/chicago";
export { tradingDayStart, tradingDayOf } from "./time/trading-day";
export { snapToTick, isOnTick, addTicks, tickDecimals, cents } from "./money/tick-grid";
export { OrderIntent, toPlaceRequest, describeIntent, missingField, IntentError, type OrderAction, type OrderTypeName } from "./orders/order-intent";
export { OrderExecutor, type ExecutionResult, type ExecutorOptions } from "./orders/order-executor";
export { flattenAccount, FlattenIncompleteError, type FlattenReport, type FlattenOptions } from "./account/flatten";
export { closeConfirmed, partialCloseConfirmed, cancelConfirmed, ExitNotConfirmedError, type ExitOutcome, type ExitRetryOptions, type PositionRef, type PositionNow } from "./orders/confirmed-exits";
export { productOf, rootOf, type ProductFacts } from "./contracts/products";
export { RulesConfig, PROFILES, rulesFor, type RulesConfigInput } from "./rules/rules-config";
export { initialState, rollTradingDay, computeFloor, type RuleState, type RuleName, type Breach } from "./rules/rule-state";
export { evaluate, decide, exposure, sessionAt, isExit, applyBreach, type LiveAccount, type GateIntent, type RuleDecision, type Evaluation, type Headroom } from "./rules/rules-engine";
export { AccountGuard, type GuardStatus } from "./rules/account-guard";
export { Journal, reportCsv, type JournalEntry, type JournalKind, type DayReport } from "./journal/journal";
