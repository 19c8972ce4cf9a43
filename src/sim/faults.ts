import { z } from "zod";

/** Names an endpoint as `Order/place` (case-insensitive, `/api/` optional) or `*` for all. */
const Endpoint = z
  .string()
  .min(1)
  .transform((s) => s.replace(/^\/?api\//i, "").toLowerCase());

const Hub = z.enum(["user", "market", "all"]);

/** Body of POST /sim/faults. Each field adds to the faults in force; `clear` removes them first. */
export const FaultsRequest = z.object({
  clear: z.boolean().optional(),
  /** Extra latency in ms before an endpoint answers. */
  latency: z.record(z.string(), z.number().int().min(0).max(120_000)).optional(),
  /**
   * Fail the next `count` requests to an endpoint with `status`; `execute` runs them first (and
   * then counts only requests that get past rate limit, auth and body validation).
   */
  fail: z
    .array(
      z.object({
        endpoint: Endpoint,
        count: z.number().int().positive().default(1),
        status: z.union([z.literal(429), z.literal(500), z.literal(502), z.literal(503), z.literal(504)]).default(500),
        execute: z.boolean().default(false),
      }),
    )
    .optional(),
  /** Execute the next `count` requests that run, but answer only after `delayMs` (past the client's timeout). */
  lateAnswer: z
    .array(
      z.object({
        endpoint: Endpoint,
        count: z.number().int().positive().default(1),
        delayMs: z.number().int().min(0).max(600_000),
      }),
    )
    .optional(),
  /** Terminate hub sockets without a close message (the client sees code 1006). */
  dropHubs: Hub.optional(),
  /** Send a SignalR Close message, then close the sockets. */
  closeHubs: z
    .object({
      hub: Hub.default("all"),
      error: z.string().optional(),
      allowReconnect: z.boolean().default(false),
    })
    .optional(),
  /** Stop (true) or resume (false) keep-alive pings: the client times out after ~30 s. */
  pausePings: z.boolean().optional(),
  /** Hold every user-hub event this long (ms) before sending it, in order: REST answers then come first, as on a slow link. */
  userEventDelayMs: z.number().int().min(0).max(60_000).optional(),
  /** Refuse the next N hub connection attempts with HTTP 503. */
  rejectUpgrades: z.number().int().min(0).optional(),
  /** Refuse the next N market subscriptions (quotes, trades, depth) with a hub error. */
  refuseSubscriptions: z.number().int().min(0).optional(),
});
export type FaultsRequest = z.infer<typeof FaultsRequest>;

/** What to do with one REST request on arrival, before the pipeline (rate limit, auth, body). */
export interface ArrivalFault {
  delayMs: number;
  /** Fail at once without running the request. */
  failStatus: number | null;
}

/** What to do with the answer of a request that runs. */
export interface AnswerFault {
  /** Run the request, then answer with this status. */
  failStatus: number | null;
  lateMs: number;
}

interface Countdown {
  endpoint: string;
  count: number;
}

/** The REST side of fault injection; hub faults act directly on the hub servers. */
export class Faults {
  private latency = new Map<string, number>();
  private failures: Array<Countdown & { status: number; execute: boolean }> = [];
  private late: Array<Countdown & { delayMs: number }> = [];

  add(req: FaultsRequest): void {
    if (req.clear) this.clear();
    for (const [k, v] of Object.entries(req.latency ?? {})) this.latency.set(Endpoint.parse(k), v);
    for (const f of req.fail ?? []) this.failures.push({ ...f });
    for (const f of req.lateAnswer ?? []) this.late.push({ ...f });
  }

  clear(): void {
    this.latency.clear();
    this.failures = [];
    this.late = [];
  }

  private static matches(endpoint: string) {
    return (c: Countdown) => c.count > 0 && (c.endpoint === endpoint || c.endpoint === "*");
  }

  /** Consumes the faults that hit a request to `endpoint` (e.g. `order/place`) as it arrives. */
  arrive(endpoint: string): ArrivalFault | null {
    if (this.latency.size === 0 && this.failures.length === 0) return null;
    const match = Faults.matches(endpoint);
    const fail = this.failures.find((c) => !c.execute && match(c));
    if (fail) fail.count--;
    this.failures = this.failures.filter((c) => c.count > 0);
    return { delayMs: this.latency.get(endpoint) ?? this.latency.get("*") ?? 0, failStatus: fail?.status ?? null };
  }

  /**
   * Consumes the faults on the answer of a request that is about to run. Taken only here, so a
   * request refused earlier (401, 400, 429) does not use up a fault meant for one that executes.
   */
  answer(endpoint: string): AnswerFault | null {
    if (this.failures.length === 0 && this.late.length === 0) return null;
    const match = Faults.matches(endpoint);
    const fail = this.failures.find((c) => c.execute && match(c));
    if (fail) fail.count--;
    const late = fail ? undefined : this.late.find(match);
    if (late) late.count--;
    this.failures = this.failures.filter((c) => c.count > 0);
    this.late = this.late.filter((c) => c.count > 0);
    return { failStatus: fail?.status ?? null, lateMs: late?.delayMs ?? 0 };
  }

  describe(): object {
    return { latency: Object.fromEntries(this.latency), fail: this.failures, lateAnswer: this.late };
  }
}
