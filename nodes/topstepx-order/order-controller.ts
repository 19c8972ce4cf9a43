import type { Node, NodeMessageInFlow } from "node-red";
import { z } from "zod";
import { type Clock, pause, systemClock } from "../../src/core/clock";
import type { ConnectionStatus, GatewayConnection } from "../../src/core/connection";
import { withCustomTag } from "../../src/core/gateway/custom-tag";
import { GatewayClientError } from "../../src/core/gateway/errors";
import { checkEntry, EntryRefusedError } from "../../src/core/orders/entry-gate";
import { EXIT_ACTIONS, type ExecutionResult, type OrderExecutor } from "../../src/core/orders/order-executor";
import { describeIntent, OrderIntent, signedQuantity } from "../../src/core/orders/order-intent";
import { reserveStrategyOrder } from "../../src/core/orders/strategy-order";
import { reserveTargetOrder } from "../../src/core/orders/target-position";
import type { TopstepxConfigNode } from "../shared/config-api";
import { answerError } from "../shared/error-mapping";
import { answerHttp } from "../shared/http-answer";
import { InputError, parseInput, pick } from "../shared/input";
import { journaledOrder } from "../shared/journal-trail";
import { NodeType } from "../shared/node-types";
import { capped, connectionStatus, errorStatus, okStatus } from "../shared/status";
import { commonText, textsOf } from "../shared/texts";
import { dialogFor, type OrderFields, refuseNonsense } from "./order-props";
import { followOrder, placedStatus, sendingStatus } from "./order-status";

const T = textsOf(NodeType.Order);

/**
 * The order node's dialog (version 2, see order-props.ts): every field can be overridden by
 * msg.payload; the typed fields name their source in `<field>Type`.
 */
export interface OrderProps {
  action?: string;
  account?: string;
  symbol?: string;
  side?: string;
  orderType?: string;
  quantity?: string | number;
  limitPrice?: string | number;
  stopPrice?: string | number;
  trailTicks?: string | number;
  stopLossTicks?: string | number;
  takeProfitTicks?: string | number;
  symbolType?: string;
  quantityType?: string;
  limitPriceType?: string;
  stopPriceType?: string;
  trailTicksType?: string;
  stopLossTicksType?: string;
  takeProfitTicksType?: string;
  version?: number;
}

/** A bracket of msg.payload in any of its ways (see OrderIntent): ticks, price, points, dollars or percent. */
const BracketInput = z.object({
  ticks: z.unknown().optional(),
  price: z.unknown().optional(),
  points: z.unknown().optional(),
  dollars: z.unknown().optional(),
  percent: z.unknown().optional(),
});

/** msg.payload as the order node reads it; brackets may be a number of ticks or a BracketInput. */
const Overrides = z
  .object({
    action: z.string().optional(),
    account: z.union([z.number(), z.string()]).optional(),
    symbol: z.string().optional(),
    side: z.string().optional(),
    type: z.string().optional(),
    orderType: z.string().optional(),
    quantity: z.union([z.number(), z.string()]).optional(),
    limitPrice: z.union([z.number(), z.string()]).optional(),
    stopPrice: z.union([z.number(), z.string()]).optional(),
    trailTicks: z.union([z.number(), z.string()]).optional(),
    stopLoss: z.union([z.number(), z.string(), BracketInput]).optional(),
    takeProfit: z.union([z.number(), z.string(), BracketInput]).optional(),
    orderId: z.union([z.number(), z.string()]).optional(),
    customTag: z.string().optional(),
    breakeven: z.unknown().optional(),
    trail: z.unknown().optional(),
    risk: z.union([z.number(), z.string()]).optional(),
    riskPercent: z.union([z.number(), z.string()]).optional(),
    microFallback: z.boolean().optional(),
  })
  .passthrough();

/** A target-position msg (from the alert node, or any flow): the signed position wanted. */
const TargetInput = z
  .object({
    targetPosition: z.union([
      z.number().int(),
      z
        .string()
        .trim()
        .regex(/^[+-]?\d+$/, "a whole number of contracts, signed (-2 = short 2)")
        .transform(Number),
    ]),
  })
  .passthrough();

type Send = (msg: NodeMessageInFlow | Array<NodeMessageInFlow | null>) => void;

/**
 * How long a webhook waits for an exit still retrying before it is answered 202 (TradingView gives
 * up after 3 s); the exit goes on and its outcome is reported later.
 */
export const EXIT_ANSWER_MS = 2_000;

function bracket(v: unknown): unknown {
  if (v === undefined || v === null || v === "") return undefined;
  if (typeof v === "number" || typeof v === "string") return { ticks: v };
  return v;
}

/**
 * The order node's behaviour: merge the dialog with msg.payload into an order intent, validate it,
 * execute it on the shared connection, and answer on output 1 (result) or 2 (error).
 */
export class OrderController {
  private connected: ConnectionStatus | null = null;
  private readonly dialogCache: { dialog?: OrderProps } = {};
  /** Stops following the last placement's fate (the status shows the latest order only). */
  private unfollow: (() => void) | null = null;
  readonly id: string;

  constructor(
    private readonly node: Node,
    private readonly server: TopstepxConfigNode | null,
    private readonly props: OrderProps,
    private readonly fields: OrderFields,
  ) {
    this.id = node.id;
  }

  onConnectionStatus(s: ConnectionStatus): void {
    const was = this.connected?.state;
    this.connected = s;
    // The dialog's nonsense stays shown: the node refuses entries until it is fixed.
    const refused = this.fields.refused[0];
    if (refused) this.node.status(errorStatus(refused.message));
    else if (s.state !== "connected" || was !== "connected") this.node.status(connectionStatus(s));
    // Followed from the start, so managed bracket legs left working by an earlier run are kept.
    if (s.state === "connected" && was !== "connected")
      this.server?.executor?.follow(this.props.account || undefined).catch(() => undefined);
  }

  /** Merges the dialog's values (as read for this msg) and the msg's overrides into a validated intent. */
  intentOf(msg: NodeMessageInFlow, p: OrderProps): OrderIntent {
    const raw = msg.payload;
    const o =
      raw !== null && typeof raw === "object" && !Array.isArray(raw) ? parseInput(Overrides, raw, "msg.payload") : {};
    const action = pick(o.action, p.action) ?? "place";
    // "Cancel all" means every order unless a symbol is asked for explicitly.
    const dialogSymbol = action === "cancelAll" && p.action !== "cancelAll" ? undefined : p.symbol;
    const candidate = {
      action,
      account: pick(o.account, p.account),
      symbol: pick(o.symbol, dialogSymbol),
      side: pick(o.side, p.side),
      type: pick(o.type ?? o.orderType, p.orderType) ?? "market",
      // A risk in the msg sizes the order: the dialog's quantity does not stand in for it.
      quantity: o.risk !== undefined || o.riskPercent !== undefined ? o.quantity : pick(o.quantity, p.quantity),
      limitPrice: pick(o.limitPrice, p.limitPrice),
      stopPrice: pick(o.stopPrice, p.stopPrice),
      trailTicks: pick(o.trailTicks, p.trailTicks),
      stopLoss: bracket(pick(o.stopLoss, p.stopLossTicks)),
      takeProfit: bracket(pick(o.takeProfit, p.takeProfitTicks)),
      orderId: pick(o.orderId, undefined),
      customTag: pick(o.customTag, undefined),
      strategyPosition: o.strategyPosition,
      breakeven: o.breakeven,
      trail: o.trail,
      risk: o.risk,
      riskPercent: o.riskPercent,
      microFallback: o.microFallback,
    };
    return parseInput(OrderIntent, candidate, "msg.payload");
  }

  /**
   * A target-position msg that no rules node sized: the market order that reaches the target,
   * counting working and in-flight orders, reserved before the next msg is looked at; null when
   * the account is there already.
   */
  private async sizeTarget(
    msg: NodeMessageInFlow,
    target: number,
    dialog: OrderProps,
  ): Promise<{ customTag: string } | null> {
    const conn = this.server?.connection;
    const executor = this.server?.executor;
    if (!conn || !executor) throw new Error(this.server?.configError ?? commonText("common.errors.notReady"));
    const p = msg.payload as Record<string, unknown>;
    const symbol = pick(p.symbol as string | undefined, dialog.symbol);
    if (!symbol) throw new InputError("symbol", T("errors.targetSymbol"));
    const { accountId, contractId } = await watched(
      conn,
      executor,
      pick(p.account as string | number | undefined, this.props.account),
      String(symbol),
    );
    const { delta, customTag } = reserveTargetOrder(conn, accountId, contractId, target);
    if (!customTag) return null;
    delete p.targetPosition;
    Object.assign(p, {
      action: "place",
      type: "market",
      symbol,
      account: accountId,
      side: delta > 0 ? "buy" : "sell",
      quantity: Math.abs(delta),
      customTag,
    });
    return { customTag };
  }

  async handle(msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void): Promise<void> {
    let intent: OrderIntent | null = null;
    let reserved: { customTag: string } | null = null;
    this.stopFollowing();
    try {
      if (!this.server) throw new InputError("server", commonText("common.errors.noConfiguration"));
      const { dialog, refused } = await dialogFor(this.props, this.fields, msg, this.dialogCache);
      const raw = msg.payload;
      const target =
        raw !== null && typeof raw === "object" && "targetPosition" in raw
          ? parseInput(TargetInput, raw, "msg.payload").targetPosition
          : undefined;
      if (target !== undefined) {
        reserved = await this.sizeTarget(msg, target, dialog);
        if (!reserved) {
          this.nothingToDo(msg, T("reasons.atTarget", { target }), send);
          done();
          return;
        }
      }
      intent = refuseNonsense(this.intentOf(msg, dialog), refused);
      const executor = this.server.executor;
      if (!executor) throw new Error(this.server.configError ?? commonText("common.errors.notReady"));
      const conn = this.server.connection;
      const hasQuantity = intent.quantity !== undefined;
      if (
        conn &&
        intent.action === "place" &&
        hasQuantity &&
        intent.strategyPosition &&
        !(msg as { decision?: unknown }).decision
      ) {
        // No rules node sized this strategy order: an exit whose position is gone does nothing here too.
        const { accountId, contractId } = await watched(conn, executor, intent.account, intent.symbol!);
        const sized = reserveStrategyOrder(
          conn,
          accountId,
          contractId,
          signedQuantity(intent)!,
          intent.strategyPosition,
        );
        if ("none" in sized) {
          this.nothingToDo(msg, sized.none, send);
          done();
          return;
        }
        reserved = { customTag: sized.customTag };
        intent = { ...intent, quantity: Math.abs(sized.quantity), customTag: sized.customTag };
      }
      // While the account's guard refuses entries (kill switch, a block), no path opens exposure.
      if (this.server.connection)
        await checkEntry(this.server.connection, await executor.accountId(intent.account), intent);
      this.node.status(sendingStatus(intent));
      // A webhook must be answered within TradingView's 3 s: report the placement, not the fill.
      const http = !!(msg as { res?: unknown }).res;
      // The order's idempotency key, minted here once: the journal and every retry carry the same one.
      intent = withCustomTag(intent);
      const running = journaledOrder(executor, msg, intent, (i) =>
        executor.execute(i, http ? { fillWaitMs: 0 } : undefined),
      );
      if (http && EXIT_ACTIONS.has(intent.action)) {
        const inTime = await this.within(running, this.server.connection?.clock ?? systemClock);
        if (!inTime) {
          this.answerLater(msg, intent, running, send, done);
          return;
        }
      }
      this.succeed(msg, intent, await running, send);
      done();
    } catch (e) {
      // A reservation whose placement never started is given back (one that started is the gateway's to release).
      if (reserved) this.server?.connection?.pending.release(reserved.customTag);
      this.fail(msg, intent, e as Error, send, done);
    }
  }

  /** A success with no order: the account is where the msg wants it already. */
  private nothingToDo(msg: NodeMessageInFlow, reason: string, send: Send): void {
    msg.payload = { ok: true, action: "none", reason };
    answerHttp(msg, 200, { ok: true, action: "none", reason });
    this.node.status(okStatus(reason));
    send([msg, null]);
  }

  /** True when the execution settles within EXIT_ANSWER_MS; a failure is thrown. */
  private async within(running: Promise<ExecutionResult>, clock: Clock): Promise<boolean> {
    const settled = running.then(() => true);
    return Promise.race([settled, pause(clock, EXIT_ANSWER_MS).then(() => false)]);
  }

  /**
   * Answers the webhook 202 while an exit keeps retrying, then reports its outcome: a green status
   * and a log line when the gateway confirms it, output 2 and done(err) when it gives up.
   */
  private answerLater(
    msg: NodeMessageInFlow,
    intent: OrderIntent,
    running: Promise<ExecutionResult>,
    send: Send,
    done: (err?: Error) => void,
  ): void {
    const m = msg as NodeMessageInFlow & { statusCode?: number; intent?: unknown };
    m.statusCode = 202;
    m.payload = {
      ok: true,
      action: intent.action,
      status: "retrying",
      reason: T("reasons.retrying"),
    };
    m.intent = intent;
    this.node.status(
      capped({ fill: "yellow", shape: "ring", text: T("status.retrying", { intent: describeIntent(intent) }) }),
    );
    send([msg, null]);
    running.then(
      (result) => {
        this.node.status(okStatus(T("status.confirmedLate", { summary: summary(result) })));
        this.node.log(T("log.confirmedAfter", { intent: describeIntent(intent), attempts: result.attempts ?? 1 }));
        done();
      },
      (e: Error) => {
        // The webhook was answered already: the report goes without msg.res.
        const late = { ...msg, payload: undefined, late: true } as NodeMessageInFlow & { res?: unknown; req?: unknown };
        delete late.res;
        delete late.req;
        this.fail(late, intent, e, send, done);
      },
    );
  }

  private succeed(msg: NodeMessageInFlow, intent: OrderIntent, result: ExecutionResult, send: Send): void {
    const http = !!(msg as { res?: unknown }).res;
    msg.payload = http ? { ok: true, ...result, request: undefined } : result;
    if (http) (msg as { statusCode?: number }).statusCode = 200;
    (msg as { intent?: unknown }).intent = intent;
    if (result.action === "place" && result.status) {
      const conn = this.server?.connection;
      const tick = result.contractId ? conn?.contracts.cached(result.contractId)?.tickSize : undefined;
      this.node.status(placedStatus(result.status, placedSize(result) ?? intent.quantity, result.fillPrice, tick));
      // Answered before its fill (a webhook, a limit): the status follows the order to its end.
      if (conn && result.orderId !== undefined && (result.status === "pending" || result.status === "working"))
        this.unfollow = followOrder(conn, result.orderId, (s) => this.node.status(s));
    } else this.node.status(okStatus(summary(result)));
    send([msg, null]);
  }

  /** The status is the latest msg's from here on: an earlier order's fill no longer overwrites it. */
  private stopFollowing(): void {
    this.unfollow?.();
    this.unfollow = null;
  }

  close(): void {
    this.stopFollowing();
  }

  private fail(
    msg: NodeMessageInFlow,
    intent: OrderIntent | null,
    err: Error,
    send: Send,
    done: (err?: Error) => void,
  ): void {
    const refused = err instanceof EntryRefusedError ? err.decision : undefined;
    if (refused) (msg as { decision?: unknown }).decision = refused;
    const answer = answerError(msg, err, { reason: refused?.reason, intent: intent ?? undefined });
    (msg as { error?: unknown }).error = {
      message: err.message,
      field: answer.field,
      code: answer.code,
      endpoint: err instanceof GatewayClientError ? err.endpoint : undefined,
      intent: intent ?? undefined,
    };
    this.node.status(answer.nodeStatus);
    send([null, msg]);
    done(err);
  }
}

/** The account and contract a msg trades, the account followed: its book is what sizing reads. */
async function watched(
  conn: GatewayConnection,
  executor: OrderExecutor,
  account: string | number | undefined,
  symbol: string,
): Promise<{ accountId: number; contractId: string }> {
  const accountId = await executor.accountId(account);
  const contractId = (await conn.contracts.resolve(symbol)).id;
  await conn.watchAccount(accountId);
  return { accountId, contractId };
}

/** The size the gateway was asked for: a risk-sized order has no quantity in its intent. */
function placedSize(r: ExecutionResult): number | undefined {
  const size = (r.request as { size?: unknown } | undefined)?.size;
  return typeof size === "number" ? size : undefined;
}

function summary(r: ExecutionResult): string {
  switch (r.action) {
    case "none":
      return T("status.nothingToDo", {
        action: r.requested ?? T("reasons.exit"),
        reason: r.reason ?? T("reasons.nothingToDo"),
      });
    case "place":
      return String(placedStatus(r.status ?? "pending", placedSize(r), r.fillPrice).text);
    case "flatten":
      return T("status.flat", { closed: r.closedContracts?.length ?? 0, cancelled: r.cancelledOrders?.length ?? 0 });
    case "cancelAll":
      return T("status.cancelledAll", { count: r.cancelledOrders?.length ?? 0 });
    case "cancel":
      return T("status.cancelledOrder", { orderId: r.orderId ?? "" });
    case "modify":
      return T("status.modified", { orderId: r.orderId ?? "" });
    case "close":
    case "partialClose":
      return T("status.closed", { quantity: placedSize(r) ?? "" }).trim();
    default:
      return T("status.done", { action: r.action });
  }
}
