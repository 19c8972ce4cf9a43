import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..", "..");
const CLI = join(ROOT, "dist", "src", "replay", "cli.js");

/** Runs `topstepx-replay` with an environment of its own; its exit code and what it printed. */
function replay(env: Record<string, string>, ...args: string[]): { status: number | null; out: string; err: string } {
  const { TOPSTEPX_TIME_ZONE: _, ...inherited } = process.env;
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8", env: { ...inherited, ...env } });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

describe("topstepx-replay (the command line): the time zone it shows", () => {
  let dir: string;
  let file: string;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), "topstepx-replay-tz-"));
    file = join(dir, "export.csv");
    // The replay example's sample export: the 50K Combine breaks the MLL on 4 March 2026.
    const example = JSON.parse(readFileSync(join(ROOT, "examples", "9 Replay a strategy.json"), "utf8")) as Array<{
      type: string;
      payload?: string;
    }>;
    writeFileSync(file, example.find((n) => n.type === "inject")!.payload!);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const firstBreach = (r: { out: string }) =>
    (JSON.parse(r.out) as Array<{ firstBreach: { local: string; chicago: string } }>)[0]!.firstBreach;
  const args = (...more: string[]) => [file, "--symbol", "MNQ", "--profile", "topstep-combine-50k", "--json", ...more];

  it("shows Chicago by default, --show-tz or TOPSTEPX_TIME_ZONE otherwise, the option first", () => {
    const chicago = firstBreach(replay({}, ...args()));
    assert.match(chicago.local, /^2026-03-04 \d\d:\d\d:\d\d CST$/);
    assert.equal(chicago.local, chicago.chicago);
    const eastern = firstBreach(replay({}, ...args("--show-tz", "America/New_York")));
    assert.match(eastern.local, /^2026-03-04 \d\d:\d\d:\d\d EST$/);
    assert.equal(firstBreach(replay({ TOPSTEPX_TIME_ZONE: "America/New_York" }, ...args())).local, eastern.local);
    assert.equal(
      firstBreach(replay({ TOPSTEPX_TIME_ZONE: "America/New_York" }, ...args("--show-tz", "America/Chicago"))).local,
      chicago.local,
    );
  });

  it("refuses a zone it does not know with exit code 2, naming the option", () => {
    const r = replay({}, ...args("--show-tz", "Mars/Olympus"));
    assert.equal(r.status, 2);
    assert.match(r.err, /^--show-tz: "Mars\/Olympus" is not a time zone/);
    assert.equal(r.out, "");
  });
});
