import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { DecisionMsg, StateMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { frontMonth, login, setPrice, until } from "../support/sim";

const COMBINE = 10001;
const XFA = 10003;

describe("node: topstepx-rules refuses entries when the profile does not fit the account", () => {
  const rt = useRuntimeOnSim({
    dirPrefix: "topstepx-profile-",
    sim: {
      accounts: [
        { id: COMBINE, name: "50KTC-V2-SIM-10001", balance: 50_000 },
        { id: XFA, name: "XFA-V2-SIM-10003", balance: 0 },
      ],
    },
  });
  let mes: string;

  before(async () => {
    mes = (await frontMonth((await login(rt.sim)).api, "MES")).id;
  });
  beforeEach(async () => {
    await setPrice(rt.sim, mes, 6800, { bid: 6800, ask: 6800.25 });
  });

  async function load(account: number, profile: string, ready: RegExp) {
    const cfg = configFor(rt.sim);
    const flow = [
      cfg.node,
      {
        id: "r1",
        type: "topstepx-rules",
        server: "cfg",
        account: String(account),
        profile,
        dbFile: join(rt.dir, "journal.sqlite"),
        wires: [["ok"], ["no"], ["st"]],
      },
      { id: "ok", type: "helper" },
      { id: "no", type: "helper" },
      { id: "st", type: "helper" },
    ];
    await helper.load(allNodes, flow, cfg.credentials);
    const r1 = helper.getNode("r1");
    const out = {
      r1,
      ok: collect<DecisionMsg>(helper.getNode("ok")),
      no: collect<DecisionMsg>(helper.getNode("no")),
      st: collect<StateMsg>(helper.getNode("st")),
    };
    await until(() => ready.test(lastStatus(r1).text ?? ""), `the rules node status to match ${ready}`);
    return out;
  }

  /** Opens a long MES position on the account directly, as a trader in TopstepX would. */
  async function holdOneMes(account: number): Promise<void> {
    const { api } = await login(rt.sim);
    const r = await api.post("/api/Order/place", { accountId: account, contractId: mes, type: 2, side: 0, size: 1 });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
  }

  it("refuses entries under an Express Funded profile on an account reporting $50,000, shows it red, and lets exits through", async () => {
    await holdOneMes(COMBINE);
    const { r1, ok, no } = await load(COMBINE, "topstep-xfa-50k", /blocked/);
    assert.deepEqual(lastStatus(r1), { fill: "red", shape: "ring", text: "blocked: profile mismatch" });
    r1.receive({ payload: { symbol: "MES", side: "buy", quantity: 1 } });
    await until(() => no.length === 1, "a refusal");
    assert.equal(no[0].decision.rule, "profileMismatch");
    const reason: string = no[0].decision.reason;
    for (const part of [
      /Profile topstep-xfa-50k/,
      /account 50KTC-V2-SIM-10001/,
      /balance \$49,999\.38/,
      /between −\$4,000\.00 and \$20,000\.00/,
      /the name says Trading Combine, the profile is Express Funded/,
    ]) {
      assert.match(reason, part);
    }
    r1.receive({ payload: { symbol: "MES", side: "sell", quantity: 1 } });
    await until(() => ok.length === 1, "the exit approved");
    assert.equal(ok[0].decision.rule, "exit");
  });

  it("refuses entries under a Combine profile on an account at $0", async () => {
    const { r1, no } = await load(XFA, "topstep-combine-50k", /blocked/);
    assert.deepEqual([lastStatus(r1).fill, lastStatus(r1).text], ["red", "blocked: profile mismatch"]);
    r1.receive({ payload: { symbol: "MES", side: "buy", quantity: 1 } });
    await until(() => no.length === 1, "a refusal");
    assert.equal(no[0].decision.rule, "profileMismatch");
    assert.match(
      no[0].decision.reason,
      /Profile topstep-combine-50k does not fit account XFA-V2-SIM-10003 \(balance \$0\.00\): .*between \$46,000\.00 and \$70,000\.00; the name says Express Funded/,
    );
  });

  it("refuses a 50K Combine account under the 100K Combine profile", async () => {
    const { r1, no } = await load(COMBINE, "topstep-combine-100k", /blocked/);
    r1.receive({ payload: { symbol: "MES", side: "buy", quantity: 1 } });
    await until(() => no.length === 1, "a refusal");
    assert.match(
      no[0].decision.reason,
      /between \$94,000\.00 and \$130,000\.00; the name says 50K, the profile is 100K/,
    );
  });

  it("lets entries through when profile and account fit (Express Funded 50K on an XFA at $0)", async () => {
    const { r1, ok } = await load(XFA, "topstep-xfa-50k", /MLL \$/);
    assert.equal(lastStatus(r1).text, "MLL $2,000 left");
    r1.receive({ payload: { symbol: "MES", side: "buy", quantity: 1 } });
    await until(() => ok.length === 1, "the entry approved");
  });
});
