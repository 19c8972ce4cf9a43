import type { ContractMarket } from "./market";
import { hashUnit } from "./random";

/**
 * Typical contracts resting at the best bid or ask, by product symbol. Thin books on live CME
 * micros show 5 to 30 at the touch; the minis a few more, outright energy and metals fewer.
 */
const TOP_OF_BOOK: Readonly<Record<string, number>> = {
  ES: 25,
  NQ: 10,
  YM: 8,
  RTY: 10,
  CL: 12,
  GC: 8,
  SI: 5,
  HG: 5,
  NG: 8,
};
const DEFAULT_TOP = 15;

/** Average size at the best level of a product, from the configuration or the built-in table. */
export function topOfBook(symbol: string, overrides: Readonly<Record<string, number>>): number {
  return overrides[symbol] ?? TOP_OF_BOOK[symbol] ?? DEFAULT_TOP;
}

function key(ask: boolean, price: number): string {
  return `${ask ? "a" : "b"}${price}`;
}

/**
 * Contracts resting at `level` ticks behind the best bid (or ask) of a contract: a fixed function
 * of the price, so the depth events and the matching engine agree, less what fills took from it
 * since the quote last moved. Level 0 ranges over about a third to twice the product's top size;
 * deeper levels hold a little more, as real books do.
 */
export function levelVolume(cm: ContractMarket, ask: boolean, level: number): { price: number; volume: number } {
  const price = ask ? cm.addTicks(cm.ask, level) : cm.addTicks(cm.bid, -level);
  const top = cm.depthTop;
  const u = hashUnit(ask ? cm.key ^ 0x5bd1e995 : cm.key, Math.round(price / cm.tickSize));
  const full = Math.max(1, Math.round(top * (0.35 + 1.65 * u))) + level * Math.ceil(top / 5);
  // Most quotes see no fill since the book last moved: no key to build then.
  const taken = cm.taken.size === 0 ? 0 : (cm.taken.get(key(ask, price)) ?? 0);
  return { price, volume: Math.max(0, full - taken) };
}

/** Records contracts a fill took from a level, so the book shows them gone until the quote moves. */
export function take(cm: ContractMarket, ask: boolean, price: number, size: number): void {
  const k = key(ask, price);
  cm.taken.set(k, (cm.taken.get(k) ?? 0) + size);
}

/**
 * The fills a marketable order of `size` gets by walking the book from the touch: one chunk per
 * level, until the size is done or the next level is beyond `limit` (market orders: none).
 */
export function walkBook(
  cm: ContractMarket,
  buy: boolean,
  size: number,
  limit: number | null,
): Array<{ price: number; size: number }> {
  const out: Array<{ price: number; size: number }> = [];
  let left = size;
  // Past the levels the hub shows the book goes on; 1000 levels bounds a runaway size.
  for (let level = 0; left > 0 && level < 1000; level++) {
    const { price, volume } = levelVolume(cm, buy, level);
    if (limit !== null && (buy ? price > limit : price < limit)) break;
    if (volume === 0) continue;
    const n = Math.min(left, volume);
    out.push({ price, size: n });
    left -= n;
  }
  return out;
}

/**
 * Contracts that trade at a resting limit's price when the market prints there: `fixed` from the
 * configuration, or 1 to 5 varying with the market's volume.
 */
export function touchVolume(cm: ContractMarket, fixed: number | undefined): number {
  return fixed ?? 1 + Math.floor(hashUnit(cm.key ^ 0x27d4eb2f, cm.volume) * 5);
}
