import { z } from "zod";

/**
 * ProjectX request fields that are C# enums (OrderType, OrderSide, AggregateBarUnit, OrderStatus,
 * the v2/query sort keys). System.Text.Json reads enums from JSON numbers only: the web defaults'
 * AllowReadingFromString applies to number types, not enums, so "2" for `type` stays a 400.
 */
const ENUM_FIELDS = new Set(["type", "side", "unit", "statuses", "sortby", "sortdirection"]);

/** Request fields that are a non-nullable C# DateTime: missing, they bind DateTime.MinValue. */
const DATE_TIME_FIELDS = new Set(["starttime", "endtime", "starttimestamp"]);
const DATE_TIME_MIN = "0001-01-01T00:00:00";

/** What Utf8Parser takes as an integer or a decimal inside a JSON string. */
const INTEGER_TEXT = /^[+-]?\d+$/;
const DECIMAL_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** How a value of one schema position binds, worked out once per schema. */
type Slot =
  | { kind: "object"; properties: Map<string, Property> }
  | { kind: "array"; element: Slot }
  | { kind: "number"; text: RegExp }
  | { kind: "as-is" };

interface Property {
  name: string;
  slot: Slot;
  /** The C# default bound when the property is missing, or undefined to leave it missing. */
  missing: unknown;
}

/** Peels optional/nullable wrappers: a C# `T?` or a nullable reference. */
function unwrap(schema: z.ZodType): { schema: z.ZodType; nullable: boolean } {
  let s = schema;
  let nullable = false;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
    nullable = true;
    s = s.unwrap() as z.ZodType;
  }
  return { schema: s, nullable };
}

/** The value C# gives a missing non-nullable value-type property, or undefined for none. */
function defaultOf(key: string, schema: z.ZodType): unknown {
  if (schema instanceof z.ZodBoolean) return false;
  if (schema instanceof z.ZodNumber) return 0;
  if (schema instanceof z.ZodString && DATE_TIME_FIELDS.has(key.toLowerCase())) return DATE_TIME_MIN;
  // Strings, objects and arrays are references: ProjectX's nullable annotations make them required.
  return undefined;
}

const objectSlots = new WeakMap<z.ZodObject, Slot>();
const rootSlots = new WeakMap<z.ZodType, Slot>();

function slotOf(key: string, schema: z.ZodType): Slot {
  if (schema instanceof z.ZodObject) {
    const known = objectSlots.get(schema);
    if (known) return known;
    const properties = new Map<string, Property>();
    for (const [name, s] of Object.entries(schema.shape)) {
      const { schema: inner, nullable } = unwrap(s as z.ZodType);
      properties.set(name.toLowerCase(), {
        name,
        slot: slotOf(name, inner),
        missing: nullable ? undefined : defaultOf(name, inner),
      });
    }
    const slot: Slot = { kind: "object", properties };
    objectSlots.set(schema, slot);
    return slot;
  }
  if (schema instanceof z.ZodArray)
    return { kind: "array", element: slotOf(key, unwrap(schema.element as z.ZodType).schema) };
  if (schema instanceof z.ZodNumber && !ENUM_FIELDS.has(key.toLowerCase()))
    return { kind: "number", text: schema.isInt ? INTEGER_TEXT : DECIMAL_TEXT };
  return { kind: "as-is" };
}

function bind(value: unknown, slot: Slot): unknown {
  if (value === null || value === undefined) return value;
  switch (slot.kind) {
    case "object":
      return bindObject(value, slot.properties);
    case "array":
      return Array.isArray(value) ? value.map((v) => bind(v, slot.element)) : value;
    case "number":
      // A number written as a JSON string, when the web defaults would read it.
      return typeof value === "string" && slot.text.test(value) ? Number(value) : value;
    default:
      return value;
  }
}

function bindObject(value: unknown, properties: Map<string, Property>): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const out: Record<string, unknown> = {};
  // Case-insensitive names; of two spellings of one property the later wins, as in System.Text.Json.
  for (const [k, v] of Object.entries(value)) {
    const p = properties.get(k.toLowerCase());
    if (p) out[p.name] = v;
  }
  for (const p of properties.values()) {
    if (p.name in out) out[p.name] = bind(out[p.name], p.slot);
    else if (p.missing !== undefined) out[p.name] = p.missing;
  }
  return out;
}

/**
 * Reads a decoded JSON body the way ASP.NET Core's System.Text.Json input formatter does with
 * JsonSerializerDefaults.Web, as ProjectX runs it, before our schema checks it: property names
 * match case-insensitively (unknown ones are dropped), numbers may come as JSON strings (not enums,
 * not booleans), and a missing non-nullable value type binds its C# default (false, 0,
 * DateTime.MinValue). Missing strings and objects stay missing, so the schema still answers "The X
 * field is required." as the gateway does with nullable reference types enabled.
 */
export function bindLikeAspNet(schema: z.ZodType, body: unknown): unknown {
  let slot = rootSlots.get(schema);
  if (!slot) {
    slot = slotOf("", unwrap(schema).schema);
    rootSlots.set(schema, slot);
  }
  return bind(body, slot);
}
