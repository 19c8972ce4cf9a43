import "./node-red-select";
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { clockSetting } from "./clock";

export interface NodeRedProcess {
  url: string;
  userDir: string;
  child: ChildProcess;
  log: string[];
  /** Stops Node-RED; `keep` leaves the user directory for a restart. */
  stop(keep?: boolean): Promise<void>;
}

/**
 * Node-RED (4.1, or 5 by ./node-red-select) as a real process with this package loaded through nodesDir, in a throwaway user
 * directory: what a trader runs, not the test helper's runtime. Our nodes' clock is pinned to a
 * session (test/support/clock.ts) unless `extraSettings` sets `topstepxConfigClock` itself.
 */
export async function startNodeRed(
  env: Record<string, string>,
  flows: unknown[] = [],
  extraSettings = "",
  keepUserDir?: string,
): Promise<NodeRedProcess> {
  const settings = /topstepxConfigClock/.test(extraSettings) ? extraSettings : `${clockSetting()}, ${extraSettings}`;
  const root = resolve(__dirname, "..", "..", "..");
  const userDir = keepUserDir ?? mkdtempSync(join(tmpdir(), "topstepx-nr-"));
  if (!keepUserDir) writeFileSync(join(userDir, "flows.json"), JSON.stringify(flows));
  // Port 0: the OS picks a free port as Node-RED binds, and Node-RED logs the one it got.
  writeFileSync(
    join(userDir, "settings.js"),
    `module.exports = {
    uiHost: "127.0.0.1", uiPort: 0, flowFile: "flows.json", credentialSecret: "e2e",
    nodesDir: ${JSON.stringify([root, dirname(require.resolve("@flowfuse/node-red-dashboard/package.json"))])}, editorTheme: { tours: false, projects: { enabled: false } },
    telemetry: { enabled: false, updateNotification: false }, logging: { console: { level: "info" } }, ${settings} };`,
  );
  const child = spawn(
    process.execPath,
    [require.resolve("node-red/red.js"), "-u", userDir, "-s", join(userDir, "settings.js")],
    {
      env: { ...process.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  const log: string[] = [];
  let url: string;
  try {
    url = await new Promise<string>((res, rej) => {
      // A limit on a start that hangs, not a wait: a normal start resolves on the log lines below.
      const timer = setTimeout(() => rej(new Error(`Node-RED did not start:\n${log.join("")}`)), 30_000);
      let listening: string | null = null;
      let started = false;
      const onData = (d: Buffer) => {
        log.push(d.toString());
        const text = log.join("");
        listening ??= /Server now running at (http:\/\/127\.0\.0\.1:\d+)\//.exec(text)?.[1] ?? null;
        started ||= /Started flows/.test(text);
        if (listening && started) {
          clearTimeout(timer);
          res(listening);
        }
      };
      child.stdout!.on("data", onData);
      child.stderr!.on("data", (d: Buffer) => log.push(d.toString()));
      child.on("exit", (code) => {
        clearTimeout(timer);
        rej(new Error(`Node-RED exited (${code}):\n${log.join("")}`));
      });
    });
  } catch (e) {
    child.kill("SIGKILL");
    if (!keepUserDir) rmSync(userDir, { recursive: true, force: true });
    throw e;
  }
  return {
    url,
    userDir,
    child,
    log,
    async stop(keep = false) {
      child.kill("SIGINT");
      await new Promise((r) => {
        child.once("exit", r);
        setTimeout(() => {
          child.kill("SIGKILL");
          r(null);
        }, 8000).unref();
      });
      if (!keep) rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/** Replaces every flow through the admin API (what Deploy ▸ Full does). */
export async function deployFlows(url: string, flows: unknown[]): Promise<void> {
  const r = await fetch(`${url}/flows`, {
    method: "POST",
    headers: { "content-type": "application/json", "Node-RED-API-Version": "v2", "Node-RED-Deployment-Type": "full" },
    body: JSON.stringify({ flows }),
  });
  if (!r.ok) throw new Error(`deploy failed: ${r.status} ${await r.text()}`);
}
