import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Journal } from "../../src/core/journal/journal";
import type { StateMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, setPrice, until } from "../support/sim";

/**
 * The rules node counts what the account is charged: fees and commissions on every fill, and both
 * again in the estimated cost of closing what is open. MNQ: $0.37 fees and $0.25 commission per
 * contract per side, $0.50 a tick; with a bare /sim/price, bid = price and ask = price + 0.25.
 */
describe("node: topstepx-rules counts fees and commissions", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-costs-" });
  let mnq: string;

  before(async () => {
    mnq = (await frontMonth((await login(rt.sim)).api, "MNQ")).id;
  });
  beforeEach(async () => {
    await setPrice(rt.sim, mnq, 25000);
  });

  async function load() {
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
          dailyLossAmount: "100",
          dailyLossMode: "fixed",
          dailyLossAction: "flattenAndBlock",
          // Off: this test reads the rules' own breach; a guard would close the position first.
          guardStops: false,
          dbFile: join(rt.dir, "journal.sqlite"),
          wires: [[], [], ["st"]],
        },
        { id: "st", type: "helper" },
      ],
      cfg.credentials,
    );
    const r1 = helper.getNode("r1");
    const st = collect<StateMsg>(helper.getNode("st"));
    await until(() => /MLL \$/.test(lastStatus(r1).text ?? ""), "the rules node ready");
    return { r1, st };
  }

  it("reaches a $100 daily loss $5 earlier on 10 MNQ than fees alone would, and journals both costs", async () => {
    const { st } = await load();
    const { api } = await login(rt.sim);
    await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mnq, type: 2, side: 0, size: 10 }); // 25000.25
    await until(async () => (await rt.state()).positions.length === 1, "the position");
    // Bid 25000: open P&L -1 tick × $0.50 × 10 = -$5. Balance 50,000 - 10 × ($0.37 + $0.25) = 49,993.80;
    // closing 10 is estimated at the same $6.20 (fees alone: $3.70). Equity 49,993.80 - 5 - 6.20.
    const seen = await until(
      () => st.find((m) => m.payload.headroom?.equity === 49982.6)?.payload.headroom,
      "equity 49,982.60: the balance and the closing estimate net of fees and commissions",
    );
    assert.equal(seen.dayPnl, -17.4);
    assert.equal(seen.dailyLoss, 82.6);

    // Bid 24995.75: open P&L -18 ticks × $5 = -$90. Day P&L -90 - 12.40 = -102.40: the limit is
    // reached. With fees only it would be -90 - 7.40 = -97.40, $2.60 short of it: commissions bring
    // the breach $5 of price move earlier (10 contracts × 2 sides × $0.25).
    await setPrice(rt.sim, mnq, 24995.75);
    await until(async () => (await rt.state()).positions.length === 0, "the account flattened by the daily loss");

    const j = new Journal(join(rt.dir, "journal.sqlite"));
    try {
      const breach = j.entries({ kind: "breach" }).map((e) => e.data as { rule: string; reason: string });
      assert.equal(breach[0]?.rule, "dailyLossLimit");
      assert.match(breach[0]!.reason, /Today's P&L -\$102\.40 reached the daily loss limit of \$100\.00/);
      const fills = await until(() => {
        const rows = j.entries({ kind: "fill" }).map((e) => e.data as { fees: number; commissions?: number });
        return rows.length === 2 ? rows : null;
      }, "both fills in the journal");
      assert.deepEqual(
        fills.map((f) => [f.fees, f.commissions]),
        [
          [3.7, 2.5],
          [3.7, 2.5],
        ],
      );
    } finally {
      j.close();
    }
  });
});

describe("node: topstepx-rules estimates closing costs from what the account was charged", () => {
  // An account charged $1.00 of commission a side on MNQ, four times the typical $0.25.
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-costs-charged-", sim: { commissions: { MNQ: 1 } } });

  it("counts the closing of 10 MNQ at the $1.37 a side its entry was charged", async () => {
    const mnq = (await frontMonth((await login(rt.sim)).api, "MNQ")).id;
    await setPrice(rt.sim, mnq, 25000);
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
          wires: [[], [], ["st"]],
        },
        { id: "st", type: "helper" },
      ],
      cfg.credentials,
    );
    const st = collect<StateMsg>(helper.getNode("st"));
    await until(() => /MLL \$/.test(lastStatus(helper.getNode("r1")).text ?? ""), "the rules node ready");
    const { api } = await login(rt.sim);
    await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mnq, type: 2, side: 0, size: 10 }); // 25000.25
    // Balance 50,000 - 10 × $1.37 = 49,986.30; open P&L -$5; closing 10 at the same $13.70
    // (the typical $0.62 a side would say $6.20 and overstate the equity by $7.50).
    const seen = await until(
      () => st.find((m) => m.payload.headroom?.equity === 49967.6)?.payload.headroom,
      "equity 49,967.60: the closing estimate at the costs the entry was charged",
    );
    assert.equal(seen.maxLoss, 1967.6);
  });
});
