/**
 * Passes over an account's state run one at a time, a burst of events coalesced into one: a pass is
 * asked for (`schedule`) whenever something changes; it starts on the next turn of the event loop
 * (so a batch of order, position and account events all land first), and runs again while more
 * changes came in during it. A failed pass is tried again a second later; `later` asks for one at a
 * given delay (a throttle's end). The guard stops and the stop manager each run their passes here.
 */
export class SerialPasses {
  private running: Promise<void> | null = null;
  private dirty = false;
  private stopped = false;
  private timer: NodeJS.Timeout | null = null;

  /** `onError` hears a pass that threw (it is tried again a second later). */
  constructor(
    private readonly pass: () => Promise<void>,
    private readonly onError: (e: Error) => void = () => undefined,
  ) {}

  /** True while a pass runs or is due. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Asks for a pass soon (once for a burst of asks), and again if one is asked for meanwhile. */
  schedule(): void {
    if (this.stopped) return;
    this.dirty = true;
    this.running ??= this.loop().finally(() => {
      this.running = null;
    });
  }

  /** Asks for a pass in `ms`, unless one is already timed. */
  later(ms: number): void {
    if (this.timer || this.stopped) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.schedule();
    }, ms);
    this.timer.unref();
  }

  /** Resolves when no pass is running or due. */
  async idle(): Promise<void> {
    for (let r = this.running; r !== null; r = this.running) await r;
  }

  /** No more passes; resolves once the running one ends. */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running?.catch(() => undefined);
  }

  private async loop(): Promise<void> {
    await new Promise<void>((r) => setImmediate(r));
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      try {
        await this.pass();
      } catch (e) {
        this.onError(e as Error);
        this.later(1_000);
      }
    }
  }
}
