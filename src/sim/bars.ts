import { AggregateBarUnit, type Bar, formatTimestamp } from "../core/schemas";
import { tradingDayStart } from "../core/time/trading-day";
import type { ContractMarket } from "./market";
import { hashUnit } from "./random";
import { firstOpen, lastOpen } from "./session-span";

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

function buildBar(cm: ContractMarket, label: number, a: number, b: number, closeAt: number): Bar {
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
  return { t: formatTimestamp(label), o, h, l, c, v };
}

export interface BarQuery {
  startTime: number;
  endTime: number;
  unit: number;
  unitNumber: number;
  limit: number;
  includePartialBar: boolean;
}

/** Hours after 00:00 UTC of a date that fall inside the CME trading day of that date (17:00 CT the eve to 17:00 CT). */
const INTO_DAY = 18 * 3_600_000;

/**
 * The stretch of time bar `i` covers. Under CME hours, day, week and month bars are made of whole
 * trading days (17:00 CT the evening before to 17:00 CT), each labelled 00:00 UTC of the date it
 * closes, as daily futures bars are named by trade date: the Monday bar holds Sunday evening's
 * trading, a week bar runs from Sunday 17:00 CT, and a Saturday or Sunday has no trading day.
 */
function span(clock: BarClock, i: number, unit: number, sessions: boolean): [number, number] {
  const label = clock.start(i);
  const next = clock.start(i + 1);
  if (!sessions || unit < AggregateBarUnit.Day || unit > AggregateBarUnit.Month) return [label, next];
  return [tradingDayStart(label + INTO_DAY), tradingDayStart(next + INTO_DAY)];
}

/**
 * Bars whose label lies in [startTime, endTime), newest first, at most `limit` of the most recent.
 * A bar holds only the contract's trading time (its hours on the venue clock, none after its last
 * trading day): a bar with none is left out, and o/c are the first and last traded prices. The bar
 * still forming at `now` is included only with includePartialBar.
 */
export function retrieveBars(cm: ContractMarket, q: BarQuery, now: number): Bar[] {
  const clock = barClock(q.unit, q.unitNumber);
  if (!clock) return [];
  const sessions = cm.hours !== null;
  const out: Bar[] = [];
  const first = clock.indexOf(q.startTime);
  const firstStart = clock.start(first);
  const lo = firstStart < q.startTime ? first + 1 : first;
  // A trading-day bar opens before its label (Sunday 17:00 CT for Monday's): look one label ahead.
  const ahead = sessions && q.unit >= AggregateBarUnit.Day && q.unit <= AggregateBarUnit.Month ? DAY : 0;
  const newest = Math.min(q.endTime - 1, now + ahead, cm.tradingEndsAt - 1);
  for (let i = clock.indexOf(newest); i >= lo && out.length < q.limit; i--) {
    const label = clock.start(i);
    if (label >= q.endTime) continue;
    const [a, b] = span(clock, i, q.unit, sessions);
    if (a > now) continue;
    const until = Math.min(b, now + 1);
    const from = firstOpen(cm.isOpen, a, until);
    if (from === null) {
      // Skip a closed stretch (a weekend, a holiday) in one step rather than bar by bar.
      const before = lastOpen(cm.isOpen, Math.max(clock.start(lo), a - 7 * DAY), a);
      if (before === null) break;
      // A trading-day bar's label can be a day after its instants' UTC date: land one bar later.
      i = Math.min(i, clock.indexOf(before) + (ahead ? 2 : 1));
      continue;
    }
    const partial = b > now;
    if (partial && !q.includePartialBar) continue;
    const closeAt = lastOpen(cm.isOpen, from, until) ?? from;
    out.push(buildBar(cm, label, from, b, partial ? Math.min(now, closeAt) : closeAt));
  }
  return out;
}
