import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Journal } from "../../src/core/journal/journal";
import { type DecisionMsg, isStateAnswer, type ReportMsg, type StateMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, until } from "../support/sim";

describe("node: topstepx-rules against the simulator", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-rules-" });
  let es: string;
  let mes: string;

  before(async () => {
    const { api } = await login(rt.sim);
    es = (await frontMonth(api, "ES")).id;
    mes = (await frontMonth(api, "MES")).id;
  });
  beforeEach(async () => {
    await setPrice(rt.sim, es, 6800);
    await setPrice(rt.sim, mes, 6800);
  });

  async function load(rules: Record<string, unknown> = {}, ready: RegExp = /MLL \$/) {
    const cfg = configFor(rt.sim);
    const flow = [
      cfg.node,
      {
        id: "r1",
        type: "topstepx-rules",
        server: "cfg",
        profile: "topstep-combine-50k",
        dbFile: join(rt.dir, "journal.sqlite"),
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

  it("shows the headroom to the Maximum Loss Limit in its status and on its state output", async () => {
    const { r1, st } = await load();
    assert.equal(lastStatus(r1).text, "MLL $2,000 left");
    const s = st.at(-1)!.payload;
    assert.equal(s.headroom?.floor, 48000);
    assert.equal(s.synced, true);
    // A flow that edits the msg it got changes nothing in the rules: the next one says the same.
    s.headroom!.floor = 0;
    s.headroom!.maxLoss = 1e9;
    const seen = st.length;
    r1.receive({ payload: { command: "killSwitch", on: true } });
    await until(() => st.length > seen, "the next state msg");
    assert.equal(st.at(-1)!.payload.headroom?.floor, 48000);
    assert.equal(st.at(-1)!.payload.headroom?.maxLoss, 2000);
  });

  it("lets exactly 5 of 100 simultaneous one-lot ES entries through a 5-contract limit", async () => {
    const { r1, ok, no } = await load();
    for (let i = 0; i < 100; i++) r1.receive({ payload: { symbol: "ES1!", side: "buy", quantity: 1 } });
    await until(() => ok.length + no.length === 100, "100 decisions");
    assert.equal(ok.length, 5);
    assert.ok(
      no.every((m) => m.decision.rule === "maxContracts"),
      "every refusal names maxContracts",
    );
    assert.match(no[0].decision.reason, /6 mini-equivalent contracts .* the limit is 5/);
    assert.ok(
      ok.every((m) => typeof m.payload.customTag === "string"),
      "approved intents carry the customTag that holds their reservation",
    );
  });

  it("counts micros at 10 per mini: 50 MES pass, the 51st does not", async () => {
    const { r1, ok, no } = await load();
    r1.receive({ payload: { symbol: "MES", side: "buy", quantity: 50 } });
    r1.receive({ payload: { symbol: "MES", side: "buy", quantity: 1 } });
    await until(() => ok.length + no.length === 2, "two decisions");
    assert.deepEqual([ok.length, no[0]?.decision.rule], [1, "maxContracts"]);
  });

  it("flattens the account itself when equity crosses the buffer, blocks entries, and journals the breach", async () => {
    // Guard stops off: this is the rules node's own flatten, what acts when no guard rests (a gap, guards off).
    const { r1, ok, no, st } = await load({ flattenBuffer: "200", guardStops: false });
    const { api } = await login(rt.sim);
    // Long 2 MES at 6800.25: each point is $10.
    await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mes, type: 2, side: 0, size: 2 });
    await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: mes,
      type: 1,
      side: 0,
      size: 1,
      limitPrice: 6000,
    });
    await until(async () => (await rt.state()).positions.length === 1, "the position");
    await until(
      () => /MLL \$/.test(lastStatus(r1).text ?? "") && st.some((m) => (m.payload.headroom?.contracts ?? 0) > 0),
      "the monitor to see the position",
    );
    // 6620: equity = 50,000 - 1.24 (entry fees and commissions) - 1,802.50 - 1.24 (closing) = 48,195: inside the $200 buffer.
    await setPrice(rt.sim, mes, 6620);
    await until(async () => {
      const s = await rt.state();
      return s.positions.length === 0 && !s.orders.some((o) => o.status === 1);
    }, "the account flat, working orders cancelled");
    await until(() => st.some((m) => m.payload.event === "flattened"), "a flattened state msg");
    r1.receive({ payload: { symbol: "MES", side: "buy", quantity: 1 } });
    await until(() => no.length === 1, "a refusal");
    assert.equal(no[0].decision.rule, "flattenBuffer");
    assert.equal(ok.length, 0);
    const j = new Journal(join(rt.dir, "journal.sqlite"));
    try {
      const breaches = j.entries({ kind: "breach" });
      assert.equal(breaches.length, 1);
      assert.equal((breaches[0]!.data as { rule: string }).rule, "flattenBuffer");
      const flats = j.entries({ kind: "flatten" });
      assert.equal((flats[0]!.data as { flat: boolean }).flat, true);
      assert.equal(j.verify(), null, "the journal's hash chain is intact");
    } finally {
      j.close();
    }
  });

  it("keeps the kill switch and rule state across a restart", async () => {
    let n = await load();
    n.r1.receive({ payload: { command: "killSwitch", on: true } });
    await until(() => lastStatus(n.r1).text === "kill switch on", "kill switch status");
    n.r1.receive({ payload: { command: "state" } });
    await until(() => n.st.some((m) => m.topic === "state"), "a state msg");
    const before = n.st.find(isStateAnswer)!.payload.state;
    await helper.unload();
    // Restored from the database: the status shows the kill switch, not the headroom.
    n = await load({}, /^kill switch on$/);
    const { r1, no, st } = n;
    r1.receive({ payload: { symbol: "ES", side: "buy", quantity: 1 } });
    await until(() => no.length === 1, "a refusal");
    assert.equal(no[0].decision.rule, "killSwitch");
    r1.receive({ payload: { command: "state" } });
    await until(() => st.some((m) => m.topic === "state"), "a state msg");
    const after = st.find(isStateAnswer)!.payload.state;
    for (const k of ["eodHigh", "floor", "killSwitch", "dayStartBalance", "tradingDay", "startBalance"])
      assert.deepEqual(after[k], before[k], k);
  });

  it("approves nothing until the account is re-synced (fail closed)", async () => {
    await restClient(rt.sim).post("/sim/faults", { latency: { "Trade/search": 1500 } });
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
          dbFile: join(rt.dir, "j.sqlite"),
          wires: [["ok"], ["no"], []],
        },
        { id: "ok", type: "helper" },
        { id: "no", type: "helper" },
      ],
      cfg.credentials,
    );
    const r1 = helper.getNode("r1");
    const no = collect<DecisionMsg>(helper.getNode("no"));
    await until(
      async () => ((await rt.state()).requests["Trade/search"]?.received ?? 0) > 0,
      "the re-sync to wait on the slow Trade/search",
    );
    r1.receive({ payload: { symbol: "ES", side: "buy", quantity: 1 } });
    await until(() => no.length === 1, "a refusal");
    assert.equal(no[0].decision.rule, "stateUnknown");
    await restClient(rt.sim).delete("/sim/faults");
    await until(() => /MLL/.test(lastStatus(r1).text ?? ""), "synced", 5000);
  });

  it("refuses an alert id it has already seen, and entries after the 15:00 cutoff", async () => {
    const { r1, ok, no } = await load();
    r1.receive({ payload: { id: "alert-1", symbol: "ES", side: "buy", quantity: 1 } });
    r1.receive({ payload: { id: "alert-1", symbol: "ES", side: "buy", quantity: 1 } });
    await until(() => ok.length + no.length === 2, "two decisions");
    assert.equal(ok.length, 1);
    assert.equal(no[0].decision.rule, "duplicateAlert");
    rt.clock = Date.parse("2026-11-25T21:01:00Z"); // 15:01 Chicago
    r1.receive({ payload: { symbol: "ES", side: "buy", quantity: 1 } });
    await until(() => no.length === 2, "a refusal");
    assert.equal(no[1].decision.rule, "tradingWindow");
    assert.match(no[1].decision.reason, /after 15:00 Chicago time/);
  });

  it("gives a compliance report as JSON and CSV", async () => {
    const { r1, st } = await load();
    const { api } = await login(rt.sim);
    await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: es, type: 2, side: 0, size: 1 });
    await setPrice(rt.sim, es, 6810);
    await api.post("/api/Position/closeContract", { accountId: ACCOUNT, contractId: es });
    await until(() => st.some((m) => (m.payload?.headroom?.dayPnl ?? 0) > 0), "the profit seen");
    const reports = collect<ReportMsg>(helper.getNode("st"));
    r1.receive({ payload: { command: "report" } });
    const rep = await until(() => reports.find((m) => m.topic === "report"), "a report");
    const today = rep.payload.find((d) => d.tradingDay === "2026-11-25");
    // bought at 6800.25, sold at 6810: 39 ticks × $12.50 = $487.50, minus $2.80 fees and $1.00 commissions
    assert.deepEqual(today, {
      tradingDay: "2026-11-25",
      pnl: 483.7,
      trades: 2,
      breaches: 0,
      bestDay: true,
      cooldowns: 0,
      profitLocks: [],
    });
    assert.match(
      rep.csv,
      /^trading_day,pnl,trades,breaches,best_day,cooldowns,profit_locks\n2026-11-25,483.70,2,0,true,0,\n/,
    );
  });

  it("lets one of two simultaneous closing sells through as an exit; the second would reverse and is judged as an entry", async () => {
    const { r1, ok, no } = await load();
    const { api } = await login(rt.sim);
    await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: es, type: 2, side: 0, size: 2 });
    await until(
      () =>
        /MLL|guard/.test(lastStatus(r1).text ?? "") &&
        (helper.getNode("cfg").connection.book(ACCOUNT)?.positions.size ?? 0) === 1,
      "the long position seen",
    );
    // Marked by a quote: without one the equity is unknown and entries are refused as stateUnknown first.
    await until(
      () => helper.getNode("cfg").connection.market.quote(es) !== undefined,
      "a quote of the position's contract",
    );
    r1.receive({ payload: { command: "killSwitch", on: true } });
    r1.receive({ payload: { symbol: "ES", side: "sell", quantity: 2 } });
    r1.receive({ payload: { symbol: "ES", side: "sell", quantity: 2 } });
    await until(() => ok.length + no.length === 2, "two decisions");
    assert.equal(ok.length, 1);
    assert.equal(ok[0].decision.rule, "exit");
    assert.equal(no[0].decision.rule, "killSwitch");
  });

  it("flattens the account when the kill switch is pressed with flatten", async () => {
    const { r1 } = await load();
    const { api } = await login(rt.sim);
    await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: es, type: 2, side: 0, size: 1 });
    await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: es,
      type: 1,
      side: 0,
      size: 1,
      limitPrice: 6000,
    });
    await until(async () => (await rt.state()).positions.length === 1, "the position");
    r1.receive({ payload: { command: "killSwitch", on: true, flatten: true } });
    await until(async () => {
      const s = await rt.state();
      return s.positions.length === 0 && !s.orders.some((o) => o.status === 1);
    }, "flat");
  });

  it("refuses an incomplete intent and one for another account, naming the field", async () => {
    const { r1, no } = await load();
    r1.receive({ payload: { symbol: "ES", side: "buy" } });
    r1.receive({ payload: { symbol: "ES", side: "buy", quantity: 1, account: 10002 } });
    await until(() => no.length === 2, "two refusals");
    assert.deepEqual(no.map((m) => m.decision.field).sort(), ["account", "quantity"]);
  });

  it("comes back from a market-hub drop: re-synced and judging again", async () => {
    const { r1 } = await load();
    await restClient(rt.sim).post("/sim/faults", { dropHubs: "market", rejectUpgrades: 2 });
    await until(
      () => r1.status.getCalls().some((c: { args: [{ text: string }] }) => /syncing|reconnecting/.test(c.args[0].text)),
      "the drop seen",
    );
    await until(() => /MLL \$/.test(lastStatus(r1).text ?? ""), "synced again after the market hub returns", 10_000);
    await restClient(rt.sim).delete("/sim/faults");
  });

  it("turns two quick identical target-position alerts into one order, counting the first while it is in flight", async () => {
    const { r1, ok, no } = await load();
    r1.receive({ res: {}, payload: { symbol: "ES", targetPosition: 2, id: "t-1" } });
    r1.receive({ res: {}, payload: { symbol: "ES", targetPosition: 2, id: "t-2" } });
    await until(() => ok.length + no.length === 2, "two decisions");
    assert.equal(ok.length, 1);
    assert.deepEqual([ok[0].payload.side, ok[0].payload.quantity], ["buy", 2]);
    assert.equal(no[0].decision.rule, "atTarget");
    assert.equal(no[0].statusCode, 200, "already there is a success for TradingView");
  });

  it("refuses bad input naming the field, and always lets exits through", async () => {
    const { r1, ok, no } = await load();
    r1.receive({ payload: { symbol: "ES", side: "buy", quantity: -1 } });
    await until(() => no.length === 1, "a refusal");
    assert.equal(no[0].decision.field, "quantity");
    r1.receive({ payload: { command: "killSwitch", on: true } });
    r1.receive({ payload: { action: "flatten" } });
    await until(() => ok.length === 1, "the flatten approved");
    assert.equal(ok[0].decision.rule, "exit");
  });
});
