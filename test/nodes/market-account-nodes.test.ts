import { strict as assert } from "node:assert";
import type { Simulator } from "../../src/sim";
import { type AccountMsg, type MarketMsg, quoteOf } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { ACCOUNT, frontMonth, login, restClient, setPrice, startTestSim, until } from "../support/sim";

describe("nodes: topstepx-market and topstepx-account against the simulator", () => {
  let sim: Simulator;
  let mnq: string;
  let es: string;

  before(async () => {
    sim = await startTestSim();
    const { api } = await login(sim);
    mnq = (await frontMonth(api, "MNQ")).id;
    es = (await frontMonth(api, "ES")).id;
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
  beforeEach(() => restClient(sim).post("/sim/reset"));
  afterEach(() => helper.unload());

  async function loadMarket(props: Record<string, unknown>) {
    const cfg = configFor(sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        { id: "m1", type: "topstepx-market", server: "cfg", wires: [["out"]], ...props },
        { id: "out", type: "helper" },
      ],
      cfg.credentials,
    );
    const m1 = helper.getNode("m1");
    const out = collect<MarketMsg>(helper.getNode("out"));
    await until(() => /contract/.test(lastStatus(m1).text ?? ""), "the market node subscribed");
    return { m1, out };
  }

  it("emits one msg per quote with the contract as topic, for each symbol", async () => {
    const { out } = await loadMarket({ symbols: "MNQ1!, ES", quotes: true });
    await setPrice(sim, mnq, 21111);
    await setPrice(sim, es, 6801.5);
    await until(
      () => out.some((m) => quoteOf(m)?.lastPrice === 21111) && out.some((m) => quoteOf(m)?.lastPrice === 6801.5),
      "both quotes",
    );
    const q = out.find((m) => quoteOf(m)?.lastPrice === 21111)!;
    assert.equal(q.topic, mnq);
    assert.equal(q.symbol, "MNQ1!");
    assert.equal(q.event, "quote");
    assert.deepEqual([quoteOf(q)?.bestBid, quoteOf(q)?.bestAsk], [21111, 21111.25]);
  });

  it("emits market trades and depth when asked", async () => {
    const { out } = await loadMarket({ symbols: "MNQ", quotes: false, trades: true, depth: true });
    await setPrice(sim, mnq, 21200);
    await until(() => out.some((m) => m.event === "trade" && m.payload.price === 21200), "a trade");
    await until(
      () => out.some((m) => m.event === "depth" && m.payload.some((e: { price: number }) => e.price === 21200)),
      "depth at the new price",
    );
    assert.equal(
      out.some((m) => m.event === "quote"),
      false,
      "no quotes when not asked",
    );
  });

  it("throttles quotes to at most one per period, always ending on the latest", async () => {
    const { out } = await loadMarket({ symbols: "MNQ", quotes: true, throttleMs: "300" });
    const at: number[] = [];
    helper.getNode("out").on("input", () => at.push(performance.now()));
    out.length = 0;
    for (let i = 1; i <= 20; i++) await setPrice(sim, mnq, 21000 + i);
    await until(() => quoteOf(out.at(-1))?.lastPrice === 21020, "the latest price delivered", 2000);
    assert.ok(out.length < 20, `${out.length} msgs for 20 quotes`);
    // Gaps measured are never shorter than the timers that made them, however slow the machine:
    // a lower bound holds under load (a few ms off for the runtime's own hand-over).
    const gaps = at.slice(1).map((t, i) => t - at[i]!);
    assert.ok(
      gaps.every((g) => g >= 280),
      `msgs at least a period apart: ${gaps.map((g) => g.toFixed(0)).join(", ")} ms`,
    );
  });

  it("returns bars on input, oldest first, with the dialog's defaults or msg overrides", async () => {
    const { m1, out } = await loadMarket({
      symbols: "MNQ1!",
      quotes: false,
      trades: true,
      barUnit: "minute",
      barUnitNumber: "5",
      barLimit: "12",
    });
    m1.receive({ payload: "go" });
    await until(() => out.some((m) => m.event === "bars"), "bars");
    const bars = out.find((m) => m.event === "bars")!;
    assert.equal(bars.topic, mnq);
    assert.equal(bars.payload.length, 12);
    const times = bars.payload.map((b: { t: string }) => Date.parse(`${b.t.slice(0, 23)}Z`));
    assert.deepEqual(
      times,
      [...times].sort((a: number, b: number) => a - b),
      "oldest first",
    );
    assert.equal(times[1] - times[0], 5 * 60_000);
    m1.receive({ payload: { symbol: "ES", unit: "hour", unitNumber: 1, limit: 3 } });
    await until(() => out.filter((m) => m.event === "bars").length === 2, "second bars");
    const hourly = out.filter((m) => m.event === "bars")[1];
    assert.equal(hourly.topic, es);
    assert.equal(hourly.payload.length, 3);
  });

  it("refuses a bad bars request naming the field", async () => {
    const { m1 } = await loadMarket({ symbols: "MNQ", quotes: true });
    const errors: string[] = [];
    m1.on("call:error", (c: { args: [Error | string] }) => errors.push(String(c.args[0])));
    m1.receive({ payload: { unit: "fortnight" } });
    await until(() => errors.length === 1, "an error");
    assert.match(errors[0]!, /unit/);
    assert.match(lastStatus(m1).text!, /bad unit/);
  });

  it("sends the account's orders, positions, fills and balance, and a snapshot on input", async () => {
    const cfg = configFor(sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        {
          id: "a1",
          type: "topstepx-account",
          server: "cfg",
          orders: true,
          positions: true,
          trades: true,
          balance: true,
          wires: [["out"]],
        },
        { id: "out", type: "helper" },
      ],
      cfg.credentials,
    );
    const a1 = helper.getNode("a1");
    const out = collect<AccountMsg>(helper.getNode("out"));
    await until(() => /\$50,000.00/.test(lastStatus(a1).text ?? ""), "the balance in the status");
    await setPrice(sim, mnq, 21000);
    const { api } = await login(sim);
    await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mnq, type: 2, side: 0, size: 2 });
    await until(
      () => ["order", "position", "trade", "account"].every((t) => out.some((m) => m.topic === t)),
      `all four kinds of event (got ${[...new Set(out.map((m) => m.topic))]})`,
    );
    const trade = out.find((m) => m.topic === "trade")!;
    assert.equal(trade.account, ACCOUNT);
    assert.equal(trade.payload.price, 21000.25);
    await setPrice(sim, mnq, 21010);
    // 2 MNQ: 2 × ($0.37 fees + $0.25 commission).
    await until(
      () => /\$49,998.76/.test(lastStatus(a1).text ?? ""),
      "the balance net of fees and commissions in the status",
    );
    a1.receive({ payload: null });
    await until(() => out.some((m) => m.topic === "snapshot"), "a snapshot");
    const snap = out.find((m) => m.topic === "snapshot")!.payload;
    assert.equal(snap.balance, 49998.76);
    assert.equal(snap.positions?.length, 1);
    assert.equal(snap.fees, 1.24, "the day's fees count the commissions");
    assert.match(lastStatus(a1).text!, /\$49,998.76/);
  });
});
