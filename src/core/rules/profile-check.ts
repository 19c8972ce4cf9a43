import { signedDollars } from "../money/format";
import type { RulesConfig } from "./rules-config";

/** What a TopstepX account name says about the account. */
export interface AccountKind {
  kind: "combine" | "xfa" | "practice" | null;
  /** Account size in dollars (50K → 50,000), when the name carries it. */
  size: number | null;
}

const KIND_WORDS: Record<NonNullable<AccountKind["kind"]>, string> = {
  combine: "Trading Combine",
  xfa: "Express Funded",
  practice: "Practice",
};

/**
 * Reads a TopstepX account name. Documented: Combines are "50KTC-V2-…", "150KTC-V2-…" ("TC" is
 * Trading Combine; docs/projectx-gateway.md §3.1), Practice accounts "PRAC-V2-…". Express Funded
 * names are not documented: "XFA" or "EXPRESS" anywhere in the name is taken to mean one. Anything
 * else says nothing, and only the balance is judged.
 */
export function accountKindOf(name: string): AccountKind {
  const n = name.toUpperCase();
  const sizeMatch = /(?:^|[^0-9])(\d{2,3})K(?=TC|-|_|\s|$)/.exec(n);
  const size = sizeMatch ? Number(sizeMatch[1]) * 1000 : null;
  if (/XFA|EXPRESS/.test(n)) return { kind: "xfa", size };
  if (/^PRAC/.test(n)) return { kind: "practice", size };
  if (/^(\d{2,3}K)?TC[-_]/.test(n)) return { kind: "combine", size };
  return { kind: null, size };
}

/** The kind and size a built-in profile stands for ("topstep-xfa-50k" → Express Funded 50K). */
export function profileKindOf(profile: string): { kind: "combine" | "xfa"; size: number } | null {
  const m = /^topstep-(combine|xfa)-(\d+)k$/.exec(profile);
  return m ? { kind: m[1] as "combine" | "xfa", size: Number(m[2]) * 1000 } : null;
}

/**
 * The balances an account that fits the rules can report: from two loss limits under the start
 * balance (one limit is the floor itself; the second allows for a liquidation's slippage past it)
 * to ten loss limits above it. A 50K Combine ($2,000 limit): $46,000 to $70,000; a 50K Express
 * Funded account, which starts at $0: −$4,000 to $20,000. Narrow on purpose: an account whose
 * balance is outside is far more likely under the wrong profile than that far along.
 */
export function plausibleBalance(config: RulesConfig): { low: number; high: number } | null {
  const f = config.lossFloor;
  if (!f) return null;
  return { low: config.startBalance - 2 * f.amount, high: config.startBalance + 10 * f.amount };
}

const money = signedDollars;

/**
 * Why the rules do not fit the account, or null when they do: a balance far from the profile's
 * model (an Express Funded profile on an account reporting $50,000 would see $50,000 of headroom;
 * a Combine profile on an account at $0 would see −$48,000), or a name that says another kind or
 * size of account than the profile. Entries are refused while this is not null.
 */
export function profileMismatch(config: RulesConfig, account: { name: string; balance: number }): string | null {
  const why: string[] = [];
  const range = plausibleBalance(config);
  if (range && (account.balance < range.low || account.balance > range.high)) {
    why.push(
      `with a start balance of ${money(config.startBalance)} and a ${money(config.lossFloor!.amount)} loss limit the balance should be between ${money(range.low)} and ${money(range.high)}`,
    );
  }
  const profile = profileKindOf(config.profile);
  const named = accountKindOf(account.name);
  if (profile && named.kind && named.kind !== "practice" && named.kind !== profile.kind) {
    why.push(`the name says ${KIND_WORDS[named.kind]}, the profile is ${KIND_WORDS[profile.kind]}`);
  } else if (profile && named.kind && named.kind !== "practice" && named.size !== null && named.size !== profile.size) {
    why.push(`the name says ${named.size / 1000}K, the profile is ${profile.size / 1000}K`);
  }
  if (why.length === 0) return null;
  return (
    `Profile ${config.profile} does not fit account ${account.name || "(unnamed)"} (balance ${money(account.balance)}): ${why.join("; ")}. ` +
    "Entries are refused (exits pass) until the rules node has the account's profile or start balance."
  );
}
