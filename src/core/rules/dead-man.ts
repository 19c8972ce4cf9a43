import type { Breach } from "./rule-state";

/**
 * Dead-man checks of the rules: a heartbeat that says the rules are alive when nothing else moves,
 * and the stale-feed rule, which flattens a position whose quotes have gone silent while the
 * market is open (without quotes the distance to the loss limits is a guess) and refuses entries
 * until the contract quotes again.
 */

/**
 * Calls `beat` every `seconds` of the machine's time until the returned function is called; never
 * when `seconds` is 0. The machine's timer, not the rules' clock: a watchdog downstream (a trigger
 * node that alerts after 30 s without a msg) measures the machine's time too. The timer does not
 * keep the process alive.
 */
export function startHeartbeat(seconds: number, beat: () => void): () => void {
  if (!(seconds > 0)) return () => undefined;
  const timer = setInterval(beat, seconds * 1000);
  timer.unref();
  return () => clearInterval(timer);
}

/** A contract whose quotes have been silent past the stale-feed limit while the market is open. */
export interface StaleQuotes {
  contractId: string;
  /** Silence so far, counted from the later of its last quote, the start of the watch and the market's (re)open. */
  silentMs: number;
  limitSeconds: number;
  /** The account holds the contract: the rule flattens. Otherwise entries only wait for its next quote. */
  held: boolean;
}

/** What the stale-feed rule reads of the market feed (see MarketFeed): one home for "when was it last quoted". */
export interface QuoteSource {
  isMarketOpen(ms: number): boolean;
  quote(contractId: string): { receivedAt: number } | undefined;
  watchQuotes(contractId: string, listener: () => void): Promise<() => Promise<void>>;
}

interface Flag {
  /** The silence counts from here; a quote received later clears the flag. */
  since: number;
  unwatch: Promise<(() => Promise<void>) | null>;
}

/**
 * Measures how long each held contract has been without a quote, on the rules' clock and only while
 * the market is open (a session break, a weekend or a holiday is never stale, and the silence starts
 * again at the reopen). A contract found stale stays flagged, and subscribed, until it quotes again
 * or the market closes, so that entries stay refused after the flatten while the feed is still silent.
 */
export class StaleFeedWatch {
  private readonly since = new Map<string, number>();
  private readonly flags = new Map<string, Flag>();
  private wasOpen = false;
  private stopped = false;
  /** The result of the latest check: what an entry meets without a fresh look. */
  last: StaleQuotes | null = null;

  constructor(
    readonly limitSeconds: number,
    private readonly feed: QuoteSource,
    private readonly onError: (e: Error) => void,
  ) {}

  /** The held contract silent longest past the limit at `now`, else a flagged one not quoted since; null if none. */
  check(held: Iterable<string>, now: number): StaleQuotes | null {
    this.last = this.stopped ? null : this.look(new Set(held), now);
    return this.last;
  }

  private look(held: Set<string>, now: number): StaleQuotes | null {
    if (!this.feed.isMarketOpen(now)) {
      this.wasOpen = false;
      this.since.clear();
      for (const id of [...this.flags.keys()]) this.release(id);
      return null;
    }
    // The first look after a closed market (or a machine that slept through the reopen) starts every silence now.
    if (!this.wasOpen) this.since.clear();
    this.wasOpen = true;
    for (const id of this.since.keys()) if (!held.has(id)) this.since.delete(id);
    for (const [id, flag] of this.flags) if (this.quotedAt(id) > flag.since) this.release(id);
    let worst: StaleQuotes | null = null;
    for (const id of held) {
      if (!this.since.has(id)) this.since.set(id, now);
      const from = Math.max(this.since.get(id)!, this.quotedAt(id));
      const silentMs = now - from;
      if (silentMs < this.limitSeconds * 1000) continue;
      if (!this.flags.has(id)) this.flag(id, from);
      if (!worst || silentMs > worst.silentMs)
        worst = { contractId: id, silentMs, limitSeconds: this.limitSeconds, held: true };
    }
    if (worst) return worst;
    for (const [id, flag] of this.flags) {
      const silentMs = now - flag.since;
      if (!worst || silentMs > worst.silentMs)
        worst = { contractId: id, silentMs, limitSeconds: this.limitSeconds, held: false };
    }
    return worst;
  }

  private quotedAt(contractId: string): number {
    return this.feed.quote(contractId)?.receivedAt ?? 0;
  }

  /** Keeps the contract subscribed after its position is closed: its next quote is what lifts the refusal. */
  private flag(contractId: string, since: number): void {
    const unwatch = this.feed
      .watchQuotes(contractId, () => undefined)
      .catch((e: Error) => {
        this.onError(new Error(`could not keep watching ${contractId} for its next quote: ${e.message}`));
        return null;
      });
    this.flags.set(contractId, { since, unwatch });
  }

  private release(contractId: string): void {
    const flag = this.flags.get(contractId);
    if (!flag) return;
    this.flags.delete(contractId);
    void flag.unwatch.then((stop) => stop?.()).catch(() => undefined);
  }

  /** Drops every subscription it holds; checks find nothing from now on. */
  stop(): void {
    this.stopped = true;
    this.last = null;
    for (const id of [...this.flags.keys()]) this.release(id);
  }
}

const seconds = (ms: number) => Math.floor(ms / 1000);

/** The breach of a held contract gone stale: flatten, no block (entries wait only while the feed is silent). */
export function staleFeedBreach(
  stale: StaleQuotes | null | undefined,
  now: number,
): (Breach & { action: "flatten"; blockUntil: null }) | null {
  if (!stale?.held) return null;
  return {
    at: now,
    rule: "staleFeed",
    action: "flatten",
    blockUntil: null,
    reason: `No quote for ${stale.contractId} for ${seconds(stale.silentMs)} s while the market is open (the stale-feed limit is ${stale.limitSeconds} s): the account is flattened, since its distance to the loss limits can no longer be known; entries wait until the contract quotes again.`,
  };
}

/** Why an entry is refused while a contract's quotes are silent past the limit; null when none is. */
export function staleFeedReason(stale: StaleQuotes | null | undefined): string | null {
  if (!stale) return null;
  return `No quote for ${stale.contractId} for ${seconds(stale.silentMs)} s while the market is open (the stale-feed limit is ${stale.limitSeconds} s): entries are refused until it quotes again; exits, cancels and flattens still pass.`;
}
