import { isGuardTag } from "../gateway/custom-tag";
import type { GatewayApi } from "../gateway/gateway-api";
import type { Trade } from "../schemas";
import type { GuardAction } from "./guard-stops";

/** How far before the earliest fill its guard may have been placed (Order/search is by creation time). */
const PLACED_WITHIN_MS = 24 * 3_600_000;

/**
 * The guard stops among fills our process never saw happen (made while Node-RED was stopped,
 * killed or disconnected, found by a REST re-sync): one Order/search over the fills' window, the
 * fills matched to their orders by id and kept where the order carries a guard tag. Each becomes
 * the `filled` action the guard would have recorded had it watched the fill.
 */
export async function missedGuardFills(
  api: GatewayApi,
  accountId: number,
  fills: readonly Trade[],
): Promise<GuardAction[]> {
  const live = fills.filter((t) => !t.voided);
  if (live.length === 0) return [];
  const since = Math.min(...live.map((t) => Date.parse(t.creationTimestamp))) - PLACED_WITHIN_MS;
  const guards = new Map(
    (await api.searchOrders(accountId, since)).filter((o) => isGuardTag(o.customTag)).map((o) => [o.id, o]),
  );
  const byOrder = new Map<number, Trade[]>();
  for (const t of live) if (guards.has(t.orderId)) byOrder.set(t.orderId, [...(byOrder.get(t.orderId) ?? []), t]);
  return [...byOrder].map(([orderId, ts]) => {
    const o = guards.get(orderId)!;
    const size = ts.reduce((n, t) => n + t.size, 0);
    const price = ts.reduce((n, t) => n + t.price * t.size, 0) / size;
    return {
      action: "filled",
      contractId: o.contractId,
      orderId,
      customTag: o.customTag ?? undefined,
      size,
      stopPrice: o.stopPrice ?? undefined,
      reason: `the guard stop filled at ${Number(price.toFixed(9))} while Node-RED was not watching`,
    };
  });
}
