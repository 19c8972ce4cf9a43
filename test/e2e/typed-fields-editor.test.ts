import { strict as assert } from "node:assert";
import { mkdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Locator, type Page } from "playwright-core";
import type { Simulator } from "../../src/sim";
import { clockSetting, runningClockFrom } from "../support/clock";
import { type NodeRedProcess, startNodeRed } from "../support/node-red-process";
import { restClient, startTestSim, USER, until } from "../support/sim";

const ROOT = resolve(__dirname, "..", "..", "..");
const ARTIFACTS = join(ROOT, "test-artifacts");
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const ORDER = "e2e-typed-order";
/** Node-RED's whole-value environment reference, as a trader types it into a number field. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: Node-RED's syntax, not a template
const ENV_REF = "${TSX_E2E_QTY}";
const RULES = "e2e-typed-rules";

/** The editor's global, in the parts these tests call in `page.evaluate`. */
interface EditorRed {
  nodes: { node(id: string): Record<string, unknown> | null };
  editor: { edit(node: unknown): void };
}
type JQueryish = (sel: string) => { typedInput(method: string, arg?: string): string };

/** The rules node of a shipped example, saved before typed limits (version 1, plain values). */
function exampleRules(): Record<string, unknown> {
  const flow = JSON.parse(readFileSync(join(ROOT, "examples", "0 Start here.json"), "utf8")) as Array<
    Record<string, unknown>
  >;
  const shipped = flow.find((n) => n.type === "topstepx-rules")!;
  // As the examples saved it before typed limits: version 1, no sources, no guard-stop or hedge flags.
  const rules: Record<string, unknown> = { ...shipped, version: 1 };
  for (const key of Object.keys(rules)) {
    if (/Type$/.test(key) || key === "guardStops" || key === "refuseCrossAccountHedge") delete rules[key];
  }
  return { ...rules, id: RULES, z: "e2e-tab", maxContracts: "", x: 330, y: 180, wires: [[], [], []] };
}

/**
 * A flow as a trader saved it before the dialogs had typed fields (version 1, plain values): the
 * dialogs must open it with the plain values as numbers and text.
 */
const FLOWS = () => [
  { id: "e2e-tab", type: "tab", label: "Typed fields" },
  {
    id: "tsx-config",
    type: "topstepx-config",
    name: "Local simulator",
    environment: "simulator",
    account: "10001",
    version: 1,
  },
  {
    id: "e2e-inject",
    type: "inject",
    z: "e2e-tab",
    name: "go",
    props: [{ p: "payload" }],
    repeat: "",
    crontab: "",
    once: false,
    onceDelay: 0.1,
    topic: "",
    payload: "",
    payloadType: "date",
    x: 120,
    y: 80,
    wires: [[ORDER]],
  },
  {
    id: ORDER,
    type: "topstepx-order",
    z: "e2e-tab",
    name: "",
    server: "tsx-config",
    action: "place",
    account: "",
    symbol: "MNQ1!",
    side: "buy",
    orderType: "market",
    quantity: "1",
    limitPrice: "",
    stopPrice: "",
    trailTicks: "",
    stopLossTicks: "",
    takeProfitTicks: "",
    version: 1,
    x: 330,
    y: 80,
    wires: [[], []],
  },
  exampleRules(),
];

/** The order and rules dialogs' typed inputs and validators, in the real editor. */
describe("e2e: typed fields and validators in the order and rules dialogs", function () {
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
        TSX_E2E_QTY: "2",
      },
      FLOWS(),
      clockSetting(clock),
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: ["--no-sandbox", "--disable-gpu"],
    });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(red.url);
    await page.waitForSelector(".red-ui-palette-node[data-palette-type='topstepx-order']", { timeout: 30_000 });
  });
  afterEach(async function () {
    if (this.currentTest?.state === "failed") {
      await page
        .screenshot({ path: join(ARTIFACTS, `failed-${this.currentTest.title.replace(/\W+/g, "-").slice(0, 60)}.png`) })
        .catch(() => undefined);
      console.log(red.log.slice(-20).join(""));
    }
  });
  after(async () => {
    await browser?.close();
    await red?.stop();
    await sim?.close();
  });

  async function edit(id: string, field: string): Promise<void> {
    // A dialog still closing would take this edit and then vanish: open once the last one is gone.
    await page.waitForSelector(".red-ui-tray", { state: "detached", timeout: 15_000 });
    await page.evaluate((nodeId) => {
      const RED = (window as unknown as { RED: EditorRed }).RED;
      RED.editor.edit(RED.nodes.node(nodeId));
    }, id);
    await typedBox(field).waitFor({ state: "visible" });
  }

  /** The typedInput the editor builds beside the dialog's (now hidden) input. */
  const typedBox = (field: string): Locator => page.locator(`#node-input-${field} + .red-ui-typedInput-container`);

  async function typeInto(field: string, value: string): Promise<void> {
    const input = typedBox(field).locator("input.red-ui-typedInput-input");
    await input.fill(value);
    await input.press("Tab");
  }

  const typeOf = (field: string) =>
    page.evaluate((f) => (window as unknown as { $: JQueryish }).$(`#node-input-${f}`).typedInput("type"), field);

  /** The tooltip the editor shows on hovering a red field (its label first): the validator's message. */
  async function tooltipOf(field: string, label: string): Promise<string> {
    await page.mouse.move(0, 0);
    await typedBox(field).locator(".red-ui-typedInput-input-wrap").hover();
    const tip = page.locator(".red-ui-popover:visible", { hasText: `${label}:` }).last();
    await tip.waitFor({ state: "visible", timeout: 5000 });
    return (await tip.textContent()) ?? "";
  }

  const isRed = async (field: string) =>
    (await typedBox(field).getAttribute("class"))?.includes("input-error") ?? false;

  const node = (id: string) =>
    page.evaluate((nodeId) => (window as unknown as { RED: EditorRed }).RED.nodes.node(nodeId), id);

  it("order dialog: an old flow opens as numbers, quantity 0 is red with the reason, env is accepted and places its quantity", async () => {
    await edit(ORDER, "quantity");
    // Version 1 had plain values: they open as the number and text types.
    assert.equal(await typeOf("quantity"), "num");
    assert.equal(await typeOf("symbol"), "str");
    assert.equal(await typedBox("quantity").locator("input.red-ui-typedInput-input").inputValue(), "1");
    await page.screenshot({ path: join(ARTIFACTS, "order-dialog-typed-after.png") });

    await typeInto("quantity", "0");
    assert.ok(await isRed("quantity"), "quantity 0 is marked red");
    // biome-ignore lint/suspicious/noTemplateCurlyInString: the catalogue's text names Node-RED's ${ENV_VAR} syntax
    assert.equal(await tooltipOf("quantity", "Quantity"), "Quantity: must be a whole number ≥ 1 (or ${ENV_VAR})");
    await page.screenshot({ path: join(ARTIFACTS, "order-dialog-quantity-0.png") });
    await typeInto("quantity", "1.5");
    assert.ok(await isRed("quantity"), "a fractional quantity is red");
    await typeInto("quantity", ENV_REF);
    assert.ok(!(await isRed("quantity")), "an environment reference is accepted in a number field");

    await page.evaluate(() =>
      (window as unknown as { $: JQueryish }).$("#node-input-quantity").typedInput("type", "env"),
    );
    await typeInto("quantity", "TSX_E2E_QTY");
    assert.equal(await typeOf("quantity"), "env");
    assert.ok(!(await isRed("quantity")), "an env variable name is accepted");
    await page.screenshot({ path: join(ARTIFACTS, "order-dialog-quantity-env.png") });
    await page.locator("#node-dialog-ok").click();
    const saved = await node(ORDER);
    assert.deepEqual(
      [saved?.quantity, saved?.quantityType, saved?.symbolType, saved?.version, saved?.valid],
      ["TSX_E2E_QTY", "env", "str", 2, true],
    );

    // Modified nodes only: the rules node guarding the account keeps running (a restart re-syncs it).
    await page.click("#red-ui-header-button-deploy-options");
    await page.click("#deploymenu-item-node");
    await page.click("#red-ui-header-button-deploy");
    await page.waitForSelector(".red-ui-notification:has-text('Successfully deployed')", { timeout: 15_000 });
    await page.waitForSelector(`[id='${ORDER}'] .red-ui-flow-node-status-label:text-is('connected')`, {
      timeout: 15_000,
    });
    await until(
      async () => (await fetch(`${red.url}/inject/e2e-inject`, { method: "POST" })).ok,
      "the inject node to take the click",
    );
    const positions = await until(async () => {
      const s = (await restClient(sim).get("/sim/state")).data as { positions: Array<{ size: number }> };
      return s.positions.length ? s.positions : null;
    }, "the position");
    assert.deepEqual(
      positions.map((p) => p.size),
      [2],
      "TSX_E2E_QTY=2 contracts",
    );
  });

  it("rules dialog: max contracts 0 and a negative flatten buffer are refused with the reason; env is accepted", async () => {
    await edit(RULES, "maxContracts");
    assert.equal(await typeOf("maxContracts"), "num");
    // The example has no guardStops nor refuseCrossAccountHedge: the runtime keeps them on, and so must a save.
    assert.ok(await page.locator("#node-input-guardStops").isChecked(), "guard stops shown on");
    assert.ok(await page.locator("#node-input-refuseCrossAccountHedge").isChecked(), "hedge refusal shown on");
    await typedBox("maxContracts").scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, "rules-dialog-typed-after.png") });

    await typeInto("maxContracts", "0");
    assert.ok(await isRed("maxContracts"), "max contracts 0 is marked red");
    assert.equal(
      await tooltipOf("maxContracts", "Max contracts"),
      "Max contracts: must be a whole number ≥ 1 (blank: the profile's)",
    );
    await typeInto("flattenBuffer", "-50");
    assert.ok(await isRed("flattenBuffer"), "a negative buffer is marked red");
    assert.equal(await tooltipOf("flattenBuffer", "Flatten buffer"), "Flatten buffer: must be a number ≥ 0");
    await page.screenshot({ path: join(ARTIFACTS, "rules-dialog-refused.png") });
    await page.locator("#node-dialog-ok").click();
    const refused = await node(RULES);
    assert.equal(refused?.valid, false, "the node is marked invalid in the workspace");

    await edit(RULES, "maxContracts");
    await page.evaluate(() =>
      (window as unknown as { $: JQueryish }).$("#node-input-maxContracts").typedInput("type", "env"),
    );
    await typeInto("maxContracts", "TSX_MAX_CONTRACTS");
    await typeInto("flattenBuffer", "200");
    assert.ok(!(await isRed("maxContracts")) && !(await isRed("flattenBuffer")));
    await page.locator("#node-dialog-ok").click();
    const fixed = await node(RULES);
    assert.deepEqual(
      [
        fixed?.maxContracts,
        fixed?.maxContractsType,
        fixed?.flattenBuffer,
        fixed?.flattenBufferType,
        fixed?.version,
        fixed?.valid,
        fixed?.guardStops,
      ],
      ["TSX_MAX_CONTRACTS", "env", "200", "num", 2, true, true],
    );
  });
});
