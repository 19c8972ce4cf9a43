import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { helper } from "../support/node-red";
import { startNodeRed } from "../support/node-red-process";
import { nodeRedVersion } from "../support/node-red-select";

// The Node-RED 5 run (scripts/node-red-5.sh) is only worth its name if every part of the suite runs
// on the Node-RED it names: the test helper's runtime and the process the editor tests start.
describe("the Node-RED the tests run on", () => {
  const selected = process.env.TOPSTEPX_NODE_RED;

  it("is the one TOPSTEPX_NODE_RED names, else the project's 4.1", () => {
    if (selected)
      assert.equal(nodeRedVersion, JSON.parse(readFileSync(join(selected, "package.json"), "utf8")).version);
    else assert.match(nodeRedVersion, /^4\.1\./);
  });

  it("drives the test helper's runtime and the editor tests' process", async () => {
    assert.ok(String(helper._RED.version()).startsWith(nodeRedVersion), helper._RED.version());
    const red = await startNodeRed({});
    try {
      const settings = (await (await fetch(`${red.url}/settings`)).json()) as { version: string };
      assert.ok(settings.version.startsWith(nodeRedVersion), settings.version);
    } finally {
      await red.stop();
    }
  });
});
