import { strict as assert } from "node:assert";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { GatewayConnection } from "../../src/core/connection";
import { UnknownSymbolError } from "../../src/core/contracts/contract-resolver";
import { simulatorEndpoints } from "../../src/core/gateway/environments";
import { Journal } from "../../src/core/journal/journal";
import { IntentError } from "../../src/core/orders/order-intent";
import { AccountGuard } from "../../src/core/rules/account-guard";
import { GateRequest, OrderGate } from "../../src/core/rules/order-gate";
import { rulesFor } from "../../src/core/rules/rules-config";
import type { Simulator } from "../../src/sim";
import {
  ACCOUNT,
  frontMonth,
  login,
  restClient,
  SECOND_ACCOUNT,
  setPrice,
  startTestSim,
  USER,
  until,
} from "../support/sim";
import { BUY, T } from "../support/trading";

type Data = Record<string, unknown> & { alertId?: string; decision?: { rule: string; allow: boolean } };

/** The gate used as a library, without Node-RED: a real connection, guard and SQLite journal. */
describe("core: the order gate against the simulator", () => {
  let sim: Simulator;
  let dir: string;
  let conn: GatewayConnection;
  let journal: Journal;
  let guard: AccountGuard;
  let gate: OrderGate;
  let es: string;

  before(async () => {
    sim = await startTestSim();
    es = (await frontMonth((await login(sim)).api, "ES")).id;
  });
  after(() => sim.close());

  beforeEach(async () => {
    await restClient(sim).post("/sim/reset");
    await setPrice(sim, es, 6800);
    dir = mkdtempSync(join(tmpdir(), "topstepx-gate-"));
    conn = new GatewayConnection({
      endpoints: simulatorEndpoints(sim.restUrl),
      credentials: USER,
      clock: { now: () => sim.now() },
    });
    await conn.start();
    await conn.whenConnected();
    journal = new Journal(join(dir, "journal.sqlite"));
    guard = new AccountGuard(conn, ACCOUNT, rulesFor("topstep-combine-50k"), journal);
    gate = new OrderGate(guard, conn, journal);
    await guard.start();
    await until(() => {
      const s = guard.status();
      return s.synced && s.headroom?.maxLoss != null && !s.blocked;
    }, "the guard synced, its loss floor established");
  });

  afterEach(async () => {
    await guard.stop();
    journal.close();
    await conn.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  const decisions = (): Data[] => journal.entries({ kind: "decision" }).map((e) => e.data as Data);

  it("sizes a target position as a market order, and counts it when the same target comes again", async () => {
    const first = await gate.judge(GateRequest.parse({ symbol: "ES", targetPosition: -2, id: "t-1" }));
    assert.equal(first.outcome, "approved", JSON.stringify(first.decision));
    assert.equal(first.targetResolved, true);
    assert.deepEqual(
      { ...first.order, customTag: typeof first.order.customTag },
      { action: "place", type: "market", side: "sell", quantity: 2, account: ACCOUNT, customTag: "string" },
    );
    // Not sent yet: the approval is reserved, so the same target finds the account there already.
    const again = await gate.judge(GateRequest.parse({ symbol: "ES", targetPosition: -2, id: "t-2" }));
    assert.deepEqual([again.outcome, again.decision.rule, again.order.quantity], ["nothingToDo", "atTarget", 0]);
    const rows = decisions();
    assert.deepEqual(
      rows.map((d) => [d.alertId, d.decision?.rule, d.customTag !== undefined]),
      [
        ["t-1", first.decision.rule, true],
        ["t-2", "atTarget", true],
      ],
    );
    assert.equal(rows[0]!.customTag, first.order.customTag, "the journal names the order's customTag");
    assert.deepEqual([journal.decided("t-1", ACCOUNT), journal.decided("t-2", ACCOUNT)], [true, true]);
  });

  it("sizes a strategy's exit against the account: nothing to do when flat, no more than held otherwise", async () => {
    const exit = { symbol: "ES", side: "sell", quantity: 3, strategyPosition: { after: "flat" } };
    const flat = await gate.judge(GateRequest.parse({ ...exit, id: "s-1" }));
    assert.deepEqual([flat.outcome, flat.decision.rule], ["nothingToDo", "alreadyFlat"]);
    await conn.api.placeOrder({ accountId: ACCOUNT, contractId: es, type: T.Market, side: BUY, size: 1 });
    await until(() => conn.book(ACCOUNT)?.positions.get(es)?.size === 1, "the long position in the book");
    const held = await gate.judge(GateRequest.parse({ ...exit, id: "s-2" }));
    assert.deepEqual([held.outcome, held.order.quantity], ["approved", 1], JSON.stringify(held.decision));
  });

  it("refuses a duplicate alert id, also when both copies arrive together, and journals every decision", async () => {
    const request = GateRequest.parse({ symbol: "ES", side: "buy", quantity: 1, id: "dup-1" });
    const together = await Promise.all([gate.judge(request), gate.judge(request)]);
    assert.deepEqual(together.map((r) => r.outcome).sort(), ["approved", "duplicate"]);
    const later = await gate.judge(request, { alert: { format: "json" }, msgid: "m-3" });
    assert.deepEqual([later.outcome, later.decision.rule], ["duplicate", "duplicateAlert"]);
    assert.deepEqual(
      decisions()
        .map((d) => d.decision?.rule)
        .sort(),
      ["duplicateAlert", "duplicateAlert", together.find((r) => r.decision.allow)!.decision.rule].sort(),
    );
    const alerts = journal.entries({ kind: "alert" }).map((e) => e.data as Data);
    assert.deepEqual(alerts, [{ alertId: "dup-1", format: "json" }], "the alert is journaled with its decision");
  });

  it("journals a request it cannot judge with the field at fault and leaves its id for a retry", async () => {
    const bad = GateRequest.parse({ symbol: "NOPE", side: "buy", quantity: 1, id: "f-1" });
    await assert.rejects(gate.judge(bad, { alert: { format: "text" } }), UnknownSymbolError);
    const errors = journal.entries({ kind: "error" }).map((e) => e.data as Data);
    assert.deepEqual(
      errors.map((e) => [e.alertId, e.field]),
      [["f-1", "symbol"]],
    );
    assert.equal(journal.decided("f-1", ACCOUNT), false, "the id is not spent by a failure");
    const other = GateRequest.parse({ symbol: "ES", side: "buy", quantity: 1, id: "f-2", account: SECOND_ACCOUNT });
    await assert.rejects(gate.judge(other), (e: unknown) => e instanceof IntentError && e.field === "account");
    const retry = await gate.judge(GateRequest.parse({ symbol: "ES", side: "buy", quantity: 1, id: "f-1" }));
    assert.equal(retry.outcome, "approved", JSON.stringify(retry.decision));
    assert.equal(retry.order.account, ACCOUNT);
  });
});
