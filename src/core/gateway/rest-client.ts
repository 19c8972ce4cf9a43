import { Agent as HttpAgent } from "node:http";
import { Agent as HttpsAgent } from "node:https";
import axios, { type AxiosInstance, type AxiosResponse } from "axios";
import type { z } from "zod";
import { type Clock, pause, systemClock } from "../clock";
import { type Logger, silentLogger } from "../logger";
import { LoginErrorCode, LoginResponse, ValidateResponse } from "../schemas";
import type { GatewayEndpoints } from "./environments";
import {
  GatewayAuthError,
  GatewayHttpError,
  GatewayNetworkError,
  GatewayRejectedError,
  GatewayResponseError,
  GatewayTimeoutError,
} from "./errors";
import { type BudgetLimits, DEFAULT_BUDGETS, type Lane, RequestBudget } from "./request-budget";
import { type Backoff, backoffDelay, retryAfterMs } from "./retry-policy";

/** What Auth/loginKey takes: the TopstepX user name and an API key (not the account password). */
export interface Credentials {
  userName: string;
  apiKey: string;
}

/** How a {@link RestClient} reaches one gateway as one user. */
export interface RestClientOptions {
  endpoints: GatewayEndpoints;
  credentials: Credentials;
  /** Decides token expiry, budget windows and retry waits (default the system clock). */
  clock?: Clock;
  /** Timeout of every request but order placement (default 10 s). */
  timeoutMs?: number;
  /** Retries of a read after 429, 5xx or a timeout (default 4), with capped exponential backoff. */
  maxReadRetries?: number;
  backoff?: Backoff;
  /** Client-side budgets; `other.reserved` requests per window are kept for the exit lane. */
  budgets?: { bars: BudgetLimits; other: BudgetLimits };
  /** Token lifetime assumed when the token carries no `exp` (the gateway's is 24 h). */
  tokenLifetimeMs?: number;
  /** Where requests, answers and sessions are written at debug (never a key or a token); default nowhere. */
  logger?: Logger;
}

/** How one call may be retried. */
export interface CallOptions {
  /** Reads may be retried after ambiguous failures; money-moving writes must not be. */
  retry: boolean;
  timeoutMs?: number;
  /** Refuse (BudgetExhaustedError, nothing sent) rather than wait longer than this for the rate budget. */
  maxQueueMs?: number;
  /** The budget's exit lane, for requests that reduce risk; closes and cancels always travel in it. */
  lane?: Lane;
  /** The call repeats one that failed: in the exit lane it counts against the retry share. */
  repeat?: boolean;
}

/** Requests that only ever reduce risk: they take the exit lane whatever the caller says. */
const EXIT_ENDPOINTS = new Set(["Position/closeContract", "Position/partialCloseContract", "Order/cancel"]);

const LOGIN_REASONS: Record<number, string> = {
  [LoginErrorCode.UserNotFound]: "user not found",
  [LoginErrorCode.PasswordVerificationFailed]: "wrong user name or API key",
  [LoginErrorCode.InvalidCredentials]: "wrong user name or API key",
  [LoginErrorCode.AgreementsNotSigned]: "log into the ProjectX platform and complete the required agreements",
  [LoginErrorCode.ApiSubscriptionNotFound]: "no ProjectX API subscription is linked to this user",
  [LoginErrorCode.ApiKeyAuthenticationDisabled]: "API-key login is disabled for this user",
};

function jwtExpiry(token: string): number | null {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8"));
    return typeof payload.exp === "number" ? payload.exp * 1000 : null;
  } catch {
    return null;
  }
}

/**
 * Authenticated REST calls to the gateway: one session token renewed through Auth/validate before
 * it expires, one re-login on a 401, answers parsed by the wire schemas, `success: false` turned
 * into typed errors, client-side rate budgets with a lane reserved for exits, and retries for
 * reads only.
 */
export class RestClient {
  private readonly http: AxiosInstance;
  private readonly clock: Clock;
  private readonly budgets: { bars: RequestBudget; other: RequestBudget };
  private token: string | null = null;
  private issuedAt = 0;
  private expiresAt = 0;
  private pendingAuth: Promise<string> | null = null;
  private readonly log: Logger;
  /** Counters since creation; `inFlight` is the number of requests awaiting their answer now. */
  readonly stats = { requests: 0, retries: 0, logins: 0, renewals: 0, rateLimited: 0, inFlight: 0 };

  constructor(private readonly opts: RestClientOptions) {
    this.clock = opts.clock ?? systemClock;
    this.log = opts.logger ?? silentLogger;
    const b = opts.budgets ?? DEFAULT_BUDGETS;
    this.budgets = {
      // No exit ever reads bars: that budget keeps no reserve.
      bars: new RequestBudget({ ...b.bars, reserved: 0 }, this.clock, this.log),
      other: new RequestBudget(b.other, this.clock, this.log),
    };
    this.http = axios.create({
      baseURL: opts.endpoints.restUrl,
      timeout: opts.timeoutMs ?? 10_000,
      validateStatus: () => true,
      headers: { "content-type": "application/json", accept: "application/json" },
      // Keep-alive saves a TCP (and TLS) handshake on every order.
      httpAgent: new HttpAgent({ keepAlive: true }),
      httpsAgent: new HttpsAgent({ keepAlive: true }),
      transitional: { clarifyTimeoutError: true },
      // The gateway answers every endpoint itself; without redirects axios skips follow-redirects' wrapper per request.
      maxRedirects: 0,
    });
  }

  get endpoints(): GatewayEndpoints {
    return this.opts.endpoints;
  }

  /** A valid session token: logs in on first use and renews it before it expires. */
  async sessionToken(): Promise<string> {
    if (this.pendingAuth !== null) return this.pendingAuth;
    const now = this.clock.now();
    if (this.token && now < this.renewAt()) return this.token;
    this.pendingAuth = (this.token && now < this.expiresAt ? this.renew() : this.login()).finally(() => {
      this.pendingAuth = null;
    });
    return this.pendingAuth;
  }

  private renewAt(): number {
    const lifetime = this.expiresAt - this.issuedAt;
    return this.expiresAt - Math.min(2 * 3600_000, lifetime / 4);
  }

  private adopt(token: string): string {
    this.token = token;
    this.issuedAt = this.clock.now();
    this.expiresAt = jwtExpiry(token) ?? this.issuedAt + (this.opts.tokenLifetimeMs ?? 86_400_000);
    return token;
  }

  /** Logs in with the API key (Auth/loginKey) and keeps the token. */
  async login(): Promise<string> {
    this.stats.logins++;
    const res = await this.send("Auth/loginKey", this.opts.credentials, null, this.opts.timeoutMs ?? 10_000);
    if (res.status !== 200) throw new GatewayHttpError("Auth/loginKey", res.status, problemDetail(res.data));
    const body = this.parse("Auth/loginKey", LoginResponse, res.data);
    if (!body.success || !body.token) {
      throw new GatewayAuthError(
        body.errorCode,
        LOGIN_REASONS[body.errorCode] ?? body.errorMessage ?? `errorCode ${body.errorCode}`,
      );
    }
    return this.adopt(body.token);
  }

  /** Renews the session through Auth/validate; falls back to a fresh login on any failure. */
  private async renew(): Promise<string> {
    try {
      const res = await this.send("Auth/validate", {}, this.token, this.opts.timeoutMs ?? 10_000);
      if (res.status === 200) {
        const body = this.parse("Auth/validate", ValidateResponse, res.data);
        if (body.success && body.newToken) {
          this.stats.renewals++;
          return this.adopt(body.newToken);
        }
      }
    } catch {
      // Renewal is best effort; the login below is the fallback.
    }
    return this.login();
  }

  /** Forgets the session so the next call logs in again. */
  invalidate(): void {
    this.token = null;
  }

  private async send(endpoint: string, body: unknown, token: string | null, timeoutMs: number): Promise<AxiosResponse> {
    this.stats.requests++;
    this.stats.inFlight++;
    const started = this.log.debugEnabled ? Date.now() : 0;
    try {
      const res = await this.http.post(`/api/${endpoint}`, body ?? {}, {
        timeout: timeoutMs,
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      if (this.log.debugEnabled) this.log.debug(describeExchange(endpoint, body, answerSummary(res), started));
      return res;
    } catch (e) {
      const err = e as { code?: string; message?: string };
      if (this.log.debugEnabled)
        this.log.debug(describeExchange(endpoint, body, `failed: ${err.code ?? err.message ?? String(e)}`, started));
      if (err.code === "ETIMEDOUT" || err.code === "ECONNABORTED")
        throw new GatewayTimeoutError(endpoint, timeoutMs, err.message);
      throw new GatewayNetworkError(endpoint, err.code ?? "ERR", err.message ?? String(e));
    } finally {
      this.stats.inFlight--;
    }
  }

  private parse<T extends z.ZodType>(endpoint: string, schema: T, data: unknown): z.infer<T> {
    const r = schema.safeParse(data);
    if (!r.success) {
      const first = r.error.issues[0];
      throw new GatewayResponseError(
        endpoint,
        first ? `${first.path.join(".") || "body"}: ${first.message}` : "invalid",
      );
    }
    return r.data;
  }

  private backoff(attempt: number, retryAfter?: string): number {
    return backoffDelay(this.opts.backoff ?? { initialMs: 250, maxMs: 8_000 }, attempt, retryAfterMs(retryAfter));
  }

  /** Requests counted in the current window of the budget shared by every endpoint but bars. */
  budgetUsage(): { used: number; exitRetries: number; limit: number; reserved: number } {
    const b = this.budgets.other;
    return { ...b.usage(), limit: b.limit, reserved: b.reserved };
  }

  /** Milliseconds until `n` more requests of a lane fit the budget shared by every endpoint but bars. */
  budgetWait(n: number, lane: Lane = "normal"): number {
    return this.budgets.other.waitFor(n, lane);
  }

  /**
   * Calls `POST /api/<endpoint>` and returns the parsed answer. Throws GatewayRejectedError on
   * `success: false`, GatewayHttpError, GatewayTimeoutError or GatewayNetworkError otherwise.
   */
  async call<T extends z.ZodType>(
    endpoint: string,
    body: unknown,
    schema: T,
    options: CallOptions,
  ): Promise<z.infer<T>> {
    const maxRetries = options.retry ? (this.opts.maxReadRetries ?? 4) : 0;
    const budget = endpoint === "History/retrieveBars" ? this.budgets.bars : this.budgets.other;
    const lane: Lane = EXIT_ENDPOINTS.has(endpoint) ? "exit" : (options.lane ?? "normal");
    const timeoutMs = options.timeoutMs ?? this.opts.timeoutMs ?? 10_000;
    let relogged = false;
    for (let attempt = 0; ; attempt++) {
      await budget.acquire({ lane, retry: options.repeat === true || attempt > 0, maxWaitMs: options.maxQueueMs });
      const token = await this.sessionToken();
      let res: AxiosResponse;
      try {
        res = await this.send(endpoint, body, token, timeoutMs);
      } catch (e) {
        if (attempt < maxRetries) {
          this.stats.retries++;
          await pause(this.clock, this.backoff(attempt));
          continue;
        }
        throw e;
      }
      if (res.status === 401 && !relogged) {
        // The session ended (expired, revoked): a 401 means nothing ran, so log in once and repeat.
        relogged = true;
        this.invalidate();
        attempt--;
        continue;
      }
      if (res.status === 429) this.stats.rateLimited++;
      if ((res.status === 429 || res.status >= 500) && attempt < maxRetries) {
        this.stats.retries++;
        await pause(this.clock, this.backoff(attempt, res.headers["retry-after"] as string | undefined));
        continue;
      }
      if (res.status !== 200)
        throw new GatewayHttpError(
          endpoint,
          res.status,
          problemDetail(res.data),
          retryAfterMs(res.headers["retry-after"]),
        );
      const parsed = this.parse(endpoint, schema, res.data) as {
        success: boolean;
        errorCode: number;
        errorMessage?: string | null;
      };
      if (!parsed.success)
        throw new GatewayRejectedError(endpoint, parsed.errorCode, parsed.errorMessage ?? null, parsed);
      return parsed as z.infer<T>;
    }
  }

  /** Destroys the kept-alive sockets, so that they hold neither the gateway nor the process open. */
  close(): void {
    for (const a of [this.http.defaults.httpAgent, this.http.defaults.httpsAgent])
      (a as HttpAgent | undefined)?.destroy();
  }
}

/** One line from an ASP.NET ProblemDetails body (400), if that is what came back. */
function problemDetail(data: unknown): string | undefined {
  if (!data || typeof data !== "object") return undefined;
  const d = data as { title?: string; errors?: Record<string, string[]> };
  if (d.errors)
    return Object.entries(d.errors)
      .map(([k, v]) => `${k}: ${v.join(" ")}`)
      .join("; ");
  return d.title;
}

/** The status of an answer and, for the debug log, what it says about an order or a refusal. */
function answerSummary(res: AxiosResponse): string {
  const d = (res.data ?? {}) as { success?: unknown; errorCode?: unknown; errorMessage?: unknown; orderId?: unknown };
  const refused =
    d.success === false ? `, refused: errorCode ${String(d.errorCode)} ${String(d.errorMessage ?? "")}` : "";
  const order = typeof d.orderId === "number" ? `, orderId ${d.orderId}` : "";
  return `HTTP ${res.status}${refused.trimEnd()}${order}`;
}

/** One request and its outcome for the debug log; the body of an Auth call (the API key, a token) is never shown. */
function describeExchange(endpoint: string, body: unknown, outcome: string, startedMs: number): string {
  const shown = endpoint.startsWith("Auth/") ? "" : ` ${JSON.stringify(body ?? {})}`;
  return `REST ${endpoint}${shown}: ${outcome} in ${Date.now() - startedMs} ms`;
}
