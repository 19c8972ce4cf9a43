import { AccountLookup } from "../account/account-lookup";
import { type FlattenReport, flattenAccount } from "../account/flatten";
import type { Clock } from "../clock";
import type { GatewayConnection } from "../connection";
import { withCustomTag } from "../gateway/custom-tag";
import { GatewayRejectedError } from "../gateway/errors";
import type { GatewayApi, PlacedOrder } from "../gateway/gateway-api";
import { BudgetExhaustedError } from "../gateway/request-budget";
import { snapToTick } from "../money/tick-grid";
import { stopPlansOf } from "../protection/stop-plans";
import {
  type Contract,
  type Order,
  OrderStatus,
  type PlaceOrderRequest,
  type Position,
  PositionType,
} from "../schemas";
import { cancelConfirmed, closeConfirmed, type ExitRetryOptions, partialCloseConfirmed } from "./confirmed-exits";
import { liveReference, NO_REFERENCE } from "./live-reference";
import { refusedForPositionBrackets } from "./managed-brackets";
import {
  IntentError,
  missingField,
  type OrderIntent,
  type Reference,
  signedQuantity,
  toPlaceRequest,
} from "./order-intent";
import { riskOrderOf, sizedFields, sizeFromRisk, UNKNOWN_ROOM } from "./risk-order";
import { signedPosition } from "./target-position";

/** What an executed intent produced, in the shape a flow receives it. */
export interface ExecutionResult {
  /** What was done; "none" when an exit found nothing to do (already flat). */
  action: OrderIntent["action"] | "none";
  /** Why nothing was done, for action "none". */
  reason?: string;
  /** The action asked for, when `action` is "none". */
  requested?: OrderIntent["action"];
  /** Exits: requests it took until the gateway confirmed (more than 1 after transient failures). */
  attempts?: number;
  accountId: number;
  contractId?: string;
  orderId?: number;
  customTag?: string;
  /** For placements: filled, working, pending, rejected (when known within the wait). */
  status?: "filled" | "working" | "pending" | "rejected" | "cancelled";
  fillPrice?: number;
  /**
   * For placements with a stop-loss or take-profit: "native" when the gateway bracketed the order
   * (Auto OCO), "managed" when it refused (Position Brackets) and our core keeps the legs itself.
   */
  bracket?: "native" | "managed";
  /** True when the answer was lost and the order was found again by its customTag. */
  reconciled?: boolean;
  cancelledOrders?: number[];
  closedContracts?: string[];
  flatten?: FlattenReport;
  request?: unknown;
}

/** How an OrderExecutor acts for its connection. */
export interface ExecutorOptions {
  /** Account used when the intent names none. */
  defaultAccount?: number | string | null;
  /** How long a market order waits for its fill event before answering (default 2 s). */
  fillWaitMs?: number;
  /** How exits (close, partial close, cancel, flatten) repeat transient failures. */
  exitRetry?: ExitRetryOptions;
}

/** Actions that only reduce risk: they repeat transient failures until the gateway confirms them. */
export const EXIT_ACTIONS: ReadonlySet<OrderIntent["action"]> = new Set([
  "cancel",
  "cancelAll",
  "close",
  "partialClose",
  "flatten",
]);

const STATUS_NAME: Partial<Record<number, ExecutionResult["status"]>> = {
  [OrderStatus.Filled]: "filled",
  [OrderStatus.Open]: "working",
  [OrderStatus.Suspended]: "working",
  [OrderStatus.Pending]: "pending",
  [OrderStatus.Rejected]: "rejected",
  [OrderStatus.Cancelled]: "cancelled",
  [OrderStatus.Expired]: "cancelled",
};

/** An order's wire status as a placement's result names it; undefined for one that says nothing yet. */
export function placedStatusOf(status: number): ExecutionResult["status"] | undefined {
  return STATUS_NAME[status];
}

/** Whether an order in this status is done with: filled, rejected, cancelled or expired. */
export function isSettledStatus(status: number): boolean {
  const name = STATUS_NAME[status];
  return name === "filled" || name === "rejected" || name === "cancelled";
}

/**
 * Executes order intents against a connection: resolves the account (id or name) and the symbol,
 * builds the gateway request, and places, modifies, cancels, closes or flattens. Exits travel in the
 * request budget's exit lane and repeat transient failures until the gateway confirms them; an exit
 * with nothing to close answers action "none" (already flat).
 */
export class OrderExecutor {
  /** Names and ids of accounts, resolved in one place for every node and the gate. */
  readonly accounts: AccountLookup;

  constructor(
    private readonly conn: GatewayConnection,
    private readonly opts: ExecutorOptions = {},
  ) {
    this.accounts = new AccountLookup(conn, opts.defaultAccount ?? null);
  }

  private get clock(): Clock {
    return this.conn.clock;
  }

  /**
   * True for an order that only reduces the position the account book shows (opposite side, no
   * larger): it may use the exit lane of the request budget.
   */
  private reducesPosition(accountId: number, contractId: string, intent: OrderIntent): boolean {
    const closing = this.closingPart(accountId, contractId, intent);
    return closing > 0 && closing === Math.abs(signedQuantity(intent) ?? 0);
  }

  /** Contracts of the position an order on the other side closes (all of it for a flip); 0 otherwise. */
  private closingPart(accountId: number, contractId: string, intent: OrderIntent): number {
    const pos = this.conn.book(accountId)?.positions.get(contractId);
    const order = signedQuantity(intent);
    if (!pos || order === undefined) return 0;
    const held = signedPosition(pos);
    return Math.sign(order) === -Math.sign(held) ? Math.min(Math.abs(order), Math.abs(held)) : 0;
  }

  /**
   * The position in a contract as the user hub last told (null when flat), or undefined when the
   * account is not followed or the hub is not connected.
   */
  private livePosition(accountId: number, contractId: string): Position | null | undefined {
    const book = this.conn.book(accountId);
    if (!book || this.conn.status().user !== "connected") return undefined;
    return book.positions.get(contractId) ?? null;
  }

  /**
   * Follows an account (blank: the default one), so the stop-loss and take-profit legs an earlier
   * run left working for it are adopted again by its managed brackets.
   */
  async follow(account?: number | string | null): Promise<void> {
    await this.conn.watchAccount(await this.accountId(account));
  }

  /** The numeric account id of an id or name (see AccountLookup). */
  accountId(ref: number | string | undefined | null): Promise<number> {
    return this.accounts.id(ref);
  }

  private reference(contractId: string): Promise<Reference> {
    return liveReference(this.conn.market, contractId);
  }

  /**
   * An order sized from its `risk` here, with no rules node before it: no headroom or contract
   * limit is known, so `riskPercent` is refused and the risk alone decides.
   */
  private async sizedFromRisk(intent: OrderIntent, accountId: number): Promise<OrderIntent> {
    if (intent.risk === undefined)
      throw new IntentError(
        "riskPercent",
        "needs the day's remaining headroom, which only a rules node knows: put a topstepx-rules node before the order node, or give risk in dollars",
      );
    const book = this.conn.book(accountId);
    const order = await riskOrderOf(intent, {
      resolve: (s) => this.conn.contracts.resolve(s),
      byContractId: (id) => this.conn.contracts.byContractId(id),
      reference: (id) => this.reference(id),
      chargedPerSide: (id) => book?.costPerSide.get(id),
    });
    return { ...intent, ...sizedFields(sizeFromRisk({ ...order, riskPercent: undefined }, UNKNOWN_ROOM)) };
  }

  async execute(intent: OrderIntent, override?: Pick<ExecutorOptions, "fillWaitMs">): Promise<ExecutionResult> {
    const missing = missingField(intent);
    if (missing)
      throw new IntentError(
        missing,
        `required for ${intent.action}${intent.action === "place" ? ` (${intent.type})` : ""}`,
      );
    const accountId = await this.accountId(intent.account);
    switch (intent.action) {
      case "place":
        return this.place(intent, accountId, override);
      case "modify":
        return this.modify(intent, accountId);
      case "cancel":
        return this.cancel(intent, accountId);
      case "cancelAll":
        return this.cancelAll(intent, accountId);
      case "close":
      case "partialClose":
        return this.close(intent, accountId);
      case "flatten":
        return this.flatten(accountId);
    }
  }

  private async place(
    intent: OrderIntent,
    accountId: number,
    override?: Pick<ExecutorOptions, "fillWaitMs">,
  ): Promise<ExecutionResult> {
    const api = this.conn.api;
    if (intent.quantity === undefined) intent = await this.sizedFromRisk(intent, accountId);
    const contract = await this.conn.contracts.resolve(intent.symbol!);
    const fromEntry = (b: OrderIntent["stopLoss"]) => b?.price !== undefined || b?.percent !== undefined;
    const needsRef = intent.type === "trailingStop" || fromEntry(intent.stopLoss) || fromEntry(intent.takeProfit);
    const ref = needsRef ? await this.reference(contract.id) : NO_REFERENCE;
    const customTag = withCustomTag(intent).customTag!;
    const request = toPlaceRequest(intent, accountId, contract, ref, customTag);
    // The position this entry opens is managed by its own breakeven and trail (managed legs: `-entry`).
    if (intent.breakeven !== undefined || intent.trail !== undefined)
      stopPlansOf(this.conn).expect(accountId, contract.id, [customTag, `${customTag}-entry`], {
        breakeven: intent.breakeven,
        trail: intent.trail,
      });
    await this.conn.watchAccount(accountId).catch(() => undefined);
    // An order that only reduces the position is an exit: it and its follow-up read use the exit lane.
    const exit = this.reducesPosition(accountId, contract.id, intent);
    const gw = exit ? api.exitLane() : api;
    // An exit at market and a guard stop must never both fill: the guard makes room first, for
    // the part of a flip that closes the position too.
    const closing = intent.type === "market" ? this.closingPart(accountId, contract.id, intent) : 0;
    const { placed, bracket } = await this.withExitRoom(accountId, contract.id, closing, () =>
      this.placeWithBrackets(gw, request, accountId, contract, customTag),
    );
    const wait = intent.type === "market" ? (override?.fillWaitMs ?? this.opts.fillWaitMs ?? 2000) : 0;
    const final = (o: Order) => isSettledStatus(o.status);
    let ev = await this.conn.waitForOrder(placed.orderId, final, wait);
    // No event in time (hub down, or subscribed too late): ask REST how the order stands.
    if (wait > 0 && (!ev || !final(ev))) ev = (await gw.orderById(accountId, placed.orderId).catch(() => null)) ?? ev;
    return {
      action: "place",
      accountId,
      contractId: contract.id,
      orderId: placed.orderId,
      customTag,
      reconciled: placed.reconciled,
      status: ev ? STATUS_NAME[ev.status] : intent.type === "market" ? "pending" : "working",
      fillPrice: ev?.status === OrderStatus.Filled ? (ev.filledPrice ?? undefined) : undefined,
      bracket,
      request,
    };
  }

  /**
   * Sends an exit of `quantity` contracts at market once the account's guard stops and managed legs
   * made room for it (none needed for 0), and tells them whether it left.
   */
  private async withExitRoom<T>(
    accountId: number,
    contractId: string,
    quantity: number,
    send: () => Promise<T>,
  ): Promise<T> {
    const release = quantity > 0 ? await this.conn.beforeExit(accountId, contractId, quantity) : null;
    try {
      const result = await send();
      release?.();
      return result;
    } catch (e) {
      release?.(mayHaveLeft(e));
      throw e;
    }
  }

  /**
   * Places the order; when the gateway refuses its brackets (Position Brackets mode) the entry goes
   * again bare and its legs are kept by the core (managed brackets).
   */
  private async placeWithBrackets(
    gw: GatewayApi,
    request: PlaceOrderRequest,
    accountId: number,
    contract: Contract,
    customTag: string,
  ): Promise<{ placed: PlacedOrder; bracket: ExecutionResult["bracket"] }> {
    const bracketed = !!(request.stopLossBracket || request.takeProfitBracket);
    try {
      return { placed: await gw.placeOrder(request), bracket: bracketed ? "native" : undefined };
    } catch (e) {
      if (!bracketed || !refusedForPositionBrackets(e)) throw e;
      // The refused order was created already rejected, so it can never fill, and it keeps its
      // tag: the entry goes again as a new order under a tag of its own, its legs kept by the core.
      const { stopLossBracket, takeProfitBracket, ...bare } = request;
      const orderTag = `${customTag}-entry`;
      const managed = this.conn.brackets(accountId);
      managed.protectAfterFill({
        orderTag,
        entryTag: customTag,
        contractId: contract.id,
        tickSize: contract.tickSize,
        stopLossTicks: stopLossBracket?.ticks,
        takeProfitTicks: takeProfitBracket?.ticks,
      });
      try {
        return { placed: await gw.placeOrder({ ...bare, customTag: orderTag }), bracket: "managed" };
      } catch (e2) {
        // A lost answer may still have placed it: its legs then go in when it fills.
        if (!mayHaveLeft(e2)) managed.forget(orderTag);
        throw e2;
      }
    }
  }

  private async modify(intent: OrderIntent, accountId: number): Promise<ExecutionResult> {
    const api = this.conn.api;
    const order = await api.orderById(accountId, intent.orderId!);
    if (!order) throw new IntentError("orderId", `no order ${intent.orderId} on account ${accountId}`);
    const contract = await this.conn.contracts.byContractId(order.contractId);
    const snap = (p: number | undefined) => (p === undefined ? undefined : snapToTick(p, contract.tickSize));
    await api.modifyOrder({
      accountId,
      orderId: intent.orderId!,
      size: intent.quantity,
      limitPrice: snap(intent.limitPrice),
      stopPrice: snap(intent.stopPrice),
    });
    return { action: "modify", accountId, orderId: intent.orderId, contractId: order.contractId };
  }

  private async cancel(intent: OrderIntent, accountId: number): Promise<ExecutionResult> {
    const done = await cancelConfirmed(this.conn.api, this.clock, accountId, intent.orderId!, this.opts.exitRetry);
    return {
      action: "cancel",
      accountId,
      orderId: intent.orderId,
      status: "cancelled",
      attempts: done.attempts,
      reconciled: done.reconciled,
    };
  }

  private async cancelAll(intent: OrderIntent, accountId: number): Promise<ExecutionResult> {
    const api = this.conn.api;
    const open = await api.exitLane().queryOrders({
      filter: { accountId, statuses: [OrderStatus.Open, OrderStatus.Pending, OrderStatus.Suspended] },
      pageSize: 1000,
    });
    const contractId = intent.symbol ? (await this.conn.contracts.resolve(intent.symbol)).id : null;
    const mine = open.filter((o) => !contractId || o.contractId === contractId);
    await Promise.all(mine.map((o) => cancelConfirmed(api, this.clock, accountId, o.id, this.opts.exitRetry)));
    return {
      action: "cancelAll",
      accountId,
      cancelledOrders: mine.map((o) => o.id),
      contractId: contractId ?? undefined,
    };
  }

  /** Close and partial close: both find the position first and answer "none" when there is none. */
  private async close(intent: OrderIntent, accountId: number): Promise<ExecutionResult> {
    const api = this.conn.api;
    const contract = await this.conn.contracts.resolve(intent.symbol!);
    const pos = (await api.exitLane().searchOpenPositions(accountId)).find((p) => p.contractId === contract.id);
    // Strategies send exits after a bracket already closed the trade: nothing to do is no error.
    if (!pos)
      return {
        action: "none",
        requested: intent.action,
        reason: "already flat",
        accountId,
        contractId: contract.id,
      };
    // The guard stop makes room first, so the close and the guard cannot both fill.
    const done = await this.withExitRoom(
      accountId,
      contract.id,
      intent.action === "close" ? pos.size : intent.quantity!,
      () =>
        intent.action === "close"
          ? closeConfirmed(api, this.clock, accountId, pos, {
              ...this.opts.exitRetry,
              now: () => this.livePosition(accountId, contract.id),
            })
          : partialCloseConfirmed(
              api,
              this.clock,
              accountId,
              contract.id,
              intent.quantity!,
              pos.size,
              this.opts.exitRetry,
            ),
    );
    return {
      action: intent.action,
      accountId,
      contractId: contract.id,
      closedContracts: [contract.id],
      attempts: done.attempts,
      reconciled: done.reconciled,
      request: {
        side: pos.type === PositionType.Long ? "sell" : "buy",
        size: intent.action === "close" ? pos.size : intent.quantity,
      },
    };
  }

  private async flatten(accountId: number): Promise<ExecutionResult> {
    const report = await flattenAccount(this.conn.api, accountId, this.clock, this.opts.exitRetry);
    if (report.rounds === 1 && report.cancelledOrders.length === 0 && report.closedContracts.length === 0) {
      return {
        action: "none",
        requested: "flatten",
        reason: "already flat",
        accountId,
        cancelledOrders: [],
        closedContracts: [],
        flatten: report,
      };
    }
    return {
      action: "flatten",
      accountId,
      cancelledOrders: report.cancelledOrders,
      closedContracts: report.closedContracts,
      flatten: report,
    };
  }
}

/** False when the gateway (or our own request budget) refused a request: nothing left for the market. */
function mayHaveLeft(e: unknown): boolean {
  return !(e instanceof GatewayRejectedError || e instanceof BudgetExhaustedError);
}
