import type { Node, NodeMessageInFlow } from "node-red";
import { z } from "zod";
import type { ConnectionStatus, GatewayConnection } from "../../src/core/connection";
import type { QuoteState } from "../../src/core/realtime/market-feed";
import { AggregateBarUnit, type Bar, type Contract, formatTimestamp, parseTimestamp } from "../../src/core/schemas";
import { classifyError } from "../shared/error-mapping";
import { InputError, parseInput, pick } from "../shared/input";
import { NodeType } from "../shared/node-types";
import { readableDepth, readableMarketTrade } from "../shared/readable-events";
import { connectionStatus, errorStatus, okStatus } from "../shared/status";
import { commonText, textsOf } from "../shared/texts";

/** The market node's dialog (version 1). */
export interface MarketProps {
  symbols?: string;
  quotes?: boolean;
  trades?: boolean;
  depth?: boolean;
  /** At most one quote msg per contract per this many ms (0: every coalesced quote). */
  throttleMs?: string | number;
  barUnit?: string;
  barUnitNumber?: string | number;
  barLimit?: string | number;
  version?: number;
}

const UNITS: Record<string, number> = {
  second: AggregateBarUnit.Second,
  minute: AggregateBarUnit.Minute,
  hour: AggregateBarUnit.Hour,
  day: AggregateBarUnit.Day,
  week: AggregateBarUnit.Week,
  month: AggregateBarUnit.Month,
  tick: AggregateBarUnit.Tick,
};
const UNIT_MS: Record<number, number> = {
  1: 1000,
  2: 60_000,
  3: 3_600_000,
  4: 86_400_000,
  5: 7 * 86_400_000,
  6: 31 * 86_400_000,
  7: 250,
};

const BarsRequest = z
  .object({
    symbol: z.string().trim().min(1).optional(),
    unit: z
      .union([z.enum(Object.keys(UNITS) as [string, ...string[]]), z.coerce.number().int().min(1).max(7)])
      .optional(),
    unitNumber: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(20_000).optional(),
    start: z.union([z.string(), z.number()]).optional(),
    end: z.union([z.string(), z.number()]).optional(),
    includePartialBar: z.boolean().optional(),
  })
  .passthrough();

const T = textsOf(NodeType.Market);

type Send = (msg: NodeMessageInFlow | NodeMessageInFlow[]) => void;

function toMs(v: string | number | undefined, field: string): number | undefined {
  if (v === undefined) return undefined;
  const ms = typeof v === "number" ? v : parseTimestamp(v);
  if (!Number.isFinite(ms)) throw new InputError(field, T("errors.notDateTime", { field, value: v }));
  return ms;
}

export function splitSymbols(s: string | undefined): string[] {
  return (s ?? "")
    .split(/[\s,;]+/)
    .map((x) => x.trim())
    .filter(Boolean);
}

/**
 * The market node's behaviour: live quotes, trades and depth of its contracts as one msg per event
 * (topic = contract id), and historical bars on input.
 */
export class MarketController {
  readonly id: string;
  private conn: GatewayConnection | null = null;
  private readonly stops: Array<() => Promise<void>> = [];
  private readonly lastSent = new Map<string, number>();
  private readonly pending = new Map<string, NodeJS.Timeout>();
  private contracts: Array<{ symbol: string; contract: Contract }> = [];
  private closed = false;
  private retry: NodeJS.Timeout | null = null;
  private failures = 0;
  /** Why the last start failed, shown until a retry succeeds. */
  private failure: string | null = null;

  constructor(
    private readonly node: Node,
    private readonly props: MarketProps,
  ) {
    this.id = node.id;
  }

  onConnectionStatus(s: ConnectionStatus): void {
    if (s.state === "connected" && this.failure) this.node.status(errorStatus(this.failure));
    else
      this.node.status(
        s.state === "connected" && this.contracts.length > 0
          ? okStatus(T("status.subscribed", { count: this.contracts.length }))
          : connectionStatus(s),
      );
  }

  /**
   * Resolves the symbols and subscribes the chosen feeds. Never rejects: a refusal (not logged in
   * yet, a symbol not listed yet, a subscription the gateway refuses) shows red with the reason and
   * is tried again, sooner at first.
   */
  async start(conn: GatewayConnection): Promise<void> {
    this.conn = conn;
    if (this.retry) clearTimeout(this.retry);
    this.retry = null;
    const symbols = splitSymbols(this.props.symbols);
    if (this.closed || symbols.length === 0 || !(this.props.quotes || this.props.trades || this.props.depth)) return;
    try {
      const contracts: Array<{ symbol: string; contract: Contract }> = [];
      for (const symbol of symbols) contracts.push({ symbol, contract: await conn.contracts.resolve(symbol) });
      for (const { symbol, contract } of contracts) {
        if (this.closed) break;
        const refused = (e: Error): never => {
          // The gateway's own words, not SignalR's wrapper around them.
          throw new Error(
            T("errors.refused", { symbol, reason: /HubException: (.*)$/.exec(e.message)?.[1] ?? e.message }),
          );
        };
        if (this.props.quotes)
          this.stops.push(await conn.market.watchQuotes(contract.id, (q) => this.onQuote(symbol, q)).catch(refused));
        if (this.props.trades) {
          this.stops.push(
            await conn.market
              .watchTrades(contract.id, (id, trades) => {
                for (const t of trades)
                  this.node.send({
                    topic: id,
                    symbol,
                    event: "trade",
                    payload: readableMarketTrade({ contractId: id, ...t }),
                  });
              })
              .catch(refused),
          );
        }
        if (this.props.depth) {
          this.stops.push(
            await conn.market
              .watchDepth(contract.id, (id, entries) =>
                this.node.send({ topic: id, symbol, event: "depth", payload: entries.map((e) => readableDepth(e)) }),
              )
              .catch(refused),
          );
        }
      }
      if (this.closed) return this.unsubscribe();
      this.contracts = contracts;
      this.failures = 0;
      this.failure = null;
      this.onConnectionStatus(conn.status());
    } catch (e) {
      await this.unsubscribe();
      if (this.closed) return;
      const delay = Math.min(30_000, 2000 * 2 ** this.failures++);
      const reason = (e as Error).message;
      this.failure = reason;
      this.node.status(errorStatus(reason));
      this.node.error(T("errors.retrying", { reason, seconds: Math.round(delay / 1000) }));
      this.retry = setTimeout(() => void this.start(conn), delay);
    }
  }

  /** Drops every subscription made so far (a partial start, or the node closing). */
  private async unsubscribe(): Promise<void> {
    this.contracts = [];
    await Promise.all(this.stops.splice(0).map((s) => s().catch(() => undefined)));
  }

  private onQuote(symbol: string, q: QuoteState): void {
    const throttle = Number(this.props.throttleMs ?? 0) || 0;
    const emit = () => {
      this.pending.delete(q.contractId);
      this.lastSent.set(q.contractId, Date.now());
      this.node.send({
        topic: q.contractId,
        symbol,
        event: "quote",
        payload: {
          contractId: q.contractId,
          symbol: q.symbol,
          lastPrice: q.lastPrice,
          bestBid: q.bestBid,
          bestAsk: q.bestAsk,
          volume: q.volume,
          timestamp: formatTimestamp(q.timestamp),
          crossed: q.crossed,
        },
      });
    };
    if (throttle <= 0) {
      emit();
      return;
    }
    const wait = (this.lastSent.get(q.contractId) ?? 0) + throttle - Date.now();
    if (wait <= 0) emit();
    else if (!this.pending.has(q.contractId)) this.pending.set(q.contractId, setTimeout(emit, wait));
  }

  /** On input: historical bars, oldest first, in msg.payload. */
  async handle(msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void): Promise<void> {
    try {
      const conn = this.conn;
      if (!conn) throw new Error(commonText("common.errors.notReady"));
      const raw =
        msg.payload !== null && typeof msg.payload === "object" && !Array.isArray(msg.payload) ? msg.payload : {};
      const r = parseInput(BarsRequest, raw, "msg.payload");
      const symbol = r.symbol ?? splitSymbols(this.props.symbols)[0];
      if (!symbol) throw new InputError("symbol", T("errors.noSymbol"));
      const unitRaw = pick(r.unit, this.props.barUnit) ?? "minute";
      const unit = typeof unitRaw === "number" ? unitRaw : (UNITS[String(unitRaw)] ?? Number(unitRaw));
      if (!(unit >= 1 && unit <= 7))
        throw new InputError(
          "unit",
          T("errors.badUnit", { value: String(unitRaw), units: Object.keys(UNITS).join(", ") }),
        );
      const unitNumber = Number(pick(r.unitNumber, this.props.barUnitNumber) ?? 1);
      const limit = Number(pick(r.limit, this.props.barLimit) ?? 100);
      const end = toMs(r.end, "end") ?? conn.clock.now();
      // Enough calendar time for `limit` bars across nights and weekends.
      const start = toMs(r.start, "start") ?? end - limit * unitNumber * UNIT_MS[unit]! * 3 - 4 * 86_400_000;
      const contract = await conn.contracts.resolve(symbol);
      const bars: Bar[] = await conn.api.retrieveBars({
        contractId: contract.id,
        live: false,
        startTime: formatTimestamp(start),
        endTime: formatTimestamp(end),
        unit,
        unitNumber,
        limit,
        includePartialBar: r.includePartialBar ?? false,
      });
      msg.payload = bars.slice().reverse();
      msg.topic = contract.id;
      (msg as { symbol?: string }).symbol = symbol;
      (msg as { event?: string }).event = "bars";
      send(msg);
      done();
    } catch (e) {
      const err = e as Error;
      this.node.status(classifyError(err).nodeStatus);
      done(err);
    }
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    for (const t of this.pending.values()) clearTimeout(t);
    await this.unsubscribe();
  }
}
