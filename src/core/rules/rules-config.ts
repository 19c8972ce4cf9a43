import { z } from "zod";
import { Breakeven, Trail } from "../protection/stop-levels";

/**
 * A funded account's rules, as data. Every number is configuration; the profiles below only fill
 * in defaults. Money is in account currency (USD), times are America/Chicago wall-clock "HH:MM".
 */
const Money = z.coerce.number().finite();
const PositiveMoney = z.coerce.number().finite().positive();
const Clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, "use HH:MM (24 h, Chicago time)");

/** The Maximum Loss Limit: a floor under the balance that trails a high-water mark up to its lock. */
export const LossFloorRule = z.object({
  /** static: fixed floor; trailingEod: from the highest end-of-day balance; trailingIntraday: from the equity peak. */
  mode: z.enum(["static", "trailingEod", "trailingIntraday"]).default("trailingEod"),
  /** Maximum Loss Limit: distance of the floor below the high-water mark. */
  amount: PositiveMoney,
  /** The floor stops rising once it reaches this balance (Combine: the starting balance; XFA: 0). */
  lockAt: Money.optional(),
});

/** The daily loss limit: how far equity may fall in one trading day, and what happens when it does. */
export const DailyLossRule = z.object({
  amount: PositiveMoney,
  /** fixed: from the day's starting balance; trailing: from the day's highest equity. */
  mode: z.enum(["fixed", "trailing"]).default("fixed"),
  /** none: report only; flatten; flattenAndBlock: flatten and refuse entries until the next session. */
  action: z.enum(["none", "flatten", "flattenAndBlock"]).default("flattenAndBlock"),
});

/** A news blackout window: epoch ms, and the markets it covers (ES for ES and MES; empty: all). */
export const BlackoutWindow = z.object({
  name: z.string().min(1),
  at: z.number().finite(),
  start: z.number().finite(),
  end: z.number().finite(),
  markets: z.array(z.string()).default([]),
});

/** A scaling tier: from this end-of-day profit (balance above the start), this many contracts. */
export const ScalingTier = z.object({ minProfit: Money, maxContracts: z.coerce.number().int().positive() });

/**
 * Profit lock, per trading day, on the day's P&L net of fees and commissions (open positions marked):
 * `stopAt` refuses new entries once the day reaches it; from a day's peak of `lockFrom`, the day
 * falling back below `lockPercent` % of its peak flattens and blocks entries until the next session.
 */
export const ProfitLockRule = z
  .object({
    stopAt: PositiveMoney.optional(),
    lockFrom: PositiveMoney.optional(),
    lockPercent: z.coerce.number().gt(0).lte(100).optional(),
  })
  .superRefine((p, ctx) => {
    if ((p.lockFrom === undefined) !== (p.lockPercent === undefined))
      ctx.addIssue({
        code: "custom",
        path: [p.lockFrom === undefined ? "lockFrom" : "lockPercent"],
        message: "the peak lock needs both lockFrom (dollars) and lockPercent (share of the peak kept)",
      });
  });

/**
 * Consistency: the best day at most `bestDayPercent` % of the total profit; optionally refuse entries
 * past it. A bare number, as rules saved before the setting carried it, is the share (0.5 or 50).
 */
export const ConsistencyRule = z.preprocess(
  (v) => (typeof v === "number" ? { bestDayPercent: v <= 1 ? v * 100 : v } : v),
  z.object({
    bestDayPercent: z.coerce.number().gt(0).lt(100),
    refuseEntries: z.boolean().default(false),
  }),
);

/**
 * Cooldown: after `losses` losing trades in a row (a trade: a round trip to flat, net of costs), or
 * a loss of `lossAmount` within `withinMinutes`, entries are refused for `minutes`; exits pass.
 */
export const CooldownRule = z
  .object({
    losses: z.coerce.number().int().positive().optional(),
    lossAmount: PositiveMoney.optional(),
    withinMinutes: z.coerce.number().positive().max(1440).optional(),
    minutes: z.coerce.number().positive().max(1440),
  })
  .superRefine((c, ctx) => {
    if (c.losses === undefined && c.lossAmount === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["losses"],
        message: "set losses (in a row) or lossAmount (within minutes)",
      });
    if (c.lossAmount !== undefined && c.withinMinutes === undefined)
      ctx.addIssue({
        code: "custom",
        path: ["withinMinutes"],
        message: "lossAmount needs the minutes it is counted over",
      });
  });

/**
 * The rules one account trades under, as data: a profile's values (see PROFILES and rulesFor) with
 * the trader's overrides, validated. Amounts are dollars, times Chicago "HH:MM".
 */
export const RulesConfig = z.object({
  profile: z.string().default("custom"),
  /** The balance the account started with (Combine 50,000; XFA 0). */
  startBalance: Money,
  lossFloor: LossFloorRule.optional(),
  /**
   * The Maximum Loss Limit floor TopstepX shows for the account, as the trader read it: the floor in
   * force is the higher of it and the computed one, and it lets in an account whose trade history
   * cannot be rebuilt.
   */
  shownFloor: Money.optional(),
  /** Act (flatten) when equity comes this close to the loss floor. */
  flattenBuffer: Money.min(0).default(0),
  dailyLoss: DailyLossRule.optional(),
  /**
   * Guard stops: a resting stop at the gateway for every open position, at the level where all of
   * them filling together (each `slippageTicks` past its stop, after closing costs) keeps equity above
   * the tightest floor in force; it protects the account while our process is down. On by default.
   */
  guardStops: z
    .object({
      enabled: z.boolean().default(true),
      /** Ticks each guard fill may slip past its stop (gaps can exceed it; see the README). */
      slippageTicks: z.coerce.number().int().min(0).max(1000).default(4),
      /** A guard's price moves at most once per this many seconds (size changes never wait). */
      repriceSeconds: z.coerce.number().min(0).max(3600).default(2),
    })
    .prefault({}),

  /** Maximum position in mini equivalents, across products, counting working entry orders. */
  maxContracts: z.coerce.number().int().positive().optional(),
  /** Micros per mini (10 on TopstepX; 1 where a micro counts as a full contract). */
  microRatio: z.coerce.number().int().positive().default(10),
  /** Maximum contracts by end-of-day balance, effective from the next session. */
  scaling: z.array(ScalingTier).optional(),
  profitTarget: PositiveMoney.optional(),
  /** Refuse new entries once the profit target is reached. */
  stopAtTarget: z.boolean().default(false),
  session: z
    .object({
      open: Clock.default("17:00"),
      close: Clock.default("15:10"),
      /** No new entries from this time until the session closes. */
      entryCutoff: Clock.optional(),
      /** Flatten the account at this time, before the close. */
      flattenAt: Clock.optional(),
      /**
       * The trader's own days, over the calendar's: trading day date (YYYY-MM-DD) → close time, or
       * "closed" for a day without a session. An entry replaces the calendar's entry for that day.
       */
      earlyCloses: z
        .record(
          z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
          z.string().regex(/^(([01]\d|2[0-3]):[0-5]\d|closed)$/, 'use HH:MM (24 h, Chicago time) or "closed"'),
        )
        .default({}),
    })
    .prefault({}),
  /** Holidays and early closes: "cme" reads the CME Globex calendar (src/core/time/cme-calendar.ts); "none" only session.earlyCloses. */
  calendar: z.enum(["cme", "none"]).default("cme"),
  maxOrdersPerMinute: z.coerce.number().int().positive().optional(),
  /** Fills per trading day; every entry and exit fill counts. */
  maxTradesPerDay: z.coerce.number().int().positive().optional(),
  /** Alerts older than this are refused. */
  maxAlertAgeSeconds: z.coerce.number().positive().optional(),
  /** Alerts stamped further ahead of our clock than this are refused: a replay or a wrong clock. */
  maxAlertAheadSeconds: z.coerce.number().min(0).default(5),
  /** Product symbols allowed for entries (ES, MNQ…); empty: all. */
  allowedSymbols: z.array(z.string().trim().toUpperCase()).default([]),
  /** Refuse an entry that would hedge another account of the same login (Topstep prohibits it). */
  refuseCrossAccountHedge: z.boolean().default(true),
  /** A rule-state msg with event "heartbeat" every this many seconds, whether anything changed or not (0: off). */
  heartbeatSeconds: z.coerce.number().int().min(0).max(3600).default(10),
  /** Flatten when a held contract has had no quote for this many seconds while the market is open (0 or absent: off). */
  staleFeedFlattenSeconds: z.coerce.number().int().min(0).max(3600).optional(),
  /** News blackouts: entries refused inside each window (src/core/rules/blackouts.ts); absent: none. */
  blackouts: z
    .object({
      /** The windows, read from the trader's lines and calendars by src/core/time/news-calendar.ts. */
      windows: z.array(BlackoutWindow).default([]),
      /** Flatten this many seconds before a window opens, and refuse entries from then (0: no flatten). */
      flattenBeforeSeconds: z.coerce.number().int().min(0).max(86_400).default(0),
    })
    .optional(),
  /**
   * Breakeven and trailing of bracket stop-loss legs (see stop-manager.ts), for positions whose
   * entry carried no setting of its own; moved at most once per guardStops.repriceSeconds.
   */
  stopManagement: z.object({ breakeven: Breakeven.optional(), trail: Trail.optional() }).prefault({}),
  /** Stop entries after a day's profit, or keep a share of the day's peak (profit-lock.ts). */
  profitLock: ProfitLockRule.optional(),
  /** The best day's largest share of the total profit (consistency.ts). */
  consistency: ConsistencyRule.optional(),
  /** Entries paused after losing trades (cooldown.ts). */
  cooldown: CooldownRule.optional(),
});
export type RulesConfig = z.infer<typeof RulesConfig>;
/** A RulesConfig before validation: numbers may be strings and defaulted fields absent. */
export type RulesConfigInput = z.input<typeof RulesConfig>;

const COMBINE = {
  "50k": { size: 50_000, target: 3_000, mll: 2_000, contracts: 5 },
  "100k": { size: 100_000, target: 6_000, mll: 3_000, contracts: 10 },
  "150k": { size: 150_000, target: 9_000, mll: 4_500, contracts: 15 },
} as const;

const XFA_SCALING: Record<keyof typeof COMBINE, z.input<typeof ScalingTier>[]> = {
  "50k": [
    { minProfit: -1e12, maxContracts: 2 },
    { minProfit: 1_500, maxContracts: 3 },
    { minProfit: 2_000, maxContracts: 5 },
  ],
  // Thresholds of the larger plans are published only as an image: verify before relying on them.
  "100k": [
    { minProfit: -1e12, maxContracts: 3 },
    { minProfit: 1_500, maxContracts: 4 },
    { minProfit: 2_000, maxContracts: 5 },
    { minProfit: 3_000, maxContracts: 10 },
  ],
  "150k": [
    { minProfit: -1e12, maxContracts: 3 },
    { minProfit: 1_500, maxContracts: 4 },
    { minProfit: 2_000, maxContracts: 5 },
    { minProfit: 3_000, maxContracts: 10 },
    { minProfit: 4_500, maxContracts: 15 },
  ],
};

const TOPSTEP_SESSION = { open: "17:00", close: "15:10", entryCutoff: "15:00", flattenAt: "15:05" };

/** The built-in profiles, as rules data a trader can read and override. */
export const PROFILES: Record<string, RulesConfigInput> = {
  ...Object.fromEntries(
    Object.entries(COMBINE).map(([k, c]) => [
      `topstep-combine-${k}`,
      {
        profile: `topstep-combine-${k}`,
        startBalance: c.size,
        lossFloor: { mode: "trailingEod", amount: c.mll, lockAt: c.size },
        maxContracts: c.contracts,
        microRatio: 10,
        profitTarget: c.target,
        session: TOPSTEP_SESSION,
        // The best day under 50 % of the total profit to pass (topstep-rules.md §1.1, "Consistency target").
        consistency: { bestDayPercent: 50 },
        calendar: "cme",
      } satisfies RulesConfigInput,
    ]),
  ),
  ...Object.fromEntries(
    Object.entries(COMBINE).map(([k, c]) => [
      `topstep-xfa-${k}`,
      {
        profile: `topstep-xfa-${k}`,
        startBalance: 0,
        lossFloor: { mode: "trailingEod", amount: c.mll, lockAt: 0 },
        maxContracts: c.contracts,
        microRatio: 10,
        scaling: XFA_SCALING[k as keyof typeof COMBINE],
        session: TOPSTEP_SESSION,
        calendar: "cme",
      } satisfies RulesConfigInput,
    ]),
  ),
};

/** A profile's rules with the trader's overrides on top, validated. */
export function rulesFor(profile: string, overrides: Partial<RulesConfigInput> = {}): RulesConfig {
  const base: Partial<RulesConfigInput> | undefined = profile === "custom" ? {} : PROFILES[profile];
  if (!base)
    throw new Error(`profile: unknown profile "${profile}" (known: ${Object.keys(PROFILES).join(", ")}, custom)`);
  const merged = {
    ...base,
    ...stripUndefined(overrides),
    session: { ...base.session, ...stripUndefined(overrides.session ?? {}) },
  };
  const r = RulesConfig.safeParse(merged);
  if (!r.success) {
    const i = r.error.issues[0]!;
    throw new Error(`${i.path.join(".") || "rules"}: ${i.message}`);
  }
  return r.data;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
