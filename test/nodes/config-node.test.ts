import { strict as assert } from "node:assert";
import type { Simulator } from "../../src/sim";
import type { ErrorMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { startTestSim, USER, until } from "../support/sim";

describe("node: topstepx-config", () => {
  let sim: Simulator;
  const saved = { ...process.env };

  before(async () => {
    sim = await startTestSim();
    await helper.startServer();
  });
  after(async () => {
    await helper.stopServer();
    await sim.close();
  });
  afterEach(async () => {
    await helper.unload();
    for (const k of Object.keys(process.env)) if (k.startsWith("TOPSTEPX_")) delete process.env[k];
    Object.assign(process.env, saved);
  });

  const orderNode = { id: "o1", type: "topstepx-order", server: "cfg", wires: [[], []] };

  it("keeps the API key and webhook secret out of the flow the editor exports", async () => {
    const cfg = configFor(sim);
    // The editor sends credentials inline on the node; the runtime must take them out of the flow.
    const node = { ...cfg.node, credentials: { ...cfg.credentials.cfg, webhookSecret: "s3cret-hook" } };
    await helper.load(allNodes, [], {});
    await helper.setFlows([node, orderNode], "full");
    await until(() => lastStatus(helper.getNode("o1")).text === "connected", "connected with the inline credentials");
    const exported = JSON.stringify(helper._redNodes.getFlows().flows);
    assert.ok(exported.includes("topstepx-config"), "the config node is in the export");
    assert.equal(exported.includes(USER.apiKey), false, "no API key");
    assert.equal(exported.includes("s3cret-hook"), false, "no webhook secret");
    // They live in the runtime's credential store instead (encrypted to flows_cred.json on disk).
    assert.deepEqual(helper.credentials.get("cfg"), {
      userName: USER.userName,
      apiKey: USER.apiKey,
      webhookSecret: "s3cret-hook",
    });
  });

  it("shares one connection between its nodes and closes it when the last one goes", async () => {
    const cfg = configFor(sim);
    await helper.load(allNodes, [cfg.node, orderNode, { ...orderNode, id: "o2" }], cfg.credentials);
    const config = helper.getNode("cfg");
    await until(
      () =>
        lastStatus(helper.getNode("o1")).text === "connected" && lastStatus(helper.getNode("o2")).text === "connected",
      "both connected",
    );
    const state = (await (await fetch(`${sim.restUrl}/sim/state`)).json()) as {
      hubs: { user: { connections: number } };
    };
    assert.equal(state.hubs.user.connections, 1, "one user-hub connection for two nodes");
    const conn = config.connection;
    await helper.unload();
    assert.equal(conn.status().state, "disconnected");
    await until(
      async () =>
        ((await (await fetch(`${sim.restUrl}/sim/state`)).json()) as { hubs: { user: { connections: number } } }).hubs
          .user.connections === 0,
      "the hub connection closed",
    );
  });

  it("falls back to the TOPSTEPX_* environment variables", async () => {
    process.env.TOPSTEPX_USERNAME = USER.userName;
    process.env.TOPSTEPX_API_KEY = USER.apiKey;
    process.env.TOPSTEPX_ENVIRONMENT = "custom";
    process.env.TOPSTEPX_REST_URL = sim.restUrl;
    process.env.TOPSTEPX_USER_HUB_URL = sim.userHubUrl;
    process.env.TOPSTEPX_MARKET_HUB_URL = sim.marketHubUrl;
    process.env.TOPSTEPX_WEBHOOK_SECRET = "from-env";
    await helper.load(allNodes, [{ id: "cfg", type: "topstepx-config", account: "10001" }, orderNode], {});
    await until(() => lastStatus(helper.getNode("o1")).text === "connected", "connected from environment variables");
    assert.equal(helper.getNode("cfg").webhookSecret, "from-env");
  });

  it("shows a red status naming the missing field, and fails inputs with it", async () => {
    const cfg = configFor(sim);
    await helper.load(allNodes, [cfg.node, { ...orderNode, wires: [[], ["err"]] }, { id: "err", type: "helper" }], {
      cfg: { userName: "trader" },
    });
    const o1 = helper.getNode("o1");
    assert.equal(lastStatus(o1).fill, "red");
    assert.match(lastStatus(o1).text!, /no API key/);
    const err = collect<ErrorMsg>(helper.getNode("err"));
    o1.receive({ payload: { symbol: "MNQ", side: "buy", quantity: 1 } });
    await until(() => err.length === 1, "an error msg");
    assert.match(err[0].error.message, /no API key: open the TopstepX config node/);
  });

  it("logs in to the local simulator with its built-in login when no credentials are given", async () => {
    // What a palette install meets: an imported example's config node, nothing typed in yet.
    process.env.TOPSTEPX_SIMULATOR_URL = sim.restUrl;
    await helper.load(
      allNodes,
      [{ id: "cfg", type: "topstepx-config", environment: "simulator", account: "10001" }, orderNode],
      {},
    );
    await until(() => lastStatus(helper.getNode("o1")).text === "connected", "connected without credentials");
  });

  it("tells what to do next when a TopstepX configuration has no API key", async () => {
    await helper.load(
      allNodes,
      [{ id: "cfg", type: "topstepx-config", environment: "topstepx", account: "10001" }, orderNode],
      { cfg: { userName: "someone" } },
    );
    const status = lastStatus(helper.getNode("o1"));
    assert.equal(status.fill, "red");
    assert.match(status.text!, /no API key: open the/);
  });

  it("shows the login error when the API key is wrong", async () => {
    const cfg = configFor(sim);
    await helper.load(allNodes, [cfg.node, orderNode], { cfg: { userName: "trader", apiKey: "wrong" } });
    await until(
      () =>
        /wrong user name or API key/.test(lastStatus(helper.getNode("o1")).text ?? "") ||
        lastStatus(helper.getNode("o1")).text?.startsWith("error:"),
      "an error status",
    );
    assert.equal(lastStatus(helper.getNode("o1")).fill, "red");
  });

  it("lists accounts for the dialog, with typed or stored credentials", async () => {
    const cfg = configFor(sim);
    await helper.load(allNodes, [cfg.node], cfg.credentials);
    const body = {
      environment: "custom",
      restUrl: sim.restUrl,
      userHubUrl: sim.userHubUrl,
      marketHubUrl: sim.marketHubUrl,
    };
    const typed = await helper
      .request()
      .post("/topstepx-config/accounts")
      .send({ ...body, userName: USER.userName, apiKey: USER.apiKey })
      .expect(200);
    assert.deepEqual(
      typed.body.map((a: { id: number }) => a.id),
      [10001, 10002, 10003, 10004],
    );
    const stored = await helper
      .request()
      .post("/topstepx-config/accounts")
      .send({ ...body, id: "cfg", userName: USER.userName, apiKey: "__PWRD__" })
      .expect(200);
    assert.equal(stored.body.length, 4);
    const wrong = await helper
      .request()
      .post("/topstepx-config/accounts")
      .send({ ...body, userName: USER.userName, apiKey: "nope" })
      .expect(400);
    assert.match(wrong.body.error, /wrong user name or API key/);
    const insecure = await helper
      .request()
      .post("/topstepx-config/accounts")
      .send({ ...body, restUrl: "http://example.com", userName: "a", apiKey: "b" })
      .expect(400);
    assert.match(insecure.body.error, /restUrl: plain http/);
  });
});
