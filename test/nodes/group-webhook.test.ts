import { strict as assert } from "node:assert";
import { join } from "node:path";
import { groupNodes, MEMBERS, nativeBrackets, THREE, XFA_50K, XFA_150K } from "../support/group-flow";
import { configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, until } from "../support/sim";
import { VirtualClock } from "../support/virtual-clock";

/* eslint-disable @typescript-eslint/no-require-imports */
const httpInModule = require("@node-red/nodes/core/network/21-httpin.js");
const supertest = require("supertest");
/* eslint-enable @typescript-eslint/no-require-imports */

let httpNodeApp: unknown = null;
const httpNodes = (RED: { httpNode: unknown }) => {
  httpNodeApp = RED.httpNode;
  return httpInModule(RED);
};

interface Line {
  accountId: number;
  outcome: string;
  orderStatus?: string;
  quantity?: number;
  rule?: string;
  reason?: string;
  status: number;
}
interface Answer {
  status: number;
  body: { ok: boolean; group: string; id?: string; accounts: Line[]; summary: string };
}

/**
 * TradingView → http in → alert → group → http response: the webhook's answer lists every account,
 * with the HTTP status the README documents; the request budget the accounts share decides, on the
 * test's clock, which orders would be late.
 */
describe("node: topstepx-group answers a webhook for every account", () => {
  // The clock stands still: the request budget's window never moves unless the test moves it.
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-group-hook-" });
  let mnq: string;

  before(async () => {
    const { api } = await login(rt.sim);
    mnq = (await frontMonth(api, "MNQ")).id;
  });
  beforeEach(async () => {
    await setPrice(rt.sim, mnq, 25_000);
    await nativeBrackets(rt);
  });

  async function load(guarded = THREE) {
    const cfg = configFor(rt.sim);
    await helper.load(
      [httpNodes, ...groupNodes],
      [
        cfg.node,
        { id: "in", type: "http in", url: "/group", method: "post", wires: [["al"]] },
        { id: "al", type: "topstepx-alert", server: "cfg", requireSecret: false, wires: [["g"], ["res"]] },
        ...guarded.map((g) => ({
          id: g.id,
          type: "topstepx-rules",
          server: "cfg",
          account: String(g.account),
          profile: g.profile,
          dbFile: join(rt.dir, "journal.sqlite"),
          guardStops: false,
          ...g.extra,
          wires: [[], [], []],
        })),
        {
          id: "g",
          type: "topstepx-group",
          server: "cfg",
          name: "hook",
          members: MEMBERS,
          version: 1,
          wires: [["res"], []],
        },
        { id: "res", type: "http response" },
      ],
      cfg.credentials,
    );
    for (const g of guarded)
      await until(
        () => /MLL \$/.test(lastStatus(helper.getNode(g.id)).text ?? ""),
        `rules node ${g.id} synced`,
        10_000,
      );
    return { g: helper.getNode("g"), conn: helper.getNode("cfg").connection };
  }

  const post = (body: unknown): Promise<Answer> =>
    supertest(httpNodeApp).post("/group").set("content-type", "application/json").send(body);
  const placesAt = async () => (await rt.state()).requests["Order/place"]?.received ?? 0;

  it("answers 200 with each account's order when all three place", async () => {
    await load();
    const a = await post({ symbol: "MNQ", action: "buy", quantity: 2, stopLoss: 40, id: "hook-1" });
    assert.equal(a.status, 200, JSON.stringify(a.body));
    assert.equal(a.body.ok, true);
    assert.equal(a.body.id, "hook-1");
    assert.deepEqual(
      a.body.accounts.map((x) => [x.accountId, x.outcome, x.status]),
      [
        [ACCOUNT, "placed", 200],
        [XFA_50K, "placed", 200],
        [XFA_150K, "placed", 200],
      ],
    );
    assert.equal(await placesAt(), 3);
  });

  it("answers 207 for a partial success, 409 when the alert is sent again, and places nothing the second time", async () => {
    await load();
    helper.getNode("r4").receive({ payload: { command: "killSwitch", on: true } });
    await until(() => /kill switch on/.test(lastStatus(helper.getNode("r4")).text ?? ""), "the 150K's kill switch");
    const body = { symbol: "MNQ", action: "sell", quantity: 2, stopLoss: 40, id: "hook-2" };
    const a = await post(body);
    assert.equal(a.status, 207, JSON.stringify(a.body));
    assert.equal(a.body.ok, false);
    assert.deepEqual(
      a.body.accounts.map((x) => [x.outcome, x.status]),
      [
        ["placed", 200],
        ["placed", 200],
        ["refused", 422],
      ],
    );
    assert.equal(a.body.summary, "2 placed, 1 refused");
    const again = await post(body);
    assert.equal(again.status, 409, JSON.stringify(again.body));
    assert.equal(await placesAt(), 2, "no Order/place for the repeated alert");
  });

  it("answers late, and sends nothing, for an account whose order would wait in the shared budget past the alert's allowance", async () => {
    const { conn } = await load();
    // Everything the fan-out reads is read once before the budget is filled.
    await conn.contracts.resolve("MNQ");
    for (const m of MEMBERS) await helper.getNode("cfg").executor.accountId(m.account);
    const room = () => {
      const u = conn.rest.budgetUsage();
      return u.limit - u.reserved - u.used;
    };
    // Ordinary requests up to one short of the ordinary lane's ceiling: one more order fits now.
    const fill = room() - 1;
    await Promise.all(Array.from({ length: fill }, () => conn.api.searchOpenOrders(ACCOUNT)));
    assert.equal(room(), 1);
    const before = await placesAt();
    const a = await post({ symbol: "MNQ", action: "buy", quantity: 2, stopLoss: 40, id: "hook-late" });
    assert.equal(a.status, 207, JSON.stringify(a.body));
    const [first, second, third] = a.body.accounts;
    assert.equal(first!.outcome, "placed");
    for (const late of [second!, third!]) {
      assert.equal(late.outcome, "late", JSON.stringify(late));
      assert.equal(late.rule, "requestBudget");
      assert.equal(late.status, 503);
      // The window frees its oldest request a minute (and 5 %) after it was sent, on the test's clock.
      assert.match(
        late.reason ?? "",
        /would hold this order 63\.0 s, longer than the 2\.0 s the alert allows: not sent/,
      );
    }
    assert.equal((await placesAt()) - before, 1, "one Order/place: the late accounts sent nothing");
    assert.deepEqual(conn.pending.list(XFA_50K), [], "no reservation left behind for a late account");
    assert.deepEqual(conn.pending.list(XFA_150K), []);
  });

  it("answers 202 within 2 s while every account's close keeps failing at the gateway, and closes them once it recovers", async () => {
    const clock = new VirtualClock(rt.clock);
    helper.settings({ topstepxConfigClock: clock });
    try {
      const { conn } = await load();
      const entry = await post({ symbol: "MNQ", action: "buy", quantity: 2, stopLoss: 40, id: "hook-x1" });
      assert.equal(entry.status, 200, JSON.stringify(entry.body));
      for (const a of [ACCOUNT, XFA_50K, XFA_150K])
        await until(() => conn.book(a)?.positions.size === 1, `account ${a} long`);
      const faults = (body: object) => restClient(rt.sim).post("/sim/faults", body);
      await faults({ fail: [{ endpoint: "Position/closeContract", status: 503, count: 100_000 }] });
      const start = clock.now();
      let answer: Answer | null = null;
      void post({ symbol: "MNQ", action: "close", id: "hook-x2" }).then((r) => {
        answer = r;
      });
      const busy = () => conn.rest.stats.inFlight > 0;
      // Once the 2 s bound has passed, the answer is on its way through Node-RED: hold time still for it.
      const answering = () => busy() || (answer === null && clock.now() >= start + 2000);
      await clock.runUntil(() => answer !== null, { busy: answering, what: "the webhook's answer" });
      assert.equal(clock.now() - start, 2000, "answered at the 2 s bound, inside TradingView's 3 s");
      const got = answer as unknown as Answer;
      assert.equal(got.status, 202, JSON.stringify(got.body));
      assert.equal(got.body.ok, true);
      assert.deepEqual(
        got.body.accounts.map((l) => [l.outcome, l.orderStatus, l.status]),
        [
          ["placed", "retrying", 202],
          ["placed", "retrying", 202],
          ["placed", "retrying", 202],
        ],
      );
      const recovery = start + 20_000;
      await clock.runUntil(() => [ACCOUNT, XFA_50K, XFA_150K].every((a) => conn.book(a)?.positions.size === 0), {
        busy,
        what: "every account flat",
        events: [{ at: recovery, run: () => faults({ clear: true }) }],
      });
      assert.deepEqual((await rt.state()).positions, []);
    } finally {
      await restClient(rt.sim).delete("/sim/faults");
      helper.settings({ topstepxConfigClock: { now: rt.now } });
    }
  });
});
