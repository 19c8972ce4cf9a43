import type { AccountBook } from "../account/account-book";
import type { ConnectionStatus, GatewayConnection } from "../connection";
import { productOf, rootOf } from "../contracts/products";
import { journaledRun } from "../journal/order-trail";
import { type Logger, silentLogger } from "../logger";
import type { ExecutionResult, OrderExecutor } from "../orders/order-executor";
import type { OrderIntent } from "../orders/order-intent";
import { accountExposure, projectedPosition, reserveTargetOrder, signedPosition } from "../orders/target-position";
import type { GuardStatus } from "../rules/account-guard";
import type { OrderGate } from "../rules/order-gate";
import type { Position } from "../schemas";
import { gateOf } from "./gate-registry";
import { type SizeRule, sizeBy } from "./size-rule";

/** One account that mirrors the leader, sized by its own rule. */
export interface CopyFollower {
  accountId: number;
  size: SizeRule;
}

/** What a copier copies: the leader, its followers, and (optionally) the only products it copies. */
export interface CopyPlan {
  leaderId: number;
  followers: ReadonlyArray<CopyFollower>;
  /** Products copied (MNQ, ES…, or the gateway's roots: EP); empty or absent: every contract. */
  symbols?: ReadonlyArray<string>;
}

/** One follower order the copier sent, or could not send, and why. */
export interface CopyReport {
  leaderId: number;
  accountId: number;
  contractId: string;
  /** The leader's signed position the order mirrors. */
  leaderPosition: number;
  /** The follower's signed position (working orders counted) before and the one it is taken to. */
  from: number;
  to: number;
  outcome: "sent" | "refused" | "failed";
  /** "close" for an exit of the whole position, "place" for a market order. */
  action: "place" | "close";
  /** Signed contracts of a placement. */
  quantity?: number;
  orderId?: number;
  status?: ExecutionResult["status"];
  rule?: string;
  reason?: string;
}

/** "copying": every account live and converged or converging; "catchingUp": waiting for a re-sync. */
export type CopyState = "copying" | "catchingUp";

/** What a {@link CopyTrader} works with. */
export interface CopyTraderOptions {
  conn: GatewayConnection;
  executor: OrderExecutor;
  plan: CopyPlan;
  /** Every follower order sent, refused or failed. */
  onReport?(r: CopyReport): void;
  /** The copier's state changed. */
  onState?(s: CopyState): void;
  logger?: Logger;
  /** How long after start a follower without a rules node waits for one before its entries are refused (default 3 s). */
  gateGraceMs?: number;
  /** How long a close waits for the follower's book to show it before the next step (default 3 s). */
  closeSettleMs?: number;
}

/** What the copier knows of a follower's rules gate, to notice when it starts, syncs, blocks or lifts. */
interface GateWatch {
  gate: OrderGate | undefined;
  key: string;
  /** Synced, not flattening, not still reading its history: an entry judged now means what it says. */
  ready: boolean;
  off: () => void;
}

const sign = (x: number) => (x > 0 ? 1 : x < 0 ? -1 : 0);

/**
 * Copies a leader account's positions onto followers, level-triggered: on every change of the
 * leader's position in a contract (and at start, and after every re-sync of the user hub), each
 * follower's target is the leader's direction times its size rule, and the follower is taken there
 * by the one convergence (target-position.ts), counting its working and in-flight orders. Per
 * follower and contract at most one order is in flight; when it settles, the target is computed
 * again from the leader's latest position, so quick leader fills converge and never double. Every
 * order is judged by the follower's own rules gate (no gate: entries refused, exits pass) and
 * journaled in its trail; a refusal is reported once per leader change, never retried in a loop.
 * A reversal closes first; the new side waits until no other follower holds the old one, which the
 * cross-account hedge rule would refuse.
 */
export class CopyTrader {
  private readonly conn: GatewayConnection;
  private readonly log: Logger;
  private readonly accounts: Set<number>;
  private readonly followers: Map<number, CopyFollower>;
  private readonly symbols: Set<string> | null;
  private readonly source: string;
  /** Counts the leader's changes per contract: a refusal stands until the next one. */
  private readonly version = new Map<string, number>();
  private epoch = 0;
  private readonly refusedAt = new Map<string, string>();
  private readonly busy = new Set<string>();
  private readonly again = new Set<string>();
  private readonly gates = new Map<number, GateWatch>();
  private readonly unlisten: Array<() => void> = [];
  private timer: NodeJS.Timeout | null = null;
  private grace: NodeJS.Timeout | null = null;
  /** Rules nodes start beside the copier: until this passes, a follower without a gate waits for one. */
  private graceOver = false;
  private running = false;
  private state: CopyState = "catchingUp";

  constructor(private readonly o: CopyTraderOptions) {
    this.conn = o.conn;
    this.log = o.logger ?? silentLogger;
    const { leaderId, followers, symbols } = o.plan;
    if (followers.some((f) => f.accountId === leaderId))
      throw new Error(`followers: the leader ${leaderId} cannot follow itself`);
    this.followers = new Map(followers.map((f) => [f.accountId, f]));
    if (this.followers.size !== followers.length) throw new Error("followers: an account is listed twice");
    this.accounts = new Set([leaderId, ...this.followers.keys()]);
    this.symbols = symbols && symbols.length > 0 ? new Set(symbols.map((s) => s.toUpperCase())) : null;
    this.source = `copy:${leaderId}`;
  }

  /** The copier's state now. */
  get current(): CopyState {
    return this.state;
  }

  /** Watches the leader and the followers, then catches up and follows the leader's changes. */
  async start(): Promise<void> {
    this.running = true;
    const onPosition = (book: AccountBook, p: Position) => this.onPosition(book, p.contractId);
    const onResynced = (book: AccountBook) => {
      if (this.accounts.has(book.accountId)) this.catchUp();
    };
    const onState = (s: ConnectionStatus) => {
      if (s.user !== "connected") this.setState("catchingUp");
    };
    this.conn.on("position", onPosition);
    this.conn.on("resynced", onResynced);
    this.conn.on("state", onState);
    this.unlisten.push(
      () => this.conn.off("position", onPosition),
      () => this.conn.off("resynced", onResynced),
      () => this.conn.off("state", onState),
    );
    // A follower's rules node may start after the copier, sync, block or lift: each is a reason to converge again.
    this.timer = setInterval(() => this.watchGates(), 1000);
    this.timer.unref();
    this.grace = setTimeout(() => {
      this.graceOver = true;
      for (const f of this.followers.keys()) if (!gateOf(this.conn, f)) this.reconverge(f);
    }, this.o.gateGraceMs ?? 3000);
    this.grace.unref();
    this.watchGates();
    await Promise.all([...this.accounts].map((id) => this.conn.watchAccount(id)));
    if (this.running) this.catchUp();
  }

  /** Stops copying; orders in flight finish, nothing new is sent. */
  stop(): void {
    this.running = false;
    if (this.timer) clearInterval(this.timer);
    if (this.grace) clearTimeout(this.grace);
    for (const off of this.unlisten.splice(0)) off();
    for (const w of this.gates.values()) w.off();
    this.gates.clear();
  }

  private setState(s: CopyState): void {
    if (this.state === s) return;
    this.state = s;
    this.o.onState?.(s);
  }

  private allLive(): boolean {
    for (const id of this.accounts) if (!this.conn.isLive(id)) return false;
    return true;
  }

  private copies(contractId: string): boolean {
    // The product's symbol (ES) or the gateway's root for it (EP): a trader may write either.
    return (
      this.symbols === null || this.symbols.has(productOf(contractId).symbol) || this.symbols.has(rootOf(contractId))
    );
  }

  private onPosition(book: AccountBook, contractId: string): void {
    if (!this.accounts.has(book.accountId) || !this.copies(contractId)) return;
    if (book.accountId === this.o.plan.leaderId) this.version.set(contractId, (this.version.get(contractId) ?? 0) + 1);
    // A follower's change counts too: a close it waited for, a breach's flatten (its gate then refuses the entry once).
    for (const f of this.followers.keys()) this.converge(f, contractId);
  }

  /** Every contract the leader or a follower holds, converged once every account's book is fresh. */
  private catchUp(): void {
    if (!this.running) return;
    if (!this.allLive()) {
      this.setState("catchingUp");
      return;
    }
    this.epoch++;
    this.refusedAt.clear();
    const held = new Set<string>();
    for (const id of this.accounts)
      for (const c of this.conn.book(id)?.positions.keys() ?? []) if (this.copies(c)) held.add(c);
    if (this.log.debugEnabled) this.log.debug(`copy ${this.o.plan.leaderId}: catching up on ${[...held].join(", ")}`);
    this.setState("copying");
    for (const c of held) for (const f of this.followers.keys()) this.converge(f, c);
  }

  private watchGates(): void {
    if (!this.running) return;
    for (const f of this.followers.keys()) {
      const gate = gateOf(this.conn, f);
      const w = this.gates.get(f);
      if (w && w.gate === gate) continue;
      w?.off();
      const watch: GateWatch = { gate, key: "", ready: false, off: () => undefined };
      this.gates.set(f, watch);
      if (gate) {
        const onStatus = (s: GuardStatus) => this.onGuard(f, watch, s);
        gate.guard.on("status", onStatus);
        watch.off = () => gate.guard.off("status", onStatus);
        this.onGuard(f, watch, gate.guard.status());
      } else {
        this.forgetRefusals(f);
        this.reconverge(f);
      }
    }
  }

  private onGuard(f: number, w: GateWatch, s: GuardStatus): void {
    w.ready = s.synced && !s.flattening && s.blocked?.rule !== "floorUnknown";
    const key = `${s.synced}|${s.killSwitch}|${s.flattening}|${s.blocked?.rule ?? ""}`;
    if (key === w.key) return;
    w.key = key;
    // A guard that may take entries again is asked again; one that still refuses was heard once per leader change.
    if (s.synced && !s.killSwitch && !s.flattening && !s.blocked) this.forgetRefusals(f);
    if (w.ready) this.reconverge(f);
  }

  private forgetRefusals(f: number): void {
    for (const k of this.refusedAt.keys()) if (k.startsWith(`${f}|`)) this.refusedAt.delete(k);
  }

  /** Every contract the leader or a follower holds, looked at again for that follower. */
  private reconverge(f: number): void {
    const held = new Set<string>();
    for (const id of [this.o.plan.leaderId, f])
      for (const c of this.conn.book(id)?.positions.keys() ?? []) if (this.copies(c)) held.add(c);
    for (const c of held) this.converge(f, c);
  }

  /** Takes a follower's contract toward its target, one order at a time, again after each. */
  private converge(f: number, contractId: string): void {
    if (!this.running || !this.allLive()) return;
    const key = `${f}|${contractId}`;
    if (this.busy.has(key)) {
      this.again.add(key);
      return;
    }
    this.busy.add(key);
    void this.step(f, contractId)
      .catch((e: Error) => {
        // The gate could not judge (the gateway unreachable…): reported once, tried again on the next change.
        const from = projectedPosition(accountExposure(this.conn, f), contractId);
        this.refuse(
          key,
          this.markOf(contractId),
          {
            leaderId: this.o.plan.leaderId,
            accountId: f,
            contractId,
            leaderPosition: this.leaderPosition(contractId),
            from,
            to: from,
            action: "place",
            reason: e.message,
          },
          "failed",
        );
        return false;
      })
      .then((acted) => {
        this.busy.delete(key);
        if (this.again.delete(key) || acted) this.converge(f, contractId);
      })
      .catch(() => undefined);
  }

  /** Where the leader stands in its changes of a contract: a refusal holds until this moves. */
  private markOf(contractId: string): string {
    return `${this.epoch}.${this.version.get(contractId) ?? 0}`;
  }

  private leaderPosition(contractId: string): number {
    const p = this.conn.book(this.o.plan.leaderId)?.positions.get(contractId);
    return p ? signedPosition(p) : 0;
  }

  private targetOf(f: CopyFollower, leader: number, contractId: string): number {
    if (leader === 0) return 0;
    const tickValue = this.conn.contracts.cached(contractId)?.tickValue ?? 0;
    return (
      sign(leader) * sizeBy(f.size, { quantity: Math.abs(leader), contract: { id: contractId, tickValue } }).quantity
    );
  }

  /** One step toward the target; true when an order went (the target is then computed again). */
  private async step(f: number, contractId: string): Promise<boolean> {
    const follower = this.followers.get(f)!;
    const leader = this.leaderPosition(contractId);
    const target = this.targetOf(follower, leader, contractId);
    const from = projectedPosition(accountExposure(this.conn, f), contractId);
    if (from === target) return false;
    const mark = this.markOf(contractId);
    const key = `${f}|${contractId}`;
    if (this.refusedAt.get(key) === mark) return false;
    const report = { leaderId: this.o.plan.leaderId, accountId: f, contractId, leaderPosition: leader, from };
    const gate = gateOf(this.conn, f);
    // Flat, or on the other side: the whole position is closed first (an exit, always allowed).
    if (from !== 0 && (target === 0 || sign(target) !== sign(from))) {
      const held = this.conn.book(f)?.positions.get(contractId);
      if (!held) return false;
      return this.close(gate, { ...report, to: 0 }, key, mark);
    }
    const entry = Math.abs(target) > Math.abs(from);
    if (entry) {
      if (!gate) {
        if (!this.graceOver) return false;
        this.refuse(key, mark, {
          ...report,
          to: target,
          action: "place",
          rule: "noRulesNode",
          reason: `no rules node guards account ${f}: entries are refused (add a rules node for it); exits still pass`,
        });
        return false;
      }
      // Its guard re-syncing or busy, or another follower still on the other side (a hedge the rules would
      // refuse): the change that ends the wait converges it.
      if (!this.gates.get(f)?.ready || this.otherHoldsOpposite(f, contractId, target)) return false;
    }
    return this.place(gate, { ...report, to: target }, key, mark);
  }

  private otherHoldsOpposite(f: number, contractId: string, target: number): boolean {
    for (const other of this.followers.keys()) {
      if (other === f) continue;
      if (sign(projectedPosition(accountExposure(this.conn, other), contractId)) === -sign(target)) return true;
    }
    return false;
  }

  private refuse(key: string, mark: string, r: Omit<CopyReport, "outcome">, outcome: "refused" | "failed" = "refused") {
    this.refusedAt.set(key, mark);
    this.o.onReport?.({ ...r, outcome });
  }

  private async place(
    gate: OrderGate | undefined,
    r: Omit<CopyReport, "outcome" | "action">,
    key: string,
    mark: string,
  ): Promise<boolean> {
    let intent: OrderIntent;
    if (gate) {
      const judged = await gate.judge({
        action: "place",
        type: "market",
        account: r.accountId,
        symbol: r.contractId,
        targetPosition: r.to,
      });
      if (judged.outcome === "nothingToDo") return false;
      if (judged.outcome !== "approved") {
        this.refuse(key, mark, { ...r, action: "place", rule: judged.decision.rule, reason: judged.decision.reason });
        return false;
      }
      intent = { ...judged.order, action: "place", type: "market", symbol: r.contractId } as OrderIntent;
    } else {
      // No rules node: only an exit gets here, reserved like a gate's approval so the next step counts it.
      const { delta, customTag } = reserveTargetOrder(this.conn, r.accountId, r.contractId, r.to);
      if (delta === 0 || !customTag) return false;
      intent = {
        action: "place",
        type: "market",
        account: r.accountId,
        symbol: r.contractId,
        side: delta > 0 ? "buy" : "sell",
        quantity: Math.abs(delta),
        customTag,
      };
    }
    const quantity = intent.side === "sell" ? -(intent.quantity ?? 0) : (intent.quantity ?? 0);
    try {
      const done = await this.run(r.accountId, intent);
      const ok = done.status !== "rejected" && done.status !== "cancelled";
      const sent = { ...r, action: "place" as const, quantity, orderId: done.orderId, status: done.status };
      if (ok) this.o.onReport?.({ ...sent, outcome: "sent" });
      else this.refuse(key, mark, { ...sent, reason: `the gateway ${done.status} the order` }, "failed");
      return ok;
    } catch (e) {
      if (gate && intent.customTag) this.conn.pending.release(intent.customTag);
      this.refuse(key, mark, { ...r, action: "place", quantity, reason: (e as Error).message }, "failed");
      return false;
    }
  }

  private async close(
    gate: OrderGate | undefined,
    r: Omit<CopyReport, "outcome" | "action">,
    key: string,
    mark: string,
  ): Promise<boolean> {
    const intent: OrderIntent = { action: "close", type: "market", account: r.accountId, symbol: r.contractId };
    if (gate) {
      const judged = await gate.judge(intent);
      if (judged.outcome !== "approved") {
        if (judged.outcome !== "nothingToDo")
          this.refuse(key, mark, { ...r, action: "close", rule: judged.decision.rule, reason: judged.decision.reason });
        return false;
      }
    }
    try {
      const done = await this.run(r.accountId, intent);
      if (done.action === "none") return false;
      this.o.onReport?.({ ...r, action: "close", outcome: "sent" });
      await this.closeShown(r.accountId, r.contractId);
      return true;
    } catch (e) {
      this.refuse(key, mark, { ...r, action: "close", reason: (e as Error).message }, "failed");
      return false;
    }
  }

  private run(accountId: number, intent: OrderIntent): Promise<ExecutionResult> {
    return journaledRun(accountId, { customTag: intent.customTag, source: this.source }, intent, (i) =>
      this.o.executor.execute(i),
    );
  }

  /** A close carries no tag to count it by: the next step waits until the book shows it (or a while). */
  private closeShown(accountId: number, contractId: string): Promise<void> {
    const gone = () => !this.conn.book(accountId)?.positions.has(contractId);
    if (gone()) return Promise.resolve();
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.conn.off("position", check);
        this.conn.off("resynced", check);
        resolve();
      };
      const check = () => {
        if (gone()) finish();
      };
      const timer = setTimeout(finish, this.o.closeSettleMs ?? 3000);
      this.conn.on("position", check);
      this.conn.on("resynced", check);
    });
  }
}
