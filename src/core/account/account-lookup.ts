import type { GatewayConnection } from "../connection";
import { IntentError } from "../orders/order-intent";

/** How long the list of account names is trusted before a name not in it sends for a fresh one. */
const NAMES_TTL_MS = 60_000;

/**
 * Whether an account reference (its id, the id's digits, or its name in any case) names this
 * account: how {@link AccountLookup} reads a reference, for a list already at hand.
 */
export function namesAccount(ref: string, account: { id: number; name: string }): boolean {
  return /^\d+$/.test(ref) ? Number(ref) === account.id : ref.toLowerCase() === account.name.toLowerCase();
}

/**
 * Turns an account reference (an id, its digits, or the account's name, matched case-insensitively)
 * into the account id: the one place where names become ids. Falls back to a default account when
 * the reference is blank.
 */
export class AccountLookup {
  private names: { at: number; byName: Map<string, number> } | null = null;

  constructor(
    private readonly conn: GatewayConnection,
    private readonly defaultAccount: number | string | null = null,
  ) {}

  /** The numeric id of an id or a name; an IntentError naming `account` when there is none. */
  async id(ref: number | string | undefined | null): Promise<number> {
    const r = ref ?? this.defaultAccount;
    if (r === undefined || r === null || r === "")
      throw new IntentError("account", "no account given and no default account configured");
    if (typeof r === "number") return r;
    if (/^\d+$/.test(r)) return Number(r);
    const key = r.toLowerCase();
    const now = this.conn.clock.now();
    if (!this.names || now - this.names.at > NAMES_TTL_MS || !this.names.byName.has(key)) {
      const accounts = await this.conn.api.searchAccounts(false);
      this.names = { at: now, byName: new Map(accounts.map((a) => [a.name.toLowerCase(), a.id])) };
    }
    const id = this.names.byName.get(key);
    if (id === undefined) throw new IntentError("account", `no account named "${r}"`);
    return id;
  }
}
