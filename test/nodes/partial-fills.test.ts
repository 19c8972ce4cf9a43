import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { DecisionMsg, Received, StateMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, setPrice, until } from "../support/sim";

interface Fill {
  orderId?: number;
  id?: number;
  price?: number;
  size?: number;
  fillVolume?: number;
  status?: number | string;
  filledPrice?: number;
}
type Msg = Received<Fill & Record<string, unknown>> & { topic?: string };

/**
 * Orders that fill in parts, as the simulator's finite book makes them (partial fills on by
 * default; each print at a resting limit trades 3 here), through the real runtime: the order
 * node's answer, the account node's events, the rules node's working exposure, a flatten.
 */
describe("node: partially filled orders against the simulator's book", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-partial-", sim: { market: { touchFill: 3 } } });
  let mnq: string;
  let es: string;

  before(async () => {
    const { api } = await login(rt.sim);
    mnq = (await frontMonth(api, "MNQ")).id;
    es = (await frontMonth(api, "ES")).id;
  });
  beforeEach(async () => {
    await setPrice(rt.sim, mnq, 21000);
    await setPrice(rt.sim, es, 6800);
  });

  async function loadOrderAndAccount() {
    const cfg = configFor(rt.sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        { id: "o1", type: "topstepx-order", server: "cfg", wires: [["ok"], ["err"]] },
        { id: "ok", type: "helper" },
        { id: "err", type: "helper" },
        {
          id: "a1",
          type: "topstepx-account",
          server: "cfg",
          orders: true,
          positions: true,
          trades: true,
          balance: false,
          wires: [["ev"]],
        },
        { id: "ev", type: "helper" },
      ],
      cfg.credentials,
    );
    const o1 = helper.getNode("o1");
    const a1 = helper.getNode("a1");
    await until(() => lastStatus(o1).text === "connected", "the order node to connect");
    await until(() => /\$/.test(lastStatus(a1).text ?? "") || lastStatus(a1).fill === "green", "the account node");
    return {
      o1,
      ok: collect<Msg>(helper.getNode("ok")),
      err: collect<Msg>(helper.getNode("err")),
      ev: collect<Msg>(helper.getNode("ev")),
    };
  }

  it("a 30-lot MNQ market order fills at several prices: one order, fillVolume 30, the average price", async () => {
    const { o1, ok, err, ev } = await loadOrderAndAccount();
    o1.receive({ payload: { action: "place", symbol: "MNQ", side: "buy", quantity: 30 } });
    await until(() => ok.length + err.length === 1, "the order node's answer");
    assert.equal(err.length, 0, JSON.stringify(err[0]?.payload));
    const r = ok[0]!.payload;
    assert.equal(r.status, "filled");
    await until(
      () => ev.some((m) => m.topic === "order" && m.payload.status === "filled"),
      "the account node to see the order filled",
    );
    const orders = ev.filter((m) => m.topic === "order" && m.payload.id === r.orderId);
    const trades = ev.filter((m) => m.topic === "trade" && m.payload.orderId === r.orderId);
    assert.ok(trades.length >= 2, `several trades: ${trades.map((t) => `${t.payload.size}@${t.payload.price}`)}`);
    assert.equal(new Set(trades.map((t) => t.payload.price)).size, trades.length, "each at its own price");
    assert.equal(
      trades.reduce((s, t) => s + t.payload.size!, 0),
      30,
    );
    const volumes = orders.map((o) => o.payload.fillVolume);
    assert.deepEqual(
      volumes,
      [...volumes].sort((a, b) => a! - b!),
      "fillVolume only grows",
    );
    assert.equal(orders.at(-1)!.payload.fillVolume, 30);
    const average = trades.reduce((s, t) => s + t.payload.price! * t.payload.size!, 0) / 30;
    assert.ok(Math.abs((r.fillPrice as number) - average) < 1e-6, `fillPrice ${r.fillPrice} is the average ${average}`);
    assert.ok((r.fillPrice as number) > 21000.25, "slipped past the best ask");
    const s = await rt.state();
    assert.deepEqual(
      s.positions.map((p) => p.size),
      [30],
    );
  });

  it("a flatten of a position bought across several levels is confirmed flat", async () => {
    const { o1, ok, err } = await loadOrderAndAccount();
    o1.receive({ payload: { action: "place", symbol: "MNQ", side: "buy", quantity: 30 } });
    await until(() => ok.length === 1, "the entry");
    o1.receive({ payload: { action: "flatten" } });
    await until(() => ok.length + err.length === 2, "the flatten's answer");
    assert.equal(err.length, 0, JSON.stringify(err[0]?.payload));
    assert.equal(ok[1]!.payload.action, "flatten");
    const flat = ok[1]!.payload.flatten as { flat?: boolean } | undefined;
    assert.equal(flat?.flat, true, JSON.stringify(ok[1]!.payload));
    const s = await rt.state();
    assert.deepEqual(s.positions, []);
    const { api } = await login(rt.sim);
    const sells = ((await api.post("/api/Trade/search", { accountId: ACCOUNT })).data.trades as Fill[]).filter(
      (t) => (t as { side?: number }).side === 1,
    );
    assert.ok(sells.length >= 2, "the flatten itself sold at several prices");
  });

  it("the rules node counts a partly filled limit's filled part as position and only the rest as working", async () => {
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
          wires: [["ok"], ["no"], ["st"]],
        },
        { id: "ok", type: "helper" },
        { id: "no", type: "helper" },
        { id: "st", type: "helper" },
      ],
      cfg.credentials,
    );
    const r1 = helper.getNode("r1");
    const ok = collect<DecisionMsg>(helper.getNode("ok"));
    const no = collect<DecisionMsg>(helper.getNode("no"));
    const st = collect<StateMsg>(helper.getNode("st"));
    await until(() => /MLL \$/.test(lastStatus(r1).text ?? ""), "the rules node ready");
    const { api } = await login(rt.sim);
    // 5 ES at 6799.75, one tick under the ask; the 50K Combine allows 5 minis.
    const placed = await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: es,
      type: 1,
      side: 0,
      size: 5,
      limitPrice: 6799.75,
    });
    assert.equal(placed.data.success, true);
    await setPrice(rt.sim, es, 6799.5); // the ask comes down to the limit: 3 of 5 trade
    await until(async () => (await rt.state()).positions[0]?.size === 3, "3 filled");
    const working = (await rt.state()).orders.filter((o) => o.status === 1);
    assert.deepEqual(
      working.map((o) => o.size),
      [5],
      "one order still working",
    );
    await until(
      () => st.some((m) => m.payload.headroom?.contracts === 3),
      "the rules node to hold the 3 filled as position",
    );
    r1.receive({ payload: { symbol: "ES", side: "buy", quantity: 1 } });
    await until(() => no.length + ok.length === 1, "the decision");
    assert.equal(ok.length, 0, "3 held + 2 working = 5: no room for one more");
    assert.equal(no[0]!.decision.rule, "maxContracts");
    // Counted once each: 3 + 2 + the new 1, not 3 + 5 + 1.
    assert.match(no[0]!.decision.reason, /6 mini-equivalent contracts/);
  });
});
