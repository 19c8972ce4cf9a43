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

export interface FloorSettlement {
  check: FloorCheck;
  /** Refuse entries for this reason (the floor cannot be established). */
  hold: EntryHold | null;
}

const money = (x: number) =>
  `${x < 0 ? "−" : ""}$${Math.abs(x).toLocaleString("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 })}`;
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
  const trailing = !!config.lossFloor && config.lossFloor.mode !== "static";
  const shownValid = shownFloor !== undefined && shownFloor < balance;
  const shown = shownFloor ?? null;
  const reconciled = !!history && history.reconciled;
  if (history && reconciled) {
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

  const check: FloorCheck = {
    at: now,
    source: "history",
    floor: s.floor,
    fromHistory,
    fromState,
    shown,
    error: error ?? null,
    note: null,
    history: history
      ? {
          reconciled,
          rebuiltBalance: history.rebuiltBalance,
          reportedBalance: history.reportedBalance,
          withCommissions: history.withCommissions,
          closedDays: history.days.filter((d) => d.closed).length,
          eodHigh: history.eodHigh,
          searchedFrom: new Date(history.searchedFrom).toISOString(),
        }
      : null,
  };
  let hold: EntryHold | null = null;
  const unread = error
    ? `the account's trade history could not be read (${error})`
    : history
      ? `the account's trade history from the profile's start balance of ${money(history.startBalance)} rebuilds a balance of ${money(history.rebuiltBalance)}, the account reports ${money(history.reportedBalance)}`
      : "the account's trade history was not read";

  if (shownFloor !== undefined && !shownValid) {
    check.source = "unknown";
    hold = {
      rule: "floorUnknown",
      reason: `The floor entered as shown in TopstepX (${money(shownFloor)}) is at or above the balance (${money(balance)}): an account there has already lost. Check the number in the rules node; entries are refused until then, exits pass.`,
    };
    check.note = hold.reason;
  } else if (!reconciled && trailing) {
    if (shownValid) {
      check.source = s.floor !== null && s.floor > shownFloor! + CENT ? "state" : "shown";
      check.note = `The trailing floor cannot be rebuilt: ${unread}. The floor you entered (${money(shownFloor!)}) is used${check.source === "state" ? `, raised to ${money(s.floor!)} by the rule state kept in the journal` : ""}.`;
    } else {
      check.source = "unknown";
      hold = {
        rule: "floorUnknown",
        reason:
          `The trailing loss floor cannot be established: ${unread} (fills older than a year, a payout or a wrong start balance do this). ` +
          "Enter the floor TopstepX shows in the rules node (Floor shown in TopstepX); entries are refused until then, exits pass.",
      };
      check.note = hold.reason;
    }
  } else if (shownValid && computed !== null && Math.abs(shownFloor! - computed) > CENT) {
    const basis = reconciled ? "the account's history" : "the rules";
    if (shownFloor! > computed) {
      check.source = "shown";
      check.note = `The floor you entered as shown in TopstepX (${money(shownFloor!)}) is above the floor computed from ${basis} (${money(computed)}): the higher one, yours, is used.`;
    } else {
      check.source = fromHistory !== null && computed > fromHistory + CENT ? "state" : "history";
      check.note = `The floor you entered as shown in TopstepX (${money(shownFloor!)}) is below the floor computed from ${basis} (${money(computed)}): the higher one, the computed, is used. Check TopstepX.`;
    }
  } else if (fromHistory !== null && computed !== null && computed > fromHistory + CENT) {
    check.source = "state";
    check.note = `The rule state kept in the journal has a higher floor (${money(computed)}) than the one rebuilt from the account's history (${money(fromHistory)}): the higher one is kept.`;
  } else if (!reconciled) {
    check.source = "state";
  }
  check.floor = s.floor === null ? null : round2(s.floor);
  return { check, hold };
}
