#!/usr/bin/env node
import { readFileSync, writeFileSync } from "node:fs";
import { basename } from "node:path";
import { parseArgs } from "node:util";
import { Journal } from "../core/journal/journal";
import { priceTrades } from "../core/replay/price-trades";
import { DEFAULT_TIME_ZONE, readTrades, tradesFromJournal } from "../core/replay/read-trades";
import { replayAll, TOPSTEP_PROFILES, withoutCurve } from "../core/replay/replay-all";
import { renderReplayHtml } from "../core/replay/replay-html";
import { formatReplayTable } from "../core/replay/replay-table";
import { ReplayInputError, type ReplayTrade } from "../core/replay/replay-trade";
import { PROFILES } from "../core/rules/rules-config";
import { displayTimeZone } from "../core/time/chicago-text";
import { PRODUCTS } from "../sim/products";

const USAGE = `Usage: topstepx-replay <trades.csv | journal.sqlite> [options]

Replays a strategy's trades through the funded-account rules and says whether each profile passes.

  <trades.csv>          TradingView's Strategy Tester "List of trades" export (either layout), or a
                        plain CSV of fills: time,symbol,side,qty,price
  <journal.sqlite>      this package's journal: what really happened on an account (--account)
  --profile <name>      one profile (repeat or comma-separate for several; default: the six Topstep
                        profiles): ${Object.keys(PROFILES).join(", ")}
  --symbol <MNQ>        the product, when the file names none (TradingView's exports do not)
  --tz <zone>           the chart's time zone the file's times are in (default ${DEFAULT_TIME_ZONE})
  --show-tz <zone>      the time zone the report shows times in (default TOPSTEPX_TIME_ZONE, else
                        America/Chicago; the trading day stays Chicago's)
  --account <id>        with a journal: the account whose trades to replay
  --json                the reports as JSON (without the equity curves)
  --html <report.html>  also write a self-contained page with the equity curves and the verdicts
  -h, --help            this text`;

/** What the command line asks for. */
interface Args {
  file: string;
  profiles: string[];
  symbol?: string;
  tz?: string;
  /** The display time zone, checked. */
  showTz: string;
  account?: number;
  json: boolean;
  html?: string;
}

function parse(argv: string[]): Args | null {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      profile: { type: "string", multiple: true },
      symbol: { type: "string" },
      tz: { type: "string" },
      "show-tz": { type: "string" },
      account: { type: "string" },
      json: { type: "boolean", default: false },
      html: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || positionals.length !== 1) return null;
  const profiles = (values.profile ?? [])
    .flatMap((p) => p.split(","))
    .map((p) => p.trim())
    .filter(Boolean);
  for (const p of profiles)
    if (!PROFILES[p])
      throw new UsageError(`--profile: unknown profile "${p}" (known: ${Object.keys(PROFILES).join(", ")})`);
  const account = values.account === undefined ? undefined : Number(values.account);
  if (account !== undefined && !Number.isInteger(account))
    throw new UsageError(`--account: "${values.account}" is not an account id`);
  return {
    file: positionals[0]!,
    profiles: profiles.length ? profiles : [...TOPSTEP_PROFILES],
    symbol: values.symbol,
    tz: values.tz,
    showTz:
      values["show-tz"] !== undefined
        ? displayTimeZone(values["show-tz"], "--show-tz")
        : displayTimeZone(process.env.TOPSTEPX_TIME_ZONE, "TOPSTEPX_TIME_ZONE"),
    account,
    json: values.json ?? false,
    html: values.html,
  };
}

class UsageError extends Error {}

/** The trades of the file: a journal by its SQLite header, else a CSV. */
function tradesOf(a: Args): ReplayTrade[] {
  const bytes = readFileSync(a.file);
  if (bytes.subarray(0, 15).toString("latin1") === "SQLite format 3") {
    if (a.account === undefined)
      throw new UsageError("--account: a journal holds several accounts; name the one to replay");
    const journal = Journal.open(a.file);
    try {
      return tradesFromJournal(journal.accountEntries(a.account));
    } finally {
      journal.close();
    }
  }
  const trades = readTrades(bytes.toString("utf8"), { fileName: basename(a.file), timeZone: a.tz, symbol: a.symbol });
  // Offline, a plain CSV's fills are priced from the contract table the simulator serves.
  return priceTrades(trades, (symbol) => PRODUCTS.find((p) => p.symbol === symbol));
}

function main(argv: string[]): number {
  let args: Args | null;
  try {
    args = parse(argv);
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n\n${USAGE}\n`);
    return 2;
  }
  if (!args) {
    process.stdout.write(`${USAGE}\n`);
    return argv.includes("-h") || argv.includes("--help") ? 0 : 2;
  }
  try {
    const trades = tradesOf(args);
    const reports = replayAll(trades, args.profiles, { timeZone: args.showTz });
    process.stdout.write(
      args.json ? `${JSON.stringify(reports.map(withoutCurve), null, 2)}\n` : `${formatReplayTable(reports)}\n`,
    );
    if (args.html) {
      writeFileSync(args.html, renderReplayHtml(reports, undefined, args.showTz));
      process.stderr.write(`report written to ${args.html}\n`);
    }
    return 0;
  } catch (e) {
    // A bad file names its line and column; nothing is reported from half a file.
    const where = e instanceof ReplayInputError ? `${basename(args.file)}: ` : "";
    process.stderr.write(`${where}${(e as Error).message}\n`);
    return e instanceof ReplayInputError || e instanceof UsageError || (e as { code?: string }).code === "ENOENT"
      ? 2
      : 1;
  }
}

process.exitCode = main(process.argv.slice(2));
