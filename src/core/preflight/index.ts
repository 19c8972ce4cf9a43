export { bracketModeOf } from "./bracket-mode";
export {
  checkBrackets,
  checkClock,
  checkEditor,
  checkEnvironment,
  checkRules,
  checkWebhook,
  MIN_SECRET_LENGTH,
  preflight,
} from "./checks";
export { CLOCK_DANGER_MS, CLOCK_WARN_MS, clockOffset, dateHeaderMs } from "./clock-offset";
export { bySeverity, type Finding, type FindingCode, type Severity, type ShownFinding, worstSeverity } from "./finding";
export type * from "./snapshot";
