import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Journal } from "../../src/core/journal/journal";
import { callsOn, statusOf } from "../support/node-calls";
import type { StateMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, until } from "../support/sim";

describe("node: topstepx-rules acts once on a daily loss breach", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-dll-" });
  let es: string;
  const requests = async () => Object.values((await rt.state()).requests).reduce((n, c) => n + c.received, 0);

  before(async () => {
    es = (await frontMonth((await login(rt.sim)).api, "ES")).id;
  });
  beforeEach(async () => {
    await setPrice(rt.sim, es, 6800);
  });

  // The Dashboard example's rules: a $200 buffer to the MLL and a $1,000 daily loss that blocks.
  async function load(ready: RegExp) {
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
          dailyLossAmount: "1000",
          dailyLossMode: "fixed",
          dailyLossAction: "flattenAndBlock",
          // Off: these tests are about the rules' own breaches (a guard filling on the gap is tested apart).
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
    await until(() => ready.test(statusOf(r1).text ?? ""), `the rules node status to match ${ready}`);
    return { r1, st, warnings: () => callsOn(r1, "warn").length };
  }

  /** One evaluation per simulated second: the account event of an unchanged balance makes the guard evaluate. */
  async function seconds(n: number, st: unknown[]) {
    const balance = (await rt.state()).accounts.find((a) => a.id === ACCOUNT)!.balance;
    for (let i = 0; i < n; i++) {
      rt.clock += 1000;
      const before = st.length;
      await restClient(rt.sim).post("/sim/account", { accountId: ACCOUNT, balance });
      await until(() => st.length > before, "an evaluation");
    }
  }

  function rows(kind: "breach" | "flatten") {
    const j = new Journal(join(rt.dir, "journal.sqlite"));
    try {
      return j.entries({ kind }).map((e) => e.data as { rule?: string; reason?: string });
    } finally {
      j.close();
    }
  }

  it("writes one breach and one flatten, then makes no gateway call while flat, also after a redeploy", async () => {
    let n = await load(/MLL \$/);
    const { api } = await login(rt.sim);
    await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: es, type: 2, side: 0, size: 2 });
    await until(async () => (await rt.state()).positions.length === 1, "the position");
    await until(() => n.st.some((m) => (m.payload.headroom?.contracts ?? 0) > 0), "the guard to see the position");
    // 6781: 2 ES × 19.25 points × $50 = $1,925 down: past the $1,000 daily loss and inside the $200
    // buffer to the MLL at once (a gap): the buffer acts first and its block covers the daily loss's.
    await setPrice(rt.sim, es, 6781);
    await until(async () => (await rt.state()).positions.length === 0, "the account flattened");
    await until(() => n.st.some((m) => m.payload.event === "flattened"), "the flatten finished");
    await seconds(1, n.st);
    const calls = await requests();
    await seconds(20, n.st);
    assert.equal(await requests(), calls, "no gateway call in 20 s while flat past the daily loss");
    assert.equal(n.warnings(), 2, "one warning per rule");
    assert.deepEqual(
      rows("breach").map((b) => b.rule),
      ["flattenBuffer", "dailyLossLimit"],
      "each rule breached once",
    );
    assert.equal(rows("flatten").length, 1, "the daily loss found the account flat already");

    await helper.unload();
    n = await load(/blocked: flatten buffer/);
    await seconds(1, n.st);
    const afterStart = await requests();
    await seconds(20, n.st);
    assert.equal(await requests(), afterStart, "no gateway call in 20 s after a redeploy");
    assert.equal(n.warnings(), 0, "no warning after a redeploy");
    assert.deepEqual(
      rows("breach").map((b) => b.rule),
      ["flattenBuffer", "dailyLossLimit"],
      "no breach row more",
    );
    assert.equal(rows("flatten").length, 1, "no flatten row more");
  });
});
