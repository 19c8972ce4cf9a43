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
  nodes: { node(id: string): { profile?: string } | null };
  editor: { edit(node: unknown): void };
}

/** The replay node's dialog in the real editor: the profiles offered, the one chosen saved, the page linked. */
describe("e2e: the replay node's dialog", function () {
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
    await deployFlows(red.url, JSON.parse(readFileSync(join(ROOT, "examples", "9 Replay a strategy.json"), "utf8")));
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

  it("offers all six profiles by default, saves the one chosen, and links the node's report page", async () => {
    await page.goto(red.url);
    await page.waitForSelector(".red-ui-palette-node[data-palette-type='topstepx-replay']", { timeout: 30_000 });
    await page.evaluate(() => {
      const RED = (window as unknown as { RED: EditorRed }).RED;
      RED.editor.edit(RED.nodes.node("tsx-replay-node"));
    });
    const options = page.locator("#node-input-profile option");
    await until(async () => (await options.count()) === 7, "all six profiles and the default");
    assert.equal(await page.locator("#node-input-profile").inputValue(), "");
    assert.equal(await page.locator("#node-input-symbol").inputValue(), "MNQ");
    assert.equal(await page.locator("#node-input-tz").inputValue(), "America/Chicago");
    assert.equal(
      await page.locator("#topstepx-replay-report").getAttribute("href"),
      "topstepx-replay/tsx-replay-node/report.html",
    );
    await page.locator("#node-input-profile").selectOption("topstep-combine-50k");
    await page.locator("#node-dialog-ok").click();
    const profile = await page.evaluate(
      () => (window as unknown as { RED: EditorRed }).RED.nodes.node("tsx-replay-node")?.profile,
    );
    assert.equal(profile, "topstep-combine-50k");
  });
});
