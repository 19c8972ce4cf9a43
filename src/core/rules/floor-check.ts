import { signedDollars } from "../money/format";
import { tradingDayOf } from "../time/trading-day";
import type { EodHistory } from "./floor-history";
import { computeFloor, type EntryHold, type RuleState, round2, tierFor } from "./rule-state";
import type { RulesConfig } from "./rules-config";

/** How the floor in force was established, for the rule-state output and the journal. */
export interface FloorCheck {
  at: number;
  /**
   * What the floor in force rests on: the account's trade history rebuilt from the gateway, the
   * rule state kept in the journal (higher than the history's), the floor the trader entered as
   * TopstepX shows it, or nothing (entries refused).
   */
  source: "history" | "state" | "shown" | "unknown";
  floor: number | null;
  /** The floor the rebuilt history implies; null when the history does not account for the balance. */
  fromHistory: number | null;
  /** The floor the rule state held before the check (the journal's, or one from today's balance). */
  fromState: number | null;
  /** The floor the trader entered ("Floor shown in TopstepX"). */
  shown: number | null;
  history: {
    reconciled: boolean;
    rebuiltBalance: number;
    reportedBalance: number;
    withCommissions: boolean;
    closedDays: number;
    eodHigh: number;
    searchedFrom: string;
  } | null;
  /** The history could not be read: why. */
  error: string | null;
  /** What the trader should know, in a sentence; null when every source agrees. */
  note: string | null;
}

/** What settleFloor found, and whether entries must wait for a floor the trader enters. */
export interface FloorSettlement {
  check: FloorCheck;
  /** Refuse entries for this reason (the floor cannot be established). */
  hold: EntryHold | null;
}

const money = signedDollars;
const CENT = 0.005;

/**
 * Settles the loss floor at start from every source there is, and writes it into the rule state:
 * the account's rebuilt end-of-day history (when it accounts for the reported balance), the rule
 * state kept in the journal, and the floor the trader read in TopstepX. Of floors that disagree the
 * higher (tighter) one is used and the note says so. When the history cannot be trusted and the
 * trader entered no floor, a trailing floor is unknown: entries are held.
 *
 * A reconciled history also corrects what a restart could not see: closed days' P&L, today's
 * starting balance, and the scaling tier from the last end-of-day balance.
 */
export function settleFloor(
  config: RulesConfig,
  s: RuleState,
  history: EodHistory | null,
  error: string | null,
  shownFloor: number | undefined,
  balance: number,
  now: number,
): FloorSettlement {
  const fromState = s.floor;
  const shownValid = shownFloor !== undefined && shownFloor < balance;
  const reconciled = !!history && history.reconciled;
  if (history && reconciled) applyHistory(config, s, history, now);
  const fromHistory =
    history && reconciled
      ? computeFloor(config, {
          eodHigh: history.eodHigh,
          equityPeak: history.balanceHigh,
          startBalance: s.startBalance,
        })
      : null;
  const computed = computeFloor(config, { ...s, floorMinimum: null });
  s.floorMinimum = shownValid ? shownFloor : null;
  s.floor = computeFloor(config, s);
  s.floorLocked = s.floor !== null && s.floor >= (config.lossFloor?.lockAt ?? config.startBalance);
  const verdict = judgeFloor(config, s.floor, {
    history,
    error,
    shownFloor,
    shownValid,
    balance,
    reconciled,
    fromHistory,
    computed,
  });
  const check: FloorCheck = {
    at: now,
    source: verdict.source,
    floor: s.floor === null ? null : round2(s.floor),
    fromHistory,
    fromState,
    shown: shownFloor ?? null,
    error: error ?? null,
    note: verdict.note,
    history: history ? historySummary(history, reconciled) : null,
  };
  return { check, hold: verdict.hold };
}

/** What a reconciled history corrects in the rule state: peaks, closed days, today's start and tier. */
function applyHistory(config: RulesConfig, s: RuleState, history: EodHistory, now: number): void {
  s.eodHigh = Math.max(s.eodHigh, history.eodHigh);
  s.equityPeak = Math.max(s.equityPeak, history.balanceHigh);
  for (const d of history.days) {
    if (d.closed) s.dailyPnl[d.tradingDay] = d.pnl;
    if (d.fills > 0 && !s.tradingDays.includes(d.tradingDay)) s.tradingDays.push(d.tradingDay);
  }
  s.tradingDays.sort();
  if (s.tradingDay === tradingDayOf(now)) {
    s.dayStartBalance = history.todayStartBalance;
    s.dayHighEquity = Math.max(s.dayHighEquity, history.todayStartBalance);
    s.tierMaxContracts = tierFor(config, history.todayStartBalance);
  }
}

function historySummary(history: EodHistory, reconciled: boolean): NonNullable<FloorCheck["history"]> {
  return {
    reconciled,
    rebuiltBalance: history.rebuiltBalance,
    reportedBalance: history.reportedBalance,
    withCommissions: history.withCommissions,
    closedDays: history.days.filter((d) => d.closed).length,
    eodHigh: history.eodHigh,
    searchedFrom: new Date(history.searchedFrom).toISOString(),
  };
}

/** The floors each source gives, as settleFloor found them. */
interface FloorSources {
  history: EodHistory | null;
  error: string | null;
  shownFloor: number | undefined;
  /** The trader's floor is below the balance (an account at or under its floor has already lost). */
  shownValid: boolean;
  balance: number;
  reconciled: boolean;
  fromHistory: number | null;
  /** The floor from the rules and the rule state, without the trader's. */
  computed: number | null;
}

interface FloorVerdict {
  source: FloorCheck["source"];
  note: string | null;
  hold: EntryHold | null;
}

/** Which source the floor in force rests on, what the trader should know, and whether entries wait. */
function judgeFloor(config: RulesConfig, floor: number | null, x: FloorSources): FloorVerdict {
  const trailing = !!config.lossFloor && config.lossFloor.mode !== "static";
  if (x.shownFloor !== undefined && !x.shownValid) {
    return held(
      `The floor entered as shown in TopstepX (${money(x.shownFloor)}) is at or above the balance (${money(x.balance)}): an account there has already lost. Check the number in the rules node; entries are refused until then, exits pass.`,
    );
  }
  if (!x.reconciled && trailing) {
    if (!x.shownValid) {
      return held(
        `The trailing loss floor cannot be established: ${unreadSentence(x)} (fills older than a year, a payout or a wrong start balance do this). ` +
          "Enter the floor TopstepX shows in the rules node (Floor shown in TopstepX); entries are refused until then, exits pass.",
      );
    }
    const source = floor !== null && floor > x.shownFloor! + CENT ? "state" : "shown";
    const raised = source === "state" ? `, raised to ${money(floor!)} by the rule state kept in the journal` : "";
    const note = `The trailing floor cannot be rebuilt: ${unreadSentence(x)}. The floor you entered (${money(x.shownFloor!)}) is used${raised}.`;
    return { source, note, hold: null };
  }
  if (x.shownValid && x.computed !== null && Math.abs(x.shownFloor! - x.computed) > CENT)
    return shownDisagrees(x.shownFloor!, x.computed, x);
  if (x.fromHistory !== null && x.computed !== null && x.computed > x.fromHistory + CENT) {
    return {
      source: "state",
      note: `The rule state kept in the journal has a higher floor (${money(x.computed)}) than the one rebuilt from the account's history (${money(x.fromHistory)}): the higher one is kept.`,
      hold: null,
    };
  }
  return { source: x.reconciled ? "history" : "state", note: null, hold: null };
}

/** The trader's floor and the computed one differ: the higher is in force, and the note says which. */
function shownDisagrees(shown: number, computed: number, x: FloorSources): FloorVerdict {
  const basis = x.reconciled ? "the account's history" : "the rules";
  if (shown > computed) {
    return {
      source: "shown",
      note: `The floor you entered as shown in TopstepX (${money(shown)}) is above the floor computed from ${basis} (${money(computed)}): the higher one, yours, is used.`,
      hold: null,
    };
  }
  return {
    source: x.fromHistory !== null && computed > x.fromHistory + CENT ? "state" : "history",
    note: `The floor you entered as shown in TopstepX (${money(shown)}) is below the floor computed from ${basis} (${money(computed)}): the higher one, the computed, is used. Check TopstepX.`,
    hold: null,
  };
}

/** Entries wait: the floor cannot be established. */
function held(reason: string): FloorVerdict {
  return { source: "unknown", note: reason, hold: { rule: "floorUnknown", reason } };
}

/** Why the history did not rebuild the floor, in the trader's words. */
function unreadSentence(x: Pick<FloorSources, "history" | "error">): string {
  if (x.error) return `the account's trade history could not be read (${x.error})`;
  if (x.history)
    return `the account's trade history from the profile's start balance of ${money(x.history.startBalance)} rebuilds a balance of ${money(x.history.rebuiltBalance)}, the account reports ${money(x.history.reportedBalance)}`;
  return "the account's trade history was not read";
}
