import { AggregateBarUnit, type Bar, formatTimestamp } from "../core/schemas";
import type { ContractMarket } from "./market";
import { hashUnit } from "./random";

const SECOND = 1000;
const DAY = 86_400_000;
/** Synthetic trades are 250 ms apart, which gives tick bars a fixed duration. */
const TICK_MS = 250;
/** 1970-01-01 was a Thursday; weeks start on Monday 00:00 UTC. */
const MONDAY_OFFSET = 4 * DAY;

/** Maps a bar's index (any integer) to its [start, end) in epoch ms for one unit. */
interface BarClock {
  indexOf(t: number): number;
  start(i: number): number;
}

function fixed(sizeMs: number, offset = 0): BarClock {
  return {
    indexOf: (t) => Math.floor((t - offset) / sizeMs),
    start: (i) => i * sizeMs + offset,
  };
}

function months(n: number): BarClock {
  return {
    indexOf: (t) => {
      const d = new Date(t);
      return Math.floor(((d.getUTCFullYear() - 1970) * 12 + d.getUTCMonth()) / n);
    },
    start: (i) => Date.UTC(1970, i * n, 1),
  };
}

/** The bar clock of a unit and unit number, or null for an invalid unit. */
export function barClock(unit: number, unitNumber: number): BarClock | null {
  switch (unit) {
    case AggregateBarUnit.Second:
      return fixed(unitNumber * SECOND);
    case AggregateBarUnit.Minute:
      return fixed(unitNumber * 60 * SECOND);
    case AggregateBarUnit.Hour:
      return fixed(unitNumber * 3600 * SECOND);
    case AggregateBarUnit.Day:
      return fixed(unitNumber * DAY);
    case AggregateBarUnit.Week:
      return fixed(unitNumber * 7 * DAY, MONDAY_OFFSET);
    case AggregateBarUnit.Month:
      return months(unitNumber);
    case AggregateBarUnit.Tick:
      return fixed(unitNumber * TICK_MS);
    default:
      return null;
  }
}

const MAX_SAMPLES = 48;

function buildBar(cm: ContractMarket, a: number, b: number, closeAt: number): Bar {
  // Probe a grid fixed by the whole bar [a, b), not by how much of it has passed: a forming
  // bar's probes are then a subset of the finished bar's, so a high it showed does not vanish.
  const step = Math.max(TICK_MS, Math.ceil((b - a) / MAX_SAMPLES / TICK_MS) * TICK_MS);
  const o = cm.priceAt(a);
  const c = cm.priceAt(closeAt);
  let h = Math.max(o, c);
  let l = Math.min(o, c);
  const probe = (t: number) => {
    const p = cm.priceAt(t);
    if (p > h) h = p;
    if (p < l) l = p;
  };
  for (let t = a + step; t < closeAt; t += step) probe(t);
  for (const t of cm.breaksWithin(a, closeAt)) {
    probe(t);
    probe(t - 1);
  }
  const seconds = Math.max(1, (closeAt - a) / SECOND);
  const v = Math.max(1, Math.round(seconds * 4 * (0.5 + hashUnit(cm.key, Math.floor(a / SECOND)))));
  return { t: formatTimestamp(a), o, h, l, c, v };
}

export interface BarQuery {
  startTime: number;
  endTime: number;
  unit: number;
  unitNumber: number;
  limit: number;
  includePartialBar: boolean;
}

/**
 * Bars whose open time lies in [startTime, endTime), newest first, at most `limit` of the most
 * recent. The bar still forming at `now` is included only with includePartialBar.
 */
export function retrieveBars(cm: ContractMarket, q: BarQuery, now: number): Bar[] {
  const clock = barClock(q.unit, q.unitNumber);
  if (!clock) return [];
  const out: Bar[] = [];
  const first = clock.indexOf(q.startTime);
  const firstStart = clock.start(first);
  const lo = firstStart < q.startTime ? first + 1 : first;
  const lastOpen = Math.min(q.endTime - 1, now);
  for (let i = clock.indexOf(lastOpen); i >= lo && out.length < q.limit; i--) {
    const a = clock.start(i);
    const b = clock.start(i + 1);
    if (a >= q.endTime || a > now) continue;
    const partial = b > now;
    if (partial && !q.includePartialBar) continue;
    out.push(buildBar(cm, a, b, partial ? now : b - 1));
  }
  return out;
}
