import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Journal } from "../../src/core/journal/journal";
import type { AccountMsg, DecisionMsg, StateMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, until } from "../support/sim";

interface Row {
  id?: number;
  status?: string;
  balance?: number;
  creationTimestamp?: string;
}

/**
 * The simulator's live quirks are on by default (a closing fill's trade event followed by the
 * opening half-turn's again, every account update 2–4 times, Pending before an instant reject,
 * trimmed timestamps): what the trader sees of an account must count each thing once anyway.
 */
describe("nodes against live's event quirks (on by default in the simulator)", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-quirks-" });
  let mnq: string;

  before(async () => {
    mnq = (await frontMonth((await login(rt.sim)).api, "MNQ")).id;
  });
  beforeEach(() => setPrice(rt.sim, mnq, 21000));

  async function load(rules: Record<string, unknown> = {}) {
    const cfg = configFor(rt.sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        {
          id: "a1",
          type: "topstepx-account",
          server: "cfg",
          orders: true,
          positions: false,
          trades: true,
          balance: true,
          wires: [["out"]],
        },
        {
          id: "r1",
          type: "topstepx-rules",
          server: "cfg",
          profile: "topstep-combine-50k",
          dbFile: join(rt.dir, "journal.sqlite"),
          ...rules,
          wires: [["ok"], ["no"], ["st"]],
        },
        { id: "out", type: "helper" },
        { id: "ok", type: "helper" },
        { id: "no", type: "helper" },
        { id: "st", type: "helper" },
      ],
      cfg.credentials,
    );
    const n = {
      a1: helper.getNode("a1"),
      r1: helper.getNode("r1"),
      out: collect<AccountMsg>(helper.getNode("out")),
      ok: collect<DecisionMsg>(helper.getNode("ok")),
      no: collect<DecisionMsg>(helper.getNode("no")),
      st: collect<StateMsg>(helper.getNode("st")),
    };
    await until(() => /MLL \$/.test(lastStatus(n.r1).text ?? ""), "the rules node ready");
    await until(() => /\$50,000.00/.test(lastStatus(n.a1).text ?? ""), "the account node ready");
    return n;
  }

  /** Everything the hub sent before this has reached the account node's output once it returns. */
  async function barrier(out: AccountMsg[], balance: number) {
    await restClient(rt.sim).post("/sim/account", { accountId: ACCOUNT, balance });
    await until(() => out.some((m) => m.topic === "account" && m.payload.balance === balance), "the barrier balance");
  }

  const rows = (out: AccountMsg[], topic: string) => out.filter((m) => m.topic === topic).map((m) => m.payload as Row);

  it("counts a round trip's two fills once each: trade msgs, balance msgs, snapshot, fills per day, journal", async () => {
    // A limit of 3 fills a day: counting the close's second trade event would make it 3 and refuse the next entry.
    const n = await load({ maxTradesPerDay: "3" });
    const { api } = await login(rt.sim);
    await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mnq, type: 2, side: 0, size: 1 });
    await setPrice(rt.sim, mnq, 21010);
    await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mnq, type: 2, side: 1, size: 1 });
    await until(() => rows(n.out, "trade").length >= 2, "both fills");
    await barrier(n.out, 60_000);

    const trades = rows(n.out, "trade");
    assert.equal(trades.length, 2, `one trade msg per fill (got ids ${trades.map((t) => t.id)})`);
    assert.notEqual(trades[0]!.id, trades[1]!.id);
    assert.ok(
      trades.every((t) => !/\.\d*0\+00:00$/.test(t.creationTimestamp!)),
      `live's trimmed timestamps: ${trades.map((t) => t.creationTimestamp)}`,
    );
    const balances = rows(n.out, "account").map((a) => a.balance);
    assert.equal(balances.length, 3, `one balance msg per change (open, close, barrier): ${balances}`);
    assert.equal(new Set(balances).size, 3);

    n.a1.receive({ payload: null });
    const snap = await until(() => n.out.find((m) => m.topic === "snapshot"), "the snapshot");
    const book = snap.payload as { fills: number; realizedPnl: number };
    assert.equal(book.fills, 2, "fills today");
    assert.equal(book.realizedPnl, 19.5, "39 ticks of MNQ at $0.50, counted once");

    n.r1.receive({ payload: { symbol: "MNQ", side: "buy", quantity: 1 } });
    await until(() => n.ok.length + n.no.length === 1, "a decision");
    assert.deepEqual(
      n.no.map((m) => m.decision.reason),
      [],
      "a third fill is still allowed under a 3-a-day limit",
    );
    n.r1.receive({ payload: { command: "state" } });
    const state = await until(() => n.st.find((m) => m.topic === "state"), "the state answer");
    assert.equal(state.payload.state?.dayTrades, 2, "the rules count two fills today");

    await helper.unload();
    const j = new Journal(join(rt.dir, "journal.sqlite"));
    try {
      assert.equal(j.entries({ kind: "fill" }).length, 2, "one journal row per fill");
    } finally {
      j.close();
    }
  });

  it("shows an order refused at creation as Pending then Rejected, and keeps no working order", async () => {
    const n = await load();
    await restClient(rt.sim).post("/sim/account", { accountId: ACCOUNT, autoOcoBrackets: false });
    const { api } = await login(rt.sim);
    const r = await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: mnq,
      type: 2,
      side: 0,
      size: 1,
      stopLossBracket: { ticks: -20, type: 4 },
    });
    assert.equal(r.data.success, false);
    await until(() => rows(n.out, "order").length === 2, "the order's two events");
    await barrier(n.out, 55_000);
    assert.deepEqual(
      rows(n.out, "order").map((o) => [o.id, o.status]),
      [
        [r.data.orderId, "pending"],
        [r.data.orderId, "rejected"],
      ],
    );
    n.a1.receive({ payload: null });
    const snap = await until(() => n.out.find((m) => m.topic === "snapshot"), "the snapshot");
    assert.deepEqual((snap.payload as { orders: unknown[] }).orders, [], "no working order left");
  });
});
