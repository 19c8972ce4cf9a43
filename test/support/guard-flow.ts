import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { GatewayConnection } from "../../src/core/connection";
import { isGuardTag } from "../../src/core/gateway/custom-tag";
import type { GuardView } from "../../src/core/protection/guard-stops";
import type { DecisionMsg, Received } from "./node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "./node-red";
import type { RuntimeOnSim } from "./runtime-on-sim";
import { ACCOUNT, login, until } from "./sim";
import { S } from "./trading";

/** An order as /sim/state lists it, in the fields the guard tests read. */
export interface GuardWireOrder {
  id: number;
  status: number;
  type: number;
  side: number;
  size: number;
  contractId: string;
  stopPrice: number | null;
  limitPrice: number | null;
  filledPrice?: number | null;
  customTag?: string | null;
  parentOrderId?: number | null;
  creationTimestamp?: string;
}

/** One held contract as the rule-state output's `guards` shows it. */
export type GuardContractView = GuardView;

/** The rules node's third output, in the parts the guard tests read. */
export type GuardStateMsg = Received<{
  event?: string;
  at?: number;
  synced?: boolean;
  guards?: { enabled: boolean; floor: number | null; rule: string | null; contracts: GuardContractView[] };
}>;

/**
 * The webhook example's wiring, fed alert bodies directly: alert → rules → order, with the order
 * node's results and the rules' refusals collected, and the rules' state output. Also reads the
 * simulator the way a trader looks at TopstepX: positions, working stops, requests executed.
 */
export function guardFlow(rt: RuntimeOnSim, contract: () => string) {
  const orders = async () => (await rt.state()).orders as unknown as GuardWireOrder[];
  const working = async () => (await orders()).filter((o) => o.status === S.Open && o.contractId === contract());
  const guards = async () => (await working()).filter((o) => isGuardTag(o.customTag));
  /** Every guard order the gateway ever received for the contract, working or not. */
  const guardsEver = async () => (await orders()).filter((o) => o.contractId === contract() && isGuardTag(o.customTag));
  const position = async () => {
    const p = (await rt.state()).positions.find((x) => x.contractId === contract());
    return p ? (p.type === 2 ? -p.size : p.size) : 0;
  };
  const executed = async (endpoint: string) => (await rt.state()).requests[endpoint]?.executed ?? 0;

  async function load(rules: Record<string, unknown> = {}, dbFile = join(rt.dir, "journal.sqlite")) {
    const cfg = configFor(rt.sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        { id: "a1", type: "topstepx-alert", server: "cfg", requireSecret: false, wires: [["r1"], ["refused"]] },
        {
          id: "r1",
          type: "topstepx-rules",
          server: "cfg",
          profile: "topstep-combine-50k",
          flattenBuffer: "200",
          dbFile,
          ...rules,
          wires: [["o1"], ["refused"], ["st"]],
        },
        { id: "o1", type: "topstepx-order", server: "cfg", wires: [["done"], ["failed"]] },
        { id: "refused", type: "helper" },
        { id: "done", type: "helper" },
        { id: "failed", type: "helper" },
        { id: "st", type: "helper" },
      ],
      cfg.credentials,
    );
    const r1 = helper.getNode("r1");
    const n = {
      a1: helper.getNode("a1"),
      r1,
      o1: helper.getNode("o1"),
      refused: collect<DecisionMsg>(helper.getNode("refused")),
      done: collect<Received<{ status?: string; bracket?: string }>>(helper.getNode("done")),
      failed: collect<Received>(helper.getNode("failed")),
      st: collect<GuardStateMsg>(helper.getNode("st")),
    };
    // Synced: the headroom, the guard, or a block carried over from before (a breach while away).
    await until(() => /MLL \$|guard|blocked/i.test(lastStatus(r1).text ?? ""), "the rules node guarding");
    return n;
  }

  type Nodes = Awaited<ReturnType<typeof load>>;

  /** Waits until the rules node marks the contract with a quote (it refuses entries beside an unmarked position). */
  const quoted = () =>
    until(
      () => (helper.getNode("cfg").connection as GatewayConnection).market.quote(contract()),
      "a quote for the position",
    );

  /** Sends one alert and waits for the order node's result. */
  async function alert(n: Nodes, body: Record<string, unknown>) {
    const before = n.done.length;
    n.a1.receive({ payload: body });
    await until(
      () => n.done.length > before || n.failed.length > 0 || n.refused.length > 0,
      `the result of ${JSON.stringify(body)}`,
    );
    assert.equal(
      n.failed.length + n.refused.length,
      0,
      JSON.stringify(
        [...n.failed, ...n.refused].map((m) => [
          m.payload,
          (m as DecisionMsg).decision,
          (m as { error?: unknown }).error,
        ]),
      ),
    );
    return n.done.at(-1)!.payload;
  }

  /** A market order sent at the gateway directly (a trade made by hand in TopstepX). */
  async function byHand(side: number, size: number, extra: Record<string, unknown> = {}) {
    const { api } = await login(rt.sim);
    const r = await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: contract(),
      type: 2,
      side,
      size,
      ...extra,
    });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
    return r.data.orderId as number;
  }

  /** The last guard view of the contract on the rule-state output. */
  const view = (n: Nodes) =>
    n.st
      .map((m) => m.payload.guards?.contracts.find((c) => c.contractId === contract()))
      .filter((v) => v !== undefined)
      .at(-1);

  return { load, alert, quoted, byHand, orders, working, guards, guardsEver, position, executed, view };
}
