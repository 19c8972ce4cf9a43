import type { Node, NodeAPI } from "node-red";
import type { RulesConfigInput } from "../../src/core/rules/rules-config";
import { blackoutWindowsFrom } from "../../src/core/time/news-calendar";
import type { InputError } from "../shared/input";
import { AtLeastZero, type FieldSpec, Positive, TypedFields, WholeAtLeastOne } from "../shared/typed-props";
import { type DayRulesProps, dayRulesOverrides } from "./day-rules-props";

/**
 * The rules' limits that take a typedInput: a number, or env, flow or global read once when the
 * flow starts (a msg has nothing to say about limits fixed at deploy).
 */
export const RULES_FIELDS = {
  startBalance: { rule: AtLeastZero, plain: "num" },
  mllAmount: { rule: Positive, plain: "num" },
  flattenBuffer: { rule: AtLeastZero, plain: "num" },
  dailyLossAmount: { rule: Positive, plain: "num" },
  maxContracts: { rule: WholeAtLeastOne, plain: "num" },
  microRatio: { rule: WholeAtLeastOne, plain: "num" },
  maxOrdersPerMinute: { rule: WholeAtLeastOne, plain: "num" },
  maxTradesPerDay: { rule: WholeAtLeastOne, plain: "num" },
  maxAlertAgeSeconds: { rule: Positive, plain: "num" },
} as const satisfies Record<string, FieldSpec>;

/** One of {@link RULES_FIELDS}. */
export type RulesField = keyof typeof RULES_FIELDS;

/** The current version of the rules dialog: 2 added a `<field>Type` to each of {@link RULES_FIELDS}. */
export const RULES_PROPS_VERSION = 2;

/**
 * A rules dialog as version 2 reads it: a flow saved before typed limits (version 1, or none) had
 * plain numbers, which are the `num` type now. Nothing else changes.
 */
export function migrateRulesProps<P extends RulesProps>(p: P): P {
  if ((p.version ?? 1) >= RULES_PROPS_VERSION) return p;
  const out: P = { ...p, version: RULES_PROPS_VERSION };
  for (const field of Object.keys(RULES_FIELDS) as RulesField[]) out[`${field}Type`] ??= "num";
  return out;
}

/**
 * The dialog with its typed limits read (env, flow and global now, at deploy) and checked: the
 * first nonsense ("maxContracts: must be a whole number ≥ 1 (was 0)") is refused, and the node with it.
 */
export function readRulesProps<P extends RulesProps>(
  RED: NodeAPI,
  node: Node,
  saved: P,
): { props: P; refused?: InputError } {
  const props = migrateRulesProps(saved);
  const fields = new TypedFields<RulesField>(RED, node, RULES_FIELDS, props, true);
  const read: P = { ...props };
  for (const field of Object.keys(RULES_FIELDS) as RulesField[]) {
    const v = fields.values[field];
    read[field] = v === undefined ? "" : String(v);
  }
  return { props: read, refused: fields.refused[0] };
}

/** The rules node's dialog (version 2): a profile plus optional overrides; blank means "the profile's". */
export interface RulesProps extends DayRulesProps, Partial<Record<`${RulesField}Type`, string>> {
  account?: string;
  profile?: string;
  startBalance?: string;
  mllAmount?: string;
  mllMode?: string;
  flattenBuffer?: string;
  dailyLossAmount?: string;
  dailyLossMode?: string;
  dailyLossAction?: string;
  maxContracts?: string;
  microRatio?: string;
  entryCutoff?: string;
  flattenAt?: string;
  earlyCloses?: string;
  maxOrdersPerMinute?: string;
  maxTradesPerDay?: string;
  maxAlertAgeSeconds?: string;
  allowedSymbols?: string;
  /** Refuse hedges across accounts: absent in flows saved before it, which keeps it on. */
  refuseCrossAccountHedge?: boolean;
  stopAtTarget?: boolean;
  /** Guard stops: absent in flows saved before they existed, which keeps them on. */
  guardStops?: boolean;
  guardSlippageTicks?: string;
  /** The floor TopstepX shows, as the trader copied it ("$48,998.52" is fine). */
  shownFloor?: string;
  /** Seconds between heartbeat msgs on the rule-state output; absent in flows saved before it existed: 10. */
  heartbeatSeconds?: string;
  /** Flatten when a held contract has no quote for this many seconds while the market is open; blank or 0: off. */
  staleFeedFlattenSeconds?: string;
  /** News blackout lines, one event a line: "2026-12-09 13:00 CT FOMC ±5m" (see news-calendar.ts). */
  blackoutLines?: string;
  /** A blackout calendar file, .ics or .csv. */
  blackoutFile?: string;
  /** Add the shipped calendar of major US releases (FOMC, CPI, NFP); absent or false: not added. */
  blackoutMajorUs?: boolean;
  /** The window around a calendar event that gives none: "±5m", "-2m/+10m"; blank: ±5m. */
  blackoutMargin?: string;
  /** Flatten this many minutes before a window (decimals allowed); blank or 0: no flatten. */
  blackoutFlattenMinutes?: string;
  dbFile?: string;
  version?: number;
  /** Breakeven of bracket stops by default: after this many ticks of profit, to the entry plus the offset. */
  breakevenAfter?: string;
  breakevenOffset?: string;
  /** Trailing of bracket stops by default: this many ticks behind the best price, in steps. */
  trailDistance?: string;
  trailStep?: string;
}

const blank = (v: string | undefined) => v === undefined || String(v).trim() === "";
const num = (v: string | undefined) => (blank(v) ? undefined : Number(v));
/** Money as TopstepX prints it: a dollar sign, thousands separators and a typographic minus are dropped. */
const money = (v: string | undefined) =>
  blank(v)
    ? undefined
    : Number(
        String(v)
          .replace(/[$,\s]/g, "")
          .replace(/^[\u2212(](.*?)\)?$/, "-$1"),
      );

/** The dialog's overrides as rules data; the engine's schema validates them. */
export function overridesOf(
  p: RulesProps,
  profileLossFloor?: RulesConfigInput["lossFloor"],
): Partial<RulesConfigInput> {
  const o: Partial<RulesConfigInput> = {};
  if (!blank(p.startBalance)) o.startBalance = num(p.startBalance);
  if (!blank(p.mllAmount) || !blank(p.mllMode)) {
    o.lossFloor = {
      ...profileLossFloor,
      ...(blank(p.mllAmount) ? {} : { amount: num(p.mllAmount)! }),
      ...(blank(p.mllMode) ? {} : { mode: p.mllMode as "static" }),
    } as RulesConfigInput["lossFloor"];
  }
  if (!blank(p.flattenBuffer)) o.flattenBuffer = num(p.flattenBuffer);
  o.guardStops = {
    enabled: p.guardStops !== false,
    ...(blank(p.guardSlippageTicks) ? {} : { slippageTicks: num(p.guardSlippageTicks) }),
  };
  if (!blank(p.dailyLossAmount)) {
    o.dailyLoss = {
      amount: num(p.dailyLossAmount)!,
      mode: (p.dailyLossMode || "fixed") as "fixed",
      action: (p.dailyLossAction || "flattenAndBlock") as "flattenAndBlock",
    };
  }
  if (!blank(p.maxContracts)) o.maxContracts = num(p.maxContracts);
  if (!blank(p.microRatio)) o.microRatio = num(p.microRatio);
  const session: NonNullable<RulesConfigInput["session"]> = {};
  if (!blank(p.entryCutoff)) session.entryCutoff = p.entryCutoff!.trim();
  if (!blank(p.flattenAt)) session.flattenAt = p.flattenAt!.trim();
  if (!blank(p.earlyCloses)) session.earlyCloses = earlyClosesOf(p.earlyCloses!);
  if (Object.keys(session).length) o.session = session;
  if (!blank(p.maxOrdersPerMinute)) o.maxOrdersPerMinute = num(p.maxOrdersPerMinute);
  if (!blank(p.maxTradesPerDay)) o.maxTradesPerDay = num(p.maxTradesPerDay);
  if (!blank(p.maxAlertAgeSeconds)) o.maxAlertAgeSeconds = num(p.maxAlertAgeSeconds);
  if (!blank(p.allowedSymbols)) o.allowedSymbols = p.allowedSymbols!.split(/[\s,;]+/).filter(Boolean);
  if (p.refuseCrossAccountHedge === false) o.refuseCrossAccountHedge = false;
  if (p.stopAtTarget) o.stopAtTarget = true;
  if (!blank(p.shownFloor)) o.shownFloor = money(p.shownFloor);
  if (!blank(p.heartbeatSeconds)) o.heartbeatSeconds = num(p.heartbeatSeconds);
  if (!blank(p.staleFeedFlattenSeconds)) o.staleFeedFlattenSeconds = num(p.staleFeedFlattenSeconds);
  const blackouts = blackoutsOf(p);
  if (blackouts) o.blackouts = blackouts;
  o.stopManagement = {
    ...(blank(p.breakevenAfter)
      ? {}
      : { breakeven: { after: num(p.breakevenAfter)!, offset: num(p.breakevenOffset) } }),
    ...(blank(p.trailDistance) ? {} : { trail: { distance: num(p.trailDistance)!, step: num(p.trailStep) } }),
  };
  Object.assign(o, dayRulesOverrides(p));
  return o;
}

/**
 * The dialog's early closes, "2026-11-27 12:00, 2026-12-31 closed", as rules data. They add to the
 * CME calendar or replace its entry for the day; the schema checks the date and the time.
 */
function earlyClosesOf(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const entry of text
    .split(/[,;\n]+/)
    .map((x) => x.trim())
    .filter(Boolean)) {
    const parts = entry.split(/\s+/);
    if (parts.length !== 2)
      throw new Error(`session.earlyCloses: "${entry}" is not "YYYY-MM-DD HH:MM" or "YYYY-MM-DD closed"`);
    out[parts[0]!] = parts[1]!;
  }
  return out;
}

/** The dialog's news blackouts as rules data, the calendars read now (at deploy); none set: undefined. */
function blackoutsOf(p: RulesProps): RulesConfigInput["blackouts"] {
  const windows = blackoutWindowsFrom({
    lines: p.blackoutLines,
    file: p.blackoutFile,
    majorUsReleases: p.blackoutMajorUs === true,
    margin: p.blackoutMargin,
  });
  const minutes = blank(p.blackoutFlattenMinutes) ? 0 : Number(p.blackoutFlattenMinutes);
  if (!Number.isFinite(minutes) || minutes < 0)
    throw new Error(`blackouts.flattenBeforeSeconds: "${p.blackoutFlattenMinutes}" is not a number of minutes`);
  if (windows.length === 0 && minutes === 0) return undefined;
  return { windows, flattenBeforeSeconds: Math.round(minutes * 60) };
}
