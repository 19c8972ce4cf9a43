import type { Node, NodeAPI, NodeMessage } from "node-red";
import { InputError } from "./input";

/**
 * Where a dialog field's value comes from: a typedInput's type. Flows saved before the field had a
 * type carry none, which means the field's plain type ({@link FieldSpec.plain}).
 */
export type Source = "msg" | "flow" | "global" | "env" | "num" | "str";

/** Sources read again for every msg: the msg itself and the context, which flows change. */
const PER_MESSAGE: ReadonlySet<string> = new Set(["msg", "flow", "global"]);
const SOURCES: ReadonlySet<string> = new Set(["msg", "flow", "global", "env", "num", "str"]);

/**
 * What a field's value must be. The dialogs check the same (their validators' reasons are in the
 * "validation" section of each node's locales, keyed like these rules).
 */
export interface FieldRule {
  /** Why a value is refused, after the field's name: "must be a whole number ≥ 1". */
  readonly reason: string;
  /** The value to use (a number for numeric rules), or undefined when the value is nonsense. */
  accept(v: unknown): unknown;
}

function numberOf(v: unknown): number | undefined {
  if (typeof v === "number") return v;
  if (typeof v !== "string" || v.trim() === "") return undefined;
  return Number(v.trim());
}

function numeric(reason: string, ok: (n: number) => boolean): FieldRule {
  return {
    reason,
    accept(v) {
      const n = numberOf(v);
      return n !== undefined && Number.isFinite(n) && ok(n) ? n : undefined;
    },
  };
}

/** A count of contracts, orders or ticks. */
export const WholeAtLeastOne = numeric("must be a whole number ≥ 1", (n) => Number.isInteger(n) && n >= 1);
/** A price, a loss limit, an age in seconds. */
export const Positive = numeric("must be a number > 0", (n) => n > 0);
/** A buffer or a balance that may be zero. */
export const AtLeastZero = numeric("must be a number ≥ 0", (n) => n >= 0);
/** A symbol or a name: any non-blank text. */
export const Text: FieldRule = {
  reason: "must be text",
  accept: (v) => (typeof v === "string" && v.trim() !== "" ? v.trim() : undefined),
};

/** One typed field of a dialog: its rule and the type a flow without `<field>Type` meant. */
export interface FieldSpec {
  rule: FieldRule;
  plain: "num" | "str";
}

/** A value as an error message shows it: text quoted, the rest as JSON would. */
function shown(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" || typeof v === "boolean" || v === null) return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

/** "msg.qty", "env TSX_QTY": where a typed value came from, for an error message; "" for a constant. */
export function sourceOf(type: Source, value: string): string {
  if (type === "num" || type === "str") return "";
  return type === "env" ? `env ${value}` : `${type}.${value}`;
}

const blank = (v: unknown) => v === undefined || v === null || (typeof v === "string" && v.trim() === "");

/** The refusal of one field's value: "quantity: must be a whole number ≥ 1 (msg.qty was 0)". */
export function refusal(field: string, rule: FieldRule, source: string, value: unknown): InputError {
  const where = source ? `${source} was ${shown(value)}` : `was ${typeof value === "string" ? value : shown(value)}`;
  return new InputError(field, `${field}: ${rule.reason} (${where})`);
}

/** A source that could not be read (a bad property expression, a store without synchronous access). */
class Unreadable {
  constructor(readonly reason: string) {}
}

/** A field's values as one msg sees them, and what was refused (the refused fields left out). */
export interface FieldValues<K extends string> {
  values: Partial<Record<K, unknown>>;
  refused: InputError[];
}

/**
 * A dialog's typed fields. Constants (num, str, env) are read and checked once, when the node is
 * created; msg, flow and global are read for each msg, or with `once` at creation too (a node
 * configured at deploy, such as the rules). A blank value leaves the field unset, as a blank dialog
 * field always did, and so does a msg or context property not set when a msg comes (an optional
 * bracket); a source read at creation that is not set is refused.
 */
export class TypedFields<K extends string> {
  private readonly constant: FieldValues<K> = { values: {}, refused: [] };
  private readonly perMessage: Array<{ field: K; type: Source; path: string }> = [];

  constructor(
    private readonly RED: NodeAPI,
    private readonly node: Node,
    private readonly specs: Record<K, FieldSpec>,
    props: Partial<Record<K | `${K}Type`, unknown>>,
    once = false,
  ) {
    for (const field of Object.keys(specs) as K[]) {
      const raw = props[field];
      const given = props[`${field}Type`];
      const type = (typeof given === "string" && SOURCES.has(given) ? given : specs[field].plain) as Source;
      if (blank(raw)) continue;
      const text = String(raw).trim();
      if (PER_MESSAGE.has(type) && !once) this.perMessage.push({ field, type, path: text });
      else this.fix(field, type, text);
    }
  }

  /**
   * A value fixed at creation. A variable or context property named there but not set is refused:
   * a forgotten variable must not leave a limit or a stop-loss silently unset.
   */
  private fix(field: K, type: Source, text: string): void {
    const v = this.evaluate(text, type);
    if (type !== "num" && type !== "str" && blank(v))
      this.constant.refused.push(new InputError(field, `${field}: ${sourceOf(type, text)} is not set`));
    else this.take(this.constant, field, type, text, v);
  }

  /** The values fixed at creation (blank and refused fields absent). */
  get values(): Partial<Record<K, unknown>> {
    return this.constant.values;
  }

  /** Refusals of the values fixed at deploy: the node shows the first and refuses entries. */
  get refused(): readonly InputError[] {
    return this.constant.refused;
  }

  /** The fields for one msg. Without msg, flow or global fields this is the object built at deploy. */
  async read(msg: NodeMessage): Promise<FieldValues<K>> {
    if (this.perMessage.length === 0) return this.constant;
    const out: FieldValues<K> = { values: { ...this.constant.values }, refused: [...this.constant.refused] };
    for (const f of this.perMessage) {
      const v = f.type === "msg" ? this.evaluate(f.path, f.type, msg) : await this.fromContext(f.path, f.type, msg);
      this.take(out, f.field, f.type, f.path, v);
    }
    return out;
  }

  private take(into: FieldValues<K>, field: K, type: Source, raw: string, v: unknown): void {
    // A source that cannot be read is refused, not taken as unset: a limit must not fall back silently.
    if (v instanceof Unreadable) {
      into.refused.push(new InputError(field, `${field}: ${sourceOf(type, raw)} could not be read (${v.reason})`));
      return;
    }
    if (blank(v)) return;
    const rule = this.specs[field].rule;
    const accepted = rule.accept(v);
    if (accepted === undefined) into.refused.push(refusal(field, rule, sourceOf(type, raw), v));
    else into.values[field] = accepted;
  }

  private evaluate(value: string, type: Source, msg?: NodeMessage): unknown {
    // str stays as typed; num is checked by the rule (Number("") would be 0, "abc" NaN).
    if (type === "num" || type === "str") return value;
    try {
      return this.RED.util.evaluateNodeProperty(value, type, this.node, msg ?? {});
    } catch (e) {
      return new Unreadable(e instanceof Error ? e.message : String(e));
    }
  }

  /** A context value, through the callback so stores without synchronous access work too. */
  private fromContext(path: string, type: Source, msg: NodeMessage): Promise<unknown> {
    return new Promise((resolve) => {
      try {
        this.RED.util.evaluateNodeProperty(path, type, this.node, msg, (err, v) =>
          resolve(err ? new Unreadable(err.message) : v),
        );
      } catch (e) {
        resolve(new Unreadable(e instanceof Error ? e.message : String(e)));
      }
    });
  }
}
