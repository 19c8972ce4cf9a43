import { wholeDollars } from "../money/format";
import type { ReplayReport } from "./replay-report";

const HEAD = [
  "Profile",
  "Verdict",
  "First rule broken",
  "When",
  "Days",
  "Best day",
  "Target on",
  "Max ct",
  "Net P&L",
  "What if",
];

/**
 * The reports as a fixed-width text table for a terminal, one row a profile, followed by each
 * failure's sentence and the assumptions the replay made.
 */
export function formatReplayTable(reports: readonly ReplayReport[]): string {
  const rows = reports.map((r) => [
    r.profile,
    r.verdict,
    r.firstBreach?.rule ?? "-",
    r.firstBreach?.local ?? "-",
    String(r.daysTraded),
    r.bestDayShare === null ? "-" : `${Math.round(r.bestDayShare)}%`,
    r.targetReachedOn ?? "-",
    String(r.mostContracts),
    signed(r.endBalance - r.startBalance),
    r.whatIf.join("; ") || "-",
  ]);
  const widths = HEAD.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  const out = [line(HEAD), line(widths.map((w) => "-".repeat(w))), ...rows.map(line), ""];
  for (const r of reports) out.push(`${r.profile}: ${r.summary}`);
  if (reports[0]) out.push("", ...reports[0].assumptions.map((a) => `* ${a}`));
  return `${out.join("\n")}\n`;
}

function signed(x: number): string {
  return `${x < 0 ? "-" : "+"}${wholeDollars(Math.abs(x))}`;
}
