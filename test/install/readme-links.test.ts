import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..", "..");

/** Every link and image target of a Markdown text: `[t](x)`, `![a](x)`, `<img src>` and `<a href>`. */
function targets(markdown: string): string[] {
  // Code blocks and code spans show text, not links.
  const text = markdown.replace(/```[\s\S]*?```/g, "").replace(/`[^`\n]*`/g, "");
  const found = [...text.matchAll(/!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
  for (const m of text.matchAll(/<(?:img|a)\s[^>]*?(?:src|href)="([^"]+)"/g)) found.push(m[1]!);
  return found;
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
function slug(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} _-]/gu, "")
    .replace(/ /g, "-");
}

/** The files `npm pack` puts in the package, as npm lists them. */
function packedFiles(): Set<string> {
  const r = spawnSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: ROOT, encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  const [pack] = JSON.parse(r.stdout) as { files: { path: string }[] }[];
  return new Set(pack!.files.map((f) => f.path));
}

describe("README: what it shows and links ships in the package", () => {
  const readme = readFileSync(join(ROOT, "README.md"), "utf8");
  const all = targets(readme);

  it("finds the README's images and links (the parser is not blind)", () => {
    assert.ok(all.includes("docs/images/editor-webhook-flow.png"), all.join("\n"));
    assert.ok(all.some((t) => t.startsWith("#")));
  });

  it("has every relative link and image in `npm pack`'s file list, none outside the package", () => {
    const files = packedFiles();
    assert.ok(files.has("README.md") && files.has("package.json"));
    const relative = all.filter((t) => !/^[a-z][a-z0-9+.-]*:/i.test(t) && !t.startsWith("#"));
    const missing = relative
      .map((t) => decodeURIComponent(t.split("#")[0]!).replace(/^\.\//, ""))
      .filter(
        (path) => path.startsWith("../") || !(files.has(path) || [...files].some((f) => f.startsWith(`${path}/`))),
      );
    assert.deepEqual(missing, [], `not in the package: ${missing.join(", ")}`);
  });

  it("points every #anchor at a heading of the README", () => {
    const headings = new Set(
      readme
        .replace(/```[\s\S]*?```/g, "")
        .split("\n")
        .filter((l) => /^#{1,6} /.test(l))
        .map((l) => slug(l.replace(/^#+ /, "").replace(/`/g, ""))),
    );
    const broken = all.filter((t) => t.startsWith("#") && !headings.has(t.slice(1)));
    assert.deepEqual(broken, [], `no heading for: ${broken.join(", ")}`);
  });
});
