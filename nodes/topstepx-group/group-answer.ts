import type { MemberResult } from "../../src/core/groups/fan-out";
import { describeSizeRule } from "../../src/core/groups/size-rule";
import { classifyError, outcomeStatus } from "../shared/error-mapping";
import { NodeType } from "../shared/node-types";
import { textsOf } from "../shared/texts";

/** One account's line of a group's answer. */
export interface AccountAnswer {
  /** The member as the group lists it (its label, else the account as configured). */
  account: string;
  accountId: number | null;
  name: string | null;
  outcome: MemberResult["outcome"];
  size: string;
  quantity?: number;
  action?: string;
  orderId?: number;
  customTag?: string;
  /** The order's status for a placement (filled, working, pending…). */
  orderStatus?: string;
  rule?: string;
  reason?: string;
  /** The HTTP status this account alone would have been answered with. */
  status: number;
}

/** The answer to one alert for a whole group: the webhook's JSON body and its HTTP status. */
export interface GroupAnswer {
  status: number;
  body: {
    ok: boolean;
    group: string;
    id?: string;
    accounts: AccountAnswer[];
    summary: string;
  };
}

/** Status 207: some accounts placed, some did not (see the README's "Errors and HTTP answers"). */
export const PARTIAL_STATUS = 207;

/** The HTTP status one account's outcome has on its own: what a single rules and order node would answer. */
export function accountStatus(r: MemberResult): number {
  switch (r.outcome) {
    case "placed":
      // An exit still repeating when the webhook had to be answered: accepted, not yet confirmed.
      return r.orderStatus === "retrying" ? 202 : 200;
    case "nothingToDo":
      return 200;
    case "duplicate":
      return outcomeStatus("duplicate");
    case "refused":
      return outcomeStatus("refused");
    case "late":
      // Nothing was sent: may pass a moment later, like a rate-limited gateway.
      return 503;
    case "failed":
      return r.error ? classifyError(r.error).status : 503;
  }
}

/** Counts of outcomes in words, most important first: "2 placed, 1 refused". */
export function summaryOf(results: readonly MemberResult[]): string {
  const order: MemberResult["outcome"][] = ["placed", "nothingToDo", "refused", "duplicate", "late", "failed"];
  const keys: Record<MemberResult["outcome"], string> = {
    placed: "status.outcome.placed",
    nothingToDo: "status.outcome.nothingToDo",
    refused: "status.outcome.refused",
    duplicate: "status.outcome.duplicate",
    late: "status.outcome.late",
    failed: "status.outcome.failed",
  };
  const T = textsOf(NodeType.Group);
  return order
    .map((o) => [o, results.filter((r) => r.outcome === o).length] as const)
    .filter(([, n]) => n > 0)
    .map(([o, n]) => T(keys[o], { count: n }))
    .join(", ");
}

/**
 * The group's answer. Every account placed (or had nothing to do): 200, `ok: true` (202 when an
 * exit is still repeating, as the order node answers it). Some placed,
 * some not: 207 Multi-Status, `ok: false`: a 2xx, because orders did go out and TradingView counts
 * only a 2xx as delivered (it never retries, but a relay in front of it might, and a re-sent alert
 * must not read as undelivered), and not a plain 200, so that a log, a monitor or the http response
 * node's status tells a partial success from a full one; each account's line says what happened to
 * it. No account placed: the status one rules node would give (409 when every account had the
 * alert already, 422 when refused), or, when one failed or was late, that failure's mapped status
 * (the first such account's: 503 may pass a moment later, 502 needs a look).
 */
export function groupAnswer(group: string, id: string | undefined, results: readonly MemberResult[]): GroupAnswer {
  const accounts: AccountAnswer[] = results.map((r) => ({
    account: r.member.label || r.member.account,
    accountId: r.accountId,
    name: r.name,
    outcome: r.outcome,
    size: describeSizeRule(r.member.size),
    quantity: r.quantity,
    action: r.action,
    orderId: r.orderId,
    customTag: r.customTag,
    orderStatus: r.orderStatus,
    rule: r.rule,
    reason: r.reason,
    status: accountStatus(r),
  }));
  const done = results.filter((r) => r.outcome === "placed" || r.outcome === "nothingToDo").length;
  const placed = results.some((r) => r.outcome === "placed");
  let status: number;
  if (done === results.length) status = accounts.some((a) => a.status === 202) ? 202 : 200;
  else if (placed) status = PARTIAL_STATUS;
  else {
    const failure = accounts.find((a) => a.outcome === "failed" || a.outcome === "late");
    if (failure) status = failure.status;
    else if (accounts.every((a) => a.outcome === "duplicate")) status = outcomeStatus("duplicate");
    else if (done > 0) status = PARTIAL_STATUS;
    else status = outcomeStatus("refused");
  }
  return {
    status,
    body: { ok: done === results.length, group, id, accounts, summary: summaryOf(results) },
  };
}
