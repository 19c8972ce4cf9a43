import type { Node, NodeMessageInFlow, NodeStatus } from "node-red";
import { z } from "zod";
import type { ConnectionStatus, GatewayConnection } from "../../src/core/connection";
import { UnknownSymbolError } from "../../src/core/contracts/contract-resolver";
import { newCustomTag } from "../../src/core/gateway/gateway-api";
import { registerAccountJournal } from "../../src/core/journal/account-journals";
import { Journal, type JournalRow, reportCsv } from "../../src/core/journal/journal";
import type { OrderExecutor } from "../../src/core/orders/order-executor";
import { IntentError, missingField, OrderIntent, signedQuantity } from "../../src/core/orders/order-intent";
import { AccountGuard, type GuardStatus } from "../../src/core/rules/account-guard";
import type { RulesConfig } from "../../src/core/rules/rules-config";
import type { GateIntent, RuleDecision } from "../../src/core/rules/rules-engine";
import { answerHttp } from "../shared/http-answer";
import { InputError, parseInput } from "../shared/input";
import { bindTrail } from "../shared/journal-trail";
import { connectionStatus, errorStatus } from "../shared/status";

type Send = (msg: Array<NodeMessageInFlow | null>) => void;

/**
 * Alert ids being decided now, per account: a second alert with the same id arriving meanwhile is a
 * duplicate, though the first's id is recorded only once its decision is.
 */
const deciding = new Set<string>();

/** One guard per account: two would each reserve the same headroom and overwrite each other's state. */
const guardedAccounts = new Map<number, { id: string; name: string; label: string }>();

const Command = z.object({
  command: z.enum(["killSwitch", "rearm", "report", "state", "journal"]),
  limit: z.coerce.number().int().min(1).max(1000).optional(),
  on: z.boolean().optional(),
  flatten: z.boolean().optional(),
  format: z.enum(["json", "csv"]).optional(),
  reason: z.string().optional(),
  /** With "journal": the trail of this alert id only (alert, decision, order, fills, answer). */
  id: z.string().trim().min(1).max(200).optional(),
});

/** The gate's input: an order intent plus the alert's id and time, when it came from an alert. */
const GateInput = OrderIntent.extend({
  id: z.string().trim().min(1).max(200).optional(),
  /** A target-position alert: the order is recomputed here, in the serialized decision. */
  targetPosition: z.coerce.number().int().optional(),
  alertTime: z.union([z.number(), z.string()]).optional(),
});

/** One line of a journal row for a table: the rule and reason, the order, or the fill. */
function summarize(data: unknown): string {
  const d = (data ?? {}) as Record<string, any>;
  if (d.status !== undefined && d.body)
    return `answered ${d.status}${d.body.orderId !== undefined ? `: order #${d.body.orderId}` : (d.body.reason ?? d.body.error) ? `: ${d.body.reason ?? d.body.error}` : ""}`;
  if (d.result)
    return `order${d.result.orderId !== undefined ? ` #${d.result.orderId}` : ""} ${d.result.status ?? d.result.action ?? "done"}`;
  if (d.intent && !d.decision)
    return `order sent: ${d.intent.action} ${d.intent.side ?? ""} ${d.intent.quantity ?? ""} ${d.intent.symbol ?? ""}`
      .replace(/\s+/g, " ")
      .trim();
  if (d.error !== undefined) return `error: ${d.error}`;
  if (d.format !== undefined) return `alert ${d.alertId ?? ""} (${d.format})`.replace("  ", " ");
  if (d.decision)
    return `${d.decision.allow ? "approved" : `refused (${d.decision.rule})`}: ${d.intent?.side ?? ""} ${d.intent?.quantity ?? ""} ${d.intent?.symbol ?? d.intent?.action ?? ""}`.trim();
  if (d.rule) return `${d.rule}: ${d.reason ?? ""}`;
  if (d.price !== undefined)
    return `fill ${d.side === 0 ? "buy" : "sell"} ${d.size} @ ${d.price}${d.profitAndLoss != null ? `, P&L ${d.profitAndLoss}` : ""}`;
  if (d.flat !== undefined)
    return `flatten: ${d.flat ? "flat" : "NOT flat"}, ${d.closedContracts?.length ?? 0} closed, ${d.cancelledOrders?.length ?? 0} cancelled`;
  if (d.on !== undefined) return `kill switch ${d.on ? "on" : "off"}${d.why ? `: ${d.why}` : ""}`;
  return JSON.stringify(d).slice(0, 200);
}

const money = (x: number) => `$${Math.round(x).toLocaleString("en-US")}`;

/**
 * The rules node's behaviour: decides order intents (approved / rejected outputs), emits rule-state
 * msgs (third output), and answers commands (kill switch, re-arm, compliance report). Enforcement
 * (flatten on breach) runs inside the AccountGuard, whatever the flow is wired to.
 */
export class RulesController {
  readonly id: string;
  private guard: AccountGuard | null = null;
  private executor: OrderExecutor | null = null;
  private starting: Promise<void> | null = null;
  private retry: NodeJS.Timeout | null = null;
  private closed = false;
  private journal: Journal | null = null;
  private unregisterJournal: (() => void) | null = null;
  private conn: GatewayConnection | null = null;
  private connection: ConnectionStatus | null = null;
  /** Why this node does not guard (another node guards its account): shown once, never retried. */
  private refusal: string | null = null;
  private refusedState: Record<string, unknown> | null = null;
  private send: Send;

  constructor(
    private readonly node: Node,
    private readonly config: RulesConfig | null,
    private readonly configError: string | null,
    private readonly dbFile: string,
    private readonly accountRef: string | undefined,
  ) {
    this.id = node.id;
    this.send = (m) => node.send(m as never);
  }

  onConnectionStatus(s: ConnectionStatus): void {
    this.connection = s;
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
      this.node.status(errorStatus(this.configError ?? "bad rules"));
      return;
    }
    this.conn = conn;
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
      this.executor = executor;
      // Shared with every rules node on the same file: one hash chain.
      this.journal = Journal.open(this.dbFile);
      this.journal.pruneSeen(conn.clock.now());
      this.unregisterJournal = registerAccountJournal(accountId, this.journal, conn.clock);
      this.guard = new AccountGuard(conn, accountId, this.config, this.journal);
      this.guard.on("status", (s) => {
        if (this.connection?.state === "connected" || !this.connection) this.node.status(this.statusOf(s));
        this.send([null, null, { topic: "rules", payload: s } as never]);
      });
      this.guard.on("breach", (b) => this.node.warn(`${b.rule}: ${b.reason}`));
      this.guard.on("warning", (m) => this.node.warn(`rules: ${m}`));
      this.guard.on("error", (e) => this.node.error(`rules: ${e.message}`));
      await this.guard.start();
    } catch (e) {
      this.node.status(errorStatus((e as Error).message));
      this.node.error(`rules: ${(e as Error).message} (retrying in 5 s)`);
      await this.guard?.stop().catch(() => undefined);
      this.guard = null;
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
    this.refusal = `account ${accountId} is already guarded by rules node ${owner.label}: use one rules node per account (wire this flow to that node, or remove one)`;
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
    this.node.status(errorStatus(`guarded by ${owner.name}`));
    this.node.error(`rules: ${this.refusal}`);
    this.node.send([null, null, { topic: "rules", payload: this.refusedState }]);
  }

  private statusOf(s: GuardStatus): NodeStatus {
    if (!s.synced) return { fill: "yellow", shape: "ring", text: "syncing account" };
    if (s.killSwitch) return { fill: "red", shape: "dot", text: "kill switch on" };
    if (s.flattening) return { fill: "red", shape: "dot", text: "flattening" };
    // Entries wait a moment at start while the account's history is read: not a breach, not red.
    if (s.blocked?.rule === "floorUnknown" && !s.floorCheck)
      return { fill: "yellow", shape: "ring", text: "reading account history" };
    if (s.blocked) return { fill: "red", shape: "ring", text: `blocked: ${s.blocked.rule}` };
    const h = s.headroom;
    if (!h) return { fill: "grey", shape: "ring", text: "waiting" };
    if (h.maxLoss !== null) {
      const tight = this.config!.flattenBuffer > 0 ? h.maxLoss <= this.config!.flattenBuffer * 2 : h.maxLoss < 500;
      // The trader's own floor is in force: the status says whose floor the headroom is measured to.
      const whose = s.floorCheck?.source === "shown" ? " (TopstepX floor)" : "";
      return { fill: tight ? "yellow" : "green", shape: "dot", text: `MLL ${money(h.maxLoss)} left${whose}` };
    }
    if (h.dailyLoss !== null) return { fill: "green", shape: "dot", text: `daily ${money(h.dailyLoss)} left` };
    return { fill: "green", shape: "dot", text: `day P&L ${money(h.dayPnl)}` };
  }

  async handle(msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void): Promise<void> {
    let claim: string | null = null;
    try {
      const guard = this.guard;
      const p = msg.payload as Record<string, unknown> | undefined;
      const command =
        msg.topic === "killSwitch"
          ? { command: "killSwitch", on: msg.payload === true || (p as { on?: boolean })?.on === true }
          : p && typeof p === "object" && "command" in p
            ? p
            : null;
      if (command) return this.command(parseInput(Command, command, "msg.payload"), msg, send, done);
      if (!guard || !this.conn || !this.journal)
        throw new Error(
          this.configError ?? this.refusal ?? "the rules are not running yet (check the configuration and the account)",
        );
      bindTrail(msg, guard.accountId, typeof p?.id === "string" ? p.id : undefined);
      const raw = parseInput(GateInput, p ?? {}, "msg.payload");
      const alertTime =
        raw.alertTime === undefined
          ? undefined
          : typeof raw.alertTime === "number"
            ? raw.alertTime
            : Date.parse(raw.alertTime);
      if (alertTime !== undefined && !Number.isFinite(alertTime))
        throw new InputError("alertTime", `msg.payload.alertTime: "${raw.alertTime}" is not a time`);
      let decision: RuleDecision;
      const places = raw.action === "place" || raw.targetPosition !== undefined;
      const customTag = raw.customTag ?? (places ? newCustomTag() : undefined);
      const duplicate: RuleDecision = {
        allow: false,
        rule: "duplicateAlert",
        reason: `Alert ${raw.id} was already received: it is not acted on twice.`,
      };
      const key = raw.id ? `${guard.accountId}\u0000${raw.id}` : null;
      // Checked and claimed with no await in between: two identical ids arriving together cannot both
      // pass. The id itself is spent only with a decision, so a failure on the way lets a retry in.
      const seen = key !== null && (deciding.has(key) || this.journal.decided(raw.id!, guard.accountId));
      if (key && !seen) deciding.add((claim = key));
      if (seen) {
        decision = duplicate;
      } else if (raw.targetPosition !== undefined && raw.symbol) {
        await this.assertGuarded(raw.account, guard.accountId);
        const contractId = (await this.conn.contracts.resolve(raw.symbol)).id;
        const t = await guard.decideTarget(contractId, raw.targetPosition, customTag ?? null, alertTime);
        decision = t.decision;
        const p = msg.payload as Record<string, unknown>;
        Object.assign(p, {
          action: "place",
          type: "market",
          side: t.quantity > 0 ? "buy" : "sell",
          quantity: Math.abs(t.quantity),
          account: guard.accountId,
        });
        // Sized here, inside the serialized decision: an order node must not size it again.
        delete p.targetPosition;
      } else {
        // The gate judges what will be sent: an incomplete intent would be completed later by an
        // order node's dialog, unjudged; another account is not what this node guards.
        const missing = missingField(raw);
        if (missing) throw new InputError(missing, `msg.payload.${missing}: required for ${raw.action}`);
        await this.assertGuarded(raw.account, guard.accountId);
        (msg.payload as Record<string, unknown>).account = guard.accountId;
        const gate: GateIntent = { action: raw.action, alertTime };
        if (raw.symbol) gate.contractId = (await this.conn.contracts.resolve(raw.symbol)).id;
        gate.quantity = signedQuantity(raw);
        const strategy = raw.strategyPosition;
        if (raw.action === "place" && strategy && gate.contractId && gate.quantity) {
          const t = await guard.decideStrategyOrder(
            gate.contractId,
            gate.quantity,
            strategy,
            customTag ?? null,
            alertTime,
          );
          if (t.decision.allow) (msg.payload as Record<string, unknown>).quantity = Math.abs(t.quantity);
          decision = t.decision;
        } else {
          if (raw.action === "modify") {
            // The new total size of the order; the guard looks the order up for its side and contract.
            gate.quantity = raw.quantity;
            gate.orderId = raw.orderId;
            gate.priceChange = raw.limitPrice !== undefined || raw.stopPrice !== undefined;
          }
          decision = await guard.decide(gate, customTag ?? null);
        }
      }
      const alert = (msg as { alert?: object }).alert;
      const rows = (d: RuleDecision): JournalRow[] => [
        ...(alert ? [{ kind: "alert" as const, data: { alertId: raw.id, ...alert } }] : []),
        {
          kind: "decision",
          data: {
            alertId: raw.id,
            customTag: places ? customTag : undefined,
            intent: raw,
            decision: d,
            msgid: msg._msgid,
          },
        },
      ];
      // The decision and its alert id in one transaction: a kill -9 keeps both or neither.
      if (!this.journal.recordDecision(guard.accountId, claim ? raw.id : null, rows(decision), this.conn.clock.now())) {
        decision = duplicate;
        this.journal.recordDecision(guard.accountId, null, rows(decision), this.conn.clock.now());
      }
      if (customTag && places) (msg.payload as Record<string, unknown>).customTag = customTag;
      (msg as { decision?: unknown }).decision = decision;
      // Nothing to do for a target already reached or an exit already done: a success, though no order follows.
      const nothingToDo = decision.rule === "atTarget" || decision.rule === "alreadyFlat";
      if (!decision.allow) {
        answerHttp(
          msg,
          nothingToDo ? 200 : decision.rule === "duplicateAlert" ? 409 : 422,
          nothingToDo
            ? { ok: true, action: "none", rule: decision.rule, reason: decision.reason, id: raw.id }
            : { ok: false, rule: decision.rule, reason: decision.reason, id: raw.id },
        );
      }
      send(decision.allow ? [msg, null, null] : [null, msg, null]);
      done();
    } catch (e) {
      const err = e as Error;
      const field =
        e instanceof InputError || e instanceof IntentError
          ? e.field
          : e instanceof UnknownSymbolError
            ? "symbol"
            : undefined;
      this.journalFailure(msg, err, field);
      (msg as { decision?: unknown }).decision = { allow: false, rule: "badInput", reason: err.message, field };
      answerHttp(msg, field ? 400 : 503, { ok: false, rule: "badInput", reason: err.message, field });
      this.node.status(errorStatus(field ? `bad ${field}` : err.message));
      send([null, msg, null]);
      done(err);
    } finally {
      if (claim) deciding.delete(claim);
    }
  }

  /** Another account than the one this node guards is not judged here. */
  private async assertGuarded(account: string | number | undefined, guarded: number): Promise<void> {
    if (account !== undefined && (await this.executor!.accountId(account)) !== guarded) {
      throw new InputError("account", `msg.payload.account: this rules node guards account ${guarded}, not ${account}`);
    }
  }

  /** An alert that failed before its decision is still journaled, with why (its id stays unspent). */
  private journalFailure(msg: NodeMessageInFlow, err: Error, field: string | undefined): void {
    const p = msg.payload as Record<string, unknown> | undefined;
    const alert = (msg as { alert?: object }).alert;
    if (!this.guard || !this.journal || !this.conn || (!alert && typeof p?.id !== "string")) return;
    const alertId = typeof p?.id === "string" ? p.id : undefined;
    try {
      this.journal.recordDecision(
        this.guard.accountId,
        null,
        [
          ...(alert ? [{ kind: "alert" as const, data: { alertId, ...alert } }] : []),
          { kind: "error", data: { alertId, error: err.message, field, msgid: msg._msgid } },
        ],
        this.conn.clock.now(),
      );
    } catch (e) {
      this.node.error(`rules: the journal could not record a failed alert: ${(e as Error).message}`);
    }
  }

  private command(c: z.infer<typeof Command>, msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void): void {
    const guard = this.guard;
    if (!guard || !this.journal) {
      // A dashboard polls its journal every few seconds: the refusal was said once already.
      if (this.refusal && (c.command === "journal" || c.command === "report")) return done();
      if (this.refusal && c.command === "state") {
        send([null, null, Object.assign(msg, { topic: "state", payload: this.refusedState })]);
        return done();
      }
      done(new Error(this.refusal ?? "the rules are not running yet"));
      return;
    }
    switch (c.command) {
      case "killSwitch":
        guard.setKillSwitch(c.on !== false, c.reason ?? "kill switch from the flow");
        if (c.on !== false && c.flatten) guard.flattenNow(c.reason ?? "kill switch with flatten");
        msg.payload = guard.status("killSwitch");
        break;
      case "rearm":
        guard.setKillSwitch(false, c.reason ?? "re-armed from the flow");
        msg.payload = guard.status("rearm");
        break;
      case "report": {
        const rows = this.journal.report(guard.accountId, guard.state);
        msg.payload = rows;
        (msg as { csv?: string }).csv = reportCsv(rows);
        if (c.format === "csv") msg.payload = reportCsv(rows);
        break;
      }
      case "state":
        msg.payload = { ...guard.status("state"), state: guard.state };
        break;
      case "journal":
        msg.payload = (
          c.id ? this.journal.trail(c.id, guard.accountId) : this.journal.recent(guard.accountId, c.limit ?? 50)
        ).map((e) => ({ time: e.tsIso, kind: e.kind, tradingDay: e.tradingDay, detail: summarize(e.data) }));
        break;
    }
    msg.topic = c.command;
    send([null, null, msg]);
    done();
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    await this.starting?.catch(() => undefined);
    for (const [account, owner] of guardedAccounts) if (owner.id === this.id) guardedAccounts.delete(account);
    await this.guard?.stop();
    this.unregisterJournal?.();
    this.journal?.close();
  }
}
