import { strict as assert } from "node:assert";
import { readdirSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { EXAMPLES, example, type FlowNode, importAll, importLikeEditor } from "../support/editor-import";
import { deployExamples, EXAMPLE_SECRET, nodeErrors, postWebhook } from "../support/example-runtime";
import { callsOn } from "../support/node-calls";
import { collect, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { until } from "../support/sim";

const START = "0 Start here.json";
const FILES = readdirSync(EXAMPLES)
  .filter((f) => f.endsWith(".json"))
  .sort();
const OTHERS = FILES.filter((f) => f !== START);
/** What `npm start` deploys (scripts/start.mjs). */
const NPM_START = [
  START,
  "1 TradingView webhook to order.json",
  "2 P&L monitor and flatten.json",
  "5 One alert, several accounts.json",
];
/** The simulator's accounts the examples use; a blank account is the configuration's (10001). */
const ACCOUNTS = ["10001", "10002", "10003", "10004"];

const rulesNodes = (flows: FlowNode[]) => flows.filter((n) => n.type === "topstepx-rules");
const guarded = (flows: FlowNode[]) => rulesNodes(flows).map((n) => String(n.account || "10001"));

/** Every rules node of the flows running, its account synced, none refused. */
async function rulesRunning(flows: FlowNode[]): Promise<void> {
  for (const r of rulesNodes(flows))
    await until(
      () => /MLL \$|daily \$|day P&L/.test(lastStatus(helper.getNode(r.id)).text ?? ""),
      `${r.name} synced (status: ${lastStatus(helper.getNode(r.id)).text})`,
      15_000,
    );
}

/** The node the import gave this original id (Import copy renames every node but the shared configuration). */
function imported(flows: FlowNode[], type: string, match: (n: FlowNode) => boolean): FlowNode {
  const found = flows.filter((n) => n.type === type && match(n));
  assert.equal(found.length, 1, `one ${type} in the flows`);
  return found[0]!;
}

/**
 * Any combination of the examples, imported as the editor imports them, runs one rules node per
 * account: they are all in "0 Start here", and the other examples reach them through link nodes.
 */
describe("examples imported together", function () {
  this.timeout(60_000);
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-compose-" });
  // The notifications example posts to Discord and ntfy: here to a local stand-in that answers ok.
  let standIn: Server;
  const saved = { ...process.env };
  before(async () => {
    standIn = createServer((req, res) => req.resume().on("end", () => res.end("ok")));
    await new Promise<void>((r) => standIn.listen(0, "127.0.0.1", r));
    const base = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;
    Object.assign(process.env, { DISCORD_WEBHOOK_URL: `${base}/discord`, NTFY_SERVER: base, NTFY_TOPIC: "compose" });
  });
  after(async () => {
    process.env = saved;
    await new Promise((r) => standIn.close(r));
  });

  it("share only configuration nodes, alike in every file, so the import keeps one of each", () => {
    const seen = new Map<string, { file: string; node: FlowNode }>();
    for (const f of FILES)
      for (const n of example(f)) {
        const first = seen.get(n.id);
        if (!first) {
          seen.set(n.id, { file: f, node: n });
          continue;
        }
        assert.ok(!("x" in n), `${n.id} is in ${first.file} and ${f}: only configuration nodes may be shared`);
        assert.deepEqual(n, first.node, `${n.id} differs between ${first.file} and ${f}`);
      }
  });

  it('keeps every rules node in "0 Start here", one per account', () => {
    assert.deepEqual(guarded(example(START)).sort(), ACCOUNTS);
    for (const f of OTHERS) assert.deepEqual(guarded(example(f)), [], `${f} ships a rules node`);
  });

  for (let i = 0; i < OTHERS.length; i++)
    for (let j = i + 1; j < OTHERS.length; j++) {
      const pair = [OTHERS[i]!, OTHERS[j]!];
      it(`"${pair[0]}" and "${pair[1]}" on top of the starter deploy with no node error`, async () => {
        const flows = importAll([START, ...pair], "selected");
        assert.deepEqual(guarded(flows).sort(), ACCOUNTS);
        await deployExamples(flows, rt.sim, rt.dir);
        await rulesRunning(flows);
        assert.deepEqual(nodeErrors("tsx-config"), []);
      });
    }

  /**
   * Every example's "rule state for …" link in receives the starter's rule state: the rule state a
   * kill switch on the configuration's account sends reaches each of them (the msgs are checked by
   * topic: a notification's own topic is rewritten downstream, in the same msg object).
   */
  async function ruleStateReachesEveryExample(flows: FlowNode[]): Promise<void> {
    const listeners = flows.filter((n) => n.type === "link in" && /^rule state for /.test(String(n.name)));
    assert.deepEqual(listeners.map((n) => n.name).sort(), [
      "rule state for notifications",
      "rule state for the copier",
      "rule state for the group",
      "rule state for the monitor",
      "rule state for the webhook",
    ]);
    helper.getNode("tsx-start-rules").receive({ payload: { command: "killSwitch", on: true, reason: "compose" } });
    for (const l of listeners)
      await until(
        () => callsOn(helper.getNode(l.id), "send").some(([m]) => (m as { topic?: string }).topic === "killSwitch"),
        `the kill switch's rule state at "${l.name}"`,
      );
  }

  it("all of them after the starter, each with Import copy, run one rules node per account, every rule state linked", async () => {
    const flows = importAll([START, ...OTHERS], "copy");
    assert.deepEqual(guarded(flows).sort(), ACCOUNTS);
    await deployExamples(flows, rt.sim, rt.dir);
    await rulesRunning(flows);
    await ruleStateReachesEveryExample(flows);
    assert.deepEqual(nodeErrors("tsx-config"), []);
  });

  it("all of them before the starter, with View nodes ▸ Import selected, the same", async () => {
    // The starter's link out then finds the examples' link ins, which kept their ids.
    const flows = importAll([...OTHERS, START], "selected");
    assert.deepEqual(guarded(flows).sort(), ACCOUNTS);
    await deployExamples(flows, rt.sim, rt.dir);
    await rulesRunning(flows);
    await ruleStateReachesEveryExample(flows);
    assert.deepEqual(nodeErrors("tsx-config"), []);
  });

  it("the Dashboard imported on top of npm start's flows shows the real guard state, and shares the webhook's rules", async () => {
    const running = importAll(NPM_START, "selected");
    const flows = importLikeEditor(running, example("3 Dashboard.json"), "copy");
    await deployExamples(flows, rt.sim, rt.dir);
    await rulesRunning(running);
    const widget = (title: string) => collect(helper.getNode(imported(flows, "ui-gauge", (n) => n.title === title).id));
    const mll = widget("Maximum Loss Limit headroom");
    const dll = widget("Daily loss headroom");
    const status = collect(helper.getNode(imported(flows, "ui-text", (n) => n.label === "Status").id));
    // The 50K Combine's $2,000 Maximum Loss Limit and the starter's $1,000 daily loss, untouched.
    await until(() => mll.at(-1)?.payload === 2000 && dll.at(-1)?.payload === 1000, "the gauges").catch((e: Error) => {
      throw new Error(`${e.message}: ${JSON.stringify([mll.at(-1), dll.at(-1), status.at(-1)])}`);
    });
    assert.match(String(status.at(-1)?.payload), /^trading allowed · day P&L \$0\.00 · floor \$48000/);

    const alert = (id: string) =>
      postWebhook("/topstepx/alert", {
        secret: EXAMPLE_SECRET,
        id,
        symbol: "MNQ1!",
        side: "buy",
        quantity: 1,
        stopLoss: 40,
        takeProfit: 80,
      });
    const placed = await alert("compose-1");
    assert.equal(placed.status, 200, JSON.stringify(placed.body));
    const order = (await rt.state()).orders.find((o) => o.id === Number(placed.body.orderId));
    // The tag the rules node gave the approved intent (the entry of a managed bracket).
    assert.equal(order?.customTag, `${placed.body.customTag}-entry`, "the order the starter's rules approved");

    // The dashboard's KILL SWITCH reaches the same rules node: the webhook's next alert is refused.
    const kill = imported(flows, "ui-button", (n) => n.name === "KILL SWITCH");
    helper.getNode(kill.id).send({ payload: { command: "killSwitch", on: true } });
    await until(() => String(status.at(-1)?.payload).startsWith("KILL SWITCH ON"), "the dashboard's status");
    const refused = await alert("compose-2");
    assert.equal(refused.status, 422);
    assert.equal(refused.body.rule, "killSwitch");
    assert.deepEqual(nodeErrors("tsx-config"), []);
  });

  it("without the starter, the webhook answers 503 noRules and trades nothing", async () => {
    const flows = example("1 TradingView webhook to order.json");
    assert.ok(
      flows.some((n) => n.type === "comment" && /Needs "0 Start here"/.test(String(n.name))),
      "a comment says what is missing",
    );
    await deployExamples(flows, rt.sim, rt.dir);
    const r = await postWebhook("/topstepx/alert", {
      secret: EXAMPLE_SECRET,
      id: "alone-1",
      symbol: "MNQ1!",
      side: "buy",
      quantity: 1,
    });
    assert.equal(r.status, 503);
    assert.equal(r.body.rule, "noRules");
    assert.match(
      String(r.body.reason),
      /target link-in node 'topstepx rules' not found.*import the example "0 Start here"/,
    );
    assert.equal((await rt.state()).requests["Order/place"]?.received ?? 0, 0);
  });

  it("without the starter, the dashboard's link call names the rules gate it cannot find", async () => {
    const flows = example("3 Dashboard.json");
    await deployExamples(flows, rt.sim, rt.dir);
    await until(
      () => nodeErrors("tsx-config").find((e) => /link call .*target link-in node 'topstepx rules' not found/.test(e)),
      "the link call's error",
    );
  });
});
