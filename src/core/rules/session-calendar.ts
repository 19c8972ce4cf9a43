import { cmeDay } from "../time/cme-calendar";
import type { RulesConfig } from "./rules-config";

/** How one trading day's session runs under an account's rules. */
export type SessionDay =
  | { kind: "normal"; close: string }
  | { kind: "earlyClose"; close: string; holiday: string | null }
  | { kind: "closed"; holiday: string | null; own: boolean };

/**
 * The session of a trading day (`YYYY-MM-DD`, the date it closes): the trader's own
 * `session.earlyCloses` entry for that day if any, else the CME calendar's (unless `calendar` is
 * "none"), else the normal close. A trader's entry keeps the calendar's holiday name, so that a
 * reason still says which day it is.
 */
export function sessionDay(config: Pick<RulesConfig, "session" | "calendar">, tradingDay: string): SessionDay {
  const cme = config.calendar === "none" ? undefined : cmeDay(tradingDay);
  const own = Object.hasOwn(config.session.earlyCloses, tradingDay)
    ? config.session.earlyCloses[tradingDay]
    : undefined;
  const holiday = cme?.holiday ?? null;
  if (own === "closed") return { kind: "closed", holiday, own: true };
  if (own !== undefined) return { kind: "earlyClose", close: own, holiday };
  if (cme)
    return cme.kind === "closed"
      ? { kind: "closed", holiday, own: false }
      : { kind: "earlyClose", close: cme.close, holiday };
  return { kind: "normal", close: config.session.close };
}

/**
 * The sentence a trader reads when the session is closed at a moment of trading day `day`: names
 * the holiday or the early close when there is one.
 */
export function closedSentence(config: Pick<RulesConfig, "session">, today: SessionDay, day: string): string {
  if (today.kind === "closed") {
    return today.own
      ? `Trading day ${day}${today.holiday ? ` (${today.holiday})` : ""} is closed in the rules' early closes (session.earlyCloses): there is no session.`
      : `CME is closed for ${today.holiday ?? "a holiday"}: there is no session on trading day ${day}.`;
  }
  if (today.kind === "earlyClose") {
    return `The session is closed: ${today.holiday ? `${today.holiday} closes early` : "today closes early"}; Topstep's trading day runs ${config.session.open} to ${today.close} Chicago time today.`;
  }
  return `The session is closed: Topstep's trading day runs ${config.session.open} to ${today.close} Chicago time, Sunday to Friday.`;
}
