/**
 * Deterministic hashing for the synthetic market: the same seed gives the same prices, bars and
 * volumes on every machine, so tests and benchmarks can be replayed exactly.
 */

/** 32-bit hash of a string (FNV-1a). */
export function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Uniform number in [0, 1) from a 32-bit key and an integer index (splitmix-style finaliser). */
export function hashUnit(key: number, index: number): number {
  let h = (key ^ Math.imul(index | 0, 0x9e3779b1) ^ Math.imul((index / 4294967296) | 0, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  h ^= h >>> 16;
  return (h >>> 0) / 4294967296;
}
