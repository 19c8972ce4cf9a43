import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..", "..");
const SCRIPT = join(ROOT, "scripts", "check-tsdoc.mjs");

/** Runs the check on `dir`; its exit code and the lines it printed. */
function check(dir: string): { status: number | null; lines: string[] } {
  const r = spawnSync(process.execPath, [SCRIPT, dir], { encoding: "utf8" });
  return { status: r.status, lines: `${r.stdout}${r.stderr}`.trim().split("\n") };
}

describe("scripts/check-tsdoc.mjs", () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "topstepx-tsdoc-"));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("names each export without a /** */ comment and exits 1", () => {
    mkdirSync(join(dir, "sub"));
    writeFileSync(
      join(dir, "sub", "a.d.ts"),
      [
        'import { z } from "zod";',
        "/** A schema; the type of the same name shares its comment. */",
        "export declare const Documented: z.ZodNumber;",
        "export type Documented = z.infer<typeof Documented>;",
        "/** Overloads share the first one's comment. */",
        "export declare function overloaded(a: string): void;",
        "export declare function overloaded(a: number): void;",
        "// A line comment is not TSDoc.",
        "export interface LineCommented {",
        "    /** A member's comment is not the declaration's. */",
        "    x: number;",
        "}",
        "/** A doc comment followed by a plain one. */",
        "/* plain */",
        "export type PlainCommented = string;",
        "export declare class Bare {",
        "}",
        'export { Documented as Renamed } from "./b";',
        'export * from "./c";',
        "export {};",
      ].join("\n"),
    );
    const { status, lines } = check(dir);
    assert.equal(status, 1);
    assert.deepEqual(
      lines.map((l) => l.replace(/^.*a\.d\.ts:/, "")),
      [
        "9  interface LineCommented",
        "15  type PlainCommented",
        "16  class Bare",
        "check-tsdoc: 3 export(s) lack a /** */ comment (2 of 5 exports documented).",
      ],
    );
  });

  it("refuses an export line of a shape it does not know rather than skip it", () => {
    writeFileSync(join(dir, "b.d.ts"), "/** Documented, but not a declaration it can name. */\nexport default 3;\n");
    const { status, lines } = check(dir);
    assert.equal(status, 1);
    assert.match(lines[0]!, /unrecognised export form: export default 3;/);
  });

  it("exits 0 with the count when every export is documented", () => {
    writeFileSync(join(dir, "c.d.ts"), "/** Epoch ms. */\nexport declare function now(): number;\n");
    assert.deepEqual(check(dir), { status: 0, lines: ["check-tsdoc: 1 of 1 exports documented."] });
  });

  it("exits 2 when there is nothing to read", () => {
    assert.equal(check(join(dir, "missing")).status, 2);
    assert.equal(check(dir).status, 2, "a directory without declaration files");
  });
});
