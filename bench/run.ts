import { writeFileSync } from "node:fs";
import { cpus, totalmem } from "node:os";
import { join } from "node:path";
import type { Simulator } from "../src/sim";
import { leaderFillToFollowers } from "./copy";
import { alertToGroup } from "./group";
import { fillToGuard, fillToGuardThroughNodeRed, floorMoveToGuard, guardRequestCost } from "./guard";
import { alertToOrder, breachToFlatten, monitorThroughput, webhookLoad } from "./latency";
import { replayBench } from "./replay";
import { quoteThroughput, restThroughput } from "./sim-throughput";

/**
 * `npm run bench [-- --quick]`: prints a table and writes bench/results.json. `--quick` is the CI
 * smoke run: the same measurements, shorter.
 */
async function main(): Promise<void> {
  const quick = process.argv.includes("--quick");
  // `--only=webhook,alerts` runs some measurements (names: alerts, breach, guard, group, copy, monitor, webhook, quotes, rest, replay).
  const only = process.argv
    .find((a) => a.startsWith("--only="))
    ?.slice(7)
    .split(",");
  const want = (name: string) => !only || only.includes(name);
  const ms = quick ? 400 : 3000;
  const machine = {
    cpu: cpus()[0]?.model ?? "unknown",
    cores: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
  };
  const rows: Array<{ measure: string; value: string; note: string }> = [];
  const results: Record<string, unknown> = { date: new Date().toISOString(), quick, machine };

  const fmt = (x: number) => `${x.toFixed(2)} ms`;
  if (want("alerts")) {
    const alerts = await alertToOrder(quick ? 100 : 1000);
    results.alertToOrder = alerts;
    rows.push({
      measure: `alert → Order/place, example flow (${alerts.ours.n})`,
      value: `p99 ${fmt(alerts.ours.p99)}`,
      note: `p50 ${fmt(alerts.ours.p50)}; target p99 ≤ 10 ms`,
    });
    rows.push({
      measure: `  of which exits (${alerts.oursExits.n}; the guard stop makes room first)`,
      value: `p99 ${fmt(alerts.oursExits.p99)}`,
      note: `p50 ${fmt(alerts.oursExits.p50)}; bare flow's exits p50 ${fmt(alerts.bareExits.p50)}, p99 ${fmt(alerts.bareExits.p99)}`,
    });
    rows.push({
      measure: `alert → Order/place, bare flow (floor)`,
      value: `p99 ${fmt(alerts.bare.p99)}`,
      note: `p50 ${fmt(alerts.bare.p50)}`,
    });
    rows.push({
      measure: "ratio example / bare",
      value: `${alerts.ratioP99}× p99`,
      note: `${alerts.ratioP50}× p50; target ≤ 1.3×`,
    });
  }

  if (want("breach")) {
    const breach = await breachToFlatten(quick ? 10 : 100);
    results.breachToFlatten = breach;
    rows.push({
      measure: `breach quote → Position/closeContract (${breach.n})`,
      value: `p99 ${fmt(breach.p99)}`,
      note: `p50 ${fmt(breach.p50)}; target p99 ≤ 25 ms`,
    });
  }

  if (want("guard")) {
    const fill = await fillToGuard(quick ? 20 : 200);
    const red = await fillToGuardThroughNodeRed(quick ? 10 : 100);
    const move = await floorMoveToGuard(quick ? 20 : 200);
    // A minute of the guard's clock takes about a second: the quick run trails for one, the full for five.
    const cost = await guardRequestCost(quick ? 1 : 5);
    const unthrottled = quick ? null : await guardRequestCost(1, 0);
    results.guardStops = {
      fillToGuard: fill,
      fillToGuardThroughNodeRed: red,
      floorMoveToGuard: move,
      requestCost: cost,
      unthrottled,
    };
    rows.push({
      measure: `fill → guard stop resting at the simulator (${fill.guard.n})`,
      value: `p99 ${fmt(fill.guard.p99)}`,
      note: `p50 ${fmt(fill.guard.p50)}, max ${fmt(fill.guard.max)}, first fill ${fmt(fill.coldMs)}; target p99 ≤ 50 ms`,
    });
    rows.push({
      measure: "fill → position event at the client (floor)",
      value: `p99 ${fmt(fill.positionEvent.p99)}`,
      note: `p50 ${fmt(fill.positionEvent.p50)}; guard / floor ${fill.ratioP50}× p50, ${fill.ratioP99}× p99`,
    });
    rows.push({
      measure: `fill → guard resting, example flow in Node-RED (${red.guard.n})`,
      value: `p99 ${fmt(red.guard.p99)}`,
      note: `p50 ${fmt(red.guard.p50)}, max ${fmt(red.guard.max)}, first fill ${fmt(red.coldMs)}; alert "buy 2 MNQ", no bracket`,
    });
    rows.push({
      measure: `floor move → guard Order/modify (${move.modify.n})`,
      value: `p99 ${fmt(move.modify.p99)}`,
      note: `p50 ${fmt(move.modify.p50)}, max ${fmt(move.modify.max)}, guard ${move.guardStop.from} → ${move.guardStop.to}, repriceSeconds ${move.repriceSeconds} (samples ${move.repriceSeconds} s apart on the guard's clock); target p99 ≤ 50 ms`,
    });
    rows.push({
      measure: "quote → client (floor)",
      value: `p99 ${fmt(move.quoteEvent.p99)}`,
      note: `p50 ${fmt(move.quoteEvent.p50)}`,
    });
    const perMinute = (c: typeof cost) =>
      `${c.perMinute["Order/modify"]} Order/modify/min (${c.perMinute["Order/place"]} place, ${c.perMinute["Order/cancel"]} cancel)`;
    rows.push({
      measure: `trailing floor, a tick every ${cost.stepMs} ms, repriceSeconds ${cost.repriceSeconds}`,
      value: `${cost.perMinute["Order/modify"]} /min`,
      note: `${perMinute(cost)} over ${cost.minutes} min of the guard's clock${unthrottled ? `; repriceSeconds 0: ${perMinute(unthrottled)}` : ""}`,
    });
  }

  if (want("group")) {
    const group = await alertToGroup(quick ? 50 : 500);
    results.alertToGroup = group;
    rows.push({
      measure: `alert → five accounts' Order/place, group node (${group.lastOrder.n})`,
      value: `p99 ${fmt(group.lastOrder.p99)}`,
      note: `p50 ${fmt(group.lastOrder.p50)}, max ${fmt(group.lastOrder.max)}; first account p50 ${fmt(group.firstOrder.p50)}, p99 ${fmt(group.firstOrder.p99)}; ${group.errors} not placed on all five; target p99 ≤ 15 ms`,
    });
    rows.push({
      measure: `  entries from flat (${group.entries.n}) / exits to flat (${group.exits.n}, the guards make room first)`,
      value: `p99 ${fmt(group.entries.p99)} / ${fmt(group.exits.p99)}`,
      note: `p50 ${fmt(group.entries.p50)} / ${fmt(group.exits.p50)}`,
    });
  }

  if (want("copy")) {
    const copy = await leaderFillToFollowers(quick ? 20 : 200);
    results.leaderFillToFollowers = copy;
    rows.push({
      measure: `leader fill → follower Order/place, copy example in Node-RED (${copy.first.n})`,
      value: `p99 ${fmt(copy.first.p99)}`,
      note: `p50 ${fmt(copy.first.p50)}, max ${fmt(copy.first.max)}; target p99 ≤ 25 ms`,
    });
    rows.push({
      measure: `  until both followers' orders (${copy.followers})`,
      value: `p99 ${fmt(copy.all.p99)}`,
      note: `p50 ${fmt(copy.all.p50)}, max ${fmt(copy.all.max)}, first fill ${fmt(copy.coldMs)}`,
    });
  }

  if (want("monitor")) {
    const monitor = [];
    for (const rate of quick ? [5_000] : [5_000, 20_000, 50_000]) {
      const m = await monitorThroughput(rate, quick ? 1 : 3);
      monitor.push(m);
      rows.push({
        measure: `market → monitor at ${rate.toLocaleString("en-US")} quotes/s`,
        value: `${m.quotesPerSecond.toLocaleString("en-US")} /s`,
        note: `${m.evaluationsPerSecond} evaluations/s, quote age ${m.lagFirstMs} → ${m.lagLastMs} ms, heap ${m.heapMiB} MiB`,
      });
    }
    results.monitorThroughput = monitor;
  }

  if (want("webhook")) {
    const load = await webhookLoad(quick ? [100] : [250, 500, 750, 1000, 1250], quick ? 1 : 3);
    results.webhookLoad = load;
    for (const st of load.steps) {
      rows.push({
        measure: `webhook, ${st.flow} flow, ${st.rate} alerts/s`,
        value: `${st.decisionsPerSecond} /s`,
        note: `${st.answered}/${st.sent} answered (${st.failed} failed), p50 ${fmt(st.answer.p50)}, p99 ${fmt(st.answer.p99)}, ${st.ordersAtSimulator} orders (${st.guardOrders} guard stops), CPU/alert ${st.cpuMsPerAlert.nodeRed} ms Node-RED + ${st.cpuMsPerAlert.simulatorAndLoad} ms sim & load`,
      });
    }
    rows.push({
      measure: "webhook capacity (p99 ≤ 50 ms)",
      value: `${load.capacity.example} /s`,
      note: `bare flow ${load.capacity.bare} /s; target ≥ 1,000 /s`,
    });
  }

  if (want("quotes")) {
    const quoteRuns = [];
    for (const [rate, contracts] of quick
      ? [[2_000, 1]]
      : [
          [1_000, 1],
          [20_000, 1],
          [50_000, 1],
          [100_000, 1],
          [50_000, 4],
        ]) {
      const r = await quoteThroughput(rate!, contracts!, ms);
      quoteRuns.push({ ratePerContract: rate, contracts, ...r });
      rows.push({
        measure: `sim quotes → signalr client (${contracts} × ${rate}/s)`,
        value: `${r.receivedPerSecond.toLocaleString("en-US")} /s`,
        note: `${(r.ratio * 100).toFixed(1)}% of offered, lag ${r.lagMs} ms`,
      });
    }
    results.simQuotes = quoteRuns;
  }

  if (want("rest")) {
    const restRuns = [];
    for (const [endpoint, body] of [
      ["Account/search", { onlyActiveAccounts: true }],
      ["Order/searchOpen", { accountId: 10001 }],
      [
        "Order/place",
        (sim: Simulator) => ({
          accountId: 10001,
          contractId: sim.market.frontMonths()[3]!.id,
          type: 1,
          side: 0,
          size: 1,
          limitPrice: 1000,
        }),
      ],
    ] as const) {
      const r = await restThroughput(endpoint, body, 16, ms);
      restRuns.push(r);
      rows.push({
        measure: `sim REST ${endpoint} (16 in flight)`,
        value: `${r.requestsPerSecond.toLocaleString("en-US")} req/s`,
        note: `p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms`,
      });
    }
    results.simRest = restRuns;
  }

  if (want("replay")) {
    const r = replayBench(quick ? 1_000 : 10_000, quick ? 1 : 3);
    results.replay = r;
    rows.push({
      measure: `replay ${r.trades.toLocaleString("en-US")} trades × ${r.profiles} profiles`,
      value: `${Math.min(...r.ms)} ms`,
      note: `runs ${r.ms.join(", ")} ms, what-ifs included; target ≤ 2,000 ms for 10,000 trades`,
    });
  }

  const width = Math.max(0, ...rows.map((r) => r.measure.length));
  process.stdout.write(
    `\nBenchmarks${quick ? " (quick)" : ""} on ${machine.cpu}, ${machine.cores} cores, Node ${machine.node}\n\n`,
  );
  for (const r of rows) process.stdout.write(`  ${r.measure.padEnd(width)}  ${r.value.padStart(14)}  ${r.note}\n`);
  const out = join(
    __dirname,
    "..",
    "..",
    "bench",
    only ? `results.${only.join("-")}.json` : quick ? "results.quick.json" : "results.json",
  );
  writeFileSync(out, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`\nwritten to ${out}\n`);
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack}\n`);
  process.exit(1);
});
