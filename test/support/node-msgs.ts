/**
 * What the tests read of the msgs our nodes send, output by output: the fields a user's flow would
 * use. Written out here rather than imported from src/ or nodes/, so that a wrong type in the code
 * cannot make a test agree with it.
 */

/** Every msg a helper node receives; `P` is the payload's shape. */
export interface Received<P = unknown> {
  _msgid: string;
  topic?: string;
  payload: P;
}

/** msg.error as our nodes set it on their error outputs. */
export interface ErrorInfo {
  message: string;
  field?: string;
  code?: number;
}

export interface Decision {
  allow: boolean;
  rule: string;
  reason: string;
  field?: string;
}

/** An order intent as topstepx-alert and topstepx-rules pass it on. */
export interface IntentPayload {
  id?: string;
  symbol?: string;
  side?: string;
  quantity?: number;
  customTag?: string;
  strategyPosition?: { after?: string; before?: string; afterSize?: number; beforeSize?: number };
}

/** The answer a webhook caller gets (msg.payload beside msg.statusCode, for an `http response`). */
export interface AnswerPayload {
  ok?: boolean;
  action?: string;
  rule?: string;
  reason?: string;
}

/** topstepx-alert's refusal of a malformed alert. */
export interface AlertRefusal {
  field: string;
  error: string;
}

/** topstepx-alert's second output: the refusal and the HTTP status it answers with. */
export interface AlertRefusalMsg extends Received<AlertRefusal> {
  statusCode: number;
}

/** topstepx-rules outputs 1 and 2 (and what reaches an answer node): the msg with its decision. */
export interface DecisionMsg extends Received<IntentPayload & AnswerPayload> {
  decision: Decision;
  statusCode?: number;
  error?: ErrorInfo;
}

export interface Headroom {
  equity: number;
  floor: number;
  contracts: number;
  /** The contract limit in force: the profile's maximum or the scaling tier, whichever is lower. */
  maxContracts: number | null;
  maxLoss: number;
  dailyLoss: number | null;
  dayPnl: number;
}

export interface FloorCheckView {
  source: string;
  note: string;
  fromHistory: number | null;
  shown: number | null;
  history?: { reconciled: boolean; withCommissions: boolean };
}

/** The rule state as the state command shows it; the tests compare some fields by name. */
export interface RuleStateView {
  [field: string]: unknown;
  floor: number;
  eodHigh: number;
  dailyPnl: Record<string, number>;
  tradingDays: string[];
}

/** topstepx-rules output 3: state changes and events. */
export interface StatePayload {
  event?: string;
  at?: number;
  synced?: boolean;
  guardedBy?: string | null;
  headroom?: Headroom | null;
  blocked?: { rule: string; reason: string; until: number | null } | null;
  floorCheck?: FloorCheckView;
  state?: RuleStateView;
}
export type StateMsg = Received<StatePayload>;

/** The answer to the rules node's "state" command (topic "state"), which carries the whole picture. */
export interface StateAnswerMsg extends StateMsg {
  payload: StatePayload & { headroom: Headroom | null; floorCheck: FloorCheckView; state: RuleStateView };
}

export const isStateAnswer = (m: StateMsg): m is StateAnswerMsg => m.topic === "state";

/** The answer to the rules node's "report" command: one row per trading day, and the CSV. */
export interface ReportMsg extends Received<Array<{ tradingDay: string }>> {
  csv: string;
}

/** topstepx-order output 1: what happened to the order. */
export interface OrderResult {
  action?: string;
  status?: string;
  fillPrice?: number | null;
  bracket?: "native" | "managed";
  accountId?: number;
  contractId?: string;
  orderId?: number;
  customTag?: string;
  cancelledOrders?: number[];
  closedContracts?: string[];
  flatten?: { flat: boolean };
}

/** topstepx-order's outputs: the result, or msg.error on output 2; msg.intent is the order sent. */
export interface OrderMsg extends Received<OrderResult> {
  error?: ErrorInfo;
  intent?: IntentPayload;
}

/** An order the rules node approved, as the order node passes it on: the result and the decision. */
export interface PlacedMsg extends OrderMsg {
  decision: Decision;
}

/** topstepx-config's and the order node's error output. */
export interface ErrorMsg extends Received {
  error: ErrorInfo;
}

export interface QuotePayload {
  lastPrice?: number;
  bestBid?: number;
  bestAsk?: number;
}

/** topstepx-market: one msg per event, discriminated by msg.event. */
export type MarketMsg = Received & { symbol: string } & (
    | { event: "quote"; payload: QuotePayload }
    | { event: "trade"; payload: { price: number } }
    | { event: "depth"; payload: Array<{ price: number }> }
    | { event: "bars"; payload: Array<{ t: string }> }
  );

/** The quote a market msg carries, if it is one. */
export const quoteOf = (m: MarketMsg | undefined): QuotePayload | undefined =>
  m?.event === "quote" ? m.payload : undefined;

/** topstepx-account: one msg per account event, by topic. */
export interface AccountMsg
  extends Received<{ price?: number; balance?: number; fees?: number; positions?: unknown[] }> {
  account?: number;
}
