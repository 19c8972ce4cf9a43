import { hashUnit } from "./random";

/**
 * A deterministic synthetic price path: fractal value noise over several time scales, from a
 * week down to a fifth of a second. Being a pure function of time, it yields the same prices for
 * live quotes and for historical bars, for any instant, without replaying the past.
 */
const SCALES: ReadonlyArray<readonly [periodMs: number, weight: number]> = [
  [7 * 86_400_000, 1.6],
  [86_400_000, 0.8],
  [3_600_000, 0.3],
  [300_000, 0.12],
  [30_000, 0.04],
  [3_000, 0.015],
  [200, 0.006],
];

function smoothNoise(key: number, x: number): number {
  const i = Math.floor(x);
  const f = x - i;
  const a = hashUnit(key, i) * 2 - 1;
  const b = hashUnit(key, i + 1) * 2 - 1;
  const s = f * f * (3 - 2 * f);
  return a + (b - a) * s;
}

export class PricePath {
  private readonly amplitude: number;
  private readonly keys: number[];

  constructor(
    private readonly base: number,
    dailyRange: number,
    key: number,
  ) {
    this.amplitude = base * dailyRange;
    this.keys = SCALES.map((_, i) => (key + Math.imul(i + 1, 0x27d4eb2d)) >>> 0);
  }

  /** Unsnapped price at epoch milliseconds `t`; never below 1% of the base price. */
  at(t: number): number {
    let p = this.base;
    for (let i = 0; i < SCALES.length; i++) {
      const [period, weight] = SCALES[i]!;
      p += this.amplitude * weight * smoothNoise(this.keys[i]!, t / period);
    }
    return Math.max(p, this.base * 0.01);
  }
}
