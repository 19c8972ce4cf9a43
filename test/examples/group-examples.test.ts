import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type CommandMsg, type GroupAnswerMsg, groupNodes, lineOf, XFA_50K, XFA_150K } from "../support/group-flow";
import type { Received } from "../support/node-msgs";
import { collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, setPrice, until } from "../support/sim";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const functionNode = require("@node-red/nodes/core/function/10-function.js");

const ROOT = resolve(__dirname, "..", "..", "..");
const SECRET = "group-example-secret";

type FlowNode = Record<string, unknown> & { id: string; type: string };

function example(file: string): FlowNode[] {
  return JSON.parse(readFileSync(join(ROOT, "examples", file), "utf8")) as FlowNode[];
}

/** "0 Start here": the rules node of each account. */
const starter = () => example("0 Start here.json");

/**
 * The group examples as shipped, in the test runtime on the simulator: the webhook's alert node,
 * group node and three rules nodes of "5 One alert, several accounts", and the rows the group
 * dashboard's function makes of the group's state.
 */
describe("example: one alert, several accounts, and the group dashboard", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-group-example-" });
  let mnq: string;

  before(async () => {
    const { api } = await login(rt.sim);
    mnq = (await frontMonth(api, "MNQ")).id;
  });
  beforeEach(() => setPrice(rt.sim, mnq, 25_000));

  /** The shipped nodes of example 5 (and the dashboard's function and group of example 6) on the test configuration. */
  async function load() {
    const five = example("5 One alert, several accounts.json");
    const six = example("6 Group dashboard.json");
    const cfg = configFor(rt.sim);
    const onTest = (n: FlowNode, wires: string[][]) => ({ ...n, server: "cfg", wires });
    // The accounts' rules nodes are the starter's.
    const rules = starter()
      .filter((n) => n.type === "topstepx-rules" && n.account !== "10002")
      .map((n) => ({ ...onTest(n, [[], [], []]), dbFile: join(rt.dir, "j.sqlite") }));
    const shipped = (flow: FlowNode[], id: string) => flow.find((n) => n.id === id)!;
    await helper.load(
      [...groupNodes, functionNode],
      [
        shipped(five, "tsx-group"),
        shipped(six, "tsx-gdash"),
        cfg.node,
        onTest(shipped(five, "tsx-group-alert"), [["tsx-group-node"], ["refused"]]),
        onTest(shipped(five, "tsx-group-node"), [["answer"], []]),
        ...rules,
        onTest(shipped(six, "tsx-gdash-group"), [[], ["tsx-gdash-rows", "reply"]]),
        { ...shipped(six, "tsx-gdash-rows"), wires: [["rows"]] },
        { id: "answer", type: "helper" },
        { id: "refused", type: "helper" },
        { id: "rows", type: "helper" },
        { id: "reply", type: "helper" },
      ],
      { cfg: { ...cfg.credentials.cfg, webhookSecret: SECRET } },
    );
    for (const r of rules)
      await until(() => /MLL \$/.test(lastStatus(helper.getNode(r.id)).text ?? ""), `${r.id} synced`, 10_000);
    return {
      answers: collect<GroupAnswerMsg>(helper.getNode("answer")),
      rows: collect<Received<Array<Record<string, string>>>>(helper.getNode("rows")),
      replies: collect<CommandMsg>(helper.getNode("reply")),
    };
  }

  it("guards each of the three accounts with its own profile, and sizes the alert for each", async () => {
    const five = example("5 One alert, several accounts.json");
    const members = (five.find((n) => n.type === "topstepx-group")!.members as Array<{ account: string }>).map(
      (m) => m.account,
    );
    const profiles = starter()
      .filter((n) => n.type === "topstepx-rules" && members.includes(String(n.account || "10001")))
      .map((n) => `${n.account || "10001"}:${n.profile}`);
    assert.deepEqual(profiles, ["10001:topstep-combine-50k", "10003:topstep-xfa-50k", "10004:topstep-xfa-150k"]);

    const { answers } = await load();
    helper.getNode("tsx-group-alert").receive({
      payload: { secret: SECRET, id: "ex5-1", symbol: "MNQ1!", side: "buy", quantity: 1, stopLoss: 40, takeProfit: 80 },
    });
    const answer = await until(() => answers[0], "the group's answer", 10_000);
    assert.equal(answer.statusCode, 200, JSON.stringify(answer.payload));
    // The Combine takes the alert's 1, the 50K Express Funded always 1, the 150K three times the alert's.
    assert.deepEqual(
      [ACCOUNT, XFA_50K, XFA_150K].map((a) => [lineOf(answer, a).outcome, lineOf(answer, a).quantity]),
      [
        ["placed", 1],
        ["placed", 1],
        ["placed", 3],
      ],
    );
    const held = (a: number) => rt.sim.exchange.openPositionsOf(a).find((p) => p.contractId === mnq)?.size ?? 0;
    await until(() => held(ACCOUNT) === 1 && held(XFA_50K) === 1 && held(XFA_150K) === 3, "the three positions");
  });

  it("the dashboard shows one row per account, and its kill switch holds every account", async () => {
    const { rows, replies } = await load();
    const group = helper.getNode("tsx-gdash-group");
    group.receive({ payload: { command: "state" } });
    const table = await until(() => rows[0]?.payload, "the dashboard's rows", 10_000);
    assert.deepEqual(
      table.map((r) => r.account),
      ["50KTC-V2-SIM-10001", "50KXFA-V2-SIM-10003", "150KXFA-V2-SIM-10004"],
    );
    assert.deepEqual(
      table.map((r) => r.size),
      ["×1", "1 fixed", "×3"],
    );
    for (const r of table) {
      assert.match(r["MLL left"]!, /^\$[\d,]+$/, JSON.stringify(r));
      assert.equal(r.position, "flat");
      assert.match(r.status!, /^MLL \$/);
    }

    const kill = example("6 Group dashboard.json").find((n) => n.id === "tsx-gdash-kill")!;
    group.receive({ payload: JSON.parse(String(kill.payload)) });
    await until(() => replies.find((m) => m.topic === "killSwitch"), "the kill switch's reply");
    group.receive({ payload: { command: "state" } });
    const after = await until(() => rows.find((m) => m.payload.every((r) => r.status === "kill switch on")), "held");
    assert.equal(after.payload.length, 3);
  });
});
