import { strict as assert } from "node:assert";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

/**
 * The runtime texts' catalogue against the sources that use it: every key a node's code names is
 * in its en-US catalogue (keys "common.…" in topstepx-config's), every key of the runtime sections
 * is used, and no status, warning or error is written as a bare English literal.
 */
const ROOT = resolve(__dirname, "..", "..", "..");
const NODES = join(ROOT, "nodes");
const CONFIG = "topstepx-config";
/** The catalogue sections the runtime reads (the others are the editor's). */
const RUNTIME_SECTIONS = ["status", "errors", "warnings", "log", "reasons", "notifications", "common"];
const KEY = /["'`]((?:common\.)?(?:status|errors|warnings|log|reasons|notifications|rule)\.[A-Za-z0-9_.]+)["'`]/g;

function sources(dir: string, ext = ".ts"): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) return f === "locales" ? [] : sources(p, ext);
    return p.endsWith(ext) ? [p] : [];
  });
}

/** The source without its comments, so a comment quoting a text is no finding. */
function code(file: string): string {
  return readFileSync(file, "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, "")
    .replace(/^\s*\/\/.*$/gm, "");
}

function catalogue(type: string): Record<string, unknown> {
  const file = join(NODES, type, "locales", "en-US", `${type}.json`);
  return (JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, unknown>>)[type]!;
}

function lookup(c: Record<string, unknown>, key: string): unknown {
  return key
    .split(".")
    .reduce<unknown>((v, k) => (v && typeof v === "object" ? (v as Record<string, unknown>)[k] : undefined), c);
}

function leaves(v: unknown, prefix: string): string[] {
  if (typeof v === "string") return [prefix];
  return Object.entries(v as Record<string, unknown>).flatMap(([k, x]) => leaves(x, prefix ? `${prefix}.${k}` : k));
}

const types = readdirSync(NODES).filter((d) => d.startsWith("topstepx-"));
const files = sources(NODES);
/** "<node-type>|<key>" of every key the code names. */
const used = new Set<string>();
for (const file of files) {
  const dir = relative(NODES, file).split("/")[0]!;
  for (const m of code(file).matchAll(KEY)) {
    const key = m[1]!;
    used.add(key.startsWith("common.") ? `${CONFIG}|${key}` : `${dir}|${key}`);
  }
}

/** Keys the editor names in full (node._("topstepx-config.status.loading")): used, not the runtime's to have. */
const editorUsed = new Set<string>();
for (const file of sources(NODES, ".html"))
  for (const m of readFileSync(file, "utf8").matchAll(/["'](topstepx-[a-z]+)\.([A-Za-z0-9_.]+)["']/g))
    editorUsed.add(`${m[1]}|${m[2]}`);

describe("runtime texts: the en-US catalogue is complete", () => {
  it("finds the keys the nodes use (the scan works)", () => {
    assert.ok(used.size > 100, `${used.size} keys`);
    assert.ok(used.has(`${CONFIG}|common.status.connected`));
    assert.ok(used.has("topstepx-order|status.filled"));
  });

  it("has a text for every key the nodes' code names, in the node's own catalogue (shared code: common only)", () => {
    const missing = [...used].filter((u) => {
      const [type, key] = u.split("|") as [string, string];
      return !types.includes(type) || typeof lookup(catalogue(type), key) !== "string";
    });
    assert.deepEqual(missing, []);
  });

  it("uses every text of the runtime sections", () => {
    const unused = types.flatMap((type) => {
      const c = catalogue(type);
      return RUNTIME_SECTIONS.filter((s) => c[s] !== undefined)
        .flatMap((s) => leaves(c[s], s))
        .filter((key) => !used.has(`${type}|${key}`) && !editorUsed.has(`${type}|${key}`));
    });
    assert.deepEqual(unused, []);
  });

  it("sets no status, warning or error from a bare English literal", () => {
    const bare = [
      /\btext:\s*["'`][A-Za-z]/,
      /\b(?:okStatus|errorStatus)\(\s*["'`][A-Za-z]/,
      /\.(?:warn|error|log)\(\s*["'`][A-Za-z]/,
      /\b(?:node|this)\.status\(\s*["'`]/,
    ];
    const found = files.flatMap((file) =>
      code(file)
        .split("\n")
        .filter((line) => bare.some((re) => re.test(line)))
        .map((line) => `${relative(ROOT, file)}: ${line.trim()}`),
    );
    assert.deepEqual(found, []);
  });
});
