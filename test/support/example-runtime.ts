import { join } from "node:path";
import type { Simulator } from "../../src/sim";
import type { FlowNode } from "./editor-import";
import { allNodes, configFor, helper } from "./node-red";

/* eslint-disable @typescript-eslint/no-require-imports */
const CORE = [
  "common/20-inject.js",
  "common/21-debug.js",
  "common/25-catch.js",
  "common/60-link.js",
  "common/90-comment.js",
  "function/10-function.js",
  "function/10-switch.js",
  "function/15-change.js",
  "network/21-httprequest.js",
].map((f) => require(`@node-red/nodes/core/${f}`));
const httpInModule = require("@node-red/nodes/core/network/21-httpin.js");
const supertest = require("supertest");
const OURS_TOO = ["group", "copy", "replay"].map((t) => require(`../../nodes/topstepx-${t}/topstepx-${t}`));
/* eslint-enable @typescript-eslint/no-require-imports */

/** The express app the http in nodes serve on (RED.httpNode), kept as the module loads. */
let httpNodeApp: unknown = null;
const httpNodes = (RED: { httpNode: unknown }) => {
  httpNodeApp = RED.httpNode;
  return httpInModule(RED);
};

/**
 * Posts to a deployed http in node (a webhook) and returns its answer; a request left unanswered
 * fails after 10 s instead of hanging the test.
 */
export async function postWebhook(
  path: string,
  body: object,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const r = await supertest(httpNodeApp).post(path).timeout(10_000).send(body);
  return { status: r.status, body: r.body as Record<string, unknown> };
}

/** The webhook secret the examples' configuration node gets in these tests. */
export const EXAMPLE_SECRET = "examples-secret";

/**
 * Deploys flows made of the examples into the test runtime on the simulator: their configuration
 * node pointed at the simulator with credentials, the rules nodes' journal in `dir`, and each
 * Dashboard 2 widget replaced by a helper node that receives what the widget would show (the
 * dashboard's own configuration nodes are left out).
 */
export async function deployExamples(flows: FlowNode[], sim: Simulator, dir: string): Promise<void> {
  const cfg = configFor(sim, { id: "tsx-config", name: "Local simulator" });
  const nodes = flows.flatMap((n): Array<Record<string, unknown>> => {
    if (n.type === "topstepx-config") return [{ ...cfg.node, id: n.id }];
    if (n.type === "topstepx-rules") return [{ ...n, dbFile: join(dir, "journal.sqlite") }];
    if (n.type.startsWith("ui-")) return n.z ? [{ id: n.id, type: "helper", z: n.z, wires: n.wires ?? [] }] : [];
    return [n];
  });
  const credentials = Object.fromEntries(
    flows
      .filter((n) => n.type === "topstepx-config")
      .map((n) => [n.id, { ...cfg.credentials.cfg, webhookSecret: EXAMPLE_SECRET }]),
  );
  await helper.load([httpNodes, ...allNodes, ...OURS_TOO, ...CORE], nodes, credentials);
}

interface Spied {
  getCalls(): Array<{ thisValue: { id?: string; type?: string } | null; args: unknown[] }>;
}

/** Every node error since the flows were deployed, as "type id: message". */
export function nodeErrors(anyNodeId: string): string[] {
  const node = helper.getNode(anyNodeId) as unknown as { error: Spied };
  return node.error.getCalls().map((c) => `${c.thisValue?.type} ${c.thisValue?.id}: ${String(c.args[0])}`);
}
