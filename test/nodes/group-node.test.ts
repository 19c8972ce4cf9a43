import { strict as assert } from "node:assert";
import { lineOf, loadGroup, nativeBrackets, XFA_50K, XFA_150K } from "../support/group-flow";
import { helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, setPrice, until } from "../support/sim";
import { BUY, SELL, T } from "../support/trading";

/**
 * One alert, three accounts, in the real runtime on the simulator: a 50K Combine, a 50K and a 150K
 * Express Funded account, each with its own rules node, fed by one topstepx-group node.
 */
describe("node: topstepx-group fans one alert out to its accounts", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-group-" });
  let mnq: string;

  before(async () => {
    const { api } = await login(rt.sim);
    mnq = (await frontMonth(api, "MNQ")).id;
  });
  beforeEach(async () => {
    await setPrice(rt.sim, mnq, 25_000);
    await nativeBrackets(rt);
  });

  const placesAt = async () => (await rt.state()).requests["Order/place"]?.executed ?? 0;
  type SimOrder = { accountId: number; type: number; size: number; side: number; customTag?: string | null };
  const ordersOf = async (accountId: number) =>
    ((await rt.state()).orders as unknown as SimOrder[]).filter((o) => o.accountId === accountId);

  it("places on every account at once, each sized by its own rule, and answers each outcome", async () => {
    const n = await loadGroup(rt);
    const a = await n.alert({
      action: "place",
      symbol: "MNQ",
      side: "buy",
      quantity: 4,
      stopLoss: { ticks: 20 },
      id: "fan-1",
    });
    assert.equal(a.statusCode, 200, JSON.stringify(a.payload));
    assert.equal(a.payload.ok, true);
    assert.equal(a.payload.group, "trio");
    assert.equal(a.payload.id, "fan-1");
    assert.deepEqual(
      a.payload.accounts.map((x) => [x.accountId, x.outcome, x.quantity]),
      [
        [ACCOUNT, "placed", 1],
        [XFA_50K, "placed", 2],
        // $200 at a 20-tick MNQ stop ($10 + fees each way): 17 fit, the rule's maximum is 3.
        [XFA_150K, "placed", 3],
      ],
    );
    assert.equal(lineOf(a, XFA_150K).name, "150KXFA-V2-SIM-10004");
    assert.equal(lineOf(a, XFA_150K).size, "$200 risk (max 3)");
    for (const line of a.payload.accounts) assert.equal(typeof line.orderId, "number");
    assert.equal(await placesAt(), 3, "one Order/place per account");
    for (const [account, size] of [
      [ACCOUNT, 1],
      [XFA_50K, 2],
      [XFA_150K, 3],
    ] as const) {
      const orders = (await ordersOf(account)).filter((o) => o.type === T.Market);
      assert.equal(orders.length, 1, `one entry on ${account}`);
      assert.equal(orders[0]!.size, size);
      assert.equal(orders[0]!.side, BUY);
      assert.equal(orders[0]!.customTag, lineOf(a, account).customTag);
    }
    await until(() => /^3 placed · 3 accounts$/.test(lastStatus(n.g).text ?? ""), "the group's status");
    assert.equal(lastStatus(n.g).fill, "green");
  });

  it("answers state with one row per account: balance, day P&L, MLL headroom, position, guard, status", async () => {
    const n = await loadGroup(rt);
    await n.alert({ action: "place", symbol: "MNQ", side: "buy", quantity: 4, stopLoss: { ticks: 20 }, id: "st-1" });
    await until(() => n.conn.book(XFA_50K)?.positions.size === 1, "the 50K XFA's position seen");
    const r = await n.command({ command: "state" });
    assert.equal(r.topic, "state");
    const rows = r.payload as Array<Record<string, unknown>>;
    assert.equal(rows.length, 3);
    const [c, x50, x150] = rows as Array<{
      accountId: number;
      size: string;
      balance: number;
      mllLeft: number;
      dayPnl: number;
      positions: Array<{ size: number }>;
      status: string;
      killSwitch: boolean;
      synced: boolean;
    }>;
    assert.equal(c!.accountId, ACCOUNT);
    assert.equal(c!.size, "1 fixed");
    assert.ok(c!.balance > 49_990 && c!.balance <= 50_000, `balance ${c!.balance}`);
    assert.equal(x50!.size, "×0.5");
    assert.ok(x50!.balance <= 0 && x50!.balance > -10, `balance ${x50!.balance}`);
    assert.deepEqual(
      x50!.positions.map((p) => p.size),
      [2],
    );
    assert.equal(x150!.accountId, XFA_150K);
    for (const row of rows as Array<{ synced: boolean; killSwitch: boolean; mllLeft: number; status: string }>) {
      assert.equal(row.synced, true);
      assert.equal(row.killSwitch, false);
      assert.equal(typeof row.mllLeft, "number");
      assert.match(row.status, /MLL \$/);
    }
  });

  it("lets the others place when one account's kill switch refuses, and answers 207 with each reason", async () => {
    const n = await loadGroup(rt);
    helper.getNode("r3").receive({ payload: { command: "killSwitch", on: true } });
    await until(
      () => /kill switch on/.test(lastStatus(helper.getNode("r3")).text ?? ""),
      "the 50K XFA's kill switch on",
    );
    const a = await n.alert({
      action: "place",
      symbol: "MNQ",
      side: "sell",
      quantity: 2,
      id: "part-1",
      stopLoss: { ticks: 40 },
    });
    assert.equal(a.statusCode, 207, JSON.stringify(a.payload));
    assert.equal(a.payload.ok, false);
    assert.equal(lineOf(a, ACCOUNT).outcome, "placed");
    assert.equal(lineOf(a, XFA_150K).outcome, "placed");
    const refused = lineOf(a, XFA_50K);
    assert.equal(refused.outcome, "refused");
    assert.equal(refused.rule, "killSwitch");
    assert.equal(refused.status, 422);
    assert.match(refused.reason ?? "", /kill switch/i);
    assert.equal(a.payload.summary, "2 placed, 1 refused");
    assert.equal(await placesAt(), 2);
    assert.equal((await ordersOf(XFA_50K)).length, 0, "nothing sent for the refused account");
    assert.equal(lastStatus(n.g).fill, "yellow");
  });

  it("refuses a member's buy while another path holds that account short the same market (crossAccountHedge)", async () => {
    const n = await loadGroup(rt);
    // The 150K XFA is short MNQ through another path (a hand trade on the account).
    const { api } = await login(rt.sim);
    const r = await api.post("/api/Order/place", {
      accountId: XFA_150K,
      contractId: mnq,
      type: T.Market,
      side: SELL,
      size: 1,
    });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
    await until(() => n.conn.book(XFA_150K)?.positions.size === 1, "the 150K XFA's short seen");
    const a = await n.alert({
      action: "place",
      symbol: "MNQ",
      side: "buy",
      quantity: 2,
      id: "hedge-1",
      stopLoss: { ticks: 40 },
    });
    // The first member to buy is refused: the 150K XFA is short; the buys on the others are refused
    // too (each would hedge against the 150K's short), and the 150K's own buy is an exit.
    const combine = lineOf(a, ACCOUNT);
    assert.equal(combine.outcome, "refused");
    assert.equal(combine.rule, "crossAccountHedge");
    assert.match(combine.reason ?? "", /long NQ while account .*10004.* is short/);
    assert.equal(lineOf(a, XFA_50K).rule, "crossAccountHedge");
    // The 150K's own buy reverses its short: no other account holds the market, so it goes.
    assert.equal(lineOf(a, XFA_150K).outcome, "placed", JSON.stringify(a.payload));
    assert.equal(a.statusCode, 207);
    assert.equal(await placesAt(), 2, "the hand trade and the 150K's buy only");
  });

  it("never places twice: the same alert id again is a duplicate for every account, and no Order/place is sent", async () => {
    const n = await loadGroup(rt);
    const alert = { action: "place", symbol: "MNQ", side: "buy", quantity: 2, id: "dup-1", stopLoss: { ticks: 40 } };
    const first = await n.alert(alert);
    assert.equal(first.statusCode, 200, JSON.stringify(first.payload));
    assert.equal(await placesAt(), 3);
    const again = await n.alert(alert);
    assert.equal(again.statusCode, 409, JSON.stringify(again.payload));
    assert.deepEqual(
      again.payload.accounts.map((x) => x.outcome),
      ["duplicate", "duplicate", "duplicate"],
    );
    assert.equal((await rt.state()).requests["Order/place"]?.received, 3, "no second Order/place reached the gateway");
  });

  it("places once per account when the same alert arrives twice at the same moment", async () => {
    const n = await loadGroup(rt);
    const alert = { action: "place", symbol: "MNQ", side: "buy", quantity: 2, id: "twin-1", stopLoss: { ticks: 40 } };
    n.g.receive({ payload: { ...alert } });
    n.g.receive({ payload: { ...alert } });
    await until(() => n.out.length === 2, "both answers");
    const lines = n.out.flatMap((m) => m.payload.accounts);
    for (const account of [ACCOUNT, XFA_50K, XFA_150K])
      assert.deepEqual(
        lines
          .filter((l) => l.accountId === account)
          .map((l) => l.outcome)
          .sort(),
        ["duplicate", "placed"],
        `account ${account}`,
      );
    assert.equal((await rt.state()).requests["Order/place"]?.received, 3, "one Order/place per account");
  });

  it("sizes a target position per account, and a strategy going flat closes every account's position", async () => {
    const n = await loadGroup(rt);
    const t = await n.alert({ action: "place", type: "market", symbol: "MNQ", targetPosition: -4, id: "tgt-1" });
    assert.deepEqual(
      t.payload.accounts.map((l) => [l.outcome, l.quantity]),
      [
        ["placed", 1],
        ["placed", 2],
        ["refused", undefined],
      ],
      JSON.stringify(t.payload),
    );
    assert.match(lineOf(t, XFA_150K).reason ?? "", /needs a stop-loss in ticks/);
    assert.equal(lineOf(t, XFA_150K).rule, "sizeRule");
    for (const a of [ACCOUNT, XFA_50K]) await until(() => n.conn.book(a)?.positions.size === 1, `account ${a} short`);
    const again = await n.alert({ action: "place", type: "market", symbol: "MNQ", targetPosition: -4, id: "tgt-2" });
    assert.deepEqual(
      again.payload.accounts.slice(0, 2).map((l) => [l.outcome, l.rule]),
      [
        ["nothingToDo", "atTarget"],
        ["nothingToDo", "atTarget"],
      ],
    );
    const flat = await n.alert({
      action: "place",
      symbol: "MNQ",
      side: "buy",
      quantity: 4,
      strategyPosition: { after: "flat", before: "short" },
      id: "tgt-3",
    });
    assert.deepEqual(
      flat.payload.accounts.map((l) => [l.action, l.outcome]),
      [
        ["close", "placed"],
        ["close", "placed"],
        ["close", "nothingToDo"],
      ],
      JSON.stringify(flat.payload),
    );
    await until(async () => (await rt.state()).positions.length === 0, "every account flat");
  });

  it("lets an exit without a stop through on a dollar-risk account: it closes what the account holds", async () => {
    const n = await loadGroup(rt);
    await n.alert({ action: "place", symbol: "MNQ", side: "buy", quantity: 4, stopLoss: { ticks: 20 }, id: "ex-1" });
    await until(() => n.conn.book(XFA_150K)?.positions.size === 1, "the 150K XFA long 3");
    const exit = await n.alert({ action: "place", symbol: "MNQ", side: "sell", quantity: 4, id: "ex-2" });
    assert.equal(exit.statusCode, 200, JSON.stringify(exit.payload));
    assert.deepEqual(
      exit.payload.accounts.map((l) => [l.accountId, l.outcome, l.quantity]),
      [
        [ACCOUNT, "placed", 1],
        [XFA_50K, "placed", 2],
        [XFA_150K, "placed", 3],
      ],
    );
    await until(async () => (await rt.state()).positions.length === 0, "every account flat");
  });

  it("refuses entries for an account no rules node guards, and lets its close through", async () => {
    const n = await loadGroup(rt, {
      guarded: [
        { id: "r1", account: ACCOUNT, profile: "topstep-combine-50k" },
        { id: "r3", account: XFA_50K, profile: "topstep-xfa-50k" },
      ],
    });
    // The 150K XFA holds a long from another path: the group's close must reach it.
    const { api } = await login(rt.sim);
    await api.post("/api/Order/place", { accountId: XFA_150K, contractId: mnq, type: T.Market, side: BUY, size: 1 });
    const entry = await n.alert({
      action: "place",
      symbol: "MNQ",
      side: "buy",
      quantity: 2,
      id: "nr-1",
      stopLoss: { ticks: 40 },
    });
    assert.equal(entry.statusCode, 207);
    const unguarded = lineOf(entry, XFA_150K);
    assert.equal(unguarded.outcome, "refused");
    assert.equal(unguarded.rule, "noRules");
    assert.match(unguarded.reason ?? "", /No rules node guards account 10004/);
    const close = await n.alert({ action: "close", symbol: "MNQ", id: "nr-2" });
    assert.equal(lineOf(close, XFA_150K).outcome, "placed", JSON.stringify(close.payload));
    await until(
      async () => (await rt.state()).positions.every((p) => (p as { accountId?: number }).accountId !== XFA_150K),
      "the 150K XFA flat",
    );
    const state = await n.command({ command: "state" });
    const row = (
      state.payload as Array<{ accountId: number; status: string; rule: string | null; synced: boolean }>
    )[2]!;
    assert.deepEqual(
      [row.accountId, row.status, row.rule, row.synced],
      [XFA_150K, "no rules node: entries refused", "noRules", false],
    );
    // The group's kill switch with a flatten reaches the account without rules too: exits always go.
    await api.post("/api/Order/place", { accountId: XFA_150K, contractId: mnq, type: T.Market, side: SELL, size: 1 });
    await n.command({ command: "killSwitch", on: true, flatten: true });
    await until(
      async () => (await rt.state()).positions.every((p) => (p as { accountId?: number }).accountId !== XFA_150K),
      "the 150K XFA flattened by the group's kill switch",
    );
  });

  it("shows a red status naming the member and field of a bad member, and refuses every alert with it", async () => {
    const n = await loadGroup(rt, {
      guarded: [],
      members: [
        { account: String(ACCOUNT), size: { kind: "fixed", quantity: 1 } },
        { account: String(XFA_50K), size: { kind: "multiplier", factor: "" }, label: "xfa50" },
      ],
    });
    await until(() => lastStatus(n.g).fill === "red", "red status");
    assert.equal(lastStatus(n.g).text, "bad members[2].size.factor");
    const a = await n.alert({ action: "place", symbol: "MNQ", side: "buy", quantity: 1, id: "bad-1" });
    assert.equal(a.statusCode, 400);
    assert.equal(a.payload.field, "members[2].size.factor");
    assert.match(a.payload.error ?? "", /members\[2\] \(xfa50\)\.size\.factor: required for a multiplier size rule/);
    assert.equal(await placesAt(), 0);
  });

  it("lets the others place when one member's account does not exist, and names it in that account's line", async () => {
    const n = await loadGroup(rt, {
      members: [
        { account: "NO-SUCH-ACCOUNT", size: { kind: "fixed", quantity: 1 } },
        { account: String(ACCOUNT), size: { kind: "fixed", quantity: 1 } },
        { account: String(XFA_50K), size: { kind: "fixed", quantity: 1 } },
      ],
    });
    const a = await n.alert({ action: "place", symbol: "MNQ", side: "buy", quantity: 1, id: "unknown-1" });
    assert.equal(a.statusCode, 207, JSON.stringify(a.payload));
    const [missing, ...placed] = a.payload.accounts;
    assert.deepEqual([missing!.account, missing!.accountId, missing!.outcome], ["NO-SUCH-ACCOUNT", null, "failed"]);
    assert.match(missing!.reason ?? "", /no account named "NO-SUCH-ACCOUNT"/);
    assert.equal(missing!.status, 400);
    assert.deepEqual(
      placed.map((l) => l.outcome),
      ["placed", "placed"],
    );
    assert.equal(await placesAt(), 2);
  });
});
