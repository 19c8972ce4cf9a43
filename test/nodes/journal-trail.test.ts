import { strict as assert } from "node:assert";
import { join } from "node:path";
import { exampleWebhookFlow } from "../../bench/flows";
import { Journal, type JournalEntry } from "../../src/core/journal/journal";
import type { Simulator } from "../../src/sim";
import { clockSetting, runningClockFrom } from "../support/clock";
import { statusOf } from "../support/node-calls";
import type { OrderMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper } from "../support/node-red";
import { deployFlows, type NodeRedProcess, startNodeRed } from "../support/node-red-process";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, restClient, SECOND_ACCOUNT, setPrice, startTestSim, USER, until } from "../support/sim";

const clock = runningClockFrom();
const SECRET = "trail-secret";

interface Answer {
  status: number;
  body: { ok?: boolean; orderId?: number; rule?: string; reason?: string };
}

/**
 * The shipped webhook flow twice in one Node-RED process: /topstepx/alert guards and trades the
 * default account, /topstepx/alert2 the second one, both rules nodes on the default journal file.
 */
function twoAccountFlow(): Array<Record<string, unknown>> {
  const first = exampleWebhookFlow(undefined, ["", String(SECOND_ACCOUNT)]);
  // The webhook's own nodes again, sending to the starter's rules node of the second account.
  const second = first
    .filter((n) => n.z === "tsx-webhook" || n.id === "tsx-webhook")
    .map((n) => JSON.parse(JSON.stringify(n).replace(/"tsx-webhook/g, '"tsx-webhook2')) as Record<string, unknown>);
  for (const n of second) {
    if (n.type === "http in") n.url = "/topstepx/alert2";
    if (n.type === "change" && n.name === "to the rules gate")
      n.rules = [{ t: "set", p: "target", pt: "msg", to: `topstepx rules ${SECOND_ACCOUNT}`, tot: "str" }];
  }
  return [...first, ...second];
}

describe("journal: the trail of every alert, per account, through a real Node-RED", function () {
  this.timeout(60_000);
  let sim: Simulator;
  let red: NodeRedProcess;
  const file = () => join(red.userDir, "topstepx-journal.sqlite");

  async function alert(path: string, body: Record<string, unknown>): Promise<Answer> {
    const r = await fetch(`${red.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ secret: SECRET, symbol: "MNQ1!", side: "buy", quantity: 1, ...body }),
    });
    const json = r.headers.get("content-type")?.includes("json");
    return { status: r.status, body: json ? ((await r.json()) as Answer["body"]) : { reason: await r.text() } };
  }

  function read<T>(f: (j: Journal) => T): T {
    const j = new Journal(file());
    try {
      return f(j);
    } finally {
      j.close();
    }
  }

  const kinds = (rows: JournalEntry[]) => rows.map((r) => r.kind);

  before(async () => {
    sim = await startTestSim({ now: clock.now });
    await setPrice(sim, "MNQ", 21000);
    red = await startNodeRed(
      {
        TOPSTEPX_SIMULATOR_URL: sim.restUrl,
        TOPSTEPX_USERNAME: USER.userName,
        TOPSTEPX_API_KEY: USER.apiKey,
        TOPSTEPX_WEBHOOK_SECRET: SECRET,
      },
      [],
      clockSetting(clock),
    );
    await deployFlows(red.url, twoAccountFlow());
    // Both flows answering, and both rules nodes synced: an entry is approved on each account.
    for (const path of ["/topstepx/alert", "/topstepx/alert2"]) {
      let i = 0;
      await until(
        async () => (await alert(path, { id: `warm-${path}-${i++}` })).status === 200,
        `${path} to approve an entry`,
        20_000,
      );
    }
  });
  after(async () => {
    await red?.stop();
    await sim?.close();
  });

  it("lets TradingView's retry through after a 503 before the decision, refuses it once decided, and keeps ids per account", async () => {
    // Naming the account makes the rules node look it up: a 503 there comes before any decision.
    await restClient(sim).post("/sim/faults", { fail: [{ endpoint: "Account/search", count: 100, status: 503 }] });
    const failed = await alert("/topstepx/alert", { id: "r-1", account: "50KTC-V2-SIM-10001" });
    await restClient(sim).delete("/sim/faults");
    assert.equal(failed.status, 503, JSON.stringify(failed.body));
    const retry = await alert("/topstepx/alert", { id: "r-1", account: "50KTC-V2-SIM-10001" });
    assert.equal(retry.status, 200, `the retry passes: ${JSON.stringify(retry.body)}`);
    const again = await alert("/topstepx/alert", { id: "r-1", account: "50KTC-V2-SIM-10001" });
    assert.deepEqual([again.status, again.body.rule], [409, "duplicateAlert"]);
    // The same id from another account's webhook is that account's first.
    const other = await alert("/topstepx/alert2", { id: "r-1" });
    assert.equal(other.status, 200, JSON.stringify(other.body));
    const orders = (await restClient(sim).get("/sim/state")).data.orders as Array<{ id: number; accountId: number }>;
    assert.deepEqual(
      [retry.body.orderId, other.body.orderId].map((id) => orders.find((o) => o.id === id)?.accountId),
      [ACCOUNT, SECOND_ACCOUNT],
    );
    const trail = read((j) => kinds(j.trail("r-1", ACCOUNT)));
    assert.deepEqual(
      trail.slice(0, 3),
      ["alert", "error", "answer"],
      "the failed attempt is journaled, without a decision",
    );
    assert.deepEqual(
      trail.filter((k) => k === "decision").length,
      2,
      "the retry's decision and the duplicate's refusal",
    );
  });

  it("tells alert, decision, order, fill and answer for one alert, per account, on one valid hash chain", async () => {
    const a = await alert("/topstepx/alert", { id: "t-1" });
    const b = await alert("/topstepx/alert2", { id: "t-1", side: "sell" });
    assert.deepEqual([a.status, b.status], [200, 200], JSON.stringify([a.body, b.body]));
    for (const [account, answer] of [
      [ACCOUNT, a],
      [SECOND_ACCOUNT, b],
    ] as const) {
      const rows = (await until(() => {
        const t = read((j) => j.trail("t-1", account));
        return t.some((r) => r.kind === "fill") && t.some((r) => r.kind === "answer") ? t : undefined;
      }, `the fill of account ${account} journaled`))!;
      assert.deepEqual(kinds(rows).slice(0, 3), ["alert", "decision", "order"], `account ${account}: ${kinds(rows)}`);
      // A webhook is answered on placement (TradingView waits 3 s at most), so its fill may come after.
      assert.deepEqual(kinds(rows).slice(3).sort(), ["answer", "fill"], `account ${account}: ${kinds(rows)}`);
      assert.ok(
        rows.every((r) => r.accountId === account),
        "only this account's rows",
      );
      const fill = rows.find((r) => r.kind === "fill")!.data as { orderId: number };
      const sent = rows.find((r) => r.kind === "answer")!.data as { status: number; body: { orderId: number } };
      assert.deepEqual([sent.status, sent.body.orderId, fill.orderId], [200, answer.body.orderId, answer.body.orderId]);
    }
    assert.equal(
      read((j) => j.verify()),
      null,
      "the hash chain of the shared file verifies",
    );
  });
});

describe("journal: the rules node's journal command gives one alert's trail", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-trail-" });
  beforeEach(async () => {
    await setPrice(rt.sim, "ES", 6800);
  });

  it("answers {command: 'journal', id} with the alert, its decision, the order as sent and as placed, and its fill", async () => {
    const cfg = configFor(rt.sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        {
          id: "r1",
          type: "topstepx-rules",
          server: "cfg",
          profile: "topstep-combine-50k",
          dbFile: join(rt.dir, "j.sqlite"),
          wires: [["o1"], [], ["st"]],
        },
        { id: "o1", type: "topstepx-order", server: "cfg", wires: [["done"], ["done"]] },
        { id: "st", type: "helper" },
        { id: "done", type: "helper" },
      ],
      cfg.credentials,
    );
    const r1 = helper.getNode("r1");
    const st = collect(helper.getNode("st"));
    const placed = collect<OrderMsg>(helper.getNode("done"));
    await until(() => /MLL \$/.test(statusOf(r1).text ?? ""), "the rules node guarding");
    r1.receive({
      alert: { format: "json", id: "j-1" },
      payload: { id: "j-1", symbol: "ES", side: "buy", quantity: 1 },
    });
    await until(() => placed.length === 1, "the order placed");
    assert.equal(placed[0].payload.status, "filled", JSON.stringify(placed[0].payload));
    const trail = async () => {
      st.length = 0;
      r1.receive({ payload: { command: "journal", id: "j-1" } });
      return (await until(() => st.find((m) => m.topic === "journal"), "the journal answer")).payload as Array<{
        kind: string;
        detail: string;
      }>;
    };
    const rows = (await until(async () => {
      const t = await trail();
      return t.some((r) => r.kind === "fill") ? t : undefined;
    }, "the fill in the trail"))!;
    assert.deepEqual(rows.map((r) => r.kind).slice(0, 3), ["alert", "decision", "order"]);
    // The executor waits for the fill of a market order: the fill may come before the placed order's row.
    assert.deepEqual(
      rows
        .map((r) => r.kind)
        .slice(3)
        .sort(),
      ["fill", "order"],
    );
    assert.match(rows[1]!.detail, /^approved: buy 1 ES/);
    assert.match(rows[2]!.detail, /^order sent: place buy 1 ES/);
    assert.match(rows.filter((r) => r.kind === "order")[1]!.detail, /^order #\d+ filled/);
  });
});
