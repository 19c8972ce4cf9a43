import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

import { editorDefaults } from "../support/editor-defaults";

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
  "link call",
  "catch",
];

interface FlowNode {
  id: string;
  type: string;
  z?: string;
  name?: string;
  wires?: string[][];
}

/** `npm run lint:examples` on a directory of flow files: its exit code and what it printed. */
function lintExamples(dir?: string): { status: number; out: string } {
  try {
    const out = execFileSync(process.execPath, [join(ROOT, "scripts", "lint-examples.mjs"), ...(dir ? [dir] : [])], {
      encoding: "utf8",
    });
    return { status: 0, out };
  } catch (e) {
    const { status, stdout } = e as { status: number; stdout: string };
    return { status, out: stdout };
  }
}

const DEFAULTS = editorDefaults();

describe("examples/", () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith(".json"));

  it("holds the starter, and the webhook, monitor, dashboard, ticket, group, copy, notifications and replay examples", () => {
    assert.deepEqual(files.sort(), [
      "0 Start here.json",
      "1 TradingView webhook to order.json",
      "2 P&L monitor and flatten.json",
      "3 Dashboard.json",
      "4 Manual order ticket.json",
      "5 One alert, several accounts.json",
      "6 Group dashboard.json",
      "7 Copy a leader account.json",
      "8 Notifications.json",
      "9 Replay a strategy.json",
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

      it("gives each of our nodes every property its editor defines (no warning triangle once imported)", () => {
        // The import applies no defaults: a missing property fails its validator in the editor.
        for (const n of nodes) {
          const defaults = DEFAULTS[n.type];
          if (!defaults) continue;
          const missing = Object.keys(defaults).filter((k) => !(k in n));
          assert.deepEqual(missing, [], `${n.id} (${n.type}) lacks ${missing.join(", ")}`);
        }
      });
    });
  }

  it("pass npm run lint:examples (nrlint with .nrlintrc.js, every file)", () => {
    const { status, out } = lintExamples();
    assert.equal(status, 0, out);
    assert.match(out, new RegExp(`${files.length} files, 0 problems`));
  });

  it("npm run lint:examples fails on a broken example, naming the file, the rule and the node", () => {
    const dir = mkdtempSync(join(tmpdir(), "topstepx-nrlint-"));
    try {
      for (const f of files) copyFileSync(join(DIR, f), join(dir, f));
      const file = "2 P&L monitor and flatten.json";
      const flow = JSON.parse(readFileSync(join(dir, file), "utf8")) as Array<FlowNode & Record<string, unknown>>;
      const fn = flow.find((n) => n.type === "function")!;
      fn.name = "";
      flow.find((n) => n.type === "topstepx-market")!.wires = [["gone"]];
      flow.find((n) => n.type === "link in")!.links = ["gone-too"];
      writeFileSync(join(dir, file), JSON.stringify(flow));
      const { status, out } = lintExamples(dir);
      assert.equal(status, 1, out);
      assert.ok(out.includes(`${file}: warn no-unnamed-functions: Function node has no name (${fn.id})`), out);
      assert.match(out, /no-dangling-wires: Wired to gone, which is not in the flow/);
      assert.match(out, /no-dangling-links: Link to gone-too, which is not a link out node/);
      assert.match(out, /3 problems/);
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
