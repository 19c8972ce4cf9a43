/**
 * A gateway timestamp as .NET's System.Text.Json writes a DateTimeOffset: the fraction without
 * trailing zeros, and no fraction at all on a whole second (`…:03+00:00`). The live gateway's
 * timestamps vary in length for this reason (`.268009+00:00` in REST samples, seven digits on
 * the hubs); a client that slices a fixed width would misread them.
 */
export function trimFraction(ts: string): string {
  return ts.replace(/\.(\d*?)0+(?=Z|[+-]\d{2}:?\d{2}$)/, (_m, kept: string) => (kept ? `.${kept}` : ""));
}

/** A record's own timestamps, as stamped by the wire models. */
export interface Stamped {
  creationTimestamp: string;
  updateTimestamp?: string | null;
}

/** Writes a record's timestamps as live writes them ({@link trimFraction}), in place. */
export function trimStamps<T extends Stamped>(m: T): T {
  m.creationTimestamp = trimFraction(m.creationTimestamp);
  if (m.updateTimestamp) m.updateTimestamp = trimFraction(m.updateTimestamp);
  return m;
}
