import { type Breakeven, BreakevenSpec, type Trail, TrailSpec } from "../protection/stop-levels";
import { fail, show } from "./alert-error";
import type { AlertFields } from "./alert-fields";
import { normalizeWord, positiveWhole } from "./coerce";

/**
 * The `breakeven` and `trail` fields of an entry alert (see stop-levels.ts): a number is
 * `{"after": n}` (offset 0) or `{"distance": n}` (step 1); an object gives both parts; `false`
 * turns the node's default off for this entry. Anything else refuses the alert, naming the field.
 */
export function stopPlanFields(fields: AlertFields): { breakeven?: Breakeven; trail?: Trail } {
  const out: { breakeven?: Breakeven; trail?: Trail } = {};
  if (fields.named("breakeven") && !fields.has("breakeven"))
    fail(fields.nameOf("breakeven"), "is null; leave it out for the node's default, or give false for none");
  if (fields.named("trail") && !fields.has("trail"))
    fail(fields.nameOf("trail"), "is null; leave it out for the node's default, or give false for none");
  if (fields.has("breakeven"))
    out.breakeven = parsed(BreakevenSpec, fields.get("breakeven"), fields.nameOf("breakeven"), "after", [
      "after",
      "offset",
    ]);
  if (fields.has("trail"))
    out.trail = parsed(TrailSpec, fields.get("trail"), fields.nameOf("trail"), "distance", ["distance", "step"]);
  return out;
}

function parsed<T>(
  spec: { safeParse(v: unknown): { success: true; data: T } | { success: false; error: { issues: Issue[] } } },
  v: unknown,
  field: string,
  bare: string,
  keys: readonly string[],
): T | false {
  let raw: unknown = v;
  if (typeof v === "number" || (typeof v === "string" && v.trim() !== "" && v.trim() !== "false"))
    raw = { [bare]: positiveWhole(v, field) };
  else if (v === "false") raw = false;
  else if (typeof v === "object" && v !== null && !Array.isArray(v)) {
    const o: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) {
      const key = keys.find((name) => normalizeWord(name) === normalizeWord(k));
      if (!key) fail(`${field}.${k}`, `is not a part of ${field}: give ${keys.join(" and ")} (ticks)`);
      // Parts read as every alert number is (no booleans, no placeholders); an offset may be 0.
      o[key] = key === "offset" && (x === 0 || x === "0") ? 0 : positiveWhole(x, `${field}.${k}`);
    }
    if (o[bare] === undefined)
      fail(field, `needs ${bare} (ticks), as in {"${keys[0]}": 20, "${keys[1]}": 2} (got ${show(v)})`);
    raw = o;
  } else if (v !== false)
    fail(
      field,
      `must be a number of ticks, an object such as {"${keys[0]}": 20, "${keys[1]}": 2}, or false (got ${show(v)})`,
    );
  if (raw === false) return false;
  const r = spec.safeParse(raw);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const path = issue.path.filter((p) => typeof p === "string");
  return fail(path.length ? `${field}.${path.join(".")}` : field, `${issue.message} (got ${show(v)})`);
}

interface Issue {
  path: PropertyKey[];
  message: string;
}
