import { strict as assert } from "node:assert";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { exampleWebhookFlow } from "../../bench/flows";
import { isGuardTag } from "../../src/core/gateway/custom-tag";
import { Journal } from "../../src/core/journal/journal";
import type { Simulator } from "../../src/sim";
import { clockSetting, runningClockFrom } from "../support/clock";
import type { GuardWireOrder } from "../support/guard-flow";
import { deployFlows, type NodeRedProcess, startNodeRed } from "../support/node-red-process";
import { ACCOUNT, restClient, setPrice, startTestSim, USER, until } from "../support/sim";
import { S, SELL, T } from "../support/trading";

const clock = runningClockFrom();
const SETTINGS = clockSetting(clock);
const SECRET = "guard-secret";
const JOURNAL = "topstepx-journal.sqlite";
/** The 50K Combine's floor ($48,000) plus the example's $200 flatten buffer. */
const FLOOR = 48_200;
const SLIPPAGE_TICKS = 4;
const TICK = 0.25;
const TICK_VALUE = 0.5;

interface SimState {
  accounts: Array<{ id: number; balance: number }>;
  orders: GuardWireOrder[];
  positions: Array<{ contractId: string; type: number; size: number; averagePrice: number }>;
  requests: Record<string, { received: number; executed: number; succeeded: number }>;
}

/** What a flow sees on the rules node's third output for `{command: "state"}`. */
interface RuleState {
  synced: boolean;
  blocked: { rule: string; reason: string; until: number | null } | null;
  guards: {
    enabled: boolean;
    floor: number | null;
    left: number | null;
    contracts: Array<{ contractId: string; level: number; position: number; quantity: number; orderId: number | null }>;
  };
}

/**
 * The shipped webhook example, plus what a trader could add to read the rule state from outside:
 * GET /guard-test/state asks the rules node `{command: "state"}` and answers with its third output.
 */
function flowWithStateEndpoint(): Array<Record<string, unknown>> {
  const flow = exampleWebhookFlow();
  const rules = flow.find((n) => n.type === "topstepx-rules")!;
  const z = rules.z;
  (rules.wires as string[][])[2]!.push("gt-is-state");
  return [
    ...flow,
    { id: "gt-in", type: "http in", z, url: "/guard-test/state", method: "get", upload: false, wires: [["gt-ask"]] },
    {
      id: "gt-ask",
      type: "change",
      z,
      rules: [{ t: "set", p: "payload", pt: "msg", to: '{"command":"state"}', tot: "json" }],
      wires: [[rules.id]],
    },
    {
      id: "gt-is-state",
      type: "switch",
      z,
      property: "topic",
      propertyType: "msg",
      rules: [{ t: "eq", v: "state", vt: "str" }],
      checkall: "true",
      outputs: 1,
      wires: [["gt-out"]],
    },
    { id: "gt-out", type: "http response", z, statusCode: "", headers: {}, wires: [] },
  ];
}

/**
 * The promise, end to end with a real Node-RED process: a position bought without a
 * bracket gets a guard stop resting at the gateway; Node-RED is then killed with SIGKILL, and the
 * market walks down through the guard while nothing of ours runs. The gateway's stop alone closes
 * the position above the floor; the restarted Node-RED finds the account flat and places nothing.
 */
describe("faults: the guard stop protects the account while Node-RED is killed", function () {
  this.timeout(90_000);
  let sim: Simulator;
  let red: NodeRedProcess | null = null;
  let userDir: string | null = null;
  let mnq: string;
  const env = () => ({
    TOPSTEPX_SIMULATOR_URL: sim.restUrl,
    TOPSTEPX_USERNAME: USER.userName,
    TOPSTEPX_API_KEY: USER.apiKey,
    TOPSTEPX_WEBHOOK_SECRET: SECRET,
  });
  const state = async () => (await restClient(sim).get("/sim/state")).data as SimState;
  const position = (s: SimState) => {
    const p = s.positions.find((x) => x.contractId === mnq);
    return p ? (p.type === 2 ? -p.size : p.size) : 0;
  };
  const openGuards = (s: SimState) => s.orders.filter((o) => isGuardTag(o.customTag) && o.status === S.Open);
  const ruleState = async (r: NodeRedProcess): Promise<RuleState | null> => {
    const res = await fetch(`${r.url}/guard-test/state`);
    return res.ok ? ((await res.json()) as RuleState) : null;
  };

  before(async () => {
    sim = await startTestSim({ now: clock.now, market: { partialFills: false } });
    mnq = sim.market.frontMonths().find((c) => c.id.includes(".MNQ."))!.id;
    await setPrice(sim, mnq, 25_000);
  });
  after(async () => {
    await red?.stop();
    if (userDir) rmSync(userDir, { recursive: true, force: true });
    await sim?.close();
  });

  it("closes a 2-lot through the resting guard after a kill -9, above the floor, and the restart adds nothing", async () => {
    red = await startNodeRed(env(), [], SETTINGS);
    userDir = red.userDir;
    await deployFlows(red.url, flowWithStateEndpoint());
    const first = red;
    await until(
      async () => (await ruleState(first))?.synced === true,
      "the rules node synced with the account",
      20_000,
    );

    // A TradingView alert: buy 2 MNQ, no stop loss, no take profit.
    const answer = await fetch(`${red.url}/topstepx/alert`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ secret: SECRET, id: "no-bracket", symbol: "MNQ1!", side: "buy", quantity: 2 }),
    });
    assert.equal(answer.status, 200, await answer.clone().text());

    const rested = await until(
      async () => {
        const s = await state();
        const g = openGuards(s);
        return position(s) === 2 && g.length === 1 && g[0]!.size === 2 ? { s, g: g[0]! } : null;
      },
      "a guard stop for 2 resting at the gateway",
      10_000,
    );
    const guard = rested.g;
    assert.ok(guard.customTag!.startsWith("nrxg-"), guard.customTag!);
    assert.equal(guard.type, T.Stop);
    assert.equal(guard.side, SELL);
    assert.equal(rested.s.orders.filter((o) => o.status === S.Open).length, 1, "the guard is the only working order");
    // The level: all of the headroom above the floor, less the closing costs (the same as the
    // entry's) and 4 ticks of slippage, spent in ticks below the entry price, rounded up to the grid.
    const balance = rested.s.accounts.find((a) => a.id === ACCOUNT)!.balance;
    const entry = rested.s.positions.find((p) => p.contractId === mnq)!.averagePrice;
    const closing = 50_000 - balance;
    const room = (balance - closing - FLOOR) / (TICK_VALUE * 2) - SLIPPAGE_TICKS;
    const level = Math.ceil((entry - room * TICK) / TICK) * TICK;
    assert.equal(guard.stopPrice, level, `guard at ${guard.stopPrice}, expected ${level} (entry ${entry})`);
    // The rule-state output names the same level and the dollars left above the floor.
    const shown = await until(async () => {
      const r = await ruleState(first);
      return r?.guards.contracts[0]?.quantity === 2 ? r : null;
    }, "the guard on the rule-state output");
    assert.equal(shown.guards.enabled, true);
    assert.equal(shown.guards.floor, FLOOR);
    assert.equal(shown.guards.contracts[0]!.level, level);
    assert.equal(shown.guards.contracts[0]!.orderId, guard.id);
    assert.ok(shown.guards.left! > 1_700 && shown.guards.left! < 1_800, `$${shown.guards.left} left`);

    red.child.kill("SIGKILL");
    await new Promise((r) => first.child.once("exit", r));
    red = null;

    // Nothing of ours runs now. The market walks down a tick at a time from 8 ticks above the guard
    // to 1 tick above it, then gaps 4 ticks, to 3 ticks through it: a gap the slippage allowance covers.
    const walk = [...Array.from({ length: 8 }, (_, i) => level + (8 - i) * TICK), level - 3 * TICK];
    for (const p of walk) {
      await setPrice(sim, mnq, p);
      const held = position(await state());
      assert.ok(held >= 0, `never short: position ${held} at ${p}`);
      if (p > level) assert.equal(held, 2, `still long 2 above the guard, at ${p}`);
    }
    const after = await state();
    assert.equal(position(after), 0, "flat after the walk");
    const filled = after.orders.find((o) => o.id === guard.id)!;
    assert.equal(filled.status, S.Filled, "the guard itself closed the position");
    assert.ok(filled.filledPrice! <= level - 3 * TICK, `filled at ${filled.filledPrice}, through the gap`);
    assert.equal(after.orders.filter((o) => o.status === S.Open).length, 0, "nothing left working");
    const closed = after.accounts.find((a) => a.id === ACCOUNT)!.balance;
    assert.ok(closed > FLOOR, `balance ${closed} stays above the floor plus buffer (${FLOOR})`);

    // Node-RED back on the same user directory: the journal, the rule state and the flows as left.
    const placedBefore = after.requests["Order/place"]?.received ?? 0;
    red = await startNodeRed(env(), [], SETTINGS, userDir);
    const second = red;
    const back = await until(async () => {
      const r = await ruleState(second);
      return r?.synced ? r : null;
    }, "the restarted rules node synced with the account");
    // The guards reconcile on the sync: whatever they would do is done once they report no contract.
    await until(async () => ((await ruleState(second))?.guards.contracts.length ?? -1) === 0, "no contract guarded");
    const restarted = await state();
    assert.equal(position(restarted), 0, "still flat");
    assert.equal(restarted.requests["Order/place"]?.received ?? 0, placedBefore, "no order placed after the restart");
    assert.equal(openGuards(restarted).length, 0, "no guard resting on the flat account");
    assert.equal(back.guards.enabled, true);
    // The guard's fill happened unseen, yet it is the breach it would have been had Node-RED watched
    // it: entries stay blocked until the next session.
    const blocked = await until(
      async () => (await ruleState(second))?.blocked,
      "the guard's fill found after the restart, blocking entries",
    );
    assert.equal(blocked.rule, "flattenBuffer");
    assert.match(blocked.reason, /guard stop .* filled/);
    const refused = await fetch(`${second.url}/topstepx/alert`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ secret: SECRET, id: "after-restart", symbol: "MNQ1!", side: "buy", quantity: 1 }),
    });
    assert.equal(refused.status, 422, "a new entry is refused");
    assert.equal(((await refused.json()) as { rule: string }).rule, "flattenBuffer");

    await red.stop(true);
    red = null;
    const j = new Journal(join(userDir, JOURNAL));
    try {
      assert.equal(j.verify(), null, "the journal's hash chain is intact");
      const guardRows = j.entries({ kind: "guard" }).map((e) => e.data as { action: string; orderId?: number });
      assert.ok(
        guardRows.some((g) => g.action === "placed" && g.orderId === guard.id),
        `the placement journaled: ${JSON.stringify(guardRows)}`,
      );
      assert.ok(
        guardRows.some((g) => g.action === "filled" && g.orderId === guard.id),
        `the fill journaled as the guard's: ${JSON.stringify(guardRows)}`,
      );
      const fills = j.entries({ kind: "fill" }).map((e) => e.data as { orderId: number; size: number });
      assert.deepEqual(
        fills.filter((f) => f.orderId === guard.id).map((f) => f.size),
        [2],
        "the guard's fill journaled once",
      );
      const breaches = j.entries({ kind: "breach" }).map((e) => e.data as { rule: string; guard?: number });
      assert.deepEqual(breaches, [breaches.find((b) => b.guard === guard.id)], "one breach, the guard's");
    } finally {
      j.close();
    }
  });
});
