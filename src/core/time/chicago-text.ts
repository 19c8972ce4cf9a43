/**
 * Instants as a trader reads them: the wall clock of a time zone, to the second, with the zone's
 * abbreviation ("2026-11-30 09:31:05 CST"). The one home for the times shown in the journal,
 * reports, notifications and dashboards; the journal itself stores instants (epoch ms, ISO UTC).
 * The abbreviation tells the two 01:30 of a fall-back night apart (CDT, then CST).
 */

/** Where CME futures and Topstep's trading day live; the default display zone. */
export const TRADING_TIME_ZONE = "America/Chicago";

/** Formats epoch ms as a zone's wall-clock text. */
export type ZoneTextFormatter = (ms: number) => string;

const SLOT_MS = 15 * 60_000;
const pad = (n: number) => String(n).padStart(2, "0");
const formatters = new Map<string, ZoneTextFormatter>();

/**
 * The IANA zone name as the platform spells it ("america/chicago" → "America/Chicago"), or null for
 * a name the platform's time-zone database does not know.
 */
function canonicalZone(zone: string): string | null {
  try {
    return new Intl.DateTimeFormat("en-US", { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    return null;
  }
}

/**
 * The text formatter of IANA zone `zone`: "YYYY-MM-DD HH:MM:SS ABBR" (America/Chicago: CST or CDT,
 * America/New_York: EST or EDT; a zone without a US English abbreviation shows its offset, "GMT+1").
 * Built once per zone and cached. Intl formatting costs microseconds, so the zone's offset and
 * abbreviation are looked up once per quarter hour of UTC, when every zone's changes fall, and the
 * text is built from them. Throws a RangeError for a zone the platform does not know.
 */
export function zoneTextFormatter(zone: string): ZoneTextFormatter {
  const cached = formatters.get(zone);
  if (cached) return cached;
  const fmt = new Intl.DateTimeFormat("en-US", {
    timeZone: zone,
    hourCycle: "h23",
    year: "numeric",
    month: "numeric",
    day: "numeric",
    hour: "numeric",
    minute: "numeric",
    timeZoneName: "short",
  });
  const slots = new Map<number, { offset: number; name: string }>();
  const slotOf = (ms: number) => {
    const slot = Math.floor(ms / SLOT_MS);
    let s = slots.get(slot);
    if (!s) {
      const at = slot * SLOT_MS;
      const p: Record<string, string> = {};
      for (const part of fmt.formatToParts(new Date(at))) p[part.type] = part.value;
      const wall = Date.UTC(Number(p.year), Number(p.month) - 1, Number(p.day), Number(p.hour), Number(p.minute));
      s = { offset: wall - at, name: p.timeZoneName ?? zone };
      if (slots.size >= 4096) slots.clear();
      slots.set(slot, s);
    }
    return s;
  };
  const text: ZoneTextFormatter = (ms) => {
    const s = slotOf(ms);
    const w = new Date(Math.floor(ms / 1000) * 1000 + s.offset);
    return `${w.getUTCFullYear()}-${pad(w.getUTCMonth() + 1)}-${pad(w.getUTCDate())} ${pad(w.getUTCHours())}:${pad(w.getUTCMinutes())}:${pad(w.getUTCSeconds())} ${s.name}`;
  };
  formatters.set(zone, text);
  return text;
}

/** Epoch ms as the wall clock of `zone` reads it (default America/Chicago): "2026-11-25 09:30:00 CST". */
export function localText(ms: number, zone: string = TRADING_TIME_ZONE): string {
  return zoneTextFormatter(zone)(ms);
}

/** Epoch ms as the trading time zone reads it: "2026-11-25 09:30:00 CST" (CDT in summer). */
export function chicagoText(ms: number): string {
  return zoneTextFormatter(TRADING_TIME_ZONE)(ms);
}

/**
 * The display time zone a setting names, checked: empty or absent is America/Chicago; a known IANA
 * name comes back as the platform spells it. Throws an Error naming `field` for anything else.
 */
export function displayTimeZone(value: unknown, field: string): string {
  if (value === undefined || value === null || (typeof value === "string" && value.trim() === ""))
    return TRADING_TIME_ZONE;
  const zone = typeof value === "string" ? canonicalZone(value.trim()) : null;
  if (!zone)
    throw new Error(
      `${field}: ${JSON.stringify(value)} is not a time zone: use an IANA name such as America/Chicago or America/New_York`,
    );
  return zone;
}
