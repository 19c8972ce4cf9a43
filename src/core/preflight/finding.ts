/** How bad a finding is: danger blocks going live, warn deserves a look, ok says what was checked. */
export type Severity = "danger" | "warn" | "ok";

/** What the pre-flight check can say; each code has a message and a fix in the config node's locales. */
export type FindingCode =
  | "configInvalid"
  | "environmentLive"
  | "environmentPaper"
  | "editorOpen"
  | "editorLogin"
  | "editorNetwork"
  | "editorLocal"
  | "alertNoSecret"
  | "alertRefusesAll"
  | "secretWeak"
  | "webhookSecret"
  | "noRules"
  | "rulesInvalid"
  | "rulesAccountUnknown"
  | "profileMismatch"
  | "profileFits"
  | "practiceAccount"
  | "bracketsAutoOco"
  | "bracketsPosition"
  | "bracketsUnknown"
  | "clockOffset"
  | "clockOk"
  | "clockUnknown";

/**
 * One thing the pre-flight check found. The words live with the front end (the config node's
 * locales); a finding carries its code and the values its texts name.
 */
export interface Finding {
  severity: Severity;
  code: FindingCode;
  /** The values the message and the fix name (node, account, seconds…). */
  params: Record<string, string | number>;
}

/** A finding with its texts in the reader's language, as the dialog and the CLI show it. */
export interface ShownFinding extends Finding {
  message: string;
  fix: string;
}

const ORDER: Record<Severity, number> = { danger: 0, warn: 1, ok: 2 };

/** The worst severity among findings; "ok" for none. */
export function worstSeverity(findings: readonly Finding[]): Severity {
  return findings.reduce<Severity>((w, f) => (ORDER[f.severity] < ORDER[w] ? f.severity : w), "ok");
}

/** Findings sorted dangers first, then warnings, then what is fine; the order within each is kept. */
export function bySeverity<F extends Finding>(findings: readonly F[]): F[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => ORDER[a.f.severity] - ORDER[b.f.severity] || a.i - b.i)
    .map(({ f }) => f);
}
