import type { NodeStatus } from "node-red";
import type { GatewayConnection } from "../../src/core/connection";
import { tickPriceText } from "../../src/core/money/format";
import { type ExecutionResult, isSettledStatus, placedStatusOf } from "../../src/core/orders/order-executor";
import { describeIntent, type OrderIntent } from "../../src/core/orders/order-intent";
import type { Order } from "../../src/core/schemas/order";
import { NodeType } from "../shared/node-types";
import { capped } from "../shared/status";
import { textsOf, type Vars } from "../shared/texts";

const T = textsOf(NodeType.Order);

type Placed = NonNullable<ExecutionResult["status"]>;

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
            ? text("status.filled", { ...vars, price: tickPriceText(fillPrice, tickSize) })
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
    const fate = placedStatusOf(o.status);
    if (!fate || !isSettledStatus(o.status)) return;
    stop();
    const tick = conn.contracts.cached(o.contractId)?.tickSize;
    settled(placedStatus(fate, o.fillVolume || o.size, o.filledPrice ?? undefined, tick));
  };
  conn.on("order", onOrder);
  void conn
    .waitForOrder(orderId, (o) => isSettledStatus(o.status), 0)
    .then((seen) => {
      if (seen) onOrder(null, seen);
    });
  return stop;
}
