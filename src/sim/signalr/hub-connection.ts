import type { WebSocket } from "ws";

/** SignalR's record separator: every JSON message on the wire ends with it. */
export const RS = "\x1e";

/** Message types of the JSON hub protocol. */
export const MessageType = {
  Invocation: 1,
  StreamItem: 2,
  Completion: 3,
  StreamInvocation: 4,
  CancelInvocation: 5,
  Ping: 6,
  Close: 7,
} as const;

const PING = `{"type":6}${RS}`;

/** A server-to-client invocation (an event) as one record on the wire, to queue on any number of connections. */
export function invocation(target: string, args: unknown[]): string {
  return JSON.stringify({ type: MessageType.Invocation, target, arguments: args }) + RS;
}

/** Connections with queued output, flushed together once the current macrotask ends. */
const pending = new Set<HubConnection>();
let flushScheduled = false;

function flushAll(): void {
  flushScheduled = false;
  for (const c of pending) c.flush();
  pending.clear();
}

/**
 * One client socket after (or during) the handshake. Output is batched: every record queued in
 * the same tick goes out in a single text frame, whole records only, as the client requires.
 */
export class HubConnection<S = unknown> {
  handshaken = false;
  lastReceived: number;
  lastSent: number;
  private out = "";
  private inbound = "";
  closed = false;

  constructor(
    readonly id: string,
    readonly userName: string,
    readonly socket: WebSocket,
    /** The hub's own per-connection state (subscriptions). */
    readonly state: S,
    now: number,
  ) {
    this.lastReceived = now;
    this.lastSent = now;
  }

  /** Appends inbound text and returns the complete records it now holds. */
  receive(text: string): string[] {
    this.inbound += text;
    const parts = this.inbound.split(RS);
    this.inbound = parts.pop() ?? "";
    return parts;
  }

  /** Queues a pre-serialised record (JSON + RS). */
  queue(record: string): void {
    if (this.closed) return;
    this.out += record;
    if (!pending.has(this)) {
      pending.add(this);
      if (!flushScheduled) {
        flushScheduled = true;
        setImmediate(flushAll);
      }
    }
  }

  /** Sends a server-to-client invocation (an event). */
  invoke(target: string, args: unknown[]): void {
    this.queue(invocation(target, args));
  }

  ping(now: number): void {
    this.lastSent = now;
    this.queue(PING);
  }

  flush(): void {
    if (this.out === "" || this.closed) return;
    const data = this.out;
    this.out = "";
    this.lastSent = Date.now();
    this.socket.send(data);
  }

  /** Sends a Close message, then closes the socket. Without allowReconnect the client gives up. */
  close(error?: string, allowReconnect = false): void {
    if (this.closed) return;
    const msg: Record<string, unknown> = { type: MessageType.Close };
    if (error) msg.error = error;
    if (allowReconnect) msg.allowReconnect = true;
    this.queue(JSON.stringify(msg) + RS);
    this.flush();
    this.closed = true;
    this.socket.close(1000);
  }

  /** Drops the socket without a close handshake (the client sees 1006). */
  drop(): void {
    this.closed = true;
    this.socket.terminate();
  }
}
