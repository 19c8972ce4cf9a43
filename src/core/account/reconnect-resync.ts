/** Backoff between failed re-syncs after a connection: 2 s, 4 s … at most 30 s. */
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 30_000;

/** What a {@link ReconnectResync} does its work with. */
export interface ReconnectResyncOptions {
  /** Reads an account again through REST. */
  resync(accountId: number): Promise<unknown>;
  /** A re-sync after a connection failed; `failures` counts them since that connection. */
  failed(accountId: number, error: Error, failures: number): void;
}

/**
 * The one owner of the REST re-sync an account needs each time the user hub (re)connects: events
 * sent while it was down are lost, so every watched account is read again, and read again with
 * backoff until that succeeds or a newer connection makes it moot. Everyone else (the account
 * guards) waits for the outcome rather than reading the account themselves.
 */
export class ReconnectResync {
  /** Counts the user hub's connections; a re-sync stands for the connection it started under. */
  private epoch = 0;
  private readonly current = new Map<number, number>();
  private readonly running = new Map<number, number>();
  private readonly waits = new Map<NodeJS.Timeout, () => void>();
  private closed = false;

  constructor(private readonly o: ReconnectResyncOptions) {}

  /** The user hub is connected again, subscriptions restored: what the accounts' books hold may be stale. */
  connected(): void {
    this.epoch++;
  }

  /** Marks the start of a re-sync of an account; call the returned function when it succeeds. */
  begin(accountId: number): () => void {
    const epoch = this.epoch;
    return () => {
      if ((this.current.get(accountId) ?? -1) < epoch) this.current.set(accountId, epoch);
    };
  }

  /** Whether the account has been read through REST since the user hub's latest connection. */
  isCurrent(accountId: number): boolean {
    return this.current.get(accountId) === this.epoch;
  }

  /** Re-syncs each account for the latest connection, retrying with backoff until it succeeds. */
  run(accountIds: Iterable<number>): void {
    for (const id of accountIds) void this.loop(id, this.epoch);
  }

  private async loop(accountId: number, epoch: number): Promise<void> {
    if (this.running.get(accountId) === epoch) return;
    this.running.set(accountId, epoch);
    const moot = () => this.closed || epoch !== this.epoch || this.isCurrent(accountId);
    try {
      for (let failures = 0; !moot(); ) {
        try {
          await this.o.resync(accountId);
          return;
        } catch (e) {
          if (moot()) return;
          this.o.failed(accountId, e as Error, ++failures);
          await this.wait(Math.min(RETRY_MAX_MS, RETRY_MIN_MS * 2 ** (failures - 1)));
        }
      }
    } finally {
      if (this.running.get(accountId) === epoch) this.running.delete(accountId);
    }
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.waits.delete(t);
        resolve();
      }, ms);
      t.unref();
      this.waits.set(t, resolve);
    });
  }

  /** Re-syncs after connections again (the connection starts). */
  open(): void {
    this.closed = false;
  }

  /** Stops every retry (the connection is closing). */
  close(): void {
    this.closed = true;
    for (const [t, resolve] of this.waits) {
      clearTimeout(t);
      resolve();
    }
    this.waits.clear();
  }
}
