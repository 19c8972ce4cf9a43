import { bodyValue } from "./alert-body";
import { AlertFields } from "./alert-fields";
import { objectIdentity, objectSecret, textSecret } from "./alert-identity";
import { normalizeWord, text } from "./coerce";
import { parseOrderAlert } from "./json-alert";
import type { ParsedAlert } from "./parsed-alert";
import { parseTargetAlert } from "./target-alert";
import { parseTextAlert } from "./text-alert";
import { isTradersPost } from "./traderspost";

/**
 * TradingView (and similar) webhook alerts → an OrderIntent or a target position.
 *
 * Parse leniently, validate strictly (coerce.ts): numbers may arrive as text, anything that still
 * looks wrong is refused with an AlertError that names the field. A risk field we cannot honour
 * (trailAmount, a stop-limit stop-loss, sl_percent, …) refuses the alert rather than sending the
 * order without it.
 *
 * The format is detected (`ParsedAlert.format`), one file each:
 * - "target" (target-alert.ts): a JSON object with `targetPosition`;
 * - "traderspost" (traderspost.ts): JSON with `sentiment`, or `ticker` with `action` buy|sell|exit|cancel|add;
 * - "json" (json-alert.ts): any other JSON object;
 * - "text" (text-alert.ts): anything else, a short command such as `buy 2 MNQ1!`.
 *
 * Common to every JSON form: the secret, id and alert time (alert-identity.ts); keys match
 * case-insensitively, ignoring `_` and `-`; other unknown fields are ignored, except those that
 * look like risk fields (trail…, stop…, …loss, …profit, sl…, tp…, risk…). The strategy's market
 * position (strategy-position.ts) is checked on an order that can open a position and on a target,
 * and left out when bad on close, flatten and cancel, so that an exit always goes through.
 *
 * Bodies are checked before anything walks them (alert-body.ts): nested deeper than MAX_DEPTH
 * levels, or with more than MAX_VALUES values, is refused (400, field "body").
 */

export { checkBodyShape, jsonBody, MAX_DEPTH, MAX_VALUES } from "./alert-body";
export { AlertError } from "./alert-error";
export { checkSecret } from "./alert-identity";
export type { AlertFormat, ParsedAlert } from "./parsed-alert";

/** An alert body as {@link readAlert} reads it: the text command or the alert object. */
export type AlertBody = string | Record<string, unknown>;

/**
 * Reads an alert body (text, Buffer, or parsed JSON) once, so that {@link readAlertSecret} and
 * {@link parseReadAlert} share one JSON parse and one shape check. Throws AlertError 400 (field
 * "body") when the body is not an alert at all.
 */
export function readAlert(body: unknown): AlertBody {
  return bodyValue(body);
}

/** Parses an alert body (text, Buffer, or parsed JSON) into an intent or a target; throws AlertError 400 naming the field. */
export function parseAlert(body: unknown, now: number): ParsedAlert {
  return parseReadAlert(bodyValue(body), now);
}

/** {@link parseAlert} of a body already read by {@link readAlert}. */
export function parseReadAlert(value: AlertBody, now: number): ParsedAlert {
  return typeof value === "string" ? parseTextAlert(value, now) : parseObject(value, now);
}

/**
 * The secret an alert carries, read before anything else of the body so that a caller can answer
 * 401 before any detail of the content: `secret`/`passphrase`/`token`/`key` in JSON, `secret=…` in
 * text. Throws AlertError 400 (field "body") only when the body is not an alert at all, and 401
 * when the secret is not text.
 */
export function alertSecret(body: unknown): string | undefined {
  return readAlertSecret(bodyValue(body));
}

/** {@link alertSecret} of a body already read by {@link readAlert}; throws AlertError 401 when the secret is not text. */
export function readAlertSecret(value: AlertBody): string | undefined {
  return typeof value === "string" ? textSecret(value) : objectSecret(value);
}

function parseObject(body: Record<string, unknown>, now: number): ParsedAlert {
  const fields = new AlertFields(body);
  const identity = objectIdentity(body, fields, now);
  if (fields.has("targetposition")) return parseTargetAlert(fields, identity);
  const actionWord = fields.read("action", (v, field) => normalizeWord(text(v, field)));
  const format = isTradersPost(fields, actionWord) ? "traderspost" : "json";
  return parseOrderAlert(fields, identity, format, actionWord);
}
