import type { NodeStatus } from "node-red";
import type { GatewayConnection } from "../../src/core/connection";
import type { ExecutionResult } from "../../src/core/orders/order-executor";
import { describeIntent, type OrderIntent } from "../../src/core/orders/order-intent";
import { OrderStatus } from "../../src/core/schemas/enums";
import type { Order } from "../../src/core/schemas/order";
import { NodeType } from "../shared/node-types";
import { capped } from "../shared/status";
import { textsOf, type Vars } from "../shared/texts";

const T = textsOf(NodeType.Order);

type Placed = NonNullable<ExecutionResult["status"]>;

const BY_DIGITS = new Map<number, Intl.NumberFormat>();

/** A price with as many decimals as its tick has, as the platform shows it: "25,055.50", "6,801.00". */
export function tickPrice(price: number, tickSize: number | undefined): string {
  const digits = tickSize === undefined ? 2 : Math.min(9, (String(tickSize).split(".")[1] ?? "").length);
  let f = BY_DIGITS.get(digits);
  if (!f) {
    f = new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: Math.max(digits, 6) });
    BY_DIGITS.set(digits, f);
  }
  return f.format(price);
}

/** An order's fate as the status shows it, the outcome first: "filled 2 @ 25,055.50", "working 2". */
export function placedStatus(
  status: Placed,
  quantity: number | undefined,
  fillPrice?: number,
  tickSize?: number,
): NodeStatus {
  const vars = { quantity: quantity ?? "" };
  // Without a quantity the placeholder leaves a double space.
  const text = (key: string, v: Vars = vars) => T(key, v).replace(/\s+/g, " ").trim();
  switch (status) {
    case "filled":
      return {
        fill: "green",
        shape: "dot",
        text:
          fillPrice !== undefined
            ? text("status.filled", { ...vars, price: tickPrice(fillPrice, tickSize) })
            : text("status.filledNoPrice"),
      };
    case "rejected":
      return { fill: "red", shape: "dot", text: text("status.rejected") };
    case "cancelled":
      return { fill: "grey", shape: "dot", text: text("status.cancelled") };
    case "working":
      return { fill: "blue", shape: "ring", text: text("status.working") };
    default:
      return { fill: "blue", shape: "ring", text: text("status.pending") };
  }
}

/** While an order is on its way: what was asked, e.g. "buy 2 MNQ1! @ 25000". */
export function sendingStatus(intent: OrderIntent): NodeStatus {
  return capped({ fill: "blue", shape: "dot", text: T("status.sending", { intent: describeIntent(intent) }) });
}

const FINAL: Partial<Record<number, Placed>> = {
  [OrderStatus.Filled]: "filled",
  [OrderStatus.Rejected]: "rejected",
  [OrderStatus.Cancelled]: "cancelled",
  [OrderStatus.Expired]: "cancelled",
};

/**
 * Follows a placed order until the gateway says it filled, was rejected or cancelled, and calls
 * `settled` once with its status; returns the function that stops following. An event that came
 * before the call is found among the connection's recent orders.
 */
export function followOrder(
  conn: GatewayConnection,
  orderId: number,
  settled: (status: NodeStatus) => void,
): () => void {
  let stopped = false;
  const stop = () => {
    stopped = true;
    conn.off("order", onOrder);
  };
  const onOrder = (_book: unknown, o: Order) => {
    if (stopped || o.id !== orderId) return;
    const fate = FINAL[o.status];
    if (!fate) return;
    stop();
    const tick = conn.contracts.cached(o.contractId)?.tickSize;
    settled(placedStatus(fate, o.fillVolume || o.size, o.filledPrice ?? undefined, tick));
  };
  conn.on("order", onOrder);
  void conn
    .waitForOrder(orderId, (o) => FINAL[o.status] !== undefined, 0)
    .then((seen) => {
      if (seen) onOrder(null, seen);
    });
  return stop;
}
