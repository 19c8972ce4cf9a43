import type { Notification, RuleEvent } from "../../src/core/rules/notifications";
import { NodeType } from "../shared/node-types";
import { ruleText } from "../shared/rule-texts";
import { textsOf } from "../shared/texts";

const T = textsOf(NodeType.Rules);

type Words = Pick<Notification, "title" | "text">;

/**
 * A notification in the catalogue's words: titles and the texts that are words only come from the
 * rules node's catalogue ("notifications" section), by the event that made them; texts that carry
 * the core's figures (a breach's reason, a guard's prices, a flatten's counts, a summary) stay as
 * the core wrote them.
 */
export function notificationInWords(n: Notification, e: RuleEvent): Notification {
  const words = wordsOf(n, e);
  return words ? { ...n, ...words } : n;
}

function wordsOf(n: Notification, e: RuleEvent): Partial<Words> | null {
  switch (e.type) {
    case "breach":
      return { title: T("notifications.breach", { rule: ruleText(e.rule) }) };
    case "killSwitch": {
      const why = e.why ? { why: e.why } : null;
      return e.on
        ? {
            title: T("notifications.killSwitchOn"),
            text: why ? T("notifications.killSwitchOnWhy", why) : T("notifications.killSwitchOnText"),
          }
        : {
            title: T("notifications.killSwitchOff"),
            text: why ? T("notifications.killSwitchOffWhy", why) : T("notifications.killSwitchOffText"),
          };
    }
    case "connection":
      return e.state === "connected"
        ? { title: T("notifications.reconnected"), text: T("notifications.reconnectedText") }
        : {
            title: T("notifications.disconnected"),
            text: e.reason
              ? T("notifications.disconnectedWhy", { state: e.state, reason: e.reason })
              : T("notifications.disconnectedText", { state: e.state }),
          };
    case "guard":
      return { title: T(GUARD_TITLES[e.action] ?? "notifications.guardMoved", { contractId: e.contractId }) };
    case "flatten": {
      const what = T(e.reduce ? "notifications.reduce" : "notifications.flatten");
      if (e.phase === "started") return { title: T("notifications.flattenStarted", { what }) };
      if (e.phase === "failed") return { title: T("notifications.flattenFailed", { what }) };
      return { title: T(e.flat === false ? "notifications.flattenNotFlat" : "notifications.flattenDone", { what }) };
    }
    case "status":
      if (n.event !== "block") return null;
      return e.blocked
        ? { title: T("notifications.blocked", { rule: ruleText(n.rule ?? e.blocked.rule) }) }
        : {
            title: T("notifications.unblocked"),
            text: T("notifications.unblockedText", { rule: ruleText(n.rule ?? "") }),
          };
    default:
      return null;
  }
}

const GUARD_TITLES: Record<string, string> = {
  placed: "notifications.guardPlaced",
  modified: "notifications.guardMoved",
  tightened: "notifications.guardMoved",
  filled: "notifications.guardFilled",
  failed: "notifications.guardFailed",
};
