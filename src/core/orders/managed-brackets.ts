import type { AccountBook } from "../account/account-book";
import { pause } from "../clock";
import type { GatewayConnection } from "../connection";
import { GatewayRejectedError } from "../gateway/errors";
import { addTicks, tickDecimals } from "../money/tick-grid";
import { type Order, OrderSide, OrderStatus, OrderType, type Position } from "../schemas";
import { cancelConfirmed } from "./confirmed-exits";

/**
 * True when the gateway refused an order's brackets because the account is in "Position Brackets"
 * mode (live's default): errorCode 2 with the message that asks for Auto OCO Brackets.
 */
export function refusedForPositionBrackets(e: unknown): boolean {
  return e instanceof GatewayRejectedError && e.errorCode === 2 && /Position Brackets/i.test(e.errorMessage ?? "");
}

/** The customTag of a managed leg, from its entry's tag: re-adoption after a restart reads it back. */
function legTag(entryTag: string, leg: "sl" | "tp"): string {
  return `${entryTag}-${leg}`;
}

const LEG_TAG = /^(.+)-(sl|tp)$/;
/** How long an exit waits for the legs to make room before it goes anyway. */
const EXIT_WAIT_MS = 2_000;

/** True for the customTag of a managed stop-loss or take-profit leg. */
export function isManagedLegTag(tag: string | null | undefined): boolean {
  return !!tag && LEG_TAG.test(tag);
}

/** What a managed bracket needs to know of its entry to protect it once filled. */
export interface ManagedEntry {
  /** The customTag the bare entry order is placed under (its events are matched by it). */
  orderTag: string;
  /** The customTag of the alert or intent: the legs are tagged `<entryTag>-sl` and `<entryTag>-tp`. */
  entryTag: string;
  contractId: string;
  tickSize: number;
  /** Signed ticks from the fill, as in Order/place brackets (a buy's stop-loss negative). */
  stopLossTicks?: number;
  takeProfitTicks?: number;
}

interface Pair {
  entryTag: string;
  contractId: string;
  /** Contracts the legs protect: what the entry has filled so far, less what the position gave up. */
  size: number;
  /** The legs' placement is still on its way: a size change waits for it. */
  placing: boolean;
  /** A stop-loss leg was asked for when the entry filled (false for legs adopted as found). */
  stopDue: boolean;
  sl?: number;
  tp?: number;
}

/**
 * The stop-loss and take-profit our core keeps for entries the gateway would not bracket (accounts
 * in Position Brackets mode): placed as a stop and a limit as soon as the entry fills (its first
 * part, when it fills in parts, the legs then growing with it), kept as an OCO
 * (one filled cancels the other), resized when the position shrinks, cancelled when it goes flat,
 * and re-adopted from their customTags after a restart. One per watched account, fed by the
 * connection's order, position and re-sync events.
 */
export class ManagedBrackets {
  /** Entries registered before they were sent, by their own customTag, until they end. */
  private readonly waiting = new Map<string, ManagedEntry>();
  private readonly pairs = new Map<string, Pair>();
  /**
   * Legs seen ending (id to whether it filled), so a re-sync whose snapshot was read before the
   * event does not bring them back; bounded.
   */
  private readonly ended = new Map<number, { entryTag: string; filled: boolean }>();

  constructor(
    private readonly conn: GatewayConnection,
    readonly accountId: number,
  ) {}

  /** The legs kept now, by entry tag (for status and tests). */
  legs(): { entryTag: string; contractId: string; size: number; stopLoss?: number; takeProfit?: number }[] {
    return [...this.pairs.values()].map((p) => ({
      entryTag: p.entryTag,
      contractId: p.contractId,
      size: p.size,
      stopLoss: p.sl,
      takeProfit: p.tp,
    }));
  }

  /**
   * Protects an entry placed without brackets: its legs go in when it fills. Called before the entry
   * is sent, so a fill told before the placement answers is matched by its tag.
   */
  protectAfterFill(entry: ManagedEntry): void {
    this.waiting.set(entry.orderTag, entry);
  }

  /** The entry registered under `orderTag` was refused: it will never fill. */
  forget(orderTag: string): void {
    this.waiting.delete(orderTag);
  }

  /**
   * Contracts of `contractId` whose stop-loss leg is on its way (being placed, or placed and not yet
   * in the book): the guard stops count them as covered, so the leg and a guard never both protect
   * the same contract.
   */
  stopsComing(contractId: string): number {
    const inBook = new Set<string>();
    for (const o of this.conn.book(this.accountId)?.orders.values() ?? []) if (o.customTag) inBook.add(o.customTag);
    let n = 0;
    for (const p of this.pairs.values())
      if (
        p.contractId === contractId &&
        p.stopDue &&
        (p.placing || p.sl !== undefined) &&
        !inBook.has(legTag(p.entryTag, "sl"))
      )
        n += p.size;
    return n;
  }

  private warn(message: string): void {
    this.conn.emit("warning", `account ${this.accountId}: ${message}`);
  }

  /** An order event of the account (the connection feeds it after the book took it). */
  onOrder(o: Order): void {
    const tagged = o.customTag ? LEG_TAG.exec(o.customTag) : null;
    const over =
      o.status === OrderStatus.Filled || o.status === OrderStatus.Cancelled || o.status === OrderStatus.Rejected;
    if (tagged && over) {
      this.ended.set(o.id, { entryTag: tagged[1]!, filled: o.status === OrderStatus.Filled });
      if (this.ended.size > 1000) this.ended.delete(this.ended.keys().next().value!);
    }
    const entry = o.customTag ? this.waiting.get(o.customTag) : undefined;
    if (entry) {
      // A partly filled entry is a position already: its filled part is protected at once.
      const filled = o.status === OrderStatus.Filled ? o.fillVolume || o.size : (o.fillVolume ?? 0);
      if (filled > 0) this.cover(entry, o, filled);
      if (over) this.waiting.delete(entry.orderTag);
      return;
    }
    for (const pair of this.pairs.values()) {
      const leg = pair.sl === o.id ? "sl" : pair.tp === o.id ? "tp" : null;
      if (!leg) continue;
      if (o.status === OrderStatus.Filled) {
        this.pairs.delete(pair.entryTag);
        const other = leg === "sl" ? pair.tp : pair.sl;
        if (other !== undefined) void this.cancel(other);
      } else if (o.status === OrderStatus.Cancelled || o.status === OrderStatus.Rejected) {
        pair[leg] = undefined;
        if (pair.sl === undefined && pair.tp === undefined) this.pairs.delete(pair.entryTag);
      }
      return;
    }
  }

  /** A position event of the account. */
  onPosition(p: Position): void {
    void this.fit(p.contractId, p.size);
  }

  /**
   * Makes room for an exit at market of `quantity` contracts: the legs shrink, newest first, to the
   * position the exit leaves, so a leg and the exit can never both fill and reverse it. Waits at
   * most two seconds: an exit is never held back.
   */
  async beforeExit(contractId: string, quantity: number): Promise<void> {
    const held = this.conn.book(this.accountId)?.positions.get(contractId)?.size ?? 0;
    await Promise.race([this.fit(contractId, Math.max(0, held - quantity)), pause(this.conn.clock, EXIT_WAIT_MS)]);
  }

  /**
   * Keeps the legs of a contract within the position: together they never close more than is held,
   * so two stops triggering at once cannot reverse it. The newest entries give up size first.
   */
  private async fit(contractId: string, held: number): Promise<void> {
    const pairs = [...this.pairs.values()].filter((p) => p.contractId === contractId).reverse();
    let excess = pairs.reduce((n, p) => n + p.size, 0) - held;
    const work: Promise<void>[] = [];
    for (const pair of pairs) {
      if (excess <= 0) break;
      const cut = Math.min(excess, pair.size);
      excess -= cut;
      work.push(cut === pair.size ? this.release(pair) : this.resize(pair, pair.size - cut));
    }
    await Promise.all(work);
  }

  /** Places the legs for an entry's first filled part, or grows them with what it has filled since. */
  private cover(entry: ManagedEntry, o: Order, filled: number): void {
    const pair = this.pairs.get(entry.entryTag);
    if (!pair) {
      this.placeLegs(entry, o, filled).catch((e: Error) =>
        this.warn(`managed bracket of ${entry.entryTag} not placed: ${e.message}`),
      );
      return;
    }
    if (filled <= pair.size) return;
    if (pair.placing) pair.size = filled;
    else void this.resize(pair, filled);
  }

  /** Cancels both legs of a pair; never rejects (a failure is warned). */
  private async release(pair: Pair): Promise<void> {
    this.pairs.delete(pair.entryTag);
    await Promise.all([pair.sl, pair.tp].filter((id) => id !== undefined).map((id) => this.cancel(id)));
  }

  /** Resizes both legs of a pair; never rejects (a failure is warned). */
  private async resize(pair: Pair, size: number): Promise<void> {
    pair.size = size;
    await Promise.all(
      [pair.sl, pair.tp]
        .filter((id) => id !== undefined)
        .map((orderId) =>
          this.conn.api
            .exitLane()
            .modifyOrder({ accountId: this.accountId, orderId, size })
            .catch((e: Error) => this.warn(`managed leg ${orderId} not resized to ${size}: ${e.message}`)),
        ),
    );
  }

  private async cancel(orderId: number): Promise<void> {
    await cancelConfirmed(this.conn.api, this.conn.clock, this.accountId, orderId).catch((e: Error) =>
      this.warn(`managed leg ${orderId} not cancelled: ${e.message}`),
    );
  }

  private async placeLegs(entry: ManagedEntry, fill: Order, size: number): Promise<void> {
    const price = fill.filledPrice;
    if (price == null) throw new Error(`entry ${fill.id} filled without a price`);
    const side = fill.side === OrderSide.Bid ? OrderSide.Ask : OrderSide.Bid;
    const d = tickDecimals(entry.tickSize);
    const pair: Pair = {
      entryTag: entry.entryTag,
      contractId: entry.contractId,
      size,
      placing: true,
      stopDue: entry.stopLossTicks !== undefined,
    };
    this.pairs.set(entry.entryTag, pair);
    // Protective legs only reduce the position: they travel in the exit lane and are never gated.
    const api = this.conn.api.exitLane();
    const base = { accountId: this.accountId, contractId: entry.contractId, side, size };
    const [sl, tp] = await Promise.allSettled([
      entry.stopLossTicks === undefined
        ? Promise.resolve(null)
        : api.placeOrder({
            ...base,
            type: OrderType.Stop,
            stopPrice: addTicks(price, entry.stopLossTicks, entry.tickSize, d),
            customTag: legTag(entry.entryTag, "sl"),
          }),
      entry.takeProfitTicks === undefined
        ? Promise.resolve(null)
        : api.placeOrder({
            ...base,
            type: OrderType.Limit,
            limitPrice: addTicks(price, entry.takeProfitTicks, entry.tickSize, d),
            customTag: legTag(entry.entryTag, "tp"),
          }),
    ]);
    if (sl.status === "fulfilled" && sl.value) pair.sl = sl.value.orderId;
    if (tp.status === "fulfilled" && tp.value) pair.tp = tp.value.orderId;
    pair.placing = false;
    if (pair.sl === undefined && pair.tp === undefined) this.pairs.delete(entry.entryTag);
    // The entry filled more (or the position gave some up) while the legs were on their way.
    else if (pair.size !== size) void this.resize(pair, pair.size);
    const failed = [sl, tp].filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failed.length) throw new Error(failed.map((r) => (r.reason as Error).message).join("; "));
  }

  /** After a (re)start or reconnection: takes over the legs found working, by their customTags. */
  adopt(book: AccountBook): void {
    for (const o of book.orders.values()) {
      const m = o.customTag ? LEG_TAG.exec(o.customTag) : null;
      if (!m || this.ended.has(o.id)) continue;
      const entryTag = m[1]!;
      const leg = m[2] === "sl" ? "sl" : "tp";
      // Only the kinds of order we place: another order that happens to carry such a tag is left alone.
      if (o.type !== (leg === "sl" ? OrderType.Stop : OrderType.Limit)) continue;
      const pair: Pair = this.pairs.get(entryTag) ?? {
        entryTag,
        contractId: o.contractId,
        size: o.size,
        placing: false,
        stopDue: false,
      };
      pair[leg] = o.id;
      this.pairs.set(entryTag, pair);
    }
    for (const pair of [...this.pairs.values()]) {
      const working = (id?: number) => id !== undefined && book.orders.has(id);
      if (!working(pair.sl)) pair.sl = undefined;
      if (!working(pair.tp)) pair.tp = undefined;
      const legFilled = [...this.ended.values()].some((e) => e.filled && e.entryTag === pair.entryTag);
      if (pair.sl === undefined && pair.tp === undefined) this.pairs.delete(pair.entryTag);
      else if (legFilled) void this.release(pair);
    }
    for (const contractId of new Set([...this.pairs.values()].map((p) => p.contractId)))
      void this.fit(contractId, book.positions.get(contractId)?.size ?? 0);
  }
}
