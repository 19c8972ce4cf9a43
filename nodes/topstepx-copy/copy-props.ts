import { SizeRule } from "../../src/core/groups/size-rule";

/** One follower row of the copy node's dialog, as saved: the account and how it sizes the leader's position. */
export interface FollowerProps {
  account?: string;
  /** "fixed" or "multiplier". */
  sizeBy?: string;
  /** The fixed quantity, or the multiplier. */
  size?: string | number;
}

/** The copy node's dialog (version 1). */
export interface CopyProps {
  leader?: string;
  followers?: FollowerProps[];
  /** Products copied, comma separated (MNQ, ES); blank: every contract. */
  symbols?: string;
  version?: number;
}

/** A follower as the controller uses it: the account still an id or a name, the size rule validated. */
export interface FollowerSpec {
  account: string;
  size: SizeRule;
}

/** The copy node's settings, validated. */
export interface CopySettings {
  leader: string;
  followers: FollowerSpec[];
  symbols: string[];
}

const text = (v: unknown) => (v === undefined || v === null ? "" : String(v).trim());

/**
 * The dialog's settings, validated, or an Error naming the field. A dollar-risk size needs the
 * stop distance of each order, and a leader's position has none: it is refused here.
 */
export function copySettings(p: CopyProps): CopySettings {
  const leader = text(p.leader);
  if (!leader) throw new Error("leader: choose the account to copy");
  const rows = Array.isArray(p.followers) ? p.followers : [];
  if (rows.length === 0) throw new Error("followers: add at least one follower account");
  const followers = rows.map((row, i) => {
    const field = `followers[${i}]`;
    const account = text(row.account);
    if (!account) throw new Error(`${field}.account: choose the follower's account`);
    if (account === leader) throw new Error(`${field}.account: the leader cannot follow itself`);
    const kind = text(row.sizeBy) || "multiplier";
    if (kind === "risk")
      throw new Error(
        `${field}.sizeBy: a dollar risk needs each order's stop distance, and a copied position has none: use fixed or multiplier`,
      );
    const raw = text(row.size) || "1";
    const parsed = SizeRule.safeParse(
      kind === "fixed" ? { kind, quantity: raw } : kind === "multiplier" ? { kind, factor: raw } : { kind },
    );
    if (!parsed.success || Number.isNaN(Number(raw)))
      throw new Error(
        `${field}.size: "${raw}" is not a ${kind === "fixed" ? "whole number of contracts from 1 to 1000" : kind === "multiplier" ? "multiplier above 0, at most 100" : "size rule (fixed or multiplier)"}`,
      );
    return { account, size: parsed.data };
  });
  const seen = new Set<string>();
  for (const [i, f] of followers.entries()) {
    if (seen.has(f.account)) throw new Error(`followers[${i}].account: ${f.account} is listed twice`);
    seen.add(f.account);
  }
  const symbols = text(p.symbols)
    .split(/[\s,;]+/)
    .map((s) => s.toUpperCase())
    .filter((s) => s !== "");
  for (const s of symbols)
    if (!/^[A-Z0-9]{1,6}$/.test(s)) throw new Error(`symbols: "${s}" is not a product symbol (MNQ, ES…)`);
  return { leader, followers, symbols };
}
