#!/usr/bin/env node
import { loadSimConfigFile, type SimConfigInput } from "./config";
import { type SimulatorOptions, startSimulator } from "./simulator";
import { parseInstant } from "./venue-clock";

const USAGE = `Usage: topstepx-sim [--port N] [--host 127.0.0.1] [--seed S] [--config FILE]
                    [--quote-rate N] [--clock TIME] [--speed N] [--verbose]

A local ProjectX Gateway (TopstepX API) with a synthetic market, for paper-trading flows.
  --port N         listen port (default 5880; 0 picks a free port)
  --host H         listen address (default 127.0.0.1)
  --seed S         market seed: the same seed gives the same prices (default 42)
  --config FILE    JSON configuration: users, accounts, fees, commissions, market, hubs, rateLimits
  --quote-rate N   quotes per second per watched contract; 0 freezes prices (default 4)
  --clock TIME     start the venue clock at TIME (ISO 8601 with offset, e.g. 2026-12-01T09:30:00-06:00);
                   default: now. GET/POST /sim/clock reads and moves it while running
  --speed N        run the venue clock N times faster than real time (default 1)
  --verbose        log every request`;

function parseArgs(argv: string[]): { file?: string; overrides: SimConfigInput; clock: SimulatorOptions["clock"] } {
  const overrides: SimConfigInput = {};
  const clock: NonNullable<SimulatorOptions["clock"]> = {};
  let file: string | undefined;
  const num = (flag: string, v: string | undefined) => {
    const n = Number(v);
    if (v === undefined || v.trim() === "" || !Number.isFinite(n)) throw new Error(`${flag} needs a number`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const [flag, inline] = a.includes("=") ? [a.slice(0, a.indexOf("=")), a.slice(a.indexOf("=") + 1)] : [a, undefined];
    const value = () => inline ?? argv[++i];
    switch (flag) {
      case "--port":
        overrides.port = num(flag, value());
        break;
      case "--host":
        overrides.host = value();
        break;
      case "--seed":
        overrides.seed = num(flag, value());
        break;
      case "--config":
        file = value();
        break;
      case "--quote-rate":
        overrides.market = { quoteRate: num(flag, value()) };
        break;
      case "--clock":
        clock.start = parseInstant(value() ?? "");
        break;
      case "--speed":
        clock.speed = num(flag, value());
        if (clock.speed <= 0 || clock.speed > 10_000) throw new Error("--speed needs a number above 0, at most 10000");
        break;
      case "--verbose":
        overrides.verbose = true;
        break;
      case "-h":
      case "--help":
        process.stdout.write(`${USAGE}\n`);
        return process.exit(0);
      default:
        throw new Error(`unknown option ${a}`);
    }
  }
  return { file, overrides, clock };
}

async function main(): Promise<void> {
  let args: ReturnType<typeof parseArgs>;
  try {
    args = parseArgs(process.argv.slice(2));
  } catch (e) {
    process.stderr.write(`topstepx-sim: ${(e as Error).message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  const base = args.file ? loadSimConfigFile(args.file) : {};
  const config: SimConfigInput = { ...base, ...args.overrides, market: { ...base.market, ...args.overrides.market } };
  const sim = await startSimulator({ ...config, clock: args.clock });
  const user = sim.config.users[0]!;
  process.stdout.write(
    `TopstepX gateway simulator (seed ${sim.config.seed}, ${sim.market.quoteRate} quotes/s per contract)\n` +
      `  REST base URL   ${sim.restUrl}\n` +
      `  User hub        ${sim.userHubUrl}\n` +
      `  Market hub      ${sim.marketHubUrl}\n` +
      `  Control API     ${sim.restUrl}/sim/state\n` +
      `  Venue clock     ${new Date(sim.now()).toISOString()}${sim.clock.speed === 1 ? "" : ` (×${sim.clock.speed})`}, ${sim.restUrl}/sim/clock\n` +
      `  Login           userName "${user.userName}", apiKey "${user.apiKey}"\n` +
      `  Accounts        ${sim.config.accounts.map((a) => `${a.name} (${a.id})`).join(", ")}\n`,
  );
  const stop = () => {
    sim.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((e: Error) => {
  process.stderr.write(`topstepx-sim: ${e.message}\n`);
  process.exit(1);
});
