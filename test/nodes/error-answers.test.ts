import { strict as assert } from "node:assert";
import { join } from "node:path";
import { callsOn } from "../support/node-calls";
import { allNodes, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { restClient, until } from "../support/sim";

/* eslint-disable @typescript-eslint/no-require-imports */
const httpInModule = require("@node-red/nodes/core/network/21-httpin.js");
const supertest = require("supertest");
/* eslint-enable @typescript-eslint/no-require-imports */

/** The http in and http response nodes; keeps the express app they serve on (RED.httpNode). */
let httpNodeApp: unknown = null;
const httpNodes = (RED: { httpNode: unknown }) => {
  httpNodeApp = RED.httpNode;
  return httpInModule(RED);
};

interface NodeStatus {
  fill?: string;
  text?: string;
}

interface Answer {
  status: number;
  body: { ok?: boolean; status?: number; field?: string; error?: string; reason?: string };
}

/**
 * One error, one answer: the same bad request sent to a webhook ending in the rules node and to one
 * ending in the order node is answered with the same HTTP status, body and node status.
 */
describe("node: the same error answered alike by every node", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-errors-" });

  async function load() {
    const cfg = configFor(rt.sim);
    const flow = [
      cfg.node,
      { id: "in-r", type: "http in", url: "/rules", method: "post", wires: [["r1"]] },
      { id: "in-o", type: "http in", url: "/order", method: "post", wires: [["o1"]] },
      {
        id: "r1",
        type: "topstepx-rules",
        server: "cfg",
        profile: "topstep-combine-50k",
        dbFile: join(rt.dir, "journal.sqlite"),
        wires: [[], ["res"], []],
      },
      { id: "o1", type: "topstepx-order", server: "cfg", wires: [["res"], ["res"]] },
      { id: "res", type: "http response" },
    ];
    await helper.load([httpNodes, ...allNodes], flow, cfg.credentials);
    const r1 = helper.getNode("r1");
    await until(() => /MLL \$/.test(lastStatus(r1).text ?? ""), "the rules node guarding");
    return { r1, o1: helper.getNode("o1") };
  }

  const post = (path: string, body: unknown): Promise<Answer> =>
    supertest(httpNodeApp).post(path).set("content-type", "application/json").send(body);

  it("answers an unknown symbol 400 naming the field, through the rules node and through the order node", async () => {
    const { r1, o1 } = await load();
    const bad = { symbol: "NOPE", side: "buy", quantity: 1 };
    const viaRules = await post("/rules", bad);
    const viaOrder = await post("/order", bad);
    const seen = (a: Answer) => [a.status, a.body.ok, a.body.status, a.body.field];
    assert.deepEqual(seen(viaRules), [400, false, 400, "symbol"], JSON.stringify(viaRules.body));
    assert.deepEqual(seen(viaOrder), seen(viaRules), JSON.stringify(viaOrder.body));
    assert.match(viaOrder.body.error ?? "", /unknown symbol "NOPE"/);
    assert.equal(viaOrder.body.reason, viaRules.body.reason);
    assert.deepEqual([lastStatus(o1).fill, lastStatus(o1).text], ["red", "bad symbol"]);
    // The rules node's status goes back to its headroom at the next rule-state update: any since the request.
    const shown = callsOn(r1, "status").map(([st]) => `${(st as NodeStatus).fill} ${(st as NodeStatus).text}`);
    assert.ok(shown.includes("red bad symbol"), shown.join(", "));
    const s = await rt.state();
    assert.equal(s.requests["Order/place"]?.received ?? 0, 0, "no order reached the gateway");
  });

  it("answers a gateway that fails before any decision 503 through both, and places nothing", async () => {
    await load();
    // Naming the account by its name makes both nodes look it up: that lookup is what fails.
    await restClient(rt.sim).post("/sim/faults", { fail: [{ endpoint: "Account/search", count: 100, status: 503 }] });
    const request = { symbol: "ES", side: "buy", quantity: 1, account: "50KTC-V2-SIM-10001" };
    const viaRules = await post("/rules", request);
    const viaOrder = await post("/order", request);
    await restClient(rt.sim).delete("/sim/faults");
    assert.deepEqual([viaRules.status, viaOrder.status], [503, 503], JSON.stringify([viaRules.body, viaOrder.body]));
    assert.deepEqual([viaRules.body.field, viaOrder.body.field], [undefined, undefined]);
    const s = await rt.state();
    assert.equal(s.requests["Order/place"]?.received ?? 0, 0, "no order reached the gateway");
  });
});
