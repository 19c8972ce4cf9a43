import { strict as assert } from "node:assert";
import fc from "fast-check";
import { AlertError, parseAlert } from "../../src/core/alerts/parse-alert";
import type { Simulator } from "../../src/sim";
import { allNodes, configFor, helper } from "../support/node-red";
import { restClient, startTestSim, until } from "../support/sim";

const NOW = Date.parse("2026-11-25T15:00:00Z");
/** Fixed so that CI runs the same 25,000 cases every time; FUZZ_SEED explores others. */
const SEED = Number(process.env.FUZZ_SEED ?? 20261125);
const VALID = {
  secret: "s",
  id: "x-1",
  symbol: "MNQ1!",
  side: "buy",
  quantity: 2,
  type: "limit",
  limitPrice: 21000,
  stopLoss: 40,
  takeProfit: 80,
};

/** Values that no field of an alert accepts where a number or an enum is expected. */
const garbage = fc.oneof(
  fc.constantFrom(
    0,
    -1,
    2.5,
    -0.25,
    Number.NaN,
    "",
    " ",
    "abc",
    "{{strategy.order.contracts}}",
    "1e400",
    null,
    true,
    [],
    {},
    "-3",
  ),
  fc
    .string({ maxLength: 12 })
    .filter(
      (s) =>
        !(s.trim() !== "" && Number.isFinite(Number(s.trim()))) &&
        !/^(buy|sell|long|short|market|limit|stop|stoplimit|stop_limit|trailingstop|trailing_stop|joinbid|joinask)$/i.test(
          s.trim(),
        ),
    ),
);
/** The fields whose corruption must refuse the alert, and how each may be named in the error. */
const FIELDS = ["side", "quantity", "type", "limitPrice", "stopLoss", "takeProfit"] as const;

/** Whether a garbage value really is invalid for that field (2.5 is a fine price; a null type is inferred). */
function corrupts(field: string, value: unknown): boolean {
  if (field === "type" && (value === null || Number.isNaN(value))) return false;
  if (field === "limitPrice" && (value === 2.5 || value === "2.5")) return false;
  return true;
}

function refusal(f: () => unknown): AlertError | null {
  try {
    f();
    return null;
  } catch (e) {
    if (!(e instanceof AlertError)) throw new Error(`not an AlertError: ${(e as Error).stack}`);
    return e;
  }
}

describe("fuzz: alert bodies and msg inputs", function () {
  this.timeout(120_000);

  // Symbols are checked against the gateway's contract list, so the node test below covers them.
  it("never crashes on 10,000 random bodies: it parses them or refuses them with a 4xx naming a field", () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.json(),
          fc.jsonValue(),
          fc.object(),
          fc.uint8Array().map((a) => Buffer.from(a)),
        ),
        (body) => {
          const e = refusal(() => parseAlert(body, NOW));
          if (e) {
            assert.ok(e.status === 400 || e.status === 401);
            assert.ok(e.field.length > 0 && e.message.startsWith(`${e.field}:`), e.message);
          }
        },
      ),
      { numRuns: 10_000, seed: SEED },
    );
  });

  it("refuses 10,000 valid alerts with one field corrupted, naming that field, in JSON and in text", () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIELDS), garbage, fc.boolean(), (field, value, asText) => {
        if (!corrupts(field, value)) return;
        const body = { ...VALID, [field]: value };
        const e = refusal(() => parseAlert(asText ? JSON.stringify(body) : body, NOW));
        assert.ok(e, `accepted ${JSON.stringify(body)}`);
        assert.equal(e.status, 400);
        assert.match(e.message, /\w+:/);
      }),
      { numRuns: 10_000, seed: SEED },
    );
  });

  describe("through the nodes, against the simulator", () => {
    let sim: Simulator;
    before(async () => {
      sim = await startTestSim({ now: () => NOW });
      helper.settings({ topstepxConfigClock: { now: () => NOW } });
      await helper.startServer();
    });
    after(async () => {
      await helper.stopServer();
      helper.settings({});
      await sim.close();
    });
    afterEach(() => helper.unload());

    it("answers 2,000 corrupted alerts with a 4xx and a reason, one answer each, and places no order", async () => {
      const cfg = configFor(sim);
      const flow = [
        cfg.node,
        { id: "alert", type: "topstepx-alert", server: "cfg", requireSecret: true, wires: [["rules"], ["out"]] },
        {
          id: "rules",
          type: "topstepx-rules",
          server: "cfg",
          profile: "topstep-combine-50k",
          dbFile: `/tmp/topstepx-fuzz-${process.pid}.sqlite`,
          wires: [["order"], ["out"], []],
        },
        {
          id: "order",
          type: "topstepx-order",
          server: "cfg",
          action: "place",
          symbol: "",
          side: "buy",
          orderType: "market",
          quantity: "",
          wires: [["out"], ["out"]],
        },
        { id: "out", type: "helper" },
      ];
      await helper.load(allNodes, flow, { cfg: { ...cfg.credentials.cfg, webhookSecret: "s" } });
      const answers = new Map<string, number>();
      const statuses: number[] = [];
      helper
        .getNode("out")
        .on(
          "input",
          (m: { _msgid: string; statusCode?: number; payload: { ok?: boolean; error?: string; reason?: string } }) => {
            answers.set(m._msgid, (answers.get(m._msgid) ?? 0) + 1);
            statuses.push(m.statusCode ?? 200);
            assert.equal(m.payload.ok, false);
            assert.ok((m.payload.error ?? m.payload.reason ?? "").length > 0);
          },
        );
      const alert = helper.getNode("alert");
      const samples = fc.sample(fc.tuple(fc.constantFrom(...FIELDS), garbage, fc.nat()), { numRuns: 2000, seed: SEED });
      let sent = 0;
      for (const [field, value, n] of samples) {
        if (!corrupts(field, value)) continue;
        alert.receive({ _msgid: `m${sent}`, res: {}, payload: { ...VALID, id: `fz-${n}-${sent}`, [field]: value } });
        sent++;
      }
      await until(() => answers.size === sent, `${sent} answers (got ${answers.size})`, 30_000);
      assert.ok(
        [...answers.values()].every((c) => c === 1),
        "exactly one answer per alert",
      );
      assert.ok(
        statuses.every((s) => s >= 400 && s < 500),
        `statuses: ${[...new Set(statuses)].join(",")}`,
      );
      const state = (await restClient(sim).get("/sim/state")).data;
      assert.equal(state.orders.length, 0, "no order reached the simulator");
    });

    it("refuses 3,000 random msg.payload objects at the order node without placing anything", async () => {
      const cfg = configFor(sim);
      await helper.load(
        allNodes,
        [
          cfg.node,
          {
            id: "order",
            type: "topstepx-order",
            server: "cfg",
            action: "place",
            symbol: "",
            side: "buy",
            orderType: "market",
            quantity: "",
            wires: [["ok"], ["err"]],
          },
          { id: "ok", type: "helper" },
          { id: "err", type: "helper" },
        ],
        cfg.credentials,
      );
      let ok = 0;
      let err = 0;
      helper.getNode("ok").on("input", () => ok++);
      helper.getNode("err").on("input", () => err++);
      const order = helper.getNode("order");
      const payloads = fc.sample(
        fc.oneof(
          fc.object(),
          fc.dictionary(
            fc.constantFrom("side", "quantity", "type", "limitPrice", "action", "orderId", "stopLoss"),
            fc.jsonValue(),
          ),
        ),
        { numRuns: 3000, seed: SEED },
      );
      for (const p of payloads) order.receive({ payload: p });
      await until(() => ok + err === payloads.length, `${payloads.length} outcomes (got ${ok + err})`, 30_000);
      assert.equal(ok, 0);
      assert.equal((await restClient(sim).get("/sim/state")).data.orders.length, 0);
    });
  });
});
