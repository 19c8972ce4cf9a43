import type { NodeStatus } from "node-red";
import type { GatewayConnection } from "../../src/core/connection";
import type { ExecutionResult } from "../../src/core/orders/order-executor";
import { OrderStatus } from "../../src/core/schemas/enums";
import type { Order } from "../../src/core/schemas/order";

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
  const qty = quantity === undefined ? "" : ` ${quantity}`;
  switch (status) {
    case "filled":
      return {
        fill: "green",
        shape: "dot",
        text: `filled${qty}${fillPrice !== undefined ? ` @ ${tickPrice(fillPrice, tickSize)}` : ""}`,
      };
    case "rejected":
      return { fill: "red", shape: "dot", text: `rejected${qty}` };
    case "cancelled":
      return { fill: "grey", shape: "dot", text: `cancelled${qty}` };
    default:
      return { fill: "blue", shape: "ring", text: `${status}${qty}` };
  }
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
