#!/usr/bin/env node
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { bySeverity } from "../core/preflight/finding";
import { askNodeRed, countsOf, PreflightRunError, type Section } from "./ask-node-red";

const USAGE = `Usage: topstepx-preflight [--url http://127.0.0.1:1880] [--user <name> --password <password>] [--json]

Asks a running Node-RED what is unsafe before trading live: whether its editor answers without a
login (asked from outside, as anyone would), and for each deployed TopstepX configuration node the
webhook secret of its alert nodes, the rules profiles against their accounts, the bracket mode and
the clock offset to the gateway. Exits 1 when a finding is a danger, 2 when the check could not run.

  --url <url>            Node-RED's address (default http://127.0.0.1:1880, or NODE_RED_URL)
  --user, --password     the editor's login, when adminAuth is set (or NODE_RED_USER, NODE_RED_PASSWORD)
  --json                 the findings as JSON
  -h, --help             this text`;

/** The config node's en-US texts: the same catalogue the dialog shows. */
function catalogue(): (key: string, params?: Record<string, string | number>) => string {
  const file = join(__dirname, "..", "..", "nodes", "topstepx-config", "locales", "en-US", "topstepx-config.json");
  const root = (JSON.parse(readFileSync(file, "utf8")) as Record<string, { preflight: unknown }>)["topstepx-config"]!
    .preflight;
  return (key, params = {}) => {
    let v: unknown = root;
    for (const part of key.split(".")) v = (v as Record<string, unknown> | undefined)?.[part];
    if (typeof v !== "string") return key;
    return v.replace(/__(\w+)__/g, (m, name: string) => (name in params ? String(params[name]) : m));
  };
}

const MARK = { danger: "DANGER", warn: "WARN  ", ok: "ok    " } as const;

function print(sections: Section[], url: string, text: ReturnType<typeof catalogue>): void {
  for (const s of sections) {
    console.log(
      s.id === "node-red"
        ? text("cli.nodeRed", { url })
        : text("cli.config", { name: s.name ? `"${s.name}"` : "", id: s.id }),
    );
    if (s.error) console.log(`  ${MARK.warn}  ${s.error}`);
    for (const f of bySeverity(s.findings)) {
      console.log(`  ${MARK[f.severity]}  ${f.message}`);
      if (f.severity !== "ok") console.log(`          ${text("fix")}: ${f.fix}`);
    }
    console.log("");
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      url: { type: "string" },
      user: { type: "string" },
      password: { type: "string" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  const text = catalogue();
  const url = values.url ?? process.env.NODE_RED_URL ?? "http://127.0.0.1:1880";
  try {
    const sections = await askNodeRed({
      url,
      user: values.user ?? process.env.NODE_RED_USER,
      password: values.password ?? process.env.NODE_RED_PASSWORD,
      text,
    });
    const counts = countsOf(sections);
    if (values.json) console.log(JSON.stringify({ url, counts, sections }, null, 2));
    else {
      print(sections, url, text);
      if (sections.length === 1) console.log(text("cli.noConfig"));
      console.log(text("cli.result", { danger: counts.danger, warn: counts.warn, ok: counts.ok }));
    }
    return counts.danger > 0 || sections.some((s) => s.error) ? (counts.danger > 0 ? 1 : 2) : 0;
  } catch (e) {
    const reason = e instanceof PreflightRunError ? e.reason : "unreachable";
    console.error(text(`cli.${reason}`, { url, detail: (e as Error).message }));
    return 2;
  }
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (e: unknown) => {
    console.error(e instanceof Error ? e.message : String(e));
    process.exitCode = 2;
  },
);
