import { pause } from "../clock";
import type { GatewayConnection } from "../connection";
import { withCustomTag } from "../gateway/custom-tag";
import { accountJournal } from "../journal/account-journals";
import { journaledRun, writeTrail } from "../journal/order-trail";
import type { ExecutionResult, OrderExecutor } from "../orders/order-executor";
import type { OrderIntent } from "../orders/order-intent";
import { reserveStrategyOrder } from "../orders/strategy-order";
import { reserveTargetOrder, signedPosition } from "../orders/target-position";
import type { GateContext, GateRequest, GateResult, OrderGate } from "../rules/order-gate";
import { gateOf } from "./gate-registry";
import { memberRequest } from "./member-intent";
import type { SizeRule } from "./size-rule";

/** One account of a group: which account (id or name), how it sizes an alert, and what to call it. */
export interface GroupMember {
  account: string;
  size: SizeRule;
  label?: string;
}

/**
 * How one account's share of an alert ended: `placed` (sent, and the gateway took it; for an exit,
 * done), `refused` (a rule, its size rule, or no rules node), `duplicate` (its alert id was decided
 * for this account before), `nothingToDo` (a target reached, an exit with nothing to close), `late`
 * (the request budget would have held its order longer than the alert allows: not sent), `failed`
 * (the account unknown, the gateway failing: see `error`).
 */
export type MemberOutcome = "placed" | "refused" | "duplicate" | "nothingToDo" | "late" | "failed";

/** One account's outcome for one alert. */
export interface MemberResult {
  member: GroupMember;
  accountId: number | null;
  name: string | null;
  outcome: MemberOutcome;
  /** Contracts sent (or that would have been). */
  quantity?: number;
  /** What was sent for this account: a placement, or an exit's action. */
  action?: string;
  orderId?: number;
  customTag?: string;
  /**
   * The order's status for a placement: filled, working, pending…; `retrying` for an exit a webhook
   * could not wait for (the gateway failing transiently: it goes on until confirmed).
   */
  orderStatus?: ExecutionResult["status"] | "retrying";
  rule?: string;
  reason?: string;
  /** Why it failed, for the caller's error mapping. */
  error?: Error;
}

/** What a fan-out needs: the connection, its executor, the group's name and members, and the alert. */
export interface FanOutInput {
  conn: GatewayConnection;
  executor: OrderExecutor;
  /** The group's name: orders are journaled with source `group:<name>`. */
  group: string;
  members: readonly GroupMember[];
  /** The alert as one request (its `account` is ignored: each member trades its own). */
  request: GateRequest;
  context?: GateContext;
  /**
   * The alert is answered over HTTP: placements are reported without waiting for their fill, and
   * an exit still repeating after {@link ANSWER_WITHIN_MS} is reported `retrying`.
   */
  webhook?: boolean;
  /** Told the final result of an exit reported `retrying`, once the gateway confirmed it or it gave up. */
  onLateResult?: (result: MemberResult) => void;
}

/**
 * How long at most an order may wait for the request budget (the gateway client holds an order no
 * longer, see GatewayApi.placeOrder), and a webhook's answer for an exit still repeating: TradingView
 * gives up after 3 s.
 */
export const ANSWER_WITHIN_MS = 2_000;

interface Judged {
  result: MemberResult;
  /** The intent to send, once approved; with `exit` when it only reduces risk. */
  send?: { intent: OrderIntent; exit: boolean; allowanceMs: number };
}

/**
 * One alert, every account of a group: each member's share sized by its size rule, judged by that
 * account's own rules gate (duplicates are per account and alert id; the gate journals its
 * decision), then the approved orders sent together, journaled in each account's trail with source
 * `group:<name>`. An account no rules node guards is refused entries (rule `noRules`) and passes
 * exits. Before anything is sent, the orders are laid out in the request budget the accounts of
 * one login share, members in list order: one that would wait longer than its alert allows (the
 * rest of its rules' `maxAlertAgeSeconds`, at most {@link ANSWER_WITHIN_MS}) is `late` and not sent,
 * its reservation given back. A member failing never stops the others; the results come in the
 * members' order.
 */
export async function fanOut(input: FanOutInput): Promise<MemberResult[]> {
  const judged = await Promise.all(input.members.map((m) => judgeMember(input, m)));
  planBudget(input, judged);
  return Promise.all(judged.map((j) => sendMember(input, j)));
}

function failed(result: MemberResult, e: unknown): MemberResult {
  const error = e instanceof Error ? e : new Error(String(e));
  return { ...result, outcome: "failed", reason: error.message, error };
}

async function judgeMember(input: FanOutInput, member: GroupMember): Promise<Judged> {
  const { conn, executor, request } = input;
  const result: MemberResult = { member, accountId: null, name: null, outcome: "failed" };
  try {
    const accountId = await executor.accountId(member.account);
    result.accountId = accountId;
    await conn.watchAccount(accountId).catch(() => undefined);
    result.name = conn.book(accountId)?.name || null;
    const contract = request.symbol ? await conn.contracts.resolve(request.symbol) : null;
    const mine = memberRequest(request, member.size, accountId, {
      contract: contract ?? { id: "", tickValue: 0 },
      costPerSide: contract ? conn.book(accountId)?.costPerSide.get(contract.id) : undefined,
      held: heldIn(conn, accountId, contract?.id),
    });
    if ("refused" in mine) return { result: { ...result, outcome: "refused", rule: "sizeRule", reason: mine.refused } };
    const gate = gateOf(conn, accountId);
    if (!gate) return ungated(input, result, mine.request, mine.exit);
    const judged = await gate.judge(mine.request, input.context);
    return fromGate(result, judged, mine.request, mine.exit, allowance(gate, request, conn.clock.now()));
  } catch (e) {
    return { result: failed(result, e) };
  }
}

/** The account's signed position in a contract as its book shows it; undefined when not known. */
function heldIn(conn: GatewayConnection, accountId: number, contractId: string | undefined): number | undefined {
  const book = contractId ? conn.book(accountId) : undefined;
  if (!book || !contractId) return undefined;
  const p = book.positions.get(contractId);
  return p ? signedPosition(p) : 0;
}

/** What an account's gate said, as the member's result and the intent to send. */
function fromGate(
  result: MemberResult,
  judged: GateResult,
  request: GateRequest,
  exit: boolean,
  allowanceMs: number,
): Judged {
  const d = judged.decision;
  const r: MemberResult = { ...result, rule: d.rule, reason: d.reason };
  if (judged.outcome !== "approved") return { result: { ...r, outcome: judged.outcome, quantity: request.quantity } };
  const { id: _id, alertTime: _t, targetPosition: _p, ...rest } = request;
  const intent = { ...rest, ...judged.order } as OrderIntent;
  // The gate's "exit" is the account's position read inside its decision: it may use the exit lane.
  return { result: r, send: { intent, exit: exit || d.rule === "exit", allowanceMs } };
}

/** An account no rules node guards: its state is unknown, so entries are refused; exits go. */
async function ungated(input: FanOutInput, result: MemberResult, request: GateRequest, exit: boolean): Promise<Judged> {
  if (!exit)
    return {
      result: {
        ...result,
        outcome: "refused",
        rule: "noRules",
        reason: `No rules node guards account ${result.accountId} (none on this connection, or it has not started yet): entries are refused, its limits unknown; exits, closes and flattens still go.`,
        quantity: request.quantity,
      },
    };
  const { id: _id, alertTime: _t, targetPosition, ...rest } = request;
  let intent = rest as OrderIntent;
  const sp = intent.strategyPosition;
  if (intent.action === "place" && sp && intent.symbol && intent.quantity) {
    // A strategy's partial exit: sized against what the account holds, as the order node does without rules.
    const contractId = (await input.conn.contracts.resolve(intent.symbol)).id;
    const signed = intent.side === "sell" ? -intent.quantity : intent.quantity;
    const sized = reserveStrategyOrder(input.conn, result.accountId!, contractId, signed, sp);
    if ("none" in sized) return { result: { ...result, outcome: "nothingToDo", reason: sized.none } };
    intent = { ...intent, quantity: Math.abs(sized.quantity), customTag: sized.customTag };
  }
  if (targetPosition !== undefined && request.symbol) {
    // A target of 0 is the only one that comes here: the order that reaches flat, reserved at once.
    const contractId = (await input.conn.contracts.resolve(request.symbol)).id;
    const { delta, customTag } = reserveTargetOrder(input.conn, result.accountId!, contractId, targetPosition);
    if (!customTag)
      return { result: { ...result, outcome: "nothingToDo", reason: "already flat (counting working orders)" } };
    intent = {
      ...intent,
      action: "place",
      type: "market",
      side: delta > 0 ? "buy" : "sell",
      quantity: Math.abs(delta),
      customTag,
    };
  }
  return { result, send: { intent, exit: true, allowanceMs: ANSWER_WITHIN_MS } };
}

/** How long this account's order may wait for the budget: the rest of its alert's allowed age, at most ANSWER_WITHIN_MS. */
function allowance(gate: OrderGate, request: GateRequest, now: number): number {
  const maxAge = gate.guard.config.maxAlertAgeSeconds;
  const t = request.alertTime === undefined ? Number.NaN : new Date(request.alertTime).getTime();
  if (maxAge === undefined || !Number.isFinite(t)) return ANSWER_WITHIN_MS;
  return Math.max(0, Math.min(ANSWER_WITHIN_MS, t + maxAge * 1000 - now));
}

/**
 * Lays the approved entries out in the request budget, in the members' order: the k-th waits until
 * k more requests fit. One that would wait longer than its allowance is `late`, its reservation
 * given back and the outcome journaled in its account's trail. Exits are not held back: they
 * travel in the budget's exit lane, which entries cannot use up.
 */
function planBudget(input: FanOutInput, judged: Judged[]): void {
  let queued = 0;
  for (const j of judged) {
    const s = j.send;
    if (!s || s.exit) continue;
    queued++;
    const waitMs = input.conn.rest.budgetWait(queued, "normal");
    if (waitMs <= s.allowanceMs) continue;
    queued--;
    const wait = Number.isFinite(waitMs) ? `${(waitMs / 1000).toFixed(1)} s` : "longer than the whole window";
    const reason = `The request budget this login shares would hold this order ${wait}, longer than the ${(s.allowanceMs / 1000).toFixed(1)} s the alert allows: not sent (an order late by a minute is worse than none).`;
    if (s.intent.customTag) input.conn.pending.release(s.intent.customTag);
    j.result = { ...j.result, outcome: "late", rule: "requestBudget", reason, quantity: s.intent.quantity };
    const journal = j.result.accountId === null ? null : accountJournal(j.result.accountId);
    if (journal)
      writeTrail({ ...journal, accountId: j.result.accountId! }, "error", {
        ...link(input, s.intent),
        error: reason,
        rule: "requestBudget",
      });
    j.send = undefined;
  }
}

function link(input: FanOutInput, intent: OrderIntent) {
  return {
    alertId: input.request.id,
    customTag: intent.customTag,
    msgid: input.context?.msgid,
    source: `group:${input.group}`,
  };
}

async function sendMember(input: FanOutInput, j: Judged): Promise<MemberResult> {
  const s = j.send;
  if (!s) return j.result;
  // The order's idempotency key, minted once: the journal and every retry carry the same one.
  const intent = s.intent.action === "place" ? withCustomTag(s.intent) : s.intent;
  const r: MemberResult = {
    ...j.result,
    action: intent.action,
    quantity: intent.quantity,
    customTag: intent.customTag,
  };
  const running = journaledRun(r.accountId, link(input, intent), intent, (i) =>
    input.executor.execute(i, input.webhook ? { fillWaitMs: 0 } : undefined),
  ).then(
    (done): MemberResult =>
      done.action === "none"
        ? { ...r, outcome: "nothingToDo", reason: done.reason ?? "nothing to do" }
        : {
            ...r,
            outcome: "placed",
            action: done.action,
            orderId: done.orderId,
            customTag: done.customTag ?? r.customTag,
            orderStatus: done.status,
          },
    (e: unknown) => {
      // A reservation whose placement never started is given back (one that started is the gateway's to release).
      if (intent.customTag) input.conn.pending.release(intent.customTag);
      return failed(r, e);
    },
  );
  if (!input.webhook || !s.exit) return running;
  const inTime = await Promise.race([running, pause(input.conn.clock, ANSWER_WITHIN_MS).then(() => null)]);
  if (inTime) return inTime;
  void running.then((late) => input.onLateResult?.(late));
  return {
    ...r,
    outcome: "placed",
    orderStatus: "retrying",
    reason: "the gateway failed transiently; the exit is repeated until it is confirmed",
  };
}
