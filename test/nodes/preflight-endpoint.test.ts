import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { ShownFinding } from "../../src/core/preflight";
import type { OrderMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, restClient, setPrice, until } from "../support/sim";

interface Answer {
  findings: ShownFinding[];
  counts: { danger: number; warn: number; ok: number };
}

/**
 * The config node's pre-flight endpoint in the real runtime, on the simulator: it reads the
 * deployed flows (alert and rules nodes on this configuration), the runtime's settings and the
 * gateway, and answers what is unsafe.
 */
describe("node: topstepx-config's pre-flight check", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-preflight-" });
  let mnq: string;

  before(async () => {
    mnq = (await frontMonth((await login(rt.sim)).api, "MNQ")).id;
  });
  beforeEach(() => setPrice(rt.sim, mnq, 21000));
  afterEach(() => helper.settings({ topstepxConfigClock: { now: rt.now } }));

  async function load(o: { secret?: string; requireSecret?: boolean; profile?: string; withOrder?: boolean } = {}) {
    const cfg = configFor(rt.sim);
    const flow: object[] = [
      cfg.node,
      {
        id: "a1",
        type: "topstepx-alert",
        name: "TradingView",
        server: "cfg",
        requireSecret: o.requireSecret ?? true,
        wires: [[], []],
      },
      {
        id: "r1",
        type: "topstepx-rules",
        name: "guard",
        server: "cfg",
        account: String(ACCOUNT),
        profile: o.profile ?? "topstep-combine-50k",
        dbFile: join(rt.dir, "journal.sqlite"),
        wires: [[], [], []],
      },
    ];
    if (o.withOrder)
      flow.push(
        {
          id: "o1",
          type: "topstepx-order",
          server: "cfg",
          action: "place",
          symbol: "MNQ1!",
          side: "buy",
          orderType: "market",
          quantity: "1",
          wires: [["ok"], []],
        },
        { id: "ok", type: "helper" },
      );
    const credentials = { cfg: { ...cfg.credentials.cfg, ...(o.secret ? { webhookSecret: o.secret } : {}) } };
    await helper.load(allNodes, flow, credentials);
  }

  async function check(id = "cfg"): Promise<Answer> {
    const r = await helper.request().get(`/topstepx-config/${id}/preflight`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body as Answer;
  }
  const find = (a: Answer, code: string) => a.findings.find((f) => f.code === code);

  it("names the alert node that takes alerts without the secret, and the rules profile that does not fit the account", async () => {
    await load({ secret: "0123456789abcdef0123", requireSecret: false, profile: "topstep-xfa-50k" });
    const a = await check();
    assert.equal(find(a, "alertNoSecret")?.severity, "danger");
    assert.equal(find(a, "alertNoSecret")?.params.node, "TradingView");
    const mismatch = find(a, "profileMismatch");
    assert.equal(mismatch?.severity, "danger");
    assert.equal(mismatch?.params.account, "50KTC-V2-SIM-10001");
    assert.match(String(mismatch?.params.reason), /the name says Trading Combine, the profile is Express Funded/);
    // The test runtime has no adminAuth: the editor answers anyone.
    assert.equal(find(a, "editorOpen")?.severity, "danger");
    assert.equal(find(a, "clockOk")?.severity, "ok");
    assert.equal(a.counts.danger, 3);
    // Dangers come first, each with a fix.
    assert.deepEqual(
      a.findings.slice(0, 3).map((f) => f.severity),
      ["danger", "danger", "danger"],
    );
    for (const f of a.findings) assert.ok(f.message && f.fix, `${f.code} has texts`);
  });

  it("finds the fitting profile and the secret fine, and a required secret that is not set refuses every alert", async () => {
    await load({ secret: "0123456789abcdef0123" });
    const fine = await check();
    assert.equal(find(fine, "profileFits")?.severity, "ok");
    assert.equal(find(fine, "webhookSecret")?.severity, "ok");
    assert.equal(find(fine, "alertNoSecret"), undefined);
    await helper.unload();
    await load({});
    assert.equal(find(await check(), "alertRefusesAll")?.severity, "warn");
  });

  it("reads the account's bracket mode from its orders: managed legs are Position Brackets, a native child Auto OCO", async () => {
    await load({ secret: "0123456789abcdef0123", withOrder: true });
    assert.equal(find(await check(), "bracketsUnknown")?.severity, "warn");
    const o1 = helper.getNode("o1");
    const ok = collect<OrderMsg>(helper.getNode("ok"));
    await until(() => lastStatus(o1).text === "connected", "the order node to show connected");
    o1.receive({ payload: { customTag: "pf-1", stopLoss: 20, takeProfit: 40 } });
    await until(() => ok.length === 1, "the first entry's result");
    assert.equal(ok[0]!.payload.bracket, "managed");
    await until(
      async () => (await check()).findings.some((f) => f.code === "bracketsPosition" && f.severity === "warn"),
      "the check to see Position Brackets",
    );
    // The trader switches the account to Auto OCO (TopstepX: Settings ▸ Risk Settings) and trades again.
    await restClient(rt.sim).post("/sim/account", { accountId: ACCOUNT, autoOcoBrackets: true });
    rt.clock += 60_000;
    o1.receive({ payload: { customTag: "pf-2", stopLoss: 20, takeProfit: 40 } });
    await until(() => ok.length === 2, "the second entry's result");
    assert.equal(ok[1]!.payload.bracket, "native");
    assert.equal(find(await check(), "bracketsAutoOco")?.severity, "ok");
  });

  it("warns when our clock is off the gateway's by more than 2 s", async () => {
    helper.settings({ topstepxConfigClock: { now: () => rt.clock + 10_000 } });
    await load({ secret: "0123456789abcdef0123" });
    const offset = find(await check(), "clockOffset");
    assert.equal(offset?.severity, "warn");
    // Half the round trip is taken off the offset and counted as uncertainty: together they are the 10 s.
    const seconds = Number(String(offset?.params.seconds));
    const uncertainty = Number(offset?.params.uncertainty);
    assert.ok(seconds > 2 && Math.abs(seconds + uncertainty - 10) <= 0.11, JSON.stringify(offset?.params));
  });

  it("answers 404 for a configuration that is not deployed", async () => {
    await load({});
    const r = await helper.request().get("/topstepx-config/nope/preflight");
    assert.equal(r.status, 404);
    assert.ok(r.body.error);
  });
});
