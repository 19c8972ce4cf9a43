// `npm run lint:examples`: every example flow through nrlint with .nrlintrc.js (nrlint's CLI takes
// one file). Prints each problem and exits 1 on any. `node scripts/lint-examples.mjs <dir>` lints
// the flow files of another directory, each linking to the others of that directory.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const dir = resolve(process.argv[2] ?? join(root, "examples"));
const files = readdirSync(dir)
  .filter((f) => f.endsWith(".json"))
  .sort();
if (files.length === 0) {
  process.stderr.write(`lint:examples: no flow file in ${dir}\n`);
  process.exit(1);
}

const config = require(join(root, ".nrlintrc.js"));
config.rules["no-dangling-links"] = { elsewhere: files.map((f) => join(dir, f)) };
const rules = {};
for (const plugin of ["nrlint/lib/rules", "nrlint/lib/rules/function-eslint", ...(config.plugins ?? [])])
  Object.assign(rules, require(plugin));
const linter = require("nrlint/lib/linter");
linter.init({ resolveRule: (name) => rules[name] });

let problems = 0;
for (const file of files) {
  let flow;
  try {
    flow = JSON.parse(readFileSync(join(dir, file), "utf8"));
  } catch (e) {
    process.stdout.write(`${file}: not a flow file: ${e.message}\n`);
    problems++;
    continue;
  }
  for (const p of linter.lint(flow, config)) {
    problems++;
    process.stdout.write(`${file}: ${p.severity} ${p.rule}: ${p.message} (${p.location.join(", ")})\n`);
  }
}
process.stdout.write(`lint:examples: ${files.length} files, ${problems} problem${problems === 1 ? "" : "s"}\n`);
process.exit(problems > 0 ? 1 : 0);
