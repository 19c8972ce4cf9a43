import { resolve } from "node:path";
import { isMainThread, parentPort, Worker } from "node:worker_threads";
import Database from "better-sqlite3";

/**
 * How often the checkpointer copies each journal's write-ahead log into its database file. Writes
 * only append to the log; the copy (and its fsync) is the slow part of SQLite's WAL mode, and
 * SQLite would otherwise do it inside whichever commit crosses 1,000 pages: a stall of several to
 * tens of milliseconds on the event loop that answers webhooks and flattens accounts.
 */
const INTERVAL_MS = 500;

type Message = { open: string } | { close: string; released: Int32Array };

/** How long a close waits for the thread to let go of the file. */
const RELEASE_WAIT_MS = 2000;

/**
 * Checkpoints the journals of this process from a worker thread, on connections of its own, so
 * the event loop never waits for a checkpoint. One thread serves every open file; it stops when
 * the last file closes. Where no worker can be started, the journal keeps SQLite's own
 * checkpoints (see {@link checkpointOffThread}).
 */
class Checkpointer {
  private worker: Worker | null = null;
  private readonly files = new Map<string, number>();

  /** Starts checkpointing `file`; false when no worker thread could be started. */
  open(file: string): boolean {
    const key = resolve(file);
    try {
      this.worker ??= this.start();
    } catch {
      return false;
    }
    this.files.set(key, (this.files.get(key) ?? 0) + 1);
    if (this.files.get(key) === 1) this.worker.postMessage({ open: key } satisfies Message);
    return true;
  }

  /**
   * Stops checkpointing `file` (after its last holder), and waits until the thread has closed its
   * connection: whoever closes the file next (or removes it) must find no one else holding it.
   * The thread ends with the last file.
   */
  close(file: string): void {
    const key = resolve(file);
    const holders = (this.files.get(key) ?? 0) - 1;
    if (holders > 0) {
      this.files.set(key, holders);
      return;
    }
    this.files.delete(key);
    const released = new Int32Array(new SharedArrayBuffer(4));
    this.worker?.postMessage({ close: key, released } satisfies Message);
    // Closing is rare (a deploy, a stop) and the thread answers within one checkpoint.
    if (this.worker) Atomics.wait(released, 0, 0, RELEASE_WAIT_MS);
    if (this.files.size === 0 && this.worker) {
      // The close message is handled before the thread ends: the last checkpoint runs in it.
      this.worker.postMessage("exit");
      this.worker = null;
    }
  }

  private start(): Worker {
    const worker = new Worker(__filename);
    // The thread must never keep Node-RED or a test process alive, nor take it down.
    worker.unref();
    worker.on("error", () => {
      if (this.worker === worker) this.worker = null;
    });
    return worker;
  }
}

const checkpointer = new Checkpointer();

/**
 * Moves `file`'s checkpoints to the checkpointer thread. Returns a function that gives them back
 * (call it before closing the file), or null when the caller must keep SQLite's automatic
 * checkpoints because no thread could be started.
 */
export function checkpointOffThread(file: string): (() => void) | null {
  return checkpointer.open(file) ? () => checkpointer.close(file) : null;
}

/** The worker thread: a connection per file, a PASSIVE checkpoint of each every INTERVAL_MS. */
function runWorker(port: NonNullable<typeof parentPort>): void {
  const dbs = new Map<string, Database.Database>();
  const checkpoint = (db: Database.Database) => {
    try {
      // PASSIVE never waits for the writer: what it cannot copy now is copied on the next round.
      db.pragma("wal_checkpoint(PASSIVE)");
    } catch {
      // A file removed or locked by another process: tried again on the next round.
    }
  };
  const timer = setInterval(() => {
    for (const db of dbs.values()) checkpoint(db);
  }, INTERVAL_MS);
  port.on("message", (m: Message | "exit") => {
    if (m === "exit") {
      clearInterval(timer);
      port.close();
      return;
    }
    if ("open" in m) {
      try {
        dbs.set(m.open, new Database(m.open, { fileMustExist: true }));
      } catch {
        // Already removed: nothing to checkpoint.
      }
      return;
    }
    const db = dbs.get(m.close);
    dbs.delete(m.close);
    try {
      db?.close();
    } finally {
      Atomics.store(m.released, 0, 1);
      Atomics.notify(m.released, 0);
    }
  });
}

if (!isMainThread && parentPort) runWorker(parentPort);
