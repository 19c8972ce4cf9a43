import { join } from "node:path";
import { isGuardTag } from "../src/core/gateway/custom-tag";
import { OrderStatus } from "../src/core/schemas";
import { deployFlows } from "../test/support/node-red-process";
import { benchNodeRed, ms, type Stats, sim, stats } from "./latency";

/** Five Combine accounts of one login, as a trader running one signal on several evaluations would. */
const ACCOUNTS = [10001, 10002, 10003, 10004, 10005];

/**
 * One alert to a group of five accounts, each behind its own rules node (guard stops on, as
 * shipped), through the real Node-RED: the alert node, the group node and http response. The flow
 * the "One alert, several accounts" example ships, with the benchmark's relaxations (no order-rate
 * cap, no alert age).
 */
function groupFlow(journal: string): Array<Record<string, unknown>> {
  const z = "grp";
  const rules = ACCOUNTS.map((a) => ({
    id: `grp-rules-${a}`,
    type: "topstepx-rules",
    z,
    name: `rules ${a}`,
    server: "grp-cfg",
    account: String(a),
    profile: "topstep-combine-50k",
    flattenBuffer: "200",
    dailyLossMode: "fixed",
    dailyLossAction: "flattenAndBlock",
    dbFile: journal,
    version: 1,
    x: 600,
    y: 300 + a - 10001,
    wires: [[], [], []],
  }));
  return [
    { id: z, type: "tab", label: "group bench" },
    {
      id: "grp-cfg",
      type: "topstepx-config",
      name: "Local simulator",
      environment: "simulator",
      account: "10001",
      version: 1,
    },
    {
      id: "grp-in",
      type: "http in",
      z,
      url: "/topstepx/group",
      method: "post",
      upload: false,
      swaggerDoc: "",
      x: 100,
      y: 100,
      wires: [["grp-alert"]],
    },
    {
      id: "grp-alert",
      type: "topstepx-alert",
      z,
      server: "grp-cfg",
      requireSecret: true,
      version: 1,
      x: 300,
      y: 100,
      wires: [["grp-group"], ["grp-out"]],
    },
    {
      id: "grp-group",
      type: "topstepx-group",
      z,
      name: "five accounts",
      server: "grp-cfg",
      members: ACCOUNTS.map((a) => ({ account: String(a), size: { kind: "multiplier", factor: 1 } })),
      version: 1,
      x: 500,
      y: 100,
      wires: [["grp-out"], []],
    },
    { id: "grp-out", type: "http response", z, statusCode: "", headers: {}, x: 700, y: 100, wires: [] },
    ...rules,
  ];
}

/**
 * Alert → five accounts' Order/place: from the POST of an alert until the last of the five
 * accounts' orders arrives at the simulator (timed there, as each request arrives), buying one MNQ
 * from flat and selling it in turn: entries, and exits that wait for each account's guard stop to
 * make room. Guard stops placed after each fill are not the alert's orders and are not counted;
 * each alert is sent once the previous one's guards rest (or are cancelled), as alerts seconds apart would find them.
 */
export async function alertToGroup(
  alerts: number,
): Promise<{ lastOrder: Stats; entries: Stats; exits: Stats; firstOrder: Stats; errors: number }> {
  const s = await sim(["MNQ"], undefined, {
    accounts: ACCOUNTS.map((id) => ({
      id,
      name: `50KTC-V2-SIM-${id}`,
      balance: 50_000,
      canTrade: true,
      isVisible: true,
      simulated: true,
      active: true,
      autoOcoBrackets: false,
    })),
  });
  const red = await benchNodeRed(s);
  let first = 0;
  let last = 0;
  let seen = 0;
  s.onRequest = (endpoint, body) => {
    if (endpoint !== "Order/place" || isGuardTag((body as { customTag?: string | null }).customTag)) return;
    const t = ms();
    if (seen === 0) first = t;
    if (++seen === ACCOUNTS.length) last = t;
  };
  const post = async (id: string, side: "buy" | "sell", more: Record<string, unknown> = {}) => {
    const r = await fetch(`${red.url}/topstepx/group`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ secret: "bench", id, symbol: "MNQ1!", side, quantity: 1, ...more }),
    });
    return { status: r.status, body: await r.text() };
  };
  try {
    await deployFlows(red.url, groupFlow(join(red.userDir, "group-bench.sqlite")));
    // Every rules node approves once synced with its account: the first answer that places on all five.
    for (let i = 0; ; i++) {
      seen = 0;
      const r = await post(`warm-${i}`, i % 2 ? "sell" : "buy");
      if (r.status === 200 && seen === ACCOUNTS.length) break;
      if (i > 300) throw new Error(`the group never placed on all five accounts: ${r.status} ${r.body}`);
      await new Promise((res) => setTimeout(res, 100));
    }
    // From flat on every account: each buy opens a position (an entry), each sell closes it (an exit,
    // which waits for the account's guard stop to make room first).
    const close = await post("warm-close", "sell", { action: "close" });
    if (close.status >= 300) throw new Error(`the group could not close the warm-up positions: ${close.body}`);
    const flat = () => ACCOUNTS.every((a) => s.exchange.openPositionsOf(a).length === 0);
    for (let i = 0; !flat(); i++) {
      if (i > 500) throw new Error("the warm-up positions did not close");
      await new Promise((res) => setTimeout(res, 10));
    }
    // Alerts come seconds apart: each is sent once the last one's guards rest (or are cancelled).
    const settled = () =>
      ACCOUNTS.every((a) => {
        const held = s.exchange.openPositionsOf(a).length > 0;
        const guards = s.exchange
          .ordersOf(a)
          .filter((o) => isGuardTag(o.customTag) && o.status === OrderStatus.Open).length;
        return guards === (held ? 1 : 0);
      });
    const entries: number[] = [];
    const exits: number[] = [];
    const firstOrder: number[] = [];
    let errors = 0;
    for (let i = 0; i < 50 + alerts; i++) {
      for (let w = 0; !settled(); w++) {
        if (w > 500) throw new Error("the guards did not settle");
        await new Promise((res) => setTimeout(res, 2));
      }
      seen = 0;
      const entry = i % 2 === 0;
      const t0 = ms();
      const r = await post(`g-${i}`, entry ? "buy" : "sell");
      if (r.status !== 200 || seen !== ACCOUNTS.length) {
        errors++;
        continue;
      }
      if (i < 50) continue;
      (entry ? entries : exits).push(last - t0);
      firstOrder.push(first - t0);
    }
    return {
      lastOrder: stats([...entries, ...exits]),
      entries: stats(entries),
      exits: stats(exits),
      firstOrder: stats(firstOrder),
      errors,
    };
  } finally {
    s.onRequest = null;
    await red.stop();
    await s.close();
  }
}
