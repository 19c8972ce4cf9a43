import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { GatewayConnection } from "../../src/core/connection";
import type { StateMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, restClient, until } from "../support/sim";

/** The REST reads one re-sync of an account makes. */
const RESYNC_READS = ["Account/search", "Position/searchOpen", "Order/v2/query", "Trade/search", "Order/searchOpen"];

/**
 * A hub drop costs one REST re-sync of the account, whoever listens to the connection: the rules
 * node's guard waits for the connection's re-sync instead of reading the account itself.
 */
describe("node: topstepx-rules re-syncs once per hub drop", function () {
  this.timeout(60_000);
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-resync-" });

  async function load() {
    const cfg = configFor(rt.sim);
    const flow = [
      cfg.node,
      {
        id: "r1",
        type: "topstepx-rules",
        server: "cfg",
        profile: "topstep-combine-50k",
        dbFile: join(rt.dir, "journal.sqlite"),
        wires: [[], [], ["st"]],
      },
      { id: "st", type: "helper" },
    ];
    await helper.load(allNodes, flow, cfg.credentials);
    const r1 = helper.getNode("r1");
    const st = collect<StateMsg>(helper.getNode("st"));
    const conn = helper.getNode("cfg").connection as GatewayConnection;
    // Synced, and the loss floor read from the history: the start's own reads are over.
    await until(
      () => /MLL \$/.test(lastStatus(r1).text ?? "") && st.at(-1)?.payload.floorCheck,
      "the rules node synced with its floor checked",
    );
    await until(() => conn.rest.stats.inFlight === 0, "the start's requests answered");
    return { st, conn };
  }

  async function reads(): Promise<Record<string, number>> {
    const counts = (await rt.state()).requests;
    return Object.fromEntries(RESYNC_READS.map((e) => [e, counts[e]?.executed ?? 0]));
  }

  const diff = (a: Record<string, number>, b: Record<string, number>) =>
    Object.fromEntries(RESYNC_READS.map((e) => [e, (b[e] ?? 0) - (a[e] ?? 0)]));

  async function drop(hub: "user" | "market" | "all", st: unknown[], conn: GatewayConnection) {
    const before = await reads();
    const seen = st.length;
    let resynced = 0;
    const count = (b: { accountId: number }) => {
      if (b.accountId === ACCOUNT) resynced++;
    };
    conn.on("resynced", count);
    await restClient(rt.sim).post("/sim/faults", { dropHubs: hub });
    const synced = (m: unknown) => (m as { payload: { synced: boolean } }).payload.synced;
    await until(() => st.slice(seen).some((m) => !synced(m)), `the guard to see the ${hub} hub drop`);
    await until(() => synced(st.at(-1)) && conn.status().state === "connected", "synced again", 10_000);
    // Every request already started has been answered: a second re-sync would have been counted.
    await until(() => conn.rest.stats.inFlight === 0, "no request in flight");
    conn.off("resynced", count);
    return { reads: diff(before, await reads()), resynced };
  }

  it("reads the account through REST once after a user-hub drop", async () => {
    const { st, conn } = await load();
    const { reads: used, resynced } = await drop("user", st, conn);
    assert.deepEqual(
      used,
      { "Account/search": 1, "Position/searchOpen": 1, "Order/v2/query": 1, "Trade/search": 1, "Order/searchOpen": 0 },
      "one re-sync's reads",
    );
    assert.equal(resynced, 1, "one re-sync");
  });

  it("reads the account through REST once after both hubs drop", async () => {
    const { st, conn } = await load();
    const { reads: used, resynced } = await drop("all", st, conn);
    assert.deepEqual(
      used,
      { "Account/search": 1, "Position/searchOpen": 1, "Order/v2/query": 1, "Trade/search": 1, "Order/searchOpen": 0 },
      "one re-sync's reads",
    );
    assert.equal(resynced, 1, "one re-sync");
  });

  it("reads nothing through REST after a market-hub drop: the user hub kept the account live", async () => {
    const { st, conn } = await load();
    const { reads: used, resynced } = await drop("market", st, conn);
    assert.deepEqual(
      used,
      { "Account/search": 0, "Position/searchOpen": 0, "Order/v2/query": 0, "Trade/search": 0, "Order/searchOpen": 0 },
      "no re-sync",
    );
    assert.equal(resynced, 0, "no re-sync");
  });
});
