import type { GatewayApi } from "../gateway/gateway-api";
import { signedPosition, signedRemaining } from "../orders/target-position";
import { miniEquivalent } from "../rules/rules-engine";
import { isWorkingStatus } from "../schemas";

/** What a reduction did: working entries cancelled, contracts closed per contract id. */
export interface ReduceReport {
  accountId: number;
  cancelledOrders: number[];
  reduced: Array<{ contractId: string; closed: number }>;
  /** Mini-equivalent contracts held before and after. */
  before: number;
  after: number;
}

/**
 * Brings an account back within `limit` mini-equivalent contracts: first cancels the working
 * orders that would add to a position (entries), then closes the excess, largest positions first,
 * from what the gateway's REST API shows now (the book may be the reason we are here).
 */
export async function reduceToLimit(
  api: GatewayApi,
  accountId: number,
  limit: number,
  microRatio: number,
): Promise<ReduceReport> {
  const [positions, orders] = await Promise.all([api.searchOpenPositions(accountId), api.searchOpenOrders(accountId)]);
  const report: ReduceReport = { accountId, cancelledOrders: [], reduced: [], before: 0, after: 0 };
  const held = new Map(positions.map((p) => [p.contractId, signedPosition(p)]));
  for (const o of orders) {
    if (!isWorkingStatus(o.status) || o.parentOrderId != null) continue;
    const pos = held.get(o.contractId) ?? 0;
    const size = signedRemaining(o);
    if (pos !== 0 && Math.sign(size) === -Math.sign(pos)) continue; // an exit: keep it
    await api.cancelOrder(accountId, o.id);
    report.cancelledOrders.push(o.id);
  }
  const minis = (id: string, size: number) => miniEquivalent(id, size, microRatio);
  for (const [id, size] of held) report.before += minis(id, size);
  let excess = report.before - limit;
  const largestFirst = [...held].sort((a, b) => minis(b[0], b[1]) - minis(a[0], a[1]));
  for (const [contractId, size] of largestFirst) {
    if (excess <= 1e-9) break;
    const perContract = minis(contractId, 1);
    const close = Math.min(Math.abs(size), Math.ceil(excess / perContract - 1e-9));
    if (close === Math.abs(size)) await api.closePosition(accountId, contractId);
    else await api.partialClosePosition(accountId, contractId, close);
    report.reduced.push({ contractId, closed: close });
    excess -= close * perContract;
  }
  report.after = report.before - report.reduced.reduce((a, r) => a + minis(r.contractId, r.closed), 0);
  return report;
}
