import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { dollarsAndCents } from "../money/format";
import { TRADING_TIME_ZONE, zoneTextFormatter } from "../time/chicago-text";
import type { ReplayReport } from "./replay-report";

let chartJs: string | undefined;

/** Chart.js's browser build, read once from the installed package. */
function chartScript(): string {
  chartJs ??= readFileSync(join(dirname(require.resolve("chart.js")), "chart.umd.min.js"), "utf8");
  return chartJs;
}

const VERDICT_COLOUR = { passed: "#1a7f37", failed: "#cf222e", "not-yet": "#9a6700" } as const;

/**
 * A self-contained HTML page of one or more replay reports: the verdict table, then per profile the
 * equity curve (worst intratrade points included) with the Maximum Loss Limit floor, the daily loss
 * threshold and the first rule broken marked. Chart.js is inlined (`chart` passes its script text;
 * by default the installed package's), so the file opens offline and can be shared as it is. Times
 * are shown in `timeZone` (an IANA name, America/Chicago by default).
 */
export function renderReplayHtml(
  reports: ReplayReport | readonly ReplayReport[],
  chart?: string,
  timeZone: string = TRADING_TIME_ZONE,
): string {
  const list = Array.isArray(reports) ? (reports as readonly ReplayReport[]) : [reports as ReplayReport];
  const rows = list.map(verdictRow).join("\n");
  const sections = list.map((r, i) => chartSection(r, i)).join("\n");
  const local = zoneTextFormatter(timeZone);
  const data = list.map((r) => chartData(r, local));
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Would this strategy have passed?</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1f2328;background:#fff}
table{border-collapse:collapse;margin:12px 0 24px}th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f6f8fa}.v{font-weight:600}section{margin:24px 0}.chart{position:relative;height:420px}
.note{color:#59636e;font-size:12px}
</style></head><body>
<h1>Would this strategy have passed?</h1>
<table><thead><tr><th>Profile</th><th>Verdict</th><th>First rule broken</th><th>When (${esc(timeZone)})</th><th>Equity / floor / limit</th><th>Days</th><th>Best day</th><th>Target reached</th><th>Most contracts</th><th>Net P&amp;L</th><th>What if</th></tr></thead>
<tbody>
${rows}
</tbody></table>
${sections}
<ul class="note">${(list[0]?.assumptions ?? []).map((a) => `<li>${esc(a)}</li>`).join("")}</ul>
<script>${(chart ?? chartScript()).replace(/<\/script/gi, "<\\/script")}</script>
<script type="application/json" id="replay-data">${json(data)}</script>
<script>${CLIENT}</script>
</body></html>
`;
}

function verdictRow(r: ReplayReport): string {
  const b = r.firstBreach;
  const nums = b
    ? [
        `equity ${dollarsAndCents(b.equity)}`,
        b.floor === null ? "" : `floor ${dollarsAndCents(b.floor)}`,
        b.limit === null || b.limit === b.floor ? "" : `limit ${b.limit}`,
      ]
        .filter(Boolean)
        .join(", ")
    : "";
  const net = r.endBalance - r.startBalance;
  return `<tr><td>${esc(r.profile)}</td><td class="v" style="color:${VERDICT_COLOUR[r.verdict]}">${r.verdict}</td><td>${b ? `${esc(b.rule)}<br><span class="note">${esc(b.reason)}</span>` : "-"}</td><td>${b ? esc(b.local) : "-"}</td><td>${esc(nums) || "-"}</td><td>${r.daysTraded}</td><td>${r.bestDayShare === null ? "-" : `${Math.round(r.bestDayShare)}%`}</td><td>${r.targetReachedOn ?? "-"}</td><td>${r.mostContracts}</td><td>${net < 0 ? "-" : ""}${dollarsAndCents(net)}</td><td>${esc(r.whatIf.join("; ")) || "-"}</td></tr>`;
}

function chartSection(r: ReplayReport, i: number): string {
  return `<section><h2>${esc(r.profile)}: <span style="color:${VERDICT_COLOUR[r.verdict]}">${r.verdict}</span></h2>
<p>${esc(r.summary)}</p><div class="chart"><canvas id="chart-${i}"></canvas></div></section>`;
}

/** What the page's script draws for one report: labels and series aligned on the curve's points. */
function chartData(r: ReplayReport, local: (ms: number) => string) {
  const breachAt = r.firstBreach?.at ?? null;
  let breachIndex = -1;
  if (breachAt !== null) breachIndex = r.curve.findIndex((p) => p.at >= breachAt);
  return {
    profile: r.profile,
    labels: r.curve.map((p) => local(p.at)),
    kinds: r.curve.map((p) => p.kind),
    equity: r.curve.map((p) => p.equity),
    floor: r.curve.map((p) => p.floor),
    daily: r.curve.map((p) => p.dailyThreshold),
    breach:
      breachIndex >= 0 ? { index: breachIndex, rule: r.firstBreach!.rule, equity: r.curve[breachIndex]!.equity } : null,
  };
}

/** The page's own script: one chart per report from the embedded data. */
const CLIENT = `
const all = JSON.parse(document.getElementById("replay-data").textContent);
all.forEach((d, i) => {
  const breach = d.labels.map((_, j) => (d.breach && j === d.breach.index ? d.breach.equity : null));
  const datasets = [
    { label: "Equity (worst intratrade points included)", data: d.equity, borderColor: "#0969da", borderWidth: 1.5,
      pointRadius: d.kinds.map((k) => (k === "worst" ? 1.5 : 0)), pointBackgroundColor: "#cf222e", tension: 0 },
    { label: "Maximum Loss Limit floor", data: d.floor, borderColor: "#cf222e", borderWidth: 2, stepped: true, pointRadius: 0 },
  ];
  if (d.daily.some((x) => x !== null))
    datasets.push({ label: "Daily loss threshold", data: d.daily, borderColor: "#bc4c00", borderDash: [6, 4], borderWidth: 1, stepped: true, pointRadius: 0 });
  if (d.breach)
    datasets.push({ label: "First rule broken: " + d.breach.rule, data: breach, type: "scatter", pointRadius: 8, pointStyle: "crossRot",
      borderColor: "#cf222e", backgroundColor: "#cf222e", borderWidth: 3 });
  new Chart(document.getElementById("chart-" + i), {
    type: "line",
    data: { labels: d.labels, datasets },
    options: { animation: false, maintainAspectRatio: false, spanGaps: true, interaction: { mode: "index", intersect: false },
      scales: { x: { ticks: { maxTicksLimit: 12 } }, y: { ticks: { callback: (v) => "$" + Number(v).toLocaleString("en-US") } } },
      plugins: { title: { display: true, text: d.profile } } },
  });
});
`;

/** JSON safe inside a script element. */
function json(x: unknown): string {
  return JSON.stringify(x).replace(/</g, "\\u003c");
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
}
