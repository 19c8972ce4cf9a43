import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { DecisionMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, SECOND_ACCOUNT, setPrice, until } from "../support/sim";
import { BUY, T } from "../support/trading";

/**
 * Topstep prohibits hedging between a trader's accounts: two rules nodes on two accounts of one
 * login, in the real runtime on the simulator. A mini and its micro are one market.
 */
describe("node: topstepx-rules refuses a hedge across accounts", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-hedge-" });
  let mnq: string;

  before(async () => {
    const { api } = await login(rt.sim);
    mnq = (await frontMonth(api, "MNQ")).id;
  });
  beforeEach(async () => {
    await setPrice(rt.sim, mnq, 25_000);
    await setPrice(rt.sim, "NQ", 25_000);
    await setPrice(rt.sim, "MES", 6_800);
  });

  async function load(rules: Record<string, unknown> = {}) {
    const cfg = configFor(rt.sim);
    const rulesNode = (id: string, account: number) => ({
      id,
      type: "topstepx-rules",
      server: "cfg",
      account: String(account),
      profile: "topstep-combine-50k",
      dbFile: join(rt.dir, "journal.sqlite"),
      ...rules,
      wires: [[`${id}-ok`], [`${id}-no`], []],
    });
    await helper.load(
      allNodes,
      [
        cfg.node,
        rulesNode("r1", ACCOUNT),
        rulesNode("r2", SECOND_ACCOUNT),
        { id: "r1-ok", type: "helper" },
        { id: "r1-no", type: "helper" },
        { id: "r2-ok", type: "helper" },
        { id: "r2-no", type: "helper" },
      ],
      cfg.credentials,
    );
    const [r1, r2] = [helper.getNode("r1"), helper.getNode("r2")];
    await until(
      () => /MLL \$/.test(lastStatus(r1).text ?? "") && /MLL \$/.test(lastStatus(r2).text ?? ""),
      "both rules nodes synced",
    );
    return { r2, ok: collect<DecisionMsg>(helper.getNode("r2-ok")), no: collect<DecisionMsg>(helper.getNode("r2-no")) };
  }

  async function longMnqOnFirstAccount() {
    const { api } = await login(rt.sim);
    const r = await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: mnq,
      type: T.Market,
      side: BUY,
      size: 2,
    });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
    const conn = helper.getNode("cfg").connection;
    await until(() => conn.book(ACCOUNT)?.positions.size === 1, "the first account's long seen");
  }

  it("refuses a short NQ on one account while another is long MNQ, and lets the same side and other markets through", async () => {
    const n = await load();
    await longMnqOnFirstAccount();
    n.r2.receive({ payload: { symbol: "NQ", side: "sell", quantity: 1 } });
    await until(() => n.no.length === 1, "the short refused");
    assert.equal(n.no[0].decision.rule, "crossAccountHedge");
    assert.match(n.no[0].decision.reason, /short NQ while account .*\(10001\) is long NQ/);
    n.r2.receive({ payload: { symbol: "MNQ", side: "buy", quantity: 1 } });
    n.r2.receive({ payload: { symbol: "MES", side: "sell", quantity: 1 } });
    await until(() => n.ok.length === 2, "the same side and another market approved");
    assert.equal(n.no.length, 1);
  });

  it("lets a hedge through when the rule is switched off", async () => {
    const n = await load({ refuseCrossAccountHedge: false });
    await longMnqOnFirstAccount();
    n.r2.receive({ payload: { symbol: "MNQ", side: "sell", quantity: 1 } });
    await until(() => n.ok.length === 1, "approved");
  });
});
