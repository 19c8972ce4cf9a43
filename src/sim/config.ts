import { readFileSync } from "node:fs";
import { z } from "zod";
import { PRODUCTS } from "./catalog";

/**
 * Simulator configuration: everything a `--config FILE` may set, with defaults that give one
 * 50K Combine-like account and a second account for multi-account flows.
 */
const Account = z.object({
  id: z.number().int().positive(),
  name: z.string().min(1),
  balance: z.number().finite(),
  canTrade: z.boolean().default(true),
  isVisible: z.boolean().default(true),
  simulated: z.boolean().default(true),
  /** Inactive accounts are hidden from Account/search with onlyActiveAccounts. */
  active: z.boolean().default(true),
  /**
   * Auto OCO brackets: the account setting that lets Order/place carry stopLossBracket and
   * takeProfitBracket. Off means "Position Brackets", where the gateway refuses them.
   */
  autoOcoBrackets: z.boolean().default(false),
});
export type SimAccountConfig = z.infer<typeof Account>;

const User = z.object({ userName: z.string().min(1), apiKey: z.string().min(1) });

const Window = z.object({ limit: z.number().int().positive(), windowMs: z.number().int().positive() });

export const SimConfig = z.object({
  host: z.string().default("127.0.0.1"),
  port: z.number().int().min(0).max(65535).default(5880),
  /** Seed of the synthetic market: same seed, same prices. */
  seed: z.number().int().default(42),
  users: z
    .array(User)
    .min(1)
    .default([{ userName: "trader", apiKey: "local-simulator-key" }]),
  accounts: z
    .array(Account)
    .min(1)
    .default([
      {
        id: 10001,
        name: "50KTC-V2-SIM-10001",
        balance: 50_000,
        canTrade: true,
        isVisible: true,
        simulated: true,
        active: true,
        autoOcoBrackets: false,
      },
      {
        id: 10002,
        name: "PRAC-V2-SIM-10002",
        balance: 50_000,
        canTrade: true,
        isVisible: true,
        simulated: true,
        active: true,
        autoOcoBrackets: false,
      },
      // Express Funded accounts start at $0 (the profiles' start balance); TopstepX does not
      // document their names: "XFA" in the name is what the profile check reads.
      {
        id: 10003,
        name: "50KXFA-V2-SIM-10003",
        balance: 0,
        canTrade: true,
        isVisible: true,
        simulated: true,
        active: true,
        autoOcoBrackets: false,
      },
      {
        id: 10004,
        name: "150KXFA-V2-SIM-10004",
        balance: 0,
        canTrade: true,
        isVisible: true,
        simulated: true,
        active: true,
        autoOcoBrackets: false,
      },
    ]),
  /** Session token lifetime. The gateway's is 24 hours. */
  tokenTtlSeconds: z.number().positive().default(86_400),
  /** Fee per contract per side by product symbol (ES, MNQ…), overriding the built-in table. */
  fees: z.record(z.string(), z.number().min(0)).default({}),
  /** Commission per contract per side by product symbol, overriding the built-in table (src/sim/costs.ts). */
  commissions: z.record(z.string(), z.number().min(0)).default({}),
  market: z
    .object({
      /**
       * Quotes per second per active contract. 0 freezes the market: prices then move only through
       * POST /sim/price, which is what tests want.
       */
      quoteRate: z.number().min(0).max(100_000).default(4),
      /** Send the first quote in full, then only changed fields, as the gateway does. */
      sparseQuotes: z.boolean().default(true),
      /** Levels per side in GatewayDepth snapshots. */
      depthLevels: z.number().int().min(1).max(50).default(10),
      /**
       * Average contracts at the best bid or ask by product symbol, overriding the built-in table
       * (src/sim/depth.ts; MNQ 15, so 5 to 30 at the touch). Deeper levels hold a little more.
       */
      depthSize: z.record(z.string(), z.number().int().min(1)).default({}),
      /**
       * Depth-limited fills, as live: a market order larger than the best level walks the book
       * (one trade per price, one order), a resting limit fills part by part as the market prints
       * at its price. Off: every order fills in full at one price, for focused tests.
       */
      partialFills: z.boolean().default(true),
      /** Contracts that trade at a resting limit's price per print; unset varies from 1 to 5. */
      touchFill: z.number().int().min(1).optional(),
      /**
       * "cme": products trade only in their CME hours on the venue clock (orders refused and no
       * quotes while closed), as on TopstepX. "always": the market never closes.
       */
      hours: z.enum(["cme", "always"]).default("cme"),
    })
    .prefault({}),
  hubs: z
    .object({
      /** Server keep-alive ping interval; the client times out after 30 s of silence. */
      pingIntervalMs: z.number().int().positive().default(15_000),
      /** Close sockets that sent nothing for this long, as ASP.NET does. 0 disables. */
      clientTimeoutMs: z.number().int().min(0).default(30_000),
    })
    .prefault({}),
  /**
   * What the live gateway does that a kind simulator would not, as a production TopstepX event log
   * shows (README, "Where it differs from TopstepX"). All on by default, so our core is proven
   * against them; a focused test may switch one off.
   */
  quirks: z
    .object({
      /** A closing fill's trade event is followed by a second one: the opening half-turn again, same id. */
      secondTradeOnClose: z.boolean().default(true),
      /** Every account event is sent 2 to 4 times in a row. */
      repeatAccountUpdates: z.boolean().default(true),
      /** An order created and refused at once (brackets on a Position Brackets account) shows status 6 Pending, then 5 Rejected. */
      pendingBeforeReject: z.boolean().default(true),
      /** Hub timestamps without trailing zeros in the fraction (none at all on a whole second), as .NET writes them. */
      trimTimestamps: z.boolean().default(true),
    })
    .prefault({}),
  rateLimits: z
    .object({
      enabled: z.boolean().default(true),
      /** History/retrieveBars. */
      bars: Window.default({ limit: 50, windowMs: 30_000 }),
      /** Every other endpoint. */
      other: Window.default({ limit: 200, windowMs: 60_000 }),
    })
    .prefault({}),
  /** Log each request to stderr. */
  verbose: z.boolean().default(false),
});
export type SimConfig = z.infer<typeof SimConfig>;
export type SimConfigInput = z.input<typeof SimConfig>;

/** Validates a configuration object; throws an Error naming each bad field. */
export function parseSimConfig(input: unknown): SimConfig {
  const r = SimConfig.safeParse(input ?? {});
  if (!r.success) {
    const lines = r.error.issues.map((i) => `  ${i.path.join(".") || "(root)"}: ${i.message}`);
    throw new Error(`Invalid simulator configuration:\n${lines.join("\n")}`);
  }
  const ids = new Set<number>();
  for (const a of r.data.accounts) {
    if (ids.has(a.id)) throw new Error(`Invalid simulator configuration:\n  accounts: id ${a.id} is used twice`);
    ids.add(a.id);
  }
  // Login matches user names case-insensitively: a second "Trader" could never log in.
  const names = new Set<string>();
  for (const u of r.data.users) {
    const key = u.userName.toLowerCase();
    if (names.has(key))
      throw new Error(`Invalid simulator configuration:\n  users: userName ${u.userName} is used twice`);
    names.add(key);
  }
  // Costs are looked up by exact symbol: a typo ("mnq", "NQX") would silently keep the default.
  for (const [field, table] of [
    ["fees", r.data.fees],
    ["commissions", r.data.commissions],
    ["market.depthSize", r.data.market.depthSize],
  ] as const) {
    for (const symbol of Object.keys(table)) {
      if (!PRODUCTS.some((p) => p.symbol === symbol)) {
        throw new Error(
          `Invalid simulator configuration:\n  ${field}.${symbol}: no product ${symbol}; use one of ${PRODUCTS.map((p) => p.symbol).join(", ")}`,
        );
      }
    }
  }
  return r.data;
}

/** Reads a JSON configuration file. */
export function loadSimConfigFile(file: string): SimConfigInput {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    throw new Error(`Cannot read simulator configuration ${file}: ${(e as Error).message}`);
  }
  try {
    return JSON.parse(text) as SimConfigInput;
  } catch (e) {
    throw new Error(`Simulator configuration ${file} is not valid JSON: ${(e as Error).message}`);
  }
}
