import { join } from "node:path";
import type { AccountAnswer } from "../../nodes/topstepx-group/group-answer";
import type { Received } from "./node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "./node-red";
import type { RuntimeOnSim } from "./runtime-on-sim";
import { ACCOUNT, restClient, until } from "./sim";

/* eslint-disable @typescript-eslint/no-require-imports */
export const groupNode = require("../../nodes/topstepx-group/topstepx-group");
export const groupNodes = [...allNodes, groupNode];

/** The two Express Funded accounts of the simulator's default configuration. */
export const XFA_50K = 10003;
export const XFA_150K = 10004;

/** The group's answer on output 1. */
export interface GroupAnswerMsg
  extends Received<{
    ok: boolean;
    group: string;
    id?: string;
    accounts: AccountAnswer[];
    summary: string;
    status: number;
    field?: string;
    error?: string;
  }> {
  statusCode: number;
}

/** A group node's command reply on output 2. */
export interface CommandMsg extends Received<unknown> {
  topic: string;
  csv?: string;
}

/** A rules node of the group flow: the account it guards and its profile. */
export interface Guarded {
  id: string;
  account: number;
  profile: string;
  extra?: Record<string, unknown>;
}

/** Three accounts, three profiles: a 50K Combine, a 50K and a 150K Express Funded. */
export const THREE: Guarded[] = [
  { id: "r1", account: ACCOUNT, profile: "topstep-combine-50k" },
  { id: "r3", account: XFA_50K, profile: "topstep-xfa-50k" },
  { id: "r4", account: XFA_150K, profile: "topstep-xfa-150k" },
];

/** Members sized three ways: 1 fixed on the Combine, ×0.5 on the 50K XFA, $200 risk (max 3) on the 150K XFA. */
export const MEMBERS = [
  { account: String(ACCOUNT), size: { kind: "fixed", quantity: 1 }, label: "combine" },
  { account: String(XFA_50K), size: { kind: "multiplier", factor: 0.5 }, label: "xfa50" },
  { account: "150KXFA-V2-SIM-10004", size: { kind: "risk", dollars: 200, maxContracts: 3 }, label: "xfa150" },
];

/**
 * Loads a configuration, a rules node per guarded account (one journal file), and a group node
 * `g` whose outputs go to helper nodes; resolves once every rules node shows its MLL headroom.
 */
export async function loadGroup(
  rt: RuntimeOnSim,
  o: { guarded?: Guarded[]; members?: unknown[]; name?: string; dbFile?: string } = {},
) {
  const cfg = configFor(rt.sim);
  const guarded = o.guarded ?? THREE;
  const dbFile = o.dbFile ?? join(rt.dir, "journal.sqlite");
  await helper.load(
    groupNodes,
    [
      cfg.node,
      ...guarded.map((g) => ({
        id: g.id,
        type: "topstepx-rules",
        server: "cfg",
        account: String(g.account),
        profile: g.profile,
        dbFile,
        // Guard stops place orders of their own: off, so Order/place counts only what the group sends.
        guardStops: false,
        ...g.extra,
        wires: [[], [], []],
      })),
      {
        id: "g",
        type: "topstepx-group",
        server: "cfg",
        name: o.name ?? "trio",
        members: o.members ?? MEMBERS,
        version: 1,
        wires: [["out"], ["cmd"]],
      },
      { id: "out", type: "helper" },
      { id: "cmd", type: "helper" },
    ],
    cfg.credentials,
  );
  for (const g of guarded)
    await until(() => /MLL \$/.test(lastStatus(helper.getNode(g.id)).text ?? ""), `rules node ${g.id} synced`, 10_000);
  const g = helper.getNode("g");
  const out = collect<GroupAnswerMsg>(helper.getNode("out"));
  const cmd = collect<CommandMsg>(helper.getNode("cmd"));
  return {
    g,
    out,
    cmd,
    conn: helper.getNode("cfg").connection,
    /** Sends an alert (as the alert node outputs it) and waits for the group's answer. */
    async alert(payload: Record<string, unknown>, extra: Record<string, unknown> = {}): Promise<GroupAnswerMsg> {
      const n = out.length;
      g.receive({ payload, ...extra });
      return until(() => out[n], "the group's answer", 10_000);
    },
    /** Sends a command and waits for its reply. */
    async command(payload: Record<string, unknown>): Promise<CommandMsg> {
      const n = cmd.length;
      g.receive({ payload });
      return until(() => cmd[n], `the ${String(payload.command)} reply`, 10_000);
    },
  };
}

/** The line of one account in an answer. */
export function lineOf(answer: GroupAnswerMsg, accountId: number): AccountAnswer {
  const line = answer.payload.accounts.find((a) => a.accountId === accountId);
  if (!line) throw new Error(`no line for account ${accountId} in ${JSON.stringify(answer.payload)}`);
  return line;
}

/**
 * The accounts bracket natively (Auto OCO): an entry with a stop is one Order/place, so the
 * simulator's Order/place counter counts entries (Position Brackets would add a refused try and a leg).
 */
export async function nativeBrackets(
  rt: RuntimeOnSim,
  accounts: number[] = [ACCOUNT, XFA_50K, XFA_150K],
): Promise<void> {
  for (const accountId of accounts) {
    const r = await restClient(rt.sim).post("/sim/account", { accountId, autoOcoBrackets: true });
    if (r.status !== 200) throw new Error(`account ${accountId}: ${JSON.stringify(r.data)}`);
  }
}
