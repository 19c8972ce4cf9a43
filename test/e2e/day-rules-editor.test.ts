import { strict as assert } from "node:assert";
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import type { Simulator } from "../../src/sim";
import { clockSetting, runningClockFrom } from "../support/clock";
import { deployFlows, type NodeRedProcess, startNodeRed } from "../support/node-red-process";
import { startTestSim, USER } from "../support/sim";

const ROOT = resolve(__dirname, "..", "..", "..");
const ARTIFACTS = join(ROOT, "test-artifacts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
/** The rules node of "0 Start here", which the monitor example reaches. */
const RULES = "tsx-start-rules";

interface EditorRed {
  nodes: { node(id: string): Record<string, unknown> | null };
  editor: { edit(node: unknown): void };
}

/** The rules dialog's profit lock, consistency and cooldown fields, in the real editor. */
describe("e2e: the rules dialog's profit lock, consistency and cooldown", function () {
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
      [],
      clockSetting(clock),
    );
    const flow = ["0 Start here.json", "2 P&L monitor and flatten.json"].flatMap((f) =>
      JSON.parse(readFileSync(join(ROOT, "examples", f), "utf8")),
    );
    // Both files carry the configuration node: deployed once, as the editor's import keeps it.
    await deployFlows(
      red.url,
      flow.filter((n: { id: string }, i: number) => flow.findIndex((m: { id: string }) => m.id === n.id) === i),
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    page = await browser.newPage({ viewport: { width: 1600, height: 1200 } });
  });
  after(async () => {
    await browser?.close();
    await red?.stop();
    await sim?.close();
  });

  it("labels the fields, and saves what the trader typed as the node's properties", async () => {
    await page.goto(red.url);
    await page.waitForSelector(".red-ui-palette-node[data-palette-type='topstepx-rules']", { timeout: 30_000 });
    await page.evaluate((id) => {
      const RED = (window as unknown as { RED: EditorRed }).RED;
      RED.editor.edit(RED.nodes.node(id));
    }, RULES);
    await page.waitForSelector("#node-input-profitStopAt", { state: "visible" });
    const tray = page.locator(".red-ui-tray-body");
    for (const label of [
      "Profit lock, consistency, cooldown",
      "Stop entries at day P&L",
      "Lock % of day's peak",
      "Best day at most",
      "Cooldown, minutes",
      "losing trades in a row",
    ])
      assert.ok(await tray.getByText(label, { exact: false }).first().isVisible(), label);
    await page.locator("#node-input-profitStopAt").fill("$1,000");
    await page.locator("#node-input-profitLockPercent").fill("50");
    await page.locator("#node-input-profitLockFrom").fill("500");
    await page.locator("#node-input-consistencyRefuse").check();
    await page.locator("#node-input-cooldownMinutes").fill("20");
    await page.locator("#node-input-cooldownLosses").fill("3");
    await page.locator("#node-input-cooldownLossAmount").fill("500");
    await page.locator("#node-input-cooldownWithinMinutes").fill("30");
    await page.locator("#node-input-cooldownMinutes").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "rules-dialog-day-rules.png") });
    await page.locator("#node-dialog-ok").click();
    const node = await page.evaluate((id) => (window as unknown as { RED: EditorRed }).RED.nodes.node(id), RULES);
    assert.deepEqual(
      [
        node?.profitStopAt,
        node?.profitLockPercent,
        node?.profitLockFrom,
        node?.consistencyPercent,
        node?.consistencyRefuse,
        node?.cooldownMinutes,
        node?.cooldownLosses,
        node?.cooldownLossAmount,
        node?.cooldownWithinMinutes,
      ],
      ["$1,000", "50", "500", "", true, "20", "3", "500", "30"],
    );
  });
});
