import type { NodeMessageInFlow } from "node-red";
import { EXIT_ACTIONS } from "../../src/core/orders/order-executor";
import { missingField, type OrderIntent } from "../../src/core/orders/order-intent";
import type { InputError } from "../shared/input";
import {
  type FieldSpec,
  type FieldValues,
  Positive,
  Text,
  type TypedFields,
  WholeAtLeastOne,
} from "../shared/typed-props";

/** The order node's fields that take a typedInput (msg, flow, global, env, or a constant). */
export const ORDER_FIELDS = {
  symbol: { rule: Text, plain: "str" },
  quantity: { rule: WholeAtLeastOne, plain: "num" },
  limitPrice: { rule: Positive, plain: "num" },
  stopPrice: { rule: Positive, plain: "num" },
  trailTicks: { rule: WholeAtLeastOne, plain: "num" },
  stopLossTicks: { rule: WholeAtLeastOne, plain: "num" },
  takeProfitTicks: { rule: WholeAtLeastOne, plain: "num" },
} as const satisfies Record<string, FieldSpec>;

/** One of {@link ORDER_FIELDS}. */
export type OrderField = keyof typeof ORDER_FIELDS;

/** The order node's typed fields, built once per node. */
export type OrderFields = TypedFields<OrderField>;

/** The current version of the order node's dialog: 2 added a `<field>Type` to each typed field. */
export const ORDER_PROPS_VERSION = 2;

/**
 * An order dialog as version 2 reads it: a flow saved before typed fields (version 1, or none) had
 * plain values, which are the `num` and `str` types now. Nothing else changes.
 */
export function migrateOrderProps<P extends { version?: number } & Partial<Record<`${OrderField}Type`, string>>>(
  p: P,
): P {
  if ((p.version ?? 1) >= ORDER_PROPS_VERSION) return p;
  const out: P = { ...p, version: ORDER_PROPS_VERSION };
  for (const [field, spec] of Object.entries(ORDER_FIELDS)) {
    const key = `${field as OrderField}Type` as const;
    out[key] ??= spec.plain as P[typeof key];
  }
  return out;
}

/**
 * The refusal a msg meets for the dialog's nonsense: any refused field stops an entry; an exit
 * (close, flatten, cancel…) goes on unless it needs the refused field itself.
 */
export function dialogRefusal(intent: OrderIntent, refused: readonly InputError[]): InputError | null {
  if (refused.length === 0) return null;
  if (!EXIT_ACTIONS.has(intent.action)) return refused[0]!;
  const missing = missingField(intent);
  return refused.find((e) => e.field === missing) ?? null;
}

/** The intent, unless the dialog's nonsense refuses it (see {@link dialogRefusal}). */
export function refuseNonsense(intent: OrderIntent, refused: readonly InputError[]): OrderIntent {
  const nonsense = dialogRefusal(intent, refused);
  if (nonsense) throw nonsense;
  return intent;
}

/** The dialog's values for one msg: the typed fields as read for it, the others as saved. */
export async function dialogFor<P extends object>(
  props: P,
  fields: OrderFields,
  msg: NodeMessageInFlow,
  cache: { read?: FieldValues<OrderField>; dialog?: P },
): Promise<{ dialog: P; refused: readonly InputError[] }> {
  const read = await fields.read(msg);
  // Constants only: the same object every msg, merged once.
  if (cache.read === read && cache.dialog) return { dialog: cache.dialog, refused: read.refused };
  const dialog: P = { ...props };
  for (const field of Object.keys(ORDER_FIELDS) as OrderField[])
    (dialog as Record<string, unknown>)[field] = read.values[field];
  cache.read = read;
  cache.dialog = dialog;
  return { dialog, refused: read.refused };
}
