import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Simulator, SimulatorOptions } from "../../src/sim";
import { SESSION_INSTANT } from "./clock";
import { helper } from "./node-red";
import { restClient, startTestSim } from "./sim";

/** The simulator's state as /sim/state shows it, in the parts tests read. */
export interface SimState {
  accounts: Array<{ id: number; balance: number }>;
  positions: Array<{ contractId: string; size: number; type: number }>;
  orders: Array<{
    id: number;
    status: number;
    contractId: string;
    size: number;
    side: number;
    customTag?: string | null;
  }>;
  /** Per endpoint; `succeeded` counts answers with success: true (for Order/place, orders created). */
  requests: Record<string, { received: number; executed: number; succeeded: number }>;
}

/** A simulator and the test runtime on one clock the test moves, and a fresh directory per test. */
export interface RuntimeOnSim {
  /** Set by the suite's `before`. */
  sim: Simulator;
  /** A new temporary directory for each test (journal files), removed after it. */
  dir: string;
  /** The instant both the simulator and our nodes read; reset to `at` before each test. */
  clock: number;
  readonly now: () => number;
  state(): Promise<SimState>;
}

/**
 * Registers the hooks of a suite that runs our nodes in the test runtime against a simulator:
 * starts both on a shared clock, resets the simulator and the clock before each test, unloads the
 * flow and removes the test's directory after it. Call it first in the `describe`.
 */
export function useRuntimeOnSim(
  o: { at?: number; sim?: Omit<SimulatorOptions, "now">; dirPrefix?: string } = {},
): RuntimeOnSim {
  const at = o.at ?? SESSION_INSTANT;
  const rt: RuntimeOnSim = {
    sim: undefined as unknown as Simulator,
    dir: "",
    clock: at,
    now: () => rt.clock,
    state: async () => (await restClient(rt.sim).get("/sim/state")).data as SimState,
  };
  before(async () => {
    rt.sim = await startTestSim({ ...o.sim, now: rt.now });
    helper.settings({ topstepxConfigClock: { now: rt.now } });
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    helper.settings({});
    await rt.sim.close();
  });
  beforeEach(async () => {
    rt.dir = mkdtempSync(join(tmpdir(), o.dirPrefix ?? "topstepx-test-"));
    rt.clock = at;
    await restClient(rt.sim).post("/sim/reset");
  });
  afterEach(async () => {
    try {
      await helper.unload();
    } finally {
      rmSync(rt.dir, { recursive: true, force: true });
    }
  });
  return rt;
}
