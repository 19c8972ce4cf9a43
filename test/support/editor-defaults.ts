import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { createContext, runInContext } from "node:vm";

const ROOT = resolve(__dirname, "..", "..", "..");

/** Anything the editor script may touch while it registers (jQuery, RED.validators...): a no-op. */
const anything: unknown = new Proxy(() => undefined, { get: () => anything, apply: () => anything });

/**
 * The `defaults` each of our node types declares in its editor file (nodes/<type>/<type>.html), read
 * by running the file's script against a stand-in RED that records RED.nodes.registerType.
 */
export function editorDefaults(): Record<string, Record<string, { value?: unknown }>> {
  const out: Record<string, Record<string, { value?: unknown }>> = {};
  for (const type of readdirSync(join(ROOT, "nodes"))) {
    const html = join(ROOT, "nodes", type, `${type}.html`);
    if (!existsSync(html)) continue;
    const RED = {
      nodes: {
        registerType: (t: string, def: { defaults: Record<string, { value?: unknown }> }) => {
          out[t] = def.defaults;
        },
      },
      validators: anything,
      _: (k: string) => k,
      settings: {},
    };
    // As in the browser: the window is the global, and the editor scripts the file loads from
    // resources/ run before its own.
    const page: Record<string, unknown> = { RED, $: anything, document: anything };
    page.window = page;
    const context = createContext(page);
    const text = readFileSync(html, "utf8");
    for (const m of text.matchAll(/<script src="resources\/node-red-contrib-topstepx\/([\w.-]+)"><\/script>/g))
      runInContext(readFileSync(join(ROOT, "resources", m[1]!), "utf8"), context);
    for (const m of text.matchAll(/<script type="text\/javascript">([\s\S]*?)<\/script>/g))
      runInContext(m[1]!, context);
  }
  return out;
}
