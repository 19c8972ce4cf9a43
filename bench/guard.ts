import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Clock } from "../src/core/clock";
import { GatewayConnection } from "../src/core/connection";
import { isGuardTag } from "../src/core/gateway/custom-tag";
import { simulatorEndpoints } from "../src/core/gateway/environments";
import { Journal } from "../src/core/journal/journal";
import { AccountGuard } from "../src/core/rules/account-guard";
import { type RulesConfig, rulesFor } from "../src/core/rules/rules-config";
import { OrderSide, OrderStatus, OrderType, PositionType } from "../src/core/schemas";
import type { Simulator } from "../src/sim";
import { SESSION_INSTANT } from "../test/support/clock";
import { deployFlows } from "../test/support/node-red-process";
import { exampleWebhookFlow } from "./flows";
import { benchNodeRed, ms, type Stats, sim, stats, USER } from "./latency";

const ACCOUNT = 10001;
/** Every guard benchmark holds this many contracts (MES bought at 6,800.25 in a market frozen at 6,800; MNQ through Node-RED). */
const LOTS = 2;
const WAIT_MS = 5_000;
const LIFTED = { limit: 1e6, windowMs: 1000 };

/** The session clock of these benchmarks: it runs at the wall clock's pace, and jumps when told. */
interface SteppedClock extends Clock {
  advance(by: number): void;
}

function steppedClock(): SteppedClock {
  let offset = SESSION_INSTANT - Date.now();
  return {
    now: () => Date.now() + offset,
    advance: (by) => {
      offset += by;
    },
  };
}

type Body = Record<string, unknown>;
type Match = (endpoint: string, body: Body) => boolean;

/**
 * Requests timed as they arrive at the simulator (its `onRequest` hook, real time): the simulator
 * handles each synchronously, so a market order has filled, and a guard is resting (status Open)
 * or has moved, within microseconds of that instant.
 */
class Arrivals {
  private readonly waiting = new Set<{ match: Match; done: (t: number) => void }>();

  constructor(private readonly s: Simulator) {
    s.onRequest = (endpoint, body) => {
      const t = ms();
      for (const w of this.waiting) if (w.match(endpoint, (body ?? {}) as Body)) w.done(t);
    };
  }

  /** Resolves with the real time at which the next request `match` accepts arrives at the simulator. */
  next(match: Match, what: string): Promise<number> {
    let entry!: { match: Match; done: (t: number) => void };
    const p = new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(entry);
        reject(new Error(`no ${what} at the simulator within ${WAIT_MS} ms`));
      }, WAIT_MS);
      timer.unref();
      entry = {
        match,
        done: (t) => {
          clearTimeout(timer);
          this.waiting.delete(entry);
          resolve(t);
        },
      };
      this.waiting.add(entry);
    });
    // Awaited by the caller; a failure elsewhere first must not leave it rejecting unhandled.
    p.catch(() => undefined);
    return p;
  }

  close(): void {
    this.s.onRequest = null;
  }
}

const isGuardPlace: Match = (e, b) => e === "Order/place" && typeof b.customTag === "string" && isGuardTag(b.customTag);
/** A market order that is not a guard's: the position's entry (or exit). */
const isMarketOrder: Match = (e, b) => e === "Order/place" && b.type === OrderType.Market && !isGuardPlace(e, b);

/** The guard orders working at the simulator for the account. */
function guardsAt(s: Simulator): number {
  return s.exchange.ordersOf(ACCOUNT).filter((o) => isGuardTag(o.customTag) && o.status === OrderStatus.Open).length;
}

/** The simulator, a connection and an AccountGuard with its SQLite journal, on one account holding nothing. */
class Rig {
  readonly arrivals: Arrivals;
  private constructor(
    readonly s: Simulator,
    readonly conn: GatewayConnection,
    readonly guard: AccountGuard,
    readonly journal: Journal,
    readonly dir: string,
    readonly clock: SteppedClock,
    readonly mes: string,
  ) {
    this.arrivals = new Arrivals(s);
  }

  /**
   * `budgets`: "gateway" keeps the client's budget of the real gateway (190 requests a minute);
   * "lifted" lifts it, as the simulator here runs without rate limits (hundreds of round trips).
   */
  static async open(config: RulesConfig, budgets: "gateway" | "lifted"): Promise<Rig> {
    const clock = steppedClock();
    const dir = mkdtempSync(join(tmpdir(), "topstepx-bench-"));
    const s = await sim(["MES"], clock.now);
    const conn = new GatewayConnection({
      endpoints: simulatorEndpoints(s.restUrl),
      credentials: USER,
      clock,
      ...(budgets === "lifted" ? { rest: { budgets: { bars: LIFTED, other: LIFTED } } } : {}),
    });
    const journal = new Journal(join(dir, "j.sqlite"));
    const guard = new AccountGuard(conn, ACCOUNT, config, journal);
    const rig = new Rig(s, conn, guard, journal, dir, clock, s.market.frontMonths()[1]!.id);
    try {
      await conn.start();
      await conn.whenConnected();
      rig.setPrice(6800);
      await guard.start();
      await until(() => guard.status().synced, "the rules synced with the account");
      return rig;
    } catch (e) {
      await rig.close();
      throw e;
    }
  }

  setPrice(price: number): void {
    this.s.market.setPrice(this.s.market.get(this.mes)!, price);
  }

  async market(side: number, size: number): Promise<void> {
    await this.conn.api.placeOrder({ accountId: ACCOUNT, contractId: this.mes, type: OrderType.Market, side, size });
  }

  guardsAtSim(): number {
    return guardsAt(this.s);
  }

  /** Buys the position and waits for its guard to rest; returns the guard's order id. */
  async guarded(): Promise<number> {
    await this.market(OrderSide.Bid, LOTS);
    await until(() => this.guard.guards.views()[0]?.orderId != null && this.guardsAtSim() === 1, "a guard resting");
    await this.guard.guards.idle();
    return this.guard.guards.views()[0]!.orderId!;
  }

  /** Requests the simulator executed, per endpoint, as `/sim/state` counts them. */
  async executed(endpoints: string[]): Promise<Record<string, number>> {
    const state = (await (await fetch(`${this.s.restUrl}/sim/state`)).json()) as {
      requests?: Record<string, { executed: number }>;
    };
    return Object.fromEntries(endpoints.map((e) => [e, state.requests?.[e]?.executed ?? 0]));
  }

  async close(): Promise<void> {
    this.arrivals.close();
    await this.guard.stop();
    this.journal.close();
    await this.conn.stop();
    await this.s.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

async function until(ok: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 1));
  }
}

/** Lets events already on their way land (hub frames, the guard's and the rules' setImmediate turns). */
async function settle(rig: Rig): Promise<void> {
  for (let i = 0; i < 3; i++) await new Promise((r) => setImmediate(r));
  await rig.guard.guards.idle();
}

const guardConfig = (overrides: Parameters<typeof rulesFor>[1] = {}) =>
  rulesFor("topstep-combine-50k", { flattenBuffer: 200, ...overrides });

/**
 * Fill → guard resting: a market buy of 2 MES with no bracket, timed from its arrival at the
 * simulator (where it fills at once) to the guard stop's Order/place arriving there (where it rests
 * at once), through the real connection and AccountGuard. The floor of any reaction is the fill's
 * position event reaching the client. Between samples the position is closed and the guard
 * cancelled, so each sample is a first guard for a fresh position. The first `warmup` fills are
 * left out; the process's very first (contract lookup, first quote subscription) is reported apart.
 */
export async function fillToGuard(
  runs: number,
  warmup = 5,
): Promise<{ guard: Stats; positionEvent: Stats; ratioP50: number; ratioP99: number; coldMs: number }> {
  const rig = await Rig.open(guardConfig(), "lifted");
  const toGuard: number[] = [];
  const toPosition: number[] = [];
  let coldMs = 0;
  let positionAt = 0;
  const onPosition = (_book: unknown, p: { contractId: string; size: number }) => {
    if (p.contractId === rig.mes && p.size > 0 && !positionAt) positionAt = ms();
  };
  rig.conn.on("position", onPosition);
  try {
    for (let i = 0; i < warmup + runs; i++) {
      positionAt = 0;
      const filled = rig.arrivals.next(isMarketOrder, "market order");
      const rests = rig.arrivals.next(isGuardPlace, "guard Order/place");
      await rig.market(OrderSide.Bid, LOTS);
      const [t0, t1] = await Promise.all([filled, rests]);
      await until(() => positionAt > 0, "the position event");
      if (i === 0) coldMs = Number((t1 - t0).toFixed(3));
      if (i >= warmup) {
        toGuard.push(t1 - t0);
        toPosition.push(positionAt - t0);
      }
      // Flat again and the guard cancelled before the next fill.
      await rig.guard.guards.idle();
      await rig.market(OrderSide.Ask, LOTS);
      await until(
        () =>
          !rig.conn.book(ACCOUNT)?.positions.has(rig.mes) &&
          rig.guard.guards.views().length === 0 &&
          rig.guardsAtSim() === 0,
        "the guard cancelled when flat",
      );
      await settle(rig);
    }
  } finally {
    rig.conn.off("position", onPosition);
    await rig.close();
  }
  const guard = stats(toGuard);
  const positionEvent = stats(toPosition);
  return {
    guard,
    positionEvent,
    ratioP50: Number((guard.p50 / positionEvent.p50).toFixed(2)),
    ratioP99: Number((guard.p99 / positionEvent.p99).toFixed(2)),
    coldMs,
  };
}

/**
 * Fill → guard resting as a user gets it: the shipped webhook example in Node-RED (its own
 * process), an alert "buy 2 MNQ" with no bracket, timed at the simulator from the alert's market
 * order to the guard's Order/place; then "sell 2" closes the position (the guard makes room first).
 */
export async function fillToGuardThroughNodeRed(runs: number, warmup = 3): Promise<{ guard: Stats; coldMs: number }> {
  const s = await sim(["MNQ"]);
  const mnq = s.market.frontMonths()[3]!.id;
  const arrivals = new Arrivals(s);
  const red = await benchNodeRed(s);
  let n = 0;
  const alert = async (side: "buy" | "sell", quantity: number): Promise<number> => {
    const r = await fetch(`${red.url}/topstepx/alert`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ secret: "bench", id: `guard-${n++}`, symbol: "MNQ1!", side, quantity }),
    });
    await r.arrayBuffer();
    return r.status;
  };
  const held = () => s.exchange.openPositionsOf(ACCOUNT).find((p) => p.contractId === mnq);
  const flat = async () => {
    const p = held();
    if (p && (await alert(p.type === PositionType.Long ? "sell" : "buy", p.size)) !== 200)
      throw new Error("the closing alert was refused");
    await until(() => !held() && guardsAt(s) === 0, "flat, the guard cancelled");
  };
  const samples: number[] = [];
  let coldMs = 0;
  try {
    await deployFlows(red.url, exampleWebhookFlow(join(red.userDir, "bench-journal.sqlite")));
    // The rules node approves once it is synced with the account.
    for (let i = 0; (await alert(i % 2 ? "sell" : "buy", 1)) !== 200; i++) {
      if (i > 200) throw new Error("the webhook flow never approved");
      await new Promise((r) => setTimeout(r, 100));
    }
    await flat();
    for (let i = 0; i < warmup + runs; i++) {
      const filled = arrivals.next(isMarketOrder, "the alert's market order");
      const rests = arrivals.next(isGuardPlace, "guard Order/place");
      const status = await alert("buy", LOTS);
      if (status !== 200) throw new Error(`the entry alert was refused (${status})`);
      const [t0, t1] = await Promise.all([filled, rests]);
      if (i === 0) coldMs = Number((t1 - t0).toFixed(3));
      if (i >= warmup) samples.push(t1 - t0);
      await flat();
    }
  } finally {
    arrivals.close();
    await red.stop();
    await s.close();
  }
  return { guard: stats(samples), coldMs };
}

/**
 * Floor move → guard modified: 2 MES held under a trailing intraday Maximum Loss Limit (no lock),
 * the market moved up a point at a time, so the equity peak and the floor rise $10 and the guard's
 * level 4 ticks; timed from the quote (the simulator's price change) to the guard's Order/modify
 * arriving at the simulator. The guard moves a price at most once per `repriceSeconds` (default 2)
 * of its clock: that clock is moved on by `repriceSeconds` before each sample, so every sample is a
 * move the throttle lets through at once and the default is what is measured. The floor of any
 * reaction is the quote reaching the client.
 */
export async function floorMoveToGuard(
  runs: number,
  warmup = 5,
): Promise<{ modify: Stats; quoteEvent: Stats; repriceSeconds: number; guardStop: { from: number; to: number } }> {
  const config = guardConfig({ lossFloor: { mode: "trailingIntraday", amount: 2000, lockAt: 1e9 } });
  const repriceMs = config.guardStops.repriceSeconds * 1000;
  const rig = await Rig.open(config, "lifted");
  const toModify: number[] = [];
  const toQuote: number[] = [];
  let quoteAt = 0;
  const guardStop = { from: 0, to: 0 };
  const stopAtSim = (id: number) => rig.s.exchange.orders.get(id)?.stopPrice ?? Number.NaN;
  try {
    const id = await rig.guarded();
    guardStop.from = stopAtSim(id);
    const stopQuotes = await rig.conn.market.watchQuotes(rig.mes, () => {
      if (!quoteAt) quoteAt = ms();
    });
    let price = 6800;
    for (let i = 0; i < warmup + runs; i++) {
      rig.clock.advance(repriceMs);
      await settle(rig);
      quoteAt = 0;
      const modified = rig.arrivals.next(
        (e, b) => e === "Order/modify" && b.orderId === id && typeof b.stopPrice === "number",
        "guard Order/modify",
      );
      price += 1;
      const t0 = ms();
      rig.setPrice(price);
      const t1 = await modified;
      if (i >= warmup) {
        toModify.push(t1 - t0);
        toQuote.push(quoteAt - t0);
      }
      await settle(rig);
    }
    guardStop.to = stopAtSim(id);
    await stopQuotes();
  } finally {
    await rig.close();
  }
  return { modify: stats(toModify), quoteEvent: stats(toQuote), repriceSeconds: repriceMs / 1000, guardStop };
}

/**
 * The request cost of a trailing floor: 2 MES held under a trailing intraday limit while the market
 * rises a tick every `stepMs` of the guard's clock (each tick raises the floor $2.50 and the guard's
 * level a tick), for `minutes` of that clock (it jumps `stepMs` per quote, so a minute takes about
 * a second). Counts the simulator's executed Order/modify (and Order/place, Order/cancel) requests
 * in `/sim/state`, per minute of the guard's clock. With a throttle the client keeps the real
 * gateway's request budget; without one (repriceSeconds 0) the budget is lifted, to show the demand.
 */
export async function guardRequestCost(
  minutes: number,
  repriceSeconds?: number,
  stepMs = 250,
): Promise<{ repriceSeconds: number; stepMs: number; minutes: number; perMinute: Record<string, number> }> {
  const config = guardConfig({
    lossFloor: { mode: "trailingIntraday", amount: 2000, lockAt: 1e9 },
    ...(repriceSeconds === undefined ? {} : { guardStops: { repriceSeconds } }),
  });
  // The default throttle is measured under the gateway's budget; none at all only without it.
  const rig = await Rig.open(config, config.guardStops.repriceSeconds > 0 ? "gateway" : "lifted");
  const endpoints = ["Order/modify", "Order/place", "Order/cancel"];
  try {
    await rig.guarded();
    let quoted = false;
    const stopQuotes = await rig.conn.market.watchQuotes(rig.mes, () => {
      quoted = true;
    });
    const before = await rig.executed(endpoints);
    const start = rig.clock.now();
    let price = 6800;
    while (rig.clock.now() - start < minutes * 60_000) {
      rig.clock.advance(stepMs);
      quoted = false;
      price += 0.25;
      rig.setPrice(price);
      await until(() => quoted, "the quote at the client");
      await settle(rig);
    }
    const elapsed = (rig.clock.now() - start) / 60_000;
    const after = await rig.executed(endpoints);
    await stopQuotes();
    return {
      repriceSeconds: config.guardStops.repriceSeconds,
      stepMs,
      minutes: Number(elapsed.toFixed(3)),
      perMinute: Object.fromEntries(endpoints.map((e) => [e, Number(((after[e]! - before[e]!) / elapsed).toFixed(1))])),
    };
  } finally {
    await rig.close();
  }
}
