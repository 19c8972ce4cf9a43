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
  editor: { editConfig(name: string, type: string, id: string): void };
}

/**
 * The "Pre-flight check" button of the configuration dialog in the real editor (Node-RED 4.1 in
 * its own process, Debian's Chromium): it asks the deployed runtime and lists what is unsafe,
 * dangers first, each with its fix.
 */
describe("e2e: the pre-flight check in the configuration dialog", function () {
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
      {
        TOPSTEPX_SIMULATOR_URL: sim.restUrl,
        TOPSTEPX_USERNAME: USER.userName,
        TOPSTEPX_API_KEY: USER.apiKey,
        TOPSTEPX_WEBHOOK_SECRET: "a-long-random-webhook-secret-0123",
      },
      [
        { id: "t1", type: "tab", label: "Live" },
        {
          id: "tsx-config",
          type: "topstepx-config",
          name: "Local simulator",
          environment: "simulator",
          account: "10001",
          version: 1,
        },
        // Two mistakes a trader can make: alerts taken without the secret, and an Express Funded
        // profile on a Combine account.
        {
          id: "alert",
          type: "topstepx-alert",
          z: "t1",
          name: "TradingView",
          server: "tsx-config",
          requireSecret: false,
          version: 1,
          x: 200,
          y: 100,
          wires: [["rules"], []],
        },
        {
          id: "rules",
          type: "topstepx-rules",
          z: "t1",
          name: "guard",
          server: "tsx-config",
          profile: "topstep-xfa-50k",
          version: 1,
          x: 420,
          y: 100,
          wires: [[], [], []],
        },
      ],
      clockSetting(clock),
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1200 } });
    await page.goto(red.url);
    await page.waitForSelector(".red-ui-palette-node[data-palette-type='topstepx-alert']", {
      timeout: 30_000,
    });
    await page.waitForFunction(() => !!(window as unknown as { RED?: EditorRed }).RED?.editor);
  });
  after(async () => {
    await browser?.close();
    await red?.stop();
    await sim?.close();
  });

  it("lists the dangers first, each with its fix, after the button is pressed", async () => {
    await page.evaluate(() =>
      (window as unknown as { RED: EditorRed }).RED.editor.editConfig("", "topstepx-config", "tsx-config"),
    );
    const button = page.locator("#node-config-topstepx-preflight");
    await button.waitFor();
    assert.equal((await button.textContent())?.trim(), "Pre-flight check");
    await button.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "config-preflight-dialog-before.png") });
    await button.click();
    const rows = page.locator("#node-config-topstepx-preflight-result .topstepx-preflight-finding");
    await rows.first().waitFor({ timeout: 20_000 });
    const found = await rows.evaluateAll((els) =>
      els.map((e) => ({
        severity: e.getAttribute("data-severity"),
        code: e.getAttribute("data-code"),
        text: e.textContent,
      })),
    );
    const dangers = found.filter((f) => f.severity === "danger").map((f) => f.code);
    assert.deepEqual(dangers.sort(), ["alertNoSecret", "editorOpen", "profileMismatch"]);
    assert.deepEqual(
      found.slice(0, 3).map((f) => f.severity),
      ["danger", "danger", "danger"],
      "dangers first",
    );
    const alert = found.find((f) => f.code === "alertNoSecret")!;
    assert.match(alert.text ?? "", /Alert node "TradingView" does not require the webhook secret/);
    assert.match(alert.text ?? "", /Fix: Tick "Require the webhook secret"/);
    assert.match(await page.locator("#node-config-topstepx-preflight-result").textContent().then(String), /3 danger/);
    await page.locator("#node-config-topstepx-preflight").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "config-preflight-dialog.png") });
  });
});
