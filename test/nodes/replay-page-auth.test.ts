import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type NodeRedProcess, startNodeRed } from "../support/node-red-process";
import { until } from "../support/sim";

// Node-RED's own dependency, to write the admin user's password hash into the settings.
const bcrypt = require("bcryptjs") as { hashSync(s: string, rounds: number): string };

const EXAMPLE = join(resolve(__dirname, "..", "..", ".."), "examples", "9 Replay a strategy.json");

describe("replay page: refused without the admin's token when adminAuth is on", function () {
  this.timeout(60_000);
  let red: NodeRedProcess;

  before(async () => {
    const sample = (JSON.parse(readFileSync(EXAMPLE, "utf8")) as Array<{ type: string; payload?: string }>).find(
      (n) => n.type === "inject",
    )!.payload!;
    // The example's sample, injected once at start; no connection.
    const flow = [
      { id: "t", type: "tab", label: "replay" },
      {
        id: "go",
        type: "inject",
        z: "t",
        props: [{ p: "payload" }],
        once: true,
        onceDelay: 0.1,
        payload: sample,
        payloadType: "str",
        wires: [["rp"]],
      },
      {
        id: "rp",
        type: "topstepx-replay",
        z: "t",
        profile: "",
        symbol: "MNQ",
        tz: "America/Chicago",
        version: 1,
        wires: [[]],
      },
    ];
    const hash = bcrypt.hashSync("replay-pass", 8);
    red = await startNodeRed(
      {},
      flow,
      `adminAuth: { type: "credentials", users: [{ username: "admin", password: ${JSON.stringify(hash)}, permissions: "*" }] }`,
    );
  });
  after(async () => {
    await red?.stop();
  });

  it("answers 401 without a token and the last report's page with one", async () => {
    const page = `${red.url}/topstepx-replay/rp/report.html`;
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
          password: "replay-pass",
        }),
      })
    ).json()) as { access_token: string };
    const html = await until(
      async () => {
        const r = await fetch(`${page}?access_token=${encodeURIComponent(token.access_token)}`);
        return r.status === 200 ? r.text() : null;
      },
      "the page once the sample has been replayed",
      20_000,
    );
    assert.match(html, /<canvas/);
    assert.match(html, /topstep-combine-50k/);
  });
});
