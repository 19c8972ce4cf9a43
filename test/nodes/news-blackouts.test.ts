import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Journal, type JournalKind } from "../../src/core/journal/journal";
import type { DecisionMsg, StateMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, setPrice, until } from "../support/sim";
import { BUY, T } from "../support/trading";

const MINUTE = 60_000;

describe("node: topstepx-rules news blackouts", () => {
  // The suite's clock starts at Wednesday 2026-11-25 09:00 Chicago (see test/support/clock.ts).
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-news-" });
  let es: string;
  let mes: string;
  let cl: string;

  before(async () => {
    const { api } = await login(rt.sim);
    es = (await frontMonth(api, "ES")).id;
    mes = (await frontMonth(api, "MES")).id;
    cl = (await frontMonth(api, "CL")).id;
  });

  async function load(rules: Record<string, unknown>) {
    await setPrice(rt.sim, es, 6800);
    await setPrice(rt.sim, mes, 6800);
    await setPrice(rt.sim, cl, 62);
    const cfg = configFor(rt.sim);
    const flow = [
      cfg.node,
      {
        id: "r1",
        type: "topstepx-rules",
        server: "cfg",
        profile: "topstep-combine-50k",
        dbFile: join(rt.dir, "journal.sqlite"),
        heartbeatSeconds: "0",
        guardStops: false,
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
    // Inside a window from the start, the status shows the blackout rather than the headroom.
    await until(() => /^(MLL \$|blocked: news blackout)/.test(lastStatus(r1).text ?? ""), "the rules node synced");
    return out;
  }

  /** Sends an order intent to the rules node and returns its decision msg. */
  async function intent(n: Awaited<ReturnType<typeof load>>, symbol: string, side: "buy" | "sell", quantity = 1) {
    const okBefore = n.ok.length;
    const before = okBefore + n.no.length;
    n.r1.receive({ payload: { symbol, side, quantity } });
    await until(() => n.ok.length + n.no.length > before, "a decision");
    return n.ok.length > okBefore ? n.ok.at(-1)! : n.no.at(-1)!;
  }

  /** Buys one contract (ES by default) at market on the simulator, as a trade made by hand, and waits for the rules to see it. */
  async function buyEsByHand(n: Awaited<ReturnType<typeof load>>, contractId = es) {
    const { api } = await login(rt.sim);
    const held = n.st.at(-1)?.payload.headroom?.contracts ?? 0;
    const r = await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId,
      type: T.Market,
      side: BUY,
      size: 1,
    });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
    await until(() => n.st.some((m) => (m.payload.headroom?.contracts ?? 0) > held), "the rules to see the position");
  }

  function journaled(kind: JournalKind): Array<{ rule?: string; reason?: string }> {
    const j = new Journal(join(rt.dir, "journal.sqlite"));
    try {
      return j.entries({ kind }).map((e) => e.data as { rule?: string; reason?: string });
    } finally {
      j.close();
    }
  }

  it("refuses an entry inside a window, naming the event and its end, and allows it after", async () => {
    const n = await load({ blackoutLines: "# Fed day\n2026-11-25 09:02 CT FOMC -5m/+3m" });
    const refused = await intent(n, "ES", "buy");
    assert.equal(refused.decision.allow, false);
    assert.equal(refused.decision.rule, "newsBlackout");
    assert.equal(
      refused.decision.reason,
      "News blackout for FOMC at 09:02 CT: entries are refused until 09:05 CT; exits are allowed.",
    );
    await until(() => lastStatus(n.r1).text === "blocked: news blackout", "the status to show the blackout");
    const shown = n.st.filter((m) => m.payload.blocked).at(-1)?.payload.blocked;
    assert.deepEqual(shown, {
      rule: "newsBlackout",
      reason: "News blackout for FOMC at 09:02 CT: entries are refused until 09:05 CT.",
      until: Date.parse("2026-11-25T15:05:00Z"),
    });
    rt.clock += 5 * MINUTE; // 09:05 CT: the window is over
    const allowed = await intent(n, "ES", "buy");
    assert.equal(allowed.decision.rule, "allRulesPassed");
    await until(() => /^MLL \$/.test(lastStatus(n.r1).text ?? ""), "the status back to the headroom");
  });

  it("limits a window to its products: an ES blackout refuses MES and allows CL", async () => {
    const n = await load({ blackoutLines: "2026-11-25 09:00 CT CPI ES ±5m" });
    const micro = await intent(n, "MES", "buy");
    assert.deepEqual([micro.decision.allow, micro.decision.rule], [false, "newsBlackout"]);
    assert.match(micro.decision.reason, /^News blackout for CPI at 09:00 CT \(ES\)/);
    const crude = await intent(n, "CL", "buy");
    assert.equal(crude.decision.rule, "allRulesPassed");
  });

  it("lets an exit through inside a window", async () => {
    const n = await load({ blackoutLines: "2026-11-25 09:10 CT NFP ±5m" });
    await buyEsByHand(n);
    rt.clock += 10 * MINUTE; // 09:10 CT, inside
    const entry = await intent(n, "ES", "buy");
    assert.equal(entry.decision.rule, "newsBlackout");
    const exit = await intent(n, "ES", "sell");
    assert.deepEqual([exit.decision.allow, exit.decision.rule], [true, "exit"]);
  });

  it("flattens a held position the set minutes before a window, journals it, and refuses entries from then", async () => {
    const n = await load({ blackoutLines: "2026-11-25 09:10 CT NFP ±5m", blackoutFlattenMinutes: "2" });
    await buyEsByHand(n);
    rt.clock += 2 * MINUTE; // 09:02: the lead starts at 09:03
    await until(() => n.st.some((m) => (m.payload.at ?? 0) >= rt.clock), "a look at 09:02");
    assert.equal((await rt.state()).positions.length, 1, "still long before the lead");
    assert.deepEqual(journaled("breach"), []);

    rt.clock += 1 * MINUTE; // 09:03
    await until(() => n.st.some((m) => m.payload.event === "flattened"), "the flatten finished");
    assert.equal((await rt.state()).positions.length, 0, "flat before the window opens");
    const breaches = journaled("breach");
    assert.deepEqual(
      breaches.map((b) => b.rule),
      ["newsBlackout"],
    );
    assert.equal(
      breaches[0]!.reason,
      "News blackout for NFP at 09:10 CT: the account is flattened 2 min before the window opens at 09:05 CT; entries are refused until 09:15 CT.",
    );
    assert.equal(journaled("flatten").at(-1)?.reason, "newsBlackout");
    assert.ok(
      n.st.some((m) => m.payload.event === "breach:newsBlackout"),
      "the rule-state output tells the flow",
    );
    const entry = await intent(n, "ES", "buy");
    assert.equal(entry.decision.rule, "newsBlackout", "no re-entry between the flatten and the window");
  });

  it("flattens only the markets a product-limited window covers: ES closed before an ES blackout, CL kept", async () => {
    const n = await load({ blackoutLines: "2026-11-25 09:10 CT CPI ES ±5m", blackoutFlattenMinutes: "2" });
    await buyEsByHand(n);
    await buyEsByHand(n, cl);
    rt.clock += 3 * MINUTE; // 09:03, the lead
    await until(() => n.st.some((m) => m.payload.event === "flattened"), "the flatten finished");
    const left = (await rt.state()).positions.map((p) => p.contractId);
    assert.deepEqual(left, [cl], "the CL position outlives the ES blackout");
    assert.match(
      journaled("breach")[0]?.reason ?? "",
      /^News blackout for CPI at 09:10 CT \(ES\): positions in ES are flattened 2 min before the window opens at 09:05 CT/,
    );
  });

  it("uses the shipped calendar of major US releases when ticked: the 9 December 2026 FOMC statement at 13:00 CT", async () => {
    rt.clock = Date.parse("2026-12-09T19:03:00Z"); // Wednesday 13:03 CT
    const n = await load({ blackoutMajorUs: true, blackoutMargin: "-1m/+10m" });
    const refused = await intent(n, "NQ", "sell");
    assert.equal(refused.decision.rule, "newsBlackout");
    assert.equal(
      refused.decision.reason,
      "News blackout for FOMC at 13:00 CT: entries are refused until 13:10 CT; exits are allowed.",
    );
    await helper.unload();
    const off = await load({});
    const allowed = await intent(off, "NQ", "sell");
    assert.equal(allowed.decision.rule, "allRulesPassed", "unticked (the default), no calendar applies");
  });

  it("refuses to start on a bad blackout line, naming the field and the line", async () => {
    const cfg = configFor(rt.sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        {
          id: "bad",
          type: "topstepx-rules",
          server: "cfg",
          dbFile: join(rt.dir, "j.sqlite"),
          blackoutLines: "2026-11-25 09:00 CT FOMC ±5m\n2026-11-25 9:00 CT CPI",
          wires: [],
        },
      ],
      cfg.credentials,
    );
    const bad = helper.getNode("bad");
    await until(() => /^blackouts\.lines: line 2/.test(lastStatus(bad).text ?? ""), "the line named in the status");
  });
});
