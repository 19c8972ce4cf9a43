import { join } from "node:path";
import { OrderType, PositionType } from "../src/core/schemas";
import { deployFlows } from "../test/support/node-red-process";
import { withStarter } from "./flows";
import { benchNodeRed, ms, type Stats, sim, stats, USER } from "./latency";

const LEADER = 10001;
const FOLLOWERS = [10002, 10003];
const WAIT_MS = 5_000;

/** The "Copy a leader account" example as shipped, with the rules' order pacing lifted for hundreds of fills. */
function copyExampleFlow(journal: string): Array<Record<string, unknown>> {
  const flow = withStarter("7 Copy a leader account.json", ["", "10002", "10003"]);
  for (const n of flow) {
    if (n.type === "topstepx-rules") {
      n.maxOrdersPerMinute = "";
      n.dbFile = journal;
    }
    // Both followers size by the leader: every leader fill is a follower order (fixed 1 would ignore adds).
    if (n.type === "topstepx-copy")
      n.followers = FOLLOWERS.map((a) => ({ account: String(a), sizeBy: "multiplier", size: "1" }));
    if (n.type === "debug") n.active = false;
  }
  return flow;
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + WAIT_MS * 4;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 2));
  }
}

/**
 * Leader fill → follower order: the leader's market order (sent straight to the simulator, as a
 * trade made by hand in TopstepX) and each follower's Order/place, both timed as they arrive at the
 * simulator, through Node-RED running the "Copy a leader account" example (a copy node, a rules node
 * per account). The leader alternates between long 1 and long 2, so every fill is an entry or a
 * partial exit the followers mirror with one Order/place each. `first` is the first follower's
 * order, `all` the last of both.
 */
export async function leaderFillToFollowers(
  fills: number,
  warmup = 5,
): Promise<{ first: Stats; all: Stats; coldMs: number; followers: number }> {
  const s = await sim(["MNQ"]);
  const mnq = s.market.frontMonths()[3]!.id;
  const red = await benchNodeRed(s);
  const login = await fetch(`${s.restUrl}/api/Auth/loginKey`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(USER),
  });
  const token = ((await login.json()) as { token: string }).token;
  let leaderAt = 0;
  const followerAt = new Map<number, number>();
  s.onRequest = (endpoint, body) => {
    if (endpoint !== "Order/place") return;
    const b = (body ?? {}) as { accountId?: number; type?: number };
    const t = ms();
    if (b.accountId === LEADER) leaderAt = t;
    else if (b.accountId !== undefined && b.type === OrderType.Market && !followerAt.has(b.accountId))
      followerAt.set(b.accountId, t);
  };
  const held = (account: number) => {
    const p = s.exchange.openPositionsOf(account).find((x) => x.contractId === mnq);
    return p ? (p.type === PositionType.Long ? p.size : -p.size) : 0;
  };
  const leaderTrade = async (side: 0 | 1) => {
    const r = await fetch(`${s.restUrl}/api/Order/place`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({ accountId: LEADER, contractId: mnq, type: OrderType.Market, side, size: 1 }),
    });
    const answer = (await r.json()) as { success: boolean; errorMessage?: string };
    if (!answer.success) throw new Error(`the leader's order failed: ${answer.errorMessage}`);
  };
  const first: number[] = [];
  const all: number[] = [];
  let coldMs = 0;
  try {
    await deployFlows(red.url, copyExampleFlow(join(red.userDir, "bench-journal.sqlite")));
    // The copier mirrors once every rules node is synced: the first leader fill is the cold one.
    let want = 0;
    for (let i = 0; i < warmup + fills; i++) {
      followerAt.clear();
      // Long 1 ↔ long 2 after a first entry: an entry and a partial exit in turn.
      const side = want === 2 ? 1 : 0;
      want += side === 0 ? 1 : -1;
      await leaderTrade(side);
      await until(
        () => FOLLOWERS.every((f) => held(f) === want) && followerAt.size === FOLLOWERS.length,
        `the followers at ${want} (fill ${i})`,
      );
      const times = [...followerAt.values()];
      const firstMs = Math.min(...times) - leaderAt;
      const allMs = Math.max(...times) - leaderAt;
      if (i === 0) coldMs = Number(allMs.toFixed(3));
      if (i >= warmup) {
        first.push(firstMs);
        all.push(allMs);
      }
    }
  } finally {
    s.onRequest = null;
    await red.stop();
    await s.close();
  }
  return { first: stats(first), all: stats(all), coldMs, followers: FOLLOWERS.length };
}
