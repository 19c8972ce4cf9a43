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

type Field = { schema: z.ZodType; nullable: boolean };

/** Peels optional/nullable wrappers: a C# `T?` or a nullable reference. */
function unwrap(schema: z.ZodType): Field {
  let s = schema;
  let nullable = false;
  while (s instanceof z.ZodOptional || s instanceof z.ZodNullable) {
    nullable = true;
    s = s.unwrap() as z.ZodType;
  }
  return { schema: s, nullable };
}

/** A number written as a JSON string, when the web defaults would read it; otherwise the value. */
function numberFromString(value: unknown, schema: z.ZodNumber): unknown {
  if (typeof value !== "string") return value;
  const pattern = schema.isInt ? INTEGER_TEXT : DECIMAL_TEXT;
  return pattern.test(value) ? Number(value) : value;
}

/** The value C# gives a missing non-nullable value-type property, or undefined for none. */
function defaultOf(key: string, schema: z.ZodType): unknown {
  if (schema instanceof z.ZodBoolean) return false;
  if (schema instanceof z.ZodNumber) return 0;
  if (schema instanceof z.ZodString && DATE_TIME_FIELDS.has(key.toLowerCase())) return DATE_TIME_MIN;
  // Strings, objects and arrays are references: ProjectX's nullable annotations make them required.
  return undefined;
}

function bindValue(key: string, value: unknown, field: Field): unknown {
  const { schema } = field;
  if (value === null || value === undefined) return value;
  if (schema instanceof z.ZodObject) return bindObject(value, schema);
  if (schema instanceof z.ZodArray && Array.isArray(value)) {
    const element = unwrap(schema.element as z.ZodType);
    return value.map((v) => bindValue(key, v, element));
  }
  if (schema instanceof z.ZodNumber && !ENUM_FIELDS.has(key.toLowerCase())) return numberFromString(value, schema);
  return value;
}

function bindObject(value: unknown, schema: z.ZodObject): unknown {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return value;
  const byName = new Map<string, string>();
  for (const name of Object.keys(schema.shape)) byName.set(name.toLowerCase(), name);
  const out: Record<string, unknown> = {};
  // Case-insensitive names; of two spellings of one property the later wins, as in System.Text.Json.
  for (const [k, v] of Object.entries(value)) {
    const name = byName.get(k.toLowerCase());
    if (name !== undefined) out[name] = v;
  }
  for (const [name, s] of Object.entries(schema.shape)) {
    const field = unwrap(s as z.ZodType);
    if (name in out) out[name] = bindValue(name, out[name], field);
    else if (!field.nullable) {
      const d = defaultOf(name, field.schema);
      if (d !== undefined) out[name] = d;
    }
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
  const root = unwrap(schema).schema;
  return root instanceof z.ZodObject ? bindObject(body, root) : body;
}
