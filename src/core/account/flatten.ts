import { type Clock, pause } from "../clock";
import { GatewayHttpError } from "../gateway/errors";
import type { GatewayApi } from "../gateway/gateway-api";
import { type Backoff, backoffDelay, EXIT_BACKOFF, EXIT_DEADLINE_MS, isTransient } from "../gateway/retry-policy";
import { type Order, type Position, WORKING_STATUSES } from "../schemas";

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

/**
 * Thrown by {@link flattenAccount} when the account is still not confirmed flat at its deadline or
 * round limit. `report` says what was cancelled and closed until then: the account may hold some of
 * it still, so the caller must alert a person, not assume either state.
 */
export class FlattenIncompleteError extends Error {
  constructor(
    readonly report: FlattenReport,
    detail: string,
  ) {
    super(`account ${report.accountId} is not flat after ${report.rounds} rounds: ${detail}`);
    this.name = "FlattenIncompleteError";
  }
}

/** Limits and pacing of a {@link flattenAccount}; every field has a default. */
export interface FlattenOptions {
  /** Give up with FlattenIncompleteError when the account is not flat after this long (default 5 min). */
  deadlineMs?: number;
  /** And after this many rounds (default: no limit but the deadline). */
  maxRounds?: number;
  /** The pause between rounds (default {@link EXIT_BACKOFF}: 250 ms doubling up to 4 s). */
  backoff?: Backoff;
  /** The jitter source of the backoff, in [0, 1) (default Math.random); tests fix it. */
  random?: () => number;
  /** Only the orders and positions of the contracts this accepts (default: every one). */
  only?: (contractId: string) => boolean;
}

interface Todo {
  orders: Order[];
  positions: Position[];
}

const isEmpty = (t: Todo) => t.orders.length === 0 && t.positions.length === 0;

/**
 * Cancels every working order and closes every position of an account, then confirms through REST
 * that it is flat, repeating until it is or the deadline passes. Orders go first, so that a resting
 * stop cannot fill after its position was closed and open a new one.
 *
 * Every request travels in the budget's exit lane, which ordinary orders cannot use up. A cancel or
 * close that fails transiently (5xx, 429, timeout) is repeated alone, without reads in between:
 * closing a contract that is already flat is refused harmlessly, and the confirmation decides.
 * Rounds are spaced by a capped exponential backoff, and the repeats may use only the lane's retry
 * share, so an outage costs about 15 requests a minute and the account is flat within one backoff
 * step (4 s at most) of the gateway's recovery.
 */
export async function flattenAccount(
  api: GatewayApi,
  accountId: number,
  clock: Clock,
  opts: FlattenOptions = {},
): Promise<FlattenReport> {
  const first = api.exitLane(false);
  const again = api.exitLane(true);
  const deadline = clock.now() + (opts.deadlineMs ?? EXIT_DEADLINE_MS);
  const maxRounds = opts.maxRounds ?? Number.POSITIVE_INFINITY;
  const report: FlattenReport = {
    accountId,
    cancelledOrders: [],
    closedContracts: [],
    rounds: 0,
    flat: false,
    startedAt: clock.now(),
    confirmedAt: 0,
  };
  let lastError = "";
  let retryAfterMs = 0;
  const note = (e: unknown) => {
    lastError = (e as Error).message;
    if (e instanceof GatewayHttpError) retryAfterMs = Math.max(retryAfterMs, e.retryAfterMs);
  };
  /** What is left to do; null when it must be looked up first. */
  let todo: Todo | null = null;
  for (;;) {
    const gw = report.rounds === 0 ? first : again;
    report.rounds++;
    try {
      todo ??= limitTo(await look(gw, accountId, note), opts.only);
      if (!isEmpty(todo)) {
        todo = await act(gw, accountId, todo, report, note);
        // Everything was accepted: confirm at once.
        if (isEmpty(todo)) todo = limitTo(await look(gw, accountId, note), opts.only);
      }
      if (isEmpty(todo)) {
        report.flat = true;
        report.confirmedAt = clock.now();
        return report;
      }
    } catch (e) {
      note(e);
      todo = null;
    }
    if (clock.now() >= deadline || report.rounds >= maxRounds) {
      const left = todo
        ? `${todo.positions.length} positions and ${todo.orders.length} working orders remained`
        : "its state could not be read";
      throw new FlattenIncompleteError(report, lastError ? `${left}; last error: ${lastError}` : left);
    }
    await pause(clock, backoffDelay(opts.backoff ?? EXIT_BACKOFF, report.rounds - 1, retryAfterMs, opts.random));
    retryAfterMs = 0;
  }
}

function limitTo(todo: Todo, only: FlattenOptions["only"]): Todo {
  if (!only) return todo;
  return {
    orders: todo.orders.filter((o) => only(o.contractId)),
    positions: todo.positions.filter((p) => only(p.contractId)),
  };
}

/** Working orders and open positions, as REST shows them now. */
async function look(api: GatewayApi, accountId: number, note: (e: unknown) => void): Promise<Todo> {
  const [orders, positions] = await Promise.all([
    // A failing order query must not keep the positions from being closed.
    api.queryOrders({ filter: { accountId, statuses: [...WORKING_STATUSES] }, pageSize: 1000 }).catch((e: Error) => {
      note(e);
      return api.searchOpenOrders(accountId);
    }),
    api.searchOpenPositions(accountId),
  ]);
  return { orders, positions };
}

/**
 * Cancels the orders, then closes the positions. Returns what failed transiently, to be repeated;
 * a refusal (already filled, cancelled or closed in between) is left to the confirmation.
 */
async function act(
  api: GatewayApi,
  accountId: number,
  todo: Todo,
  report: FlattenReport,
  note: (e: unknown) => void,
): Promise<Todo> {
  const failed: Todo = { orders: [], positions: [] };
  await Promise.all(
    todo.orders.map(async (o) => {
      try {
        await api.cancelOrder(accountId, o.id);
        if (!report.cancelledOrders.includes(o.id)) report.cancelledOrders.push(o.id);
      } catch (e) {
        note(e);
        if (isTransient(e)) failed.orders.push(o);
      }
    }),
  );
  await Promise.all(
    todo.positions.map(async (p) => {
      try {
        await api.closePosition(accountId, p.contractId);
        if (!report.closedContracts.includes(p.contractId)) report.closedContracts.push(p.contractId);
      } catch (e) {
        note(e);
        if (isTransient(e)) failed.positions.push(p);
      }
    }),
  );
  return failed;
}
