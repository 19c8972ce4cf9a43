import type { PeriodSummary } from "../journal/summaries";
import { priceText, signedDollars, wholeDollars } from "../money/format";
import { chicagoText, TRADING_TIME_ZONE, type ZoneTextFormatter, zoneTextFormatter } from "../time/chicago-text";
import type { FlattenPhase } from "./account-guard";

/** How urgent a notification is: a phone app maps it to a priority or a sound. */
export type Severity = "info" | "warning" | "critical";

/**
 * A notification-ready message body: what a Telegram, Discord, ntfy or email node needs, the same
 * for every event, so one function node per service shapes them all.
 */
export interface Notification {
  title: string;
  text: string;
  severity: Severity;
  /** The account's name (its id when the name is unknown) and its id. */
  account: string;
  accountId: number;
  /** The rule concerned, when one is. */
  rule?: string;
  /**
   * When it happened: ISO UTC; as the trading time zone reads it ("2026-11-25 09:30:00 CST"); and
   * in the display time zone the configuration names (the same as `timeCT` by default).
   */
  time: string;
  timeCT: string;
  local: string;
  /** What happened, as a word a flow can switch on: breach, flatten, guard, connection, killSwitch, block, summary, or a newer rule's event. */
  event: string;
}

/**
 * What the rules report, as the notifier reads it. Each kind is generic over the rules: a breach of
 * any rule, a block by any rule (a cooldown, a blackout, a profit lock) and any other named event
 * of the rule-state output becomes a notification without a line here.
 */
export type RuleEvent =
  | { type: "breach"; rule: string; reason: string; action?: string }
  | ({ type: "flatten" } & FlattenPhase)
  | {
      type: "guard";
      action: string;
      contractId: string;
      size?: number;
      stopPrice?: number;
      from?: { size: number; stopPrice: number | null };
      reason: string;
    }
  | { type: "connection"; state: string; reason?: string }
  | { type: "killSwitch"; on: boolean; why?: string }
  /** A rule-state msg: its `event` and its block, compared with the previous one. */
  | { type: "status"; event?: string; blocked: { rule: string; reason: string; until: number | null } | null }
  | { type: "summary"; summary: PeriodSummary };

/** Guard moves of one contract are told at most this often: a guard that follows a trailing floor reprices every few seconds. */
export const GUARD_MOVE_INTERVAL_MS = 5 * 60_000;
/** Another event of the same name (one of a newer rule) is told at most this often. */
export const EVENT_INTERVAL_MS = 60_000;

/** Status events the notifier never tells on their own: each is told through its own kind, or is routine. */
const QUIET_EVENTS = new Set([
  "heartbeat",
  "synced",
  "disconnected",
  "flattened",
  "guard",
  "state",
  "rearm",
  "killSwitch",
  "refused",
]);
const QUIET_PREFIXES = ["breach:", "guard:", "killSwitch:"];
/** Holds that every start goes through, or that the kill switch and breaches already tell. */
const QUIET_BLOCKS = new Set(["floorUnknown", "stateUnknown", "killSwitch"]);

const money = wholeDollars;

/**
 * Turns the rules' events into notifications, keeping what it needs to tell only changes: the last
 * connection state told, the block in force, when each guard was last told moving. Pure but for
 * that memory: time comes in with each event.
 */
export class Notifier {
  private connected: boolean | null = null;
  private toldDrop = false;
  private block: string | null = null;
  private readonly lastBreach = new Map<string, number>();
  private readonly guardMoves = new Map<string, number>();
  private readonly events = new Map<string, number>();
  private readonly local: ZoneTextFormatter;

  /** `timeZone`: the IANA zone of `local` and of the times in the texts (default America/Chicago). */
  constructor(
    private readonly who: () => { account: string; accountId: number },
    private readonly guardMoveIntervalMs = GUARD_MOVE_INTERVAL_MS,
    timeZone: string = TRADING_TIME_ZONE,
  ) {
    this.local = zoneTextFormatter(timeZone);
  }

  /** The notification of an event at `now` (epoch ms), or null when it is not worth one. */
  notify(e: RuleEvent, now: number): Notification | null {
    const n = this.shape(e, now);
    if (!n) return null;
    return {
      ...n,
      ...this.who(),
      time: new Date(now).toISOString(),
      timeCT: chicagoText(now),
      local: this.local(now),
    };
  }

  private shape(
    e: RuleEvent,
    now: number,
  ): Omit<Notification, "account" | "accountId" | "time" | "timeCT" | "local"> | null {
    switch (e.type) {
      case "breach":
        this.lastBreach.set(e.rule, now);
        return {
          event: "breach",
          rule: e.rule,
          severity: "critical",
          title: `Rule breached: ${e.rule}`,
          text: e.reason,
        };
      case "flatten":
        return flattenNote(e);
      case "guard":
        return this.guardNote(e, now);
      case "connection":
        return this.connectionNote(e);
      case "killSwitch":
        return {
          event: "killSwitch",
          rule: "killSwitch",
          severity: e.on ? "warning" : "info",
          title: e.on ? "Kill switch on" : "Kill switch off",
          text: e.on
            ? `Entries are refused until re-armed${e.why ? `: ${e.why}` : ""}.`
            : `Entries are allowed again${e.why ? `: ${e.why}` : ""}.`,
        };
      case "status":
        return this.blockNote(e, now) ?? this.eventNote(e, now);
      case "summary":
        return summaryNote(e.summary);
    }
  }

  /** Placed, filled and failed guards are told; moves once per contract per interval; cancels (the position closed) not. */
  private guardNote(e: Extract<RuleEvent, { type: "guard" }>, now: number) {
    const at = e.stopPrice !== undefined ? ` @ ${priceText(e.stopPrice)}` : "";
    const size = e.size !== undefined ? ` ${e.size}` : "";
    switch (e.action) {
      case "placed":
        this.guardMoves.set(e.contractId, now);
        return {
          event: "guard",
          severity: "info" as const,
          title: `Guard stop placed: ${e.contractId}`,
          text: `Guard stop${size}${at} on ${e.contractId}: ${e.reason}`,
        };
      case "modified":
      case "tightened": {
        const last = this.guardMoves.get(e.contractId);
        if (last !== undefined && now - last < this.guardMoveIntervalMs) return null;
        this.guardMoves.set(e.contractId, now);
        const from = e.from?.stopPrice != null ? ` from ${priceText(e.from.stopPrice)}` : "";
        return {
          event: "guard",
          severity: "info" as const,
          title: `Guard stop moved: ${e.contractId}`,
          text: `Guard stop${size} on ${e.contractId} moved${from}${e.stopPrice !== undefined ? ` to ${priceText(e.stopPrice)}` : ""}: ${e.reason}`,
        };
      }
      case "filled":
        return {
          event: "guard",
          severity: "critical" as const,
          title: `Guard stop filled: ${e.contractId}`,
          text: `The guard stop${size}${at} on ${e.contractId} filled: ${e.reason}`,
        };
      case "failed":
        return {
          event: "guard",
          severity: "critical" as const,
          title: `Guard stop failed: ${e.contractId}`,
          text: `A guard stop request on ${e.contractId} failed; the position may be unprotected at the gateway: ${e.reason}`,
        };
      default:
        return null;
    }
  }

  /** A drop is told once when the connection leaves "connected"; the return once, only after a drop was told. */
  private connectionNote(e: Extract<RuleEvent, { type: "connection" }>) {
    const up = e.state === "connected";
    const was = this.connected;
    this.connected = up;
    if (up) {
      if (!this.toldDrop) return null;
      this.toldDrop = false;
      return {
        event: "connection",
        severity: "info" as const,
        title: "Reconnected",
        text: "The connection to TopstepX is back; entries are allowed again once the account is re-synced.",
      };
    }
    if (was !== true || this.toldDrop) return null;
    this.toldDrop = true;
    return {
      event: "connection",
      severity: "warning" as const,
      title: "Disconnected",
      text: `The connection to TopstepX is ${e.state}${e.reason ? ` (${e.reason})` : ""}: entries are refused until it is back; guard stops resting at the gateway still protect open positions.`,
    };
  }

  /** A block by any rule is told when it starts and when it ends; a breach that blocks was told already. */
  private blockNote(e: Extract<RuleEvent, { type: "status" }>, now: number) {
    const b = e.blocked && !QUIET_BLOCKS.has(e.blocked.rule) ? e.blocked : null;
    const key = b ? `${b.rule}|${b.until ?? ""}` : null;
    if (key === this.block) return null;
    const previous = this.block;
    this.block = key;
    if (!b) {
      if (!previous) return null;
      return {
        event: "block",
        rule: previous.split("|")[0],
        severity: "info" as const,
        title: "Entries allowed again",
        text: `The block by ${previous.split("|")[0]} has ended.`,
      };
    }
    const breached = this.lastBreach.get(b.rule);
    if (breached !== undefined && now - breached < 60_000) return null;
    const until = b.until !== null ? ` until ${this.local(b.until)}` : "";
    return {
      event: "block",
      rule: b.rule,
      severity: "warning" as const,
      title: `Entries blocked: ${b.rule}`,
      text: `${b.reason}${until ? ` (blocked${until})` : ""}`,
    };
  }

  /** A named event this notifier has no kind for (a newer rule's), told as info at most once a minute per name. */
  private eventNote(e: Extract<RuleEvent, { type: "status" }>, now: number) {
    const name = e.event;
    if (!name || QUIET_EVENTS.has(name) || QUIET_PREFIXES.some((p) => name.startsWith(p))) return null;
    const last = this.events.get(name);
    if (last !== undefined && now - last < EVENT_INTERVAL_MS) return null;
    this.events.set(name, now);
    const rule = name.split(":")[0];
    return {
      event: name,
      rule,
      severity: "info" as const,
      title: `Rules: ${name.replace(/:/g, " ")}`,
      text: `The rules report "${name}".`,
    };
  }
}

function flattenNote(e: Extract<RuleEvent, { type: "flatten" }>) {
  const what = e.reduce ? "Reduce" : "Flatten";
  if (e.phase === "started")
    return {
      event: "flatten",
      rule: e.reason,
      severity: "warning" as const,
      title: `${what} started`,
      text: `${what} of the account started (${e.reason}).`,
    };
  if (e.phase === "failed")
    return {
      event: "flatten",
      rule: e.reason,
      severity: "critical" as const,
      title: `${what} FAILED`,
      text: `${what} (${e.reason}) failed: ${e.error ?? "unknown error"}. Check the account now; the rules try again on the next evaluation.`,
    };
  const flat = e.flat !== false;
  return {
    event: "flatten",
    rule: e.reason,
    severity: flat ? ("info" as const) : ("critical" as const),
    title: flat ? `${what} done` : `${what} done, NOT flat`,
    text: `${what} (${e.reason}): ${flat ? "flat" : "NOT flat"}, ${e.closed ?? 0} position(s) closed, ${e.cancelled ?? 0} order(s) cancelled.`,
  };
}

/** The daily (or weekly) summary as a notification: net P&L, trades and win rate, fees, headroom left. */
function summaryNote(s: PeriodSummary) {
  const rate = s.winRate === null ? "" : `, ${Math.round(s.winRate * 100)}% won`;
  const headroom =
    s.headroomAtClose === null ? "" : ` Headroom to the loss floor at the close: ${money(s.headroomAtClose)}.`;
  const events = Object.entries(s.ruleEvents)
    .map(([k, v]) => `${k}${v > 1 ? ` ×${v}` : ""}`)
    .join(", ");
  return {
    event: "summary",
    severity: "info" as const,
    title: `${s.period === "day" ? "Day" : "Week"} ${s.key}: ${signedDollars(s.netPnl)}`,
    text: `Net ${signedDollars(s.netPnl)} (gross ${signedDollars(s.grossPnl)}, fees and commissions ${signedDollars(-(s.fees + s.commissions))}); ${s.trades} trade(s)${rate}; max drawdown ${money(s.maxDrawdown)}.${headroom}${events ? ` Rule events: ${events}.` : ""}`,
  };
}
