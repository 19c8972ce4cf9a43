import type { PlacementEvent } from "../gateway/gateway-api";
import { type Order, OrderStatus } from "../schemas";

/** How long an approval waits for its Order/place to start before its reservation lapses. */
const RESERVATION_MS = 15_000;
/**
 * How long a filled order stays counted while its position update is awaited: the gateway may send
 * the position before the fill's order event, and then no later position event comes to release it.
 */
const FILLED_GRACE_MS = 5_000;
/** How often an order whose placement answer was lost is looked up again by its tag. */
const UNKNOWN_LOOKUP_MS = 5_000;

/**
 * Exposure promised to an order the account does not show yet. `reserved` lapses if no placement
 * starts within RESERVATION_MS (the approved msg went nowhere); from `sending` on only the gateway
 * releases it: by refusing the order, by the order showing up in the book (working; or filled, and
 * then in the position, or FILLED_GRACE_MS after the fill), or, when the answer was lost, by a
 * look-up that finds no such order.
 */
interface Pending {
  accountId: number;
  contractId: string;
  /** Signed: positive buys. */
  size: number;
  until: number;
  phase: "reserved" | "sending" | "placed" | "filled" | "unknown";
  /** When the gateway confirmed the order: a REST snapshot begun later holds it. */
  confirmedAt?: number;
}

/** What {@link PendingOrders} needs from its account's connection. */
export interface PendingOrdersOptions {
  /** Epoch milliseconds; reservations and grace periods run on it. */
  now(): number;
  /** Looks an order up by its tag: the order, null when the gateway has none, or a rejection. */
  findByTag(accountId: number, customTag: string, since: number): Promise<Order | null>;
  /** Asks for a REST re-sync of the account (an order found by tag may have been missed). */
  resync(accountId: number): void;
}

/**
 * Orders on their way to an account, keyed by customTag: reserved by a gate's approval or a
 * target computation, then followed through the placement and the account's events until the
 * book counts them. Everything that sizes an order from "where the account will be" reads this,
 * so that two quick decisions cannot both spend the same headroom.
 */
export class PendingOrders {
  private readonly byTag = new Map<string, Pending>();
  private readonly lookups = new Map<string, NodeJS.Timeout>();
  private closed = false;

  constructor(private readonly opts: PendingOrdersOptions) {}

  /** Holds `size` of `contractId` for the order that will carry `customTag`. */
  reserve(accountId: number, customTag: string, contractId: string, size: number): void {
    this.byTag.set(customTag, {
      accountId,
      contractId,
      size,
      until: this.opts.now() + RESERVATION_MS,
      phase: "reserved",
    });
  }

  /** Gives a reservation back before any placement started (the order was not sent after all). */
  release(customTag: string): void {
    const p = this.byTag.get(customTag);
    if (p?.phase === "reserved") this.byTag.delete(customTag);
  }

  /** The pending orders of an account, as signed sizes per contract. */
  list(accountId: number): Array<{ contractId: string; size: number; customTag: string }> {
    const now = this.opts.now();
    const out: Array<{ contractId: string; size: number; customTag: string }> = [];
    for (const [tag, p] of this.byTag) {
      if (p.accountId !== accountId) continue;
      if ((p.phase === "reserved" || p.phase === "filled") && p.until < now) this.byTag.delete(tag);
      else out.push({ contractId: p.contractId, size: p.size, customTag: tag });
    }
    return out;
  }

  /**
   * A placement's progress from GatewayApi: `sending` holds the order until the gateway answers,
   * `refused` releases it, `placed` waits for the book, `unknown` looks it up by tag every 5 s.
   */
  onPlacement(e: PlacementEvent): void {
    let p = this.byTag.get(e.customTag);
    // An order placed without a reservation (an order node on its own) is pending all the same.
    if (!p && e.phase === "sending") {
      p = { accountId: e.accountId, contractId: e.contractId, size: e.size, until: Infinity, phase: "sending" };
      this.byTag.set(e.customTag, p);
      return;
    }
    if (!p) return;
    switch (e.phase) {
      case "sending":
        p.phase = "sending";
        break;
      case "placed":
        if (p.phase !== "filled") p.phase = "placed";
        p.confirmedAt = this.opts.now();
        break;
      case "refused":
        this.byTag.delete(e.customTag);
        break;
      case "unknown":
        p.phase = "unknown";
        this.lookUpLater(e.customTag, this.opts.now());
        break;
    }
  }

  /** An order event: a working order is now counted by the book; a filled one once its position shows. */
  onOrder(o: Order): void {
    if (!o.customTag) return;
    const p = this.byTag.get(o.customTag);
    if (!p) return;
    if (o.status === OrderStatus.Filled) {
      p.phase = "filled";
      p.until = this.opts.now() + FILLED_GRACE_MS;
    } else this.byTag.delete(o.customTag);
  }

  /** A position event: the fills of filled orders on that contract are in the position now. */
  onPosition(accountId: number, contractId: string): void {
    for (const [tag, p] of this.byTag)
      if (p.accountId === accountId && p.phase === "filled" && p.contractId === contractId) this.byTag.delete(tag);
  }

  /** A REST snapshot taken from `syncedAt` on holds every order confirmed before it. */
  onResynced(accountId: number, syncedAt: number): void {
    for (const [tag, p] of this.byTag)
      if (p.accountId === accountId && p.confirmedAt !== undefined && p.confirmedAt < syncedAt) this.byTag.delete(tag);
  }

  private lookUpLater(customTag: string, since: number): void {
    if (this.closed || this.lookups.has(customTag)) return;
    const timer = setTimeout(() => {
      this.lookups.delete(customTag);
      const p = this.byTag.get(customTag);
      if (p?.phase !== "unknown" || this.closed) return;
      this.opts.findByTag(p.accountId, customTag, since).then(
        (found) => {
          if (!found) {
            this.byTag.delete(customTag);
            return;
          }
          p.phase = "placed";
          p.confirmedAt = this.opts.now();
          this.opts.resync(p.accountId);
        },
        () => this.lookUpLater(customTag, since),
      );
    }, UNKNOWN_LOOKUP_MS);
    timer.unref();
    this.lookups.set(customTag, timer);
  }

  /** Stops the tag look-ups; what is pending stays counted. */
  close(): void {
    this.closed = true;
    for (const t of this.lookups.values()) clearTimeout(t);
    this.lookups.clear();
  }
}
