import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..", "..");
const CLI = join(ROOT, "dist", "src", "replay", "cli.js");
const FIXTURES = join(ROOT, "test", "fixtures", "replay");

/** Runs `topstepx-replay` as a trader would; its exit code and what it printed. */
function replay(...args: string[]): { status: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [CLI, ...args], { encoding: "utf8" });
  return { status: r.status, out: r.stdout, err: r.stderr };
}

interface JsonReport {
  profile: string;
  verdict: string;
  trades: number;
  tradesInFile: number;
  dailyPnl: Record<string, number>;
  costs: number;
  startBalance: number;
  endBalance: number;
}

describe("topstepx-replay (the command line)", () => {
  it("replays a TradingView export against the six Topstep profiles as a table", () => {
    const r = replay(join(FIXTURES, "tv-older.csv"), "--symbol", "MNQ");
    assert.equal(r.status, 0, r.err);
    for (const p of ["combine-50k", "combine-100k", "combine-150k", "xfa-50k", "xfa-100k", "xfa-150k"])
      assert.match(r.out, new RegExp(`^topstep-${p} `, "m"));
    assert.match(r.out, /1 trade\(s\) still open at the end are left out/);
  });

  it("prices a plain CSV of fills from the contract table, and charges the cost table once", () => {
    const r = replay(join(FIXTURES, "fills.csv"), "--profile", "topstep-combine-50k", "--json");
    assert.equal(r.status, 0, r.err);
    const [report] = JSON.parse(r.out) as JsonReport[];
    // MNQ long 3 at 21,001 (average) out at 21,020: 19 points × 3 × $2 = $114; the reversal's short 3 at
    // 21,025 bought back at 21,005: 20 × 3 × $2 = $120. Fills: 12 MNQ sides × $0.62 = $7.44. The ES
    // short is still open: left out.
    assert.deepEqual(
      [report!.trades, report!.tradesInFile, report!.costs, report!.dailyPnl],
      [2, 3, 7.44, { "2026-03-02": 226.56 }],
    );
    assert.equal(report!.endBalance, 50_226.56);
  });

  it("writes a self-contained page with the equity curves and the verdicts", () => {
    const dir = mkdtempSync(join(tmpdir(), "topstepx-replay-"));
    try {
      const html = join(dir, "report.html");
      const r = replay(join(FIXTURES, "tv-newer-eur.csv"), "--symbol", "MNQ", "--html", html);
      assert.equal(r.status, 0, r.err);
      const page = readFileSync(html, "utf8");
      assert.match(page, /<canvas/);
      assert.match(page, /topstep-xfa-150k/);
      // Chart.js is inlined: the file opens offline and can be shared as it is.
      assert.doesNotMatch(page, /<script[^>]+src=/);
      assert.ok(page.length > 100_000, "Chart.js inside the page");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses a bad file with its line and column and exit code 2, reporting nothing", () => {
    const r = replay(join(FIXTURES, "bad-date.csv"), "--symbol", "MNQ");
    assert.equal(r.status, 2);
    assert.equal(r.out, "");
    assert.match(r.err, /^bad-date\.csv: line 3, column "Date\/Time": /);
    const noSymbol = replay(join(FIXTURES, "tv-older.csv"));
    assert.equal(noSymbol.status, 2);
    assert.match(noSymbol.err, /names no product/);
    const badProfile = replay(join(FIXTURES, "tv-older.csv"), "--symbol", "MNQ", "--profile", "topstep-200k");
    assert.equal(badProfile.status, 2);
    assert.match(badProfile.err, /--profile: unknown profile "topstep-200k"/);
  });
});
