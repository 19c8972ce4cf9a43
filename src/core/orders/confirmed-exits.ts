import { type Clock, pause } from "../clock";
import { GatewayClientError, GatewayHttpError } from "../gateway/errors";
import type { GatewayApi } from "../gateway/gateway-api";
import { type Backoff, backoffDelay, EXIT_BACKOFF, EXIT_DEADLINE_MS, isTransient } from "../gateway/retry-policy";
import { isWorkingStatus, OrderStatus, type Position, parseTimestamp } from "../schemas";

/** How an exit repeats transient failures; every field has the exit lane's default. */
export interface ExitRetryOptions {
  /** Stop repeating after this long and throw ExitNotConfirmedError (default 5 min). */
  deadlineMs?: number;
  /** Delays between repeats (default EXIT_BACKOFF: 250 ms doubling to 4 s). */
  backoff?: Backoff;
  /** Jitter source in [0, 1) (default Math.random); tests pass a fixed one. */
  random?: () => number;
}

/** How an exit was confirmed. */
export interface ExitOutcome {
  /** Requests of the exit itself (closes, partial closes or cancels) sent. */
  attempts: number;
  /** True when a look, not the gateway's answer, showed it done (a lost attempt ran, or a bracket closed it). */
  reconciled: boolean;
}

/** An exit still unconfirmed when its retry deadline passed: the position or order may remain. */
export class ExitNotConfirmedError extends GatewayClientError {
  readonly ambiguous = true;
  constructor(
    endpoint: string,
    what: string,
    readonly attempts: number,
    detail: string,
  ) {
    super(endpoint, `${what} not confirmed after ${attempts} attempts: ${detail}`);
  }
}

/** Paces the repeats of one exit: capped exponential backoff, in the exit lane's retry share. */
class Repeats {
  attempts = 0;
  private last: unknown = null;
  private readonly deadline: number;
  private readonly first: GatewayApi;
  private readonly again: GatewayApi;

  constructor(
    api: GatewayApi,
    private readonly clock: Clock,
    private readonly opts: ExitRetryOptions,
    private readonly endpoint: string,
    private readonly what: string,
  ) {
    this.deadline = clock.now() + (opts.deadlineMs ?? EXIT_DEADLINE_MS);
    this.first = api.exitLane(false);
    this.again = api.exitLane(true);
  }

  /** The API to send the next request with: only the first attempt is not a repeat. */
  get api(): GatewayApi {
    return this.attempts === 0 ? this.first : this.again;
  }

  /**
   * The API for the one look a close takes before each repeat: in the exit lane but outside the
   * repeats' share, so that the looks and the repeats of a long outage (about 15 a minute each)
   * never hold each other up.
   */
  get lookApi(): GatewayApi {
    return this.first;
  }

  note(e: unknown): void {
    this.last = e;
  }

  /** Waits the next backoff step, or gives up once the deadline has passed. */
  async wait(): Promise<void> {
    if (this.clock.now() >= this.deadline) {
      throw new ExitNotConfirmedError(
        this.endpoint,
        this.what,
        this.attempts,
        (this.last as Error | null)?.message ?? "no answer",
      );
    }
    const asked = this.last instanceof GatewayHttpError ? this.last.retryAfterMs : 0;
    await pause(
      this.clock,
      backoffDelay(this.opts.backoff ?? EXIT_BACKOFF, this.attempts - 1, asked, this.opts.random),
    );
  }

  fail(detail: string): ExitNotConfirmedError {
    return new ExitNotConfirmedError(this.endpoint, this.what, this.attempts, detail);
  }
}

/** The position an exit means to close, as a read showed it: a new one in the same contract is not it. */
export type PositionRef = Pick<Position, "contractId" | "id" | "creationTimestamp">;

/**
 * Where a close looks before repeating itself: the position in the contract now (null when flat),
 * or undefined when it cannot tell, for instance because the user hub is down (then REST is read).
 */
export type PositionNow = () => Position | null | undefined;

// The same instant is written differently by REST and the hub (".0000000+00:00", "+00:00"): compare instants.
const samePosition = (a: PositionRef, b: PositionRef) =>
  a.id === b.id &&
  (a.creationTimestamp === b.creationTimestamp ||
    parseTimestamp(a.creationTimestamp) === parseTimestamp(b.creationTimestamp));

/**
 * Closes a position, repeating after transient failures (5xx, 429, timeouts) until the gateway
 * confirms it. Before each repeat it looks at the contract (the live account book when `now` can
 * tell, REST otherwise): gone means a lost attempt closed it; a different position (an entry that
 * came in meanwhile) is not closed; only the same position is closed again. A close of a contract
 * already flat is refused harmlessly, so a repeat racing a lost attempt does no harm either.
 */
export async function closeConfirmed(
  api: GatewayApi,
  clock: Clock,
  accountId: number,
  position: PositionRef,
  opts: ExitRetryOptions & { now?: PositionNow } = {},
): Promise<ExitOutcome> {
  const { contractId } = position;
  const r = new Repeats(api, clock, opts, "Position/closeContract", `close of ${contractId} on account ${accountId}`);
  const look = async (): Promise<Position | null | undefined> => {
    const known = opts.now?.();
    if (known !== undefined) return known;
    const open = await r.lookApi.searchOpenPositions(accountId).catch((e: unknown) => {
      r.note(e);
      return null;
    });
    // A failed read tells nothing: the close is repeated, harmless if the contract is flat.
    return open ? (open.find((p) => p.contractId === contractId) ?? null) : undefined;
  };
  for (;;) {
    const gw = r.api;
    r.attempts++;
    try {
      await gw.closePosition(accountId, contractId);
      return { attempts: r.attempts, reconciled: false };
    } catch (e) {
      if (r.attempts === 1 && !isTransient(e)) {
        // Refused: flat already (a bracket closed it in between), or a real refusal, which is final.
        const size = await positionSize(r.api, accountId, contractId).catch(() => null);
        if (size === 0) return { attempts: r.attempts, reconciled: true };
        throw e;
      }
      r.note(e);
    }
    await r.wait();
    const now = await look();
    if (now === null || (now && !samePosition(now, position))) return { attempts: r.attempts, reconciled: true };
  }
}

/**
 * Closes `size` contracts of a position of `openSize`, repeating after transient failures. A
 * partial close is not idempotent, so after each failure the position is read first: what the lost
 * attempt already closed is not closed again.
 */
export async function partialCloseConfirmed(
  api: GatewayApi,
  clock: Clock,
  accountId: number,
  contractId: string,
  size: number,
  openSize: number,
  opts: ExitRetryOptions = {},
): Promise<ExitOutcome> {
  const target = Math.max(0, openSize - size);
  const r = new Repeats(
    api,
    clock,
    opts,
    "Position/partialCloseContract",
    `partial close of ${size} ${contractId} on account ${accountId}`,
  );
  let qty = size;
  for (;;) {
    const gw = r.api;
    r.attempts++;
    try {
      await gw.partialClosePosition(accountId, contractId, qty);
      return { attempts: r.attempts, reconciled: false };
    } catch (e) {
      if (r.attempts === 1 && !isTransient(e)) throw e;
      r.note(e);
    }
    // The outcome is unknown: read what is left before sending more.
    for (;;) {
      const left = await positionSize(r.api, accountId, contractId).catch((err: unknown) => {
        r.note(err);
        return null;
      });
      if (left !== null && left <= target) return { attempts: r.attempts, reconciled: true };
      if (left !== null) {
        qty = left - target;
        break;
      }
      await r.wait();
    }
    await r.wait();
  }
}

/**
 * Cancels a working order, repeating after transient failures until a read shows it cancelled.
 * An order that filled (or was rejected) in the meantime can no longer be cancelled: an error says so.
 */
export async function cancelConfirmed(
  api: GatewayApi,
  clock: Clock,
  accountId: number,
  orderId: number,
  opts: ExitRetryOptions = {},
): Promise<ExitOutcome> {
  const r = new Repeats(api, clock, opts, "Order/cancel", `cancel of order ${orderId} on account ${accountId}`);
  for (;;) {
    const gw = r.api;
    r.attempts++;
    try {
      await gw.cancelOrder(accountId, orderId);
      return { attempts: r.attempts, reconciled: false };
    } catch (e) {
      if (r.attempts === 1 && !isTransient(e)) throw e;
      r.note(e);
    }
    const order = await r.api.orderById(accountId, orderId).catch((err: unknown) => {
      r.note(err);
      return undefined;
    });
    if (order?.status === OrderStatus.Cancelled) return { attempts: r.attempts, reconciled: true };
    if (order === null) throw r.fail(`order ${orderId} is not found on account ${accountId}`);
    if (order && !isWorkingStatus(order.status))
      throw r.fail(
        `the order ${order.status === OrderStatus.Filled ? "filled" : "ended"} before it could be cancelled`,
      );
    await r.wait();
  }
}

/** The size of the account's open position in a contract (0 when there is none). */
async function positionSize(api: GatewayApi, accountId: number, contractId: string): Promise<number> {
  return (await api.searchOpenPositions(accountId)).find((p) => p.contractId === contractId)?.size ?? 0;
}
