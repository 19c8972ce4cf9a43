import { typicalCostPerSide } from "../contracts/closing-costs";
import { productOf } from "../contracts/products";
import { dollarsAndCents } from "../money/format";
import { chicagoTime, minutesOf } from "../time/chicago";
import { chicagoText } from "../time/chicago-text";
import { tradingDayOf, tradingDayStart } from "../time/trading-day";
import { blackoutBreach, blackoutRefusal } from "./blackouts";
import { hedgeRefusal, type OtherAccount } from "./cross-account";
import { dayRulesRefusal } from "./day-rules";
import { type StaleQuotes, staleFeedBreach, staleFeedReason } from "./dead-man";
import { profitLockBreach } from "./profit-lock";
import { type Breach, computeFloor, type RuleName, type RuleState, round2 } from "./rule-state";
import type { RulesConfig } from "./rules-config";
import { closedSentence, sessionDay } from "./session-calendar";

/** The live account as the rules see it; built from the connection's book and quotes. */
export interface LiveAccount {
  balance: number;
  /** Open P&L marked conservatively (longs at bid, shorts at ask). */
  openPnl: number;
  /** False when a position had no quote to be marked with. */
  openPnlComplete: boolean;
  /** Signed net position per contract id. */
  positions: ReadonlyArray<{ contractId: string; size: number }>;
  /** Working orders that could add exposure (bracket legs excluded). */
  workingOrders: ReadonlyArray<{ contractId: string; size: number }>;
  /** The account state is confirmed by a REST snapshot since the last (re)connection. */
  synced: boolean;
  /** Fees and commissions per contract per side that the account's own fills were charged, by contract id. */
  costPerSide?: ReadonlyMap<string, number>;
  /** The other accounts of the same login that are watched, read only when an entry is judged. */
  otherAccounts?: () => ReadonlyArray<OtherAccount>;
  /** A contract whose quotes are silent past the stale-feed limit (see dead-man.ts); absent when the rule is off. */
  staleQuotes?: StaleQuotes | null;
}

/** An order intent as the gate judges it. */
export interface GateIntent {
  action: "place" | "modify" | "cancel" | "cancelAll" | "close" | "partialClose" | "flatten";
  contractId?: string;
  /** Signed quantity: positive buys, negative sells. */
  quantity?: number;
  /** When the alert was generated (TradingView {{timenow}}), epoch ms. */
  alertTime?: number;
  /** modify: the order it changes, and whether its limit or stop price moves. */
  orderId?: number;
  priceChange?: boolean;
}

/** The gate's answer to an intent: allowed or not, the rule that decided, and why in a sentence. */
export interface RuleDecision {
  allow: boolean;
  /** The rule that decided; "exit" for orders that only reduce risk. */
  rule: RuleName | "exit" | "allRulesPassed" | "atTarget" | "alreadyFlat" | "riskSize";
  reason: string;
}

/** How far the account is from each limit, in dollars or contracts; null where the rule is off. */
export interface Headroom {
  equity: number;
  floor: number | null;
  /** Dollars between equity and the loss floor. */
  maxLoss: number | null;
  /** Dollars between equity and the daily loss threshold. */
  dailyLoss: number | null;
  dayPnl: number;
  /** Mini-equivalent contracts held and allowed. */
  contracts: number;
  maxContracts: number | null;
  profitToTarget: number | null;
  bestDayShare: number | null;
  tradingDays: number;
}

/** What {@link evaluate} found on one look at the account. */
export interface Evaluation {
  headroom: Headroom;
  /** A breach that calls for action now, if any. */
  breach:
    | (Breach & {
        action: "flatten" | "flattenAndBlock" | "reduce" | "none";
        blockUntil: number | null;
        /** A flatten limited to these markets (a product-limited news blackout); absent: the whole account. */
        markets?: string[];
      })
    | null;
  /** State fields changed (peaks, target): persist them. */
  changed: boolean;
}

const money = dollarsAndCents;
const FOREVER = Number.POSITIVE_INFINITY;

/** Mini-equivalent size of `size` contracts of a contract id. */
export function miniEquivalent(contractId: string, size: number, microRatio: number): number {
  return Math.abs(size) / (productOf(contractId).micro ? microRatio : 1);
}

/**
 * Estimated cost of closing every open position (one side each): fees and commissions, at what the
 * account's own fills of the contract were charged (`charged`), else at the product's typical cost.
 */
export function closingFees(positions: LiveAccount["positions"], charged?: ReadonlyMap<string, number>): number {
  let fees = 0;
  for (const p of positions)
    fees += (charged?.get(p.contractId) ?? typicalCostPerSide(p.contractId)) * Math.abs(p.size);
  return fees;
}

/** Total exposure in mini equivalents: open positions plus working orders that would add to them. */
export function exposure(
  live: Pick<LiveAccount, "positions" | "workingOrders">,
  microRatio: number,
  extra?: { contractId: string; size: number },
): number {
  // Buys and sells are summed apart: working orders on opposite sides can each fill, so they must not
  // net out (a working buy 3 and sell 3 while flat is a worst case of 3, not 0; adding a buy 5 makes 8).
  const net = new Map<string, { pos: number; buys: number; sells: number }>();
  for (const p of live.positions) net.set(p.contractId, { pos: p.size, buys: 0, sells: 0 });
  const add = (contractId: string, size: number) => {
    const e = net.get(contractId) ?? { pos: 0, buys: 0, sells: 0 };
    net.set(contractId, e);
    if (size > 0) e.buys += size;
    else e.sells += size;
  };
  for (const o of live.workingOrders) add(o.contractId, o.size);
  if (extra) add(extra.contractId, extra.size);
  let total = 0;
  // The worst case of each side filling; orders against the position only shrink it, unless they reverse it.
  for (const [id, e] of net)
    total += miniEquivalent(
      id,
      Math.max(Math.abs(e.pos), Math.abs(e.pos + e.buys), Math.abs(e.pos + e.sells)),
      microRatio,
    );
  return total;
}

interface SessionInfo {
  open: boolean;
  /** Minutes until the session closes (when open). */
  minutesToClose: number;
  afterCutoff: boolean;
  afterFlatten: boolean;
  closeLabel: string;
  /** Entry cutoff and flatten times in force today (moved with an early close), "HH:MM". */
  cutoffLabel: string | null;
  flattenLabel: string | null;
  /** Why the session is closed, naming a holiday or early close; "" while it is open. */
  closedReason: string;
}

/**
 * Where `now` falls in the 17:00 → close session (Chicago time, DST-correct): closed on weekends
 * and CME holidays, and early closes (the CME calendar and the trader's own) move the close.
 */
export function sessionAt(config: RulesConfig, now: number): SessionInfo {
  const t = chicagoTime(now);
  const m = t.hour * 60 + t.minute;
  const day = tradingDayOf(now);
  const today = sessionDay(config, day);
  const closeLabel = today.kind === "closed" ? config.session.close : today.close;
  const open = minutesOf(config.session.open);
  const close = minutesOf(closeLabel);
  // Trading days run Sunday evening to Friday afternoon.
  const weekendClosed = t.weekday === 6 || (t.weekday === 0 && m < open) || (t.weekday === 5 && m >= close);
  const inSession = !weekendClosed && today.kind !== "closed" && (m >= open || m < close);
  const minutesToClose = inSession ? (m >= open ? 24 * 60 - m + close : close - m) : 0;
  const cutoff = config.session.entryCutoff ? minutesOf(config.session.entryCutoff) : null;
  const flat = config.session.flattenAt ? minutesOf(config.session.flattenAt) : null;
  const early = today.kind === "earlyClose";
  // On an early close, cutoff and flatten keep their distance to the close.
  const shift = early ? minutesOf(config.session.close) - close : 0;
  return {
    open: inSession,
    minutesToClose,
    afterCutoff: inSession && cutoff !== null && m < open && m >= cutoff - shift,
    afterFlatten: inSession && flat !== null && m < open && m >= flat - shift,
    closeLabel,
    // The reasons name the times in force today: on an early close "after 15:00" would be wrong at 11:51.
    cutoffLabel: cutoff === null ? null : hhmm(cutoff - shift),
    flattenLabel: flat === null ? null : hhmm(flat - shift),
    closedReason: inSession ? "" : closedSentence(config, today, day),
  };
}

function hhmm(minutes: number): string {
  const m = ((minutes % 1440) + 1440) % 1440;
  return `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
}

/** Whether a breach of `rule` was recorded since `since` (a trading day's start: it acted today). */
function breachedSince(s: RuleState, rule: RuleName, since: number): boolean {
  return s.breaches.some((b) => b.rule === rule && b.at >= since);
}

/** The next session open after `now`, skipping weekends and closed days (CME holidays). */
export function nextSessionOpen(config: RulesConfig, now: number): number {
  // The next 17:00 Chicago after now: step forward by hours until the trading day label changes.
  // The step lands up to an hour past the open (a 10:30 breach stepped to 17:30), which kept entries
  // blocked into the new session: take the 17:00 that started the new trading day. Friday and
  // Saturday 17:00 open no session, so a Friday block runs to Sunday 17:00, the next real open;
  // neither does the evening before a CME holiday (Christmas on a Friday: Sunday 17:00 again).
  let t = now;
  for (let d = 0; d < 14; d++) {
    const day = tradingDayOf(t);
    for (let i = 0; i < 30 && tradingDayOf(t) === day; i++) t += 3_600_000;
    t = tradingDayStart(t);
    const weekday = chicagoTime(t).weekday;
    if (weekday !== 5 && weekday !== 6 && sessionDay(config, tradingDayOf(t)).kind !== "closed") return t;
  }
  return t;
}

/**
 * Evaluates the account against the loss rules and the session on every relevant quote or fill:
 * updates peaks, returns the headroom to each limit, and the breach (if any) that calls for action.
 * Pure but for the RuleState it updates.
 */
export function evaluate(config: RulesConfig, s: RuleState, live: LiveAccount, now: number): Evaluation {
  s.lastBalance = live.balance;
  const equity = round2(live.balance + live.openPnl - closingFees(live.positions, live.costPerSide));
  const changed = trackPeaks(config, s, live.balance, equity);
  const headroom = headroomOf(config, s, live, equity);
  // One breach at a time, the most serious first; holding too many contracts only when nothing else acts.
  const breach =
    lossBreach(config, s, live, headroom, now) ??
    sessionBreach(config, s, live, now) ??
    staleFeedBreach(live.staleQuotes, now) ??
    blackoutBreach(config, s, live, now) ??
    profitLockBreach(config, s, headroom.dayPnl, live.positions.length === 0, now, () =>
      nextSessionOpen(config, now),
    ) ??
    contractsBreach(config, s, headroom, now);
  return { headroom, breach, changed };
}

type BreachOf = Evaluation["breach"];

/** Moves the peaks, the trailing floor, today's P&L and the target flag; true when a persisted field changed. */
function trackPeaks(config: RulesConfig, s: RuleState, balance: number, equity: number): boolean {
  let changed = false;
  if (equity > s.equityPeak) {
    s.equityPeak = equity;
    if (config.lossFloor?.mode === "trailingIntraday" && !s.floorLocked) {
      const f = computeFloor(config, s);
      if (f !== s.floor) {
        s.floor = f;
        s.floorLocked = f !== null && f >= (config.lossFloor.lockAt ?? config.startBalance);
        changed = true;
      }
    }
  }
  if (equity > s.dayHighEquity) {
    s.dayHighEquity = equity;
    changed = true;
  }
  s.dailyPnl[s.tradingDay] = round2(balance - s.dayStartBalance);
  const profit = balance - config.startBalance;
  if (config.profitTarget !== undefined && profit >= config.profitTarget && !s.targetReached) {
    s.targetReached = true;
    changed = true;
  }
  return changed;
}

/** The equity at which the daily loss limit is reached today; null without a daily loss rule. */
function dailyThresholdOf(config: RulesConfig, s: RuleState): number | null {
  const dl = config.dailyLoss;
  if (!dl) return null;
  return dl.mode === "trailing" ? s.dayHighEquity - dl.amount : s.dayStartBalance - dl.amount;
}

/** The equity the guard stops keep, and the rule it comes from. */
export interface GuardFloor {
  equity: number;
  rule: "maxLossLimit" | "flattenBuffer" | "dailyLossLimit";
}

/**
 * The tightest floor in force for the guard stops: the MLL floor plus the flatten buffer, and the
 * daily loss threshold while its action still flattens today ("flatten" acts once a day, then the
 * trader may go on: it no longer binds); null when no rule flattens at a floor.
 */
export function guardFloor(config: RulesConfig, s: RuleState): GuardFloor | null {
  const floors: GuardFloor[] = [];
  if (s.floor !== null)
    floors.push({
      equity: round2(s.floor + config.flattenBuffer),
      rule: config.flattenBuffer > 0 ? "flattenBuffer" : "maxLossLimit",
    });
  const dl = config.dailyLoss;
  const threshold = dailyThresholdOf(config, s);
  if (
    dl &&
    threshold !== null &&
    dl.action !== "none" &&
    !(dl.action === "flatten" && breachedSince(s, "dailyLossLimit", s.dayStart))
  )
    floors.push({ equity: round2(threshold), rule: "dailyLossLimit" });
  if (floors.length === 0) return null;
  return floors.reduce((a, b) => (b.equity > a.equity ? b : a));
}

function headroomOf(config: RulesConfig, s: RuleState, live: LiveAccount, equity: number): Headroom {
  const dailyThreshold = dailyThresholdOf(config, s);
  const profit = live.balance - config.startBalance;
  const days = Object.values(s.dailyPnl);
  const total = days.reduce((a, b) => a + b, 0);
  const best = days.length ? Math.max(...days) : 0;
  return {
    equity,
    floor: s.floor,
    maxLoss: s.floor === null ? null : round2(equity - s.floor),
    dailyLoss: dailyThreshold === null ? null : round2(equity - dailyThreshold),
    dayPnl: round2(equity - s.dayStartBalance),
    contracts: exposure({ positions: live.positions, workingOrders: [] }, config.microRatio),
    maxContracts: effectiveMaxContracts(config, s),
    profitToTarget: config.profitTarget === undefined ? null : round2(config.profitTarget - profit),
    bestDayShare: total > 0 ? round2(best / total) : null,
    tradingDays: s.tradingDays.length,
  };
}

/** The loss floor, its flatten buffer, then the daily loss limit. */
function lossBreach(config: RulesConfig, s: RuleState, live: LiveAccount, h: Headroom, now: number): BreachOf {
  const flat = live.positions.length === 0;
  const { equity, maxLoss } = h;
  // Once flattened at the floor and blocked, a flat account is not breached again every second.
  if (maxLoss !== null && maxLoss <= 0 && !(flat && s.blockedBy === "maxLossLimit")) {
    return {
      at: now,
      rule: "maxLossLimit",
      action: "flattenAndBlock",
      blockUntil: FOREVER,
      reason: `Equity ${money(equity)} reached the Maximum Loss Limit floor of ${money(s.floor!)}: the account is flattened and entries stay blocked.`,
    };
  }
  if (maxLoss !== null && config.flattenBuffer > 0 && maxLoss <= config.flattenBuffer && !flat) {
    return {
      at: now,
      rule: "flattenBuffer",
      action: "flattenAndBlock",
      blockUntil: nextSessionOpen(config, now),
      reason: `Equity ${money(equity)} is within ${money(maxLoss)} of the Maximum Loss Limit floor (${money(s.floor!)}), inside the ${money(config.flattenBuffer)} buffer: flattened before the limit is hit; entries blocked until the next session.`,
    };
  }
  return dailyLossBreach(config, s, h, flat, now);
}

function dailyLossBreach(config: RulesConfig, s: RuleState, h: Headroom, flat: boolean, now: number): BreachOf {
  const dl = config.dailyLoss;
  const threshold = dailyThresholdOf(config, s);
  if (
    dl &&
    threshold !== null &&
    h.dailyLoss !== null &&
    h.dailyLoss <= 0 &&
    dl.action !== "none" &&
    !dailyLossActed(s, dl.action, flat)
  ) {
    const andBlock = dl.action === "flattenAndBlock";
    return {
      at: now,
      rule: "dailyLossLimit",
      action: dl.action,
      blockUntil: andBlock ? nextSessionOpen(config, now) : null,
      reason: `${dailyLossSentence(dl, h.equity, h.dayPnl, s.dayHighEquity, threshold)}${andBlock ? ": flattened, entries blocked until the next session" : ": flattened once; entries are allowed again"}.`,
    };
  }
  return null;
}

/** Positions held at the scheduled flatten or past the close; orders left working there. */
function sessionBreach(config: RulesConfig, s: RuleState, live: LiveAccount, now: number): BreachOf {
  if (live.positions.length > 0) return positionsPastClose(config, now);
  if (live.workingOrders.length > 0 && !breachedSince(s, "sessionFlatten", tradingDayStart(now)))
    return ordersPastClose(config, now);
  return null;
}

function positionsPastClose(config: RulesConfig, now: number): BreachOf {
  const session = sessionAt(config, now);
  if (session.afterFlatten) {
    return {
      at: now,
      rule: "sessionFlatten",
      action: "flattenAndBlock",
      blockUntil: nextSessionOpen(config, now),
      reason: `It is past ${session.flattenLabel} Chicago time, the scheduled flatten before the ${session.closeLabel} close: positions are closed.`,
    };
  }
  if (!session.open) {
    // A position still open after the close (a flatten that failed, a restart after the flatten, a
    // weekend) is what Topstep forbids: afterFlatten only covers the minutes before the close.
    return {
      at: now,
      rule: "sessionFlatten",
      action: "flattenAndBlock",
      blockUntil: nextSessionOpen(config, now),
      reason: `${session.closedReason} Positions may not be held overnight, over a weekend or a holiday and are closed.`,
    };
  }
  return null;
}

/**
 * A resting entry left at the flatten fills after the close and opens the position the flatten was
 * for: cancel it, once per trading day (a breach recorded today means the flatten ran).
 */
function ordersPastClose(config: RulesConfig, now: number): BreachOf {
  const session = sessionAt(config, now);
  if (!session.afterFlatten && session.open) return null;
  return {
    at: now,
    rule: "sessionFlatten",
    action: "flatten",
    blockUntil: null,
    reason: session.afterFlatten
      ? `It is past ${session.flattenLabel} Chicago time, the scheduled flatten before the ${session.closeLabel} close: working orders are cancelled so that none fills after the close.`
      : `${session.closedReason} Working orders are cancelled so that none fills while the session is closed.`,
  };
}

/** Held above the limit (fills that came late, a trade made by hand): brought back at once. */
function contractsBreach(config: RulesConfig, s: RuleState, h: Headroom, now: number): BreachOf {
  const limit = h.maxContracts;
  if (limit === null || !(h.contracts > limit + 1e-9)) return null;
  return {
    at: now,
    rule: contractsRule(config, s),
    action: "reduce",
    blockUntil: null,
    reason: `The account holds ${round2(h.contracts)} mini-equivalent contracts; the limit is ${limit}: working entries are cancelled and the excess is closed.`,
  };
}

/** The rule that sets the contract limit in force: the scaling plan's tier when it is the tighter. */
function contractsRule(config: RulesConfig, s: RuleState): "scaling" | "maxContracts" {
  return s.tierMaxContracts !== null && s.tierMaxContracts < (config.maxContracts ?? Infinity)
    ? "scaling"
    : "maxContracts";
}

/**
 * Whether the daily loss action was already taken today. TopstepX's "Liquidate" fires once and then
 * resets to "Do nothing"; "Liquidate and Block" blocks until the next trading day. Without this, the
 * "flatten" action fired again on every evaluation, closing at once any position the trader opened
 * after it (the breaches are recorded by applyBreach).
 */
function dailyLossActed(s: RuleState, action: "flatten" | "flattenAndBlock", flat: boolean): boolean {
  // The breach recorded today, not the block in force: a block of another rule (the MLL buffer, the
  // floor) that outlasts this one keeps blockedBy, and the breach then came back every second.
  const breachedToday = s.blockedBy === "dailyLossLimit" || breachedSince(s, "dailyLossLimit", s.dayStart);
  // A position opened after a flatten-and-block (by hand, on the platform) is flattened again.
  return action === "flattenAndBlock" ? flat && breachedToday : breachedToday;
}

/**
 * The daily loss in the trader's words. A trailing limit can fire on a green day (up $700 after being
 * up $1,200), so it names the day's high and the threshold rather than "Today's P&L $700 reached the limit".
 */
function dailyLossSentence(
  dl: NonNullable<RulesConfig["dailyLoss"]>,
  equity: number,
  dayPnl: number,
  dayHigh: number,
  threshold: number,
): string {
  return dl.mode === "trailing"
    ? `Equity ${money(equity)} fell to the trailing daily loss threshold of ${money(threshold)}, ${money(dl.amount)} below today's high of ${money(dayHigh)}`
    : `Today's P&L ${dayPnl < 0 ? "-" : ""}${money(dayPnl)} reached the daily loss limit of ${money(dl.amount)}`;
}

/** The contract limit in force: the lower of the configured maximum and the scaling tier; null without either. */
export function effectiveMaxContracts(config: RulesConfig, s: RuleState): number | null {
  const limits = [config.maxContracts, s.tierMaxContracts ?? undefined].filter((x): x is number => x !== undefined);
  return limits.length ? Math.min(...limits) : null;
}

/** Records a breach in the state and applies its block. */
export function applyBreach(s: RuleState, b: NonNullable<Evaluation["breach"]>): void {
  s.breaches.push({ at: b.at, rule: b.rule, reason: b.reason });
  if (s.breaches.length > 500) s.breaches.splice(0, s.breaches.length - 500);
  if (b.blockUntil !== null && (s.blockedUntil === null || b.blockUntil > s.blockedUntil)) {
    s.blockedUntil = b.blockUntil;
    s.blockedBy = b.rule;
    s.blockedReason = b.reason;
  }
}

/**
 * True when the intent only reduces risk: cancels, closes, flattens, or an order against the
 * position no larger than it. A modify is never an exit by itself: the guard judges it as the
 * order it would leave working (see AccountGuard).
 */
export function isExit(
  intent: GateIntent,
  live: Pick<LiveAccount, "positions"> & Partial<Pick<LiveAccount, "workingOrders">>,
): boolean {
  if (intent.action !== "place") return intent.action !== "modify";
  const pos = live.positions.find((p) => p.contractId === intent.contractId)?.size ?? 0;
  const q = intent.quantity ?? 0;
  if (pos === 0 || Math.sign(q) !== -Math.sign(pos)) return false;
  // Exit orders already working on the same side would, with this one, reverse the position.
  let pendingExits = 0;
  for (const o of live.workingOrders ?? [])
    if (o.contractId === intent.contractId && Math.sign(o.size) === Math.sign(q)) pendingExits += Math.abs(o.size);
  return Math.abs(q) + pendingExits <= Math.abs(pos);
}

function reject(rule: RuleName, reason: string): RuleDecision {
  return { allow: false, rule, reason };
}

/**
 * Decides an order intent against every rule: exits and flattens always pass; entries are refused
 * with the rule's name and a sentence a trader understands. On approval the order is counted for
 * maxOrdersPerMinute.
 */
export function decide(
  config: RulesConfig,
  s: RuleState,
  live: LiveAccount,
  intent: GateIntent,
  now: number,
): RuleDecision {
  // The steps run in this order and the first that decides wins: the refusal a trader reads names the
  // most basic reason (an unknown state before a block, a block before a closed session…).
  return (
    syncOrExit(live, intent) ??
    heldEntries(s, live, now) ??
    staleFeedRefusal(live) ??
    alertTimeRefusal(config, intent, now) ??
    symbolRefusal(config, intent) ??
    sessionRefusal(config, now) ??
    blackoutRefusal(config, intent, now) ??
    paceRefusal(config, s, now) ??
    dayRulesStep(config, s, live, now) ??
    lossRefusal(config, s, live, now) ??
    contractsRefusal(config, s, live, intent) ??
    (config.refuseCrossAccountHedge && live.otherAccounts
      ? hedgeRefusal(intent, live, live.otherAccounts(), config.microRatio)
      : null) ??
    approve(config, s, now)
  );
}

type StepDecision = RuleDecision | null;

/** Orders wait for a confirmed account state; exits pass on any state. */
function syncOrExit(live: LiveAccount, intent: GateIntent): StepDecision {
  // An order judged an exit on a stale book could open a position: orders wait for the re-sync;
  // close, cancel and flatten act on what the gateway holds, so they always pass.
  if (intent.action === "place" && !live.synced)
    return reject(
      "stateUnknown",
      "The account state is not confirmed by the gateway yet (starting or re-syncing): orders are refused until it is; close, cancel and flatten still work.",
    );
  if (isExit(intent, live))
    return { allow: true, rule: "exit", reason: "Exits, cancels and flattens are always allowed." };
  if (!live.synced)
    return reject(
      "stateUnknown",
      "The account state is not confirmed by the gateway yet (starting or re-syncing): entries are refused until it is.",
    );
  return null;
}

/** Entries held by the account's own state: a hold, an unmarked position, the kill switch, a block. */
function heldEntries(s: RuleState, live: LiveAccount, now: number): StepDecision {
  // A profile that does not fit the account, or a loss floor that could not be established.
  if (s.entryHold) return reject(s.entryHold.rule, s.entryHold.reason);
  // The trader's switch and a breach's block say why for as long as they last, whatever the quotes.
  if (s.killSwitch) return reject("killSwitch", "The kill switch is on: entries are refused until it is re-armed.");
  if (s.blockedUntil !== null && s.blockedUntil > now) {
    const until = s.blockedUntil === FOREVER ? "until re-armed" : `until ${chicagoText(s.blockedUntil)}`;
    return reject(
      s.blockedBy ?? "killSwitch",
      `Entries are blocked ${until}: ${s.blockedReason ?? "a rule was breached"}`,
    );
  }
  // Fail closed: without a quote for an open position the equity, and so the distance to the loss
  // limits, is unknown.
  if (!live.openPnlComplete)
    return reject(
      "stateUnknown",
      "An open position has no quote to be marked with, so the distance to the loss limits is unknown: entries are refused until quotes arrive.",
    );
  return null;
}

/** Fail closed while a contract's quotes are silent past the stale-feed limit. */
function staleFeedRefusal(live: LiveAccount): StepDecision {
  const reason = staleFeedReason(live.staleQuotes);
  return reason === null ? null : reject("staleFeed", reason);
}

/** Alerts stamped too far ahead of this computer's clock, or too old. */
function alertTimeRefusal(config: RulesConfig, intent: GateIntent, now: number): StepDecision {
  if (intent.alertTime !== undefined && intent.alertTime - now > config.maxAlertAheadSeconds * 1000) {
    return reject(
      "maxAlertAge",
      `The alert is stamped ${((intent.alertTime - now) / 1000).toFixed(1)} s in the future (${new Date(intent.alertTime).toISOString()}); alerts more than ${config.maxAlertAheadSeconds} s ahead of this computer's clock are refused: check both clocks.`,
    );
  }
  if (config.maxAlertAgeSeconds !== undefined && intent.alertTime !== undefined) {
    const age = (now - intent.alertTime) / 1000;
    if (age > config.maxAlertAgeSeconds)
      return reject(
        "maxAlertAge",
        `The alert is ${age.toFixed(1)} s old; alerts older than ${config.maxAlertAgeSeconds} s are refused.`,
      );
  }
  return null;
}

function symbolRefusal(config: RulesConfig, intent: GateIntent): StepDecision {
  const symbol = intent.contractId ? productOf(intent.contractId).symbol : "";
  if (config.allowedSymbols.length > 0 && !config.allowedSymbols.includes(symbol)) {
    return reject(
      "allowedSymbols",
      `${symbol || "This contract"} is not in the allowed symbols (${config.allowedSymbols.join(", ")}).`,
    );
  }
  return null;
}

/** A closed session, or past the entry cutoff or the scheduled flatten. */
function sessionRefusal(config: RulesConfig, now: number): StepDecision {
  const session = sessionAt(config, now);
  if (!session.open) return reject("tradingWindow", session.closedReason);
  if (session.afterCutoff || session.afterFlatten) {
    return reject(
      "tradingWindow",
      `No new entries after ${session.afterFlatten ? session.flattenLabel : session.cutoffLabel} Chicago time (the session closes at ${session.closeLabel}).`,
    );
  }
  return null;
}

/** The profit target reached, orders per minute and fills per day. */
function paceRefusal(config: RulesConfig, s: RuleState, now: number): StepDecision {
  if (config.stopAtTarget && s.targetReached)
    return reject(
      "profitTarget",
      `The profit target of ${money(config.profitTarget ?? 0)} is reached: new entries are stopped.`,
    );
  if (config.maxOrdersPerMinute !== undefined) {
    s.recentOrders = s.recentOrders.filter((t) => t > now - 60_000);
    if (s.recentOrders.length >= config.maxOrdersPerMinute)
      return reject(
        "maxOrdersPerMinute",
        `${s.recentOrders.length} orders in the last minute; the limit is ${config.maxOrdersPerMinute}.`,
      );
  }
  if (config.maxTradesPerDay !== undefined && s.dayTrades >= config.maxTradesPerDay) {
    return reject("maxTradesPerDay", `${s.dayTrades} fills today; the limit is ${config.maxTradesPerDay} per day.`);
  }
  return null;
}

/** A cooldown, the daily profit stop, the consistency cap (day-rules.ts), at today's P&L as the headroom counts it. */
function dayRulesStep(config: RulesConfig, s: RuleState, live: LiveAccount, now: number): StepDecision {
  const equity = round2(live.balance + live.openPnl - closingFees(live.positions, live.costPerSide));
  const r = dayRulesRefusal(config, s, round2(equity - s.dayStartBalance), now);
  return r && reject(r.rule, r.reason);
}

/** The loss floor and its buffer, then the daily loss limit, on a fresh evaluation. */
function lossRefusal(config: RulesConfig, s: RuleState, live: LiveAccount, now: number): StepDecision {
  const ev = evaluate(config, s, live, now);
  const h = ev.headroom;
  if (h.maxLoss !== null && h.maxLoss <= 0) {
    // At or under the floor, "$0.00 from the floor, inside the buffer" would tell the trader nothing.
    return reject(
      "maxLossLimit",
      `Equity ${money(h.equity)} has reached the Maximum Loss Limit floor of ${money(h.floor!)}: entries are refused.`,
    );
  }
  if (h.maxLoss !== null && h.maxLoss <= config.flattenBuffer) {
    return reject(
      "maxLossLimit",
      `Equity ${money(h.equity)} is ${money(h.maxLoss)} from the Maximum Loss Limit floor (${money(h.floor!)}), inside the ${money(config.flattenBuffer)} buffer.`,
    );
  }
  // "none" only reports and "flatten" lets the trader go on once it has flattened (TopstepX's "Do
  // nothing" and "Liquidate"): only "flattenAndBlock", or a breach acting now, refuses entries.
  const dl = config.dailyLoss;
  if (
    dl &&
    h.dailyLoss !== null &&
    h.dailyLoss <= 0 &&
    (dl.action === "flattenAndBlock" || ev.breach?.rule === "dailyLossLimit")
  ) {
    const threshold = round2(h.equity - h.dailyLoss);
    return reject(
      "dailyLossLimit",
      `${dailyLossSentence(dl, h.equity, h.dayPnl, s.dayHighEquity, threshold)}${dl.action === "flattenAndBlock" ? ": entries are blocked until the next session" : ": entries wait until the account is flattened"}.`,
    );
  }
  return null;
}

/** The contract limit (or the scaling plan's tier), counting working orders with this one. */
function contractsRefusal(config: RulesConfig, s: RuleState, live: LiveAccount, intent: GateIntent): StepDecision {
  const limit = effectiveMaxContracts(config, s);
  if (limit === null || !intent.contractId || !intent.quantity) return null;
  const after = exposure(live, config.microRatio, { contractId: intent.contractId, size: intent.quantity });
  if (!(after > limit + 1e-9)) return null;
  const rule = contractsRule(config, s);
  return reject(
    rule,
    `This order would bring the position to ${round2(after)} mini-equivalent contracts (${config.microRatio} micros = 1 mini), counting working orders; the ${rule === "scaling" ? "scaling plan allows" : "limit is"} ${limit}.`,
  );
}

function approve(config: RulesConfig, s: RuleState, now: number): RuleDecision {
  if (config.maxOrdersPerMinute !== undefined) s.recentOrders.push(now);
  return { allow: true, rule: "allRulesPassed", reason: "Every rule passed." };
}
