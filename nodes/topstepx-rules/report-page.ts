import type { PeriodSummary } from "../../src/core/journal/summaries";
import type { AccountReport } from "./reports";

const escapeHtml = (s: string) =>
  s.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);

const money = (x: number | null) => (x === null ? "" : x.toFixed(2));

function table(title: string, rows: PeriodSummary[]): string {
  const head =
    "<tr><th>Period</th><th>Trades</th><th>Win rate</th><th>Gross P&amp;L</th><th>Fees</th><th>Commissions</th><th>Net P&amp;L</th><th>Max drawdown</th><th>Balance at close</th><th>Headroom at close</th><th>Rule events</th></tr>";
  const body = rows
    .map((r) => {
      const events = Object.entries(r.ruleEvents)
        .map(([k, v]) => `${k} ×${v}`)
        .join(", ");
      return `<tr><td>${escapeHtml(r.period === "day" ? r.key : `${r.from} – ${r.to}`)}</td><td>${r.trades}</td><td>${r.winRate === null ? "" : `${Math.round(r.winRate * 100)}%`}</td><td>${money(r.grossPnl)}</td><td>${money(r.fees)}</td><td>${money(r.commissions)}</td><td class="${r.netPnl < 0 ? "neg" : "pos"}">${money(r.netPnl)}</td><td>${money(r.maxDrawdown)}</td><td>${money(r.balanceAtClose)}</td><td>${money(r.headroomAtClose)}</td><td>${escapeHtml(events)}</td></tr>`;
    })
    .join("");
  const none = rows.length === 0 ? '<tr><td colspan="11">No fills or rule events yet.</td></tr>' : "";
  return `<h2>${title}</h2><table>${head}${body}${none}</table>`;
}

/**
 * The report page of an account: the equity curve against the loss floor and the daily-loss line
 * (Chart.js, served beside the page from the installed package), and the daily and weekly tables.
 * Times are in the report's display zone (America/Chicago by default); the data is inline, so the page makes no other request
 * that carries account data.
 */
export function reportPage(r: AccountReport): string {
  // Inline JSON: "<" escaped so no value can close the script element.
  const data = JSON.stringify(r).replace(/</g, "\\u003c");
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>TopstepX report: ${escapeHtml(r.account)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:1.5em;color:#222}table{border-collapse:collapse;margin-bottom:1.5em}
td,th{border:1px solid #ccc;padding:.25em .6em;text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}
.neg{color:#b00}.pos{color:#060}#chart{max-width:1100px;max-height:420px}
</style></head><body>
<h1>${escapeHtml(r.account)} (${r.accountId})</h1>
<p>Generated ${escapeHtml(r.generatedLocal)} (${escapeHtml(r.generated)}). Times in ${escapeHtml(r.timeZone)}; trading days run from 17:00 to 17:00 America/Chicago. Max drawdown is measured on the net P&amp;L after each fill (closed trades); open P&amp;L between fills is not journaled.</p>
<canvas id="chart"></canvas>
${table("Trading days", r.days)}
${table("Trading weeks", r.weeks)}
<script id="report-data" type="application/json">${data}</script>
<script src="../chart.js"></script>
<script>
const r = JSON.parse(document.getElementById("report-data").textContent);
const labels = r.curve.map((p) => p.local);
new Chart(document.getElementById("chart"), {
  type: "line",
  data: { labels, datasets: [
    { label: "Balance", data: r.curve.map((p) => p.balance), borderColor: "#1f77b4", stepped: true },
    { label: "MLL floor", data: r.curve.map((p) => p.floor), borderColor: "#d62728", borderDash: [6, 4], stepped: true },
    { label: "Daily loss line", data: r.curve.map((p) => p.dailyLossLine), borderColor: "#ff7f0e", borderDash: [2, 3], stepped: true },
  ] },
  options: { animation: false, interaction: { mode: "index", intersect: false } },
});
</script>
</body></html>
`;
}
