import { z } from "zod";
import { fail, show } from "./alert-error";
import { PLACEHOLDER } from "./coerce";

// Alerts nest two levels (a stopLoss object); the limits keep code that walks a body off deep or huge ones.
/** The deepest nesting a body may have. */
export const MAX_DEPTH = 16;
/** The most values (objects, arrays and scalars) a body may hold. */
export const MAX_VALUES = 10_000;

const JsonObject = z.record(z.string(), z.unknown());

/**
 * Refuses a body nested deeper than MAX_DEPTH or holding more than MAX_VALUES values (a cycle
 * counts as too deep). Iterative, so that the check itself cannot overflow the stack.
 */
export function checkBodyShape(value: unknown): void {
  const pending: Array<[unknown, number]> = [[value, 0]];
  let seen = 0;
  while (pending.length > 0) {
    const [v, depth] = pending.pop()!;
    if (++seen > MAX_VALUES) fail("body", `holds more than ${MAX_VALUES} values`);
    if (v === null || typeof v !== "object" || Buffer.isBuffer(v)) continue;
    if (depth >= MAX_DEPTH) fail("body", `is nested more than ${MAX_DEPTH} levels deep`);
    for (const child of Object.values(v)) pending.push([child, depth + 1]);
  }
}

/**
 * JSON text → the alert object it must hold. The JSON error names a position, never quotes the
 * body (it may hold the secret, and the reason is logged).
 */
export function jsonBody(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    const placeholder = PLACEHOLDER.exec(text);
    const hint = placeholder ? ` (it holds the unsubstituted TradingView placeholder ${placeholder[0]})` : "";
    const at = /position (\d+)/.exec((e as Error).message);
    return fail("body", `is not valid JSON${hint}${at ? ` (near character ${Number(at[1]) + 1})` : ""}`);
  }
  return alertObject(parsed);
}

function alertObject(value: unknown): Record<string, unknown> {
  if (Array.isArray(value)) return fail("body", "must be one JSON object or a text command, not a JSON array");
  const r = JsonObject.safeParse(value);
  if (!r.success) return fail("body", `must be a JSON object or a text command (got ${describeNonObject(value)})`);
  checkBodyShape(r.data);
  return r.data;
}

function describeNonObject(value: unknown): string {
  if (value === null) return "null";
  if (typeof value === "string") return "a JSON string";
  return show(value);
}

/** A body as it arrives (text, Buffer, parsed JSON) → the text command or the alert object. */
export function bodyValue(body: unknown): string | Record<string, unknown> {
  if (Buffer.isBuffer(body)) body = body.toString("utf8");
  if (typeof body === "string") {
    const s = body.replace(/^\uFEFF/, "").trim();
    if (s === "") return fail("body", "is empty");
    if (s.startsWith("{")) return jsonBody(s);
    if (s.startsWith("[")) return fail("body", "must be one JSON object or a text command, not a JSON array");
    return s;
  }
  if (body === undefined || body === null) return fail("body", "is empty");
  return alertObject(body);
}
