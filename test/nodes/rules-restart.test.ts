import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { AxiosInstance } from "axios";
import { type DecisionMsg, isStateAnswer, type StateMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, until } from "../support/sim";

/** Chicago wall-clock instants of the week of Monday 23 November 2026 (CST, UTC−6). */
const CT = (day: number, hhmm: string) => Date.parse(`2026-11-${String(day).padStart(2, "0")}T${hhmm}:00-06:00`);

describe("node: topstepx-rules re-establishes the loss floor after a restart", () => {
  // ES trades without costs here, so an end-of-day balance can be a round $51,500; MES keeps TopstepX's
  // $0.37 fees and $0.25 commission a side.
  const rt = useRuntimeOnSim({
    at: CT(25, "09:00"),
    sim: { fees: { ES: 0 }, commissions: { ES: 0 } },
    dirPrefix: "topstepx-restart-",
  });
  let api: AxiosInstance;
  let mes: string;
  let es: string;

  before(async () => {
    api = (await login(rt.sim)).api;
    mes = (await frontMonth(api, "MES")).id;
    es = (await frontMonth(api, "ES")).id;
  });

  /** A market order through the gateway, as a trader clicking in TopstepX would send it. */
  async function trade(contractId: string, side: 0 | 1, size: number, bid: number, ask: number): Promise<void> {
    await setPrice(rt.sim, contractId, bid, { bid, ask });
    // Tokens live 24 hours of the simulator's clock, which these tests move by days.
    api = (await login(rt.sim)).api;
    const r = await api.post("/api/Order/place", { accountId: ACCOUNT, contractId, type: 2, side, size });
    assert.equal(r.data.success, true, `${r.status} ${JSON.stringify(r.data)}`);
  }

  async function balance(): Promise<number> {
    const r = await api.post("/api/Account/search", { onlyActiveAccounts: false });
    return r.data.accounts.find((a: { id: number }) => a.id === ACCOUNT).balance;
  }

  async function load(
    rules: Record<string, unknown> = {},
    ready: RegExp = /MLL \$|blocked/,
    journal = "journal.sqlite",
  ) {
    const cfg = configFor(rt.sim);
    const flow = [
      cfg.node,
      {
        id: "r1",
        type: "topstepx-rules",
        server: "cfg",
        profile: "topstep-combine-50k",
        flattenBuffer: "0",
        dbFile: join(rt.dir, journal),
        ...rules,
        wires: [["ok"], ["no"], ["st"]],
      },
      { id: "ok", type: "helper" },
      { id: "no", type: "helper" },
      { id: "st", type: "helper" },
    ];
    await helper.load(allNodes, flow, cfg.credentials);
    const r1 = helper.getNode("r1");
    const out = {
      r1,
      ok: collect<DecisionMsg>(helper.getNode("ok")),
      no: collect<DecisionMsg>(helper.getNode("no")),
      st: collect<StateMsg>(helper.getNode("st")),
    };
    await until(() => ready.test(lastStatus(r1).text ?? ""), `the rules node status to match ${ready}`);
    return out;
  }

  async function stateOf(n: Awaited<ReturnType<typeof load>>) {
    n.r1.receive({ payload: { command: "state" } });
    const m = await until(() => n.st.find(isStateAnswer), "a state msg");
    n.st.splice(n.st.indexOf(m), 1);
    return m.payload;
  }

  const warnings = (r1: { warn: { getCalls(): Array<{ args: unknown[] }> } }) =>
    r1.warn.getCalls().map((c) => String(c.args[0]));

  it("gives Topstep's floor of $48,997.52 after a +$1,000 day it did not see (stopped before it, restarted after 17:00)", async () => {
    let n = await load();
    assert.equal(lastStatus(n.r1).text, "MLL $2,000 left");
    await helper.unload();
    // While the node is stopped: long 2 MES at 6800.00, out at 6900.00 = 100 points × $5 × 2 = $1,000, minus 4 × ($0.37 + $0.25) fees and commissions.
    await trade(mes, 0, 2, 6799.75, 6800);
    await trade(mes, 1, 2, 6900, 6900.25);
    assert.equal(await balance(), 50_997.52);
    rt.clock = CT(25, "17:30"); // the trading day of the 25th has closed at its end-of-day balance
    n = await load();
    const s = await stateOf(n);
    // 50,000 − 2,000 + 1,000 − 2.48: the end-of-day high 50,997.52 less the $2,000 limit.
    assert.equal(s.state.floor, 48_997.52);
    assert.equal(s.headroom?.maxLoss, 2_000);
    assert.equal(lastStatus(n.r1).text, "MLL $2,000 left");
    assert.equal(s.floorCheck.source, "history");
    assert.equal(s.floorCheck.history?.reconciled, true);
    assert.equal(s.floorCheck.history?.withCommissions, true, "the balance is rebuilt only with the commissions");
    assert.equal(s.state.dailyPnl["2026-11-25"], 997.52);
  });

  it("keeps the floor of a +$1,000 day through a losing day when the journal file is lost", async () => {
    await trade(mes, 0, 2, 6799.75, 6800);
    await trade(mes, 1, 2, 6900, 6900.25);
    rt.clock = CT(26, "09:00");
    // Thursday: long 1 ES at 6900.00, out at 6888.00 = −$600 (ES trades without costs in this simulator).
    await trade(es, 0, 1, 6899.75, 6900);
    await trade(es, 1, 1, 6888, 6888.25);
    rt.clock = CT(26, "18:00");
    const n = await load({}, /MLL \$|blocked/, "a-new-journal.sqlite");
    const s = await stateOf(n);
    assert.equal(s.state.floor, 48_997.52);
    // Equity 50,397.52: $1,400 above the floor, not the $2,000 a floor from today's start balance would give.
    assert.equal(s.headroom?.maxLoss, 1_400);
    assert.equal(lastStatus(n.r1).text, "MLL $1,400 left");
  });

  it("gives an old account with an end-of-day high of $51,500 the floor $49,500", async () => {
    rt.clock = CT(23, "09:00");
    await trade(es, 0, 1, 6799.75, 6800);
    await trade(es, 1, 1, 6830, 6830.25); // +$1,500: the 23rd closes at 51,500
    rt.clock = CT(24, "09:00");
    await trade(es, 0, 1, 6829.75, 6830);
    await trade(es, 1, 1, 6816, 6816.25); // −$700: the 24th closes at 50,800
    rt.clock = CT(25, "09:00");
    const n = await load();
    const s = await stateOf(n);
    assert.equal(s.state.eodHigh, 51_500);
    assert.equal(s.state.floor, 49_500);
    assert.equal(lastStatus(n.r1).text, "MLL $1,300 left");
    assert.deepEqual(s.state.tradingDays, ["2026-11-23", "2026-11-24"]);
    n.r1.receive({ payload: { symbol: "MES", side: "buy", quantity: 1 } });
    await until(() => n.ok.length === 1, "the entry approved");
  });

  it("reads the history back past its newest month: a high of $51,500 six weeks ago still sets the floor", async () => {
    rt.clock = Date.parse("2026-10-14T09:00:00-05:00"); // daylight saving time in October
    await trade(es, 0, 1, 6799.75, 6800);
    await trade(es, 1, 1, 6830, 6830.25); // +$1,500
    rt.clock = CT(20, "09:00");
    await trade(es, 0, 1, 6829.75, 6830);
    await trade(es, 1, 1, 6816, 6816.25); // −$700
    rt.clock = CT(25, "09:00");
    const n = await load();
    const s = await stateOf(n);
    assert.deepEqual([s.state.eodHigh, s.state.floor, s.floorCheck.history?.reconciled], [51_500, 49_500, true]);
    assert.equal(lastStatus(n.r1).text, "MLL $1,300 left");
  });

  it("refuses entries when the balance does not match the rebuilt history and no floor is entered; exits still pass", async () => {
    await trade(mes, 0, 1, 6799.75, 6800);
    // A balance the fills cannot explain (a payout, an adjustment, fills older than the history).
    await restClient(rt.sim).post("/sim/account", { accountId: ACCOUNT, balance: 51_234 });
    const n = await load({}, /blocked: floor unknown/);
    assert.equal(lastStatus(n.r1).fill, "red");
    n.r1.receive({ payload: { symbol: "MES", side: "buy", quantity: 1 } });
    await until(() => n.no.length === 1, "a refusal");
    assert.equal(n.no[0].decision.rule, "floorUnknown");
    assert.match(n.no[0].decision.reason, /rebuilds a balance of \$49,999\.38, the account reports \$51,234\.00/);
    assert.match(n.no[0].decision.reason, /Floor shown in TopstepX/);
    n.r1.receive({ payload: { symbol: "MES", side: "sell", quantity: 1 } });
    await until(() => n.ok.length === 1, "the exit approved");
    assert.equal(n.ok[0].decision.rule, "exit");
    assert.ok(
      warnings(n.r1).some((w) => /trailing loss floor cannot be established/.test(w)),
      "a node warning says why",
    );
  });

  it("lets that account in with the floor the trader entered", async () => {
    await restClient(rt.sim).post("/sim/account", { accountId: ACCOUNT, balance: 51_234 });
    const n = await load({ shownFloor: "$49,500.00" });
    assert.equal(lastStatus(n.r1).text, "MLL $1,734 left (TopstepX floor)");
    const s = await stateOf(n);
    assert.equal(s.floorCheck.source, "shown");
    assert.match(s.floorCheck.note, /cannot be rebuilt: .* The floor you entered \(\$49,500\.00\) is used/);
    n.r1.receive({ payload: { symbol: "MES", side: "buy", quantity: 1 } });
    await until(() => n.ok.length === 1, "the entry approved");
  });

  it("uses the trader's floor when it is tighter than the computed one, and says so", async () => {
    const n = await load({ shownFloor: "48,500" });
    assert.equal(lastStatus(n.r1).text, "MLL $1,500 left (TopstepX floor)");
    const s = await stateOf(n);
    assert.equal(s.state.floor, 48_500);
    assert.deepEqual([s.floorCheck.source, s.floorCheck.fromHistory, s.floorCheck.shown], ["shown", 48_000, 48_500]);
    const said =
      /floor you entered as shown in TopstepX \(\$48,500\.00\) is above the floor computed from the account's history \(\$48,000\.00\): the higher one, yours, is used/;
    assert.match(s.floorCheck.note, said);
    assert.ok(
      warnings(n.r1).some((w) => said.test(w)),
      "a node warning says so",
    );
  });

  it("keeps the computed floor when the trader's is looser, and says so", async () => {
    const n = await load({ shownFloor: "47,000" });
    assert.equal(lastStatus(n.r1).text, "MLL $2,000 left");
    const s = await stateOf(n);
    assert.equal(s.state.floor, 48_000);
    assert.match(s.floorCheck.note, /below the floor computed .* the higher one, the computed, is used/);
  });
});
