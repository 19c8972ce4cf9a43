import { accountKindOf, profileMismatch } from "../rules/profile-check";
import { bracketModeOf } from "./bracket-mode";
import { CLOCK_DANGER_MS, CLOCK_WARN_MS, clockOffset } from "./clock-offset";
import { bySeverity, type Finding } from "./finding";
import type { PreflightSnapshot } from "./snapshot";

/** A webhook secret shorter than this can be guessed by trying. */
export const MIN_SECRET_LENGTH = 16;

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/i;

/** Which gateway the configuration trades on: real orders or paper. */
export function checkEnvironment(s: PreflightSnapshot): Finding[] {
  if (s.configError) return [{ severity: "danger", code: "configInvalid", params: { error: s.configError } }];
  return [
    s.environment === "topstepx"
      ? { severity: "ok", code: "environmentLive", params: {} }
      : { severity: "ok", code: "environmentPaper", params: { environment: s.environment } },
  ];
}

/**
 * The editor: without adminAuth anyone who reaches it can deploy a flow (an exec node runs any
 * command on this computer) and trade the account; listening on every interface lets the whole
 * network reach it.
 */
export function checkEditor(editor: PreflightSnapshot["editor"]): Finding[] {
  const out: Finding[] = [
    editor.adminAuth
      ? { severity: "ok", code: "editorLogin", params: {} }
      : { severity: "danger", code: "editorOpen", params: {} },
  ];
  const host = editor.host?.trim() || null;
  out.push(
    host && LOOPBACK.test(host)
      ? { severity: "ok", code: "editorLocal", params: { host } }
      : { severity: "warn", code: "editorNetwork", params: { host: host ?? "0.0.0.0" } },
  );
  return out;
}

/**
 * The webhook secret, per alert node: an alert node that does not require it places orders for
 * anyone who finds the URL; one that requires it while none is set refuses every alert.
 */
export function checkWebhook(s: PreflightSnapshot): Finding[] {
  if (s.alerts.length === 0) return [];
  const out: Finding[] = [];
  for (const a of s.alerts) {
    const node = a.name || a.id;
    if (!a.requireSecret) out.push({ severity: "danger", code: "alertNoSecret", params: { node } });
    else if (s.webhookSecretLength === null) out.push({ severity: "warn", code: "alertRefusesAll", params: { node } });
  }
  const checked = s.alerts.filter((a) => a.requireSecret).length;
  if (s.webhookSecretLength !== null && checked > 0) {
    out.push(
      s.webhookSecretLength < MIN_SECRET_LENGTH
        ? { severity: "warn", code: "secretWeak", params: { length: s.webhookSecretLength, min: MIN_SECRET_LENGTH } }
        : { severity: "ok", code: "webhookSecret", params: { count: checked } },
    );
  }
  return out;
}

/**
 * Each rules node's profile against the account it guards (kind and size in the name, a balance
 * the profile can explain), as the rules node itself judges before it lets entries through.
 */
export function checkRules(s: PreflightSnapshot): Finding[] {
  if (s.rules.length === 0)
    return s.environment === "topstepx" && !s.configError ? [{ severity: "warn", code: "noRules", params: {} }] : [];
  const out: Finding[] = [];
  for (const r of s.rules) {
    const node = r.name || r.id;
    if (!r.config) {
      out.push({ severity: "danger", code: "rulesInvalid", params: { node, error: r.configError ?? "invalid rules" } });
      continue;
    }
    if (!r.account) {
      out.push({
        severity: "warn",
        code: "rulesAccountUnknown",
        params: { node, error: r.accountError ?? "no account" },
      });
      continue;
    }
    const why = profileMismatch(r.config, r.account);
    const params = { node, profile: r.profile, account: r.account.name || String(r.account.id) };
    out.push(
      why
        ? { severity: "danger", code: "profileMismatch", params: { ...params, reason: why } }
        : { severity: "ok", code: "profileFits", params },
    );
    if (accountKindOf(r.account.name).kind === "practice")
      out.push({ severity: "ok", code: "practiceAccount", params: { account: params.account } });
  }
  return out;
}

/**
 * The bracket mode of each traded account, as its recent orders show it. The order node works in
 * both, but in Position Brackets mode it is our process that cancels the other leg once one
 * fills: while Node-RED is down a take-profit left working can open a new position.
 */
export function checkBrackets(s: PreflightSnapshot): Finding[] {
  return s.traded.map(({ account, recentOrders }) => {
    const name = account.name || String(account.id);
    const mode = recentOrders ? bracketModeOf(recentOrders) : null;
    if (mode === "autoOco") return { severity: "ok", code: "bracketsAutoOco", params: { account: name } };
    if (mode === "positionBrackets") return { severity: "warn", code: "bracketsPosition", params: { account: name } };
    return { severity: "warn", code: "bracketsUnknown", params: { account: name } };
  });
}

/** Our clock against the gateway's: sessions, the entry cutoff and alert ages are judged by ours. */
export function checkClock(s: PreflightSnapshot): Finding[] {
  if ("error" in s.clock) return [{ severity: "warn", code: "clockUnknown", params: { error: s.clock.error } }];
  const { offsetMs, uncertaintyMs } = clockOffset(s.clock);
  const params = {
    seconds: `${offsetMs <= -50 ? "−" : "+"}${(Math.abs(offsetMs) / 1000).toFixed(1)}`,
    uncertainty: (uncertaintyMs / 1000).toFixed(1),
  };
  const off = Math.abs(offsetMs);
  if (off <= CLOCK_WARN_MS) return [{ severity: "ok", code: "clockOk", params }];
  return [{ severity: off >= CLOCK_DANGER_MS ? "danger" : "warn", code: "clockOffset", params }];
}

/**
 * Every pre-flight check over one snapshot of the live setup: dangers first, then warnings, then
 * what was found fine. A setup is safe to trade live when no finding is a danger.
 */
export function preflight(s: PreflightSnapshot): Finding[] {
  return bySeverity([
    ...checkEnvironment(s),
    ...checkEditor(s.editor),
    ...checkWebhook(s),
    ...checkRules(s),
    ...checkBrackets(s),
    ...checkClock(s),
  ]);
}
