import * as signalR from "@microsoft/signalr";
import axios, { type AxiosInstance } from "axios";
import { SIMULATOR_LOGIN } from "../../src/core/gateway/environments";
import { type Simulator, type SimulatorOptions, startSimulator } from "../../src/sim";
import { runningClockFrom } from "./clock";

/** The default simulator user (see src/sim/config.ts). */
export const USER = SIMULATOR_LOGIN;
export const ACCOUNT = 10001;
export const SECOND_ACCOUNT = 10002;

/**
 * A simulator on a free loopback port with a frozen market, so prices move only when a test says.
 * Its clock runs at the wall clock's pace from the session instant of test/support/clock.ts unless
 * the test sets `now`: front months, expiries and sessions never depend on the day CI runs.
 */
export function startTestSim(options: SimulatorOptions = {}): Promise<Simulator> {
  return startSimulator({
    port: 0,
    now: runningClockFrom().now,
    ...options,
    market: { quoteRate: 0, ...options.market },
    hubs: { pingIntervalMs: 500, ...options.hubs },
  });
}

/** An axios client for the simulator that never throws on HTTP status (tests assert on it). */
export function restClient(sim: Simulator, token?: string): AxiosInstance {
  return axios.create({
    baseURL: sim.restUrl,
    validateStatus: () => true,
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  });
}

/** Logs in with the default user and returns a client that carries the token. */
export async function login(sim: Simulator): Promise<{ api: AxiosInstance; token: string }> {
  const r = await restClient(sim).post("/api/Auth/loginKey", USER);
  if (r.status !== 200 || !r.data.success) throw new Error(`login failed: ${r.status} ${JSON.stringify(r.data)}`);
  return { api: restClient(sim, r.data.token), token: r.data.token };
}

export interface HubOptions {
  /** Connect the way ProjectX's sample does (skipNegotiation) or through /negotiate. */
  negotiate?: boolean;
  /** Put the token in the `access_token` query instead of the factory's Authorization header. */
  tokenInQuery?: boolean;
  reconnectDelays?: number[];
  serverTimeoutMs?: number;
}

/** An official @microsoft/signalr client for one of the simulator's hubs. */
export function hubConnection(
  sim: Simulator,
  hub: "user" | "market",
  token: string,
  o: HubOptions = {},
): signalR.HubConnection {
  const base = hub === "user" ? sim.userHubUrl : sim.marketHubUrl;
  const url = o.tokenInQuery ? `${base}?access_token=${encodeURIComponent(token)}` : base;
  const builder = new signalR.HubConnectionBuilder()
    .withUrl(url, {
      skipNegotiation: !o.negotiate,
      transport: signalR.HttpTransportType.WebSockets,
      ...(o.tokenInQuery ? {} : { accessTokenFactory: () => token }),
    })
    .configureLogging(signalR.LogLevel.None)
    .withAutomaticReconnect(o.reconnectDelays ?? [0, 100, 200, 500, 1000]);
  const c = builder.build();
  c.serverTimeoutInMilliseconds = o.serverTimeoutMs ?? 5000;
  c.keepAliveIntervalInMilliseconds = 250;
  return c;
}

/** Records every argument list a hub connection receives for the given event names. */
export function record(conn: signalR.HubConnection, names: string[]): Record<string, unknown[][]> {
  const got: Record<string, unknown[][]> = {};
  for (const n of names) {
    got[n] = [];
    conn.on(n, (...args: unknown[]) => {
      got[n]!.push(args);
    });
  }
  return got;
}

/** Polls until `check` returns a truthy value, or fails with `what` after `timeoutMs`. */
export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 5000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await check();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** The front-month id of a product symbol as the simulator lists it (e.g. MNQ → CON.F.US.MNQ.Z26). */
export async function frontMonth(
  api: AxiosInstance,
  symbol: string,
): Promise<{ id: string; tickSize: number; tickValue: number }> {
  const r = await api.post("/api/Contract/available", { live: false });
  const c = r.data.contracts.find((x: { name: string }) => x.name.replace(/[FGHJKMNQUVXZ]\d$/, "") === symbol);
  if (!c) throw new Error(`no front month for ${symbol}`);
  return c;
}

/** Moves a simulator market to `price` through the control API. */
export async function setPrice(
  sim: Simulator,
  contractId: string,
  price: number,
  bidAsk?: { bid: number; ask: number },
): Promise<void> {
  const r = await restClient(sim).post("/sim/price", { contractId, price, ...bidAsk });
  if (r.status !== 200) throw new Error(`setPrice failed: ${JSON.stringify(r.data)}`);
}
