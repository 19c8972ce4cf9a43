import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Journal } from "../../src/core/journal/journal";
import { guardFlow } from "../support/guard-flow";
import { helper } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, until } from "../support/sim";
import { S, SELL, T } from "../support/trading";

/**
 * Guard stops beside the stops an alert's bracket brings, through alert → rules → order in the real
 * Node-RED runtime on the simulator. The floor is set close (a $1,700 buffer on the $2,000 MLL) so a
 * 2-lot MNQ's guard sits some 73 points under the entry: a 400-tick stop-loss is looser than it, a
 * 40-tick one tighter.
 */
describe("node: topstepx-rules guard stops beside bracket stops", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-guard-br-", sim: { market: { partialFills: false } } });
  let mnq: string;
  const g = guardFlow(rt, () => mnq);
  const close = { flattenBuffer: "1700" };

  before(async () => {
    mnq = (await frontMonth((await login(rt.sim)).api, "MNQ")).id;
  });
  beforeEach(() => setPrice(rt.sim, mnq, 25_000));

  /** The position never went short while the test walked the market: polled at every step. */
  async function walkDown(from: number, to: number, seen: number[]) {
    for (let p = from; p >= to; p -= 1) {
      await setPrice(rt.sim, mnq, p);
      seen.push(await g.position());
      if (seen.at(-1) === 0) break;
    }
  }

  for (const mode of ["Position Brackets", "Auto OCO"] as const) {
    it(`tightens a bracket's stop looser than the guard level instead of adding a second stop (${mode})`, async () => {
      if (mode === "Auto OCO")
        await restClient(rt.sim).post("/sim/account", { accountId: ACCOUNT, autoOcoBrackets: true });
      const n = await g.load(close);
      const r = await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 2, stopLoss: 400, takeProfit: 800 });
      assert.equal(r.bracket, mode === "Auto OCO" ? "native" : "managed");
      const level = (await until(() => (g.view(n)?.coveredByOthers === 2 ? g.view(n) : null), "the guard view")).level;
      const stop = await until(async () => {
        const s = (await g.working()).filter((o) => o.type === T.Stop);
        return s.length === 1 && s[0]!.stopPrice === level ? s[0] : null;
      }, "the bracket's stop tightened to the guard level");
      assert.equal(stop!.size, 2);
      if (mode === "Auto OCO") assert.ok(stop!.parentOrderId, "the native leg, not a new order");
      else assert.match(stop!.customTag ?? "", /-sl$/, "the managed leg, not a new order");
      assert.ok(level > 25_000 - 400 * 0.25, `the guard level ${level} is tighter than the bracket's stop`);
      assert.deepEqual(await g.guardsEver(), [], "no guard order was ever sent");
      const v = g.view(n)!;
      assert.deepEqual([v.position, v.quantity, v.orderId], [2, 0, null]);
    });
  }

  it("places no guard when a bracket's tighter stop covers the position", async () => {
    const n = await g.load(close);
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 2, stopLoss: 40, takeProfit: 800 });
    await until(() => g.view(n)?.coveredByOthers === 2, "the position seen covered by its own stop");
    const [sl] = (await g.working()).filter((o) => o.type === T.Stop);
    assert.equal(sl!.stopPrice, 25_000.25 - 10, "the bracket's stop left where the alert put it");
    assert.deepEqual(await g.guardsEver(), [], "no guard order was ever sent");
  });

  it("guards the bare part of a position next to a bracketed part; both stops filling leave it flat, never short", async () => {
    const n = await g.load(close);
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 1, stopLoss: 40, takeProfit: 800 });
    await until(async () => (await g.working()).some((o) => o.customTag?.endsWith("-sl")), "the bracket's stop");
    await g.quoted();
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 1 });
    const [guard] = await until(async () => {
      const gs = await g.guards();
      return gs.length === 1 && gs[0]!.size === 1 && (await g.position()) === 2 ? gs : null;
    }, "a guard for the bare contract");
    const stops = (await g.working()).filter((o) => o.side === SELL && o.type === T.Stop);
    assert.equal(
      stops.reduce((q, o) => q + o.size, 0),
      2,
      "the stops together cover the 2-lot, no more",
    );
    const seen: number[] = [];
    // The bracket's stop fills first; the guard then follows the 1-lot left (more room per tick).
    await walkDown(24_991, guard!.stopPrice! - 200, seen);
    await until(async () => (await g.position()) === 0, "flat");
    assert.ok(Math.min(...seen) >= 0, `never short: ${seen.join(",")}`);
    assert.equal(await g.position(), 0);
    assert.equal((await g.working()).length, 0, "nothing left working");
  });

  it("a loose bracket on one contract and a guard on the other fill at the same price: flat, never short", async () => {
    const n = await g.load(close);
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 1, stopLoss: 1000, takeProfit: 800 });
    await g.quoted();
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 1 });
    const level = (
      await until(() => {
        const v = g.view(n);
        return v?.position === 2 && v.quantity === 1 && v.coveredByOthers === 1 ? v : null;
      }, "one contract guarded, one covered by its bracket")
    ).level;
    await until(async () => {
      const s = (await g.working()).filter((o) => o.type === T.Stop);
      return s.length === 2 && s.every((o) => o.stopPrice === level && o.size === 1);
    }, "the bracket's stop tightened to the guard's level, one contract each");
    // One print through the level: both stops trigger on it.
    await setPrice(rt.sim, mnq, level - 2);
    await until(async () => (await g.position()) === 0, "flat");
    await until(async () => (await g.working()).length === 0, "nothing left working");
    assert.equal(await g.position(), 0, "never short");
    const sells = (await g.orders()).filter((o) => o.side === SELL && o.status === S.Filled);
    assert.equal(
      sells.reduce((q, o) => q + o.size, 0),
      2,
      "2 contracts sold in all",
    );
  });

  it("shrinks the guard as soon as the trader rests a stop of their own, with no other event", async () => {
    const n = await g.load(close);
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 2 });
    await until(async () => (await g.guards())[0]?.size === 2, "a guard for 2");
    const own = await g.byHand(SELL, 1, { type: T.Stop, stopPrice: 24_990 });
    await until(async () => (await g.guards())[0]?.size === 1, "the guard shrunk to the contract left bare");
    const stops = (await g.working()).filter((o) => o.type === T.Stop);
    assert.deepEqual(
      stops.map((o) => [o.id === own, o.size]).sort(),
      [
        [false, 1],
        [true, 1],
      ],
      "the trader's stop and the guard, one contract each",
    );
  });

  it("shares the headroom between two positions: both guards filling together leave the balance above the floor", async () => {
    const mes = (await frontMonth((await login(rt.sim)).api, "MES")).id;
    await setPrice(rt.sim, mes, 6_800);
    const n = await g.load(close);
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 2 });
    await g.quoted();
    await g.alert(n, { symbol: "MES1!", side: "buy", quantity: 2 });
    const both = await until(async () => {
      const gs = (await g.orders()).filter((o) => o.status === S.Open && o.customTag?.startsWith("nrxg-"));
      return gs.length === 2 ? gs : null;
    }, "a guard for each position");
    const stopOf = (c: string) => both.find((o) => o.contractId === c)!.stopPrice!;
    // Node-RED is gone (nothing flattens for it); the market prints through each guard, a tick worse.
    await helper.unload();
    await setPrice(rt.sim, mnq, stopOf(mnq) - 0.25);
    await setPrice(rt.sim, mes, stopOf(mes) - 0.25);
    await until(async () => (await rt.state()).positions.length === 0, "flat through both guards");
    const filled = (await g.orders()).filter((o) => o.status === S.Filled && o.customTag?.startsWith("nrxg-"));
    assert.equal(filled.length, 2, "both guards filled");
    const balance = (await rt.state()).accounts.find((a) => a.id === ACCOUNT)!.balance;
    assert.ok(balance >= 48_000 + 1_700, `balance ${balance} above the floor and its buffer`);
  });

  it("scales a guarded position in with a bracketed entry: the guard keeps to the bare contract, never grown meanwhile", async () => {
    const n = await g.load(close);
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 1 });
    await until(async () => (await g.guards())[0]?.size === 1, "a guard for the bare contract");
    await g.quoted();
    await g.alert(n, { symbol: "MNQ1!", side: "buy", quantity: 2, stopLoss: 40, takeProfit: 800 });
    await until(async () => {
      const w = await g.working();
      return (await g.position()) === 3 && w.some((o) => o.customTag?.endsWith("-sl") && o.size === 2);
    }, "the bracket's stop for the 2 added");
    await until(() => g.view(n)?.coveredByOthers === 2, "the guard's view settled");
    const guards = await g.guards();
    assert.deepEqual(
      guards.map((o) => o.size),
      [1],
      "one guard, for the bare contract",
    );
    const j = new Journal(join(rt.dir, "journal.sqlite"));
    try {
      const sizes = j.entries({ kind: "guard" }).map((e) => (e.data as { size?: number }).size);
      assert.ok(
        sizes.every((q) => q === undefined || q <= 1),
        `the guard was never sized past the bare contract: ${sizes.join()}`,
      );
    } finally {
      j.close();
    }
  });
});
