import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

/** A node of a flow file, in the parts the import reads. */
export interface FlowNode {
  id: string;
  type: string;
  z?: string;
  name?: string;
  x?: number;
  y?: number;
  wires?: string[][];
  links?: string[];
  [key: string]: unknown;
}

export const EXAMPLES = join(resolve(__dirname, "..", "..", ".."), "examples");

/** An example file as shipped. */
export function example(file: string): FlowNode[] {
  return JSON.parse(readFileSync(join(EXAMPLES, file), "utf8")) as FlowNode[];
}

/**
 * How the trader answers Node-RED 4.1's "Some of the nodes you are importing already exist" notice:
 * "copy" (Import copy: every imported node gets a new id, a configuration node whose id exists is
 * the existing one) or "selected" (View nodes ▸ Import selected with the dialog's defaults: the
 * configuration nodes that exist are left out, the rest is imported as it is).
 */
export type ImportChoice = "copy" | "selected";

/** A configuration node: no position on a tab (the editor's own test in identifyImportConflicts). */
const isConfig = (n: FlowNode) => n.type !== "tab" && !("x" in n && "y" in n);

let fresh = 0;

/**
 * What the editor's Import (Import ▸ Examples, or pasted JSON) leaves in the workspace when
 * `imported` comes on top of `existing`, modelled on RED.nodes.import of Node-RED 4.1: without a
 * clash the nodes keep their ids; with one the trader's `choice` decides. A link node keeps only
 * the links whose other end is imported or already there (the editor drops the others).
 */
export function importLikeEditor(existing: FlowNode[], imported: FlowNode[], choice: ImportChoice): FlowNode[] {
  const have = new Set(existing.map((n) => n.id));
  const clash = imported.filter((n) => have.has(n.id));
  let added = imported.map((n) => structuredClone(n));
  if (clash.length > 0) {
    const nonConfig = clash.filter((n) => !isConfig(n));
    if (choice === "selected") {
      // The dialog ticks every clashing node but the configuration nodes: importing those would
      // replace a deployed node, which the examples must never need.
      if (nonConfig.length > 0) throw new Error(`the import would replace ${nonConfig.map((n) => n.id).join(", ")}`);
      added = added.filter((n) => !have.has(n.id));
    } else {
      const renamed = new Map<string, string>();
      for (const n of added) if (!(isConfig(n) && have.has(n.id))) renamed.set(n.id, `imported-${++fresh}`);
      added = added.filter((n) => renamed.has(n.id)).map((n) => remap(n, renamed) as FlowNode);
    }
  }
  const all = new Set([...have, ...added.map((n) => n.id)]);
  for (const n of added)
    if (/^link /.test(n.type) && Array.isArray(n.links)) n.links = n.links.filter((l) => all.has(l));
  return [...existing, ...added];
}

/** Every reference to a renamed node (wires, z, links, a catch's scope, configuration properties). */
function remap(value: unknown, renamed: Map<string, string>): unknown {
  if (typeof value === "string") return renamed.get(value) ?? value;
  if (Array.isArray(value)) return value.map((v) => remap(v, renamed));
  if (value && typeof value === "object")
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, k === "info" || k === "func" ? v : remap(v, renamed)]),
    );
  return value;
}

/** The examples imported one after the other into an empty workspace. */
export function importAll(files: string[], choice: ImportChoice): FlowNode[] {
  return files.reduce<FlowNode[]>((flows, f) => importLikeEditor(flows, example(f), choice), []);
}

/**
 * A rules node of "0 Start here" (by its id there) placed on another tab: for tests that wire an
 * example's nodes straight to the rules node its link nodes reach.
 */
export function starterRules(id: string, z: string): FlowNode {
  const rules = example("0 Start here.json").find((n) => n.id === id);
  if (rules?.type !== "topstepx-rules") throw new Error(`no rules node ${id} in "0 Start here"`);
  return { ...rules, z };
}
