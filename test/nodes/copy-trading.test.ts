import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { GatewayConnection } from "../../src/core/connection";
import type { CopyReport } from "../../src/core/groups/copy-trader";
import { Journal } from "../../src/core/journal/journal";
import type { Received } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, restClient, SECOND_ACCOUNT, setPrice, until } from "../support/sim";
import { BUY, SELL, T } from "../support/trading";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const copyNode = require("../../nodes/topstepx-copy/topstepx-copy");

const LEADER = ACCOUNT;
const F1 = SECOND_ACCOUNT;
const F2 = 10003;

type ReportMsg = Received<CopyReport> & { topic: string };

/**
 * Copy trading in the real runtime on the simulator: a leader traded by hand (REST at the
 * simulator), two followers with their own rules nodes and profiles (a 50K Combine ×1.5, a 50K
 * Express Funded fixed 1), the copy node between them.
 */
describe("node: topstepx-copy mirrors a leader account on followers", function () {
  this.timeout(60_000);
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-copy-" });
  let mnq: string;

  before(async () => {
    mnq = (await frontMonth((await login(rt.sim)).api, "MNQ")).id;
  });
  beforeEach(async () => {
    await setPrice(rt.sim, mnq, 25_000);
  });

  interface LoadOptions {
    /** Accounts with no rules node. */
    unguarded?: number[];
    /** Rules of one account, over its profile. */
    rules?: Record<number, Record<string, unknown>>;
    followers?: Array<{ account: string; sizeBy: string; size: string }>;
    /** Products copied (blank: all). */
    symbols?: string;
  }

  const PROFILE: Record<number, string> = {
    [LEADER]: "topstep-combine-50k",
    [F1]: "topstep-combine-50k",
    [F2]: "topstep-xfa-50k",
  };

  async function load(o: LoadOptions = {}) {
    const cfg = configFor(rt.sim);
    const guarded = [LEADER, F1, F2].filter((a) => !o.unguarded?.includes(a));
    const rules = guarded.map((a) => ({
      id: `r${a}`,
      type: "topstepx-rules",
      server: "cfg",
      account: String(a),
      profile: PROFILE[a],
      guardStops: false,
      dbFile: join(rt.dir, "journal.sqlite"),
      ...o.rules?.[a],
      wires: [[], [], []],
    }));
    await helper.load(
      [...allNodes, copyNode],
      [
        cfg.node,
        ...rules,
        {
          id: "copy",
          type: "topstepx-copy",
          server: "cfg",
          leader: String(LEADER),
          followers: o.followers ?? [
            { account: String(F1), sizeBy: "multiplier", size: "1.5" },
            { account: String(F2), sizeBy: "fixed", size: "1" },
          ],
          symbols: o.symbols ?? "",
          version: 1,
          wires: [["out"]],
        },
        { id: "out", type: "helper" },
      ],
      cfg.credentials,
    );
    const copy = helper.getNode("copy");
    // Collected from the start: a catch-up may send before the rules nodes show they are synced.
    const out = collect<ReportMsg>(helper.getNode("out"));
    for (const a of guarded)
      await until(() => /MLL \$/.test(lastStatus(helper.getNode(`r${a}`)).text ?? ""), `rules of ${a} synced`, 15_000);
    await until(() => /^copying 10001 → 2 followers/.test(lastStatus(copy).text ?? ""), "the copier copying");
    const conn = helper.getNode("cfg").connection as GatewayConnection;
    return { copy, conn, out };
  }

  async function trade(account: number, side: number, size: number) {
    const { api } = await login(rt.sim);
    const r = await api.post("/api/Order/place", { accountId: account, contractId: mnq, type: T.Market, side, size });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
  }

  async function positions(): Promise<Record<number, number>> {
    const s = (await rt.state()).positions as Array<{
      accountId: number;
      contractId: string;
      size: number;
      type: number;
    }>;
    const at: Record<number, number> = { [LEADER]: 0, [F1]: 0, [F2]: 0 };
    for (const p of s) if (p.contractId === mnq) at[p.accountId] = p.type === 2 ? -p.size : p.size;
    return at;
  }

  async function expectPositions(want: [number, number, number], what: string, timeoutMs = 10_000) {
    let last: Record<number, number> = {};
    try {
      await until(
        async () => {
          last = await positions();
          return last[LEADER] === want[0] && last[F1] === want[1] && last[F2] === want[2];
        },
        what,
        timeoutMs,
      );
    } catch (e) {
      throw new Error(`${(e as Error).message}: positions ${JSON.stringify(last)}, wanted ${want}`);
    }
  }

  async function followerFills(): Promise<Record<number, { bought: number; sold: number }>> {
    const state = (await rt.state()) as unknown as { trades: Array<{ accountId: number; side: number; size: number }> };
    const at: Record<number, { bought: number; sold: number }> = {};
    for (const t of state.trades) {
      const f = at[t.accountId] ?? { bought: 0, sold: 0 };
      at[t.accountId] = f;
      if (t.side === BUY) f.bought += t.size;
      else f.sold += t.size;
    }
    return at;
  }

  const placed = async () => (await rt.state()).requests["Order/place"]?.received ?? 0;

  it("mirrors an entry, an add, a partial exit, a reversal and a flatten with each follower's size", async () => {
    const { out } = await load();
    await trade(LEADER, BUY, 2);
    await expectPositions([2, 3, 1], "the entry mirrored: ×1.5 → 3, fixed → 1");
    await trade(LEADER, BUY, 1);
    await expectPositions([3, 4, 1], "the add mirrored: ×1.5 of 3 rounds down to 4");
    await trade(LEADER, SELL, 2);
    await expectPositions([1, 1, 1], "the partial exit mirrored");
    await trade(LEADER, SELL, 3);
    await expectPositions([-2, -3, -1], "the reversal mirrored");
    const { api } = await login(rt.sim);
    await api.post("/api/Position/closeContract", { accountId: LEADER, contractId: mnq });
    await expectPositions([0, 0, 0], "the flatten mirrored");
    const sent = out.filter((m) => m.topic === "copy/sent");
    assert.ok(sent.length >= 10, `an order per step and follower (${sent.length})`);
    assert.equal(out.filter((m) => m.topic !== "copy/sent").length, 0, JSON.stringify(out.map((m) => m.payload)));
    assert.deepEqual(
      sent.filter((m) => m.payload.accountId === F1).map((m) => [m.payload.from, m.payload.to]),
      [
        [0, 3],
        [3, 4],
        [4, 1],
        [1, 0],
        [0, -3],
        [-3, 0],
      ],
    );
    // Each follower's orders are in its own trail, under the copier's name.
    await helper.unload();
    const j = new Journal(join(rt.dir, "journal.sqlite"));
    try {
      for (const a of [F1, F2]) {
        const rows = j.entries({ accountId: a, kind: "order" }).map((e) => e.data as { source?: string });
        assert.ok(rows.length >= 2 && rows.every((r) => r.source === "copy:10001"), `${a}: ${JSON.stringify(rows)}`);
      }
      assert.equal(j.entries({ accountId: LEADER, kind: "order" }).length, 0, "nothing sent for the leader");
    } finally {
      j.close();
    }
  });

  it("enters the new side of a reversal only once no follower is left on the old one", async () => {
    const { out } = await load();
    await trade(LEADER, BUY, 1);
    await expectPositions([1, 1, 1], "the entry mirrored");
    // One follower's close fails once and is repeated after a backoff: the other is flat first.
    await restClient(rt.sim).post("/sim/faults", {
      fail: [{ endpoint: "Position/closeContract", count: 1, status: 503 }],
    });
    await trade(LEADER, SELL, 2);
    await expectPositions([-1, -1, -1], "both followers short, neither refused as a hedge");
    assert.deepEqual(
      out.filter((m) => m.topic !== "copy/sent").map((m) => m.payload),
      [],
      "no refusal: the entry waited for the other follower's close",
    );
  });

  it("converges several quick leader fills without doubling", async () => {
    const { out } = await load();
    // Every order waits 150 ms at the gateway: a follower's order is still in flight when the next leader fills come.
    await restClient(rt.sim).post("/sim/faults", { latency: { "Order/place": 150 } });
    const before = await placed();
    const hand: Array<Promise<void>> = [];
    for (let i = 1; i <= 4; i++) {
      hand.push(trade(LEADER, BUY, 1));
      // The next fill is sent once this one reached the gateway: four fills spread over the followers' orders.
      await until(async () => (await placed()) >= before + i, `leader order ${i} at the gateway`);
    }
    await Promise.all(hand);
    await expectPositions([4, 6, 1], "the followers at the leader's final position");
    const steps = out.filter((m) => m.payload.accountId === F1).map((m) => [m.payload.from, m.payload.to]);
    // Each order of the first follower starts from where the previous one left it: none sent twice.
    for (let i = 1; i < steps.length; i++) assert.equal(steps[i]![0], steps[i - 1]![1], JSON.stringify(steps));
    assert.ok(steps.length < 4, `fewer orders than leader fills: ${JSON.stringify(steps)}`);
    // Never doubled: a follower that overshot would have had to sell back.
    const fills = await followerFills();
    assert.deepEqual(fills[F1], { bought: 6, sold: 0 });
    assert.deepEqual(fills[F2], { bought: 1, sold: 0 });
  });

  it("refuses entries to a follower without a rules node, once per leader change, and still closes it", async () => {
    const { out } = await load({ unguarded: [F2] });
    await trade(F2, BUY, 2);
    await expectPositions(
      [0, 0, 0],
      "a follower traded by hand is taken back to the leader's (flat): an exit needs no rules node",
    );
    await trade(LEADER, BUY, 1);
    await expectPositions([1, 1, 0], "the guarded follower mirrors, the unguarded one gets no entry");
    await until(() => out.some((m) => m.topic === "copy/refused"), "the entry refused");
    await trade(LEADER, BUY, 1);
    await expectPositions([2, 3, 0], "the next change mirrored on the guarded follower");
    await until(() => out.filter((m) => m.topic === "copy/refused").length === 2, "refused again for the new change");
    const r = out.filter((m) => m.topic === "copy/refused");
    assert.deepEqual(
      r.map((m) => [m.payload.accountId, m.payload.rule, m.payload.to]),
      [
        [F2, "noRulesNode", 1],
        [F2, "noRulesNode", 1],
      ],
    );
    assert.match(r[0].payload.reason ?? "", /no rules node guards account 10003/);
    assert.deepEqual(
      out.filter((m) => m.payload.accountId === F2 && m.topic === "copy/sent").map((m) => m.payload.action),
      ["close"],
    );
  });

  it("converges the followers to the leader's position from REST after a dropped user hub", async () => {
    const { copy, conn, out } = await load();
    await trade(LEADER, BUY, 2);
    await expectPositions([2, 3, 1], "the entry mirrored");
    await restClient(rt.sim).post("/sim/faults", { dropHubs: "user", rejectUpgrades: 1000 });
    await until(() => conn.status().user !== "connected", "the user hub down");
    await until(() => /^catching up/.test(lastStatus(copy).text ?? ""), "the copier catching up");
    assert.equal(lastStatus(copy).fill, "yellow");
    const sentBefore = out.length;
    // The leader reverses while the copier cannot hear it.
    await trade(LEADER, SELL, 4);
    await trade(LEADER, SELL, 1);
    await expectPositions([-3, 3, 1], "nothing copied while the hub is down");
    assert.equal(out.length, sentBefore);
    await restClient(rt.sim).delete("/sim/faults");
    await expectPositions([-3, -4, -1], "the followers converged after the reconnection", 30_000);
    await until(() => /^copying/.test(lastStatus(copy).text ?? ""), "copying again");
  });

  it("flattens a breached follower only, and does not re-enter it", async () => {
    const { out } = await load({
      rules: { [F2]: { dailyLossAmount: "100", dailyLossMode: "fixed", dailyLossAction: "flattenAndBlock" } },
    });
    await trade(LEADER, BUY, 2);
    await expectPositions([2, 3, 1], "the entry mirrored");
    // 60 points on 1 MNQ is $120 for the Express Funded follower, past its $100 daily loss; the others hold.
    await setPrice(rt.sim, mnq, 24_940);
    await expectPositions([2, 3, 0], "the breached follower flattened, the leader and the other kept");
    await until(
      () => out.some((m) => m.topic === "copy/refused" && m.payload.accountId === F2),
      "the re-entry refused by its rules",
    );
    await trade(LEADER, BUY, 1);
    await expectPositions([3, 4, 0], "the next change copied to the other follower only");
    await until(() => out.filter((m) => m.topic === "copy/refused").length === 2, "refused once more");
    const refused = out.filter((m) => m.topic === "copy/refused");
    assert.ok(
      refused.every((m) => m.payload.accountId === F2 && m.payload.rule === "dailyLossLimit"),
      JSON.stringify(refused.map((m) => m.payload)),
    );
    assert.equal(out.filter((m) => m.topic === "copy/sent" && m.payload.accountId === F2).length, 1, "F2's entry only");
  });

  it("catches up after a redeploy, and places nothing when already converged", async () => {
    let n = await load();
    await trade(LEADER, BUY, 2);
    await expectPositions([2, 3, 1], "the entry mirrored");
    await helper.unload();
    const before = await placed();
    n = await load();
    await until(() => n.conn.rest.stats.inFlight === 0, "the start's requests answered");
    await until(() => lastStatus(n.copy).text?.startsWith("copying"), "copying");
    assert.equal(await placed(), before, "nothing placed after a redeploy of converged accounts");
    assert.equal(n.out.length, 0);
    await helper.unload();
    await trade(LEADER, SELL, 3);
    const counts = async () => {
      const r = (await rt.state()).requests;
      return [r["Order/place"]?.received ?? 0, r["Position/closeContract"]?.received ?? 0];
    };
    const [places, closes] = await counts();
    n = await load();
    await expectPositions([-1, -1, -1], "the change made while undeployed caught up at start");
    await until(() => n.conn.rest.stats.inFlight === 0, "the catch-up's requests answered");
    assert.deepEqual(await counts(), [places + 2, closes + 2], "one close and one entry per follower");
    assert.deepEqual(
      n.out.filter((m) => m.topic !== "copy/sent").map((m) => m.payload),
      [],
      "no refusal while the rules nodes start",
    );
  });

  it("mirrors the leader's flatten by its own rules node, and answers its state on input", async () => {
    const { copy, out } = await load();
    await trade(LEADER, BUY, 2);
    await expectPositions([2, 3, 1], "the entry mirrored");
    helper.getNode(`r${LEADER}`).receive({ payload: { command: "killSwitch", on: true, flatten: true } });
    await expectPositions([0, 0, 0], "the leader's kill switch flattened it, and the followers closed");
    copy.receive({ payload: "state?" });
    await until(() => out.some((m) => m.topic === "copy/state"), "the state");
    const state = out.find((m) => m.topic === "copy/state")!.payload as unknown as Record<string, unknown>;
    assert.equal(state.leader, LEADER);
    assert.equal(state.state, "copying");
    assert.deepEqual(state.followers, [
      { account: String(F1), size: "×1.5" },
      { account: String(F2), size: "1 fixed" },
    ]);
  });

  it("copies only the products listed, and leaves the others alone", async () => {
    const { out } = await load({ symbols: "ES" });
    const es = (await frontMonth((await login(rt.sim)).api, "ES")).id;
    await setPrice(rt.sim, es, 6_800);
    await trade(LEADER, BUY, 1);
    const { api } = await login(rt.sim);
    const r = await api.post("/api/Order/place", {
      accountId: LEADER,
      contractId: es,
      type: T.Market,
      side: BUY,
      size: 2,
    });
    assert.equal(r.data.success, true);
    const held = async (contractId: string) => {
      const s = (await rt.state()).positions as Array<{
        accountId: number;
        contractId: string;
        size: number;
        type: number;
      }>;
      return [F1, F2].map((a) => s.find((p) => p.accountId === a && p.contractId === contractId)?.size ?? 0);
    };
    await until(async () => (await held(es)).join() === "3,1", "ES copied: ×1.5 of 2 is 3, fixed 1");
    assert.deepEqual(await held(mnq), [0, 0], "MNQ not copied");
    assert.ok(out.every((m) => m.payload.contractId === es));
  });

  it("shows a bad size rule in red, naming the field", async () => {
    const cfg = configFor(rt.sim);
    await helper.load(
      [...allNodes, copyNode],
      [
        cfg.node,
        {
          id: "copy",
          type: "topstepx-copy",
          server: "cfg",
          leader: String(LEADER),
          followers: [{ account: String(F1), sizeBy: "risk", size: "200" }],
          wires: [[]],
        },
      ],
      cfg.credentials,
    );
    const copy = helper.getNode("copy");
    await until(() => lastStatus(copy).fill === "red", "red status");
    assert.match(lastStatus(copy).text ?? "", /followers\[0\]\.sizeBy/);
    assert.equal((await rt.state()).requests["Order/place"]?.received ?? 0, 0);
  });
});
