import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Journal } from "../../src/core/journal/journal";
import type { DecisionMsg, StateMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { type SimState, useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, until } from "../support/sim";

describe("node: topstepx-rules keeps the CME calendar and the session flatten", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-session-" });

  /** A Topstep 50K Combine rules node on the simulator at `iso`, synced. */
  async function load(iso: string, props: Record<string, unknown> = {}, ready: RegExp = /MLL \$/) {
    rt.clock = Date.parse(iso);
    await restClient(rt.sim).post("/sim/reset");
    const { api } = await login(rt.sim);
    const es = (await frontMonth(api, "ES")).id;
    await setPrice(rt.sim, es, 6800);
    const cfg = configFor(rt.sim);
    const flow = [
      cfg.node,
      {
        id: "r1",
        type: "topstepx-rules",
        server: "cfg",
        profile: "topstep-combine-50k",
        dbFile: join(rt.dir, "journal.sqlite"),
        ...props,
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
      api,
      es,
      ok: collect<DecisionMsg>(helper.getNode("ok")),
      no: collect<DecisionMsg>(helper.getNode("no")),
      st: collect<StateMsg>(helper.getNode("st")),
    };
    await until(() => ready.test(lastStatus(r1).text ?? ""), `the rules node status to match ${ready}`);
    return out;
  }

  /** Sends a webhook-style entry (msg.res set, as from an http in node) and returns its answer. */
  async function entry(n: Awaited<ReturnType<typeof load>>) {
    const before = n.ok.length + n.no.length;
    n.r1.receive({ res: {}, payload: { symbol: "ES", side: "buy", quantity: 1 } });
    await until(() => n.ok.length + n.no.length > before, "a decision");
    return n.ok.length > before ? n.ok.at(-1)! : n.no.at(-1)!;
  }

  it("answers 422 tradingWindow on Christmas Day 2026, naming the holiday", async () => {
    const n = await load("2026-12-25T16:00:00Z"); // Friday 10:00 CT
    const m = await entry(n);
    assert.equal(m.statusCode, 422);
    assert.deepEqual([m.payload.ok, m.payload.rule], [false, "tradingWindow"]);
    assert.match(m.payload.reason ?? "", /^CME is closed for Christmas Day/);
  });

  it("approves at 11:00 CT on 27 November 2026 and answers 422 after its 12:15 early close", async () => {
    const n = await load("2026-11-27T17:00:00Z"); // Friday 11:00 CT
    const first = await entry(n);
    assert.equal(first.decision.rule, "allRulesPassed");
    assert.equal(first.statusCode, undefined, "an approval goes on to the order node");
    rt.clock = Date.parse("2026-11-27T18:20:00Z"); // 12:20 CT
    const late = await entry(n);
    assert.equal(late.statusCode, 422);
    assert.equal(late.payload.rule, "tradingWindow");
    assert.match(
      late.payload.reason ?? "",
      /the day after Thanksgiving closes early; Topstep's trading day runs 17:00 to 12:15 Chicago time today/,
    );
  });

  it("takes the dialog's early closes over the calendar: a closed day is refused, a malformed entry names the field", async () => {
    const n = await load("2026-12-31T16:00:00Z", { earlyCloses: "2026-12-31 closed, 2026-12-24 12:00" }); // Thursday 10:00 CT
    const m = await entry(n);
    assert.deepEqual([m.statusCode, m.payload.rule], [422, "tradingWindow"]);
    assert.match(
      m.payload.reason ?? "",
      /Trading day 2026-12-31 is closed in the rules' early closes \(session\.earlyCloses\)/,
    );
    await helper.unload();
    const logged = (r1: { error: { getCalls(): Array<{ args: unknown[] }> } }) =>
      r1.error
        .getCalls()
        .map((c) => String(c.args[0]))
        .join("\n");
    const short = await load("2026-12-31T16:00:00Z", { earlyCloses: "2026-12-31" }, /^session\.earlyCloses/);
    assert.match(
      logged(short.r1),
      /session\.earlyCloses: "2026-12-31" is not "YYYY-MM-DD HH:MM" or "YYYY-MM-DD closed"/,
    );
    await helper.unload();
    const noon = await load("2026-12-31T16:00:00Z", { earlyCloses: "2026-12-31 noon" }, /^session\.earlyCloses/);
    assert.match(logged(noon.r1), /session\.earlyCloses\.2026-12-31: use HH:MM \(24 h, Chicago time\) or "closed"/);
    const refused = await entry(noon);
    assert.equal(refused.decision.allow, false, "a node with bad rules approves nothing");
  });

  it("cancels a resting entry at the 15:05 flatten while flat, so it cannot fill after hours, and then stays quiet", async () => {
    const n = await load("2026-11-25T20:50:00Z"); // Wednesday 14:50 CT
    const placed = await n.api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: n.es,
      type: 1,
      side: 0,
      size: 1,
      limitPrice: 6790,
    });
    assert.equal(placed.data.success, true, JSON.stringify(placed.data));
    const conn = helper.getNode("cfg").connection;
    await until(
      () => [...(conn.book(ACCOUNT)?.orders.values() ?? [])].some((o: { status: number }) => o.status === 1),
      "the resting order seen by the guard",
    );
    rt.clock = Date.parse("2026-11-25T21:05:00Z"); // 15:05 CT
    await until(
      async () => (await rt.state()).orders.find((o) => o.id === placed.data.orderId)?.status === 3,
      "the resting order cancelled at the simulator",
    );
    // 15:20 CT: the market trades through the old limit; nothing fills.
    rt.clock = Date.parse("2026-11-25T21:20:00Z");
    await setPrice(rt.sim, n.es, 6780);
    const s = await rt.state();
    assert.deepEqual(s.positions, [], "no after-hours position");
    assert.ok(!s.orders.some((o) => o.status === 1 || o.status === 2), "nothing working, nothing filled");

    // Flat with nothing working: further evaluations make no gateway call and write no breach.
    await until(() => n.st.some((m) => m.payload?.event === "flattened"), "the flatten finished");
    const calls = (r: SimState["requests"]) =>
      ["Order/cancel", "Order/search", "Order/searchOpen", "Position/searchOpen", "Position/closeContract"].map(
        (k) => r[k]?.received ?? 0,
      );
    const quiet = calls(s.requests);
    for (let i = 1; i <= 3; i++) {
      rt.clock = Date.parse("2026-11-25T21:20:00Z") + i * 60_000;
      await until(() => n.st.some((m) => m.payload?.at === rt.clock), `an evaluation at 15:2${i}`);
    }
    assert.deepEqual(calls((await rt.state()).requests), quiet);
    const j = new Journal(join(rt.dir, "journal.sqlite"));
    try {
      const breaches = j.entries({ kind: "breach" }).map((e) => e.data as { rule: string; reason: string });
      assert.equal(breaches.length, 1);
      assert.equal(breaches[0]!.rule, "sessionFlatten");
      assert.match(breaches[0]!.reason, /scheduled flatten before the 15:10 close: working orders are cancelled/);
      const flats = j.entries({ kind: "flatten" }).map((e) => e.data as { cancelledOrders: number[] });
      assert.deepEqual(
        flats.map((f) => f.cancelledOrders),
        [[placed.data.orderId]],
      );
    } finally {
      j.close();
    }
  });
});
