import { strict as assert } from "node:assert";
import { execFile } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import type { Simulator } from "../../src/sim";
import { clockSetting, runningClockFrom } from "../support/clock";
import { type NodeRedProcess, startNodeRed } from "../support/node-red-process";
import { startTestSim, USER } from "../support/sim";

// Node-RED's own dependency, to write the admin user's password hash into the settings.
const bcrypt = require("bcryptjs") as { hashSync(s: string, rounds: number): string };

const CLI = join(resolve(__dirname, "..", "..", ".."), "dist", "src", "preflight", "cli.js");

/** Runs `topstepx-preflight` as a trader would (without blocking: the simulator runs in this process). */
function preflightCli(...args: string[]): Promise<{ status: number; out: string; err: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [CLI, ...args], { encoding: "utf8", timeout: 30_000 }, (e, out, err) =>
      res({ status: e ? Number((e as { code?: number }).code ?? 1) : 0, out, err }),
    );
  });
}

/** The webhook flow on the simulator: alert → rules (the account's own profile), secret from the environment. */
const FLOWS = [
  { id: "t1", type: "tab", label: "Live" },
  {
    id: "cfg",
    type: "topstepx-config",
    name: "Local simulator",
    environment: "simulator",
    account: "10001",
    version: 1,
  },
  {
    id: "alert",
    type: "topstepx-alert",
    z: "t1",
    name: "TradingView",
    server: "cfg",
    requireSecret: true,
    version: 1,
    wires: [["rules"], []],
  },
  {
    id: "rules",
    type: "topstepx-rules",
    z: "t1",
    name: "guard",
    server: "cfg",
    profile: "topstep-combine-50k",
    version: 1,
    wires: [[], [], []],
  },
];

function env(sim: Simulator): Record<string, string> {
  return {
    TOPSTEPX_SIMULATOR_URL: sim.restUrl,
    TOPSTEPX_USERNAME: USER.userName,
    TOPSTEPX_API_KEY: USER.apiKey,
    TOPSTEPX_WEBHOOK_SECRET: "a-long-random-webhook-secret-0123",
  };
}

/** `npx topstepx-preflight` against a real Node-RED process: from outside, then logged in. */
describe("topstepx-preflight (the command line) against a running Node-RED", function () {
  this.timeout(90_000);
  const clock = runningClockFrom();
  let sim: Simulator;

  before(async () => {
    sim = await startTestSim({ now: clock.now });
  });
  after(() => sim?.close());

  describe("without adminAuth", () => {
    let red: NodeRedProcess;
    before(async () => {
      red = await startNodeRed(env(sim), FLOWS, clockSetting(clock));
    });
    after(() => red?.stop());

    it("says the editor answers without a login, as a danger, and exits 1", async () => {
      const r = await preflightCli("--url", red.url);
      assert.equal(r.status, 1, r.out + r.err);
      assert.match(r.out, /DANGER {2}The Node-RED editor and its admin API answer without a login/);
      assert.match(r.out, /Fix: Set adminAuth in settings\.js/);
      assert.match(r.out, /TopstepX configuration "Local simulator" \(cfg\)/);
      assert.match(r.out, /Rules node "guard": profile topstep-combine-50k fits account 50KTC-V2-SIM-10001\./);
      assert.match(r.out, /Result: 1 danger/);
    });

    it("gives the findings as JSON", async () => {
      const r = await preflightCli("--url", red.url, "--json");
      assert.equal(r.status, 1);
      const report = JSON.parse(r.out) as {
        counts: { danger: number };
        sections: Array<{ id: string; findings: Array<{ code: string }> }>;
      };
      assert.equal(report.counts.danger, 1);
      assert.deepEqual(
        report.sections.map((s) => s.id),
        ["node-red", "cfg"],
      );
      assert.ok(report.sections[1]!.findings.some((f) => f.code === "webhookSecret"));
    });
  });

  describe("with adminAuth", () => {
    let red: NodeRedProcess;
    before(async () => {
      const hash = bcrypt.hashSync("preflight-pass", 8);
      red = await startNodeRed(
        env(sim),
        FLOWS,
        `${clockSetting(clock)}, adminAuth: { type: "credentials", users: [{ username: "admin", password: ${JSON.stringify(hash)}, permissions: "*" }] }`,
      );
    });
    after(() => red?.stop());

    it("finds the editor closed from outside and, logged in, no danger: exits 0", async () => {
      const r = await preflightCli("--url", red.url, "--user", "admin", "--password", "preflight-pass");
      assert.equal(r.status, 0, r.out + r.err);
      assert.match(r.out, /ok {6}The editor asks for a login \(adminAuth\)\./);
      assert.match(r.out, /ok {6}1 alert node\(s\) require the webhook secret, and one is set\./);
      assert.match(r.out, /Result: 0 danger/);
    });

    it("asks for the login it needs, and says when it is refused (exit 2)", async () => {
      const none = await preflightCli("--url", red.url);
      assert.equal(none.status, 2);
      assert.match(none.err, /asks for a login: run again with --user and --password/);
      const wrong = await preflightCli("--url", red.url, "--user", "admin", "--password", "nope");
      assert.equal(wrong.status, 2);
      assert.match(wrong.err, /Logging in to Node-RED at .* failed/);
    });
  });

  it("says when Node-RED cannot be reached (exit 2)", async () => {
    // A port that was just free: nothing listens there.
    const server = createServer();
    await new Promise<void>((res) => server.listen(0, "127.0.0.1", res));
    const { port } = server.address() as AddressInfo;
    await new Promise((res) => server.close(res));
    const r = await preflightCli("--url", `http://127.0.0.1:${port}`);
    assert.equal(r.status, 2);
    assert.match(r.err, new RegExp(`Could not reach Node-RED at http://127\\.0\\.0\\.1:${port}: .*ECONNREFUSED`));
  });
});
