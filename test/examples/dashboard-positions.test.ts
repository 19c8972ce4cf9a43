import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, setPrice, until } from "../support/sim";

// eslint-disable-next-line @typescript-eslint/no-require-imports
const functionNode = require("@node-red/nodes/core/function/10-function.js");

const ROOT = resolve(__dirname, "..", "..", "..");

/** A row of the dashboard's positions table as its function node builds it. */
interface Row {
  contract: string;
  side: string;
  size: number;
}

/**
 * The dashboard example's positions table, as shipped: the account node's snapshot names a
 * position's side ("long", "short"), and the table shows that word, not the gateway's code.
 */
describe("example: the dashboard's positions table", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-dash-pos-" });

  it("shows a sold position as short and a bought one as long", async () => {
    const flow = JSON.parse(readFileSync(join(ROOT, "examples", "3 Dashboard.json"), "utf8")) as Array<
      Record<string, unknown>
    >;
    const shipped = (id: string) => flow.find((n) => n.id === id)!;
    const cfg = configFor(rt.sim);
    await helper.load(
      [...allNodes, functionNode],
      [
        shipped("tsx-dash"),
        cfg.node,
        { ...shipped("tsx-dash-acct"), server: "cfg", wires: [["tsx-dash-pos"]] },
        { ...shipped("tsx-dash-pos"), wires: [["table"]] },
        { id: "table", type: "helper", z: "tsx-dash" },
      ],
      cfg.credentials,
    );
    const account = helper.getNode("tsx-dash-acct");
    const table = collect<{ _msgid: string; payload: Row[] }>(helper.getNode("table"));
    await until(() => /\$/.test(lastStatus(account).text ?? ""), "the account node's balance");
    const { api } = await login(rt.sim);
    const mes = (await frontMonth(api, "MES")).id;
    await setPrice(rt.sim, mes, 6800, { bid: 6800, ask: 6800.25 });
    const rowsAfter = async (side: 0 | 1, want: string) => {
      await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mes, type: 2, side, size: 2 });
      return until(() => {
        account.receive({ payload: "" });
        const rows = table.at(-1)?.payload;
        return rows && Array.from(rows).some((r) => r.side === want) ? Array.from(rows) : null;
      }, `a ${want} row`);
    };
    // Sold first: a code read as "long unless 1" would call it long.
    const short = await rowsAfter(1, "short");
    assert.deepEqual(
      short.map((r) => [r.contract, r.side, r.size]),
      [[mes, "short", 2]],
    );
    await rowsAfter(0, "");
    const long = await rowsAfter(0, "long");
    assert.deepEqual(
      long.map((r) => [r.contract, r.side, r.size]),
      [[mes, "long", 2]],
    );
  });
});
