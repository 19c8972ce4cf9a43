import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { listingsFrom, PRODUCTS } from "./catalog";
import { FaultsRequest } from "./faults";
import { readBody, sendJson } from "./http-util";
import type { Simulator } from "./simulator";
import { parseInstant } from "./venue-clock";
import { accountModel, orderModel, positionModel, tradeModel } from "./wire";

/**
 * /sim/*: the simulator's own control API (not part of ProjectX) for users and tests: move prices,
 * reset, inspect everything, inject faults. No token needed; the simulator listens on loopback.
 */
const PriceRequest = z.object({
  contractId: z.string().min(1),
  price: z.number().positive(),
  bid: z.number().positive().optional(),
  ask: z.number().positive().optional(),
});
const MarketRequest = z.object({ quoteRate: z.number().min(0).max(100_000) });
const AccountPatch = z.object({
  accountId: z.number().int(),
  balance: z.number().finite().optional(),
  canTrade: z.boolean().optional(),
  autoOcoBrackets: z.boolean().optional(),
  active: z.boolean().optional(),
});
const ResetRequest = z.object({ tokens: z.boolean().optional() });
const ClockRequest = z.object({
  time: z.union([z.string(), z.number()]).optional(),
  advance: z.number().finite().optional(),
  speed: z.number().optional(),
});

class BadRequest extends Error {}

function parse<T extends z.ZodType>(schema: T, text: string): z.infer<T> {
  let json: unknown;
  try {
    json = text.trim() === "" ? {} : JSON.parse(text);
  } catch {
    throw new BadRequest("body is not valid JSON");
  }
  const r = schema.safeParse(json);
  if (!r.success)
    throw new BadRequest(r.error.issues.map((i) => `${i.path.join(".") || "body"}: ${i.message}`).join("; "));
  return r.data;
}

/** POST /sim/price: moves the last price (and the quote, bid and ask both or neither), on the tick grid. */
function setPrice(sim: Simulator, b: z.infer<typeof PriceRequest>) {
  const contractId = resolveContract(sim, b.contractId);
  const cm = sim.market.get(contractId)!;
  for (const [name, v] of [
    ["price", b.price],
    ["bid", b.bid],
    ["ask", b.ask],
  ] as const) {
    if (v !== undefined && !cm.onTick(v))
      throw new BadRequest(`${name} ${v} is not on the tick grid of ${contractId} (tick ${cm.tickSize})`);
  }
  const bid = b.bid;
  const ask = b.ask;
  if (bid !== undefined && ask !== undefined && bid >= ask) throw new BadRequest("bid must be below ask");
  if ((bid === undefined) !== (ask === undefined)) throw new BadRequest("give both bid and ask, or neither");
  sim.market.setPrice(cm, b.price, bid, ask);
  return { contractId, lastPrice: cm.last, bestBid: cm.bid, bestAsk: cm.ask };
}

export async function handleControl(
  sim: Simulator,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  try {
    const route = `${req.method} ${path}`;
    switch (route) {
      case "GET /sim/state":
        return sendJson(res, 200, state(sim));
      case "POST /sim/price":
        return sendJson(res, 200, setPrice(sim, parse(PriceRequest, await readBody(req))));
      case "POST /sim/reset": {
        const b = parse(ResetRequest, await readBody(req));
        sim.reset(b.tokens === true);
        return sendJson(res, 200, { reset: true });
      }
      case "POST /sim/faults": {
        const b = parse(FaultsRequest, await readBody(req));
        return sendJson(res, 200, sim.applyFaults(b));
      }
      case "DELETE /sim/faults":
        return sendJson(
          res,
          200,
          sim.applyFaults({
            clear: true,
            pausePings: false,
            rejectUpgrades: 0,
            refuseSubscriptions: 0,
            userEventDelayMs: 0,
          }),
        );
      case "POST /sim/market": {
        const b = parse(MarketRequest, await readBody(req));
        sim.market.setQuoteRate(b.quoteRate);
        return sendJson(res, 200, { quoteRate: sim.market.quoteRate });
      }
      case "POST /sim/account": {
        const b = parse(AccountPatch, await readBody(req));
        const { accountId, ...patch } = b;
        const a = sim.exchange.updateAccount(accountId, patch);
        if (!a) throw new BadRequest(`account ${accountId} does not exist`);
        return sendJson(res, 200, accountModel(a));
      }
      case "GET /sim/clock":
        return sendJson(res, 200, clockState(sim));
      case "POST /sim/clock":
        setClock(sim, parse(ClockRequest, await readBody(req)));
        return sendJson(res, 200, clockState(sim));
      case "POST /sim/tokens/expire":
        return sendJson(res, 200, { expired: sim.auth.expireAll() });
      default:
        return sendJson(res, 404, { error: `no control endpoint ${route}` });
    }
  } catch (e) {
    if (e instanceof BadRequest) return sendJson(res, 400, { error: e.message });
    throw e;
  }
}

/** GET /sim/clock: the venue's time, as ISO 8601 and epoch ms, and its speed. */
function clockState(sim: Simulator) {
  const now = sim.now();
  return { time: new Date(now).toISOString(), epochMs: now, speed: sim.clock.speed };
}

/** POST /sim/clock {time?, advance?, speed?}: sets the venue's time, moves it forward, changes its speed. */
function setClock(sim: Simulator, b: z.infer<typeof ClockRequest>): void {
  try {
    sim.clock.set({
      ...(b.time !== undefined ? { time: parseInstant(b.time) } : {}),
      ...(b.advance !== undefined ? { advance: b.advance } : {}),
      ...(b.speed !== undefined ? { speed: b.speed } : {}),
    });
  } catch (e) {
    throw new BadRequest((e as Error).message);
  }
}

/** A contract id, or a product symbol (MNQ) standing for its front month. */
function resolveContract(sim: Simulator, text: string): string {
  if (sim.market.get(text)) return text;
  const p = PRODUCTS.find((x) => x.symbol === text.toUpperCase());
  if (p) return listingsFrom(p, sim.now(), 1)[0]!.id;
  throw new BadRequest(`unknown contract ${text}: give an id like CON.F.US.MNQ.Z26 or a symbol like MNQ`);
}

function state(sim: Simulator) {
  const ex = sim.exchange;
  return {
    now: new Date(sim.now()).toISOString(),
    quoteRate: sim.market.quoteRate,
    accounts: [...ex.accounts.values()].map((a) => ({
      ...accountModel(a),
      active: a.active,
      autoOcoBrackets: a.autoOcoBrackets,
    })),
    orders: [...ex.orders.values()].map((o) => orderModel(o, false)),
    positions: [...ex.positions.values()].filter((p) => p.size > 0).map(positionModel),
    trades: [...ex.trades.values()].flat().map((t) => tradeModel(t, false)),
    prices: [...sim.market.all()].map((cm) => ({
      contractId: cm.id,
      lastPrice: cm.last,
      bestBid: cm.bid,
      bestAsk: cm.ask,
    })),
    hubs: {
      user: { connections: sim.userHub.server.connections.size, ...sim.userHub.server.counters },
      market: {
        connections: sim.marketHub.server.connections.size,
        quotesSent: sim.marketHub.quotesSent,
        ...sim.marketHub.server.counters,
      },
    },
    requests: sim.requestCounts,
    faults: sim.describeFaults(),
  };
}
