import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Journal } from "../../src/core/journal/journal";
import type { OrderMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { setPrice, until } from "../support/sim";

type Row = { customTag?: string; intent?: { customTag?: string } };

/**
 * One order, one customTag: minted once where the order is first decided or sent, and carried
 * unchanged by the journal, the order node and the gateway, so a reconciliation finds the order.
 */
describe("node: an order's customTag is minted once and carried to the gateway", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-tag-" });
  beforeEach(() => setPrice(rt.sim, "ES", 6800));

  it("rules → order: the decided tag is the journaled order's and the simulator's", async () => {
    const cfg = configFor(rt.sim);
    const dbFile = join(rt.dir, "j.sqlite");
    await helper.load(
      allNodes,
      [
        cfg.node,
        {
          id: "r1",
          type: "topstepx-rules",
          server: "cfg",
          profile: "topstep-combine-50k",
          // Off: this test expects exactly one order at the gateway.
          guardStops: false,
          dbFile,
          wires: [["o1"], [], []],
        },
        { id: "o1", type: "topstepx-order", server: "cfg", wires: [["done"], ["done"]] },
        { id: "done", type: "helper" },
      ],
      cfg.credentials,
    );
    const r1 = helper.getNode("r1");
    const done = collect<OrderMsg>(helper.getNode("done"));
    await until(() => /MLL \$/.test(lastStatus(r1).text ?? ""), "the rules node guarding");
    r1.receive({ payload: { id: "tag-1", symbol: "ES", targetPosition: 2 } });
    await until(() => done.length === 1, "the order placed");
    const placedTag = done[0].payload.customTag as string;
    assert.match(placedTag ?? "", /^nrx-/, JSON.stringify(done[0].payload));
    const orders = (await rt.state()).orders;
    assert.deepEqual(
      orders.map((o) => o.customTag),
      [placedTag],
      "one order at the gateway, carrying the tag",
    );
    const j = new Journal(dbFile);
    try {
      const decided = j.entries({ kind: "decision" }).map((e) => (e.data as Row).customTag);
      const sent = j
        .entries({ kind: "order" })
        .map((e) => (e.data as Row).intent?.customTag ?? (e.data as Row).customTag);
      assert.deepEqual(decided, [placedTag], "the decision names the tag placed");
      assert.ok(sent.length > 0 && sent.every((t) => t === placedTag), `the order rows carry it: ${sent}`);
    } finally {
      j.close();
    }
  });

  it("order node alone: the tag in its answer is the one the gateway holds", async () => {
    const cfg = configFor(rt.sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        { id: "o1", type: "topstepx-order", server: "cfg", wires: [["done"], ["done"]] },
        { id: "done", type: "helper" },
      ],
      cfg.credentials,
    );
    const done = collect<OrderMsg>(helper.getNode("done"));
    await until(() => lastStatus(helper.getNode("o1")).text === "connected", "the order node connected");
    helper.getNode("o1").receive({ payload: { symbol: "ES", side: "buy", quantity: 1 } });
    await until(() => done.length === 1, "the order placed");
    const tag = done[0].payload.customTag as string;
    assert.equal(done[0].intent?.customTag, tag, "msg.intent names the tag sent");
    assert.deepEqual(
      (await rt.state()).orders.map((o) => o.customTag),
      [tag],
    );
  });
});
