import type { Clock } from "../clock";
import type { Journal } from "./journal";

/** A guarded account's journal and the clock its rows are stamped with. */
export interface AccountJournal {
  journal: Journal;
  clock: Clock;
}

/**
 * Which journal keeps each guarded account's trail. The rules node that guards an account names
 * it here; whoever places orders or answers for that account (the order node, a webhook answer)
 * journals through it, so one file tells alert, decision, order, fill and answer together.
 */
const journals = new Map<number, AccountJournal>();

/** Names the journal of an account; returns the function that takes it back. */
export function registerAccountJournal(accountId: number, journal: Journal, clock: Clock): () => void {
  const entry = { journal, clock };
  journals.set(accountId, entry);
  return () => {
    if (journals.get(accountId) === entry) journals.delete(accountId);
  };
}

/** The journal of an account, or null when no rules node guards it. */
export function accountJournal(accountId: number): AccountJournal | null {
  return journals.get(accountId) ?? null;
}

/** Whether any account has a journal (so callers can skip resolving accounts for nothing). */
export function anyAccountJournal(): boolean {
  return journals.size > 0;
}
