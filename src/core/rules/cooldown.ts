import { dollarsAndCents } from "../money/format";
import { OrderSide, parseTimestamp, type Trade } from "../schemas";
import { chicagoText } from "../time/chicago-text";
import type { RulesConfig } from "./rules-config";

/** A contract's round trip in progress: its signed position from our fills and the net P&L so far. */
interface OpenTrip {
  position: number;
  net: number;
}

/** A pause of entries after losses: when it started and ends, and why. */
export interface ActiveCooldown {
  startedAt: number;
  until: number;
  reason: string;
}

/** What the cooldown rule remembers across restarts (inside the rule state). */
export interface CooldownState {
  /** Round trips in progress, by contract id. */
  open: Record<string, OpenTrip>;
  /** Losing round trips in a row, the last one included. */
  streak: number;
  /** Round trips closed within the loss window: when, and their net P&L. */
  recent: Array<{ at: number; net: number }>;
  active: ActiveCooldown | null;
}

/** The cooldown as the rule-state output shows it. */
export interface CooldownView {
  active: boolean;
  until: number | null;
  minutesLeft: number | null;
  reason: string | null;
  /** Losing round trips in a row so far. */
  streak: number;
}

/** A fresh cooldown memory. */
export function emptyCooldown(): CooldownState {
  return { open: {}, streak: 0, recent: [], active: null };
}

const MINUTE = 60_000;

/**
 * Follows one fill into the round trips of its contract: a round trip runs from flat to flat, and
 * its P&L is net of the fees and commissions of every fill in it. When it closes, the losing
 * streak and the loss window are updated, and a cooldown starts when either reaches its limit.
 * A closing fill of a position opened before we watched counts as a round trip of its own; a fill
 * through flat closes one round trip and opens the next.
 * Returns the cooldown that this fill started, if any; `now` stands in for a fill without a time.
 */
export function followFill(config: RulesConfig, c: CooldownState, t: Trade, now: number): ActiveCooldown | null {
  if (t.voided) return null;
  const net = (t.profitAndLoss ?? 0) - t.fees - (t.commissions ?? 0);
  const signed = t.side === OrderSide.Bid ? t.size : -t.size;
  const trip = c.open[t.contractId] ?? { position: 0, net: 0 };
  const before = trip.position;
  const untracked = before === 0 && t.profitAndLoss != null;
  trip.position += signed;
  trip.net += net;
  // A fill through flat (long 1, sell 2) ends the trade and opens the next one.
  const reversed = before !== 0 && trip.position !== 0 && Math.sign(trip.position) !== Math.sign(before);
  if (!untracked && !reversed && trip.position !== 0) {
    c.open[t.contractId] = trip;
    return null;
  }
  if (reversed) c.open[t.contractId] = { position: trip.position, net: 0 };
  else delete c.open[t.contractId];
  const at = Number.isFinite(parseTimestamp(t.creationTimestamp)) ? parseTimestamp(t.creationTimestamp) : now;
  return closeTrip(config, c, Math.round(trip.net * 100) / 100, at);
}

/** A round trip closed with `net` P&L at `at`: the streak and the window move; a cooldown may start. */
export function closeTrip(config: RulesConfig, c: CooldownState, net: number, at: number): ActiveCooldown | null {
  const rule = config.cooldown;
  c.streak = net < 0 ? c.streak + 1 : 0;
  const window = (rule?.withinMinutes ?? 0) * MINUTE;
  c.recent = c.recent.filter((r) => r.at > at - window);
  if (window > 0) c.recent.push({ at, net });
  if (!rule) return null;
  let reason: string | null = null;
  if (rule.losses !== undefined && c.streak >= rule.losses) {
    reason = `${c.streak} losing trades in a row`;
    c.streak = 0;
  } else if (rule.lossAmount !== undefined && window > 0) {
    const sum = c.recent.reduce((a, r) => a + r.net, 0);
    if (sum <= -rule.lossAmount) {
      reason = `${dollarsAndCents(-sum)} lost within ${rule.withinMinutes} min (limit ${dollarsAndCents(rule.lossAmount)})`;
      c.recent = [];
    }
  }
  if (reason === null) return null;
  const until = Math.max(at + rule.minutes * MINUTE, c.active?.until ?? 0);
  c.active = { startedAt: at, until, reason };
  return c.active;
}

/** The cooldown that ended by `now`, cleared from the state; null while it runs or without one. */
export function endedCooldown(c: CooldownState, now: number): ActiveCooldown | null {
  const a = c.active;
  if (!a || a.until > now) return null;
  c.active = null;
  return a;
}

/** The cooldown in force at `now`, or null. */
export function activeCooldown(c: CooldownState | undefined, now: number): ActiveCooldown | null {
  const a = c?.active;
  return a && a.until > now ? a : null;
}

/** The cooldown as the rule state shows it: whole minutes left, rounded up. */
export function cooldownView(c: CooldownState | undefined, now: number): CooldownView {
  const a = activeCooldown(c, now);
  return {
    active: a !== null,
    until: a?.until ?? null,
    minutesLeft: a ? Math.ceil((a.until - now) / MINUTE) : null,
    reason: a?.reason ?? null,
    streak: c?.streak ?? 0,
  };
}

/** The refusal while a cooldown runs, naming its end and its cause. */
export function cooldownSentence(a: ActiveCooldown, now: number): string {
  const left = Math.ceil((a.until - now) / MINUTE);
  return `Cooling down for ${left} more min (until ${chicagoText(a.until)}) after ${a.reason}: entries are refused; exits pass.`;
}
