import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { Duplex } from "node:stream";
import { Auth, tokenOf } from "./auth";
import { parseSimConfig, type SimConfig, type SimConfigInput } from "./config";
import { handleControl } from "./control-api";
import { topOfBook } from "./depth";
import { Exchange } from "./exchange";
import { Faults, type FaultsRequest } from "./faults";
import {
  isJsonMediaType,
  readBody,
  sendEmpty,
  sendJson,
  sendProblem,
  unreadableBodyErrors,
  validationErrors,
} from "./http-util";
import { Market } from "./market";
import { MarketHub } from "./market-hub";
import { RateLimiter } from "./rate-limiter";
import { type Endpoint, restEndpoints } from "./rest-api";
import { isTrading } from "./trading-hours";
import { UserHub } from "./user-hub";
import { parseInstant, VenueClock } from "./venue-clock";

export interface SimulatorOptions extends SimConfigInput {
  /** The time the venue clock runs on (tests inject one); the process's time by default. Hub keep-alive uses real time. */
  now?: () => number;
  /** Where the venue clock starts (ISO 8601 or epoch ms; default: `now`) and how fast it runs (default 1). */
  clock?: { start?: string | number; speed?: number };
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * The local ProjectX Gateway: REST at `restUrl`, SignalR hubs at `userHubUrl` and `marketHubUrl`,
 * control API under `/sim/`. Start with {@link startSimulator}; `close()` frees the port.
 */
export class Simulator {
  readonly config: SimConfig;
  /** The venue's time: set, sped up or advanced through `/sim/clock`. */
  readonly clock: VenueClock;
  readonly now: () => number;
  readonly auth: Auth;
  readonly market: Market;
  readonly exchange: Exchange;
  readonly userHub: UserHub;
  readonly marketHub: MarketHub;
  /**
   * Per endpoint: requests that arrived, that ran, and that ran and answered `success: true`. For
   * Order/place `succeeded` is the number of orders created: a placement refused as a duplicate
   * customTag ran but did not succeed.
   */
  readonly requestCounts: Record<string, { received: number; executed: number; succeeded: number }> = {};
  /** Called as each REST request arrives (endpoint like `Order/place`, parsed body): for benchmarks. */
  onRequest: ((endpoint: string, body: unknown) => void) | null = null;
  private readonly faults = new Faults();
  private readonly limiter = new RateLimiter();
  private readonly endpoints: Map<string, Endpoint>;
  private readonly server: Server;
  private baseUrl = "";

  constructor(options: SimulatorOptions = {}) {
    const { now, clock, ...config } = options;
    this.config = parseSimConfig(config);
    const start = clock?.start === undefined ? undefined : parseInstant(clock.start);
    this.clock = new VenueClock(now ?? Date.now, start, clock?.speed ?? 1);
    this.now = this.clock.now;
    this.auth = new Auth(this.config.users, this.config.tokenTtlSeconds * 1000, this.now);
    this.market = new Market(this.config.seed, this.config.market.quoteRate, this.now);
    this.market.depthTop = (symbol) => topOfBook(symbol, this.config.market.depthSize);
    const authenticate = (token: string | null) => {
      const c = this.auth.check(token);
      return c.ok ? c.session.userName : null;
    };
    const hubOptions = {
      pingIntervalMs: this.config.hubs.pingIntervalMs,
      clientTimeoutMs: this.config.hubs.clientTimeoutMs,
    };
    this.marketHub = new MarketHub(
      this.market,
      this.config.market.sparseQuotes,
      this.config.market.depthLevels,
      authenticate,
      hubOptions,
    );
    let userHub: UserHub | null = null;
    this.exchange = new Exchange(this.config, this.market, this.now, {
      account: (a) => userHub?.account(a),
      order: (o) => userHub?.order(o),
      position: (p) => userHub?.position(p),
      trade: (t) => userHub?.trade(t),
      marketTrade: (cm, price, size, side) => this.marketHub.marketTrade(cm, price, size, side),
    });
    this.market.hours = this.config.market.hours === "always" ? null : isTrading;
    this.userHub = userHub = new UserHub(this.exchange, authenticate, hubOptions, this.config.quirks);
    // Subscribers see the quote that moved the market before the fills it caused.
    this.market.listen({ onPrice: (cm) => this.marketHub.onPrice(cm) });
    this.market.listen({ onPrice: (cm) => this.exchange.onPrice(cm) });
    this.endpoints = restEndpoints({
      auth: this.auth,
      exchange: this.exchange,
      market: this.market,
      now: this.now,
      trimTimestamps: this.config.quirks.trimTimestamps,
    });
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((e: Error) => {
        if (!res.headersSent) sendJson(res, 500, { error: e.message });
        else res.destroy();
      });
    });
    this.server.on("upgrade", (req, socket, head) => this.upgrade(req, socket, head));
    this.server.keepAliveTimeout = 65_000;
  }

  /** REST base URL, e.g. `http://127.0.0.1:5880` (paths are `/api/<Area>/<verb>`). */
  get restUrl(): string {
    return this.baseUrl;
  }

  get userHubUrl(): string {
    return `${this.baseUrl}/hubs/user`;
  }

  get marketHubUrl(): string {
    return `${this.baseUrl}/hubs/market`;
  }

  async listen(): Promise<this> {
    await new Promise<void>((resolve, reject) => {
      this.server.once("error", reject);
      this.server.listen(this.config.port, this.config.host, () => resolve());
    });
    const addr = this.server.address() as AddressInfo;
    const host = addr.family === "IPv6" ? `[${addr.address}]` : addr.address;
    this.baseUrl = `http://${host === "0.0.0.0" ? "127.0.0.1" : host}:${addr.port}`;
    this.market.start();
    return this;
  }

  async close(): Promise<void> {
    this.market.stop();
    this.userHub.server.close();
    this.marketHub.server.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Back to the configured start: accounts, no orders or positions, fresh prices, no faults. */
  reset(revokeTokens: boolean): void {
    this.exchange.reset();
    this.market.reset();
    this.marketHub.reset();
    this.faults.clear();
    this.limiter.reset();
    for (const hub of [this.userHub.server, this.marketHub.server]) {
      hub.pausePings = false;
      hub.rejectUpgrades = 0;
    }
    this.userHub.eventDelayMs = 0;
    for (const k of Object.keys(this.requestCounts)) delete this.requestCounts[k];
    if (revokeTokens) this.auth.expireAll();
  }

  applyFaults(f: FaultsRequest): object {
    this.faults.add(f);
    const hubs = (h: "user" | "market" | "all") =>
      h === "all"
        ? [this.userHub.server, this.marketHub.server]
        : h === "user"
          ? [this.userHub.server]
          : [this.marketHub.server];
    if (f.pausePings !== undefined) for (const s of hubs("all")) s.pausePings = f.pausePings;
    if (f.rejectUpgrades !== undefined) for (const s of hubs("all")) s.rejectUpgrades = f.rejectUpgrades;
    if (f.userEventDelayMs !== undefined) this.userHub.eventDelayMs = f.userEventDelayMs;
    if (f.refuseSubscriptions !== undefined) this.marketHub.refuseSubscriptions = f.refuseSubscriptions;
    let dropped = 0;
    let closed = 0;
    if (f.dropHubs) for (const s of hubs(f.dropHubs)) dropped += s.dropAll();
    if (f.closeHubs)
      for (const s of hubs(f.closeHubs.hub)) closed += s.closeAll(f.closeHubs.error, f.closeHubs.allowReconnect);
    return { ...this.describeFaults(), dropped, closed };
  }

  describeFaults(): object {
    return {
      ...this.faults.describe(),
      pausePings: this.userHub.server.pausePings,
      rejectUpgrades: this.userHub.server.rejectUpgrades,
      userEventDelayMs: this.userHub.eventDelayMs,
      refuseSubscriptions: this.marketHub.refuseSubscriptions,
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "").toLowerCase() || "/";
    if (this.config.verbose) process.stderr.write(`${req.method} ${url.pathname}\n`);
    if (path.startsWith("/api/")) return this.rest(req, res, path.slice(5), url);
    if (path.startsWith("/sim/")) return handleControl(this, req, res, path);
    if (req.method === "POST" && path === "/hubs/user/negotiate")
      return this.userHub.server.negotiate(tokenOf(req, url), res, url);
    if (req.method === "POST" && path === "/hubs/market/negotiate")
      return this.marketHub.server.negotiate(tokenOf(req, url), res, url);
    if (path === "/") {
      return sendJson(res, 200, {
        name: "TopstepX gateway simulator",
        rest: this.restUrl,
        userHub: this.userHubUrl,
        marketHub: this.marketHubUrl,
        control: `${this.baseUrl}/sim/state`,
      });
    }
    sendEmpty(res, 404);
  }

  private async rest(req: IncomingMessage, res: ServerResponse, name: string, url: URL): Promise<void> {
    const ep = this.endpoints.get(name);
    if (!ep) return sendEmpty(res, 404);
    if (req.method !== ep.method) return sendEmpty(res, 405, { allow: ep.method });
    let count = this.requestCounts[ep.name];
    if (!count) {
      count = { received: 0, executed: 0, succeeded: 0 };
      this.requestCounts[ep.name] = count;
    }
    count.received++;
    const text = await readBody(req);

    const arrival = this.faults.arrive(name);
    if (arrival?.delayMs) await sleep(arrival.delayMs);
    if (arrival?.failStatus) return sendEmpty(res, arrival.failStatus);

    const token = tokenOf(req, url);
    const check = this.auth.check(token);
    if (this.config.rateLimits.enabled) {
      const w = this.config.rateLimits[ep.bucket];
      const key = `${check.ok ? check.session.userName : req.socket.remoteAddress}|${ep.bucket}`;
      const wait = this.limiter.take(key, w.limit, w.windowMs, this.now());
      if (wait > 0) return sendEmpty(res, 429, { "retry-after": String(Math.max(1, Math.ceil(wait / 1000))) });
    }
    if (ep.auth && !check.ok)
      return sendEmpty(res, 401, {
        "www-authenticate":
          check.reason === "expired" ? 'Bearer error="invalid_token", error_description="The token expired"' : "Bearer",
      });

    let json: unknown = null;
    if (ep.takesBody) {
      if (!isJsonMediaType(req.headers["content-type"])) return sendEmpty(res, 415);
      try {
        json = JSON.parse(text);
      } catch {
        return sendProblem(res, unreadableBodyErrors(text));
      }
    }
    const accepted = ep.accept(json);
    if (!accepted.ok) return sendProblem(res, validationErrors(accepted.error));
    const fault = this.faults.answer(name);
    this.onRequest?.(ep.name, accepted.call.body);
    const answer = accepted.call.run(check.ok ? check.session : null, token);
    count.executed++;
    if (typeof answer === "object" && answer !== null && "success" in answer && answer.success === true)
      count.succeeded++;
    if (fault?.failStatus) return sendEmpty(res, fault.failStatus);
    if (fault?.lateMs) await sleep(fault.lateMs);
    if (res.destroyed || req.socket.destroyed) return;
    if (typeof answer === "string") {
      res.writeHead(200, { "content-type": "text/plain" }).end(answer);
      return;
    }
    sendJson(res, 200, answer);
  }

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname.replace(/\/+$/, "").toLowerCase();
    const hub = path === "/hubs/user" ? this.userHub.server : path === "/hubs/market" ? this.marketHub.server : null;
    if (!hub) {
      socket.end("HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
      return;
    }
    hub.upgrade(req, socket, head, url, tokenOf(req, url));
  }
}

/** Starts a simulator (port 0 picks a free one) and resolves once it listens. */
export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  return new Simulator(options).listen();
}
