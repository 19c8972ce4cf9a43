import { z } from "zod";
import { AccountLookup } from "../account/account-lookup";
import type { GatewayConnection } from "../connection";
import { UnknownSymbolError } from "../contracts/contract-resolver";
import { withCustomTag } from "../gateway/custom-tag";
import type { Journal, JournalRow } from "../journal/journal";
import { liveReference } from "../orders/live-reference";
import { IntentError, missingField, OrderIntent, signedQuantity } from "../orders/order-intent";
import { riskOrderOf, sizedFields } from "../orders/risk-order";
import type { AccountGuard } from "./account-guard";
import type { GateIntent, RuleDecision } from "./rules-engine";

/** What the gate judges: an order intent plus the alert's id and time, when it came from an alert. */
export const GateRequest = OrderIntent.extend({
  id: z.string().trim().min(1).max(200).optional(),
  /** A target-position alert: the order is computed by the gate, inside the serialized decision. */
  targetPosition: z.coerce.number().int().optional(),
  alertTime: z.union([z.number(), z.string()]).optional(),
});
export type GateRequest = z.infer<typeof GateRequest>;

/** Where a request came from, journaled with its decision. */
export interface GateContext {
  /** The alert as received (format, id, raw body without its secret). */
  alert?: object;
  /** The id tying the journal's rows of one request together (Node-RED's msg._msgid). */
  msgid?: string;
}

/**
 * How a request ended: `approved` (the order may be sent), `refused` by a rule, `duplicate` (its
 * alert id was decided before), `nothingToDo` (a target already reached, an exit already done).
 */
export type GateOutcome = "approved" | "refused" | "duplicate" | "nothingToDo";

/** The gate's answer on one request. */
export interface GateResult {
  outcome: GateOutcome;
  decision: RuleDecision;
  /** The alert id judged, if any. */
  id?: string;
  /**
   * The fields of the order to send that the gate settled, to be merged into the request: the
   * guarded account, a target's or a strategy order's size, and the customTag of a placement.
   */
  order: Partial<OrderIntent>;
  /** A target position became an order (`order` holds it): the request's `targetPosition` is spent. */
  targetResolved: boolean;
}

/** Rules whose refusal is a success: there is nothing to send, and nothing wrong. */
const NOTHING_TO_DO = new Set(["atTarget", "alreadyFlat"]);

/**
 * Alert ids being decided now, per account, across gates: a second alert with the same id arriving
 * meanwhile is a duplicate, though the first's id is recorded only once its decision is.
 */
const deciding = new Set<string>();

/** The field of the request an error is about, when it is about one. */
function fieldOfError(e: unknown): string | undefined {
  if (e instanceof IntentError) return e.field;
  if (e instanceof UnknownSymbolError) return "symbol";
  return undefined;
}

/**
 * The order gate of one guarded account: the whole judgement of a request, from its alert id to the
 * journaled decision. A duplicate alert id is refused (claimed with no await before the check, so two
 * identical ids arriving together cannot both pass); a request for another account is refused; a
 * target position is sized and a strategy's order sized against the account, inside the guard's
 * serialized decision; the decision and its alert id are journaled in one transaction (a kill -9
 * keeps both or neither); a request that fails on the way is journaled with why, its id unspent.
 */
export class OrderGate {
  constructor(
    readonly guard: AccountGuard,
    private readonly conn: GatewayConnection,
    private readonly journal: Journal,
    private readonly accounts: AccountLookup = new AccountLookup(conn),
  ) {}

  /** The account this gate guards. */
  get accountId(): number {
    return this.guard.accountId;
  }

  /**
   * Judges a request. Resolves with the outcome (refusals included); rejects when the request
   * cannot be judged (a bad field, an unknown symbol, the gateway unreachable), after journaling it.
   */
  async judge(request: GateRequest, context: GateContext = {}): Promise<GateResult> {
    let claim: string | null = null;
    try {
      const accountId = this.accountId;
      const alertTime = parseAlertTime(request.alertTime);
      const places = request.action === "place" || request.targetPosition !== undefined;
      const customTag = places ? withCustomTag({ customTag: request.customTag }).customTag : request.customTag;
      const order: Partial<OrderIntent> = {};
      let targetResolved = false;
      const key = request.id ? `${accountId}\u0000${request.id}` : null;
      // Checked and claimed with no await in between. The id itself is spent only with a decision,
      // so a failure on the way lets a retry in.
      const seen =
        key !== null && request.id !== undefined && (deciding.has(key) || this.journal.decided(request.id, accountId));
      if (key && !seen) {
        claim = key;
        deciding.add(key);
      }
      let decision: RuleDecision;
      if (seen) {
        decision = duplicateOf(request.id);
      } else if (request.targetPosition !== undefined && request.symbol) {
        await this.assertGuarded(request.account);
        const contractId = (await this.conn.contracts.resolve(request.symbol)).id;
        const t = await this.guard.decideTarget(contractId, request.targetPosition, customTag ?? null, alertTime);
        decision = t.decision;
        Object.assign(order, {
          action: "place",
          type: "market",
          side: t.quantity > 0 ? "buy" : "sell",
          quantity: Math.abs(t.quantity),
          account: accountId,
        });
        targetResolved = true;
      } else {
        decision = await this.decideIntent(request, order, customTag, alertTime);
      }
      const rows = (d: RuleDecision): JournalRow[] => [
        ...(context.alert ? [{ kind: "alert" as const, data: { alertId: request.id, ...context.alert } }] : []),
        {
          kind: "decision",
          data: {
            alertId: request.id,
            customTag: places ? customTag : undefined,
            intent: request,
            decision: d,
            msgid: context.msgid,
          },
        },
      ];
      const now = this.conn.clock.now();
      // Committed with whatever else this turn of the event loop decided: one write for a burst of
      // alerts, and nothing leaves the gate before its decision and alert id are in the file.
      if (!(await this.journal.recordDecisionSoon(accountId, claim ? request.id : null, rows(decision), now))) {
        decision = duplicateOf(request.id);
        await this.journal.recordDecisionSoon(accountId, null, rows(decision), now);
      }
      if (customTag && places) order.customTag = customTag;
      return { outcome: outcomeOf(decision), decision, id: request.id, order, targetResolved };
    } catch (e) {
      this.recordFailure(e as Error, { ...context, alertId: request.id, field: fieldOfError(e) });
      throw e;
    } finally {
      if (claim) deciding.delete(claim);
    }
  }

  /**
   * Journals a request that failed before its decision (also one the caller could not parse), with
   * why; its alert id stays unspent. Only alerts and requests with an id are journaled. A journal
   * that cannot write is reported on the guard's `error` event, never thrown.
   */
  recordFailure(err: Error, context: GateContext & { alertId?: string; field?: string }): void {
    const { alert, alertId, field, msgid } = context;
    if (!alert && alertId === undefined) return;
    try {
      this.journal.recordDecision(
        this.accountId,
        null,
        [
          ...(alert ? [{ kind: "alert" as const, data: { alertId, ...alert } }] : []),
          { kind: "error", data: { alertId, error: err.message, field, msgid } },
        ],
        this.conn.clock.now(),
      );
    } catch (e) {
      this.guard.emit("error", new Error(`the journal could not record a failed alert: ${(e as Error).message}`));
    }
  }

  /**
   * An intent judged as it will be sent: complete (an order node must not complete it unjudged), for
   * this account, a strategy's order sized against the account, a modify judged by its new size.
   */
  private async decideIntent(
    request: GateRequest,
    order: Partial<OrderIntent>,
    customTag: string | undefined,
    alertTime: number | undefined,
  ): Promise<RuleDecision> {
    const missing = missingField(request);
    if (missing) throw new IntentError(missing, `required for ${request.action}`);
    await this.assertGuarded(request.account);
    order.account = this.accountId;
    const gate: GateIntent = { action: request.action, alertTime };
    if (request.symbol) gate.contractId = (await this.conn.contracts.resolve(request.symbol)).id;
    gate.quantity = signedQuantity(request);
    if (request.action === "place" && gate.quantity === undefined)
      return this.decideRiskOrder(request, order, customTag, alertTime);
    const strategy = request.strategyPosition;
    if (request.action === "place" && strategy && gate.contractId && gate.quantity) {
      const t = await this.guard.decideStrategyOrder(
        gate.contractId,
        gate.quantity,
        strategy,
        customTag ?? null,
        alertTime,
      );
      if (t.decision.allow) order.quantity = Math.abs(t.quantity);
      return t.decision;
    }
    if (request.action === "modify") {
      // The new total size of the order; the guard looks the order up for its side and contract.
      gate.quantity = request.quantity;
      gate.orderId = request.orderId;
      gate.priceChange = request.limitPrice !== undefined || request.stopPrice !== undefined;
    }
    return this.guard.decide(gate, customTag ?? null);
  }

  /** An order with a risk instead of a quantity, sized by the guard inside its serialized decision. */
  private async decideRiskOrder(
    request: GateRequest,
    order: Partial<OrderIntent>,
    customTag: string | undefined,
    alertTime: number | undefined,
  ): Promise<RuleDecision> {
    const book = this.conn.book(this.accountId);
    const risk = await riskOrderOf(request, {
      resolve: (s) => this.conn.contracts.resolve(s),
      byContractId: (id) => this.conn.contracts.byContractId(id),
      reference: (id) => liveReference(this.conn.market, id),
      chargedPerSide: (id) => book?.costPerSide.get(id),
    });
    const t = await this.guard.decideRiskOrder(risk, customTag ?? null, alertTime);
    if (!("reason" in t.sized)) Object.assign(order, sizedFields(t.sized));
    return t.decision;
  }

  /** Another account than the one guarded here is not judged here. */
  private async assertGuarded(account: string | number | undefined): Promise<void> {
    if (account !== undefined && (await this.accounts.id(account)) !== this.accountId) {
      throw new IntentError("account", `this gate guards account ${this.accountId}, not ${account}`);
    }
  }
}

function duplicateOf(id: string | undefined): RuleDecision {
  return {
    allow: false,
    rule: "duplicateAlert",
    reason: `Alert ${id} was already received: it is not acted on twice.`,
  };
}

function outcomeOf(d: RuleDecision): GateOutcome {
  if (d.allow) return "approved";
  if (d.rule === "duplicateAlert") return "duplicate";
  return NOTHING_TO_DO.has(d.rule) ? "nothingToDo" : "refused";
}

/** An alert's time as epoch ms (a number, or a date text); an IntentError naming `alertTime` otherwise. */
function parseAlertTime(t: number | string | undefined): number | undefined {
  if (t === undefined) return undefined;
  const ms = typeof t === "number" ? t : Date.parse(t);
  if (!Number.isFinite(ms)) throw new IntentError("alertTime", `"${t}" is not a time`);
  return ms;
}
