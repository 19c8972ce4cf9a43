import type { Clock } from "../clock";
import type { GatewayApi } from "../gateway/gateway-api";
import { OrderStatus } from "../schemas";

/** The outcome of a flatten: what was done and how many rounds it took to confirm flat. */
export interface FlattenReport {
  accountId: number;
  cancelledOrders: number[];
  closedContracts: string[];
  rounds: number;
  flat: boolean;
  startedAt: number;
  confirmedAt: number;
}

export class FlattenIncompleteError extends Error {
  constructor(readonly report: FlattenReport, detail: string) {
    super(`account ${report.accountId} is not flat after ${report.rounds} rounds: ${detail}`);
    this.name = "FlattenIncompleteError";
  }
}

const WORKING = [OrderStatus.Open, OrderStatus.Pending, OrderStatus.PendingCancellation, OrderStatus.Suspended];

/**
 * Cancels every working order and closes every position of an account, then confirms through REST
 * that it is flat, repeating until it is (or `maxRounds` is spent). Orders go first, so that a
 * resting stop cannot fill after its position was closed and open a new one.
 */
export async function flattenAccount(api: GatewayApi, accountId: number, clock: Clock, opts: { maxRounds?: number; pauseMs?: number } = {}): Promise<FlattenReport> {
  const maxRounds = opts.maxRounds ?? 10;
  const report: FlattenReport = { accountId, cancelledOrders: [], closedContracts: [], rounds: 0, flat: false, startedAt: clock.now(), confirmedAt: 0 };
  let remaining = "";
  let lastError = "";
  while (report.rounds < maxRounds) {
    report.rounds++;
    try {
      if (await flattenRound(api, accountId, report, (m) => (lastError = m))) {
        report.flat = true;
        report.confirmedAt = clock.now();
        return report;
      }
      remaining = "positions or working orders remained";
    } catch (e) {
      remaining = (e as Error).message;
    }
    await new Promise((r) => setTimeout(r, opts.pauseMs ?? 250));
  }
  throw new FlattenIncompleteError(report, lastError ? `${remaining}; last error: ${lastError}` : remaining);
}

/** One round: cancel, close, confirm. True when REST shows no position and no working order. */
async function flattenRound(api: GatewayApi, accountId: number, report: FlattenReport, onError: (m: string) => void): Promise<boolean> {
  let lastError = "";
  try {
    // A failing order query must not keep the positions from being closed.
    const orders = await api.queryOrders({ filter: { accountId, statuses: WORKING }, pageSize: 1000 })
      .catch(async (e: Error) => {
        lastError = e.message;
        return api.searchOpenOrders(accountId).catch(() => []);
      });
    await Promise.all(orders.map(async (o) => {
      try {
        await api.cancelOrder(accountId, o.id);
        report.cancelledOrders.push(o.id);
      } catch (e) {
        // Already filled or cancelled in between, or a failed request: the confirmation decides.
        lastError = (e as Error).message;
      }
    }));
    const positions = await api.searchOpenPositions(accountId);
    await Promise.all(positions.map(async (p) => {
      try {
        await api.closePosition(accountId, p.contractId);
        if (!report.closedContracts.includes(p.contractId)) report.closedContracts.push(p.contractId);
      } catch (e) {
        lastError = (e as Error).message;
      }
    }));
    const [left, open] = await Promise.all([
      api.searchOpenPositions(accountId),
      api.queryOrders({ filter: { accountId, statuses: WORKING }, pageSize: 1000 }),
    ]);
    return left.length === 0 && open.length === 0;
  } finally {
    if (lastError) onError(lastError);
  }
}
