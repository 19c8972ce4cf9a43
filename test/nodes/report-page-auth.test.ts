import { strict as assert } from "node:assert";
import { exampleWebhookFlow } from "../../bench/flows";
import type { Simulator } from "../../src/sim";
import { clockSetting, runningClockFrom } from "../support/clock";
import { type NodeRedProcess, startNodeRed } from "../support/node-red-process";
import { setPrice, startTestSim, USER, until } from "../support/sim";

// Node-RED's own dependency, to write the admin user's password hash into the settings.
const bcrypt = require("bcryptjs") as { hashSync(s: string, rounds: number): string };

describe("report page: refused without the admin's token when adminAuth is on", function () {
  this.timeout(60_000);
  const clock = runningClockFrom();
  let sim: Simulator;
  let red: NodeRedProcess;
  let rulesId: string;

  before(async () => {
    sim = await startTestSim({ now: clock.now });
    await setPrice(sim, "MNQ", 21000);
    const flow = exampleWebhookFlow();
    rulesId = String(flow.find((n) => n.type === "topstepx-rules")!.id);
    const hash = bcrypt.hashSync("report-pass", 8);
    red = await startNodeRed(
      { TOPSTEPX_SIMULATOR_URL: sim.restUrl, TOPSTEPX_USERNAME: USER.userName, TOPSTEPX_API_KEY: USER.apiKey },
      flow,
      `${clockSetting(clock)}, adminAuth: { type: "credentials", users: [{ username: "admin", password: ${JSON.stringify(hash)}, permissions: "*" }] }`,
    );
  });
  after(async () => {
    await red?.stop();
    await sim?.close();
  });

  it("answers 401 without a token, the page with a bearer token or ?access_token=, and Chart.js to anyone", async () => {
    const page = `${red.url}/topstepx-rules/${rulesId}/report.html`;
    assert.equal((await fetch(page)).status, 401);
    const token = (await (
      await fetch(`${red.url}/auth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          client_id: "node-red-admin",
          grant_type: "password",
          scope: "*",
          username: "admin",
          password: "report-pass",
        }),
      })
    ).json()) as { access_token: string };
    assert.ok(token.access_token, "a token for the admin");
    const withHeader = await until(
      async () => {
        const r = await fetch(page, { headers: { authorization: `Bearer ${token.access_token}` } });
        return r.status === 200 ? r.text() : null;
      },
      "the page once the rules node guards its account",
      20_000,
    );
    assert.match(withHeader, /<canvas id="chart">/);
    assert.equal((await fetch(`${page}?access_token=${encodeURIComponent(token.access_token)}`)).status, 200);
    const chart = await fetch(`${red.url}/topstepx-rules/chart.js`);
    assert.equal(chart.status, 200);
  });
});
