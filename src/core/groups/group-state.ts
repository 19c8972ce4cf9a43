import type { AccountBook } from "../account/account-book";
import { wholeDollars } from "../money/format";
import { signedPosition } from "../orders/target-position";
import type { GuardStatus } from "../rules/account-guard";
import { describeSizeRule, type SizeRule } from "./size-rule";

/** One account of a group, as a dashboard's row shows it. */
export interface AccountRow {
  /** The member as the group lists it (its label, else the account as configured). */
  account: string;
  accountId: number | null;
  name: string | null;
  /** The size rule in words ("2 fixed", "×0.5", "$200 risk"). */
  size: string;
  balance: number | null;
  dayPnl: number | null;
  /** Dollars between equity and the maximum loss limit's floor (the MLL headroom), when one applies. */
  mllLeft: number | null;
  /** Open positions, signed (-2 = short 2). */
  positions: Array<{ contractId: string; size: number; averagePrice: number }>;
  /** The tightest guard stop held: its level and the dollars left above the floor it keeps. */
  guard: { level: number | null; left: number | null } | null;
  /** What the account's rules say in a few words ("MLL $1,840 left", "kill switch on", "no rules node"). */
  status: string;
  /** The rule blocking entries, if any. */
  rule: string | null;
  killSwitch: boolean;
  synced: boolean;
}

/** What a row is built from: the member, its account's book and its guard's status (null without a rules node). */
export interface AccountRowInput {
  account: string;
  size: SizeRule;
  accountId: number | null;
  book: AccountBook | null;
  guard: GuardStatus | null;
  /** Why the account could not be looked at (unknown name…). */
  error?: string;
}

const money = wholeDollars;

/** The guard's status in a few words, the most pressing first. */
export function statusText(g: GuardStatus | null, error?: string): { text: string; rule: string | null } {
  if (error) return { text: error, rule: null };
  if (!g) return { text: "no rules node: entries refused", rule: "noRules" };
  if (!g.synced) return { text: "syncing account", rule: null };
  if (g.killSwitch) return { text: "kill switch on", rule: "killSwitch" };
  if (g.flattening) return { text: "flattening", rule: null };
  if (g.blocked) return { text: `blocked: ${g.blocked.rule}`, rule: g.blocked.rule };
  const h = g.headroom;
  if (!h) return { text: "waiting", rule: null };
  if (h.maxLoss !== null) return { text: `MLL ${money(h.maxLoss)} left`, rule: null };
  if (h.dailyLoss !== null) return { text: `daily ${money(h.dailyLoss)} left`, rule: null };
  return { text: `day P&L ${money(h.dayPnl)}`, rule: null };
}

/**
 * A group dashboard's row for one account: balance and positions from its book, day P&L, MLL
 * headroom, guard and kill switch from its rules node's guard.
 */
export function accountRow(i: AccountRowInput): AccountRow {
  const g = i.guard;
  const held = g?.guards.contracts.find((c) => c.quantity > 0 || c.coveredByOthers > 0);
  const s = statusText(g, i.error);
  return {
    account: i.account,
    accountId: i.accountId,
    name: i.book?.name || null,
    size: describeSizeRule(i.size),
    balance: i.book ? i.book.balance : null,
    dayPnl: g?.headroom?.dayPnl ?? null,
    mllLeft: g?.headroom?.maxLoss ?? null,
    positions: i.book
      ? [...i.book.positions.values()].map((p) => ({
          contractId: p.contractId,
          size: signedPosition(p),
          averagePrice: p.averagePrice,
        }))
      : [],
    guard: g?.guards.enabled ? { level: held?.level ?? null, left: g.guards.left } : null,
    status: s.text,
    rule: s.rule,
    killSwitch: g?.killSwitch ?? false,
    synced: g?.synced ?? false,
  };
}
