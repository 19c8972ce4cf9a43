import type { Node, NodeMessageInFlow, NodeStatus } from "node-red";
import { z } from "zod";
import type { ConnectionStatus } from "../../src/core/connection";
import { GatewayClientError, GatewayRejectedError } from "../../src/core/gateway/errors";
import { describeIntent, IntentError, OrderIntent } from "../../src/core/orders/order-intent";
import { checkEntry, EntryRefusedError } from "../../src/core/orders/entry-gate";
import { reserveTargetOrder } from "../../src/core/orders/target-position";
import type { TopstepxConfigNode } from "../shared/config-api";
import { InputError, parseInput, pick } from "../shared/input";
import { answerHttp } from "../shared/http-answer";
import { journaledOrder } from "../shared/journal-trail";
import { connectionStatus, errorStatus, okStatus } from "../shared/status";

/** The order node's dialog (version 1): every field can be overridden by msg.payload. */
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
  version?: number;
}

/** msg.payload as the order node reads it; brackets may be a number of ticks or {ticks}/{price}. */
const Overrides = z.object({
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
  stopLoss: z.union([z.number(), z.string(), z.object({ ticks: z.unknown().optional(), price: z.unknown().optional() })]).optional(),
  takeProfit: z.union([z.number(), z.string(), z.object({ ticks: z.unknown().optional(), price: z.unknown().optional() })]).optional(),
  orderId: z.union([z.number(), z.string()]).optional(),
  customTag: z.string().optional(),
}).passthrough();

/** A target-position msg (from the alert node, or any flow): the signed position wanted. */
const TargetInput = z.object({
  targetPosition: z.union([z.number().int(), z.string().trim().regex(/^[+-]?\d+$/, "a whole number of contracts, signed (-2 = short 2)").transform(Number)]),
}).passthrough();

type Send = (msg: NodeMessageInFlow | Array<NodeMessageInFlow | null>) => void;

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
  readonly id: string;

  constructor(private readonly node: Node, private readonly server: TopstepxConfigNode | null, private readonly props: OrderProps) {
    this.id = node.id;
  }

  onConnectionStatus(s: ConnectionStatus): void {
    const was = this.connected?.state;
    this.connected = s;
    if (s.state !== "connected" || was !== "connected") this.node.status(connectionStatus(s));
  }

  /** Merges the dialog's values and the msg's overrides into a validated intent. */
  intentOf(msg: NodeMessageInFlow): OrderIntent {
    const raw = msg.payload;
    const o = raw !== null && typeof raw === "object" && !Array.isArray(raw) ? parseInput(Overrides, raw, "msg.payload") : {};
    const p = this.props;
    const action = pick(o.action, p.action) ?? "place";
    // "Cancel all" means every order unless a symbol is asked for explicitly.
    const dialogSymbol = action === "cancelAll" && p.action !== "cancelAll" ? undefined : p.symbol;
    const candidate = {
      action,
      account: pick(o.account, p.account),
      symbol: pick(o.symbol, dialogSymbol),
      side: pick(o.side, p.side),
      type: pick(o.type ?? o.orderType, p.orderType) ?? "market",
      quantity: pick(o.quantity, p.quantity),
      limitPrice: pick(o.limitPrice, p.limitPrice),
      stopPrice: pick(o.stopPrice, p.stopPrice),
      trailTicks: pick(o.trailTicks, p.trailTicks),
      stopLoss: bracket(pick(o.stopLoss, p.stopLossTicks)),
      takeProfit: bracket(pick(o.takeProfit, p.takeProfitTicks)),
      orderId: pick(o.orderId, undefined),
      customTag: pick(o.customTag, undefined),
    };
    return parseInput(OrderIntent, candidate, "msg.payload");
  }

  /**
   * A target-position msg that no rules node sized: the market order that reaches the target,
   * counting working and in-flight orders, reserved before the next msg is looked at; null when
   * the account is there already.
   */
  private async sizeTarget(msg: NodeMessageInFlow, target: number): Promise<{ customTag: string } | null> {
    const conn = this.server?.connection;
    const executor = this.server?.executor;
    if (!conn || !executor) throw new Error(this.server?.configError ?? "the TopstepX connection is not ready");
    const p = msg.payload as Record<string, unknown>;
    const symbol = pick(p.symbol as string | undefined, this.props.symbol);
    if (!symbol) throw new InputError("symbol", "msg.payload.symbol: required for a target position");
    const accountId = await executor.accountId(pick(p.account as string | number | undefined, this.props.account));
    const contract = await conn.contracts.resolve(String(symbol));
    await conn.watchAccount(accountId);
    const { delta, customTag } = reserveTargetOrder(conn, accountId, contract.id, target);
    if (!customTag) return null;
    delete p.targetPosition;
    Object.assign(p, { action: "place", type: "market", symbol, account: accountId, side: delta > 0 ? "buy" : "sell", quantity: Math.abs(delta), customTag });
    return { customTag };
  }

  async handle(msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void): Promise<void> {
    let intent: OrderIntent | null = null;
    let reserved: { customTag: string } | null = null;
    try {
      if (!this.server) throw new InputError("server", "no TopstepX configuration selected");
      const raw = msg.payload;
      const target = raw !== null && typeof raw === "object" && "targetPosition" in raw ? parseInput(TargetInput, raw, "msg.payload").targetPosition : undefined;
      if (target !== undefined) {
        reserved = await this.sizeTarget(msg, target);
        if (!reserved) {
          const reason = `already at the target position ${target} (counting working orders)`;
          msg.payload = { ok: true, action: "none", reason };
          answerHttp(msg, 200, { ok: true, action: "none", reason });
          this.node.status(okStatus(`at target ${target}`));
          send([msg, null]);
          done();
          return;
        }
      }
      intent = this.intentOf(msg);
      const executor = this.server.executor;
      if (!executor) throw new Error(this.server.configError ?? "the TopstepX connection is not ready");
      // While the account's guard refuses entries (kill switch, a block), no path opens exposure.
      if (this.server.connection) await checkEntry(this.server.connection, await executor.accountId(intent.account), intent);
      this.node.status({ fill: "blue", shape: "dot", text: describeIntent(intent) });
      // A webhook must be answered within TradingView's 3 s: report the placement, not the fill.
      const http = !!(msg as { res?: unknown }).res;
      const result = await journaledOrder(executor, msg, intent, (i) => executor.execute(i, http ? { fillWaitMs: 0 } : undefined));
      msg.payload = http ? { ok: true, ...result, request: undefined } : result;
      (msg as { intent?: unknown }).intent = intent;
      this.node.status(okStatus(summary(result)));
      send([msg, null]);
      done();
    } catch (e) {
      // A reservation whose placement never started is given back (one that started is the gateway's to release).
      if (reserved) this.server?.connection?.pending.release(reserved.customTag);
      const err = e as Error;
      const field = e instanceof InputError || e instanceof IntentError ? e.field : undefined;
      const code = e instanceof GatewayRejectedError ? e.errorCode : undefined;
      (msg as { error?: unknown }).error = {
        message: err.message,
        field,
        code,
        endpoint: e instanceof GatewayClientError ? e.endpoint : undefined,
        intent: intent ?? undefined,
      };
      this.node.status(statusForError(err, field));
      const refused = e instanceof EntryRefusedError ? e.decision : undefined;
      if (refused) (msg as { decision?: unknown }).decision = refused;
      answerHttp(msg, field ? 400 : e instanceof GatewayRejectedError || refused ? 422 : 502, { ok: false, error: err.message, field, code, rule: refused?.rule, reason: refused?.reason, intent: intent ?? undefined });
      send([null, msg]);
      done(err);
    }
  }
}

function summary(r: { action: string; orderId?: number; status?: string; fillPrice?: number; closedContracts?: string[]; cancelledOrders?: number[] }): string {
  switch (r.action) {
    case "place":
      return `#${r.orderId} ${r.status}${r.fillPrice !== undefined ? ` @ ${r.fillPrice}` : ""}`;
    case "flatten":
      return `flat: ${r.closedContracts?.length ?? 0} closed, ${r.cancelledOrders?.length ?? 0} cancelled`;
    case "cancelAll":
      return `cancelled ${r.cancelledOrders?.length ?? 0}`;
    default:
      return `${r.action}${r.orderId ? ` #${r.orderId}` : ""} ok`;
  }
}

function statusForError(err: Error, field?: string): NodeStatus {
  if (field) return errorStatus(`bad ${field}`);
  if (err instanceof EntryRefusedError) return errorStatus(`refused: ${err.decision.rule}`);
  if (err instanceof GatewayRejectedError) return errorStatus(`refused: ${err.errorMessage ?? `code ${err.errorCode}`}`);
  return errorStatus(err.message);
}
