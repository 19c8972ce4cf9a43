import { Agent, request } from "node:http";
import * as signalR from "@microsoft/signalr";
import { type Simulator, startSimulator } from "../src/sim";
import { runningClockFrom } from "../test/support/clock";
import { USER } from "../test/support/sim";

/** The simulator keeps CME hours: benchmarks run inside a session whatever the wall clock says. */
const now = runningClockFrom().now;

/**
 * Simulator throughput: quotes per second it publishes to a real @microsoft/signalr client over
 * loopback, and REST requests per second it serves over keep-alive connections.
 */

async function token(sim: Simulator): Promise<string> {
  const r = await fetch(`${sim.restUrl}/api/Auth/loginKey`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(USER),
  });
  return ((await r.json()) as { token: string }).token;
}

export interface QuoteResult {
  offeredPerSecond: number;
  receivedPerSecond: number;
  ratio: number;
  /** How far the newest received quote's timestamp trails the clock at the end, in ms. */
  lagMs: number;
}

/** Runs the market at `rate` quotes/s per contract over `contracts` contracts for `ms`. */
export async function quoteThroughput(rate: number, contracts: number, ms: number): Promise<QuoteResult> {
  const sim = await startSimulator({ port: 0, now, market: { quoteRate: 0 }, rateLimits: { enabled: false } });
  try {
    const t = await token(sim);
    const conn = new signalR.HubConnectionBuilder()
      .withUrl(sim.marketHubUrl, {
        skipNegotiation: true,
        transport: signalR.HttpTransportType.WebSockets,
        accessTokenFactory: () => t,
      })
      .configureLogging(signalR.LogLevel.None)
      .build();
    let received = 0;
    let newest = 0;
    conn.on("GatewayQuote", (_id: string, q: { timestamp?: string }) => {
      received++;
      if (q.timestamp) newest = Date.parse(`${q.timestamp.slice(0, 23)}Z`);
    });
    await conn.start();
    const ids = sim.market
      .frontMonths()
      .slice(0, contracts)
      .map((l) => l.id);
    for (const id of ids) await conn.invoke("SubscribeContractQuotes", id);
    received = 0;
    sim.market.setQuoteRate(rate);
    const start = Date.now();
    await new Promise((r) => setTimeout(r, ms));
    sim.market.setQuoteRate(0);
    const elapsed = (Date.now() - start) / 1000;
    const lagMs = Math.max(0, now() - newest);
    const got = received;
    await conn.stop();
    const offered = rate * ids.length;
    const receivedPerSecond = got / elapsed;
    return {
      offeredPerSecond: offered,
      receivedPerSecond: Math.round(receivedPerSecond),
      ratio: Number((receivedPerSecond / offered).toFixed(3)),
      lagMs,
    };
  } finally {
    await sim.close();
  }
}

export interface RestResult {
  endpoint: string;
  concurrency: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Keeps `concurrency` keep-alive requests in flight against one endpoint for `ms`. */
export async function restThroughput(
  endpoint: string,
  body: unknown | ((sim: Simulator) => unknown),
  concurrency: number,
  ms: number,
): Promise<RestResult> {
  const sim = await startSimulator({ port: 0, now, market: { quoteRate: 0 }, rateLimits: { enabled: false } });
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const t = await token(sim);
    const url = new URL(`${sim.restUrl}/api/${endpoint}`);
    const payload = JSON.stringify(typeof body === "function" ? body(sim) : body);
    const one = () =>
      new Promise<void>((resolve, reject) => {
        const req = request(
          {
            agent,
            host: url.hostname,
            port: url.port,
            path: url.pathname,
            method: "POST",
            headers: {
              "content-type": "application/json",
              "content-length": Buffer.byteLength(payload),
              authorization: `Bearer ${t}`,
            },
          },
          (res) => {
            res.resume();
            res.on("end", () => (res.statusCode === 200 ? resolve() : reject(new Error(`HTTP ${res.statusCode}`))));
          },
        );
        req.on("error", reject);
        req.end(payload);
      });
    const latencies: number[] = [];
    const deadline = Date.now() + ms;
    const start = Date.now();
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (Date.now() < deadline) {
          const t0 = process.hrtime.bigint();
          await one();
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
        }
      }),
    );
    const elapsed = (Date.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    return {
      endpoint,
      concurrency,
      requestsPerSecond: Math.round(latencies.length / elapsed),
      p50Ms: Number(percentile(latencies, 50).toFixed(2)),
      p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    };
  } finally {
    agent.destroy();
    await sim.close();
  }
}
