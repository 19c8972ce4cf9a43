import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { WebSocketServer } from "ws";
import { HubConnection, MessageType, RS } from "./hub-connection";
import { handshakeError, negotiateVersionOf } from "./negotiate";

/** Thrown by a hub method: the client's invoke rejects with "…HubException: <message>". */
export class HubError extends Error {}

export type HubMethod<S> = (conn: HubConnection<S>, args: unknown[]) => unknown;

export interface HubServerOptions<S> {
  /** `user` or `market`: used in ids and logs. */
  name: string;
  /** Resolves a bearer token to a user name, or null to refuse with 401. */
  authenticate(token: string | null): string | null;
  /** Method table; names are matched case-insensitively. */
  methods: Record<string, HubMethod<S>>;
  newState(): S;
  onDisconnect?(conn: HubConnection<S>): void;
  pingIntervalMs: number;
  clientTimeoutMs: number;
}

const HANDSHAKE_TIMEOUT_MS = 15_000;

interface HubRecord {
  type?: unknown;
  protocol?: unknown;
  version?: unknown;
  target?: unknown;
  arguments?: unknown;
  invocationId?: unknown;
}

/** One record as a JSON object, or null when it is not one. */
function parseRecord(record: string): HubRecord | null {
  try {
    const v: unknown = JSON.parse(record);
    return typeof v === "object" && v !== null && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

/**
 * The SignalR JSON hub protocol over WebSockets, enough for `@microsoft/signalr` to connect with
 * or without negotiation, invoke methods, receive events, keep alive and reconnect.
 */
export class HubServer<S> {
  readonly connections = new Set<HubConnection<S>>();
  readonly counters = { upgrades: 0, refused: 0, handshakes: 0, invocations: {} as Record<string, number> };
  pausePings = false;
  rejectUpgrades = 0;
  private readonly wss = new WebSocketServer({ noServer: true, perMessageDeflate: false });
  private readonly methods = new Map<string, { name: string; fn: HubMethod<S> }>();
  private readonly negotiated = new Map<string, { userName: string; expiresAt: number }>();
  private readonly timer: NodeJS.Timeout;
  private seq = 0;

  constructor(private readonly opts: HubServerOptions<S>) {
    for (const [name, fn] of Object.entries(opts.methods)) this.methods.set(name.toLowerCase(), { name, fn });
    this.timer = setInterval(() => this.keepAlive(), Math.max(10, Math.floor(opts.pingIntervalMs / 2)));
    this.timer.unref();
  }

  /**
   * POST <hub>/negotiate: hands out the id for the follow-up WebSocket. Version 1 clients get a
   * separate connection token to use as `?id=`; version 0 clients (no negotiateVersion, as the
   * Python clients send) get none and use the connection id, as ASP.NET Core answers them.
   */
  negotiate(token: string | null, res: ServerResponse, url: URL): void {
    const userName = this.opts.authenticate(token);
    if (!userName) {
      res.writeHead(401).end();
      return;
    }
    const asked = negotiateVersionOf(url);
    if ("error" in asked) {
      // ASP.NET answers a version it cannot serve with 200 and only an error: the client throws it.
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ error: asked.error }));
      return;
    }
    const connectionId = randomBytes(16).toString("base64url");
    const connectionToken = asked.version > 0 ? randomBytes(16).toString("base64url") : connectionId;
    this.negotiated.set(connectionToken, { userName, expiresAt: Date.now() + 60_000 });
    const body = JSON.stringify({
      negotiateVersion: asked.version,
      connectionId,
      ...(asked.version > 0 ? { connectionToken } : {}),
      availableTransports: [{ transport: "WebSockets", transferFormats: ["Text", "Binary"] }],
    });
    res.writeHead(200, { "content-type": "application/json" }).end(body);
  }

  /** Takes an HTTP upgrade for this hub: authenticates, then runs the protocol on the socket. */
  upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, url: URL, token: string | null): void {
    this.counters.upgrades++;
    const refuse = (status: number, text: string) => {
      this.counters.refused++;
      socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n`);
    };
    if (this.rejectUpgrades > 0) {
      this.rejectUpgrades--;
      refuse(503, "Service Unavailable");
      return;
    }
    let userName: string | null = null;
    const id = url.searchParams.get("id");
    if (id !== null) {
      const n = this.negotiated.get(id);
      this.negotiated.delete(id);
      if (!n || n.expiresAt < Date.now()) {
        refuse(404, "Not Found");
        return;
      }
      userName = n.userName;
    } else {
      userName = this.opts.authenticate(token);
    }
    if (!userName) {
      refuse(401, "Unauthorized");
      return;
    }
    const user = userName;
    this.wss.handleUpgrade(req, socket, head, (ws) => this.attach(ws, user));
  }

  private attach(ws: import("ws").WebSocket, userName: string): void {
    const conn = new HubConnection<S>(
      `${this.opts.name}-${++this.seq}`,
      userName,
      ws,
      this.opts.newState(),
      Date.now(),
    );
    this.connections.add(conn);
    const handshakeTimer = setTimeout(() => {
      if (!conn.handshaken) conn.close("Handshake was canceled.");
    }, HANDSHAKE_TIMEOUT_MS);
    handshakeTimer.unref();
    ws.on("message", (data, isBinary) => {
      conn.lastReceived = Date.now();
      if (isBinary) {
        conn.close("Connection closed with an error.");
        return;
      }
      for (const record of conn.receive(data.toString())) this.onRecord(conn, record);
    });
    ws.on("close", () => {
      clearTimeout(handshakeTimer);
      conn.closed = true;
      if (this.connections.delete(conn)) this.opts.onDisconnect?.(conn);
    });
    ws.on("error", () => ws.terminate());
  }

  private onRecord(conn: HubConnection<S>, record: string): void {
    const msg = parseRecord(record);
    if (!conn.handshaken) {
      const refused = handshakeError(msg ?? {});
      if (refused !== null) {
        // ASP.NET answers with the error alone (no Close message), then the transport closes normally.
        conn.queue(JSON.stringify({ error: refused }) + RS);
        conn.flush();
        conn.closed = true;
        conn.socket.close(1000);
        return;
      }
      conn.handshaken = true;
      this.counters.handshakes++;
      conn.queue(`{}${RS}`);
      return;
    }
    if (!msg) {
      conn.close("Connection closed with an error.");
      return;
    }
    switch (msg.type) {
      case MessageType.Invocation:
        this.invoke(conn, msg.target, msg.arguments, typeof msg.invocationId === "string" ? msg.invocationId : null);
        return;
      case MessageType.StreamInvocation:
        if (typeof msg.invocationId === "string") {
          conn.queue(
            JSON.stringify({
              type: MessageType.Completion,
              invocationId: msg.invocationId,
              error: `Failed to invoke '${String(msg.target)}' due to an error on the server. HubException: Method does not exist.`,
            }) + RS,
          );
        }
        return;
      case MessageType.Close:
        conn.closed = true;
        conn.socket.close(1000);
        return;
      default:
        return; // Pings only prove liveness; unknown types are ignored.
    }
  }

  private invoke(conn: HubConnection<S>, target: unknown, args: unknown, invocationId: string | null): void {
    const name = typeof target === "string" ? target : "";
    const method = this.methods.get(name.toLowerCase());
    const key = method?.name ?? name;
    this.counters.invocations[key] = (this.counters.invocations[key] ?? 0) + 1;
    const complete = (body: { result: unknown } | { error: string }) => {
      if (invocationId !== null)
        conn.queue(JSON.stringify({ type: MessageType.Completion, invocationId, ...body }) + RS);
    };
    if (!method) {
      complete({
        error: `Failed to invoke '${name}' due to an error on the server. HubException: Method does not exist.`,
      });
      return;
    }
    try {
      const result = method.fn(conn, Array.isArray(args) ? args : []);
      complete({ result: result ?? null });
    } catch (e) {
      const detail = e instanceof HubError ? ` HubException: ${e.message}` : "";
      complete({ error: `Failed to invoke '${method.name}' due to an error on the server.${detail}` });
    }
  }

  private keepAlive(): void {
    const now = Date.now();
    const idle = this.opts.pingIntervalMs / 2;
    for (const conn of this.connections) {
      if (!conn.handshaken || conn.closed) continue;
      if (this.opts.clientTimeoutMs > 0 && now - conn.lastReceived > this.opts.clientTimeoutMs) {
        conn.close("Connection closed with an error.", true);
        continue;
      }
      if (!this.pausePings && now - conn.lastSent >= idle) conn.ping(now);
    }
    for (const [id, n] of this.negotiated) if (n.expiresAt < now) this.negotiated.delete(id);
  }

  dropAll(): number {
    const n = this.connections.size;
    for (const c of this.connections) c.drop();
    return n;
  }

  closeAll(error: string | undefined, allowReconnect: boolean): number {
    const n = this.connections.size;
    for (const c of this.connections) c.close(error, allowReconnect);
    return n;
  }

  close(): void {
    clearInterval(this.timer);
    for (const c of this.connections) c.drop();
    this.wss.close();
  }
}
