import type { AccountBook } from "../account/account-book";
import type { GatewayConnection } from "../connection";
import { isGuardTag, newCustomTag } from "../gateway/custom-tag";
import { OrderSide, PositionType } from "../schemas";
import { isManagedLegTag } from "./managed-brackets";

/** Signed sizes per contract: positive long (or buying), negative short (or selling). */
export interface SignedSize {
  contractId: string;
  size: number;
}

/** What an account holds and what may still add to it: the one view every sizing decision reads. */
export interface OpenExposure {
  positions: ReadonlyArray<SignedSize>;
  /** Working orders (bracket legs excluded: they only reduce) and orders still on their way. */
  workingOrders: ReadonlyArray<SignedSize>;
}

/** A position's size with its direction: short positions are negative. */
export function signedPosition(p: { size: number; type: number }): number {
  return p.type === PositionType.Short ? -p.size : p.size;
}

/** An order's unfilled size with its direction: sells are negative. */
export function signedRemaining(o: { side: number; size: number; fillVolume?: number | null }): number {
  return (o.side === OrderSide.Bid ? 1 : -1) * (o.size - (o.fillVolume ?? 0));
}

/**
 * The account's exposure from its book and its pending orders (see PendingOrders); a pending
 * order already in the book is counted once.
 */
export function openExposure(
  book: AccountBook | undefined,
  pending: ReadonlyArray<SignedSize & { customTag: string }>,
): OpenExposure {
  const positions: SignedSize[] = book
    ? [...book.positions.values()].map((p) => ({ contractId: p.contractId, size: signedPosition(p) }))
    : [];
  const workingOrders: SignedSize[] = [];
  const inBook = new Set<string>();
  for (const o of book?.orders.values() ?? []) {
    if (o.customTag) inBook.add(o.customTag);
    // The book holds working orders only; bracket legs and guard stops only ever reduce a position
    // (the guard keeps them within it), so an exit judged beside them is still an exit.
    if (o.parentOrderId != null || isGuardTag(o.customTag) || isManagedLegTag(o.customTag)) continue;
    workingOrders.push({ contractId: o.contractId, size: signedRemaining(o) });
  }
  for (const p of pending)
    if (!inBook.has(p.customTag) && !isGuardTag(p.customTag) && !isManagedLegTag(p.customTag))
      workingOrders.push({ contractId: p.contractId, size: p.size });
  return { positions, workingOrders };
}

/** A watched account's exposure: its live book and the orders on their way to it. */
export function accountExposure(conn: GatewayConnection, accountId: number): OpenExposure {
  return openExposure(conn.book(accountId), conn.pending.list(accountId));
}

/**
 * Reserves `size` (signed) of a contract in the connection's pending orders under a new customTag,
 * returned for the order to carry: computed and reserved in one step, the next sizing counts it.
 */
export function reserveOrder(conn: GatewayConnection, accountId: number, contractId: string, size: number): string {
  const customTag = newCustomTag();
  conn.pending.reserve(accountId, customTag, contractId, size);
  return customTag;
}

/** Where a contract's position will be once its working and pending orders fill. */
export function projectedPosition(e: OpenExposure, contractId: string): number {
  let at = e.positions.find((p) => p.contractId === contractId)?.size ?? 0;
  for (const o of e.workingOrders) if (o.contractId === contractId) at += o.size;
  return at;
}

/**
 * The signed market order that takes a contract to `target` (long 2 → short 1 is one sell of 3),
 * counting working and in-flight orders, so two quick targets converge instead of both sending
 * the difference; 0 when the projected position is the target already.
 */
export function targetDelta(e: OpenExposure, contractId: string, target: number): number {
  return target - projectedPosition(e, contractId);
}

/**
 * For a path without a rules node: the order that takes a watched account's contract to `target`,
 * reserved at once in the connection's pending orders under a new customTag, so that the next
 * target computed before this order reaches the gateway counts it.
 */
export function reserveTargetOrder(
  conn: GatewayConnection,
  accountId: number,
  contractId: string,
  target: number,
): { delta: number; customTag: string | null } {
  const delta = targetDelta(accountExposure(conn, accountId), contractId, target);
  return { delta, customTag: delta === 0 ? null : reserveOrder(conn, accountId, contractId, delta) };
}
