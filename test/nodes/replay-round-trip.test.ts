import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { AxiosInstance } from "axios";
import { Journal } from "../../src/core/journal/journal";
import { tradesFromJournal } from "../../src/core/replay/read-trades";
import { replay } from "../../src/core/replay/replay-engine";
import type { ReplayReport } from "../../src/core/replay/replay-report";
import { rulesFor } from "../../src/core/rules/rules-config";
import type { Received, StatePayload } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, setPrice, until } from "../support/sim";

/**
 * A journal round trip: a 50K Combine traded over two trading days on the simulator under a live
 * rules node, then its journal read back (tradesFromJournal) and replayed under the same profile.
 * The replay must give the verdict the live rules gave: the same rule, on the same trading day.
 *
 * Fees: the simulator charges ES $1.40 a side plus a $0.50 commission (src/sim/costs.ts), the
 * cost table the replay charges (src/core/contracts/closing-costs.ts) says the same $1.90 a side,
 * so the replay's balance must equal the simulator's to the cent.
 */

const MIN = 60_000;
/** Chicago is UTC−6 in November. */
const ct = (local: string) => Date.parse(`${local}-06:00`);
const MONDAY = ct("2026-11-16T09:00:00");
const TUESDAY = ct("2026-11-17T09:00:00");
const ES_POINT = 50;
const SIDE_COST = 1.9;

describe("node: a journal round trip, live rules on the simulator then a replay of the journal", () => {
  const rt = useRuntimeOnSim({ at: MONDAY, dirPrefix: "topstepx-roundtrip-" });
  let es: string;
  let api: AxiosInstance;
  const journalFile = () => join(rt.dir, "journal.sqlite");

  before(async () => {
    api = (await login(rt.sim)).api;
    es = (await frontMonth(api, "ES")).id;
  });

  /** A one-tick market: a market buy fills at `p`, a market sell at `p − 0.25`. */
  const price = (p: number) => setPrice(rt.sim, es, p, { bid: p - 0.25, ask: p });

  async function load(props: Record<string, unknown> = {}) {
    const cfg = configFor(rt.sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        {
          id: "r1",
          type: "topstepx-rules",
          server: "cfg",
          profile: "topstep-combine-50k",
          // Off: the round trip is about the rules' verdict, not the guard's stop orders.
          guardStops: false,
          dbFile: journalFile(),
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
    const st = collect<Received<StatePayload>>(helper.getNode("st"));
    await until(() => /MLL \$/.test(lastStatus(r1).text ?? ""), "the rules node synced");
    return { r1, st };
  }

  async function buy(size = 1) {
    // Tokens live 24 h of venue time: a day's jump needs a fresh one.
    api = (await login(rt.sim)).api;
    const r = await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: es, type: 2, side: 0, size });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
    await until(async () => (await rt.state()).positions.length === 1, "the long position");
  }
  async function sell(size = 1) {
    const r = await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: es, type: 2, side: 1, size });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
    await until(async () => (await rt.state()).positions.length === 0, "flat");
  }
  /** Buys 1 ES at `from`, a minute later sells it at `to` (less a tick). */
  async function roundTrip(from: number, to: number) {
    await price(from);
    await buy();
    rt.clock += MIN;
    await price(to);
    await sell();
    rt.clock += MIN;
  }

  const balance = async () => (await rt.state()).accounts.find((a) => a.id === ACCOUNT)!.balance;

  function journal() {
    const j = Journal.open(journalFile());
    try {
      const entries = j.accountEntries(ACCOUNT);
      return {
        trades: tradesFromJournal(entries),
        breaches: entries
          .filter((e) => e.kind === "breach")
          .map((e) => ({ day: e.tradingDay, rule: (e.data as { rule?: string }).rule })),
      };
    } finally {
      j.close();
    }
  }

  /**
   * The journal once it holds `trades` closed trades and `breaches` breaches: the account's fills
   * reach it after the position is flat at the gateway, so a read at once may miss the last exit.
   */
  const settledJournal = (trades: number, breaches: number) =>
    until(() => {
      const j = journal();
      const closed = j.trades.filter((t) => t.exitTime !== undefined).length;
      return closed === trades && j.trades.length === trades && j.breaches.length >= breaches ? j : null;
    }, `${trades} closed trades and ${breaches} breach(es) in the journal`);

  it("fails the replay at the Maximum Loss Limit on the day the live rules flattened, after the floor trailed a winning day", async () => {
    const n = await load();
    // Monday: +20 points. The end-of-day balance trails the floor to $50,996.20 − $2,000.
    await roundTrip(6800, 6820.25);
    const monday = 50_000 + 20 * ES_POINT - 2 * SIDE_COST;
    assert.equal(await balance(), monday);

    // Tuesday: 45 points against a long. $48,742 is under the trailed floor ($48,996.20) and over
    // the start's ($48,000): only a replay that trails the floor at the day's end as live does agrees.
    rt.clock = TUESDAY;
    await until(() => n.st.some((m) => (m.payload.at ?? 0) >= TUESDAY), "the rules node on Tuesday");
    await price(6820);
    await buy();
    rt.clock += MIN;
    await price(6775);
    await until(async () => (await rt.state()).positions.length === 0, "the rules node flattening at the floor");

    const live = await settledJournal(2, 1);
    assert.deepEqual(live.breaches, [{ day: "2026-11-17", rule: "maxLossLimit" }]);
    // The position was closed by the flatten, not by hand: the journal's trade ends at the breach.
    // Without Drawdown in the journal, the replay judges at that close, where the loss is realized.
    const r: ReplayReport = replay(live.trades, "topstep-combine-50k", { whatIf: false });
    assert.equal(r.verdict, "failed", r.summary);
    assert.deepEqual([r.firstBreach?.rule, r.firstBreach?.day], ["maxLossLimit", "2026-11-17"], r.summary);
    assert.equal(r.firstBreach?.floor, monday - 2000);
    assert.equal(r.endBalance, await balance(), "the cost table charges what the simulator charged");
  });

  it("fails the replay at a $1,000 daily loss limit on the day the live rules flattened for it", async () => {
    const n = await load({ dailyLossAmount: "1000" });
    await roundTrip(6800, 6810.25); // Monday: +10 points
    rt.clock = TUESDAY;
    await until(() => n.st.some((m) => (m.payload.at ?? 0) >= TUESDAY), "the rules node on Tuesday");
    await roundTrip(6810, 6802.25); // −8 points, closed by hand
    // Then a long falls 14 points: −$1,100 on the day and its costs, past the $1,000 limit (the
    // MLL floor, $48,496.20, is far below). The journal's trade ends at the flatten, where the
    // replay judges it (its worst open P&L is its close: no Drawdown in a journal).
    await price(6802);
    await buy();
    rt.clock += MIN;
    await price(6788);
    await until(async () => (await rt.state()).positions.length === 0, "the rules node flattening at the daily limit");

    const live = await settledJournal(3, 1);
    assert.deepEqual(live.breaches, [{ day: "2026-11-17", rule: "dailyLossLimit" }]);
    // The same rules as the node: the profile with the daily loss limit the trader set on it.
    const r = replay(live.trades, rulesFor("topstep-combine-50k", { dailyLoss: { amount: 1000 } }), { whatIf: false });
    assert.equal(r.verdict, "failed", r.summary);
    assert.deepEqual([r.firstBreach?.rule, r.firstBreach?.day], ["dailyLossLimit", "2026-11-17"], r.summary);
    assert.deepEqual(
      r.violations.map((v) => v.rule),
      ["dailyLossLimit"],
      "the daily limit only: the MLL held, as it did live",
    );
    assert.equal(r.endBalance, await balance(), "the cost table charges what the simulator charged");
  });

  it("breaks nothing in the replay when the live session broke nothing: not yet passed, on the same balance", async () => {
    const n = await load();
    await roundTrip(6800, 6810.25); // +10 points
    rt.clock = TUESDAY;
    await until(() => n.st.some((m) => (m.payload.at ?? 0) >= TUESDAY), "the rules node on Tuesday");
    await roundTrip(6810, 6804.25); // −6 points: above every floor
    await roundTrip(6804, 6808.25); // +4 points

    const live = await settledJournal(3, 0);
    assert.deepEqual(live.breaches, []);
    // Live: no rule broken and the $3,000 target not reached, so the Combine is not passed yet.
    const r = replay(live.trades, "topstep-combine-50k", { whatIf: false });
    assert.equal(r.verdict, "not-yet", r.summary);
    assert.deepEqual(r.violations, []);
    assert.equal(r.daysTraded, 2);
    assert.deepEqual(r.dailyPnl, { "2026-11-16": 500 - 2 * SIDE_COST, "2026-11-17": -100 - 4 * SIDE_COST });
    assert.equal(r.endBalance, await balance(), "the cost table charges what the simulator charged");
  });
});
