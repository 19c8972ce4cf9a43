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

/** What the page's RED offers these tests. */
interface EditorRed {
  nodes: {
    node(id: string): { timeZone?: string; valid?: boolean } | null;
    getType(type: string): { defaults: Record<string, { validate(this: unknown, v: string, opt: object): unknown }> };
  };
  editor: { editConfig(name: string, type: string, id: string): void };
}

/**
 * The configuration node's Time zone field in the real editor (Node-RED 4.1 in its own process,
 * Debian's Chromium): a name the browser does not know is marked with the reason, a known one saved.
 */
describe("e2e: the configuration dialog's time zone", function () {
  this.timeout(90_000);
  let sim: Simulator;
  let red: NodeRedProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    const clock = runningClockFrom();
    sim = await startTestSim({ now: clock.now });
    red = await startNodeRed(
      { TOPSTEPX_SIMULATOR_URL: sim.restUrl, TOPSTEPX_USERNAME: USER.userName, TOPSTEPX_API_KEY: USER.apiKey },
      [
        { id: "t1", type: "tab", label: "Times" },
        { id: "tsx-config", type: "topstepx-config", name: "", environment: "simulator", account: "10001", version: 1 },
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

  it("marks an unknown zone with the reason, and saves a known one", async () => {
    await page.evaluate(() =>
      (window as unknown as { RED: EditorRed }).RED.editor.editConfig("", "topstepx-config", "tsx-config"),
    );
    const field = page.locator("#node-config-input-timeZone");
    await field.waitFor();
    assert.equal(await field.getAttribute("placeholder"), "America/Chicago (times shown in the journal and reports)");
    // Node-RED validates on keyup and change: a key typed, as a trader would.
    await field.fill("America/Chica");
    await field.press("g");
    await page.waitForSelector("#node-config-input-timeZone.input-error");
    // The reason the editor gives for the red field (its tooltip shows the same text on hover).
    const reason = await page.evaluate(() => {
      const RED = (window as unknown as { RED: EditorRed }).RED;
      const check = RED.nodes.getType("topstepx-config").defaults.timeZone.validate;
      return check.call(RED.nodes.node("tsx-config"), "America/Chicag", {});
    });
    assert.equal(
      reason,
      '"America/Chicag" is not a time zone: use an IANA name such as America/Chicago or America/New_York',
    );
    // The tooltip in the picture, when the pointer's entry shows it in time (a picture, not a check).
    await page.mouse.move(0, 0);
    await field.hover();
    await page
      .locator(".red-ui-popover")
      .filter({ hasText: "is not a time zone" })
      .waitFor({ timeout: 5000 })
      .catch(() => undefined);
    await page.screenshot({ path: join(ARTIFACTS, "config-dialog-time-zone.png") });
    await field.fill("America/New_Yor");
    await field.press("k");
    await page.waitForSelector("#node-config-input-timeZone:not(.input-error)");
    await page.click("#node-config-dialog-ok");
    await page.waitForSelector("#node-config-dialog-ok", { state: "detached" });
    const saved = await page.evaluate(
      () => (window as unknown as { RED: EditorRed }).RED.nodes.node("tsx-config")?.timeZone,
    );
    assert.equal(saved, "America/New_York");
  });
});
