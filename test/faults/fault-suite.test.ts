import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { exampleWebhookFlow } from "../../bench/flows";
import { GatewayConnection } from "../../src/core/connection";
import { simulatorEndpoints } from "../../src/core/gateway/environments";
import { Journal } from "../../src/core/journal/journal";
import { AccountGuard } from "../../src/core/rules/account-guard";
import { rulesFor } from "../../src/core/rules/rules-config";
import type { Simulator } from "../../src/sim";
import { clockSetting, runningClockFrom } from "../support/clock";
import { deployFlows, type NodeRedProcess, startNodeRed } from "../support/node-red-process";
import { restClient, setPrice, startTestSim, USER, until } from "../support/sim";

// Every part runs inside a trading session, whatever the wall clock says.
const clock = runningClockFrom();
const now = clock.now;
const SETTINGS = clockSetting(clock);
const SECRET = "fault-secret";

interface Answer {
  id: string;
  status: number;
  body: { ok?: boolean; orderId?: number; rule?: string; error?: string };
}

async function alert(red: NodeRedProcess, id: string, side: "buy" | "sell"): Promise<Answer> {
  const r = await fetch(`${red.url}/topstepx/alert`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ secret: SECRET, id, symbol: "MNQ1!", side, quantity: 1 }),
  });
  // Right after a deploy the route may not exist yet: Node-RED answers 404 in HTML.
  const json = r.headers.get("content-type")?.includes("json");
  return { id, status: r.status, body: json ? ((await r.json()) as Answer["body"]) : { error: await r.text() } };
}

function ruleState(userDir: string): Record<string, unknown> {
  const db = new Database(join(userDir, "topstepx-journal.sqlite"), { readonly: true });
  try {
    const row = db.prepare("SELECT state FROM rule_state WHERE account_id = 10001").get() as { state: string };
    return JSON.parse(row.state);
  } finally {
    db.close();
  }
}

function decisionsById(userDir: string): Map<string, number> {
  const db = new Database(join(userDir, "topstepx-journal.sqlite"), { readonly: true });
  try {
    const counts = new Map<string, number>();
    for (const r of db.prepare("SELECT data FROM journal WHERE kind = 'decision'").all() as Array<{ data: string }>) {
      const id = JSON.parse(r.data).intent?.id as string | undefined;
      if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    return counts;
  } finally {
    db.close();
  }
}

/**
 * The fault and load suite: the shipped webhook flow in a real Node-RED process against the
 * simulator while it injects late answers, 5xx, 429 storms, dropped hubs, expired tokens and a
 * kill -9. Nothing may be doubled, every alert answered once and journaled, state kept.
 */
describe("faults: the webhook flow under injected failures", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let red: NodeRedProcess;
  const env = () => ({
    TOPSTEPX_SIMULATOR_URL: sim.restUrl,
    TOPSTEPX_USERNAME: USER.userName,
    TOPSTEPX_API_KEY: USER.apiKey,
    TOPSTEPX_WEBHOOK_SECRET: SECRET,
  });

  before(async () => {
    sim = await startTestSim({ now, rateLimits: { enabled: false } });
    red = await startNodeRed(env(), [], SETTINGS);
    await deployFlows(red.url, exampleWebhookFlow());
    await setPrice(sim, "MNQ", 21000);
    for (let i = 0; (await alert(red, `warm-${i}`, i % 2 ? "sell" : "buy")).status !== 200; i++) {
      assert.ok(i < 100, "the flow never became ready");
      await new Promise((r) => setTimeout(r, 100));
    }
  });
  after(async () => {
    await red?.stop();
    await sim?.close();
  });

  it("answers every alert once, journals it, and never doubles an order through late answers, 5xx, 429 storms, hub drops and token expiry", async () => {
    const faults = (body: object) => restClient(sim).post("/sim/faults", body);
    const drops = setInterval(() => void faults({ dropHubs: "all" }), 1500);
    const answers: Answer[] = [];
    try {
      for (let i = 0; i < 24; i++) {
        if (i === 3) await faults({ lateAnswer: [{ endpoint: "Order/place", delayMs: 6000 }] });
        if (i === 6) await faults({ fail: [{ endpoint: "Order/place", status: 500, execute: true }] });
        if (i === 9) await faults({ fail: [{ endpoint: "Order/place", status: 502 }] });
        if (i === 12) await faults({ fail: [{ endpoint: "Order/place", status: 429, count: 3 }] });
        if (i === 15) await restClient(sim).post("/sim/tokens/expire");
        if (i === 18) await faults({ pausePings: true });
        if (i === 21) await faults({ pausePings: false });
        answers.push(await alert(red, `f-${i}`, i % 2 ? "sell" : "buy"));
      }
    } finally {
      clearInterval(drops);
      await restClient(sim).delete("/sim/faults");
    }
    assert.equal(answers.length, 24);
    for (const a of answers)
      assert.ok(
        a.status === 200 || (a.status >= 400 && a.status < 600 && (a.body.error ?? a.body.rule)),
        `${a.id}: ${a.status} ${JSON.stringify(a.body)}`,
      );
    const state = (await restClient(sim).get("/sim/state")).data as {
      orders: Array<{ id: number; customTag: string | null }>;
    };
    const byTag = new Map<string, number>();
    for (const o of state.orders) if (o.customTag) byTag.set(o.customTag, (byTag.get(o.customTag) ?? 0) + 1);
    assert.ok(
      [...byTag.values()].every((n) => n === 1),
      "no customTag placed twice",
    );
    const placed = answers.filter((a) => a.status === 200);
    for (const a of placed)
      assert.ok(
        state.orders.some((o) => o.id === a.body.orderId),
        `${a.id}: order ${a.body.orderId} exists`,
      );
    const faultOrders = state.orders.filter(
      (o) => o.customTag && !answers.some((a) => a.body.orderId === o.id) && !/^warm/.test(o.customTag),
    );
    // Orders the simulator holds that no 200 answer names: only the warm-up ones and none else.
    assert.ok(
      faultOrders.length <= answers.filter((a) => a.status !== 200).length,
      "no order placed behind a refusal's back beyond the ambiguous ones",
    );
    assert.ok(placed.length >= 18, `most alerts still placed (${placed.length}/24)`);
    const journaled = decisionsById(red.userDir);
    for (const a of answers) assert.equal(journaled.get(a.id), 1, `${a.id} journaled once`);
  });

  it("keeps the rule state through a kill -9 of Node-RED, and trades again after the restart", async () => {
    const a = await alert(red, "before-kill", "buy");
    assert.equal(a.status, 200);
    await new Promise((r) => setTimeout(r, 300));
    const before = ruleState(red.userDir);
    red.child.kill("SIGKILL");
    await new Promise((r) => red.child.once("exit", r));
    red = await startNodeRed(env(), [], SETTINGS, red.userDir);
    let after: Answer;
    for (let i = 0; ; i++) {
      after = await alert(red, `after-kill-${i}`, "sell");
      if (after.status === 200 || i > 100) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(after.status, 200, JSON.stringify(after.body));
    // The new order fills a moment after the answer; its fill then reaches the rule state.
    await until(
      () => ruleState(red.userDir).dayTrades === (before.dayTrades as number) + 1,
      "the new fill counted",
      5000,
    ).catch(() => undefined);
    const restored = ruleState(red.userDir);
    for (const k of [
      "startBalance",
      "eodHigh",
      "floor",
      "floorLocked",
      "tradingDay",
      "dayStartBalance",
      "killSwitch",
      "blockedUntil",
      "tradingDays",
    ]) {
      assert.deepEqual(restored[k], before[k], k);
    }
    assert.equal(
      restored.dayTrades,
      (before.dayTrades as number) + 1,
      "fills are counted once across the restart (one new fill since)",
    );
  });
});

describe("faults: a flatten under failing close requests", function () {
  this.timeout(30_000);

  it("keeps trying until the simulator shows the account flat", async () => {
    const sim = await startTestSim({ now });
    const dir = mkdtempSync(join(tmpdir(), "topstepx-flat-"));
    const conn = new GatewayConnection({
      endpoints: simulatorEndpoints(sim.restUrl),
      credentials: USER,
      clock: { now },
      rest: { backoff: { initialMs: 10, maxMs: 50 } },
    });
    const journal = new Journal(join(dir, "j.sqlite"));
    const guard = new AccountGuard(conn, 10001, rulesFor("topstep-combine-50k", { flattenBuffer: 200 }), journal);
    try {
      await conn.start();
      await conn.whenConnected();
      await setPrice(sim, "MES", 6800);
      await guard.start();
      const mes = sim.market.frontMonths()[1]!.id;
      await conn.api.placeOrder({ accountId: 10001, contractId: mes, type: 2, side: 0, size: 2 });
      await conn.api.placeOrder({ accountId: 10001, contractId: mes, type: 1, side: 0, size: 1, limitPrice: 6000 });
      await until(() => (guard.status().headroom?.contracts ?? 0) > 0, "the guard sees the position");
      await restClient(sim).post("/sim/faults", {
        fail: [
          { endpoint: "Position/closeContract", status: 500, count: 2 },
          { endpoint: "Order/cancel", status: 503, count: 1 },
        ],
      });
      await setPrice(sim, "MES", 6620);
      await until(
        async () => {
          const s = (await restClient(sim).get("/sim/state")).data as {
            positions: unknown[];
            orders: Array<{ status: number }>;
          };
          return s.positions.length === 0 && !s.orders.some((o) => o.status === 1);
        },
        "flat after the failed attempts",
        15_000,
      );
      await guard.settled();
      const flat = journal.entries({ kind: "flatten" }).at(-1)?.data as { flat: boolean; rounds: number };
      assert.equal(flat.flat, true);
      assert.ok(flat.rounds >= 2, `took ${flat.rounds} rounds`);
    } finally {
      await guard.stop();
      journal.close();
      await conn.stop();
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
