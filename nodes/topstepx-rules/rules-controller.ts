import type { Node, NodeMessageInFlow, NodeStatus } from "node-red";
import { z } from "zod";
import type { ConnectionStatus, GatewayConnection } from "../../src/core/connection";
import { registerGate } from "../../src/core/groups/gate-registry";
import { registerAccountJournal } from "../../src/core/journal/account-journals";
import { Journal, reportCsv } from "../../src/core/journal/journal";
import { equityCurve, periodSummaries, summariesCsv } from "../../src/core/journal/summaries";
import { priceText, wholeDollars } from "../../src/core/money/format";
import type { OrderExecutor } from "../../src/core/orders/order-executor";
import { AccountGuard, type GuardStatus } from "../../src/core/rules/account-guard";
import { type GateContext, GateRequest, OrderGate } from "../../src/core/rules/order-gate";
import type { RulesConfig } from "../../src/core/rules/rules-config";
import { TRADING_TIME_ZONE } from "../../src/core/time/chicago-text";
import type { Send } from "../shared/attach";
import { answerError, fieldOf, outcomeStatus } from "../shared/error-mapping";
import { answerHttp } from "../shared/http-answer";
import { parseInput } from "../shared/input";
import { bindTrail } from "../shared/journal-trail";
import { NodeType } from "../shared/node-types";
import { ruleText } from "../shared/rule-texts";
import { capped, connectionStatus, errorStatus, statusText } from "../shared/status";
import { textsOf } from "../shared/texts";
import { consistencyPart, dayRuleBlockStatus } from "./day-rules-status";
import { journalCsv, journalRows } from "./journal-rows";
import { type NotificationInputs, wireNotifications } from "./notify-wiring";
import { isPlainExit, unjudgedExit } from "./plain-exit";
import { type AccountReport, accountReport, reportContext, reportEntries } from "./reports";

/** One guard per account: two would each reserve the same headroom and overwrite each other's state. */
const guardedAccounts = new Map<number, { id: string; name: string; label: string }>();

/** The running rules nodes by id, for the report page. */
const controllers = new Map<string, RulesController>();

/** The report of the rules node with this id, or null when there is no such node or it does not guard yet. */
export function reportOfNode(id: string): AccountReport | null {
  return controllers.get(id)?.report() ?? null;
}

/**
 * The rules a running rules node judges by (its limits as read at deploy, env and context
 * included), or why it has none; null when no rules node with this id runs.
 */
export function rulesOfNode(id: string): { config: RulesConfig | null; configError: string | null } | null {
  const c = controllers.get(id);
  return c ? c.rules() : null;
}

const Command = z.object({
  command: z.enum(["killSwitch", "rearm", "report", "state", "journal"]),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  on: z.boolean().optional(),
  flatten: z.boolean().optional(),
  format: z.enum(["json", "csv"]).optional(),
  /** With "report": summaries per trading day or per trading week (without it: the compliance rows). */
  period: z.enum(["day", "week"]).optional(),
  reason: z.string().optional(),
  /** With "journal": the trail of this alert id only (alert, decision, order, fills, answer). */
  id: z.string().trim().min(1).max(200).optional(),
});

const T = textsOf(NodeType.Rules);

const money = wholeDollars;

const price = priceText;

/**
 * The status while a guard protects a position, most important first: the dollars left above the
 * floor the guards keep, a stop moved to breakeven or along its trail (the nearer exit), then the
 * guarded level ("$1,240 left · BE 25,000.75 · guard 24,612.25").
 */
function guardText(s: GuardStatus): NodeStatus | null {
  const g = s.guards;
  if (!g.enabled || g.floor === null || g.left === null) return null;
  const held = g.contracts.filter((c) => c.quantity > 0 || c.coveredByOthers > 0);
  if (held.length === 0) return null;
  const level = price(held[0]!.level);
  const inside = held.some((c) => c.inside);
  // A stop moved to breakeven or along its trail is what the trader watches next to the guard.
  const moved = s.stops.find((v) => v.last !== null && v.stopPrice !== null);
  const stop =
    moved && T(moved.last === "breakeven" ? "status.breakeven" : "status.trail", { price: price(moved.stopPrice!) });
  return {
    fill: inside ? "red" : "green",
    shape: "dot",
    text: statusText(
      T("status.left", { left: money(g.left) }),
      stop,
      held.length > 1 ? T("status.guardMore", { level, more: held.length - 1 }) : T("status.guard", { level }),
    ),
  };
}

/**
 * The rules node's behaviour: decides order intents (approved / rejected outputs), emits rule-state
 * msgs (third output), and answers commands (kill switch, re-arm, compliance report). Enforcement
 * (flatten on breach) runs inside the AccountGuard, whatever the flow is wired to.
 */
export class RulesController {
  readonly id: string;
  private guard: AccountGuard | null = null;
  private gate: OrderGate | null = null;
  private starting: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;
  private journal: Journal | null = null;
  private unregisterJournal: (() => void) | null = null;
  private unregisterGate: (() => void) | null = null;
  private connection: ConnectionStatus | null = null;
  /** Why this node does not guard (another node guards its account): shown once, never retried. */
  private refusal: string | null = null;
  private refusedState: Record<string, unknown> | null = null;
  private send: Send;
  private notifications: NotificationInputs | null = null;
  private conn: GatewayConnection | null = null;

  constructor(
    private readonly node: Node,
    private readonly config: RulesConfig | null,
    private readonly configError: string | null,
    private readonly dbFile: string,
    private readonly accountRef: string | undefined,
  ) {
    this.id = node.id;
    this.send = (m) => node.send(m);
    controllers.set(this.id, this);
  }

  /** The rules this node judges by, or why it has none. */
  rules(): { config: RulesConfig | null; configError: string | null } {
    return { config: this.config, configError: this.configError };
  }

  /** The account's report (summaries and equity curve), once the rules guard it. */
  report(): AccountReport | null {
    return this.guard && this.journal && this.conn ? accountReport(this.guard, this.conn, this.journal) : null;
  }

  onConnectionStatus(s: ConnectionStatus): void {
    this.connection = s;
    this.notifications?.connection(s);
    if (this.configError || this.refusal) return;
    if (s.state !== "connected") this.node.status(connectionStatus(s));
    else if (this.guard) this.node.status(this.statusOf(this.guard.status()));
  }

  /** Starts guarding; on failure (no login yet, account lookup failed) it tries again every 5 s. */
  start(conn: GatewayConnection, executor: OrderExecutor): Promise<void> {
    this.starting = this.startOnce(conn, executor);
    return this.starting;
  }

  private async startOnce(conn: GatewayConnection, executor: OrderExecutor): Promise<void> {
    if (!this.config) {
      this.node.status(errorStatus(this.configError ?? T("status.badRules")));
      return;
    }
    try {
      const accountId = await executor.accountId(this.accountRef || undefined);
      if (this.closed) return;
      const owner = guardedAccounts.get(accountId);
      if (owner && owner.id !== this.id) return this.refuse(accountId, owner);
      const name = (this.node as { name?: string }).name;
      guardedAccounts.set(accountId, {
        id: this.id,
        name: name || this.id,
        label: name ? `"${name}" (${this.id})` : this.id,
      });
      // Shared with every rules node on the same file: one hash chain.
      this.journal = Journal.open(this.dbFile);
      this.journal.pruneSeen(conn.clock.now());
      this.unregisterJournal = registerAccountJournal(accountId, this.journal, conn.clock);
      this.guard = new AccountGuard(conn, accountId, this.config, this.journal);
      this.gate = new OrderGate(this.guard, conn, this.journal, executor.accounts);
      this.conn = conn;
      this.notifications = wireNotifications(this.guard, conn, this.journal, this.send, (m) =>
        this.node.warn(T("warnings.rules", { message: m })),
      );
      // Connected already: a drop from here on is told.
      if (this.connection) this.notifications.connection(this.connection);
      this.guard.on("status", (s) => {
        if (this.connection?.state === "connected" || !this.connection) this.node.status(this.statusOf(s));
        this.send([null, null, { topic: "rules", payload: s }]);
      });
      this.guard.on("breach", (b) => this.node.warn(T("warnings.breach", { rule: b.rule, reason: b.reason })));
      this.guard.on("warning", (m) => this.node.warn(T("warnings.rules", { message: m })));
      this.guard.on("error", (e) => this.node.error(T("errors.rules", { message: e.message })));
      await this.guard.start();
      // Named once the guard runs: a group or a copier judges this account's orders through it.
      this.unregisterGate = registerGate(conn, this.gate);
    } catch (e) {
      this.node.status(errorStatus((e as Error).message));
      this.node.error(T("errors.retrying", { reason: (e as Error).message, seconds: 5 }));
      await this.guard?.stop().catch(() => undefined);
      this.guard = null;
      this.notifications = null;
      this.gate = null;
      this.unregisterJournal?.();
      this.unregisterJournal = null;
      this.journal?.close();
      this.journal = null;
      if (this.closed) return;
      this.retry = setTimeout(() => void this.start(conn, executor), 5000);
    }
  }

  /**
   * Another rules node guards the account: says so once, in red and in the log, and stays out of
   * the way (no retry, no rule-state msgs with headroom it does not know).
   */
  private refuse(accountId: number, owner: { id: string; name: string; label: string }): void {
    this.refusal = T("errors.guardedBy", { accountId, owner: owner.label });
    this.refusedState = {
      accountId,
      synced: false,
      headroom: null,
      blocked: null,
      killSwitch: false,
      flattening: false,
      event: "refused",
      error: this.refusal,
      guardedBy: owner.id,
    };
    this.node.status(errorStatus(T("status.guardedBy", { name: owner.name })));
    this.node.error(T("errors.rules", { message: this.refusal }));
    this.node.send([null, null, { topic: "rules", payload: this.refusedState }]);
  }

  private statusOf(s: GuardStatus): NodeStatus {
    const base = this.baseStatusOf(s);
    // The consistency room is worth a glance while entries go through, not over a block or a warning in red.
    return capped(
      !s.synced || s.blocked || base.fill === "red"
        ? base
        : { ...base, text: statusText(base.text, consistencyPart(s)) },
    );
  }

  private baseStatusOf(s: GuardStatus): NodeStatus {
    if (!s.synced) return { fill: "yellow", shape: "ring", text: T("status.syncing") };
    if (s.killSwitch) return { fill: "red", shape: "dot", text: T("status.killSwitch") };
    if (s.flattening) return { fill: "red", shape: "dot", text: T("status.flattening") };
    // Entries wait a moment at start while the account's history is read: not a breach, not red.
    if (s.blocked?.rule === "floorUnknown" && !s.floorCheck)
      return { fill: "yellow", shape: "ring", text: T("status.readingHistory") };
    if (s.blocked)
      return (
        dayRuleBlockStatus(s) ?? {
          fill: "red",
          shape: "ring",
          text: T("status.blocked", { rule: ruleText(s.blocked.rule) }),
        }
      );
    const h = s.headroom;
    if (!h) return { fill: "grey", shape: "ring", text: T("status.waiting") };
    const guard = guardText(s);
    if (guard) return guard;
    if (h.maxLoss !== null) {
      const tight = this.config!.flattenBuffer > 0 ? h.maxLoss <= this.config!.flattenBuffer * 2 : h.maxLoss < 500;
      const left = { left: money(h.maxLoss) };
      // Guard stops off: the status says so, in yellow, whenever a floor applies.
      const off = !s.guards.enabled && T("status.guardOff");
      return {
        fill: tight || off ? "yellow" : "green",
        shape: off ? "ring" : "dot",
        // The trader's own floor is in force: the status says whose floor the headroom is measured to.
        text: statusText(T(s.floorCheck?.source === "shown" ? "status.mllShown" : "status.mll", left), off),
      };
    }
    if (h.dailyLoss !== null)
      return { fill: "green", shape: "dot", text: T("status.daily", { left: money(h.dailyLoss) }) };
    return { fill: "green", shape: "dot", text: T("status.dayPnl", { pnl: money(h.dayPnl) }) };
  }

  /** With its configuration refused the node judges nothing, but an exit only lowers exposure: it passes. */
  private passesUnjudged(msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void): boolean {
    if (this.gate || !this.configError || !isPlainExit(msg.payload)) return false;
    (msg as { decision?: unknown }).decision = unjudgedExit(this.configError);
    send([msg, null, null]);
    done();
    return true;
  }

  async handle(msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void): Promise<void> {
    const p = msg.payload as Record<string, unknown> | undefined;
    const context: GateContext = { alert: (msg as { alert?: object }).alert, msgid: msg._msgid };
    let judging = false;
    try {
      const command =
        msg.topic === "killSwitch"
          ? { command: "killSwitch", on: msg.payload === true || (p as { on?: boolean })?.on === true }
          : p && typeof p === "object" && "command" in p
            ? p
            : null;
      if (command) {
        this.command(parseInput(Command, command, "msg.payload"), msg, send, done);
        return;
      }
      if (this.passesUnjudged(msg, send, done)) return;
      const gate = this.gate;
      if (!gate) throw new Error(this.configError ?? this.refusal ?? T("errors.notRunning"));
      bindTrail(msg, gate.accountId, typeof p?.id === "string" ? p.id : undefined);
      const request = parseInput(GateRequest, p ?? {}, "msg.payload");
      judging = true;
      const result = await gate.judge(request, context);
      const payload = msg.payload as Record<string, unknown>;
      Object.assign(payload, result.order);
      // Sized by the gate, inside the serialized decision: an order node must not size it again.
      if (result.targetResolved) delete payload.targetPosition;
      const decision = result.decision;
      (msg as { decision?: unknown }).decision = decision;
      if (!decision.allow) {
        answerHttp(
          msg,
          outcomeStatus(result.outcome),
          result.outcome === "nothingToDo"
            ? { ok: true, action: "none", rule: decision.rule, reason: decision.reason, id: result.id }
            : { ok: false, rule: decision.rule, reason: decision.reason, id: result.id },
        );
      }
      send(decision.allow ? [msg, null, null] : [null, msg, null]);
      done();
    } catch (e) {
      const err = e as Error;
      const field = fieldOf(err);
      // The gate journals what fails inside it; what failed before it is journaled here.
      if (!judging)
        this.gate?.recordFailure(err, { ...context, alertId: typeof p?.id === "string" ? p.id : undefined, field });
      (msg as { decision?: unknown }).decision = { allow: false, rule: "badInput", reason: err.message, field };
      const answer = answerError(msg, err, { rule: "badInput", reason: err.message });
      this.node.status(answer.nodeStatus);
      send([null, msg, null]);
      done(err);
    }
  }

  private command(c: z.infer<typeof Command>, msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void): void {
    const guard = this.guard;
    if (!guard || !this.journal) {
      // A dashboard polls its journal every few seconds: the refusal was said once already.
      if (this.refusal && (c.command === "journal" || c.command === "report")) {
        done();
        return;
      }
      if (this.refusal && c.command === "state") {
        send([null, null, Object.assign(msg, { topic: "state", payload: this.refusedState })]);
        done();
        return;
      }
      done(new Error(this.refusal ?? "the rules are not running yet"));
      return;
    }
    switch (c.command) {
      case "killSwitch":
        guard.setKillSwitch(c.on !== false, c.reason ?? "kill switch from the flow");
        this.notifications?.killSwitch(c.on !== false, c.reason ?? "kill switch from the flow");
        if (c.on !== false && c.flatten) guard.flattenNow(c.reason ?? "kill switch with flatten");
        msg.payload = guard.status("killSwitch");
        break;
      case "rearm":
        guard.setKillSwitch(false, c.reason ?? "re-armed from the flow");
        this.notifications?.killSwitch(false, c.reason ?? "re-armed from the flow");
        msg.payload = guard.status("rearm");
        break;
      case "report": {
        if (c.period && this.conn) {
          const ctx = reportContext(guard, this.conn);
          const entries = reportEntries(this.journal, guard.accountId);
          const summaries = periodSummaries(entries, c.period, ctx);
          msg.payload = c.format === "csv" ? summariesCsv(summaries) : summaries;
          // The equity curve with the floor and daily-loss lines, for a dashboard chart.
          Object.assign(msg, { csv: summariesCsv(summaries), curve: equityCurve(entries, ctx) });
          break;
        }
        const rows = this.journal.report(guard.accountId, guard.state);
        msg.payload = rows;
        (msg as { csv?: string }).csv = reportCsv(rows);
        if (c.format === "csv") msg.payload = reportCsv(rows);
        break;
      }
      case "state":
        // A copy: the msg outlives this instant in the flow, and a function node must not write the rules' state.
        msg.payload = { ...guard.status("state"), state: structuredClone(guard.state) };
        break;
      case "journal": {
        const rows = journalRows(
          c.id ? this.journal.trail(c.id, guard.accountId) : this.journal.recent(guard.accountId, c.limit ?? 50),
          this.conn?.options.timeZone ?? TRADING_TIME_ZONE,
        );
        msg.payload = c.format === "csv" ? journalCsv(rows) : rows;
        break;
      }
    }
    msg.topic = c.command;
    send([null, null, msg]);
    done();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (controllers.get(this.id) === this) controllers.delete(this.id);
    if (this.retry) clearTimeout(this.retry);
    await this.starting?.catch(() => undefined);
    for (const [account, owner] of guardedAccounts) if (owner.id === this.id) guardedAccounts.delete(account);
    this.unregisterGate?.();
    await this.guard?.stop();
    this.unregisterJournal?.();
    this.journal?.close();
  }
}
