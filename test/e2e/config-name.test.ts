import { strict as assert } from "node:assert";
import { mkdirSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import type { Simulator } from "../../src/sim";
import { clockSetting, runningClockFrom } from "../support/clock";
import { type NodeRedProcess, startNodeRed } from "../support/node-red-process";
import { startTestSim, USER } from "../support/sim";

const ARTIFACTS = resolve(__dirname, "..", "..", "..", "test-artifacts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

interface EditorNode {
  name?: string;
  environment?: string;
}

/** What the page's RED offers these tests. */
interface EditorRed {
  nodes: { node(id: string): EditorNode | null };
  editor: { editConfig(name: string, type: string, id: string): void };
  utils: { getNodeLabel(node: EditorNode): string };
}

/**
 * The configuration node's name follows its environment in the real editor (Node-RED 4.1 in its own
 * process, Debian's Chromium): an example's "Local simulator" does not stay after switching to TopstepX.
 */
describe("e2e: the configuration node's name follows its environment", function () {
  this.timeout(90_000);
  let sim: Simulator;
  let red: NodeRedProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const clock = runningClockFrom();
    sim = await startTestSim({ now: clock.now });
    const config = (id: string, name: string, environment: string) => ({
      id,
      type: "topstepx-config",
      name,
      environment,
      account: "10001",
      version: 1,
    });
    red = await startNodeRed(
      { TOPSTEPX_SIMULATOR_URL: sim.restUrl, TOPSTEPX_USERNAME: USER.userName, TOPSTEPX_API_KEY: USER.apiKey },
      [
        { id: "t1", type: "tab", label: "Config" },
        config("sim-cfg", "Local simulator", "simulator"),
        // Switched to TopstepX before this fix, its example name left as it was.
        config("stale-cfg", "Local simulator", "topstepx"),
        config("own-cfg", "My combine", "simulator"),
        {
          id: "o1",
          type: "topstepx-order",
          z: "t1",
          name: "example's order",
          action: "place",
          server: "sim-cfg",
          x: 200,
          y: 100,
          wires: [[], []],
        },
        {
          id: "o2",
          type: "topstepx-order",
          z: "t1",
          name: "my order",
          action: "place",
          server: "own-cfg",
          x: 200,
          y: 200,
          wires: [[], []],
        },
      ],
      clockSetting(clock),
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(red.url);
    await page.waitForSelector(".red-ui-palette-node[data-palette-type='topstepx-order']", { timeout: 30_000 });
  });
  after(async () => {
    await browser?.close();
    await red?.stop();
    await sim?.close();
  });

  const editConfig = async (id: string) => {
    await page.evaluate((configId) => {
      (window as unknown as { RED: EditorRed }).RED.editor.editConfig("", "topstepx-config", configId);
    }, id);
    await page.waitForSelector("#node-config-input-environment", { state: "visible" });
  };
  const done = async () => {
    await page.click("#node-config-dialog-ok");
    await page.waitForSelector("#node-config-dialog-ok", { state: "detached" });
  };
  const saved = (id: string) =>
    page.evaluate((configId) => {
      const RED = (window as unknown as { RED: EditorRed }).RED;
      const n = RED.nodes.node(configId)!;
      return { name: n.name, environment: n.environment, label: RED.utils.getNodeLabel(n) };
    }, id);

  it("shows the runtime's statuses from the message catalogue", async () => {
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll(".red-ui-flow-node-status-label")].filter((e) => e.textContent === "connected")
          .length === 2,
      undefined,
      { timeout: 30_000 },
    );
  });

  it("renames an example's simulator configuration to TopstepX when its environment changes", async () => {
    await editConfig("sim-cfg");
    assert.equal(await page.inputValue("#node-config-input-name"), "Local simulator");
    await page.screenshot({ path: join(ARTIFACTS, "config-name-before.png") });
    await page.selectOption("#node-config-input-environment", "topstepx");
    assert.equal(await page.inputValue("#node-config-input-name"), "TopstepX");
    await page.screenshot({ path: join(ARTIFACTS, "config-name-after.png") });
    await done();
    assert.deepEqual(await saved("sim-cfg"), { name: "TopstepX", environment: "topstepx", label: "TopstepX" });
  });

  it("keeps a name the trader gave, whatever the environment", async () => {
    await editConfig("own-cfg");
    await page.selectOption("#node-config-input-environment", "topstepx");
    assert.equal(await page.inputValue("#node-config-input-name"), "My combine");
    await done();
    assert.equal((await saved("own-cfg")).name, "My combine");
  });

  it("labels a configuration whose name is another environment's default by its environment", async () => {
    assert.equal((await saved("stale-cfg")).label, "TopstepX · 10001");
  });
});
