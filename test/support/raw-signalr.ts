import { WebSocket } from "ws";

const RS = "\x1e";

/** One record a raw client received, decoded. */
export type RawRecord = Record<string, unknown>;

/**
 * A SignalR client built from a bare WebSocket, speaking the JSON hub protocol by hand the way the
 * Python clients (signalrcore, pysignalr) do: it sends the handshake itself, keeps every record it
 * receives, and invokes methods with string invocation ids.
 */
export class RawHubClient {
  readonly records: RawRecord[] = [];
  closed: { code: number } | null = null;
  private seq = 0;

  private constructor(readonly socket: WebSocket) {
    let inbound = "";
    socket.on("message", (data) => {
      inbound += data.toString();
      const parts = inbound.split(RS);
      inbound = parts.pop() ?? "";
      for (const p of parts) this.records.push(JSON.parse(p) as RawRecord);
    });
    socket.on("close", (code) => {
      this.closed = { code };
    });
  }

  /** Opens the socket; rejects with the HTTP status when the upgrade is refused. */
  static open(url: string): Promise<RawHubClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      const client = new RawHubClient(socket);
      socket.once("open", () => resolve(client));
      socket.once("unexpected-response", (_req, res) => reject(new Error(`upgrade refused: ${res.statusCode}`)));
      socket.once("error", reject);
    });
  }

  /** Sends one record: an object is serialised, a string goes as it is. */
  send(record: RawRecord | string): void {
    this.socket.send((typeof record === "string" ? record : JSON.stringify(record)) + RS);
  }

  /** Sends an invocation that expects a completion and returns its id. */
  invoke(target: string, args: unknown[]): string {
    const invocationId = String(++this.seq);
    this.send({ type: 1, invocationId, target, arguments: args });
    return invocationId;
  }

  close(): void {
    this.socket.terminate();
  }
}
