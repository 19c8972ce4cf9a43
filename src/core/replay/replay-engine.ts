import { typicalCostPerSide } from "../contracts/closing-costs";
import { rootOfSymbol } from "../contracts/products";
import { dollarsAndCents } from "../money/format";
import { consistencyView } from "../rules/consistency";
import { initialState, type RuleState, rollTradingDay, round2 } from "../rules/rule-state";
import { RulesConfig, rulesFor } from "../rules/rules-config";
import {
  applyBreach,
  decide,
  effectiveMaxContracts,
  evaluate,
  exposure,
  type Headroom,
  type LiveAccount,
  sessionAt,
} from "../rules/rules-engine";
import { minutesOf } from "../time/chicago";
import { chicagoText, TRADING_TIME_ZONE, zoneTextFormatter } from "../time/chicago-text";
import { tradingDayOf, tradingDayStart } from "../time/trading-day";
import type { CurvePoint, ReplayReport, ReplayViolation } from "./replay-report";
import { ReplayInputError, type ReplayTrade } from "./replay-trade";
import { whatIfSentences } from "./what-if";

/** Options of {@link replay}. */
export interface ReplayOptions {
  /** Re-run with fewer contracts to say what would have passed (default true). */
  whatIf?: boolean;
  /** Keep the equity curve in the report (default true). */
  curve?: boolean;
  /** The IANA zone of the violations' `local` time and of the summary (default America/Chicago). */
  timeZone?: string;
}

/** The rules a replay stops at: the account is lost there. */
const FATAL = new Set(["maxLossLimit"]);

const ASSUMPTIONS = [
  "Each trade's open P&L is taken at its worst (the file's Drawdown) before it closes, so the Maximum Loss Limit and the daily loss limit are judged on the worst equity the trade could have shown: a conservative reading.",
  "Fees and commissions come from the cost table, per side per contract; set the strategy's own commission to 0 so that they are not counted twice.",
  "A profile with a profit target passes at the close of the day the target is reached with no rule broken and the best day within its share; later trades are not judged.",
  "Entries the live gate would have refused (past the 15:00 cutoff, over the contract limit or the scaling tier, while blocked) count as rules broken; the trade is still replayed as the file has it, as are trades after a rule that flattens live (the daily loss limit, the session's flatten): the first rule broken decides the verdict.",
  "Trades open together each keep their worst open P&L from their midpoint until they close.",
];

/** One moment of the replay: a fill, or a trade at its worst open P&L. */
interface ReplayEvent {
  at: number;
  kind: CurvePoint["kind"];
  trade: ReplayTrade;
  /** The trade's place in time order, four events each. */
  order: number;
}

/**
 * Replays closed trades through the live rules engine (`evaluate` on every fill and at every trade's
 * worst open P&L, `decide` on every entry) under one profile, on a replay clock: the trading day rolls,
 * the end-of-day floor trails and the scaling tier moves as they do live. Trades still open at the end
 * are left out. Throws a {@link ReplayInputError} for a trade without its P&L.
 */
export function replay(
  trades: readonly ReplayTrade[],
  profile: string | RulesConfig,
  opts: ReplayOptions = {},
): ReplayReport {
  const config = typeof profile === "string" ? rulesFor(profile) : RulesConfig.parse(profile);
  const report = replayOnce(trades, config, opts.curve !== false, false, opts.timeZone);
  if (opts.whatIf !== false) {
    // A re-run only asks whether it passes: the first rule broken answers it.
    const w = whatIfSentences(trades, config, report, (t) => replayOnce(t, config, false, true));
    report.whatIf = w.sentences;
    report.passesWithFewer = w.passesWithFewer;
  }
  return report;
}

/** The trades a replay judges: closed ones, in time order. */
function closedTrades(trades: readonly ReplayTrade[]): ReplayTrade[] {
  const closed = trades.filter((t) => t.exitTime !== undefined);
  for (const t of closed) {
    const at = `trade ${t.number} (${t.source})`;
    // `source` ends with the line of the trade's first row ("file.csv:12"): the error names it.
    const line = /:(\d+)$/.exec(t.source)?.[1];
    const fail = (column: string, message: string) =>
      new ReplayInputError(line === undefined ? null : Number(line), column, `${at} ${message}`);
    if (t.pnl === undefined || !Number.isFinite(t.pnl)) throw fail("pnl", "has no P&L: the replay needs it");
    if (!Number.isFinite(t.entryTime) || !Number.isFinite(t.exitTime) || t.exitTime! < t.entryTime)
      throw fail("exitTime", "closes before it opens or has no valid time");
    if (!Number.isInteger(t.quantity) || t.quantity <= 0)
      throw fail("quantity", `has ${t.quantity} contracts: a whole number above 0 is needed`);
  }
  return closed;
}

/**
 * One replay without what-ifs (the report's `whatIf` is empty); `untilFirstBreach` stops at the
 * first rule broken, for a re-run that only asks whether the history passes.
 */
export function replayOnce(
  trades: readonly ReplayTrade[],
  config: RulesConfig,
  keepCurve = true,
  untilFirstBreach = false,
  timeZone: string = TRADING_TIME_ZONE,
): ReplayReport {
  const closed = closedTrades(trades);
  const events: ReplayEvent[] = [];
  const flatten = new FlattenTimes(config);
  closed.forEach((t, i) => {
    const exit = t.exitTime!;
    events.push({ at: t.entryTime, kind: "entry", trade: t, order: i * 4 });
    events.push({ at: Math.floor((t.entryTime + exit) / 2), kind: "worst", trade: t, order: i * 4 + 1 });
    const held = flatten.heldAt(t.entryTime, exit);
    if (held !== null) events.push({ at: held, kind: "held", trade: t, order: i * 4 + 2 });
    events.push({ at: exit, kind: "exit", trade: t, order: i * 4 + 3 });
  });
  // At the same millisecond, a trade that closes goes before one that opens (a reversal is not held
  // twice); a trade's own entry, worst point and exit keep their order.
  const rank = (e: ReplayEvent) => ((e.kind === "exit" || e.kind === "held") && e.trade.entryTime < e.at ? 0 : 1);
  events.sort((a, b) => a.at - b.at || rank(a) - rank(b) || a.order - b.order);

  const first = events[0]?.at ?? 0;
  const s = initialState(config, 0, config.startBalance, first);
  const run = new Run(config, s, keepCurve, zoneTextFormatter(timeZone));
  for (const e of events) {
    run.step(e);
    if (run.lost || run.passed || (untilFirstBreach && run.violations.length > 0)) break;
  }
  return run.report(config, closed.length, trades.length);
}

/**
 * The trading days' starts and flatten moments, computed once a day: a trade held at its day's
 * flatten (or close) is flattened live, and the replay judges it there.
 */
class FlattenTimes {
  private readonly starts = new Map<number, number>();
  private readonly flats = new Map<number, number>();

  constructor(private readonly config: RulesConfig) {}

  /** A trading day starts at 17:00 Chicago, a whole UTC hour: one look-up per hour. */
  dayStart(ms: number): number {
    const hour = Math.floor(ms / 3_600_000);
    let start = this.starts.get(hour);
    if (start === undefined) {
      start = tradingDayStart(hour * 3_600_000);
      this.starts.set(hour, start);
    }
    return start;
  }

  /** The day's flatten (or close) moment; no clock change falls inside a trading day (they come on Sunday 02:00). */
  flatAt(dayStart: number): number {
    let at = this.flats.get(dayStart);
    if (at === undefined) {
      const session = sessionAt(this.config, dayStart + 60_000);
      const label = session.flattenLabel ?? session.closeLabel;
      at = dayStart + ((minutesOf(label) - minutesOf(this.config.session.open) + 1440) % 1440) * 60_000;
      this.flats.set(dayStart, at);
    }
    return at;
  }

  /**
   * When the live monitor would judge a trade still open past its day's flatten: at its exit when
   * that comes after the flatten, or a minute before the next trading day opens (held overnight);
   * null for a trade closed before the flatten.
   */
  heldAt(entry: number, exit: number): number | null {
    const start = this.dayStart(entry);
    const closed = start + 24 * 3_600_000 - 60_000;
    if (exit >= closed) return closed;
    return exit >= this.flatAt(start) ? exit : null;
  }
}

/** An open trade and the open P&L it is marked at. */
interface OpenTrade {
  trade: ReplayTrade;
  mark: number;
}

/** The replay's account: balance, open trades, and what the report collects on the way. */
class Run {
  balance: number;
  costs = 0;
  readonly open = new Map<ReplayTrade, OpenTrade>();
  readonly violations: ReplayViolation[] = [];
  readonly seen = new Set<string>();
  readonly curve: CurvePoint[] = [];
  readonly replayed = new Set<ReplayTrade>();
  mostContracts = 0;
  mostMini = 0;
  /** The last event's instant: where a verdict on the whole history is dated when no curve is kept. */
  lastAt: number | null = null;
  targetDay: string | null = null;
  lost = false;
  /** The account passed at the close of the day it reached its target: later trades are not judged. */
  passed = false;
  readonly days = new Set<string>();
  /** Closed days' P&L, kept here when the state need not carry them (see closeDays). */
  readonly closedPnl: Record<string, number> = {};

  /** At a day's close: the target reached, no rule broken and the best day within its share. */
  passedAtClose(): boolean {
    const target = this.config.profitTarget;
    if (target === undefined || this.violations.length > 0 || this.s.lastBalance - this.config.startBalance < target)
      return false;
    const view = consistencyView(this.config, { ...this.closedPnl, ...this.s.dailyPnl }, "", 0);
    return view === null || view.bestDayShare === null || view.bestDayShare <= view.bestDayPercent;
  }

  /**
   * Moves closed days' P&L out of the rule state: the engine sums every day's P&L on each
   * evaluation, quadratic over a long history; only a consistency rule that refuses entries reads
   * past days, and then they stay.
   */
  closeDays(): void {
    if (this.config.consistency?.refuseEntries) return;
    for (const [day, pnl] of Object.entries(this.s.dailyPnl))
      if (day !== this.s.tradingDay) {
        this.closedPnl[day] = pnl;
        delete this.s.dailyPnl[day];
      }
  }

  constructor(
    readonly config: RulesConfig,
    readonly s: RuleState,
    readonly keepCurve: boolean,
    readonly local: (ms: number) => string,
  ) {
    this.balance = config.startBalance;
  }

  live(): LiveAccount {
    const bySymbol = new Map<string, number>();
    let openPnl = 0;
    for (const o of this.open.values()) {
      const signed = o.trade.side === "long" ? o.trade.quantity : -o.trade.quantity;
      const id = contractOf(o.trade);
      bySymbol.set(id, (bySymbol.get(id) ?? 0) + signed);
      openPnl += o.mark;
    }
    const positions = [...bySymbol]
      .filter(([, size]) => size !== 0)
      .map(([contractId, size]) => ({ contractId, size }));
    return { balance: this.balance, openPnl, openPnlComplete: true, positions, workingOrders: [], synced: true };
  }

  step(e: ReplayEvent): void {
    const { config, s } = this;
    this.lastAt = e.at;
    // A trading day lasts at least 23 hours (a spring-forward): before that the day cannot have rolled.
    if (e.at >= s.dayStart + 23 * 3_600_000 && rollTradingDay(config, s, e.at)) {
      this.passed = this.passedAtClose();
      if (this.passed) return;
      this.closeDays();
    }
    const t = e.trade;
    const cost = typicalCostPerSide(contractOf(t)) * t.quantity;
    if (e.kind === "entry") {
      const signed = t.side === "long" ? t.quantity : -t.quantity;
      const d = decide(config, s, this.live(), { action: "place", contractId: contractOf(t), quantity: signed }, e.at);
      if (!d.allow) this.violate(d.rule, d.reason, e.at, t, null);
      this.fill(cost);
      this.open.set(t, { trade: t, mark: 0 });
      this.replayed.add(t);
    } else if (e.kind === "worst") {
      const o = this.open.get(t);
      if (o) o.mark = Math.min(0, t.drawdown ?? 0, t.pnl ?? 0);
    } else if (e.kind === "exit") {
      this.open.delete(t);
      this.balance = round2(this.balance + (t.pnl ?? 0));
      this.fill(cost);
    }
    const live = this.live();
    if (e.kind === "entry") {
      const held = live.positions.reduce((a, p) => a + Math.abs(p.size), 0);
      this.mostContracts = Math.max(this.mostContracts, held);
      this.mostMini = Math.max(this.mostMini, exposure(live, config.microRatio));
    }
    const ev = evaluate(config, s, live, e.at);
    if (ev.breach && ev.breach.action !== "none") {
      applyBreach(s, ev.breach);
      this.violate(ev.breach.rule, ev.breach.reason, e.at, t, ev.headroom);
      if (FATAL.has(ev.breach.rule)) {
        this.lost = true;
        this.flattenAtMarks();
      }
    }
    if (this.targetDay === null && s.targetReached) this.targetDay = s.tradingDay;
    if (this.keepCurve)
      this.curve.push({
        at: e.at,
        kind: e.kind,
        equity: ev.headroom.equity,
        balance: this.balance,
        floor: s.floor,
        dailyThreshold: ev.headroom.dailyLoss === null ? null : round2(ev.headroom.equity - ev.headroom.dailyLoss),
      });
  }

  /**
   * Closes every open trade at the open P&L it is marked at, paying its closing costs: live, the
   * rules flatten the account at a lost Maximum Loss Limit, so the loss is realized there and the
   * end balance is the account's, not the balance before the losing trade.
   */
  flattenAtMarks(): void {
    for (const o of this.open.values()) {
      this.balance = round2(this.balance + o.mark);
      this.fill(typicalCostPerSide(contractOf(o.trade)) * o.trade.quantity);
    }
    this.open.clear();
  }

  /** A fill: charges its costs, counts it for the day as the live guard does. */
  fill(cost: number): void {
    this.balance = round2(this.balance - cost);
    this.costs += cost;
    this.s.dayTrades++;
    const day = this.s.tradingDay;
    if (!this.days.has(day)) {
      this.days.add(day);
      this.s.tradingDays.push(day);
    }
  }

  violate(rule: string, reason: string, at: number, t: ReplayTrade | null, h: Headroom | null): void {
    const day = tradingDayOf(at);
    const key = `${rule}@${day}`;
    if (this.seen.has(key)) return;
    this.seen.add(key);
    const headroom = h ?? evaluate(this.config, this.s, this.live(), at).headroom;
    this.violations.push({
      rule,
      at,
      day,
      chicago: chicagoText(at),
      local: this.local(at),
      reason,
      equity: headroom.equity,
      floor: this.s.floor,
      limit: limitOf(rule, headroom, this.config, this.s),
      trade: t?.number ?? null,
    });
  }

  report(config: RulesConfig, replayedTrades: number, inFile: number): ReplayReport {
    const { s } = this;
    const profit = this.balance - config.startBalance;
    const dailyPnl = { ...this.closedPnl, ...s.dailyPnl };
    const view = consistencyView(config, dailyPnl, "", 0);
    const bestDayShare = view ? view.bestDayShare : shareOf(dailyPnl);
    const last = this.curve.at(-1)?.at ?? this.lastAt ?? 0;
    const target = config.profitTarget ?? null;
    const reached = target === null || profit >= target;
    if (view && target !== null && reached && bestDayShare !== null && bestDayShare > view.bestDayPercent)
      this.violations.push({
        rule: "consistency",
        at: last,
        day: s.tradingDay,
        chicago: chicagoText(last),
        local: this.local(last),
        reason: `fails on consistency: best day ${Math.round(bestDayShare)}% of the total profit; the most allowed is ${view.bestDayPercent}%.`,
        equity: this.balance,
        floor: s.floor,
        limit: view.bestDayPercent,
        trade: null,
      });
    const first = this.violations[0] ?? null;
    const verdict: ReplayReport["verdict"] = first ? "failed" : reached ? "passed" : "not-yet";
    return {
      profile: config.profile,
      verdict,
      summary: summaryOf(verdict, first, config, this.targetDay, profit),
      firstBreach: first,
      violations: this.violations,
      trades: this.replayed.size,
      tradesInFile: inFile,
      daysTraded: s.tradingDays.length,
      dailyPnl,
      bestDayShare,
      targetReachedOn: target === null ? null : this.targetDay,
      profitTarget: target,
      mostContracts: this.mostContracts,
      mostMiniEquivalent: round2(this.mostMini),
      startBalance: config.startBalance,
      endBalance: this.balance,
      costs: round2(this.costs),
      whatIf: [],
      passesWithFewer: null,
      assumptions:
        replayedTrades < inFile
          ? [...ASSUMPTIONS, `${inFile - replayedTrades} trade(s) still open at the end are left out.`]
          : ASSUMPTIONS,
      curve: this.curve,
    };
  }
}

const contracts = new Map<string, string>();

/** A contract id the rules read the product from (`CON.F.US.EP.REPLAY` for ES). */
function contractOf(t: ReplayTrade): string {
  let id = contracts.get(t.symbol);
  if (id === undefined) {
    id = `CON.F.US.${rootOfSymbol(t.symbol)}.REPLAY`;
    contracts.set(t.symbol, id);
  }
  return id;
}

/** The best day's share of the total profit without a consistency rule, percent. */
function shareOf(daily: Record<string, number>): number | null {
  const days = Object.values(daily);
  const total = days.reduce((a, b) => a + b, 0);
  const best = Math.max(0, ...days);
  return total > 0 && best > 0 ? round2((best / total) * 100) : null;
}

function limitOf(rule: string, h: Headroom, config: RulesConfig, s: RuleState): number | null {
  if (rule === "maxLossLimit" || rule === "flattenBuffer") return s.floor;
  if (rule === "dailyLossLimit") return h.dailyLoss === null ? null : round2(h.equity - h.dailyLoss);
  if (rule === "maxContracts" || rule === "scaling") return effectiveMaxContracts(config, s);
  return null;
}

function summaryOf(
  verdict: ReplayReport["verdict"],
  first: ReplayViolation | null,
  config: RulesConfig,
  targetDay: string | null,
  profit: number,
): string {
  if (first) return `Failed on ${first.rule} on ${first.local}: ${first.reason}`;
  if (verdict === "passed")
    return config.profitTarget === undefined
      ? `Kept: no rule broken, net ${profit < 0 ? "-" : ""}${dollarsAndCents(profit)}.`
      : `Passed: the ${dollarsAndCents(config.profitTarget)} target reached on ${targetDay} with no rule broken.`;
  return `Not yet: no rule broken, net ${profit < 0 ? "-" : ""}${dollarsAndCents(profit)} of the ${dollarsAndCents(config.profitTarget ?? 0)} target.`;
}
