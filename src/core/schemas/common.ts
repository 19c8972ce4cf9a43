import { z } from "zod";

/** Every REST answer carries this envelope; business failures arrive as HTTP 200 with success:false. */
export const Envelope = z.object({
  success: z.boolean(),
  errorCode: z.number().int(),
  errorMessage: z.string().nullish(),
});
export type Envelope = z.infer<typeof Envelope>;

/** Adds the envelope fields to an endpoint's payload schema. */
export function withEnvelope<T extends z.ZodRawShape>(shape: T) {
  return Envelope.extend(shape);
}

const INT32_MAX = 2_147_483_647;

/** A .NET `int`: JSON numbers only, no strings, no fractions. */
export const Int32 = z
  .number()
  .int()
  .min(-INT32_MAX - 1)
  .max(INT32_MAX);
/** A .NET `long`, within JavaScript's exact integer range. */
export const Int64 = z.number().int().min(Number.MIN_SAFE_INTEGER).max(Number.MAX_SAFE_INTEGER);
/** A .NET `decimal` as JSON number. */
export const Decimal = z.number().finite();

/**
 * An ISO-8601 date-time. The gateway mixes `+00:00`, `Z` and zone-less forms; zone-less means UTC.
 */
export const Timestamp = z.string().refine((s) => !Number.isNaN(parseTimestamp(s)), {
  message: "The value is not a valid date-time.",
});

/** Parses any of the gateway's timestamp forms to epoch milliseconds (NaN when invalid). */
export function parseTimestamp(s: string): number {
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return Number.NaN;
  const hasZone = /(Z|[+-]\d{2}:?\d{2})$/i.test(s);
  // JavaScript's parser takes at most millisecond precision; the gateway sends up to 7 digits.
  const trimmed = s.replace(/(\.\d{3})\d+/, "$1");
  return Date.parse(hasZone || trimmed.length <= 10 ? trimmed : `${trimmed}Z`);
}

/** Formats epoch milliseconds the way the gateway does: 7 fractional digits and `+00:00`. */
export function formatTimestamp(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d{3})Z$/, ".$10000+00:00");
}
