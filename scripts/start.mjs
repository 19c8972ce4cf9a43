// `npm start`: the local gateway simulator and Node-RED 4.1 with this package and the examples "0 Start
// here" (the configuration and one rules node per account), the webhook, the monitor and the group deployed against it, in a user directory inside the repository (.node-red/, ignored by git).
// No account needed. Switching the configuration node to TopstepX is the only change to go live.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** What `npm start` deploys; the banner suggests importing the Dashboard example on top. */
const STARTING_EXAMPLES = [
  "0 Start here.json",
  "1 TradingView webhook to order.json",
  "2 P&L monitor and flatten.json",
  "5 One alert, several accounts.json",
];
const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const require = createRequire(import.meta.url);
const userDir = join(root, ".node-red");
const editorPort = Number(process.env.PORT ?? 1880);
const simPort = 5880;

function secretFile(name) {
  const file = join(userDir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(18).toString("base64url"), { mode: 0o600 });
  return readFileSync(file, "utf8").trim();
}

mkdirSync(userDir, { recursive: true });
let dashboardDir = null;
try {
  dashboardDir = dirname(require.resolve("@flowfuse/node-red-dashboard/package.json"));
} catch {
  // Installed without dev dependencies: the dashboard example then needs Manage palette → Install.
}
const credentialSecret = secretFile(".credential-secret");
const webhookSecret = process.env.TOPSTEPX_WEBHOOK_SECRET ?? secretFile(".webhook-secret");
writeFileSync(
  join(userDir, "settings.js"),
  `// Written by npm start; edit scripts/start.mjs instead.
module.exports = {
  uiHost: "127.0.0.1",
  uiPort: ${editorPort},
  flowFile: "flows.json",
  credentialSecret: ${JSON.stringify(credentialSecret)},
  // This package, and FlowFuse Dashboard 2 for the dashboard example.
  nodesDir: ${JSON.stringify([root, dashboardDir].filter(Boolean))},
  editorTheme: { tours: false, projects: { enabled: false } },
  telemetry: { enabled: false, updateNotification: false },
  logging: { console: { level: "info" } },
};
`,
);
const flows = join(userDir, "flows.json");
if (!existsSync(flows)) writeFileSync(flows, JSON.stringify(startingFlows(), null, 2));

/**
 * The example files as the editor's import would merge them: each once, and a node they share (the
 * configuration node) once. Other examples imported later reach the same rules nodes.
 */
function startingFlows() {
  const seen = new Set();
  return STARTING_EXAMPLES.flatMap((file) => JSON.parse(readFileSync(join(root, "examples", file), "utf8"))).filter(
    (n) => !seen.has(n.id) && seen.add(n.id),
  );
}

const { startSimulator } = require(join(root, "dist", "src", "sim"));
const { practiceStart } = require(join(root, "dist", "src", "core", "rules", "practice-session"));
const { rulesFor } = require(join(root, "dist", "src", "core", "rules", "rules-config"));
// Outside the trading window the simulator's clock starts at the latest session's 09:30 CT, so the
// sample alert can be tried at any hour; the nodes follow the simulator's clock.
// TOPSTEPX_PRACTICE=0 keeps real time.
const practice =
  process.env.TOPSTEPX_PRACTICE === "0" ? null : practiceStart(rulesFor("topstep-combine-50k"), Date.now());
const sim = await startSimulator({
  port: simPort,
  host: "127.0.0.1",
  ...(practice === null ? {} : { clock: { start: practice } }),
}).catch((e) => {
  process.stderr.write(
    e.code === "EADDRINUSE"
      ? `Port ${simPort} is taken: is another \`npm start\` (or topstepx-sim) running? Stop it first.\n`
      : `The simulator did not start: ${e.message}\n`,
  );
  process.exit(1);
});
const user = sim.config.users[0];

const env = {
  ...process.env,
  // The example configuration has no credentials: on the simulator these fill them in.
  TOPSTEPX_USERNAME: process.env.TOPSTEPX_USERNAME ?? user.userName,
  TOPSTEPX_API_KEY: process.env.TOPSTEPX_API_KEY ?? user.apiKey,
  TOPSTEPX_WEBHOOK_SECRET: webhookSecret,
};
const red = spawn(
  process.execPath,
  [require.resolve("node-red/red.js"), "-u", userDir, "-s", join(userDir, "settings.js")],
  { env, stdio: ["ignore", "pipe", "inherit"] },
);

let announced = false;
red.stdout.on("data", (chunk) => {
  process.stdout.write(chunk);
  if (!announced && /Started flows/.test(chunk.toString())) {
    announced = true;
    // The sample alert is printed once the rules node can judge it: its account read through REST
    // and both hubs connected (before that it would rightly answer 422 stateUnknown).
    void accountSynced().then(announce);
  }
});

function accountSynced() {
  const deadline = Date.now() + 15_000;
  const synced = () =>
    (sim.requestCounts["Trade/search"]?.succeeded ?? 0) > 0 &&
    sim.userHub.server.connections.size > 0 &&
    sim.marketHub.server.connections.size > 0;
  return new Promise((resolve) => {
    const poll = () => {
      if (synced() || Date.now() > deadline) setTimeout(resolve, 500);
      else setTimeout(poll, 100);
    };
    poll();
  });
}

function announce() {
  const editor = `http://127.0.0.1:${editorPort}`;
  const alert = JSON.stringify({
    secret: webhookSecret,
    // An id of this run: the journal in .node-red/ remembers alerts across runs, and the practice
    // session starts at the same instant each time, so the same body would be refused as a duplicate.
    id: `sample-${Date.now().toString(36)}`,
    symbol: "MNQ1!",
    side: "buy",
    quantity: 1,
    stopLoss: 40,
    takeProfit: 80,
  });
  const groupAlert = alert.replace('"id":"sample-', '"id":"group-');
  const session =
    practice === null
      ? ""
      : `\n  │   Market        closed now; practice session from ${chicagoLabel(practice)} CT (the simulator's clock)`;
  process.stdout.write(`
┌──────────────────────────────────────────────────────────────────────────
│ TopstepX for Node-RED, on the local simulator (no real orders)${session}
│   Editor        ${editor}
│   Webhook URL   ${editor}/topstepx/alert
│   Group webhook ${editor}/topstepx/group  (one alert → accounts 10001, 10003 and 10004, each by its own rules)
│   Dashboard     ${editor}/dashboard/topstepx  (after Import ▸ Examples ▸ 3 Dashboard, Import copy, Deploy)
│   Simulator     ${sim.restUrl}  (state: ${sim.restUrl}/sim/state)
│   Send an alert:
│     curl -X POST ${editor}/topstepx/alert -H 'content-type: application/json' \\
│       -d '${alert}'
│   The same alert to the group (the answer lists every account):
│     curl -X POST ${editor}/topstepx/group -H 'content-type: application/json' \\
│       -d '${groupAlert}'
│   Move the market:
│     curl -X POST ${sim.restUrl}/sim/price -H 'content-type: application/json' -d '{"contractId":"MNQ","price":21000}'
└──────────────────────────────────────────────────────────────────────────
`);
}

/** "Wed 25 Nov 09:30" in Chicago. */
function chicagoLabel(ms) {
  const p = Object.fromEntries(
    new Intl.DateTimeFormat("en-GB", {
      timeZone: "America/Chicago",
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    })
      .formatToParts(new Date(ms))
      .map((x) => [x.type, x.value]),
  );
  return `${p.weekday} ${p.day} ${p.month} ${p.hour}:${p.minute}`;
}

const stop = () => {
  red.kill("SIGINT");
  red.once("exit", () => sim.close().then(() => process.exit(0)));
  setTimeout(() => process.exit(0), 5000).unref();
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
red.on("exit", (code) => {
  if (code) process.stderr.write(`Node-RED exited with code ${code}\n`);
  sim.close().then(() => process.exit(code ?? 0));
});
