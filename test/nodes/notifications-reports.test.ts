import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { Received } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, until } from "../support/sim";

/** A notification as a phone flow reads it (topic "notification" on the rule-state output). */
interface Note {
  title: string;
  text: string;
  severity: string;
  account: string;
  accountId: number;
  rule?: string;
  time: string;
  timeCT: string;
  event: string;
}

/** A period summary as the report command answers it. */
interface Summary {
  key: string;
  fills: number;
  trades: number;
  wins: number;
  losses: number;
  winRate: number | null;
  grossPnl: number;
  fees: number;
  commissions: number;
  netPnl: number;
  maxDrawdown: number;
  maxDrawdownBasis: string;
  balanceAtClose: number;
  headroomAtClose: number;
}

type Out = Received<unknown> & { csv?: string };

describe("node: topstepx-rules notifications and reports on the simulator", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-notify-" });
  let mes: string;

  before(async () => {
    const { api } = await login(rt.sim);
    mes = (await frontMonth(api, "MES")).id;
  });

  async function load(rules: Record<string, unknown> = {}) {
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
          dbFile: join(rt.dir, "journal.sqlite"),
          ...rules,
          wires: [[], [], ["st"]],
        },
        { id: "st", type: "helper" },
      ],
      cfg.credentials,
    );
    const r1 = helper.getNode("r1");
    const st = collect<Out>(helper.getNode("st"));
    await until(() => /MLL \$/.test(lastStatus(r1).text ?? ""), "the rules node guarding");
    const notes = () => st.filter((m) => m.topic === "notification").map((m) => m.payload as Note);
    return { r1, st, notes };
  }

  async function market(side: 0 | 1, size: number) {
    const { api } = await login(rt.sim);
    const before = (await rt.state()).requests["Order/place"]?.succeeded ?? 0;
    await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mes, type: 2, side, size });
    await until(async () => (await rt.state()).requests["Order/place"]?.succeeded === before + 1, "the order placed");
  }

  /** Position after each fill, as the simulator holds it. */
  async function position(size: number) {
    await until(async () => {
      const p = (await rt.state()).positions.find((x) => x.contractId === mes);
      return (p ? (p.type === 1 ? p.size : -p.size) : 0) === size;
    }, `a position of ${size}`);
  }

  /**
   * Two MES round trips at known prices (MES: $5 a point; $0.37 fees and $0.25 commission a
   * contract a side): long 2 from 6800.25 out at 6810 (+97.50), short 1 from 6810 out at 6820.25 (−51.25).
   */
  async function twoRoundTrips() {
    await setPrice(rt.sim, mes, 6800, { bid: 6800, ask: 6800.25 });
    await market(0, 2);
    await position(2);
    await setPrice(rt.sim, mes, 6810, { bid: 6810, ask: 6810.25 });
    await market(1, 2);
    await position(0);
    await market(1, 1);
    await position(-1);
    await setPrice(rt.sim, mes, 6820, { bid: 6820, ask: 6820.25 });
    await market(0, 1);
    await position(0);
  }

  it("notifies the breach and the flatten it starts and finishes, critical first", async () => {
    const { notes } = await load({ flattenBuffer: "200", guardStops: false });
    await setPrice(rt.sim, mes, 6800);
    await market(0, 2);
    await position(2);
    // 6620: equity about 48,195, inside the $200 buffer above the 48,000 floor.
    await setPrice(rt.sim, mes, 6620);
    await until(() => notes().some((n) => n.title === "Flatten done"), "the flatten-done notification");
    const [breach, started, done] = notes().filter((n) => ["breach", "flatten"].includes(n.event));
    assert.deepEqual(
      [breach!.event, breach!.rule, breach!.severity, breach!.accountId],
      ["breach", "flattenBuffer", "critical", ACCOUNT],
    );
    assert.match(breach!.title, /Rule breached: flatten buffer/);
    assert.equal(breach!.timeCT, "2026-11-25 09:00:00 CST");
    assert.equal(breach!.time, "2026-11-25T15:00:00.000Z");
    assert.match(breach!.account, /\S/);
    assert.deepEqual([started!.title, started!.severity], ["Flatten started", "warning"]);
    assert.deepEqual([done!.severity, done!.rule], ["info", "flattenBuffer"]);
    assert.match(done!.text, /flat, 1 position\(s\) closed/);
    // The block that follows the breach was told by the breach: no second notification for it.
    assert.equal(notes().filter((n) => n.event === "block").length, 0);
  });

  it("notifies the guard stop placed for a new position, and nothing for its cancel once flat", async () => {
    const { notes } = await load();
    await setPrice(rt.sim, mes, 6800, { bid: 6800, ask: 6800.25 });
    await market(0, 1);
    await until(() => notes().some((n) => n.event === "guard"), "the guard notification");
    const placed = notes().find((n) => n.event === "guard")!;
    assert.deepEqual([placed.title, placed.severity], [`Guard stop placed: ${mes}`, "info"]);
    assert.match(placed.text, /^Guard stop 1 @ [\d,.]+ on CON\.F\.US\.MES\./);
    await market(1, 1);
    await position(0);
    await until(async () => !(await rt.state()).orders.some((o) => o.status === 1), "the guard cancelled");
    assert.equal(notes().filter((n) => n.event === "guard").length, 1);
  });

  it("notifies a lost connection once and its return once", async () => {
    const { notes } = await load();
    await restClient(rt.sim).post("/sim/faults", { dropHubs: "all" });
    await until(() => notes().some((n) => n.title === "Reconnected"), "the reconnected notification", 20_000);
    const told = notes().filter((n) => n.event === "connection");
    assert.deepEqual(
      told.map((n) => [n.title, n.severity]),
      [
        ["Disconnected", "warning"],
        ["Reconnected", "info"],
      ],
    );
  });

  it("tells the kill switch on and off", async () => {
    const { r1, notes } = await load();
    r1.receive({ payload: { command: "killSwitch", on: true, reason: "lunch" } });
    r1.receive({ payload: { command: "rearm" } });
    await until(() => notes().filter((n) => n.event === "killSwitch").length === 2, "two kill-switch notifications");
    const [on, off] = notes().filter((n) => n.event === "killSwitch");
    assert.deepEqual(
      [on!.title, on!.severity, on!.text],
      ["Kill switch on", "warning", "Entries are refused until re-armed: lunch."],
    );
    assert.equal(off!.title, "Kill switch off");
  });

  it("reports the day and the week as JSON and CSV with the figures of known fills", async () => {
    const { r1, st } = await load();
    await twoRoundTrips();
    const answer = async (payload: Record<string, unknown>) => {
      const seen = st.length;
      r1.receive({ payload: { command: "report", ...payload } });
      return until(() => st.slice(seen).find((m) => m.topic === "report"), "the report");
    };
    // Net: +97.50 − 1.24 − 1.24 = 95.02 and −51.25 − 0.62 − 0.62 = −51.87; 42.53 in all.
    const expected = {
      key: "2026-11-25",
      fills: 4,
      trades: 2,
      wins: 1,
      losses: 1,
      winRate: 0.5,
      grossPnl: 46.25,
      fees: 2.22,
      commissions: 1.5,
      netPnl: 42.53,
      // High 95.02 after the first trip, 42.53 after the second.
      maxDrawdown: 52.49,
      maxDrawdownBasis: "closedTrades",
      balanceAtClose: 50042.53,
      headroomAtClose: 2042.53,
    };
    await until(async () => {
      const d = (await answer({ period: "day" })).payload as Summary[];
      return d.at(-1)?.fills === 4;
    }, "the four fills journaled");
    const [day] = (await answer({ period: "day" })).payload as Summary[];
    assert.deepEqual(Object.fromEntries(Object.keys(expected).map((k) => [k, day![k as keyof Summary]])), expected);
    const [week] = (await answer({ period: "week" })).payload as Summary[];
    assert.deepEqual([week!.key, week!.trades, week!.netPnl], ["2026-11-23", 2, 42.53]);
    const csv = (await answer({ period: "day", format: "csv" })).payload as string;
    assert.match(csv, /^period,key,from,to,fills,trades,wins,losses,win_rate,gross_pnl,fees,commissions,net_pnl/);
    assert.match(
      csv.split("\n")[1]!,
      /^day,2026-11-25,2026-11-25,2026-11-25,4,2,1,1,0.5,46.25,2.22,1.50,42.53,52.49,closedTrades,50042.53,48000,2042.53,/,
    );
    // Without a period: the compliance rows as before.
    const rows = (await answer({})) as Out;
    assert.match(rows.csv!, /^trading_day,pnl,trades,breaches,best_day,cooldowns,profit_locks\n/);
  });

  it("sends the day's summary when the trading day closes at 17:00 Chicago", async () => {
    const { notes } = await load();
    await twoRoundTrips();
    rt.clock = Date.parse("2026-11-25T23:00:05Z");
    await until(() => notes().find((n) => n.event === "summary"), "the daily summary", 10_000);
    const s = notes().find((n) => n.event === "summary")!;
    assert.equal(s.title, "Day 2026-11-25: $42.53");
    assert.match(s.text, /Net \$42\.53 \(gross \$46\.25, fees and commissions −\$3\.72\); 2 trade\(s\), 50% won/);
    // The close raised the trailing floor to 50,042.53 − 2,000: $2,000 left for the next day.
    assert.match(s.text, /Headroom to the loss floor at the close: \$2,000\./);
    assert.equal(s.timeCT, "2026-11-25 17:00:05 CST");
  });

  it("serves the report page with the equity curve, the floor and Chart.js from the installed package", async () => {
    await load();
    await twoRoundTrips();
    await until(async () => {
      const r = await helper.request().get("/topstepx-rules/r1/report.html");
      return r.status === 200 && r.text.includes("50042.53");
    }, "the page with the balance after the last fill");
    const page = await helper.request().get("/topstepx-rules/r1/report.html");
    assert.match(page.headers["content-type"], /text\/html/);
    assert.match(page.text, /<script src="\.\.\/chart\.js"><\/script>/);
    assert.match(page.text, /"floor":48000/);
    assert.match(page.text, /MLL floor/);
    assert.match(page.text, /<td>2026-11-25<\/td><td>2<\/td><td>50%<\/td><td>46\.25<\/td>/);
    const chart = await helper.request().get("/topstepx-rules/chart.js");
    assert.equal(chart.status, 200);
    assert.match(chart.text, /Chart/);
    assert.equal((await helper.request().get("/topstepx-rules/nope/report.html")).status, 404);
  });
});
