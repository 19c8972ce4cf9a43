import { strict as assert } from "node:assert";
import { SearchAccountResponse, SearchContractByIdResponse, SearchContractResponse } from "../../src/core/schemas";
import type { Simulator, SimulatorOptions } from "../../src/sim";
import { ACCOUNT, login, restClient, SECOND_ACCOUNT, startTestSim } from "../support/sim";

/** Runs `fn` against a fresh simulator and always closes it. */
async function withSim(options: SimulatorOptions, fn: (sim: Simulator) => Promise<void>): Promise<void> {
  const sim = await startTestSim(options);
  try {
    await fn(sim);
  } finally {
    await sim.close();
  }
}

interface ContractRow {
  id: string;
  name: string;
  description: string;
  tickSize: number;
  tickValue: number;
  activeContract: boolean;
  symbolId?: string;
}

/** Product symbol → [ProjectX root, tick size, tick value], from the doc's contract table (§7.2). */
const SPEC: Record<string, [string, number, number]> = {
  ES: ["EP", 0.25, 12.5],
  MES: ["MES", 0.25, 1.25],
  NQ: ["ENQ", 0.25, 5],
  MNQ: ["MNQ", 0.25, 0.5],
  YM: ["YM", 1, 5],
  MYM: ["MYM", 1, 0.5],
  RTY: ["RTY", 0.1, 5],
  M2K: ["M2K", 0.1, 0.5],
  CL: ["CLE", 0.01, 10],
  MCL: ["MCLE", 0.01, 1],
  GC: ["GCE", 0.1, 10],
  MGC: ["MGC", 0.1, 1],
};

const rowOf = (rows: ContractRow[], root: string) => rows.find((c) => c.symbolId === `F.US.${root}`);

describe("simulator: REST accounts and contracts", () => {
  let sim: Simulator;
  let clock = Date.parse("2026-11-25T15:00:00Z");
  let api: Awaited<ReturnType<typeof login>>["api"];

  before(async () => {
    sim = await startTestSim({ now: () => clock });
    ({ api } = await login(sim));
  });
  after(() => sim.close());
  afterEach(async () => {
    clock = Date.parse("2026-11-25T15:00:00Z");
    await restClient(sim).post("/sim/reset", {});
    ({ api } = await login(sim));
  });

  it("lists the accounts with the TradingAccountModel fields", async () => {
    const r = await api.post("/api/Account/search", { onlyActiveAccounts: true });
    assert.equal(r.status, 200);
    assert.ok(SearchAccountResponse.safeParse(r.data).success);
    assert.equal(r.data.success, true);
    assert.equal(r.data.errorCode, 0);
    const first = r.data.accounts.find((a: { id: number }) => a.id === ACCOUNT);
    assert.deepEqual(Object.keys(first).sort(), ["balance", "canTrade", "id", "isVisible", "name", "simulated"]);
    assert.deepEqual(first, {
      id: ACCOUNT,
      name: "50KTC-V2-SIM-10001",
      balance: 50_000,
      canTrade: true,
      isVisible: true,
      simulated: true,
    });
    assert.deepEqual(r.data.accounts.map((a: { id: number }) => a.id).sort(), [ACCOUNT, SECOND_ACCOUNT, 10003, 10004]);
  });

  it("hides an inactive account only when onlyActiveAccounts is true", async () => {
    const patch = await restClient(sim).post("/sim/account", { accountId: SECOND_ACCOUNT, active: false });
    assert.equal(patch.status, 200);
    const active = await api.post("/api/Account/search", { onlyActiveAccounts: true });
    assert.deepEqual(active.data.accounts.map((a: { id: number }) => a.id).sort(), [ACCOUNT, 10003, 10004]);
    const all = await api.post("/api/Account/search", { onlyActiveAccounts: false });
    assert.deepEqual(all.data.accounts.map((a: { id: number }) => a.id).sort(), [
      ACCOUNT,
      SECOND_ACCOUNT,
      10003,
      10004,
    ]);
    const hidden = all.data.accounts.find((a: { id: number }) => a.id === SECOND_ACCOUNT);
    assert.equal(hidden.name, "PRAC-V2-SIM-10002");
  });

  it("refuses an unknown account in POST /sim/account with 400", async () => {
    const r = await restClient(sim).post("/sim/account", { accountId: 999, active: false });
    assert.equal(r.status, 400);
    assert.match(r.data.error, /999/);
  });

  it("lists the front months of the common products with ProjectX roots and real tick sizes", async () => {
    const r = await api.post("/api/Contract/available", { live: false });
    assert.equal(r.status, 200);
    assert.ok(SearchContractResponse.safeParse(r.data).success);
    const rows: ContractRow[] = r.data.contracts;
    const expected: Record<string, string> = {
      ES: "EP.Z26",
      MES: "MES.Z26",
      NQ: "ENQ.Z26",
      MNQ: "MNQ.Z26",
      YM: "YM.Z26",
      MYM: "MYM.Z26",
      RTY: "RTY.Z26",
      M2K: "M2K.Z26",
      // CL's December contract stopped trading in November; gold rolls to February before December's first notice.
      CL: "CLE.F27",
      MCL: "MCLE.F27",
      GC: "GCE.G27",
      MGC: "MGC.G27",
    };
    for (const [symbol, [root, tickSize, tickValue]] of Object.entries(SPEC)) {
      const c = rowOf(rows, root);
      assert.ok(c, `${symbol} (root ${root}) is missing`);
      assert.equal(c.id, `CON.F.US.${expected[symbol]}`, symbol);
      assert.match(c.id, /^CON\.F\.US\.[A-Z0-9]+\.[FGHJKMNQUVXZ]\d{2}$/);
      assert.equal(c.tickSize, tickSize, `${symbol} tickSize`);
      assert.equal(c.tickValue, tickValue, `${symbol} tickValue`);
      assert.equal(c.activeContract, true, symbol);
      assert.equal(c.name, `${symbol}${c.id.slice(-3, -2)}${c.id.slice(-1)}`, `${symbol} name`);
    }
    // One front month per product, never two months of the same root.
    const roots = rows.map((c) => c.symbolId);
    assert.equal(new Set(roots).size, roots.length);
    for (const wrong of ["CON.F.US.ES.", "CON.F.US.NQE.", "CON.F.US.ESE.", "CON.F.US.CL."]) {
      assert.ok(!rows.some((c) => c.id.startsWith(wrong)), `no ${wrong} ids`);
    }
  });

  it("rolls the front month with the date: ES is Z26 on 2026-11-25 and H27 on 2026-12-14", async () => {
    // Sessions last 24 hours: log in again after every jump of the clock.
    const es = async () =>
      rowOf((await (await login(sim)).api.post("/api/Contract/available", { live: false })).data.contracts, "EP")!.id;
    assert.equal(await es(), "CON.F.US.EP.Z26");
    clock = Date.parse("2026-12-10T21:59:00Z");
    assert.equal(await es(), "CON.F.US.EP.Z26");
    clock = Date.parse("2026-12-14T15:00:00Z");
    assert.equal(await es(), "CON.F.US.EP.H27");
    // The old month is still found by id, but no longer active.
    ({ api } = await login(sim));
    const old = await api.post("/api/Contract/searchById", { contractId: "CON.F.US.EP.Z26" });
    assert.equal(old.data.success, true);
    assert.equal(old.data.contract.activeContract, false);
    const front = await api.post("/api/Contract/searchById", { contractId: "CON.F.US.EP.H27" });
    assert.equal(front.data.contract.activeContract, true);
  });

  it("searches contracts by text: NQ finds ENQ and MNQ (and, as live, QM's NQM and QG's NQG), active months first", async () => {
    const r = await api.post("/api/Contract/search", { searchText: "NQ", live: false });
    assert.equal(r.status, 200);
    assert.ok(SearchContractResponse.safeParse(r.data).success);
    const rows: ContractRow[] = r.data.contracts;
    assert.ok(rows.length > 0 && rows.length <= 20);
    assert.ok(
      rows.every((c) => /\.(ENQ|MNQ|NQM|NQG)\./.test(c.id)),
      JSON.stringify(rows.map((c) => c.id)),
    );
    assert.ok(rows.some((c) => c.id === "CON.F.US.ENQ.Z26" && c.activeContract));
    assert.ok(rows.some((c) => c.id === "CON.F.US.MNQ.Z26" && c.activeContract));
    assert.ok(
      rows.some((c) => !c.activeContract),
      "later months are listed too",
    );
    const firstInactive = rows.findIndex((c) => !c.activeContract);
    assert.ok(
      rows.slice(firstInactive).every((c) => !c.activeContract),
      "active contracts come first",
    );
    const lower = await api.post("/api/Contract/search", { searchText: "nq", live: true });
    assert.deepEqual(lower.data.contracts.map((c: ContractRow) => c.id).sort(), rows.map((c) => c.id).sort());
  });

  it("returns at most 20 contracts, active ones first", async () => {
    const r = await api.post("/api/Contract/search", { searchText: "CON.F.US", live: false });
    const rows: ContractRow[] = r.data.contracts;
    assert.equal(rows.length, 20);
    const active = rows.filter((c) => c.activeContract).length;
    assert.ok(active >= 12, `${active} active rows`);
    assert.ok(rows.slice(0, active).every((c) => c.activeContract));
    const none = await api.post("/api/Contract/search", { searchText: "no such product", live: false });
    assert.deepEqual(none.data, { contracts: [], success: true, errorCode: 0, errorMessage: null });
  });

  it("finds a contract by id, including an expired one, and reports an unknown id with errorCode 1", async () => {
    const known = await api.post("/api/Contract/searchById", { contractId: "CON.F.US.ENQ.Z26" });
    assert.ok(SearchContractByIdResponse.safeParse(known.data).success);
    assert.equal(known.data.success, true);
    assert.equal(known.data.errorCode, 0);
    assert.deepEqual(
      { ...known.data.contract, description: typeof known.data.contract.description },
      {
        id: "CON.F.US.ENQ.Z26",
        name: "NQZ6",
        description: "string",
        tickSize: 0.25,
        tickValue: 5,
        activeContract: true,
        symbolId: "F.US.ENQ",
      },
    );

    const expired = await api.post("/api/Contract/searchById", { contractId: "CON.F.US.EP.U25" });
    assert.equal(expired.data.success, true);
    assert.equal(expired.data.contract.id, "CON.F.US.EP.U25");
    assert.equal(expired.data.contract.activeContract, false);
    assert.equal(expired.data.contract.tickValue, 12.5);

    // Unknown roots, the wrong roots some repos use, months the product does not list, bare symbols.
    for (const contractId of [
      "CON.F.US.XYZ.Z26",
      "CON.F.US.ES.Z26",
      "CON.F.US.NQE.Z25",
      "CON.F.US.EP.F27",
      "CON.F.US.GCE.H27",
      "MNQ",
      "",
    ]) {
      const r = await api.post("/api/Contract/searchById", { contractId });
      assert.equal(r.status, 200, contractId);
      assert.equal(r.data.success, false, contractId);
      assert.equal(r.data.errorCode, 1, contractId);
      assert.equal(r.data.contract, null, contractId);
    }
  });
});

describe("simulator: HTTP details", () => {
  let sim: Simulator;
  let api: Awaited<ReturnType<typeof login>>["api"];

  before(async () => {
    sim = await startTestSim();
    ({ api } = await login(sim));
  });
  after(() => sim.close());

  it("answers an unknown /api path with 404", async () => {
    assert.equal((await api.post("/api/Account/list", {})).status, 404);
    assert.equal((await api.post("/api/v1/Account/search", { onlyActiveAccounts: true })).status, 404);
    assert.equal((await api.get("/api/accounts")).status, 404);
  });

  it("answers GET on a POST endpoint with 405 and an Allow header", async () => {
    const r = await api.get("/api/Contract/available");
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, "POST");
    assert.equal((await api.post("/api/Status/ping", {})).status, 405);
  });

  it("answers GET /api/Status/ping with 200, without a token", async () => {
    const r = await restClient(sim).get("/api/Status/ping");
    assert.equal(r.status, 200);
    assert.ok(String(r.data).length > 0);
  });

  it("matches paths case-insensitively, as ASP.NET routing does", async () => {
    const r = await api.post("/api/account/SEARCH", { onlyActiveAccounts: true });
    assert.equal(r.status, 200);
    assert.equal(r.data.success, true);
  });

  it("answers a field of the wrong JSON type with 400 ProblemDetails and an errors map", async () => {
    const r = await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: "CON.F.US.MNQ.Z26",
      type: 2,
      side: 0,
      size: "two",
    });
    assert.equal(r.status, 400);
    assert.match(String(r.headers["content-type"]), /application\/problem\+json/);
    assert.equal(r.data.status, 400);
    assert.equal(typeof r.data.title, "string");
    assert.equal(typeof r.data.type, "string");
    assert.deepEqual(Object.keys(r.data.errors), ["$.size"]);
    assert.ok(Array.isArray(r.data.errors["$.size"]) && typeof r.data.errors["$.size"][0] === "string");
    // Nothing was placed.
    const orders = await api.post("/api/Order/search", { accountId: ACCOUNT, startTimestamp: "2020-01-01T00:00:00Z" });
    assert.deepEqual(orders.data.orders, []);
  });

  it("names every missing string field of a request in the errors map", async () => {
    const r = await restClient(sim).post("/api/Auth/loginApp", { userName: "trader" });
    assert.equal(r.status, 400);
    assert.deepEqual(Object.keys(r.data.errors).sort(), ["AppId", "DeviceId", "Password", "VerifyKey"]);
    assert.deepEqual(r.data.errors.AppId, ["The AppId field is required."]);
  });
});

describe("simulator: rate limits", () => {
  const t0 = Date.parse("2026-11-25T15:00:00Z");
  const limits = { other: { limit: 5, windowMs: 1000 }, bars: { limit: 2, windowMs: 1000 } };
  const barsBody = {
    contractId: "CON.F.US.EP.Z26",
    live: false,
    startTime: "2026-11-25T14:00:00Z",
    endTime: "2026-11-25T15:00:00Z",
    unit: 2,
    unitNumber: 1,
    limit: 10,
    includePartialBar: false,
  };

  it("answers the 6th request within the window with 429 and Retry-After; bars have their own budget", async () => {
    let clock = t0;
    await withSim({ now: () => clock, rateLimits: limits }, async (sim) => {
      const { api } = await login(sim);
      for (let i = 0; i < 5; i++) {
        const r = await api.post("/api/Account/search", { onlyActiveAccounts: true });
        assert.equal(r.status, 200, `request ${i + 1}`);
        clock += 50;
      }
      const limited = await api.post("/api/Account/search", { onlyActiveAccounts: true });
      assert.equal(limited.status, 429);
      assert.ok(Number(limited.headers["retry-after"]) >= 1, `Retry-After: ${limited.headers["retry-after"]}`);
      // Other endpoints share the budget.
      assert.equal((await api.post("/api/Contract/available", { live: false })).status, 429);

      // History/retrieveBars has a budget of its own, still untouched.
      assert.equal((await api.post("/api/History/retrieveBars", barsBody)).status, 200);
      assert.equal((await api.post("/api/History/retrieveBars", barsBody)).status, 200);
      const bars = await api.post("/api/History/retrieveBars", barsBody);
      assert.equal(bars.status, 429);
      assert.ok(bars.headers["retry-after"]);

      // A 429 is not executed.
      const state = (await restClient(sim).get("/sim/state")).data;
      assert.deepEqual(state.requests["Account/search"], { received: 6, executed: 5, succeeded: 5 });

      clock += 1000;
      assert.equal((await api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 200);
      assert.equal((await api.post("/api/History/retrieveBars", barsBody)).status, 200);
    });
  });

  it("uses a rolling window: Retry-After counts down to when the oldest request leaves it", async () => {
    let clock = t0;
    await withSim({ now: () => clock, rateLimits: { other: { limit: 3, windowMs: 10_000 } } }, async (sim) => {
      const { api } = await login(sim);
      const search = () => api.post("/api/Account/search", { onlyActiveAccounts: true });
      assert.equal((await search()).status, 200);
      clock += 4000;
      assert.equal((await search()).status, 200);
      assert.equal((await search()).status, 200);
      const first = await search();
      assert.equal(first.status, 429);
      assert.equal(first.headers["retry-after"], "6");
      clock += 2500;
      assert.equal((await search()).headers["retry-after"], "4");
      clock += 3500; // the first request is now 10 s old: one slot frees, the two later ones still count
      assert.equal((await search()).status, 200);
      const again = await search();
      assert.equal(again.status, 429);
      assert.equal(again.headers["retry-after"], "4");
      clock += 4000;
      assert.equal((await search()).status, 200);
      assert.equal((await search()).status, 200);
    });
  });

  it("never answers 429 when rateLimits.enabled is false", async () => {
    await withSim({ now: () => t0, rateLimits: { ...limits, enabled: false } }, async (sim) => {
      const { api } = await login(sim);
      for (let i = 0; i < 20; i++)
        assert.equal((await api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 200);
      for (let i = 0; i < 10; i++) assert.equal((await api.post("/api/History/retrieveBars", barsBody)).status, 200);
    });
  });

  it("starts a fresh budget after POST /sim/reset", async () => {
    await withSim({ now: () => t0, rateLimits: limits }, async (sim) => {
      const { api } = await login(sim);
      for (let i = 0; i < 5; i++) await api.post("/api/Account/search", { onlyActiveAccounts: true });
      assert.equal((await api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 429);
      await restClient(sim).post("/sim/reset", {});
      assert.equal((await api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 200);
    });
  });
});

describe("simulator: configuration validation", () => {
  const rejects = async (options: unknown, field: RegExp) => {
    let sim: Simulator;
    try {
      sim = await startTestSim(options as SimulatorOptions);
    } catch (e) {
      assert.match((e as Error).message, /Invalid simulator configuration/);
      assert.match((e as Error).message, field);
      return;
    }
    await sim.close();
    assert.fail(`started with a bad configuration: ${JSON.stringify(options)}`);
  };

  it("refuses accounts with duplicate ids, naming the field and the id", async () => {
    await rejects(
      {
        accounts: [
          { id: 7, name: "A", balance: 50_000 },
          { id: 7, name: "B", balance: 100_000 },
        ],
      },
      /accounts.*\b7\b/,
    );
  });

  it("refuses two users with the same userName, which could never both log in", async () => {
    await rejects(
      {
        users: [
          { userName: "trader", apiKey: "a" },
          { userName: "Trader", apiKey: "b" },
        ],
      },
      /users.*Trader/,
    );
  });

  it("refuses a fee or commission for a product the simulator does not list, instead of ignoring it", async () => {
    await rejects({ fees: { mnq: 0.5 } }, /fees.*mnq/);
    await rejects({ fees: { NQX: 0.5 } }, /fees.*NQX/);
    await rejects({ commissions: { mnq: 0.5 } }, /commissions\.mnq: no product mnq/);
    await rejects({ commissions: { MNQ: -1 } }, /commissions\.MNQ/);
  });

  it("refuses a port that is not a number, naming the field", async () => {
    await rejects({ port: "x" }, /\bport\b/);
  });

  it("refuses bad nested values with their full path", async () => {
    await rejects({ rateLimits: { bars: { limit: 0, windowMs: 1000 } } }, /rateLimits\.bars\.limit/);
    await rejects({ market: { quoteRate: -1 } }, /market\.quoteRate/);
    await rejects({ accounts: [{ id: 1, name: "", balance: 1 }] }, /accounts\.0\.name/);
    await rejects({ users: [] }, /\busers\b/);
  });

  it("starts with a valid custom configuration", async () => {
    await withSim({ accounts: [{ id: 42, name: "CUSTOM", balance: 150_000, simulated: false }] }, async (sim) => {
      const { api } = await login(sim);
      const r = await api.post("/api/Account/search", { onlyActiveAccounts: false });
      assert.deepEqual(r.data.accounts, [
        { id: 42, name: "CUSTOM", balance: 150_000, canTrade: true, isVisible: true, simulated: false },
      ]);
    });
  });
});
