import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..");

type FlowNode = Record<string, unknown> & { id: string; type: string; wires?: string[][] };

/**
 * An example as shipped on top of "0 Start here" (the configuration and the rules nodes it reaches
 * through link nodes), the configuration node once, as the editor's import keeps it. Of the
 * starter's rules nodes only those of `accounts` are kept ("" is the configuration's account), with
 * their link in: a trader deletes the ones of accounts they do not trade.
 */
export function withStarter(file: string, accounts: string[] = [""]): FlowNode[] {
  const read = (f: string) => JSON.parse(readFileSync(join(ROOT, "examples", f), "utf8")) as FlowNode[];
  const starter = read("0 Start here.json");
  const dropped = new Set(
    starter.filter((n) => n.type === "topstepx-rules" && !accounts.includes(String(n.account))).map((n) => n.id),
  );
  const flow = [
    ...starter.filter((n) => !dropped.has(n.id) && !n.wires?.some((port) => port.some((w) => dropped.has(w)))),
    ...read(file),
  ];
  return flow.filter((n, i) => flow.findIndex((m) => m.id === n.id) === i);
}

/**
 * The webhook example as shipped, with the starter's rules node of the configuration's account (and
 * those of `accounts`), relaxed for a benchmark that sends thousands of alerts: no orders-per-minute
 * cap and no alert age (the bench sends no time), and without the starter's personal daily loss
 * limit (there for the dashboard), so that guard stops keep the Maximum Loss Limit's floor.
 */
export function exampleWebhookFlow(journal?: string, accounts: string[] = [""]): FlowNode[] {
  const flow = withStarter("1 TradingView webhook to order.json", accounts);
  for (const n of flow) {
    if (n.type === "topstepx-rules") {
      n.maxOrdersPerMinute = "";
      n.maxAlertAgeSeconds = "";
      n.dailyLossAmount = "";
      if (journal) n.dbFile = journal;
    }
    if (n.type === "debug") n.active = false;
  }
  return flow;
}

/**
 * The floor: a bare Node-RED flow that forwards the alert to Order/place with no checks at all
 * (http in → function → http request → http response), on the same Node-RED.
 */
export function bareFlow(restUrl: string, token: string, contractId: string): Array<Record<string, unknown>> {
  const z = "bare";
  return [
    { id: z, type: "tab", label: "bare" },
    {
      id: "bare-in",
      type: "http in",
      z,
      url: "/bare/alert",
      method: "post",
      upload: false,
      swaggerDoc: "",
      x: 100,
      y: 100,
      wires: [["bare-fn"]],
    },
    {
      id: "bare-fn",
      type: "function",
      z,
      name: "to Order/place",
      outputs: 1,
      x: 300,
      y: 100,
      wires: [["bare-req"]],
      func: `const a = msg.payload;
msg.url = ${JSON.stringify(`${restUrl}/api/Order/place`)};
msg.headers = { "content-type": "application/json", authorization: ${JSON.stringify(`Bearer ${token}`)} };
msg.payload = { accountId: 10001, contractId: ${JSON.stringify(contractId)}, type: 2, side: a.side === "buy" ? 0 : 1, size: Number(a.quantity), customTag: a.id };
return msg;`,
    },
    {
      id: "bare-req",
      type: "http request",
      z,
      name: "",
      method: "POST",
      ret: "obj",
      paytoqs: "ignore",
      url: "",
      tls: "",
      persist: true,
      proxy: "",
      insecureHTTPParser: false,
      authType: "",
      senderr: false,
      headers: [],
      x: 500,
      y: 100,
      wires: [["bare-out"]],
    },
    { id: "bare-out", type: "http response", z, name: "", statusCode: "", headers: {}, x: 700, y: 100, wires: [] },
  ];
}
