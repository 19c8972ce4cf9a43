import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Journal } from "../../src/core/journal/journal";
import { guardFlow } from "../support/guard-flow";
import type { StateMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, setPrice, until } from "../support/sim";
import { BUY, S, SELL, T } from "../support/trading";

/**
 * Guard stops through the real Node-RED runtime on the simulator. Both clocks stand still unless a
 * test moves them: a guard that rests with no time passed was placed on the fill's events, not on a
 * timer or a poll.
 */
describe("node: topstepx-rules keeps a guard stop at the gateway for every position", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-guard-", sim: { market: { partialFills: false } } });
  let mnq: string;

  before(async () => {
    const { api } = await login(rt.sim);
    mnq = (await frontMonth(api, "MNQ")).id;
  });
  beforeEach(() => setPrice(rt.sim, mnq, 25_000));

  // The readings of the simulator the guard tests share; this file loads a rules node alone.
  const { orders, guards, position } = guardFlow(rt, () => mnq);

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
          flattenBuffer: "200",
          dbFile: join(rt.dir, "journal.sqlite"),
          ...rules,
          wires: [[], [], ["st"]],
        },
        { id: "st", type: "helper" },
      ],
      cfg.credentials,
    );
    const r1 = helper.getNode("r1");
    const st = collect<StateMsg>(helper.getNode("st"));
    await until(() => /MLL \$/.test(lastStatus(r1).text ?? ""), "the rules node guarding");
    return { r1, st };
  }

  async function market(side: number, size: number) {
    const { api } = await login(rt.sim);
    const r = await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mnq, type: T.Market, side, size });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
  }

  it("rests a guard stop for a 2-lot bought without a bracket, at the level the floor allows, with no time passing", async () => {
    const { r1 } = await load();
    await market(BUY, 2);
    const [g] = await until(async () => {
      const gs = await guards();
      return gs.length === 1 && gs[0]!.size === 2 ? gs : null;
    }, "a guard for 2");
    assert.equal(g!.side, SELL);
    assert.equal(g!.type, T.Stop);
    // Balance 49,998.76 after the entry's $1.24; floor 48,000 + 200 buffer; closing $1.24; $1 a tick;
    // 4 ticks of slippage: 1,793.28 ticks below the entry (25,000.25 at the ask), rounded up.
    const entry = 25_000.25;
    const expected = Math.ceil((entry - ((49_998.76 - 1.24 - 48_200) / 1 - 4) * 0.25) / 0.25) * 0.25;
    assert.equal(g!.stopPrice, expected);
    assert.equal(rt.now(), rt.clock, "the clocks never moved");
    const fill = (await orders()).find((o) => o.status === S.Filled && o.side === BUY)!;
    assert.equal(g!.creationTimestamp, fill.creationTimestamp, "the guard rests at the fill's instant");
    await until(
      () => /^\$1,\d{3} left · guard 2\d,\d{3}(\.\d+)?$/.test(lastStatus(r1).text ?? ""),
      "the guard in the status",
    );
  });

  it("keeps the guard's size equal to the position as it is scaled in and out, and cancels it when flat", async () => {
    await load();
    await market(BUY, 1);
    await until(async () => (await guards())[0]?.size === 1, "a guard for 1");
    await market(BUY, 2);
    await until(async () => (await guards())[0]?.size === 3, "the guard grown to 3");
    assert.equal((await guards()).length, 1, "one guard, resized, not a second one");
    await market(SELL, 1);
    await until(async () => (await guards())[0]?.size === 2, "the guard shrunk to 2");
    await market(SELL, 2);
    await until(async () => (await guards()).length === 0, "the guard cancelled when flat");
    assert.equal(await position(), 0);
  });

  it("closes the position through the guard when the price walks down through it, above the floor, and journals it", async () => {
    const { r1, st } = await load();
    await market(BUY, 2);
    const [g] = await until(async () => ((await guards()).length === 1 ? guards() : null), "a guard");
    // Walk the market down a tick at a time from just above the stop.
    for (let p = g!.stopPrice! + 2; p >= g!.stopPrice! - 1 && (await position()) !== 0; p -= 0.25)
      await setPrice(rt.sim, mnq, p);
    await until(async () => (await position()) === 0, "flat through the guard");
    const balance = (await rt.state()).accounts.find((a) => a.id === ACCOUNT)!.balance;
    assert.ok(balance >= 48_200, `balance ${balance} stays above the floor plus buffer`);
    assert.equal(await position(), 0, "never reversed");
    await until(() => st.some((m) => m.payload.event === "guard:filled"), "the fill on the rule-state output");
    const j = new Journal(join(rt.dir, "journal.sqlite"));
    try {
      const actions = j.entries({ kind: "guard" }).map((e) => (e.data as { action: string }).action);
      assert.deepEqual(actions.slice(0, 1), ["placed"]);
      assert.ok(actions.includes("filled"), actions.join());
    } finally {
      j.close();
    }
    // The journal command shows the guard's rows in a line each.
    r1.receive({ payload: { command: "journal", limit: 50 } });
    const answer = await until(() => st.find((m) => m.topic === "journal"), "the journal answer");
    const lines = (answer.payload as unknown as Array<{ kind: string; detail: string }>).filter(
      (e) => e.kind === "guard",
    );
    assert.ok(
      lines.some((e) => new RegExp(`^guard placed #${g!.id}: 2 @ ${g!.stopPrice} ${mnq};`).test(e.detail)),
      JSON.stringify(lines),
    );
  });

  it("moves the guard to the other side when the position reverses, and the new one closes the short, never going long", async () => {
    await load();
    await market(BUY, 2);
    await until(async () => (await guards())[0]?.side === SELL, "a sell guard under the long");
    await market(SELL, 4);
    const [g] = await until(async () => {
      const gs = await guards();
      return gs.length === 1 && gs[0]!.side === BUY && gs[0]!.size === 2 ? gs : null;
    }, "one buy guard above the short, the sell guard gone");
    assert.ok(g!.stopPrice! > 25_000, `the buy stop ${g!.stopPrice} sits above the market`);
    for (let p = g!.stopPrice! - 2; p <= g!.stopPrice! + 1 && (await position()) !== 0; p += 0.25)
      await setPrice(rt.sim, mnq, p);
    await until(async () => (await position()) === 0, "flat through the guard");
    assert.equal((await guards()).length, 0, "no guard left resting on the flat account");
  });
});
