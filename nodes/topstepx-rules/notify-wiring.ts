import type { ConnectionStatus, GatewayConnection } from "../../src/core/connection";
import type { Journal } from "../../src/core/journal/journal";
import { periodSummaries } from "../../src/core/journal/summaries";
import type { AccountGuard } from "../../src/core/rules/account-guard";
import { Notifier, type RuleEvent } from "../../src/core/rules/notifications";
import type { Send } from "../shared/attach";
import { NodeType } from "../shared/node-types";
import { textsOf } from "../shared/texts";
import { notificationInWords } from "./notification-texts";
import { reportContext, reportEntries } from "./reports";

/** What the controller tells the notifications beside the guard's own events. */
export interface NotificationInputs {
  connection(s: ConnectionStatus): void;
  killSwitch(on: boolean, why: string): void;
}

/**
 * Sends a notification-ready msg (`topic: "notification"`) on the rule-state output for every
 * guard event worth one: breaches, flattens, guard stops, blocks, the kill switch, the connection
 * and each trading day's summary at its close.
 */
export function wireNotifications(
  guard: AccountGuard,
  conn: GatewayConnection,
  journal: Journal,
  send: Send,
  warn: (message: string) => void,
): NotificationInputs {
  const accountId = guard.accountId;
  const notifier = new Notifier(
    () => ({ account: conn.book(accountId)?.name || String(accountId), accountId }),
    undefined,
    conn.options.timeZone,
  );
  // Never into the guard: these run inside its emits, mid-flatten and mid-evaluation, where a
  // throw would read as a failed flatten or stop the day's roll.
  const safely =
    <A extends unknown[]>(f: (...a: A) => void) =>
    (...a: A) => {
      try {
        f(...a);
      } catch (e) {
        warn(textsOf(NodeType.Rules)("warnings.notificationFailed", { reason: (e as Error).message }));
      }
    };
  const tell = safely((e: RuleEvent) => {
    const n = notifier.notify(e, conn.clock.now());
    if (n) send([null, null, { topic: "notification", payload: notificationInWords(n, e) }]);
  });
  guard.on("breach", (b) => tell({ type: "breach", rule: b.rule, reason: b.reason, action: b.action }));
  guard.on("flatten", (f) => tell({ type: "flatten", ...f }));
  guard.on("guard", (a) => tell({ type: "guard", ...a }));
  guard.on("status", (s) => tell({ type: "status", event: s.event, blocked: s.blocked }));
  guard.on(
    "dayClosed",
    safely((d) => {
      const day = periodSummaries(reportEntries(journal, accountId), "day", reportContext(guard, conn)).find(
        (r) => r.key === d.tradingDay,
      );
      // A day without a fill or a rule event (a weekend, a day off) has nothing to tell.
      if (day) tell({ type: "summary", summary: day });
    }),
  );
  return {
    connection: (s) => tell({ type: "connection", state: s.state, reason: s.reason }),
    killSwitch: (on, why) => tell({ type: "killSwitch", on, why }),
  };
}
