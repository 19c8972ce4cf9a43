import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { Agent, request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayConnection } from "../src/core/connection";
import { isGuardTag } from "../src/core/gateway/custom-tag";
import { simulatorEndpoints } from "../src/core/gateway/environments";
import { Journal } from "../src/core/journal/journal";
import { AccountGuard } from "../src/core/rules/account-guard";
import { rulesFor } from "../src/core/rules/rules-config";
import { OrderSide, PositionType } from "../src/core/schemas";
import { type SimConfigInput, type Simulator, startSimulator } from "../src/sim";
import { clockSetting, runningClockFrom } from "../test/support/clock";
import { deployFlows, type NodeRedProcess, startNodeRed } from "../test/support/node-red-process";
import { USER } from "../test/support/sim";
import { bareFlow, exampleWebhookFlow } from "./flows";

export { USER };

/** Benchmarks run inside a trading session whatever the wall clock says: Wednesday 09:00 Chicago. */
const clock = runningClockFrom();
const now = clock.now;
/** The simulator runs without rate limits here, so the client's budgets are lifted too. */
export const CLOCK_SETTING = `${clockSetting(clock)}, topstepxConfigRestBudgets: { bars: { limit: 1e6, windowMs: 1000 }, other: { limit: 1e6, windowMs: 1000 } }`;

/** Node-RED as a process on the simulator `s`, logged in as the bench's user, on the bench's clock. */
export function benchNodeRed(s: Simulator): Promise<NodeRedProcess> {
  return startNodeRed(
    {
      TOPSTEPX_SIMULATOR_URL: s.restUrl,
      TOPSTEPX_USERNAME: USER.userName,
      TOPSTEPX_API_KEY: USER.apiKey,
      TOPSTEPX_WEBHOOK_SECRET: "bench",
    },
    [],
    CLOCK_SETTING,
  );
}

export interface Stats {
  n: number;
  p50: number;
  p99: number;
  max: number;
}

export function stats(samples: number[]): Stats {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => Number(s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!.toFixed(3));
  return { n: s.length, p50: at(50), p99: at(99), max: Number(s[s.length - 1]!.toFixed(3)) };
}

/** Real time in ms (high resolution): what every latency here is timed on. */
export const ms = () => Number(process.hrtime.bigint()) / 1e6;

/**
 * The benchmarks' simulator: a frozen market (prices move only when a benchmark moves them), live's
 * event quirks on. `free` products cost nothing to trade, and fill in full at the touch: thousands
 * of round trips in a frozen market would otherwise drain its book level by level and pay the loss
 * limit away in slippage and costs, and the rules would rightly stop approving. `at` is its clock
 * (default: the benchmarks' running session clock); `more` replaces the default accounts.
 */
export async function sim(
  free: string[] = [],
  at: () => number = now,
  more: Pick<SimConfigInput, "accounts"> = {},
): Promise<Simulator> {
  const zero = Object.fromEntries(free.map((symbol) => [symbol, 0]));
  return startSimulator({
    ...more,
    port: 0,
    now: at,
    market: { quoteRate: 0, ...(free.length ? { partialFills: false } : {}) },
    rateLimits: { enabled: false },
    hubs: { pingIntervalMs: 5000 },
    fees: zero,
    commissions: zero,
  });
}

async function token(s: Simulator): Promise<string> {
  const r = await fetch(`${s.restUrl}/api/Auth/loginKey`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(USER),
  });
  return ((await r.json()) as { token: string }).token;
}

/**
 * Alert → order: from the POST of an alert to the webhook until Order/place is handled at the
 * simulator, through the shipped example flow and through a bare http-in → http-request flow.
 */
export async function alertToOrder(alerts: number): Promise<{
  ours: Stats;
  bare: Stats;
  /** The alerts whose order reduced the position (the example flow's wait for the guard stop to make room first). */
  oursExits: Stats;
  bareExits: Stats;
  ratioP50: number;
  ratioP99: number;
  answered: number;
  errors: number;
}> {
  // A thousand round trips each lose the spread; without fees the account stays above its loss limit.
  const s = await sim(["MNQ"]);
  const t = await token(s);
  const contractId = s.market.frontMonths()[3]!.id; // MNQ
  const red = await benchNodeRed(s);
  try {
    await deployFlows(red.url, [...exampleWebhookFlow(), ...bareFlow(s.restUrl, t, contractId)]);
    // Wait for the rules node to be synced: its first answer that is not "stateUnknown".
    for (let i = 0; ; i++) {
      const r = await fetch(`${red.url}/topstepx/alert`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          secret: "bench",
          id: `warm-${i}`,
          symbol: "MNQ1!",
          side: i % 2 ? "sell" : "buy",
          quantity: 1,
        }),
      });
      if (r.status === 200) break;
      if (i > 200) throw new Error(`the webhook flow never approved: ${r.status} ${await r.text()}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    let arrived = 0;
    let exit = false;
    // The alert's own order, not a guard stop placed after an earlier fill; an exit is an order
    // that reduces the position it arrives at.
    s.onRequest = (endpoint, body) => {
      const b = body as { side?: number; customTag?: string | null };
      if (endpoint !== "Order/place" || arrived || isGuardTag(b.customTag)) return;
      arrived = ms();
      const held = s.exchange.openPositionsOf(10001).find((p) => p.contractId === contractId);
      exit = !!held && (held.type === PositionType.Long ? b.side === OrderSide.Ask : b.side === OrderSide.Bid);
    };
    const ours = { samples: [] as number[], exits: [] as number[], answered: 0, errors: 0 };
    const bare = { samples: [] as number[], exits: [] as number[], answered: 0, errors: 0 };
    const run = async (url: string, body: object, into: typeof ours): Promise<void> => {
      arrived = 0;
      const t0 = ms();
      const r = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      await r.arrayBuffer();
      into.answered++;
      if (r.status !== 200) into.errors++;
      else if (arrived > 0) {
        into.samples.push(arrived - t0);
        if (exit) into.exits.push(arrived - t0);
      }
    };
    const side = (i: number) => (i % 2 ? "sell" : "buy");
    const oursBody = (i: number) => ({ secret: "bench", id: `a-${i}`, symbol: "MNQ1!", side: side(i), quantity: 1 });
    const bareBody = (i: number) => ({ id: `b-${i}`, side: side(i), quantity: 1 });
    // Warm both paths, then measure them interleaved in blocks of 50 so drift hits both alike.
    const warm = { samples: [] as number[], exits: [] as number[], answered: 0, errors: 0 };
    for (let i = 0; i < 200; i++) {
      await run(`${red.url}/bare/alert`, { ...bareBody(i), id: `bw-${i}` }, warm);
      await run(`${red.url}/topstepx/alert`, { ...oursBody(i), id: `aw-${i}` }, warm);
    }
    for (let block = 0; block < alerts; block += 50) {
      for (let i = block; i < Math.min(alerts, block + 50); i++)
        await run(`${red.url}/topstepx/alert`, oursBody(i), ours);
      for (let i = block; i < Math.min(alerts, block + 50); i++) await run(`${red.url}/bare/alert`, bareBody(i), bare);
    }
    const o = stats(ours.samples);
    const b = stats(bare.samples);
    return {
      ours: o,
      bare: b,
      oursExits: stats(ours.exits),
      bareExits: stats(bare.exits),
      ratioP50: Number((o.p50 / b.p50).toFixed(2)),
      ratioP99: Number((o.p99 / b.p99).toFixed(2)),
      answered: ours.answered,
      errors: ours.errors,
    };
  } finally {
    s.onRequest = null;
    await red.stop();
    await s.close();
  }
}

/**
 * Breach → flatten: from the quote that crosses the flatten buffer to Position/closeContract
 * arriving at the simulator, with the real connection, AccountGuard and SQLite journal.
 */
export async function breachToFlatten(runs: number): Promise<Stats> {
  const dir = mkdtempSync(join(tmpdir(), "topstepx-bench-"));
  const samples: number[] = [];
  // The rules' own flatten, measured without the guard stop: that stop rests above the flatten
  // level (it keeps equity above the same floor after slippage), so it would close the position first.
  const config = rulesFor("topstep-combine-50k", { flattenBuffer: 200, guardStops: { enabled: false } });
  try {
    // A fresh simulator, connection and guard per run: every run starts from the same account.
    for (let i = 0; i < runs; i++) {
      const s = await sim();
      const conn = new GatewayConnection({
        endpoints: simulatorEndpoints(s.restUrl),
        credentials: USER,
        clock: { now },
      });
      const journal = new Journal(join(dir, `j${i}.sqlite`));
      const guard = new AccountGuard(conn, 10001, config, journal);
      try {
        await conn.start();
        await conn.whenConnected();
        const mes = s.market.frontMonths()[1]!;
        s.market.setPrice(s.market.get(mes.id)!, 6800);
        await guard.start();
        await conn.api.placeOrder({ accountId: 10001, contractId: mes.id, type: 2, side: 0, size: 2 });
        while (!((guard.status().headroom?.contracts ?? 0) > 0)) await new Promise((r) => setTimeout(r, 2));
        await new Promise((r) => setTimeout(r, 20)); // the guard's quote subscription settles
        let closedAt = 0;
        s.onRequest = (endpoint) => {
          if (endpoint === "Position/closeContract" && !closedAt) closedAt = ms();
        };
        const t0 = ms();
        s.market.setPrice(s.market.get(mes.id)!, 6620);
        const deadline = Date.now() + 5000;
        while (!closedAt && Date.now() < deadline) await new Promise((r) => setImmediate(r));
        if (!closedAt) throw new Error(`run ${i}: no flatten within 5 s`);
        samples.push(closedAt - t0);
        await guard.settled();
      } finally {
        await guard.stop();
        journal.close();
        await conn.stop();
        await s.close();
      }
    }
    return stats(samples);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * Quote throughput of market → monitor: the simulator publishes quotes of a held contract at
 * `rate`/s; the guard evaluates the rules on them. Reports quotes received, evaluations, the age of
 * the quote each evaluation saw (first vs last second: growing lag means falling behind), memory.
 */
export async function monitorThroughput(
  rate: number,
  seconds: number,
): Promise<{
  rate: number;
  quotesPerSecond: number;
  evaluationsPerSecond: number;
  lagFirstMs: number;
  lagLastMs: number;
  heapMiB: number;
}> {
  const s = await sim();
  const dir = mkdtempSync(join(tmpdir(), "topstepx-bench-"));
  const conn = new GatewayConnection({ endpoints: simulatorEndpoints(s.restUrl), credentials: USER, clock: { now } });
  const journal = new Journal(join(dir, "j.sqlite"));
  try {
    await conn.start();
    await conn.whenConnected();
    const mnq = s.market.frontMonths()[3]!;
    const guard = new AccountGuard(
      conn,
      10001,
      rulesFor("topstep-combine-50k", { lossFloor: { mode: "trailingEod", amount: 1_000_000 } }),
      journal,
    );
    await guard.start();
    await conn.api.placeOrder({ accountId: 10001, contractId: mnq.id, type: 2, side: 0, size: 1 });
    const book = conn.book(10001)!;
    while (!book.positions.has(mnq.id) || !conn.market.quote(mnq.id)) await new Promise((r) => setTimeout(r, 5));
    let evaluations = 0;
    const lags: Array<[number, number]> = [];
    const original = guard.evaluateNow.bind(guard);
    guard.evaluateNow = (event?: string) => {
      evaluations++;
      const q = conn.market.quote(mnq.id);
      if (q) lags.push([Date.now(), now() - q.timestamp]);
      return original(event);
    };
    const quotesBefore = conn.market.stats.quotesIn;
    s.market.setQuoteRate(rate);
    const start = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    s.market.setQuoteRate(0);
    const elapsed = (Date.now() - start) / 1000;
    const quotes = conn.market.stats.quotesIn - quotesBefore;
    const avg = (xs: number[]) => (xs.length ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
    const first = lags.filter(([t]) => t - start < 1000).map(([, l]) => l);
    const last = lags.filter(([t]) => start + elapsed * 1000 - t < 1000).map(([, l]) => l);
    await guard.stop();
    return {
      rate,
      quotesPerSecond: Math.round(quotes / elapsed),
      evaluationsPerSecond: Math.round(evaluations / elapsed),
      lagFirstMs: Number(avg(first).toFixed(1)),
      lagLastMs: Number(avg(last).toFixed(1)),
      heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20),
    };
  } finally {
    journal.close();
    await conn.stop();
    await s.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** One step of the webhook load: alerts offered at `rate`/s for a few seconds. */
export interface LoadStep {
  flow: "example" | "bare";
  rate: number;
  sent: number;
  answered: number;
  approved: number;
  refused: number;
  failed: number;
  decisionsPerSecond: number;
  answer: Stats;
  /** Order/place requests the simulator executed during the step. */
  ordersAtSimulator: number;
  /** Of those, the guard stops the rules node placed after fills. */
  guardOrders: number;
  /** CPU time per alert: of the Node-RED process, and of this one (simulator and load generator). */
  cpuMsPerAlert: { nodeRed: number; simulatorAndLoad: number };
  /** The answer to the step's last refused alert, if any. */
  lastRefusal?: string;
}

/**
 * Webhook capacity: alerts at steady rates through the example flow and through the bare flow, in
 * steps that alternate between the two (so drift hits both alike). Every alert must be answered
 * exactly once. The load generator keeps its connections alive (as TradingView's sender would) so
 * that it measures Node-RED, not TCP handshakes. Capacity = the highest rate whose answers all
 * came with p99 ≤ 50 ms.
 */
export async function webhookLoad(
  rates: number[],
  seconds: number,
): Promise<{ steps: LoadStep[]; capacity: { example: number; bare: number } }> {
  // Thousands of round trips each lose the spread; without fees a step stays above the loss limit.
  const s = await sim(["MNQ"]);
  const t = await token(s);
  const red = await benchNodeRed(s);
  const agent = new Agent({ keepAlive: true, maxSockets: 128 });
  let lastRefusal = "";
  const post = (path: string, body: object): Promise<number> =>
    new Promise((resolve, reject) => {
      const data = JSON.stringify(body);
      const req = request(
        `${red.url}${path}`,
        {
          method: "POST",
          agent,
          headers: { "content-type": "application/json", "content-length": Buffer.byteLength(data) },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on("data", (c: Buffer) => chunks.push(c));
          res.on("end", () => {
            if (res.statusCode !== 200) lastRefusal = Buffer.concat(chunks).toString().slice(0, 300);
            resolve(res.statusCode ?? 0);
          });
        },
      );
      req.on("error", reject);
      req.end(data);
    });
  try {
    const contractId = s.market.frontMonths()[3]!.id;
    // Every step starts from the same account: the simulator reset, a fresh journal (a rules node
    // that flattened on the last step's spread losses would refuse everything after).
    let deploys = 0;
    const freshAccount = async () => {
      await fetch(`${s.restUrl}/sim/reset`, { method: "POST" });
      const journal = join(red.userDir, `bench-journal-${deploys++}.sqlite`);
      await deployFlows(red.url, [...exampleWebhookFlow(journal), ...bareFlow(s.restUrl, t, contractId)]);
      for (let i = 0; ; i++) {
        const body = {
          secret: "bench",
          id: `warm-${deploys}-${i}`,
          symbol: "MNQ1!",
          side: i % 2 ? "sell" : "buy",
          quantity: 1,
        };
        if ((await post("/topstepx/alert", body)) === 200 && i % 2 === 1) break;
        if (i > 200) throw new Error(`the webhook flow never approved: ${lastRefusal}`);
        if (i % 2 === 0) await new Promise((res) => setTimeout(res, 100));
      }
    };
    const steps: LoadStep[] = [];
    let n = 0;
    for (const rate of rates) {
      for (const flow of ["bare", "example"] as const) {
        const path = flow === "bare" ? "/bare/alert" : "/topstepx/alert";
        await freshAccount();
        const placesBefore = await placeCount(s);
        const guardsBefore = guardCount(s);
        const cpuBefore = { red: processCpuMs(red.child.pid), self: process.cpuUsage() };
        const total = Math.round(rate * seconds);
        const times: number[] = [];
        let approved = 0;
        let refused = 0;
        let failed = 0;
        const start = ms();
        const pending: Promise<void>[] = [];
        for (let i = 0; i < total; i++) {
          const due = start + (i * 1000) / rate;
          const wait = due - ms();
          if (wait > 1) await new Promise((r) => setTimeout(r, wait));
          const id = `load-${n++}`;
          const t0 = ms();
          pending.push(
            post(path, { secret: "bench", id, symbol: "MNQ1!", side: i % 2 ? "sell" : "buy", quantity: 1 }).then(
              (status) => {
                times.push(ms() - t0);
                if (status === 200) approved++;
                else refused++;
              },
              () => {
                failed++;
              },
            ),
          );
        }
        await Promise.all(pending);
        const elapsed = (ms() - start) / 1000;
        const self = process.cpuUsage(cpuBefore.self);
        steps.push({
          flow,
          rate,
          sent: total,
          answered: times.length,
          approved,
          refused,
          failed,
          decisionsPerSecond: Math.round(times.length / elapsed),
          answer: stats(times.length ? times : [Number.NaN]),
          ordersAtSimulator: (await placeCount(s)) - placesBefore,
          guardOrders: guardCount(s) - guardsBefore,
          cpuMsPerAlert: {
            nodeRed: Number(((processCpuMs(red.child.pid) - cpuBefore.red) / total).toFixed(3)),
            simulatorAndLoad: Number(((self.user + self.system) / 1000 / total).toFixed(3)),
          },
          ...(refused ? { lastRefusal } : {}),
        });
      }
    }
    const capacity = (flow: LoadStep["flow"]) =>
      Math.max(
        0,
        ...steps.filter((x) => x.flow === flow && x.answered === x.sent && x.answer.p99 <= 50).map((x) => x.rate),
      );
    return { steps, capacity: { example: capacity("example"), bare: capacity("bare") } };
  } finally {
    agent.destroy();
    await red.stop();
    await s.close();
  }
}

/** Order/place requests the simulator has executed. */
async function placeCount(s: Simulator): Promise<number> {
  const state = (await (await fetch(`${s.restUrl}/sim/state`)).json()) as {
    requests?: Record<string, { executed: number }>;
  };
  return state.requests?.["Order/place"]?.executed ?? 0;
}

/** Guard stops the simulator holds for the benchmark's account, working or not. */
function guardCount(s: Simulator): number {
  return s.exchange.ordersOf(10001).filter((o) => isGuardTag(o.customTag)).length;
}

/** CPU time a process has used, in ms (Linux /proc; NaN elsewhere). */
function processCpuMs(pid: number | undefined): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
    return (Number(fields[11]) + Number(fields[12])) * (1000 / 100);
  } catch {
    return Number.NaN;
  }
}
