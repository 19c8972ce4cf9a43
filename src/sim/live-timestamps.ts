/**
 * A gateway timestamp as .NET's System.Text.Json writes a DateTimeOffset: the fraction without
 * trailing zeros, and no fraction at all on a whole second (`…:03+00:00`). The live gateway's
 * timestamps vary in length for this reason (`.268009+00:00` in REST samples, seven digits on
 * the hubs); a client that slices a fixed width would misread them.
 */
export function trimFraction(ts: string): string {
  return ts.replace(/\.(\d*?)0+(?=Z|[+-]\d{2}:?\d{2}$)/, (_m, kept: string) => (kept ? `.${kept}` : ""));
}

/**
 * A REST answer with every `…Timestamp` field written as live writes it ({@link trimFraction}):
 * orders, positions and trades in their lists, at any depth. Builds new objects; other fields are kept.
 */
export function trimTimestamps(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(trimTimestamps);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = typeof v === "string" && k.endsWith("Timestamp") ? trimFraction(v) : trimTimestamps(v);
  }
  return out;
}
