import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { AxiosInstance } from "axios";
import { Journal } from "../../src/core/journal/journal";
import type { DecisionMsg, Received, ReportMsg, StatePayload } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, setPrice, until } from "../support/sim";

/** The day rules as the rule-state output shows them (written out: a wrong type in the code must not agree with the test). */
interface DayRulesPayload extends StatePayload {
  dayRules?: {
    profitLock: {
      stopAt: number | null;
      stopped: boolean;
      peak: number;
      armed: boolean;
      lockLevel: number | null;
    } | null;
    consistency: { bestDayPercent: number; today: number; cap: number; room: number; text: string } | null;
    cooldown: { active: boolean; minutesLeft: number | null; reason: string | null; streak: number } | null;
  } | null;
}
type DayStateMsg = Received<DayRulesPayload>;

const MIN = 60_000;
const NEXT_SESSION = Date.parse("2026-11-25T23:01:00Z"); // Wednesday 17:01 CT: the next trading day's session

describe("node: topstepx-rules profit lock, consistency and cooldowns on the simulator", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-dayrules-" });
  let es: string;
  let api: AxiosInstance;

  before(async () => {
    api = (await login(rt.sim)).api;
    es = (await frontMonth(api, "ES")).id;
  });
  beforeEach(async () => {
    api = (await login(rt.sim)).api;
    await setPrice(rt.sim, es, 6800);
  });

  async function load(rules: Record<string, unknown>, ready: RegExp = /MLL \$/) {
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
          // Off: these tests are about the day rules' own acts.
          guardStops: false,
          dbFile: join(rt.dir, "journal.sqlite"),
          ...rules,
          wires: [["ok"], ["no"], ["st"]],
        },
        { id: "ok", type: "helper" },
        { id: "no", type: "helper" },
        { id: "st", type: "helper" },
      ],
      cfg.credentials,
    );
    const r1 = helper.getNode("r1");
    const out = {
      r1,
      ok: collect<DecisionMsg>(helper.getNode("ok")),
      no: collect<DecisionMsg>(helper.getNode("no")),
      st: collect<DayStateMsg>(helper.getNode("st")),
    };
    await until(() => ready.test(lastStatus(r1).text ?? ""), `the rules node status to match ${ready}`);
    return out;
  }

  /** Sends an intent and returns its decision. */
  async function intent(n: Awaited<ReturnType<typeof load>>, payload: Record<string, unknown>) {
    const [ok, no] = [n.ok.length, n.no.length];
    n.r1.receive({ payload });
    await until(() => n.ok.length + n.no.length > ok + no, "a decision");
    return (n.ok.length > ok ? n.ok.at(-1)! : n.no.at(-1)!).decision;
  }

  /** Opens 1 ES (or `size`) at the market through the gateway, as a trade made by hand. */
  async function open(size = 1, side = 0) {
    await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: es, type: 2, side, size });
    await until(async () => (await rt.state()).positions.length === 1, "the position");
  }
  async function close() {
    await api.post("/api/Position/closeContract", { accountId: ACCOUNT, contractId: es });
    await until(async () => (await rt.state()).positions.length === 0, "flat");
  }

  function rows(kind: "breach" | "dayRule") {
    const j = new Journal(join(rt.dir, "journal.sqlite"));
    try {
      return j.entries({ kind }).map((e) => e.data as Record<string, unknown>);
    } finally {
      j.close();
    }
  }

  it("refuses entries for the rest of the day after +$400 of day P&L, and takes them again at the next session", async () => {
    const n = await load({ profitStopAt: "400" });
    await open();
    await setPrice(rt.sim, es, 6810);
    // Bought at 6800.25, sold at 6810: $487.50, minus $2.80 fees and $1.00 commissions.
    await close();
    await until(() => n.st.some((m) => m.payload.event === "dailyProfitTarget:reached"), "the profit stop reached");
    const d = await intent(n, { symbol: "ES", side: "buy", quantity: 1 });
    assert.equal(d.rule, "dailyProfitTarget");
    assert.match(d.reason, /daily profit stop of \$400\.00 \(now \$483\.70\)/);
    await until(() => /^profit stop \$400: no entries today/.test(lastStatus(n.r1).text ?? ""), "the status");
    const reached = rows("dayRule").find((r) => r.rule === "dailyProfitTarget");
    assert.deepEqual([reached?.event, reached?.dayPnl, reached?.stopAt], ["reached", 483.7, 400]);
    // Exits pass: a position opened by hand can be closed through the rules.
    await open();
    assert.equal((await intent(n, { symbol: "ES", side: "sell", quantity: 1 })).rule, "exit");
    await close();
    rt.clock = NEXT_SESSION;
    assert.equal((await intent(n, { symbol: "ES", side: "buy", quantity: 1 })).allow, true);
  });

  it("flattens when the day falls below half its $967 peak, blocks entries until the next session, also across a restart", async () => {
    let n = await load({ profitLockFrom: "500", profitLockPercent: "50" });
    await open(2);
    await setPrice(rt.sim, es, 6810);
    await until(() => n.st.some((m) => m.payload.dayRules?.profitLock?.armed), "the lock armed");
    const armed = [...n.st].reverse().find((m) => m.payload.dayRules?.profitLock?.armed)!.payload.dayRules!.profitLock!;
    // 2 ES up 39 ticks: $975 open, less $3.80 paid to open and $3.80 estimated to close.
    assert.deepEqual([armed.peak, armed.lockLevel], [967.4, 483.7]);
    await setPrice(rt.sim, es, 6804);
    await until(async () => (await rt.state()).positions.length === 0, "the account flattened");
    const breach = rows("breach").find((b) => b.rule === "profitLock");
    assert.match(
      String(breach?.reason),
      /Today's P&L \$367\.40 fell below \$483\.70, the 50% of today's peak of \$967\.40 the profit lock keeps \(armed from \$500\.00\)/,
    );
    await until(() => /^profit locked: no entries today/.test(lastStatus(n.r1).text ?? ""), "the status");
    assert.equal((await intent(n, { symbol: "ES", side: "buy", quantity: 1 })).rule, "profitLock");

    await helper.unload();
    n = await load({ profitLockFrom: "500", profitLockPercent: "50" }, /^profit locked/);
    assert.equal((await intent(n, { symbol: "ES", side: "buy", quantity: 1 })).rule, "profitLock");
    assert.equal(
      rows("breach").filter((b) => b.rule === "profitLock").length,
      1,
      "one breach: the restart acts on none",
    );
    rt.clock = NEXT_SESSION;
    assert.equal((await intent(n, { symbol: "ES", side: "buy", quantity: 1 })).allow, true);
  });

  it("shows how much more today keeps the best day at 50%, and refuses entries at the cap only when asked to", async () => {
    let n = await load({});
    await open();
    await setPrice(rt.sim, es, 6810);
    await close();
    await until(() => n.st.some((m) => (m.payload.dayRules?.consistency?.today ?? 0) > 0), "the day's profit seen");
    // Within the status's length the guard stops' warning goes before the consistency room, which
    // the state msg carries: a first day of a 50K Combine may make half the $3,000 target, $1,500 − $483.70.
    await until(
      () => /^MLL \$2,484 left · guard stops off$/.test(lastStatus(n.r1).text ?? ""),
      "the headroom and the warning",
    );
    const c = [...n.st].reverse().find((m) => m.payload.dayRules?.consistency)!.payload.dayRules!.consistency!;
    assert.deepEqual([c.bestDayPercent, c.today, c.cap, c.room], [50, 483.7, 1500, 1016.3]);
    assert.equal(c.text, "$1,016 more today keeps the best day at 50%");
    assert.equal((await intent(n, { symbol: "ES", side: "buy", quantity: 1 })).allow, true);

    await helper.unload();
    // 10 %: $300 of the target; today's $483.70 is past it.
    n = await load({ consistencyPercent: "10", consistencyRefuse: true }, /^consistency cap: no entries today/);
    const d = await intent(n, { symbol: "ES", side: "buy", quantity: 1 });
    assert.equal(d.rule, "consistency");
    assert.match(d.reason, /reached \$300\.00, the most that keeps the best day at 10% of the total profit/);
    assert.ok(rows("dayRule").some((r) => r.rule === "consistency" && r.event === "reached"));
  });

  it("cools down for 10 min after 2 losing trades in a row: exits pass, a restart keeps it, the test clock lifts it", async () => {
    const rules = { cooldownLosses: "2", cooldownMinutes: "10" };
    let n = await load(rules);
    // Bought at the ask, sold at the bid: −$12.50 and $3.80 of costs, twice.
    await open();
    await close();
    await until(() => n.st.some((m) => m.payload.dayRules?.cooldown?.streak === 1), "one loss counted");
    assert.equal((await intent(n, { symbol: "ES", side: "buy", quantity: 1 })).allow, true);
    await open();
    await close();
    await until(() => n.st.some((m) => m.payload.event === "cooldown:start"), "the cooldown");
    await until(() => lastStatus(n.r1).text === "cooldown 10 min: 2 losing trades in a row", "the status");
    const d = await intent(n, { symbol: "ES", side: "buy", quantity: 1 });
    assert.equal(d.rule, "cooldown");
    assert.match(d.reason, /^Cooling down for 10 more min .* after 2 losing trades in a row/);
    await open();
    assert.equal((await intent(n, { symbol: "ES", side: "sell", quantity: 1 })).rule, "exit", "exits pass");

    await helper.unload();
    rt.clock += 4 * MIN;
    n = await load(rules, /^cooldown 6 min: 2 losing trades in a row/);
    assert.equal((await intent(n, { symbol: "ES", side: "buy", quantity: 1 })).rule, "cooldown");
    rt.clock += 6 * MIN;
    await until(() => n.st.some((m) => m.payload.event === "cooldown:end"), "the cooldown over");
    assert.equal((await intent(n, { symbol: "ES", side: "buy", quantity: 1 })).allow, true);
    assert.deepEqual(
      rows("dayRule")
        .filter((r) => r.rule === "cooldown")
        .map((r) => r.event),
      ["start", "end"],
    );
    const journal = collect<Received<Array<{ kind: string; detail: string }>>>(helper.getNode("st"));
    n.r1.receive({ payload: { command: "journal", limit: 50 } });
    const rowsShown = await until(() => journal.find((m) => m.topic === "journal"), "the journal");
    assert.deepEqual(
      rowsShown.payload.filter((r) => r.kind === "dayRule").map((r) => r.detail),
      ["cooldown end: cooldown over (2 losing trades in a row)", "cooldown start: 2 losing trades in a row"],
    );
    const reports = collect<ReportMsg>(helper.getNode("st"));
    n.r1.receive({ payload: { command: "report" } });
    const rep = await until(() => reports.find((m) => m.topic === "report"), "a report");
    // Two losers of $16.30 and the $1.90 paid to open the position still held.
    assert.match(rep.csv, /\n2026-11-25,-34\.50,5,0,false,1,\n/);
  });

  it("cools down after $20 lost within 5 min, not after the first $16.30", async () => {
    const n = await load({ cooldownLossAmount: "20", cooldownWithinMinutes: "5", cooldownMinutes: "10" });
    await open();
    await close();
    await until(() => n.st.some((m) => m.payload.dayRules?.cooldown?.streak === 1), "one loss counted");
    assert.equal((await intent(n, { symbol: "ES", side: "buy", quantity: 1 })).allow, true);
    rt.clock += 2 * MIN;
    await open();
    await close();
    await until(() => n.st.some((m) => m.payload.event === "cooldown:start"), "the cooldown");
    const d = await intent(n, { symbol: "ES", side: "buy", quantity: 1 });
    assert.equal(d.rule, "cooldown");
    assert.match(d.reason, /after \$32\.60 lost within 5 min \(limit \$20\.00\)/);
  });
});
