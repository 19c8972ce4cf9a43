import type { IncomingMessage, ServerResponse } from "node:http";
import type { NodeAPI } from "node-red";
import { AlertError, jsonBody } from "../../src/core/alerts/parse-alert";
import { refusal } from "../shared/http-answer";
import { NodeType } from "../shared/node-types";

/**
 * The webhook guard: makes every answer on a webhook path JSON with a reason.
 *
 * A webhook path is the URL of an `http in` node wired straight to a topstepx-alert node. Node-RED
 * answers what goes wrong there before any flow runs, in HTML: the editor's body parser (mounted at
 * "/" by default, so it reads every request first) refuses malformed JSON, a JSON string or null,
 * and bodies over apiMaxLength, and a method without an `http in` node gets express's 404 page. So
 * the guard is one middleware at the top of the HTTP server's app (where Node-RED puts its own raw
 * body capture), ahead of the editor and of the flows' routes. On a webhook path it refuses, in
 * JSON, a method no `http in` node serves (405), a body over MAX_BODY_BYTES (413), an encoding or
 * charset other than identity UTF-8 (415), and a body that is empty, not UTF-8, malformed JSON, not
 * a JSON object, or nested too deep (400). Otherwise it hands the parsed body on, marked as parsed,
 * so that the editor's and the `http in` node's parsers leave it alone, and the flow answers.
 * Other paths are not touched.
 */

/** The largest alert body read: TradingView's alert messages are a few KB. */
export const MAX_BODY_BYTES = 64 * 1024;
/** An oversized body is drained (so the client reads the 413) up to this size, then the connection is dropped. */
const MAX_DRAIN_BYTES = 32 * 1024 * 1024;

type Req = IncomingMessage & { body?: unknown; _body?: boolean };
type Next = (err?: unknown) => void;
type Handler = (req: Req, res: ServerResponse, next: Next) => void;
interface Layer {
  handle: unknown;
}
interface App {
  parent?: App;
  use(fn: Handler): unknown;
  _router?: { stack: Layer[] };
  router?: { stack: Layer[] };
}
interface FlowNode {
  id: string;
  type: string;
  z?: string;
  d?: boolean;
  disabled?: boolean;
  url?: string;
  method?: string;
  wires?: string[][];
}

/** The live Node-RED API (tests load the module more than once) and the routes of the running flows. */
const state: { RED: NodeAPI | null; routes: Map<string, Set<string>> | null } = { RED: null, routes: null };
const guarded = new WeakSet<object>();
const listening = new WeakSet<object>();

/** Installs the guard once per HTTP server; later calls only point it at the newest runtime API. */
export function installWebhookGuard(RED: NodeAPI): void {
  state.RED = RED;
  state.routes = null;
  const settings = RED.settings as { httpNodeRoot?: string | false };
  if (settings.httpNodeRoot === false || !RED.httpNode) return;
  if (!listening.has(RED.events)) {
    listening.add(RED.events);
    // Routes change with every deploy; they are worked out again on the next request.
    RED.events.on("flows:started", () => {
      state.routes = null;
    });
  }
  const app = rootApp(RED.httpNode as unknown as App);
  if (guarded.has(app)) return;
  guarded.add(app);
  app.use(guard);
  const stack = (app._router ?? app.router)?.stack;
  if (!stack) return;
  const at = stack.findIndex((l) => l.handle === guard);
  const [layer] = stack.splice(at, 1);
  // After Node-RED's own raw body capture (which reads "raw body" routes first), before all else.
  const raw = stack.findIndex((l) => typeof l.handle === "function" && l.handle.name === "rawBodyCapture");
  stack.splice(raw + 1, 0, layer!);
}

function rootApp(app: App): App {
  return app.parent ? rootApp(app.parent) : app;
}

/** A path as express matches it: no query, single slashes, no trailing slash, any case. */
function normalize(path: string): string {
  return path
    .split("?")[0]!
    .replace(/\/{2,}/g, "/")
    .replace(/(.)\/$/, "$1")
    .toLowerCase();
}

/** Webhook path → the methods any enabled `http in` node serves on it. */
function webhookRoutes(): Map<string, Set<string>> {
  if (state.routes) return state.routes;
  const RED = state.RED;
  const nodes: FlowNode[] = [];
  try {
    RED?.nodes.eachNode((n) => void nodes.push(n as unknown as FlowNode));
  } catch {
    return new Map(); // no flows yet
  }
  const off = new Set(nodes.filter((n) => (n.type === "tab" && n.disabled) || n.type === "subflow").map((n) => n.id));
  const live = nodes.filter((n) => !n.d && !(n.z && off.has(n.z)));
  const alerts = new Set(live.filter((n) => n.type === NodeType.Alert).map((n) => n.id));
  const root = (RED?.settings as { httpNodeRoot?: string } | undefined)?.httpNodeRoot || "/";
  const served = new Map<string, Set<string>>();
  const hooks = new Set<string>();
  for (const n of live) {
    if (n.type !== "http in" || !n.url) continue;
    const path = normalize(`${root}/${n.url}`);
    if (!served.has(path)) served.set(path, new Set());
    served.get(path)!.add((n.method ?? "get").toUpperCase());
    if ((n.wires ?? []).some((port) => port.some((id) => alerts.has(id)))) hooks.add(path);
  }
  const routes = new Map([...hooks].map((p) => [p, served.get(p)!] as const));
  state.routes = routes;
  return routes;
}

function answer(
  req: Req,
  res: ServerResponse,
  status: number,
  field: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  if (res.headersSent) return;
  const body = JSON.stringify(refusal(status, `${field}: ${message}`, field));
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(body)),
    ...headers,
  });
  res.end(req.method === "HEAD" ? undefined : body);
}

const guard: Handler = (req, res, next) => {
  const methods = webhookRoutes().get(normalize(req.url ?? "/"));
  if (!methods || req.method === "OPTIONS") return next();
  const method = req.method === "HEAD" ? "GET" : (req.method ?? "GET");
  if (!methods.has(method)) {
    const allow = [...methods].sort().join(", ");
    return drain(req, () =>
      answer(
        req,
        res,
        405,
        "method",
        `${req.method} is not accepted here; send the alert with ${allow} (TradingView sends POST)`,
        { allow },
      ),
    );
  }
  if (req._body || method === "GET") return next();
  const encoding = String(req.headers["content-encoding"] ?? "identity").toLowerCase();
  if (encoding !== "identity")
    return drain(req, () =>
      answer(req, res, 415, "content-encoding", `${encoding} is not accepted; send the alert uncompressed`),
    );
  const [type = "", ...params] = String(req.headers["content-type"] ?? "")
    .toLowerCase()
    .split(";")
    .map((s) => s.trim());
  if (type.startsWith("multipart/")) return next();
  const charset = params
    .find((p) => p.startsWith("charset="))
    ?.slice(8)
    .replace(/"/g, "");
  if (charset && !/^(utf-?8|us-ascii)$/.test(charset))
    return drain(req, () => answer(req, res, 415, "content-type", `charset ${charset} is not accepted; send UTF-8`));
  void readBody(req)
    .then((r) => {
      if (r === "aborted") return;
      if (r === "tooLarge")
        return answer(
          req,
          res,
          413,
          "body",
          `is larger than ${MAX_BODY_BYTES / 1024} KB; an alert is a short message`,
          { connection: "close" },
        );
      try {
        req.body = bodyOf(r, type);
        req._body = true;
      } catch (e) {
        if (!(e instanceof AlertError)) throw e;
        return answer(req, res, e.status, e.field, e.message.slice(e.field.length + 2));
      }
      next();
    })
    .catch(next);
};

/** The body as the alert node takes it: the JSON object, the form's fields, or the text. */
function bodyOf(buf: Buffer, type: string): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(buf);
  } catch {
    throw new AlertError(400, "body", "is not UTF-8 text");
  }
  if (text.trim() === "") throw new AlertError(400, "body", "is empty");
  if (type === "application/json" || type.endsWith("+json")) return jsonBody(text);
  if (type === "application/x-www-form-urlencoded") return Object.fromEntries(new URLSearchParams(text));
  return text;
}

/** Reads at most MAX_BODY_BYTES; a larger body is drained and reported as too large. */
function readBody(req: Req): Promise<Buffer | "tooLarge" | "aborted"> {
  return new Promise((resolve) => {
    const declared = Number(req.headers["content-length"]);
    if (declared > MAX_DRAIN_BYTES) {
      // Too large to drain: answered at once, and the connection closes after the answer.
      req.resume();
      resolve("tooLarge");
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (r: Buffer | "tooLarge" | "aborted") => {
      if (settled) return;
      settled = true;
      resolve(r);
    };
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY_BYTES) chunks.push(c);
      else if (size > MAX_DRAIN_BYTES) req.destroy();
    });
    req.on("end", () => settle(size > MAX_BODY_BYTES ? "tooLarge" : Buffer.concat(chunks)));
    req.on("error", () => settle("aborted"));
    req.on("close", () => settle("aborted"));
  });
}

/** Answers after the request body has been read away, so that a client still sending sees the answer. */
function drain(req: Req, then: () => void): void {
  if (req.readableEnded) {
    then();
    return;
  }
  let size = 0;
  req.on("data", (c: Buffer) => {
    size += c.length;
    if (size > MAX_DRAIN_BYTES) req.destroy();
  });
  req.on("end", then);
  req.resume();
}
