import { chicagoTime, isGlobexOpen, minutesOf } from "../core/time/chicago";
import { cmeDay } from "../core/time/cme-calendar";
import { tradingDayOf } from "../core/time/trading-day";

/**
 * Day-session products whose hours differ from Globex's 17:00–16:00 CT: [open, close] in Chicago
 * wall time, Monday to Friday (CME's published hours; the grains' overnight session and the
 * grains' 07:45–08:30 pause are left out: the simulator trades them in their day session only).
 */
const DAY_SESSIONS: Record<string, [string, string]> = {
  ZC: ["08:30", "13:20"],
  ZS: ["08:30", "13:20"],
  ZW: ["08:30", "13:20"],
  KE: ["08:30", "13:20"],
  ZL: ["08:30", "13:20"],
  ZM: ["08:30", "13:20"],
  ZO: ["08:30", "13:20"],
  HE: ["08:30", "13:05"],
  LE: ["08:30", "13:05"],
  GF: ["08:30", "13:05"],
};

/**
 * Whether a product trades at `ms` on the simulator's venue clock: CME Globex hours (Sunday 17:00
 * to Friday 16:00 Chicago, the daily 16:00–17:00 break, CME holidays and early closes from the one
 * calendar in src/core/time/cme-calendar.ts), or a product's own day session.
 */
export function isTrading(symbol: string, ms: number): boolean {
  const day = DAY_SESSIONS[symbol];
  if (!day) return isGlobexOpen(ms);
  const t = chicagoTime(ms);
  if (t.weekday === 0 || t.weekday === 6) return false;
  const m = t.hour * 60 + t.minute;
  const calendar = cmeDay(tradingDayOf(ms));
  if (calendar?.kind === "closed") return false;
  const close =
    calendar?.kind === "earlyClose" ? Math.min(minutesOf(calendar.close), minutesOf(day[1])) : minutesOf(day[1]);
  return m >= minutesOf(day[0]) && m < close;
}
