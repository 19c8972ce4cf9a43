import { marketOf } from "../contracts/products";
import { chicagoTime } from "../time/chicago";
import type { BlackoutWindow } from "../time/news-calendar";
import type { RuleState } from "./rule-state";
import type { RulesConfig } from "./rules-config";
import type { Evaluation, GateIntent, LiveAccount, RuleDecision } from "./rules-engine";

/**
 * News blackouts in the rules: entries are refused inside a window (and from the flatten lead
 * before it), positions in the markets a window covers are flattened that lead before it opens.
 * Exits never reach these steps: the engine lets them through first.
 */

/** Whether a window covers a contract: every product, or the contract's market (MES counts as ES). */
function covers(w: BlackoutWindow, contractId: string | undefined): boolean {
  return w.markets.length === 0 || (contractId !== undefined && w.markets.includes(marketOf(contractId)));
}

/** The window in force at `now` for a contract (from the flatten lead before it), if any. */
export function blackoutAt(config: RulesConfig, contractId: string | undefined, now: number): BlackoutWindow | null {
  const b = config.blackouts;
  if (!b) return null;
  const lead = b.flattenBeforeSeconds * 1000;
  return b.windows.find((w) => now >= w.start - lead && now < w.end && covers(w, contractId)) ?? null;
}

/** "13:05 CT", with the date when it is not the day of `now`. */
function chicagoLabel(ms: number, now: number): string {
  const t = chicagoTime(ms);
  const n = chicagoTime(now);
  const hm = `${String(t.hour).padStart(2, "0")}:${String(t.minute).padStart(2, "0")}`;
  const sameDay = t.year === n.year && t.month === n.month && t.day === n.day;
  return sameDay
    ? `${hm} CT`
    : `${t.year}-${String(t.month).padStart(2, "0")}-${String(t.day).padStart(2, "0")} ${hm} CT`;
}

/** The window as a trader reads it: "FOMC at 13:00 CT (ES, NQ)". */
function eventLabel(w: BlackoutWindow, now: number): string {
  return `${w.name} at ${chicagoLabel(w.at, now)}${w.markets.length ? ` (${w.markets.join(", ")})` : ""}`;
}

/**
 * The gate's step: an entry inside a blackout window is refused, naming the event and when entries
 * are allowed again; null outside every window.
 */
export function blackoutRefusal(config: RulesConfig, intent: GateIntent, now: number): RuleDecision | null {
  const w = blackoutAt(config, intent.contractId, now);
  if (!w) return null;
  return {
    allow: false,
    rule: "newsBlackout",
    reason: `News blackout for ${eventLabel(w, now)}: entries are refused until ${chicagoLabel(w.end, now)}; exits are allowed.`,
  };
}

/**
 * The monitor's step: from `flattenBeforeSeconds` before a window until it ends, a position (or a
 * working entry order) in a market it covers is flattened. Working orders alone are cancelled once
 * per window, positions whenever one is held (opened by hand inside the window, a failed flatten).
 */
export function blackoutBreach(
  config: RulesConfig,
  s: RuleState,
  live: LiveAccount,
  now: number,
): Evaluation["breach"] {
  const b = config.blackouts;
  if (!b || b.flattenBeforeSeconds <= 0) return null;
  const held = live.positions.map((p) => blackoutAt(config, p.contractId, now)).find((w) => w !== null);
  const working = held
    ? null
    : live.workingOrders.map((o) => blackoutAt(config, o.contractId, now)).find((w) => w !== null);
  const w = held ?? working;
  if (!w) return null;
  const leadStart = w.start - b.flattenBeforeSeconds * 1000;
  if (!held && s.breaches.some((x) => x.rule === "newsBlackout" && x.at >= leadStart)) return null;
  const minutes = Math.round(b.flattenBeforeSeconds / 6) / 10;
  // A window of some markets closes only what it covers: a CL position outlives an ES blackout.
  const inForce = b.windows.filter((x) => now >= x.start - b.flattenBeforeSeconds * 1000 && now < x.end);
  const markets = inForce.some((x) => x.markets.length === 0)
    ? undefined
    : [...new Set(inForce.flatMap((x) => x.markets))];
  return {
    at: now,
    rule: "newsBlackout",
    action: "flatten",
    blockUntil: null,
    ...(markets ? { markets } : {}),
    reason: `News blackout for ${eventLabel(w, now)}: ${now < w.start ? `${markets ? `positions in ${markets.join(", ")} are` : "the account is"} flattened ${minutes} min before the window opens at ${chicagoLabel(w.start, now)}` : "a position held inside the window is flattened"}; entries are refused until ${chicagoLabel(w.end, now)}.`,
  };
}

/**
 * The window in force now for the account's status, as a block with an end: a window of every
 * product first, else one limited to some markets (the reason names them); null outside all.
 */
export function blackoutBlock(
  config: RulesConfig,
  now: number,
): { rule: "newsBlackout"; reason: string; until: number } | null {
  const b = config.blackouts;
  if (!b) return null;
  const lead = b.flattenBeforeSeconds * 1000;
  const open = b.windows.filter((w) => now >= w.start - lead && now < w.end);
  const w = open.find((x) => x.markets.length === 0) ?? open[0];
  if (!w) return null;
  return {
    rule: "newsBlackout",
    reason: `News blackout for ${eventLabel(w, now)}: entries are refused until ${chicagoLabel(w.end, now)}.`,
    until: w.end,
  };
}
