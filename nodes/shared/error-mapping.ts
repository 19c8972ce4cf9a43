import type { NodeMessageInFlow, NodeStatus } from "node-red";
import { AlertError } from "../../src/core/alerts/parse-alert";
import { UnknownSymbolError } from "../../src/core/contracts/contract-resolver";
import {
  GatewayAuthError,
  GatewayClientError,
  GatewayHttpError,
  GatewayNetworkError,
  GatewayRejectedError,
  GatewayTimeoutError,
} from "../../src/core/gateway/errors";
import { EntryRefusedError } from "../../src/core/orders/entry-gate";
import { IntentError } from "../../src/core/orders/order-intent";
import type { GateOutcome } from "../../src/core/rules/order-gate";
import { answerHttp } from "./http-answer";
import { InputError } from "./input";
import { ruleText } from "./rule-texts";
import { errorStatus } from "./status";
import { commonText } from "./texts";

/**
 * What every node answers for one error: the HTTP status, what the JSON body names (the field at
 * fault, the rule that refused, the gateway's errorCode) and the node's status. The README's table
 * "Errors and HTTP answers" is this function in words: keep them together.
 */
export interface ErrorAnswer {
  status: number;
  field?: string;
  rule?: string;
  /** The gateway's errorCode of a business refusal. */
  code?: number;
  nodeStatus: NodeStatus;
}

/** The field of the input an error is about: bad input, an unknown symbol, a missing secret. */
export function fieldOf(err: unknown): string | undefined {
  if (err instanceof InputError || err instanceof IntentError || err instanceof AlertError) return err.field;
  if (err instanceof UnknownSymbolError) return "symbol";
  return undefined;
}

/**
 * Maps any error to its answer. Bad input is the sender's to fix (400, 401 for the secret); a
 * refusal by a rule or by the gateway is final (422); a gateway answer that cannot be used, or an
 * order whose fate is unknown, is 502 (not to be sent again blindly); anything that may pass a
 * moment later (the gateway unreachable, slow, rate-limited, the rules not running yet) is 503.
 */
export function classifyError(err: unknown): ErrorAnswer {
  const message = err instanceof Error ? err.message : String(err);
  const field = fieldOf(err);
  if (field !== undefined) {
    const status = err instanceof AlertError ? err.status : 400;
    return { status, field, nodeStatus: errorStatus(commonText("common.status.badField", { field })) };
  }
  if (err instanceof EntryRefusedError)
    return {
      status: 422,
      rule: err.decision.rule,
      nodeStatus: errorStatus(commonText("common.status.refused", { reason: ruleText(err.decision.rule) })),
    };
  if (err instanceof GatewayRejectedError)
    return {
      status: 422,
      code: err.errorCode,
      // The gateway's own words when it gives them (no catalogue knows them), else its code.
      nodeStatus: errorStatus(
        err.errorMessage
          ? commonText("common.status.refused", { reason: err.errorMessage })
          : commonText("common.status.refusedCode", { code: err.errorCode }),
      ),
    };
  const unusable = err instanceof GatewayClientError && !transient(err);
  return { status: unusable ? 502 : 503, nodeStatus: errorStatus(message) };
}

/** A gateway failure that may pass on its own: no answer, a 5xx, a lost session, the rate limit. */
function transient(err: unknown): boolean {
  if (err instanceof GatewayTimeoutError || err instanceof GatewayNetworkError || err instanceof GatewayAuthError)
    return true;
  return err instanceof GatewayHttpError && (err.status >= 500 || err.status === 401 || err.status === 429);
}

/** The HTTP status of a gate's outcome: 200 approved or nothing to do, 409 a duplicate alert, 422 refused. */
export function outcomeStatus(outcome: GateOutcome): number {
  return outcome === "duplicate" ? 409 : outcome === "refused" ? 422 : 200;
}

/**
 * Answers a webhook msg (one carrying msg.res) for an error, with the mapped status and the shared
 * refusal body plus `extra`; returns the mapping, whose node status the caller shows.
 */
export function answerError(msg: NodeMessageInFlow, err: Error, extra: Record<string, unknown> = {}): ErrorAnswer {
  const a = classifyError(err);
  answerHttp(msg, a.status, {
    ok: false,
    error: err.message,
    ...(a.field !== undefined ? { field: a.field } : {}),
    ...(a.rule !== undefined ? { rule: a.rule } : {}),
    ...(a.code !== undefined ? { code: a.code } : {}),
    ...extra,
  });
  return a;
}
