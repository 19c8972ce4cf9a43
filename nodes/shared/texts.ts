import { readFileSync } from "node:fs";
import { join } from "node:path";
import { NodeType } from "./node-types";

/** The values a text's `__name__` placeholders take. */
export type Vars = Record<string, string | number>;

/** Node-RED's message catalogue lookup, as each node module's RED offers it (namespaced to that node). */
export type Translate = (key: string, vars?: Record<string, string | number>) => string;

/**
 * A node's runtime texts: `t("status.filled", {quantity: 2})` is the text of
 * "<node-type>.status.filled" in its locales/<lang>/<node-type>.json; keys starting "common." are
 * shared by every node and live in topstepx-config.json's "common" section.
 */
export type Texts = (key: string, vars?: Vars) => string;

const PLACEHOLDER = /__(\w+)__/g;
const translators = new Map<string, Translate>();
const english = new Map<string, Record<string, unknown>>();
/** Each node type's templates, resolved once per key; a registration starts them afresh. */
const templates = new Map<NodeType, Map<string, string>>();
const cache = new Map<NodeType, Texts>();

/**
 * Lets a node module's RED translate that node's texts (each module's RED knows its own catalogue
 * only). Call once from the module's export.
 */
export function registerTexts(type: NodeType, RED: { _: Translate }): void {
  translators.set(type, (key, vars) => RED._(key, vars));
  templates.get(type)?.clear();
}

/** The en-US catalogue shipped beside the compiled node: the texts when the runtime has none. */
function englishOf(type: string): Record<string, unknown> {
  let c = english.get(type);
  if (!c) {
    const file = join(__dirname, "..", type, "locales", "en-US", `${type}.json`);
    c = (JSON.parse(readFileSync(file, "utf8")) as Record<string, Record<string, unknown>>)[type] ?? {};
    english.set(type, c);
  }
  return c;
}

function lookup(catalogue: Record<string, unknown>, key: string): string | undefined {
  let v: unknown = catalogue;
  for (const part of key.split(".")) v = v && typeof v === "object" ? (v as Record<string, unknown>)[part] : undefined;
  return typeof v === "string" ? v : undefined;
}

/**
 * The template of a key, placeholders left in: asked of the runtime once (each placeholder given
 * as itself), the en-US catalogue when the runtime does not know the key (the test helper's RED
 * answers every key with itself). A key in neither is a bug the catalogue test catches: the key
 * shows.
 */
function template(type: NodeType, key: string): string {
  const home = key.startsWith("common.") ? NodeType.Config : type;
  const full = `${home}.${key}`;
  const en = lookup(englishOf(home), key);
  const translate = translators.get(home) ?? (home === type ? undefined : translators.get(type));
  if (translate) {
    const names = en ? [...en.matchAll(PLACEHOLDER)].map((m) => m[1]!) : [];
    const asItself = Object.fromEntries(names.map((n) => [n, `__${n}__`]));
    const t = translate(full, asItself);
    // Unknown to the runtime: i18next answers the key (the namespace may stay in front).
    if (t && !t.endsWith(full)) return t;
  }
  return en ?? full;
}

function fill(text: string, vars: Vars): string {
  return text.replace(PLACEHOLDER, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

/**
 * The texts of one node type. Templates are resolved once per key and kept: a status shown on
 * every quote costs a map look-up and a replace.
 */
export function textsOf(type: NodeType): Texts {
  let t = cache.get(type);
  if (!t) {
    const known = new Map<string, string>();
    templates.set(type, known);
    t = (key, vars) => {
      let text = known.get(key);
      if (text === undefined) {
        text = template(type, key);
        known.set(key, text);
      }
      return vars ? fill(text, vars) : text;
    };
    cache.set(type, t);
  }
  return t;
}

/** The texts every node shares (connection states, refusals, start failures). */
export function commonText(key: `common.${string}`, vars?: Vars): string {
  return textsOf(NodeType.Config)(key, vars);
}
