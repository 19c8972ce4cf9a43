import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { AlertError, parseAlert } from "../../src/core/alerts/parse-alert";
import type { Simulator } from "../../src/sim";
import { allNodes, configFor, helper } from "../support/node-red";
import { restClient, startTestSim, until } from "../support/sim";

const NOW = Date.parse("2026-11-25T15:00:00Z");
/** Fixed so that CI runs the same 35,000 cases every time; FUZZ_SEED explores others. */
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
        !/^(buy|sell|long|short|bullish|bearish|flat|market|limit|stop|stoplimit|stop_limit|trailingstop|trailing_stop|joinbid|joinask)$/i.test(
          s.trim(),
        ),
    ),
);
/**
 * A valid alert of each JSON form, and the fields the fuzz corrupts in it (a dotted path for a field
 * inside a bracket), each with the garbage it nonetheless accepts: null is absence, which for some
 * fields is fine or makes another field the missing one, and a positive number is a fine price.
 */
interface Form {
  name: string;
  body: Record<string, unknown>;
  /** Field → whether that field accepts a garbage value (then the case is skipped). */
  fields: Record<string, (value: unknown) => boolean>;
}
const isNull = (v: unknown) => v === null;
/** NaN, which JSON text carries as null. */
const lostInJson = (v: unknown) => typeof v === "number" && !Number.isFinite(v);
const wholeNumber = (v: unknown) =>
  (typeof v === "number" || (typeof v === "string" && v.trim() !== "")) && Number.isInteger(Number(v));
const positiveNumber = (v: unknown) => (typeof v === "number" || typeof v === "string") && Number(v) > 0;
const yesOrNo = (v: unknown) =>
  typeof v === "string" && /^(true|false|yes|no)$/.test(v.toLowerCase().replace(/[_\-\s]/g, ""));
const FORMS: Form[] = [
  {
    name: "our JSON",
    body: {
      ...VALID,
      marketPosition: "long",
      prevMarketPosition: "flat",
      breakeven: { after: 20, offset: 2 },
      trail: { distance: 30, step: 5 },
    },
    fields: {
      side: () => false,
      quantity: () => false,
      type: (v) => isNull(v) || lostInJson(v),
      limitPrice: positiveNumber,
      stopLoss: () => false,
      takeProfit: () => false,
      // Absent, the previous position has nothing to go with, so that field is the one named.
      marketPosition: (v) => isNull(v) || lostInJson(v),
      breakeven: () => false,
      trail: () => false,
      "breakeven.after": () => false,
      "breakeven.offset": (v) => v === 0,
      "trail.distance": () => false,
      "trail.step": () => false,
    },
  },
  {
    name: "TradersPost",
    body: {
      passphrase: "s",
      alertId: "tp-1",
      ticker: "MNQ1!",
      action: "buy",
      sentiment: "bullish",
      quantity: "1",
      orderType: "limit",
      price: "21000",
      stopLoss: { type: "stop", amount: "10" },
      takeProfit: { percent: "1" },
    },
    fields: {
      quantity: () => false,
      // Absent, a limit order lacks its price (named limitPrice); absent type and sentiment are inferred.
      price: (v) => isNull(v) || lostInJson(v) || positiveNumber(v),
      orderType: (v) => isNull(v) || lostInJson(v),
      sentiment: (v) => isNull(v) || lostInJson(v),
      // Inside a bracket, an absent value leaves the bracket without a way: the bracket is named.
      "stopLoss.amount": (v) => isNull(v) || lostInJson(v) || positiveNumber(v),
      "takeProfit.percent": (v) => isNull(v) || lostInJson(v) || positiveNumber(v),
    },
  },
  {
    name: "our JSON sized from risk",
    body: {
      secret: "s",
      id: "r-1",
      symbol: "NQ1!",
      side: "sell",
      risk: 150,
      stopLoss: { points: "10" },
      takeProfit: { dollars: 40 },
      microFallback: true,
    },
    fields: {
      // Absent, the order has no size: quantity is the field named.
      risk: (v) => isNull(v) || lostInJson(v) || positiveNumber(v),
      "stopLoss.points": (v) => isNull(v) || lostInJson(v) || positiveNumber(v),
      "takeProfit.dollars": (v) => isNull(v) || lostInJson(v) || positiveNumber(v),
      microFallback: (v) => isNull(v) || lostInJson(v) || typeof v === "boolean" || yesOrNo(v),
    },
  },
  {
    name: "TradersPost sized from risk",
    body: {
      passphrase: "s",
      alertId: "tpr-1",
      ticker: "MNQ1!",
      action: "buy",
      sentiment: "bullish",
      riskPercent: "5",
      stopLoss: { type: "stop", dollars: "20" },
    },
    fields: {
      riskPercent: (v) => isNull(v) || lostInJson(v) || (positiveNumber(v) && Number(v) <= 100),
      "stopLoss.dollars": (v) => isNull(v) || lostInJson(v) || positiveNumber(v),
    },
  },
  {
    name: "target position",
    body: { secret: "s", id: "tg-1", symbol: "MNQ1!", targetPosition: "-2", sentiment: "short" },
    fields: {
      // Absent, it is an order alert without a side; a whole number is a valid target (the sentiment then names the clash).
      targetPosition: (v) => isNull(v) || lostInJson(v) || wholeNumber(v),
      sentiment: (v) => isNull(v) || lostInJson(v),
    },
  },
];
/** Every (form, field) pair, by the form's name so that a counterexample reads short. */
const FORM_FIELDS = FORMS.flatMap((form) => Object.keys(form.fields).map((field) => ({ form: form.name, field })));
const formNamed = (name: string) => FORMS.find((form) => form.name === name)!;

/** The body with the field at `path` ("stopLoss.amount" inside the bracket) set to `value`. */
function corrupted(body: Record<string, unknown>, path: string, value: unknown): Record<string, unknown> {
  const [key, sub] = path.split(".") as [string, string?];
  if (sub === undefined) return { ...body, [key]: value };
  return { ...body, [key]: { ...(body[key] as Record<string, unknown>), [sub]: value } };
}

/** Asserts that the refusal names `field`, and only it: AlertError's field and the message's prefix. */
function assertBlames(e: AlertError | null, field: string, body: unknown): asserts e is AlertError {
  assert.ok(e, `accepted ${JSON.stringify(body)}`);
  assert.equal(e.status, 400, e.message);
  assert.equal(e.field, field, `corrupted ${field}, blamed ${e.field}: ${e.message} in ${JSON.stringify(body)}`);
  assert.ok(e.message.startsWith(`${field}: `), e.message);
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

  it("parses every form's valid alert, so that a refusal below is the corrupted field's doing", () => {
    for (const form of FORMS) parseAlert(JSON.stringify(form.body), NOW);
  });

  it("refuses 20,000 alerts of every JSON form with one field corrupted, naming exactly that field, in JSON text and parsed", () => {
    fc.assert(
      fc.property(fc.constantFrom(...FORM_FIELDS), garbage, fc.boolean(), ({ form: name, field }, value, asText) => {
        const form = formNamed(name);
        if (form.fields[field]!(value)) return;
        const body = corrupted(form.body, field, value);
        const e = refusal(() => parseAlert(asText ? JSON.stringify(body) : body, NOW));
        assertBlames(e, field, { form: form.name, body });
      }),
      { numRuns: 20_000, seed: SEED },
    );
  });

  describe("through the nodes, against the simulator", () => {
    let sim: Simulator;
    let dir: string;
    before(async () => {
      dir = mkdtempSync(join(tmpdir(), "topstepx-fuzz-"));
      sim = await startTestSim({ now: () => NOW });
      helper.settings({ topstepxConfigClock: { now: () => NOW } });
      await helper.startServer();
    });
    after(async () => {
      await helper.stopServer();
      helper.settings({});
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
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
          dbFile: join(dir, "journal.sqlite"),
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
      const blamed = new Map<string, { field?: string; reason?: string }>();
      const statuses: number[] = [];
      helper
        .getNode("out")
        .on(
          "input",
          (m: {
            _msgid: string;
            statusCode?: number;
            payload: { ok?: boolean; error?: string; reason?: string; field?: string };
          }) => {
            answers.set(m._msgid, (answers.get(m._msgid) ?? 0) + 1);
            statuses.push(m.statusCode ?? 200);
            assert.equal(m.payload.ok, false);
            assert.ok((m.payload.error ?? m.payload.reason ?? "").length > 0);
            blamed.set(m._msgid, { field: m.payload.field, reason: m.payload.reason });
          },
        );
      const alert = helper.getNode("alert");
      const samples = fc.sample(fc.tuple(fc.constantFrom(...FORM_FIELDS), garbage, fc.nat()), {
        numRuns: 2000,
        seed: SEED,
      });
      const corruptedField = new Map<string, string>();
      let sent = 0;
      for (const [{ form: name, field }, value, n] of samples) {
        const form = formNamed(name);
        if (form.fields[field]!(value)) continue;
        const payload = { ...corrupted(form.body, field, value), id: `fz-${n}-${sent}` };
        corruptedField.set(`m${sent}`, field);
        alert.receive({ _msgid: `m${sent}`, res: {}, payload });
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
      for (const [id, field] of corruptedField) {
        const answer = blamed.get(id);
        assert.equal(answer?.field, field, `corrupted ${field}, answered ${JSON.stringify(answer)}`);
        assert.ok(answer?.reason?.startsWith(`${field}: `), answer?.reason);
      }
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
            fc.constantFrom(
              "side",
              "quantity",
              "type",
              "limitPrice",
              "action",
              "orderId",
              "stopLoss",
              "risk",
              "riskPercent",
              "microFallback",
            ),
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
