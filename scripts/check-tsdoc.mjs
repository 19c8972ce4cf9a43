// `npm run check:tsdoc`: every export of src/core carries a /** … */ comment.
//
// It reads the declaration files `npm run build` writes (dist/src/core/**/*.d.ts), where tsc keeps
// /** */ comments and drops bodies, so each top-level `export` line is one declaration and the text
// just above it is its doc comment or not. A commodity TSDoc linter would walk the TypeScript AST
// through the compiler's JS API, which TypeScript 7 (the native compiler this project builds with)
// does not offer; text is enough here.
//
// Rules:
// - a declaration counts as documented when the last non-blank text before it closes a comment that
//   opened with `/**` (a `//` line or a plain `/* */` comment does not count);
// - declarations of one name in one file are one export (function overloads; a zod schema const
//   and its `z.infer` type), documented when any of them is;
// - `export { … }` and `export * from` lists re-export and declare nothing new;
// - an `export` line of any other shape fails the check, so nothing is skipped silently.
// Known limit: a file's leading /** */ comment directly above its first export (no imports in
// between) reads as that export's doc; declaration files keep no blank lines to tell them apart.
//
// Usage: node scripts/check-tsdoc.mjs [dir …]   (default dist/src/core). Exit 0 when every export
// is documented, 1 with the list of those that are not, 2 when there is nothing to read.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";

const roots = process.argv.length > 2 ? process.argv.slice(2) : ["dist/src/core"];

const DECLARATION =
  /^export\s+(?:declare\s+)?(?:default\s+)?(?:abstract\s+)?(?:async\s+)?(function\*?|class|interface|type|const|let|var|enum|namespace)\s+([A-Za-z_$][\w$]*)/;
const RE_EXPORT = /^export\s*(?:type\s*)?(?:\{|\*)/;

function declarationFiles(path) {
  if (statSync(path).isFile()) return path.endsWith(".d.ts") ? [path] : [];
  return readdirSync(path)
    .sort()
    .flatMap((entry) => declarationFiles(join(path, entry)));
}

/** True when `before` (the file up to a declaration) ends with a /** … *\/ comment. */
function endsWithDocComment(before) {
  const text = before.trimEnd();
  if (!text.endsWith("*/")) return false;
  const open = text.lastIndexOf("/**");
  return open >= 0 && !text.slice(open + 3, -2).includes("*/");
}

/** The file's exports, one entry per name: where it is first declared and whether it is documented. */
function exportsOf(file) {
  const text = readFileSync(file, "utf8");
  const byName = new Map();
  let offset = 0;
  const lines = text.split("\n");
  lines.forEach((line, index) => {
    const start = offset;
    offset += line.length + 1;
    if (!line.startsWith("export")) return;
    if (RE_EXPORT.test(line)) return;
    const match = DECLARATION.exec(line);
    const name = match ? match[2] : `(unrecognised export form: ${line.slice(0, 60)})`;
    const entry = byName.get(name) ?? { file, line: index + 1, kind: match?.[1] ?? "?", name, documented: false };
    entry.documented ||= match !== null && endsWithDocComment(text.slice(0, start));
    byName.set(name, entry);
  });
  return [...byName.values()];
}

const missingRoots = roots.filter((root) => !existsSync(root));
if (missingRoots.length > 0) {
  console.error(`check-tsdoc: ${missingRoots.join(", ")} not found; run \`npm run build\` first.`);
  process.exit(2);
}
const files = roots.flatMap(declarationFiles);
if (files.length === 0) {
  console.error(`check-tsdoc: no declaration files under ${roots.join(", ")}; run \`npm run build\` first.`);
  process.exit(2);
}
const all = files.flatMap(exportsOf);
const undocumented = all.filter((entry) => !entry.documented);
for (const entry of undocumented) {
  console.log(`${relative(".", entry.file)}:${entry.line}  ${entry.kind} ${entry.name}`);
}
const summary = `${all.length - undocumented.length} of ${all.length} exports documented`;
if (undocumented.length > 0) {
  console.log(`check-tsdoc: ${undocumented.length} export(s) lack a /** */ comment (${summary}).`);
  process.exit(1);
}
console.log(`check-tsdoc: ${summary}.`);
