import "./node-red-select";
import type { Simulator } from "../../src/sim";
import { runningClockFrom } from "./clock";
import type { Received } from "./node-msgs";
import { USER } from "./sim";
import { watchStatusLength } from "./status-cap";

/** node-red-node-test-helper bound to the Node-RED we test on (4.1, or 5 by ./node-red-select); untyped upstream. */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const helper = require("node-red-node-test-helper");
helper.init(require.resolve("node-red"));
watchStatusLength(helper._NodePrototype);
// Our nodes run on the session clock of test/support/clock.ts unless a test sets its own: the day
// CI runs must not decide what a node thinks "today" is.
const setSettings = helper.settings.bind(helper) as (s: Record<string, unknown>) => void;
helper.settings = (s: Record<string, unknown> = {}) => setSettings({ topstepxConfigClock: runningClockFrom(), ...s });
helper.settings({});

/* eslint-disable @typescript-eslint/no-require-imports */
export const configNode = require("../../nodes/topstepx-config/topstepx-config");
export const orderNode = require("../../nodes/topstepx-order/topstepx-order");
export const marketNode = require("../../nodes/topstepx-market/topstepx-market");
export const accountNode = require("../../nodes/topstepx-account/topstepx-account");
export const rulesNode = require("../../nodes/topstepx-rules/topstepx-rules");
export const alertNode = require("../../nodes/topstepx-alert/topstepx-alert");
export const allNodes = [configNode, orderNode, marketNode, accountNode, rulesNode, alertNode];

/** A topstepx-config node pointing at a simulator, and its credentials for helper.load. */
export function configFor(sim: Simulator, extra: Record<string, unknown> = {}) {
  return {
    node: {
      id: "cfg",
      type: "topstepx-config",
      name: "sim",
      environment: "custom",
      restUrl: sim.restUrl,
      userHubUrl: sim.userHubUrl,
      marketHubUrl: sim.marketHubUrl,
      account: "10001",
      ...extra,
    },
    credentials: { cfg: { userName: USER.userName, apiKey: USER.apiKey } },
  };
}

/** The latest status a node showed, its own (the helper's spy holds every node's calls). */
export { statusOf as lastStatus } from "./node-calls";

/**
 * Collects every msg a helper node receives. `M` is what the test reads of them (test/support/
 * node-msgs.ts); by default only the payload, as `unknown`.
 */
export function collect<M extends Received = Received>(node: { on(e: "input", f: (m: M) => void): void }): M[] {
  const got: M[] = [];
  node.on("input", (m) => got.push(m));
  return got;
}
