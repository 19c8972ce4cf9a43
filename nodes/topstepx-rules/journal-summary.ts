import { OrderSide } from "../../src/core/schemas";

/** The fields journal rows of every kind may carry, as far as a summary reads them. */
interface JournalData {
  status?: number;
  body?: { orderId?: number; reason?: string; error?: string };
  result?: { orderId?: number; status?: string; action?: string };
  intent?: { action?: string; side?: string; quantity?: number; symbol?: string };
  decision?: { allow: boolean; rule: string };
  error?: string;
  format?: string;
  alertId?: string;
  rule?: string;
  reason?: string;
  price?: number;
  side?: number;
  size?: number;
  profitAndLoss?: number | null;
  flat?: boolean;
  closedContracts?: unknown[];
  cancelledOrders?: unknown[];
  on?: boolean;
  why?: string;
  /** A guard stop row: what was done to it, where, and why. */
  action?: string;
  contractId?: string;
  orderId?: number;
  stopPrice?: number;
  from?: { size: number; stopPrice: number | null };
  /** A day-rule row: a cooldown's start or end, a day's limit reached. */
  event?: string;
}

/** One line of a journal row for a table: the rule and reason, the order, or the fill. */
export function summarize(data: unknown): string {
  const d = (data ?? {}) as JournalData;
  if (d.status !== undefined && d.body)
    return `answered ${d.status}${d.body.orderId !== undefined ? `: order #${d.body.orderId}` : (d.body.reason ?? d.body.error) ? `: ${d.body.reason ?? d.body.error}` : ""}`;
  if (d.result)
    return `order${d.result.orderId !== undefined ? ` #${d.result.orderId}` : ""} ${d.result.status ?? d.result.action ?? "done"}`;
  if (d.intent && !d.decision)
    return `order sent: ${d.intent.action} ${d.intent.side ?? ""} ${d.intent.quantity ?? ""} ${d.intent.symbol ?? ""}`
      .replace(/\s+/g, " ")
      .trim();
  if (d.error !== undefined) return `error: ${d.error}`;
  if (d.action && d.contractId) return guardLine(d);
  if (d.format !== undefined) return `alert ${d.alertId ?? ""} (${d.format})`.replace("  ", " ");
  if (d.decision)
    return `${d.decision.allow ? "approved" : `refused (${d.decision.rule})`}: ${d.intent?.side ?? ""} ${d.intent?.quantity ?? ""} ${d.intent?.symbol ?? d.intent?.action ?? ""}`.trim();
  if (d.rule) return `${d.rule}${d.event ? ` ${d.event}` : ""}: ${d.reason ?? ""}`;
  if (d.price !== undefined)
    return `fill ${d.side === OrderSide.Bid ? "buy" : "sell"} ${d.size} @ ${d.price}${d.profitAndLoss != null ? `, P&L ${d.profitAndLoss}` : ""}`;
  if (d.flat !== undefined)
    return `flatten: ${d.flat ? "flat" : "NOT flat"}, ${d.closedContracts?.length ?? 0} closed, ${d.cancelledOrders?.length ?? 0} cancelled`;
  if (d.on !== undefined) return `kill switch ${d.on ? "on" : "off"}${d.why ? `: ${d.why}` : ""}`;
  return JSON.stringify(d).slice(0, 200);
}

/** "guard placed: sell stop 2 @ 24,552.25 on MNQ (…)", "guard modified: 2 → 1 @ …". */
function guardLine(d: JournalData): string {
  const what = d.from
    ? `${d.from.size !== d.size ? `${d.from.size} → ${d.size}` : `${d.size}`} @ ${d.from.stopPrice !== d.stopPrice ? `${d.from.stopPrice} → ${d.stopPrice}` : d.stopPrice}`
    : d.size !== undefined
      ? `${d.size} @ ${d.stopPrice ?? "?"}`
      : "";
  const order = d.orderId !== undefined ? ` #${d.orderId}` : "";
  return `guard ${d.action}${order}: ${what} ${d.contractId}; ${d.reason ?? ""}`.replace(/\s+/g, " ").trim();
}
