import { strict as assert } from "node:assert";
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import type { Simulator } from "../../src/sim";
import { clockSetting, runningClockFrom } from "../support/clock";
import { deployFlows, type NodeRedProcess, startNodeRed } from "../support/node-red-process";
import { startTestSim, USER, until } from "../support/sim";

const ROOT = resolve(__dirname, "..", "..", "..");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

interface EditorRed {
  nodes: { node(id: string): { followers?: unknown; dirty?: boolean } | null };
  editor: { edit(node: unknown): void };
}

/** The copy node's dialog in the real editor: its followers list edited and saved as the runtime reads it. */
describe("e2e: the copy node's dialog", function () {
  this.timeout(90_000);
  let sim: Simulator;
  let red: NodeRedProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    const clock = runningClockFrom();
    sim = await startTestSim({ now: clock.now });
    red = await startNodeRed(
      { TOPSTEPX_SIMULATOR_URL: sim.restUrl, TOPSTEPX_USERNAME: USER.userName, TOPSTEPX_API_KEY: USER.apiKey },
      [],
      clockSetting(clock),
    );
    const flow = JSON.parse(readFileSync(join(ROOT, "examples", "7 Copy a leader account.json"), "utf8"));
    await deployFlows(red.url, flow);
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    page = await browser.newPage({ viewport: { width: 1600, height: 900 } });
  });
  after(async () => {
    await browser?.close();
    await red?.stop();
    await sim?.close();
  });

  it("lists the example's followers, adds one with a fixed size, and saves the list", async () => {
    await page.goto(red.url);
    await page.waitForSelector(".red-ui-palette-node[data-palette-type='topstepx-copy']", { timeout: 30_000 });
    await page.evaluate(() => {
      const RED = (window as unknown as { RED: EditorRed }).RED;
      RED.editor.edit(RED.nodes.node("tsx-copy-node"));
    });
    const rows = page.locator("#node-input-followers-container > li");
    await until(async () => (await rows.count()) === 2, "the two followers listed");
    assert.equal(await rows.nth(0).locator(".node-input-follower-account").inputValue(), "10002");
    assert.equal(await rows.nth(1).locator(".node-input-follower-sizeBy").inputValue(), "fixed");
    await page.locator(".red-ui-editableList-addButton").click();
    const added = rows.nth(2);
    await added.locator(".node-input-follower-account").fill("10004");
    await added.locator(".node-input-follower-sizeBy").selectOption("fixed");
    await added.locator(".node-input-follower-size").fill("2");
    await page.locator("#node-dialog-ok").click();
    const followers = await page.evaluate(
      () => (window as unknown as { RED: EditorRed }).RED.nodes.node("tsx-copy-node")?.followers,
    );
    assert.deepEqual(followers, [
      { account: "10002", sizeBy: "multiplier", size: "1" },
      { account: "10003", sizeBy: "fixed", size: "1" },
      { account: "10004", sizeBy: "fixed", size: "2" },
    ]);
  });
});
