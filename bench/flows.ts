import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";

const ROOT = resolve(__dirname, "..", "..");

/**
 * An example as shipped on top of "0 Start here" (the configuration and the rules nodes it reaches
 * through link nodes), the configuration node once, as the editor's import keeps it.
 */
export function withStarter(file: string): Array<Record<string, unknown>> {
  const flow = ["0 Start here.json", file].flatMap(
    (f) => JSON.parse(readFileSync(join(ROOT, "examples", f), "utf8")) as Array<Record<string, unknown>>,
  );
  return flow.filter((n, i) => flow.findIndex((m) => m.id === n.id) === i);
}

/**
 * The webhook example exactly as shipped, with the starter, with two rules relaxed for a benchmark that sends
 * thousands of alerts: no orders-per-minute cap and no alert age (the bench sends no time).
 */
export function exampleWebhookFlow(journal?: string): Array<Record<string, unknown>> {
  const flow = withStarter("1 TradingView webhook to order.json");
  for (const n of flow) {
    if (n.type === "topstepx-rules") {
      n.maxOrdersPerMinute = "";
      n.maxAlertAgeSeconds = "";
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
