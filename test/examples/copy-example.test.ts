import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import type { CopyReport } from "../../src/core/groups/copy-trader";
import { starterRules } from "../support/editor-import";
import type { Received } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, setPrice, until } from "../support/sim";
import { BUY, T } from "../support/trading";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const copyNode = require("../../nodes/topstepx-copy/topstepx-copy");

const ROOT = resolve(__dirname, "..", "..", "..");

/** The "Copy a leader account" example as shipped, in the test runtime on the simulator. */
describe("example: copy a leader account", function () {
  this.timeout(30_000);
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-copy-example-" });

  it("mirrors a hand trade of the leader on both followers, each through its rules node", async () => {
    const { api } = await login(rt.sim);
    const mnq = (await frontMonth(api, "MNQ")).id;
    await setPrice(rt.sim, mnq, 25_000);
    const flow = JSON.parse(readFileSync(join(ROOT, "examples", "7 Copy a leader account.json"), "utf8")) as Array<
      Record<string, unknown>
    >;
    const cfg = configFor(rt.sim);
    // The rules nodes of the leader and the followers are the starter's.
    const guards = ["tsx-start-rules", "tsx-start-rules-10002", "tsx-start-rules-10003"];
    const ours = [...flow, ...guards.map((id) => starterRules(id, "tsx-copy"))]
      .filter((n) => n.type === "topstepx-rules" || n.type === "topstepx-copy" || n.type === "tab")
      .map((n) =>
        n.type === "topstepx-rules"
          ? { ...n, server: "cfg", dbFile: join(rt.dir, "journal.sqlite"), wires: [[], [], []] }
          : n.type === "topstepx-copy"
            ? { ...n, server: "cfg", wires: [["out"]] }
            : n,
      );
    await helper.load(
      [...allNodes, copyNode],
      [cfg.node, ...ours, { id: "out", type: "helper", z: "tsx-copy" }],
      cfg.credentials,
    );
    const rules = ours.filter((n) => n.type === "topstepx-rules").map((n) => helper.getNode(n.id as string));
    assert.equal(rules.length, 3, "one rules node per account");
    for (const r of rules) await until(() => /MLL \$/.test(lastStatus(r).text ?? ""), "rules synced", 15_000);
    const copy = helper.getNode("tsx-copy-node");
    await until(() => lastStatus(copy).text === "copying 10001 → 2 followers", "copying");
    const out = collect<Received<CopyReport>>(helper.getNode("out"));
    const r = await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: mnq,
      type: T.Market,
      side: BUY,
      size: 2,
    });
    assert.equal(r.data.success, true);
    await until(() => out.length === 2, "an order per follower");
    const held = async () =>
      Object.fromEntries(
        (
          (await rt.state()).positions as Array<{ accountId: number; contractId: string; size: number; type: number }>
        ).map((p) => [p.accountId, p.size]),
      );
    await until(async () => {
      const h = await held();
      return h[10002] === 2 && h[10003] === 1;
    }, "10002 × leader, 10003 fixed 1");
  });
});
