import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..", "..");
const DIR = join(ROOT, "examples");
const OURS = [
  "topstepx-config",
  "topstepx-order",
  "topstepx-market",
  "topstepx-account",
  "topstepx-rules",
  "topstepx-alert",
  "topstepx-group",
  "topstepx-copy",
  "topstepx-replay",
];
/** The examples that need FlowFuse Dashboard 2. */
const DASHBOARDS = /^[369] /;
const CORE = [
  "tab",
  "comment",
  "inject",
  "debug",
  "function",
  "switch",
  "change",
  "http in",
  "http response",
  "http request",
  "link out",
  "link in",
];

interface FlowNode {
  id: string;
  type: string;
  z?: string;
  name?: string;
  wires?: string[][];
}

function nrlint(file: string): Array<{ rule: string; message: string; location: string[] }> {
  const bin = require.resolve("nrlint/bin/nrlint.js", { paths: [ROOT] });
  try {
    return JSON.parse(
      execFileSync(process.execPath, [bin, "-c", join(ROOT, ".nrlintrc.js"), "-f", "json", file], { encoding: "utf8" }),
    );
  } catch (e) {
    // nrlint exits non-zero when it finds problems; its report is still on stdout.
    const stdout = (e as { stdout?: string }).stdout;
    if (!stdout) throw e;
    return JSON.parse(stdout);
  }
}

describe("examples/", () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith(".json"));

  it("holds the webhook, monitor, dashboard, ticket, group, copy, notifications and replay examples, and flows.json", () => {
    assert.deepEqual(files.sort(), [
      "1 TradingView webhook to order.json",
      "2 P&L monitor and flatten.json",
      "3 Dashboard.json",
      "4 Manual order ticket.json",
      "5 One alert, several accounts.json",
      "6 Group dashboard.json",
      "7 Copy a leader account.json",
      "8 Notifications.json",
      "9 Replay a strategy.json",
      "flows.json",
    ]);
  });

  for (const file of files) {
    describe(file, () => {
      const nodes = JSON.parse(readFileSync(join(DIR, file), "utf8")) as FlowNode[];

      it("starts with a comment node that explains it", () => {
        const first = nodes.find((n) => n.type !== "tab");
        assert.equal(first?.type, "comment");
        assert.ok((first as { info?: string }).info!.length > 100, "the comment's info explains the example");
      });

      it("uses only core nodes, ours, and Dashboard 2 in the dashboard example", () => {
        for (const n of nodes) {
          const ok =
            CORE.includes(n.type) || OURS.includes(n.type) || (DASHBOARDS.test(file) && n.type.startsWith("ui-"));
          assert.ok(ok, `${n.id}: ${n.type}`);
        }
      });

      it("carries no credentials and points its configuration at the simulator", () => {
        const text = JSON.stringify(nodes);
        assert.equal(/apiKey|credentials|local-simulator-key/.test(text), false);
        const cfg = nodes.filter((n) => n.type === "topstepx-config") as Array<FlowNode & { environment: string }>;
        assert.equal(cfg.length, 1);
        assert.equal(cfg[0]!.environment, "simulator");
      });

      it("wires only to nodes that exist, and guards each account with one rules node at most", () => {
        const ids = new Set(nodes.map((n) => n.id));
        for (const n of nodes)
          for (const port of n.wires ?? []) for (const w of port) assert.ok(ids.has(w), `${n.id} → ${w}`);
        // A blank account is the configuration's default one (10001 in every example).
        const guarded = nodes
          .filter((n) => n.type === "topstepx-rules")
          .map((n) => (n as { account?: string }).account || "10001");
        assert.equal(new Set(guarded).size, guarded.length, `accounts guarded twice: ${guarded.join(", ")}`);
      });

      it("passes nrlint", () => {
        assert.deepEqual(nrlint(join(DIR, file)), []);
      });
    });
  }

  it("nrlint does find problems (the check above can fail)", () => {
    const dir = mkdtempSync(join(tmpdir(), "topstepx-nrlint-"));
    try {
      const bad = join(dir, "bad.json");
      writeFileSync(
        bad,
        JSON.stringify([
          { id: "t", type: "tab", label: "t" },
          { id: "a", type: "http in", z: "t", url: "/x", method: "post", x: 100, y: 100, wires: [[]] },
          { id: "b", type: "http in", z: "t", url: "/x", method: "post", x: 105, y: 101, wires: [[]] },
        ]),
      );
      const rules = nrlint(bad).map((p) => p.rule);
      assert.ok(
        rules.includes("no-duplicate-http-in-urls") && rules.includes("no-unconnected-http-nodes"),
        rules.join(", "),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("uses every node of the package somewhere (the Flow Library's N02 check)", () => {
    const used = new Set(
      files.flatMap((f) => (JSON.parse(readFileSync(join(DIR, f), "utf8")) as FlowNode[]).map((n) => n.type)),
    );
    for (const t of OURS) assert.ok(used.has(t), t);
  });
});
