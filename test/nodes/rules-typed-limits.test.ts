import { strict as assert } from "node:assert";
import { join } from "node:path";
import { callsOn } from "../support/node-calls";
import type { DecisionMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { frontMonth, login, setPrice, until } from "../support/sim";

/**
 * The rules dialog's typed limits through the real runtime: env, flow and global read once when
 * the flow starts; nonsense (max contracts 0, a negative buffer) refused at deploy, the node red
 * and refusing; a flow saved before typed limits loads and judges as before.
 */
describe("node: topstepx-rules' typed limits (num, env, flow, global)", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-rules-typed-" });
  let es: string;

  before(async () => {
    const { api } = await login(rt.sim);
    es = (await frontMonth(api, "ES")).id;
  });
  beforeEach(async () => {
    await setPrice(rt.sim, es, 6800);
  });
  afterEach(() => {
    delete process.env.TSX_E2E_MAX;
  });

  /** Loads a rules node; `global` is set as settings.js functionGlobalContext would, before the flow starts. */
  async function load(rules: Record<string, unknown>, ready: RegExp = /MLL \$/) {
    const cfg = configFor(rt.sim);
    const flow = [
      { id: "tab", type: "tab", label: "rules" },
      cfg.node,
      {
        id: "r1",
        z: "tab",
        type: "topstepx-rules",
        server: "cfg",
        profile: "topstep-combine-50k",
        dbFile: join(rt.dir, "journal.sqlite"),
        version: 2,
        ...rules,
        wires: [["ok"], ["no"], ["st"]],
      },
      { id: "ok", z: "tab", type: "helper" },
      { id: "no", z: "tab", type: "helper" },
      { id: "st", z: "tab", type: "helper" },
    ];
    await helper.load(allNodes, flow, cfg.credentials);
    const r1 = helper.getNode("r1");
    const out = { r1, ok: collect<DecisionMsg>(helper.getNode("ok")), no: collect<DecisionMsg>(helper.getNode("no")) };
    await until(() => ready.test(lastStatus(r1).text ?? ""), `the rules node status to match ${ready}`);
    return out;
  }

  /** Two one-lot ES entries: how many the limit lets through, and the rule of the refusal. */
  async function twoEntries(r1: { receive(m: object): void }, ok: DecisionMsg[], no: DecisionMsg[]) {
    r1.receive({ payload: { symbol: "ES1!", side: "buy", quantity: 1 } });
    r1.receive({ payload: { symbol: "ES1!", side: "buy", quantity: 1 } });
    await until(() => ok.length + no.length === 2, "two decisions");
    return [ok.length, no[0]?.decision.rule];
  }

  it("env: max contracts from an environment variable, read at deploy", async () => {
    process.env.TSX_E2E_MAX = "1";
    const { r1, ok, no } = await load({ maxContracts: "TSX_E2E_MAX", maxContractsType: "env" });
    assert.deepEqual(await twoEntries(r1, ok, no), [1, "maxContracts"]);
  });

  it("global: max contracts from the global context (settings.js functionGlobalContext)", async () => {
    helper.settings({ topstepxConfigClock: { now: rt.now }, functionGlobalContext: { limits: { maxContracts: 1 } } });
    try {
      const { r1, ok, no } = await load({ maxContracts: "limits.maxContracts", maxContractsType: "global" });
      assert.deepEqual(await twoEntries(r1, ok, no), [1, "maxContracts"]);
    } finally {
      helper.settings({ topstepxConfigClock: { now: rt.now } });
    }
  });

  it("a flow saved before typed limits (version 1, plain values) judges as before", async () => {
    const { r1, ok, no } = await load({ version: 1, maxContracts: "1", flattenBuffer: "200" });
    assert.deepEqual(await twoEntries(r1, ok, no), [1, "maxContracts"]);
  });

  for (const [name, props, message] of [
    ["max contracts 0", { maxContracts: "0" }, "maxContracts: must be a whole number ≥ 1 (was 0)"],
    [
      "a negative flatten buffer",
      { flattenBuffer: "-50", flattenBufferType: "num" },
      "flattenBuffer: must be a number ≥ 0 (was -50)",
    ],
    [
      "a negative daily loss from env",
      { dailyLossAmount: "TSX_E2E_MAX", dailyLossAmountType: "env" },
      'dailyLossAmount: must be a number > 0 (env TSX_E2E_MAX was "-500")',
    ],
    [
      // A forgotten variable is not a silent fall-back to the profile's buffer.
      "a flatten buffer from an environment variable that is not set",
      { flattenBuffer: "TSX_E2E_UNSET", flattenBufferType: "env" },
      "flattenBuffer: env TSX_E2E_UNSET is not set",
    ],
    [
      // Not a silent fall-back to the profile's limit.
      "a limit whose source cannot be read",
      { maxContracts: "limits[", maxContractsType: "global" },
      "maxContracts: global.limits[ could not be read (Invalid property expression: unterminated expression)",
    ],
  ] as const) {
    it(`refuses ${name} at deploy: red status naming the field, entries refused, exits passed`, async () => {
      process.env.TSX_E2E_MAX = "-500";
      const { r1, ok, no } = await load(props, new RegExp(`^${Object.keys(props)[0]}:`));
      assert.equal(lastStatus(r1).fill, "red");
      assert.ok(
        callsOn(r1, "error").some((c) => String(c[0]).includes(message)),
        `logged: ${JSON.stringify(callsOn(r1, "error"))}`,
      );
      r1.receive({ payload: { symbol: "ES1!", side: "buy", quantity: 1 } });
      await until(() => no.length === 1, "a refusal");
      assert.equal(ok.length, 0);
      assert.equal(no[0]!.decision.reason, message);
      // Closes and flattens only lower exposure: they still pass to the order node.
      r1.receive({ payload: { action: "flatten" } });
      r1.receive({ payload: { action: "close", symbol: "ES1!" } });
      await until(() => ok.length === 2, "the exits through");
      assert.deepEqual(
        ok.map((m) => [m.decision.allow, m.decision.rule]),
        [
          [true, "exit"],
          [true, "exit"],
        ],
      );
      assert.equal(no.length, 1);
    });
  }
});
