import { strict as assert } from "node:assert";
import { mkdirSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";
import type { Simulator } from "../../src/sim";
import { clockSetting, runningClockFrom } from "../support/clock";
import { deployFlows, type NodeRedProcess, startNodeRed } from "../support/node-red-process";
import { restClient, startTestSim, USER, until } from "../support/sim";

const ARTIFACTS = resolve(__dirname, "..", "..", "..", "test-artifacts");
const SECRET = "e2e-webhook-secret";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

declare global {
  /** The editor page's window: the part of its global `RED` these tests call in `page.evaluate`. */
  interface Window {
    RED: {
      actions: { invoke(action: string): void };
      nodes: { eachNode(visit: (n: { type: string; id: string; name: string }) => void): void };
    };
  }
}

/**
 * The editor, for real: Node-RED 4.1 in its own process with this package, Debian's Chromium driven
 * by playwright-core, the simulator behind it. Screenshots go to test-artifacts/.
 */
describe("e2e: the Node-RED editor with the TopstepX palette", function () {
  this.timeout(90_000);
  let sim: Simulator;
  let red: NodeRedProcess;
  let browser: Browser;
  let page: Page;

  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    // The simulator and our nodes share one clock set to a session: the wall clock decides nothing.
    const clock = runningClockFrom();
    sim = await startTestSim({ now: clock.now, market: { quoteRate: 2 } });
    red = await startNodeRed(
      {
        TOPSTEPX_SIMULATOR_URL: sim.restUrl,
        TOPSTEPX_USERNAME: USER.userName,
        TOPSTEPX_API_KEY: USER.apiKey,
        TOPSTEPX_WEBHOOK_SECRET: SECRET,
      },
      [],
      clockSetting(clock),
    );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    });
    page = await browser.newPage({ viewport: { width: 1800, height: 760 } });
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

  async function openEditor(): Promise<void> {
    await page.goto(red.url);
    await page.waitForSelector(".red-ui-palette-node[data-palette-type='topstepx-order']", { timeout: 30_000 });
  }

  /** Imports an example; its nodes arrive on a tab of their own, which is then shown. */
  async function importExample(name: string, tabLabel: string): Promise<void> {
    await page.evaluate(() => window.RED.actions.invoke("core:show-examples-import-dialog"));
    const tree = "#red-ui-clipboard-dialog-import-tab-examples";
    // "flows" is also the name of the examples' top category: take the entry under our module,
    // opening the module's folder unless the dialog remembered it open.
    const first = page.locator(`${tree} .red-ui-treeList-label-text:text-is('1 TradingView webhook to order')`);
    const module = page.locator(`${tree} .red-ui-treeList-label-text:text-is('node-red-contrib-topstepx')`);
    await module.waitFor();
    // isVisible takes no timeout: waitFor gives the tree its second to show the entry.
    if (
      !(await first.waitFor({ timeout: 1000 }).then(
        () => true,
        () => false,
      ))
    )
      await module.click();
    await first.waitFor();
    await page.locator(`${tree} .red-ui-treeList-label-text:text-is('${name}')`).last().click();
    await page.waitForSelector("#red-ui-clipboard-dialog-ok:not([disabled])");
    await page.click("#red-ui-clipboard-dialog-ok");
    await page.waitForSelector("#red-ui-clipboard-dialog", { state: "hidden" });
    // On top of "0 Start here" the configuration node exists already: the editor asks, and Import
    // copy keeps the existing one.
    const copy = page.locator(".red-ui-notification button:has-text('Import copy')");
    const tab = page.locator(`#red-ui-workspace-tabs .red-ui-tab:has-text('${tabLabel}')`);
    await copy.or(tab).first().waitFor();
    if (await copy.isVisible()) await copy.click();
    await showTab(tabLabel);
  }

  /** Shows a flow's tab through the editor's API (a click on the active tab's label would edit the flow). */
  async function showTab(label: string): Promise<void> {
    await page.evaluate((l) => {
      const RED = (
        window as unknown as {
          RED: {
            nodes: { eachWorkspace(visit: (ws: { id: string; label: string }) => void): void };
            workspaces: { show(id: string): void };
          };
        }
      ).RED;
      RED.nodes.eachWorkspace((ws) => {
        if (ws.label === l) RED.workspaces.show(ws.id);
      });
    }, label);
  }

  /** The rules nodes live in "0 Start here": their status, once their account is synced. */
  async function rulesSynced(): Promise<void> {
    await showTab("Start here");
    await page.waitForFunction(
      () =>
        [...document.querySelectorAll(".red-ui-flow-node-status-label")].some((e) =>
          /MLL \$/.test(e.textContent ?? ""),
        ),
      undefined,
      { timeout: 20_000 },
    );
  }

  async function deploy(): Promise<void> {
    await page.click("#red-ui-header-button-deploy");
    // A first deploy of new config nodes may ask for confirmation.
    const confirm = page.locator(".red-ui-notification button:has-text('Confirm deploy')");
    if (
      await confirm.waitFor({ timeout: 1000 }).then(
        () => true,
        () => false,
      )
    )
      await confirm.click();
    await page.waitForSelector(".red-ui-notification:has-text('Successfully deployed')", { timeout: 15_000 });
  }

  /** A clean picture: no toasts, the flow from its top-left corner. */
  async function shoot(file: string): Promise<void> {
    await page.waitForSelector(".red-ui-notification", { state: "detached", timeout: 10_000 }).catch(() => undefined);
    await page.evaluate(() => document.getElementById("red-ui-workspace-chart")?.scrollTo(0, 0));
    await page.screenshot({ path: join(ARTIFACTS, file) });
  }

  /**
   * Posts a TradingView alert into a deployed rules node: an http in → alert → (rules) → http
   * response path is added beside it (one rules node per account), and the answer returned.
   */
  async function postAlertThroughRules(rulesId: string): Promise<{ status: number; rule: string }> {
    const flows = (await (await fetch(`${red.url}/flows`, { headers: { "Node-RED-API-Version": "v2" } })).json()) as {
      flows: Array<{ id: string; z?: string; wires?: string[][] } & Record<string, unknown>>;
    };
    const rules = flows.flows.find((n) => n.id === rulesId)!;
    const z = rules.z!;
    rules.wires = [["e2e-resp"], ["e2e-resp"], rules.wires?.[2] ?? []];
    flows.flows.push(
      {
        id: "e2e-in",
        type: "http in",
        z,
        url: "/e2e/alert",
        method: "post",
        upload: false,
        swaggerDoc: "",
        x: 100,
        y: 600,
        wires: [["e2e-alert"]],
      },
      {
        id: "e2e-alert",
        type: "topstepx-alert",
        z,
        server: "tsx-config",
        requireSecret: true,
        version: 1,
        x: 250,
        y: 600,
        wires: [[rulesId], ["e2e-resp"]],
      },
      { id: "e2e-resp", type: "http response", z, statusCode: "", headers: {}, x: 400, y: 600, wires: [] },
    );
    await deployFlows(red.url, flows.flows);
    // The redeploy restarts the rules node: until it has re-synced it refuses with stateUnknown.
    for (let i = 0; ; i++) {
      const r = await fetch(`${red.url}/e2e/alert`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ secret: SECRET, id: `e2e-kill-${i}`, symbol: "MNQ1!", side: "buy", quantity: 1 }),
      });
      const json = r.headers.get("content-type")?.includes("json")
        ? ((await r.json()) as { rule: string })
        : { rule: "notStarted" };
      const answer = { status: r.status, ...json };
      if ((answer.rule !== "stateUnknown" && answer.rule !== "notStarted") || i >= 50) return answer;
      await page.waitForTimeout(200);
    }
  }

  async function statuses(): Promise<string[]> {
    return page.$$eval(".red-ui-flow-node-status-label", (els) => els.map((e) => e.textContent ?? ""));
  }

  /** Empty flows, a fresh simulator account and no rule state: each example starts clean. */
  async function reset(): Promise<void> {
    await deployFlows(red.url, []);
    for (const f of ["topstepx-journal.sqlite", "topstepx-journal.sqlite-wal", "topstepx-journal.sqlite-shm"])
      rmSync(join(red.userDir, f), { force: true });
    await restClient(sim).post("/sim/reset");
    await openEditor();
  }

  it("lists the TopstepX nodes in their own palette category", async () => {
    await openEditor();
    for (const type of ["topstepx-order", "topstepx-market", "topstepx-account", "topstepx-rules", "topstepx-alert"]) {
      assert.equal(await page.locator(`.red-ui-palette-node[data-palette-type='${type}']`).count(), 1, type);
    }
    const category = await page.locator(".red-ui-palette-header:has-text('TopstepX')").count();
    assert.equal(category, 1);
    await shoot("palette.png");
  });

  it("imports the webhook example from Import ▸ Examples, deploys it, and an alert places an order", async () => {
    await reset();
    await importExample("0 Start here", "Start here");
    await importExample("1 TradingView webhook to order", "TradingView → order");
    await deploy();
    await rulesSynced();
    await showTab("TradingView → order");
    await until(async () => (await statuses()).includes("connected"), "the order node showing the connection");
    const r = await fetch(`${red.url}/topstepx/alert`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      // The example's printed alert, brackets included, on the default (Position Brackets) account.
      body: JSON.stringify({
        secret: SECRET,
        id: "e2e-1",
        symbol: "MNQ1!",
        side: "buy",
        quantity: 1,
        stopLoss: 40,
        takeProfit: 80,
      }),
    });
    const body = (await r.json()) as { ok: boolean; orderId: number; customTag: string; bracket: string };
    assert.equal(r.status, 200, JSON.stringify(body));
    assert.equal(body.bracket, "managed");
    const state = (await restClient(sim).get("/sim/state")).data;
    assert.ok(
      state.orders.some((o: { id: number }) => o.id === body.orderId),
      "the order reached the simulator",
    );
    const legs = await until(async () => {
      const orders: { customTag: string | null; status: number; type: number }[] = (
        await restClient(sim).get("/sim/state")
      ).data.orders;
      const working = orders.filter((o) => o.status === 1 && o.customTag?.startsWith(`${body.customTag}-`));
      return working.length === 2 ? working : null;
    }, "the managed stop-loss and take-profit to work");
    assert.deepEqual(legs.map((o) => o.type).sort(), [1, 4], "a limit and a stop protect the position");
    await shoot("webhook-example.png");
  });

  it("imports the P&L monitor and the manual ticket examples, and their nodes connect", async () => {
    for (const [name, tab, shot] of [
      ["2 P&L monitor and flatten", "P&L monitor", "monitor-example.png"],
      ["4 Manual order ticket", "Manual order ticket", "ticket-example.png"],
    ] as const) {
      await reset();
      // The monitor's commands reach the starter's rules node; the ticket needs none.
      if (name.startsWith("2 ")) await importExample("0 Start here", "Start here");
      await importExample(name, tab);
      await deploy();
      await page.waitForFunction(
        () =>
          [...document.querySelectorAll(".red-ui-flow-node-status-label")].some((e) =>
            /connected|MLL|\$|contract/.test(e.textContent ?? ""),
          ),
        undefined,
        { timeout: 20_000 },
      );
      await shoot(shot);
    }
  });

  it("imports the dashboard example; its kill switch button refuses the next alert", async () => {
    await reset();
    // As npm start's banner suggests: the Dashboard imported on top of the running starter.
    await importExample("0 Start here", "Start here");
    await deploy();
    await rulesSynced();
    await importExample("3 Dashboard", "Dashboard");
    await deploy();
    await shoot("dashboard-flow.png");
    await rulesSynced();
    const dash = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    try {
      await dash.goto(`${red.url}/dashboard/topstepx`);
      await dash.waitForSelector("button:has-text('KILL SWITCH')", { timeout: 30_000 });
      // The starter's rules node's state on the gauges and the status line, not "$0 left".
      await dash.waitForSelector("text=trading allowed", { timeout: 15_000 });
      await dash.waitForTimeout(2500); // a couple of refreshes: chart, gauges, tables
      await dash.screenshot({ path: join(ARTIFACTS, "dashboard.png") });
      await dash.click("button:has-text('KILL SWITCH')");
      await until(
        async () => (await statuses()).includes("kill switch on"),
        "the kill switch on the rules node",
        10_000,
      );
      await dash.waitForSelector("text=KILL SWITCH ON", { timeout: 10_000 });
      await dash.screenshot({ path: join(ARTIFACTS, "dashboard-kill-switch.png") });
    } finally {
      await dash.close();
    }
    const decision = await postAlertThroughRules("tsx-start-rules");
    assert.equal(decision.status, 422);
    assert.equal(decision.rule, "killSwitch");
  });

  it("links the rules dialog to the report page, which draws equity against the floor with Chart.js", async () => {
    await reset();
    await importExample("0 Start here", "Start here");
    await deploy();
    await rulesSynced();
    await page.evaluate(() => {
      let node: unknown = null;
      window.RED.nodes.eachNode((n: { type: string }) => {
        if (n.type === "topstepx-rules") node ??= n;
      });
      (window as unknown as { RED: { editor: { edit(n: unknown): void } } }).RED.editor.edit(node);
    });
    const link = page.locator("#topstepx-rules-report");
    await link.waitFor({ state: "attached", timeout: 10_000 });
    const url = (await link.getAttribute("href")) ?? "";
    assert.match(url, /^topstepx-rules\/[0-9a-z.-]+\/report\.html$/);
    await page.click("#node-dialog-cancel");
    const report = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    try {
      await report.goto(`${red.url}/${url}`);
      // Chart.js loaded from the package beside the page, and the three lines drawn.
      await report.waitForFunction(
        () => {
          const w = window as unknown as { Chart?: { getChart(c: Element | null): { data: { datasets: unknown[] } } } };
          return w.Chart?.getChart(document.querySelector("#chart"))?.data.datasets.length === 3;
        },
        undefined,
        { timeout: 10_000 },
      );
      assert.match(await report.content(), /Trading days/);
      await report.screenshot({ path: join(ARTIFACTS, "report-page.png") });
    } finally {
      await report.close();
    }
  });

  it("presses the kill switch in the editor, and the next alert is refused", async () => {
    await reset();
    // What npm start deploys: the starter, the webhook and the monitor.
    await importExample("0 Start here", "Start here");
    await importExample("1 TradingView webhook to order", "TradingView → order");
    await importExample("2 P&L monitor and flatten", "P&L monitor");
    await deploy();
    await rulesSynced();
    await showTab("P&L monitor");
    const killId = await page.evaluate(() => {
      let id = "";
      window.RED.nodes.eachNode((n: { type: string; name: string; id: string }) => {
        if (n.type === "inject" && /kill switch ON/.test(n.name)) id = n.id;
      });
      return id;
    });
    await page.click(`[id='${killId}'] .red-ui-flow-node-button`);
    await showTab("Start here");
    await until(
      async () => (await statuses()).includes("kill switch on"),
      "the rules node showing the kill switch",
      10_000,
    );
    const r = await fetch(`${red.url}/topstepx/alert`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ secret: SECRET, id: "e2e-2", symbol: "MNQ1!", side: "buy", quantity: 1 }),
    });
    const body = (await r.json()) as { rule: string };
    assert.equal(r.status, 422);
    assert.equal(body.rule, "killSwitch");
    await shoot("kill-switch.png");
  });
});
