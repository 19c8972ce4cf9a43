import type { GatewayApi } from "../gateway/gateway-api";
import { type FloorCheck, settleFloor } from "./floor-check";
import { type EodHistory, readEodHistory } from "./floor-history";
import { profileMismatch } from "./profile-check";
import type { EntryHold, RuleState } from "./rule-state";
import type { RulesConfig } from "./rules-config";

/** What AccountChecks reads and whom it tells: the gateway, the account's book, the rules node's guard. */
export interface AccountChecksDeps {
  api: GatewayApi;
  accountId: number;
  config: RulesConfig;
  /** The injected clock's time, epoch ms. */
  now(): number;
  /** The account as its book shows it now (name and realized balance). */
  account(): { name: string; balance: number } | null;
  /** A floor check finished: the rule state holds its outcome. */
  settled(check: FloorCheck): void;
  /** A check failed (it is retried): for the log. */
  error(e: Error): void;
}

const PENDING: EntryHold = {
  rule: "floorUnknown",
  reason: "The loss floor is being rebuilt from the account's trade history: entries wait until it is.",
};
const RETRY_MIN_MS = 2_000;
const RETRY_MAX_MS = 60_000;

/**
 * What the rules must establish about an account before judging entries, beyond its live state:
 * that the profile fits the account (judged on every sync, it costs no I/O), and where the
 * trailing floor stands (rebuilt once per start from the account's trade history; retried with
 * backoff while the history cannot be read). Each writes its refusal into the rule state's
 * entryHold; exits are never held.
 */
export class AccountChecks {
  private floorHold: EntryHold | null = PENDING;
  private profileHold: EntryHold | null = null;
  private outcome: "pending" | "failed" | "done" = "pending";
  private reading = false;
  private timer: NodeJS.Timeout | null = null;
  private retryMs = RETRY_MIN_MS;
  private stopped = false;
  private state: RuleState | null = null;

  constructor(private readonly d: AccountChecksDeps) {}

  /** On every sync of the account: judges the profile, and starts the floor check the first time. */
  onSynced(s: RuleState, account: { name: string; balance: number }): void {
    this.state = s;
    const why = profileMismatch(this.d.config, account);
    this.profileHold = why ? { rule: "profileMismatch", reason: why } : null;
    s.entryHold = this.profileHold ?? this.floorHold;
    if (this.outcome !== "pending") return;
    // The previous start's outcome says nothing about this one until the history is read again.
    s.floorCheck = null;
    void this.check();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private async check(): Promise<void> {
    if (this.reading || this.stopped || !this.state) return;
    this.reading = true;
    const { api, accountId, config } = this.d;
    let history: EodHistory | null = null;
    let error: string | null = null;
    try {
      // A fill landing between the last window and the balance read would look like a gap: read twice.
      for (let attempt = 0; attempt < 2 && !history?.reconciled && !this.stopped; attempt++) {
        history = await readEodHistory(
          api,
          accountId,
          config.startBalance,
          () => this.d.account()?.balance ?? Number.NaN,
          this.d.now(),
        );
      }
    } catch (e) {
      error = (e as Error).message;
    } finally {
      this.reading = false;
    }
    const s = this.state;
    if (this.stopped || !s) return;
    const balance = this.d.account()?.balance ?? history?.reportedBalance ?? Number.NaN;
    const { check, hold } = settleFloor(config, s, history, error, config.shownFloor, balance, this.d.now());
    this.floorHold = hold;
    s.entryHold = this.profileHold ?? this.floorHold;
    s.floorCheck = check;
    if (error) {
      this.outcome = "failed";
      this.timer = setTimeout(() => void this.check(), this.retryMs);
      this.timer.unref();
      this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
    } else {
      this.outcome = "done";
    }
    try {
      this.d.settled(check);
    } catch (e) {
      this.d.error(e as Error);
    }
  }
}
