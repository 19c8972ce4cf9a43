import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Journal } from "../../src/core/journal/journal";
import type { Simulator } from "../../src/sim";
import type { DecisionMsg, Headroom, RuleStateView, StateAnswerMsg, StateMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import type { SimState } from "../support/runtime-on-sim";
import { frontMonth, login, restClient, setPrice, startTestSim, until } from "../support/sim";

/**
 * A trading week run through the real nodes in seconds: the simulator's venue clock is moved from
 * session to session (POST /sim/clock) and the rules node follows it on its own (no pinned clock).
 * Fees and commissions are set to 0 for ES, so every balance below is 50 $ per ES point, exactly.
 */

const COMBINE = 10001;
const XFA = 10003;
/** ES: 50 $ a point. */
const ES_POINT = 50;

const ct = (local: string) => Date.parse(`${local}-06:00`);

describe("nodes: a week of sessions on the simulator's venue clock", () => {
  let sim: Simulator;
  let dir: string;
  let es: string;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), "topstepx-week-"));
  });
  afterEach(async () => {
    try {
      await helper.unload();
      await sim?.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  before(async () => {
    helper.settings({ topstepxConfigClock: undefined });
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    helper.settings({});
  });

  async function startAt(local: string): Promise<void> {
    sim = await startTestSim({
      clock: { start: ct(local) },
      accounts: [
        { id: COMBINE, name: "50KTC-V2-SIM-10001", balance: 50_000 },
        { id: XFA, name: "XFA-V2-SIM-10003", balance: 0 },
      ],
      fees: { ES: 0 },
      commissions: { ES: 0 },
    });
    es = (await frontMonth((await login(sim)).api, "ES")).id;
    await price(6800);
  }

  /** A one-tick market at `p`: a market buy fills at `p` (the ask), a market sell at `p` (the bid) with `sell`. */
  const price = (p: number, sell = false) =>
    setPrice(sim, es, p, sell ? { bid: p, ask: p + 0.25 } : { bid: p - 0.25, ask: p });
  const state = async () => (await restClient(sim).get("/sim/state")).data as SimState;

  /**
   * Sets the venue clock and, given a rules node, waits until that node's clock (which reads the
   * simulator's every second) has reached it: its rule-state msgs carry the time they were made at.
   */
  async function setClock(local: string, n?: Rules): Promise<void> {
    const r = await restClient(sim).post("/sim/clock", { time: ct(local) });
    assert.equal(r.status, 200, JSON.stringify(r.data));
    if (n) await until(() => n.st.some((m) => (m.payload?.at ?? 0) >= ct(local)), `the rules node at ${local} CT`);
  }

  /** A rules node on account `account`, following the simulator's clock, synced. */
  async function load(account: number, profile: string, props: Record<string, unknown> = {}) {
    const cfg = configFor(sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        {
          id: "r1",
          type: "topstepx-rules",
          server: "cfg",
          account: String(account),
          profile,
          dbFile: join(dir, "journal.sqlite"),
          ...props,
          wires: [["ok"], ["no"], ["st"]],
        },
        { id: "ok", type: "helper" },
        { id: "no", type: "helper" },
        { id: "st", type: "helper" },
      ],
      cfg.credentials,
    );
    const r1 = helper.getNode("r1");
    const n = {
      r1,
      ok: collect<DecisionMsg>(helper.getNode("ok")),
      no: collect<DecisionMsg>(helper.getNode("no")),
      st: collect<StateMsg>(helper.getNode("st")),
    };
    await until(() => /MLL \$/.test(lastStatus(r1).text ?? ""), "the rules node synced");
    return n;
  }
  type Rules = Awaited<ReturnType<typeof load>>;
  type View = { h: Headroom; state: RuleStateView };

  /** The rules node's answer to the state command: headroom and rule state as a dashboard reads them. */
  async function stateOf(n: Rules): Promise<View> {
    const before = n.st.length;
    n.r1.receive({ payload: { command: "state" } });
    const m = await until(
      () => n.st.slice(before).find((x): x is StateAnswerMsg => x.topic === "state"),
      "the state answer",
    );
    assert.ok(m.payload.headroom, "a synced rules node answers with its headroom");
    return { h: m.payload.headroom, state: m.payload.state };
  }

  /** Waits until the rules node's state answer satisfies `check` (it follows the venue clock within ~1 s). */
  async function untilState(n: Rules, check: (v: View) => boolean, what: string): Promise<View> {
    let last: View | undefined;
    try {
      return await until(
        async () => {
          last = await stateOf(n);
          return check(last) ? last : null;
        },
        what,
        6000,
      );
    } catch (e) {
      throw new Error(
        `${(e as Error).message}; last headroom ${JSON.stringify(last?.h)}, day ${String(last?.state.tradingDay)}`,
      );
    }
  }

  /** An entry alert through the rules node; returns its decision. */
  async function entry(n: Rules, quantity = 1) {
    const [ok, no] = [n.ok.length, n.no.length];
    n.r1.receive({ payload: { symbol: "ES", side: "buy", quantity } });
    await until(() => n.ok.length > ok || n.no.length > no, "a decision");
    return (n.ok.length > ok ? n.ok : n.no).at(-1)!.decision;
  }

  /** A round trip of one ES at the simulator, as a trader would do it in TopstepX: buy at `from`, sell at `to`. */
  async function roundTrip(account: number, from: number, to: number): Promise<void> {
    // Tokens live 24 h of venue time: a week of jumps needs a fresh one each time.
    const { api } = await login(sim);
    await price(from);
    const buy = await api.post("/api/Order/place", { accountId: account, contractId: es, type: 2, side: 0, size: 1 });
    assert.equal(buy.data.success, true, JSON.stringify(buy.data));
    await until(async () => (await state()).positions.length === 1, "the long position");
    await price(to, true);
    const sell = await api.post("/api/Order/place", { accountId: account, contractId: es, type: 2, side: 1, size: 1 });
    assert.equal(sell.data.success, true, JSON.stringify(sell.data));
    await until(async () => (await state()).positions.length === 0, "flat again");
  }

  const balanceOf = async (account: number) => (await state()).accounts.find((a) => a.id === account)!.balance;

  it("trails the 50K Combine's EOD floor at each 17:00 open over three sessions, locks it at $50,000, and resets the day's P&L and daily loss headroom", async () => {
    await startAt("2026-11-30T09:30:00"); // Monday
    const n = await load(COMBINE, "topstep-combine-50k", { dailyLossAmount: "1000" });
    let { h } = await stateOf(n);
    assert.deepEqual([h.floor, h.dayPnl, h.dailyLoss], [48_000, 0, 1000]);

    // Three winning sessions: +10, +14, +20 points. The floor trails the highest end-of-day balance by
    // the $2,000 MLL from the next session's 17:00 open, and stops at the $50,000 start (the lock).
    const days = [
      { trade: "2026-11-30T09:30:00", from: 6800, to: 6810, nextOpen: "2026-11-30T17:01:00", next: "2026-12-01" },
      { trade: "2026-12-01T09:30:00", from: 6810, to: 6824, nextOpen: "2026-12-01T17:01:00", next: "2026-12-02" },
      { trade: "2026-12-02T09:30:00", from: 6824, to: 6844, nextOpen: "2026-12-02T17:01:00", next: "2026-12-03" },
    ];
    let balance = 50_000;
    let eodHigh = 50_000;
    for (const d of days) {
      await setClock(d.trade, n);
      const floorBefore = Math.min(50_000, Math.max(48_000, eodHigh - 2000));
      await roundTrip(COMBINE, d.from, d.to);
      const pnl = (d.to - d.from) * ES_POINT;
      balance += pnl;
      assert.equal(await balanceOf(COMBINE), balance, "fees and commissions are 0 for ES here");
      // Intraday the EOD floor does not move; the day's P&L shows the gain.
      h = (await untilState(n, (v) => v.h.equity === balance, `equity ${balance} on ${d.trade}`)).h;
      assert.deepEqual([h.floor, h.dayPnl], [floorBefore, pnl]);

      await setClock(d.nextOpen, n);
      eodHigh = Math.max(eodHigh, balance);
      const floor = Math.min(50_000, Math.max(48_000, eodHigh - 2000));
      const m = await untilState(n, (v) => v.state.tradingDay === d.next, `trading day ${d.next}`);
      h = m.h;
      assert.deepEqual(
        [h.floor, h.dayPnl, h.dailyLoss, m.state.eodHigh, m.state.floorLocked],
        [floor, 0, 1000, eodHigh, floor === 50_000],
        `after ${d.next}'s open`,
      );
    }
    assert.equal(balance, 52_200);
    assert.equal(h.floor, 50_000, "locked at the starting balance after the third session");
    await until(() => lastStatus(n.r1).text === "MLL $2,200 left", "the status naming the locked floor's headroom");

    // Thursday: a $600 loss. The daily headroom shrinks to $400; at the 17:00 open it is $1,000 again,
    // the day's P&L is back to 0, and the locked floor stays at $50,000 though the EOD balance fell.
    await setClock("2026-12-03T09:30:00", n);
    await roundTrip(COMBINE, 6844, 6832);
    balance -= 600;
    h = (await untilState(n, (v) => v.h.equity === balance, "Thursday's loss")).h;
    assert.deepEqual([h.floor, h.dayPnl, h.dailyLoss], [50_000, -600, 400]);
    await setClock("2026-12-03T17:01:00", n);
    const fri = await untilState(n, (v) => v.state.tradingDay === "2026-12-04", "Friday's session");
    assert.deepEqual([fri.h.floor, fri.h.dayPnl, fri.h.dailyLoss], [50_000, 0, 1000]);
    assert.deepEqual(fri.state.dailyPnl, {
      "2026-11-30": 500,
      "2026-12-01": 700,
      "2026-12-02": 1000,
      "2026-12-03": -600,
      "2026-12-04": 0,
    });
    // The SQLite journal records each new trading day with the floor it opened on.
    const j = new Journal(join(dir, "journal.sqlite"));
    try {
      const opens = j
        .entries({ kind: "start" })
        .map((e) => e.data as { event?: string; tradingDay?: string; floor?: number })
        .filter((e) => e.event === "new trading day")
        .map((e) => [e.tradingDay, e.floor]);
      assert.deepEqual(opens, [
        ["2026-12-01", 48_500],
        ["2026-12-02", 49_200],
        ["2026-12-03", 50_000],
        ["2026-12-04", 50_000],
      ]);
    } finally {
      j.close();
    }
  });

  it("answers the state command with a snapshot: Monday's answer still says Monday after Tuesday's open, and a flow writing to it changes no rule", async () => {
    await startAt("2026-11-30T16:58:00"); // Monday
    const n = await load(COMBINE, "topstep-combine-50k");
    const monday = await stateOf(n);
    assert.equal(monday.state.tradingDay, "2026-11-30");
    // What a function node downstream might do with the msg it was given.
    monday.state.floor = 0;
    monday.state.killSwitch = true;
    await setClock("2026-11-30T17:01:00", n);
    const tuesday = await untilState(n, (v) => v.state.tradingDay === "2026-12-01", "Tuesday's session");
    assert.equal(monday.state.tradingDay, "2026-11-30", "the answer kept the day it was given on");
    assert.deepEqual([tuesday.state.floor, tuesday.state.killSwitch], [48_000, false]);
    const d = await entry(n);
    assert.deepEqual([d.allow, d.rule], [true, "allRulesPassed"]);
  });

  it("raises an Express Funded 50K account's scaling tier at the next session once the end-of-day profit crosses $1,500", async () => {
    await startAt("2026-11-30T09:30:00");
    const n = await load(XFA, "topstep-xfa-50k");
    assert.equal((await stateOf(n)).h.maxContracts, 2, "under $1,500 of profit: 2 contracts");
    // +32 points: $1,600 of profit, the 3-contract tier's threshold crossed, but only from the next session.
    await roundTrip(XFA, 6800, 6832);
    const day = await untilState(n, (v) => v.h.equity === 1600, "the $1,600 profit");
    assert.equal(day.h.maxContracts, 2, "the tier holds for the rest of the session");
    const refused = await entry(n, 3);
    assert.deepEqual([refused.allow, refused.rule], [false, "scaling"]);

    await setClock("2026-11-30T17:01:00", n);
    const next = await untilState(n, (v) => v.state.tradingDay === "2026-12-01", "Tuesday's session");
    // XFA: floor $2,000 under the EOD high of $1,600, below the $0 lock.
    assert.deepEqual([next.h.maxContracts, next.h.floor], [3, -400]);
    const approved = await entry(n, 3);
    assert.deepEqual([approved.allow, approved.rule], [true, "allRulesPassed"]);
  });

  it("refuses entries after the 15:00 cutoff and flattens a position still open at 15:10", async () => {
    await startAt("2026-12-01T14:50:00"); // Tuesday
    const n = await load(COMBINE, "topstep-combine-50k");
    const { api } = await login(sim);
    const buy = await api.post("/api/Order/place", { accountId: COMBINE, contractId: es, type: 2, side: 0, size: 1 });
    assert.equal(buy.data.success, true, JSON.stringify(buy.data));
    await untilState(n, (v) => v.h.contracts === 1, "the position seen by the rules");

    await setClock("2026-12-01T15:01:00", n);
    const late = await entry(n);
    assert.deepEqual([late.allow, late.rule], [false, "tradingWindow"]);
    assert.match(late.reason, /No new entries after 15:00 Chicago time \(the session closes at 15:10\)/);
    assert.equal((await state()).positions.length, 1, "held until the flatten");

    await setClock("2026-12-01T15:10:00", n);
    await until(async () => (await state()).positions.length === 0, "the position closed by the rules node", 8000);
    await until(() => n.st.some((m) => m.payload?.event === "flattened"), "the flatten reported");
    const d = await entry(n);
    assert.deepEqual([d.allow, d.rule], [false, "sessionFlatten"], "entries blocked until the next session");
  });

  it("opens the week at Sunday 17:00 CT: an entry at 16:59 is refused, one at 17:01 approved and filled", async () => {
    await startAt("2026-12-06T16:59:00"); // Sunday
    const n = await load(COMBINE, "topstep-combine-50k");
    const sunday = await entry(n);
    assert.deepEqual([sunday.allow, sunday.rule], [false, "tradingWindow"]);
    const { api } = await login(sim);
    const early = await api.post("/api/Order/place", { accountId: COMBINE, contractId: es, type: 2, side: 0, size: 1 });
    assert.deepEqual([early.data.success, early.data.errorCode], [false, 5], "the simulator closed too");

    await setClock("2026-12-06T17:01:00", n);
    const open1701 = await entry(n);
    assert.deepEqual([open1701.allow, open1701.rule], [true, "allRulesPassed"]);
    const open = await api.post("/api/Order/place", { accountId: COMBINE, contractId: es, type: 2, side: 0, size: 1 });
    assert.equal(open.data.success, true, JSON.stringify(open.data));
    await until(async () => (await state()).positions.length === 1, "the position at the simulator");
  });
});
