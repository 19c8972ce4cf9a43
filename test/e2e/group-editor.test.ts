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
  nodes: { node(id: string): { members: unknown; valid?: boolean } | null };
  editor: { edit(node: unknown): void };
}

const MEMBERS = [
  { account: "10001", size: { kind: "fixed", quantity: 1 }, label: "combine" },
  { account: "50KXFA-V2-SIM-10003", size: { kind: "multiplier", factor: 0.5 }, label: "" },
];

/**
 * The group node's dialog in the real editor (Node-RED 4.1 in its own process, Debian's Chromium):
 * its account list shows the saved members, and what the trader types is what the node is saved with.
 */
describe("e2e: the group node's dialog", function () {
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
        { id: "t1", type: "tab", label: "Group" },
        {
          id: "tsx-config",
          type: "topstepx-config",
          name: "Local simulator",
          environment: "simulator",
          account: "10001",
          version: 1,
        },
        {
          id: "grp",
          type: "topstepx-group",
          z: "t1",
          name: "pair",
          server: "tsx-config",
          members: MEMBERS,
          version: 1,
          x: 300,
          y: 100,
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
    await page.waitForSelector(".red-ui-palette-node[data-palette-type='topstepx-group']", { timeout: 30_000 });
  });
  after(async () => {
    await browser?.close();
    await red?.stop();
    await sim?.close();
  });

  const edit = () =>
    page.evaluate(() => {
      const RED = (window as unknown as { RED: EditorRed }).RED;
      RED.editor.edit(RED.nodes.node("grp"));
    });
  /** Closes the tray with Done, once it has finished closing. */
  const done = async () => {
    await page.click("#node-dialog-ok");
    await page.waitForSelector("#node-dialog-ok", { state: "detached" });
  };
  const rows = () => page.locator("#node-input-members-container > li");

  it("shows each saved member as a row, and saves a changed size rule and a new row", async () => {
    await edit();
    await rows().first().waitFor();
    assert.equal(await rows().count(), 2);
    const second = rows().nth(1);
    assert.equal(await second.locator(".node-input-member-account").inputValue(), "50KXFA-V2-SIM-10003");
    assert.equal(await second.locator(".node-input-member-kind").inputValue(), "multiplier");
    assert.equal(await second.locator(".node-input-member-a").inputValue(), "0.5");
    assert.equal(await second.locator(".node-input-member-b").isVisible(), false, "max contracts only for a risk rule");
    // The second account now risks $150 a trade, at most 2 contracts; a third account joins with 1 fixed.
    await second.locator(".node-input-member-kind").selectOption("risk");
    assert.equal(await second.locator(".node-input-member-b").isVisible(), true);
    await second.locator(".node-input-member-a").fill("150");
    await second.locator(".node-input-member-b").fill("2");
    await page.click(".red-ui-editableList-addButton");
    const third = rows().nth(2);
    await third.locator(".node-input-member-account").fill("10004");
    await third.locator(".node-input-member-a").fill("1");
    await page.screenshot({ path: join(ARTIFACTS, "group-dialog.png") });
    await done();
    const saved = await page.evaluate(() => (window as unknown as { RED: EditorRed }).RED.nodes.node("grp")?.members);
    assert.deepEqual(saved, [
      { account: "10001", size: { kind: "fixed", quantity: 1 }, label: "combine" },
      { account: "50KXFA-V2-SIM-10003", size: { kind: "risk", dollars: 150, maxContracts: 2 }, label: "" },
      { account: "10004", size: { kind: "fixed", quantity: 1 }, label: "" },
    ]);
  });

  it("marks the node invalid while a row lacks its number", async () => {
    await edit();
    await rows().first().waitFor();
    await rows().first().locator(".node-input-member-a").fill("");
    await done();
    const valid = await page.evaluate(() => (window as unknown as { RED: EditorRed }).RED.nodes.node("grp")?.valid);
    assert.equal(valid, false);
  });
});
