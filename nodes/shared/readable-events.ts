import { DomType, OrderSide, OrderStatus, OrderType, PositionType, TradeLogType } from "../../src/core/schemas/enums";

/**
 * The gateway's events as a flow reads them: names where the wire has numeric codes ("filled",
 * "limit", "buy", "long"), the codes themselves kept under `raw`. The names come from the wire
 * enums (src/core/schemas/enums.ts), the key in lowerCamel case, so they are the order node's own
 * words for types ("stopLimit", "joinBid").
 */

/** Code → name of an enum object, e.g. 2 → "filled" for OrderStatus. */
function namesOf(e: Record<string, number>): ReadonlyMap<number, string> {
  return new Map(Object.entries(e).map(([key, code]) => [code, key[0]!.toLowerCase() + key.slice(1)]));
}

const STATUS = namesOf(OrderStatus);
const TYPE = namesOf(OrderType);
const DOM = namesOf(DomType);
const AGGRESSOR = namesOf(TradeLogType);
const POSITION = namesOf(PositionType);
/** The wire calls the sides by the book's sides (Bid buys, Ask sells); a trader says buy and sell. */
const SIDE: ReadonlyMap<number, string> = new Map([
  [OrderSide.Bid, "buy"],
  [OrderSide.Ask, "sell"],
]);

type Wire = Record<string, unknown>;

/** The name of a code, or the code itself when the table does not know it (a newer gateway). */
function named(table: ReadonlyMap<number, string>, code: unknown): unknown {
  return typeof code === "number" ? (table.get(code) ?? code) : code;
}

/** An order with `status`, `type` and `side` named; `raw` keeps the three codes. */
export function readableOrder(o: Wire): Wire {
  return {
    ...o,
    status: named(STATUS, o.status),
    type: named(TYPE, o.type),
    side: named(SIDE, o.side),
    raw: { status: o.status, type: o.type, side: o.side },
  };
}

/** A position with `side` "long" or "short" in place of its `type` code, kept as `raw.type`. */
export function readablePosition(p: Wire): Wire {
  const { type, ...rest } = p;
  return { ...rest, side: named(POSITION, type), raw: { type } };
}

/** A fill of the account with its `side` "buy" or "sell"; `raw.side` keeps the code. */
export function readableFill(t: Wire): Wire {
  return { ...t, side: named(SIDE, t.side), raw: { side: t.side } };
}

/** A market trade with its aggressor's `side` "buy" or "sell" in place of its `type` code, kept as `raw.type`. */
export function readableMarketTrade(t: Wire): Wire {
  const { type, ...rest } = t;
  return { ...rest, side: named(AGGRESSOR, type), raw: { type } };
}

/** A depth entry with its `type` named ("bestBid", "ask", "reset"…); `raw.type` keeps the code. */
export function readableDepth(d: Wire): Wire {
  return { ...d, type: named(DOM, d.type), raw: { type: d.type } };
}
