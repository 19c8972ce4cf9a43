import { strict as assert } from "node:assert";
import WebSocket from "ws";
import { exampleWebhookFlow } from "../../bench/flows";
import type { Simulator } from "../../src/sim";
import { clockSetting, runningClockFrom } from "../support/clock";
import { deployFlows, type NodeRedProcess, startNodeRed } from "../support/node-red-process";
import { restClient, setPrice, startTestSim, USER, until } from "../support/sim";

const clock = runningClockFrom();
const SECRET = "hook-secret-9f2";
const ALERT_NODE = "tsx-webhook-alert";

interface Answer {
  status: number;
  type: string;
  text: string;
  body: { ok?: boolean; status?: number; error?: string; reason?: string; field?: string; orderId?: number };
  allow: string | null;
}

async function send(red: NodeRedProcess, init: RequestInit & { json?: unknown; path?: string }): Promise<Answer> {
  const { json, path = "/topstepx/alert", ...rest } = init;
  const r = await fetch(
    `${red.url}${path}`,
    json === undefined
      ? rest
      : {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(json),
          ...rest,
        },
  );
  const text = await r.text();
  const type = r.headers.get("content-type") ?? "";
  let body: Answer["body"] = {};
  try {
    body = JSON.parse(text) as Answer["body"];
  } catch {
    // not JSON: the assertions on `type` and `text` report it
  }
  return { status: r.status, type, text, body, allow: r.headers.get("allow") };
}

/** An answer as every webhook answer must be: JSON, ok false, the reason in `error` (and `reason`). */
function assertJsonRefusal(a: Answer, status: number, field: string, reason?: RegExp): void {
  const seen = `${a.status} ${a.type} ${a.text.slice(0, 300)}`;
  assert.equal(a.status, status, seen);
  assert.match(a.type, /^application\/json/, seen);
  assert.equal(a.body.ok, false, seen);
  assert.equal(a.body.field, field, seen);
  assert.ok(typeof a.body.error === "string" && a.body.error.startsWith(`${field}: `), seen);
  assert.equal(a.body.reason, a.body.error, seen);
  if (reason) assert.match(a.body.error!, reason, seen);
}

/** The first status of a node, as the editor receives it over /comms (the current one first), that `wanted` accepts. */
function editorStatus(
  red: NodeRedProcess,
  nodeId: string,
  wanted: (s: { fill?: string; shape?: string; text?: string }) => boolean = () => true,
): Promise<{ fill?: string; shape?: string; text?: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`${red.url.replace("http", "ws")}/comms`);
    let last: unknown = null;
    const timer = setTimeout(() => {
      ws.close();
      reject(new Error(`no matching status for ${nodeId}; last ${JSON.stringify(last)}`));
    }, 10_000);
    ws.on("open", () => ws.send(JSON.stringify({ subscribe: `status/${nodeId}` })));
    ws.on("message", (data) => {
      for (const m of JSON.parse(data.toString()) as Array<{
        topic: string;
        data: { fill?: string; shape?: string; text?: string };
      }>) {
        if (m.topic !== `status/${nodeId}`) continue;
        last = m.data;
        if (wanted(m.data)) {
          clearTimeout(timer);
          ws.close();
          resolve(m.data);
        }
      }
    });
    ws.on("error", reject);
  });
}

async function orderCount(sim: Simulator): Promise<number> {
  return ((await restClient(sim).get("/sim/state")).data as { orders: unknown[] }).orders.length;
}

/** Deploys the shipped webhook flow, its configuration given `credentials`, and waits for its route. */
async function deployWebhook(
  red: NodeRedProcess,
  credentials: Record<string, string> = {},
  roots = { admin: "", node: "" },
): Promise<void> {
  const flow = exampleWebhookFlow().map((n) => (n.type === "topstepx-config" ? { ...n, credentials } : n));
  await deployFlows(`${red.url}${roots.admin}`, flow);
  // Until the http in node has registered its route, express answers 404 in HTML.
  await until(
    async () =>
      (await send(red, { json: {}, path: `${roots.node}/topstepx/alert` })).type.startsWith("application/json"),
    "the webhook route",
    20_000,
  );
}

/**
 * The webhook path of the shipped example flow, in a real Node-RED process: what anyone who finds
 * the URL can send it. Every answer is JSON with a reason, the secret is checked first, and
 * without a configured secret nothing gets through.
 */
describe("nodes: webhook security (the example flow in a real Node-RED)", function () {
  this.timeout(120_000);
  let sim: Simulator;
  let red: NodeRedProcess;

  before(async () => {
    sim = await startTestSim({ now: clock.now, rateLimits: { enabled: false } });
    await setPrice(sim, "MNQ", 21000);
    red = await startNodeRed(
      {
        TOPSTEPX_SIMULATOR_URL: sim.restUrl,
        TOPSTEPX_USERNAME: USER.userName,
        TOPSTEPX_API_KEY: USER.apiKey,
        TOPSTEPX_WEBHOOK_SECRET: "", // a fresh palette install: no webhook secret anywhere
      },
      [],
      clockSetting(clock),
    );
  });
  after(async () => {
    await red?.stop();
    await sim?.close();
  });

  describe("with no webhook secret configured", () => {
    before(() => deployWebhook(red));

    it("refuses every alert with 401 and the reason, shows a red status, and places no order", async () => {
      // Once the connection is up, the other nodes show green; the alert node stays red.
      await editorStatus(red, "tsx-webhook-order", (s) => s.fill === "green");
      assert.deepEqual(await editorStatus(red, ALERT_NODE), {
        fill: "red",
        shape: "ring",
        text: "refusing: no webhook secret",
      });
      const valid = { symbol: "MNQ1!", side: "buy", quantity: 1 };
      assertJsonRefusal(await send(red, { json: valid }), 401, "secret", /no webhook secret is configured/);
      assertJsonRefusal(
        await send(red, { json: { ...valid, secret: "any guess" } }),
        401,
        "secret",
        /no webhook secret is configured/,
      );
      assertJsonRefusal(
        await send(red, { method: "POST", headers: { "content-type": "text/plain" }, body: "buy 1 MNQ1! secret=x" }),
        401,
        "secret",
      );
      assertJsonRefusal(await send(red, { json: { ...valid, quantity: "2.5" } }), 401, "secret");
      assert.deepEqual(await editorStatus(red, ALERT_NODE), {
        fill: "red",
        shape: "ring",
        text: "refusing: no webhook secret",
      });
      assert.equal(await orderCount(sim), 0);
    });
  });

  describe("with a webhook secret", () => {
    before(() => deployWebhook(red, { webhookSecret: SECRET }));

    it("answers 401 to a wrong or missing secret before naming any bad field", async () => {
      const bad = { symbol: "MNQ1!", side: "buy", quantity: "2.5", type: "limit" };
      for (const a of [
        await send(red, { json: { ...bad, secret: "wrong" } }),
        await send(red, { json: bad }),
        await send(red, { json: { ...bad, secret: "wrong", stopLoss: { type: "trailing_stop" }, time: "yesterday" } }),
        await send(red, {
          method: "POST",
          headers: { "content-type": "text/plain" },
          body: "buy 2.5 MNQ1! limit x secret=wrong",
        }),
      ]) {
        assertJsonRefusal(a, 401, "secret");
        assert.doesNotMatch(
          a.text,
          /quantity|limitPrice|stopLoss|time|whole number/,
          "nothing of the content is judged before the secret",
        );
      }
      // With the right secret the same body is judged, naming the field.
      assertJsonRefusal(await send(red, { json: { ...bad, secret: SECRET } }), 400, "quantity", /whole number/);
      assert.equal(await orderCount(sim), 0);
    });

    it("answers in JSON, with a reason, what Node-RED answered in HTML or with a crash", async () => {
      const deep = `{"secret":${JSON.stringify(SECRET)},"symbol":"MNQ1!","side":"buy","quantity":1,"extras":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
      assertJsonRefusal(
        await send(red, { method: "POST", headers: { "content-type": "application/json" }, body: deep }),
        400,
        "body",
        /nested more than/,
      );
      assertJsonRefusal(
        await send(red, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: `{"secret":"${SECRET}","symbol":`,
        }),
        400,
        "body",
        /not valid JSON/,
      );
      assertJsonRefusal(
        await send(red, { method: "POST", headers: { "content-type": "application/json" }, body: '"buy 1 MNQ1!"' }),
        400,
        "body",
        /JSON object/,
      );
      assertJsonRefusal(
        await send(red, { method: "POST", headers: { "content-type": "application/json" }, body: "null" }),
        400,
        "body",
        /JSON object/,
      );
      assertJsonRefusal(
        await send(red, { method: "POST", headers: { "content-type": "text/plain" }, body: "" }),
        400,
        "body",
        /empty/,
      );
      const huge = JSON.stringify({
        secret: SECRET,
        symbol: "MNQ1!",
        side: "buy",
        quantity: 1,
        pad: "x".repeat(10 * 1024 * 1024),
      });
      assertJsonRefusal(
        await send(red, { method: "POST", headers: { "content-type": "application/json" }, body: huge }),
        413,
        "body",
        /larger than/,
      );
      const get = await send(red, { method: "GET" });
      assertJsonRefusal(get, 405, "method", /GET is not accepted/);
      assert.equal(get.allow, "POST");
      assertJsonRefusal(
        await send(red, { method: "PUT", headers: { "content-type": "application/json" }, body: "{}" }),
        405,
        "method",
      );
      assert.equal(await orderCount(sim), 0, "none of them reached an order");
    });

    it("still places a correct alert, in JSON and in TradingView's text form", async () => {
      const json = await send(red, {
        json: { secret: SECRET, id: "ws-json-1", symbol: "MNQ1!", side: "buy", quantity: 1 },
      });
      assert.equal(json.status, 200, json.text);
      const text = await send(red, {
        method: "POST",
        headers: { "content-type": "text/plain" },
        body: `sell 1 MNQ1! secret=${SECRET} id=ws-text-1`,
      });
      assert.equal(text.status, 200, text.text);
      const form = await send(red, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: `secret=${SECRET}&id=ws-form-1&symbol=MNQ1!&side=buy&quantity=1`,
      });
      assert.equal(form.status, 200, form.text);
      const ids = ((await restClient(sim).get("/sim/state")).data as { orders: Array<{ id: number }> }).orders.map(
        (o) => o.id,
      );
      for (const a of [json, text, form])
        assert.ok(ids.includes(a.body.orderId!), `${a.body.orderId} in ${JSON.stringify(ids)}`);
    });
  });

  describe("with the editor and the flows under their own roots", () => {
    // The editor's body parser then never sees the webhook's requests: the http in node's own
    // parser would refuse them with a bare 500, and an unknown method with express's 404 page.
    let other: NodeRedProcess;
    const roots = { admin: "/admin", node: "/hooks" };
    before(async () => {
      other = await startNodeRed(
        {
          TOPSTEPX_SIMULATOR_URL: sim.restUrl,
          TOPSTEPX_USERNAME: USER.userName,
          TOPSTEPX_API_KEY: USER.apiKey,
          TOPSTEPX_WEBHOOK_SECRET: SECRET,
        },
        [],
        `${clockSetting(clock)}, httpAdminRoot: "${roots.admin}", httpNodeRoot: "${roots.node}"`,
      );
      await deployWebhook(other, {}, roots);
    });
    after(() => other?.stop());

    it("answers in JSON there too, and places a correct alert", async () => {
      const path = `${roots.node}/topstepx/alert`;
      const json = { "content-type": "application/json" };
      assertJsonRefusal(
        await send(other, { path, method: "POST", headers: json, body: `{"secret":"${SECRET}",` }),
        400,
        "body",
        /not valid JSON/,
      );
      assertJsonRefusal(await send(other, { path, method: "POST", headers: json, body: "null" }), 400, "body");
      assertJsonRefusal(
        await send(other, {
          path,
          method: "POST",
          headers: json,
          body: `{"secret":"${SECRET}","x":${"[".repeat(20_000)}${"]".repeat(20_000)}}`,
        }),
        400,
        "body",
        /nested/,
      );
      assertJsonRefusal(
        await send(other, {
          path,
          method: "POST",
          headers: json,
          body: JSON.stringify({ pad: "x".repeat(10 * 1024 * 1024) }),
        }),
        413,
        "body",
      );
      assertJsonRefusal(await send(other, { path: `${path}/?probe=1`, method: "GET" }), 405, "method");
      assertJsonRefusal(await send(other, { path, json: { secret: "wrong", quantity: "2.5" } }), 401, "secret");
      const ok = await send(other, {
        path,
        json: { secret: SECRET, id: "ws-roots-1", symbol: "MNQ1!", side: "buy", quantity: 1 },
      });
      assert.equal(ok.status, 200, ok.text);
      // Paths that are no webhook are left to Node-RED.
      const elsewhere = await fetch(`${other.url}${roots.node}/not-a-webhook`);
      assert.equal(elsewhere.status, 404);
    });
  });
});
