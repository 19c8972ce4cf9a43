import { readFile } from "node:fs/promises";
import { basename } from "node:path";
import type { Node, NodeMessageInFlow } from "node-red";
import type { ConnectionStatus, GatewayConnection } from "../../src/core/connection";
import { priceTrades, type TickSpec } from "../../src/core/replay/price-trades";
import { DEFAULT_TIME_ZONE, readTrades } from "../../src/core/replay/read-trades";
import { replayAll, TOPSTEP_PROFILES, withoutCurve } from "../../src/core/replay/replay-all";
import { renderReplayHtml } from "../../src/core/replay/replay-html";
import type { ReplayReport } from "../../src/core/replay/replay-report";
import { formatReplayTable } from "../../src/core/replay/replay-table";
import { ReplayInputError, type ReplayTrade } from "../../src/core/replay/replay-trade";
import { PROFILES } from "../../src/core/rules/rules-config";
import type { NodeController, Send } from "../shared/attach";
import { NodeType } from "../shared/node-types";
import { ruleText } from "../shared/rule-texts";
import { capped, errorStatus } from "../shared/status";
import { textsOf } from "../shared/texts";
import { replayPages } from "./replay-pages";

/** What the dialog holds. */
export interface ReplayProps {
  /** One profile, or "" for the six Topstep profiles. */
  profile?: string;
  symbol?: string;
  tz?: string;
}

interface ReplayMsg extends NodeMessageInFlow {
  filename?: unknown;
  symbol?: unknown;
  tz?: unknown;
  profile?: unknown;
}

const T = textsOf(NodeType.Replay);

const VERDICT: Record<ReplayReport["verdict"], string> = {
  passed: "status.verdict.passed",
  failed: "status.verdict.failed",
  "not-yet": "status.verdict.notYet",
};

/** "topstep-combine-50k" → "50K Combine", "topstep-xfa-100k" → "100K XFA". */
export function profileLabel(id: string): string {
  const m = /^topstep-(combine|xfa)-(\d+k)$/.exec(id);
  if (!m) return id;
  return `${m[2]!.toUpperCase()} ${m[1] === "combine" ? "Combine" : "XFA"}`;
}

/** The node's status after a replay: the one verdict that matters first. */
export function replayStatusText(reports: readonly ReplayReport[]): string {
  if (reports.length === 1) {
    const r = reports[0]!;
    const b = r.firstBreach;
    const one = { profile: profileLabel(r.profile), verdict: T(VERDICT[r.verdict]) };
    // The rule and its day are the point of a failed replay.
    return r.verdict === "failed" && b
      ? T("status.failedAt", { ...one, rule: ruleText(b.rule), day: b.day.slice(5) })
      : T("status.one", one);
  }
  const passed = reports.filter((r) => r.verdict === "passed").length;
  return T("status.all", { count: reports.length, passed });
}

/**
 * topstepx-replay: a TradingView Strategy Tester export (or a plain CSV of fills) in, each profile's
 * verdict out. Needs no connection; with one, a plain CSV's fills are priced from the gateway's contracts.
 */
export class ReplayController implements NodeController {
  readonly id: string;
  private conn: GatewayConnection | null = null;
  private closed = false;

  constructor(
    private readonly node: Node,
    private readonly props: ReplayProps,
  ) {
    this.id = node.id;
  }

  start(conn: GatewayConnection): void {
    this.conn = conn;
  }

  onConnectionStatus(_s: ConnectionStatus): void {
    // The replay's own status says more than the connection's: it keeps its last verdict.
  }

  async handle(msg: ReplayMsg, send: Send, done: (err?: Error) => void): Promise<void> {
    try {
      const { text, fileName } = await this.textOf(msg);
      const opts = {
        fileName,
        timeZone: stringOr(msg.tz, this.props.tz) || DEFAULT_TIME_ZONE,
        symbol: stringOr(msg.symbol, this.props.symbol) || undefined,
      };
      const profiles = this.profilesOf(msg);
      const trades = await this.priced(readTrades(text, opts));
      // Shown in the connection's display zone; without a connection, Chicago's.
      const timeZone = this.conn?.options.timeZone;
      const reports = replayAll(trades, profiles, { timeZone });
      const html = renderReplayHtml(reports, undefined, timeZone);
      if (this.closed) return done();
      replayPages.set(this.node.id, html);
      const failed = reports.some((r) => r.verdict === "failed");
      this.node.status(
        capped({
          fill: failed ? "red" : reports.every((r) => r.verdict === "passed") ? "green" : "yellow",
          shape: "dot",
          text: replayStatusText(reports),
        }),
      );
      send({ ...msg, payload: reports.map(withoutCurve), table: formatReplayTable(reports), html });
      done();
    } catch (e) {
      const err = e instanceof Error ? e : new Error(String(e));
      this.node.status(
        errorStatus(err instanceof ReplayInputError ? err.message : T("status.error", { reason: err.message })),
      );
      done(err);
    }
  }

  close(): void {
    this.closed = true;
    replayPages.delete(this.node.id);
  }

  /** msg.filename, or a msg.payload that is a path ending .csv, is read; any other string is the file's text. */
  private async textOf(msg: ReplayMsg): Promise<{ text: string; fileName?: string }> {
    const p = msg.payload;
    const path =
      typeof msg.filename === "string" && msg.filename
        ? msg.filename
        : typeof p === "string" && /^[^\n\r,]+\.csv$/i.test(p.trim())
          ? p.trim()
          : null;
    if (path) return { text: await readFile(path, "utf8"), fileName: basename(path) };
    if (Buffer.isBuffer(p)) return { text: p.toString("utf8") };
    if (typeof p === "string" && p.trim()) return { text: p };
    throw new Error(T("errors.noInput"));
  }

  private profilesOf(msg: ReplayMsg): string[] {
    const asked = stringOr(msg.profile, this.props.profile);
    if (!asked) return [...TOPSTEP_PROFILES];
    const list = asked
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean);
    for (const p of list)
      if (!PROFILES[p])
        throw new Error(T("errors.unknownProfile", { profile: p, known: Object.keys(PROFILES).join(", ") }));
    return list;
  }

  /** A plain CSV states no P&L: its fills are priced from the gateway's contracts, or refused. */
  private async priced(trades: ReplayTrade[]): Promise<ReplayTrade[]> {
    const unpriced = trades.filter((t) => t.pnl === undefined && t.exitPrice !== undefined);
    if (unpriced.length === 0) return trades;
    if (!this.conn) {
      const line = /:(\d+)$/.exec(unpriced[0]!.source);
      throw new ReplayInputError(
        line ? Number(line[1]) : null,
        "pnl",
        "the file states no P&L: select a connection so its fills are priced from the gateway's contracts",
      );
    }
    const specs = new Map<string, TickSpec>();
    for (const symbol of new Set(unpriced.map((t) => t.symbol.toUpperCase()))) {
      const c = await this.conn.contracts.resolve(symbol).catch(() => null);
      if (c) specs.set(symbol, { tickSize: c.tickSize, tickValue: c.tickValue });
    }
    return priceTrades(trades, (s) => specs.get(s));
  }
}

function stringOr(v: unknown, fallback: string | undefined): string {
  return typeof v === "string" && v.trim() ? v.trim() : (fallback ?? "").trim();
}
