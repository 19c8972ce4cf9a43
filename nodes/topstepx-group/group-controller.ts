import type { Node, NodeMessageInFlow, NodeStatus } from "node-red";
import { z } from "zod";
import type { ConnectionStatus, GatewayConnection } from "../../src/core/connection";
import { fanOut, type GroupMember, type MemberResult } from "../../src/core/groups/fan-out";
import { gateOf } from "../../src/core/groups/gate-registry";
import { type AccountReport, groupReport, groupReportCsv } from "../../src/core/groups/group-report";
import { accountRow } from "../../src/core/groups/group-state";
import { accountJournal } from "../../src/core/journal/account-journals";
import { writeTrail } from "../../src/core/journal/order-trail";
import type { OrderExecutor } from "../../src/core/orders/order-executor";
import { GateRequest } from "../../src/core/rules/order-gate";
import type { Send } from "../shared/attach";
import type { TopstepxConfigNode } from "../shared/config-api";
import { classifyError } from "../shared/error-mapping";
import { refusal } from "../shared/http-answer";
import { InputError, parseInput } from "../shared/input";
import { NodeType } from "../shared/node-types";
import { connectionStatus, errorStatus, statusText } from "../shared/status";
import { commonText, textsOf } from "../shared/texts";
import { type AccountAnswer, groupAnswer } from "./group-answer";

const T = textsOf(NodeType.Group);

/** What the group node's input takes besides alerts: msg.payload.command and its options. */
const Command = z.object({
  command: z.enum(["state", "report", "killSwitch", "rearm"]),
  on: z.boolean().optional(),
  flatten: z.boolean().optional(),
  format: z.enum(["json", "csv"]).optional(),
  reason: z.string().optional(),
});
type Command = z.infer<typeof Command>;

type Msg = NodeMessageInFlow & { res?: unknown; statusCode?: number; alert?: object; intent?: unknown };

/**
 * The group node's behaviour: one alert to every account of the group (see fanOut), answered on
 * output 1 with each account's outcome and the HTTP status; commands (state, report, kill switch,
 * re-arm) answered on output 2, one row per account.
 */
export class GroupController {
  readonly id: string;
  private last: MemberResult[] | null = null;

  constructor(
    private readonly node: Node,
    private readonly server: TopstepxConfigNode | null,
    private readonly name: string,
    private readonly members: GroupMember[] | null,
    private readonly configError: InputError | null,
  ) {
    this.id = node.id;
    this.showIdle();
  }

  onConnectionStatus(s: ConnectionStatus): void {
    if (this.configError) this.showIdle();
    else if (s.state !== "connected") this.node.status(connectionStatus(s));
    else this.showLast();
  }

  /**
   * Looks every member's account up and follows it once connected, so the first alert finds them
   * ready (no name look-up in the request budget, books and positions known for sizing and state).
   */
  async start(conn: GatewayConnection, executor: OrderExecutor): Promise<void> {
    for (const r of await this.resolved(executor))
      if (r.accountId !== null) await conn.watchAccount(r.accountId).catch(() => undefined);
  }

  private showIdle(): void {
    if (this.configError)
      this.node.status(errorStatus(commonText("common.status.badField", { field: this.configError.field })));
  }

  private showLast(): void {
    const n = this.members?.length ?? 0;
    const accounts = n === 1 ? T("status.oneAccount") : T("status.accounts", { count: n });
    const last = this.last;
    if (!last) {
      this.node.status({ fill: "green", shape: "ring", text: accounts });
      return;
    }
    const answer = groupAnswer(this.name, undefined, last);
    // Red only when nothing went out and something broke; refusals and duplicates are the rules at work.
    const broke = last.some((r) => r.outcome === "failed" || r.outcome === "late");
    const fill: NodeStatus["fill"] = answer.body.ok
      ? "green"
      : broke && !last.some((r) => r.outcome === "placed")
        ? "red"
        : "yellow";
    this.node.status({ fill, shape: "dot", text: statusText(answer.body.summary, accounts) });
  }

  private ready(): { conn: GatewayConnection; executor: OrderExecutor; members: GroupMember[] } {
    if (this.configError) throw this.configError;
    if (!this.server) throw new InputError("server", commonText("common.errors.noConfiguration"));
    const conn = this.server.connection;
    const executor = this.server.executor;
    if (!conn || !executor) throw new Error(this.server.configError ?? commonText("common.errors.notReady"));
    return { conn, executor, members: this.members! };
  }

  async handle(msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void): Promise<void> {
    const m = msg as Msg;
    const p = m.payload;
    // A dashboard switch sends its state with a topic: true arms the kill switch, false re-arms.
    const command =
      m.topic === "killSwitch" && typeof p === "boolean"
        ? { command: p ? "killSwitch" : "rearm" }
        : p !== null && typeof p === "object" && "command" in p
          ? p
          : null;
    if (command) {
      try {
        await this.command(parseInput(Command, command, "msg.payload"), m, send);
        done();
      } catch (e) {
        done(e as Error);
      }
      return;
    }
    let id: string | undefined;
    try {
      const { conn, executor, members } = this.ready();
      const request = parseInput(GateRequest, p ?? {}, "msg.payload");
      id = request.id;
      if (request.action === "modify" || request.action === "cancel")
        throw new InputError("action", T("errors.oneOrder", { action: request.action }));
      const source = `group:${this.name}`;
      const results = await fanOut({
        conn,
        executor,
        group: this.name,
        members,
        request,
        context: { alert: { ...(m.alert ?? {}), source }, msgid: m._msgid },
        webhook: !!m.res,
        onLateResult: (late) => this.lateResult(late),
      });
      this.last = results;
      const answer = groupAnswer(this.name, id, results);
      for (const [i, r] of results.entries()) journalAnswer(r, answer.body.accounts[i]!, request.id, m._msgid, source);
      m.intent = p;
      m.statusCode = answer.status;
      m.payload = { ...answer.body, status: answer.status };
      this.showLast();
      send([m, null]);
      done();
    } catch (e) {
      const err = e as Error;
      const a = classifyError(err);
      m.intent = p;
      m.statusCode = a.status;
      m.payload = {
        ...refusal(a.status, err.message, a.field),
        group: this.name,
        id,
        accounts: [],
        summary: err.message,
      };
      this.node.status(
        this.configError
          ? errorStatus(commonText("common.status.badField", { field: this.configError.field }))
          : a.nodeStatus,
      );
      send([m, null]);
      done(err);
    }
  }

  /** An exit answered `retrying` has ended: confirmed (a log line) or given up (an error a Catch node sees). */
  private lateResult(r: MemberResult): void {
    const who = { group: this.name, account: r.accountId ?? r.member.account, action: r.action ?? "exit" };
    if (r.outcome === "failed") this.node.error(T("errors.lateFailed", { ...who, reason: r.reason ?? "" }));
    else this.node.log(T("log.lateConfirmed", who));
  }

  /** The members with their account ids (null with the error when an account cannot be looked up). */
  private async resolved(
    executor: OrderExecutor,
  ): Promise<Array<{ member: GroupMember; accountId: number | null; error?: string }>> {
    return Promise.all(
      (this.members ?? []).map(async (member) => {
        try {
          return { member, accountId: await executor.accountId(member.account) };
        } catch (e) {
          return { member, accountId: null, error: (e as Error).message };
        }
      }),
    );
  }

  private async command(c: Command, msg: Msg, send: Send): Promise<void> {
    const { conn, executor } = this.ready();
    const members = await this.resolved(executor);
    const label = (mm: GroupMember) => mm.label || mm.account;
    switch (c.command) {
      case "killSwitch":
      case "rearm": {
        const on = c.command === "killSwitch" && c.on !== false;
        const flatten = on && c.flatten === true;
        const why = c.reason ?? (on ? `group ${this.name}: kill switch` : `group ${this.name}: re-armed`);
        for (const r of members) {
          const gate = r.accountId === null ? undefined : gateOf(conn, r.accountId);
          if (gate) {
            gate.guard.setKillSwitch(on, why);
            if (flatten) gate.guard.flattenNow(why);
          } else if (flatten && r.accountId !== null) {
            // No rules node to hold a kill switch: a flatten still goes, exits are always allowed.
            executor.execute({ action: "flatten", type: "market", account: r.accountId }).catch((e: Error) => {
              this.node.error(
                T("errors.flattenFailed", { group: this.name, account: r.accountId ?? "", reason: e.message }),
              );
            });
          }
        }
        msg.payload = this.rows(conn, members);
        break;
      }
      case "state":
        msg.payload = this.rows(conn, members);
        break;
      case "report": {
        const reports: AccountReport[] = members.map((r) => {
          const gate = r.accountId === null ? undefined : gateOf(conn, r.accountId);
          const j = r.accountId === null ? null : accountJournal(r.accountId);
          if (!gate || !j)
            return {
              account: label(r.member),
              accountId: r.accountId,
              days: [],
              error: r.error ?? "no rules node guards this account: it has no journal",
            };
          return {
            account: label(r.member),
            accountId: r.accountId,
            days: j.journal.report(r.accountId!, gate.guard.state),
          };
        });
        const report = groupReport(reports);
        const csv = groupReportCsv(report);
        msg.payload = c.format === "csv" ? csv : report;
        (msg as { csv?: string }).csv = csv;
        break;
      }
    }
    msg.topic = c.command;
    send([null, msg]);
  }

  private rows(
    conn: GatewayConnection,
    members: Array<{ member: GroupMember; accountId: number | null; error?: string }>,
  ) {
    return members.map((r) => {
      const gate = r.accountId === null ? undefined : gateOf(conn, r.accountId);
      return accountRow({
        account: r.member.label || r.member.account,
        size: r.member.size,
        accountId: r.accountId,
        book: r.accountId === null ? null : (conn.book(r.accountId) ?? null),
        guard: gate ? gate.guard.status("state") : null,
        error: r.error,
      });
    });
  }
}

/** Each account's line of the answer goes into its own trail, beside its decision and order. */
function journalAnswer(
  r: MemberResult,
  line: AccountAnswer,
  alertId: string | undefined,
  msgid: string,
  source: string,
): void {
  const j = r.accountId === null ? null : accountJournal(r.accountId);
  if (!j || r.accountId === null) return;
  writeTrail({ ...j, accountId: r.accountId }, "answer", {
    alertId,
    customTag: r.customTag,
    msgid,
    source,
    status: line.status,
    body: line,
  });
}
