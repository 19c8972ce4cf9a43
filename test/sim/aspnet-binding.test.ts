import { strict as assert } from "node:assert";
import type { AxiosInstance } from "axios";
import type { Simulator } from "../../src/sim";
import { ACCOUNT, frontMonth, login, restClient, SECOND_ACCOUNT, setPrice, startTestSim, USER } from "../support/sim";

/** Posts a raw text body with the given Content-Type (no axios serialisation). */
const postRaw = (api: AxiosInstance, path: string, body: string, type?: string) =>
  api.post(path, body, { headers: type ? { "content-type": type } : {}, transformRequest: [(d) => d] });

describe("simulator: request binding as ASP.NET Core's web defaults do it", () => {
  let sim: Simulator;
  let api: AxiosInstance;
  let mnq: string;

  before(async () => {
    sim = await startTestSim();
  });
  beforeEach(async () => {
    await restClient(sim).post("/sim/reset", {});
    ({ api } = await login(sim));
    mnq = (await frontMonth(api, "MNQ")).id;
    await setPrice(sim, mnq, 25_000);
  });
  after(() => sim.close());

  const openOrders = async () => (await api.post("/api/Order/searchOpen", { accountId: ACCOUNT })).data.orders;

  it("binds PascalCase and mixed-case property names", async () => {
    const r = await restClient(sim).post("/api/Auth/loginKey", { UserName: USER.userName, APIKEY: USER.apiKey });
    assert.equal(r.status, 200);
    assert.equal(r.data.success, true);
    const placed = await api.post("/api/Order/place", {
      AccountId: ACCOUNT,
      ContractId: mnq,
      Type: 1,
      Side: 0,
      Size: 2,
      LimitPrice: 20_000.25,
      CustomTag: "pascal-1",
    });
    assert.equal(placed.data.success, true, JSON.stringify(placed.data));
    const [o] = await openOrders();
    assert.deepEqual([o.size, o.limitPrice, o.customTag], [2, 20_000.25, "pascal-1"]);
  });

  it("reads numbers written as JSON strings, but not enums, booleans or malformed numbers", async () => {
    const placed = await api.post("/api/Order/place", {
      accountId: String(ACCOUNT),
      contractId: mnq,
      type: 1,
      side: 0,
      size: "3",
      limitPrice: "20000.50",
    });
    assert.equal(placed.data.success, true, JSON.stringify(placed.data));
    const [o] = await openOrders();
    assert.deepEqual([o.accountId, o.size, o.limitPrice], [ACCOUNT, 3, 20_000.5]);

    const refused = async (body: Record<string, unknown>, key: string) => {
      const r = await api.post("/api/Order/place", {
        accountId: ACCOUNT,
        contractId: mnq,
        type: 2,
        side: 0,
        size: 1,
        ...body,
      });
      assert.equal(r.status, 400, JSON.stringify(body));
      assert.deepEqual(Object.keys(r.data.errors), [key], JSON.stringify(r.data.errors));
    };
    await refused({ type: "2" }, "$.type"); // an enum: numbers only
    await refused({ side: "0" }, "$.side");
    await refused({ size: "2.5" }, "$.size"); // not an integer
    await refused({ size: " 2" }, "$.size"); // no blanks around the digits
    await refused({ limitPrice: "NaN", type: 1 }, "$.limitPrice");
    const live = await api.post("/api/Contract/available", { live: "false" });
    assert.equal(live.status, 400);
    assert.deepEqual(Object.keys(live.data.errors), ["$.live"]);
    assert.equal((await openOrders()).length, 1, "no refused request placed an order");
  });

  it("takes application/json, text/json and application/*+json, with a charset; 415 for anything else", async () => {
    const body = JSON.stringify({ onlyActiveAccounts: true });
    for (const type of ["application/json", "text/json", "TEXT/JSON; charset=utf-8", "application/vnd.api+json"]) {
      const r = await postRaw(api, "/api/Account/search", body, type);
      assert.equal(r.status, 200, type);
      assert.equal(r.data.success, true, type);
    }
    for (const type of ["text/plain", "application/x-www-form-urlencoded", "application/jsonx", undefined]) {
      assert.equal((await postRaw(api, "/api/Account/search", body, type)).status, 415, String(type));
    }
  });

  it("binds a missing non-nullable bool as false: `live` and `onlyActiveAccounts` may be left out", async () => {
    const search = await api.post("/api/Contract/search", { searchText: "MNQ" });
    assert.equal(search.status, 200);
    assert.ok(search.data.contracts.some((c: { id: string }) => c.id === mnq));
    const available = await api.post("/api/Contract/available", {});
    assert.equal(available.status, 200);
    assert.ok(available.data.contracts.length > 0);
    await restClient(sim).post("/sim/account", { accountId: SECOND_ACCOUNT, active: false });
    const all = await api.post("/api/Account/search", {});
    assert.equal(all.status, 200);
    assert.ok(
      all.data.accounts.some((a: { id: number }) => a.id === SECOND_ACCOUNT),
      "onlyActiveAccounts bound false: the inactive account is listed",
    );
    const now = Date.parse((await restClient(sim).get("/sim/state")).data.now);
    const bars = await api.post("/api/History/retrieveBars", {
      contractId: mnq,
      startTime: new Date(now - 3_600_000).toISOString(),
      endTime: new Date(now).toISOString(),
      unit: 2,
      unitNumber: 1,
      limit: 10,
    });
    assert.equal(bars.status, 200);
    assert.equal(bars.data.success, true);
  });

  it("binds a missing non-nullable number as 0 and answers with the endpoint's own error, not a 400", async () => {
    const open = await api.post("/api/Order/searchOpen", {});
    assert.equal(open.status, 200);
    assert.deepEqual([open.data.success, open.data.errorCode], [false, 1], "account 0 is not found");
    // A missing size is 0: refused by the exchange (errorCode 2), never an order.
    const sizeless = await api.post("/api/Order/place", { accountId: ACCOUNT, contractId: mnq, type: 2, side: 0 });
    assert.equal(sizeless.status, 200);
    assert.deepEqual([sizeless.data.success, sizeless.data.errorCode], [false, 2]);
    assert.deepEqual((await api.post("/api/Order/search", { accountId: ACCOUNT })).data.orders, []);
    // A missing side is 0, a buy, as on the live gateway.
    const placed = await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: mnq,
      type: 1,
      size: 1,
      limitPrice: 20_000,
    });
    assert.equal(placed.data.success, true, JSON.stringify(placed.data));
    assert.equal((await openOrders())[0].side, 0);
  });

  it("leaves nullable fields null: a modify without size keeps the size", async () => {
    const placed = await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: mnq,
      type: 1,
      side: 0,
      size: 2,
      limitPrice: 20_000,
    });
    const modified = await api.post("/api/Order/modify", {
      AccountId: ACCOUNT,
      OrderId: placed.data.orderId,
      LimitPrice: "20001",
    });
    assert.equal(modified.data.success, true, JSON.stringify(modified.data));
    const [o] = await openOrders();
    assert.deepEqual([o.size, o.limitPrice], [2, 20_001]);
  });

  it("binds a missing DateTime as DateTime.MinValue: Order/search without startTimestamp lists everything", async () => {
    await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: mnq,
      type: 1,
      side: 0,
      size: 1,
      limitPrice: 20_000,
    });
    const r = await api.post("/api/Order/search", { accountId: ACCOUNT });
    assert.equal(r.status, 200);
    assert.equal(r.data.orders.length, 1);
  });

  it("still requires strings and objects, refuses null for a value type, and answers unreadable bodies with ProblemDetails", async () => {
    const noContract = await api.post("/api/Order/place", { accountId: ACCOUNT, type: 2, side: 0, size: 1 });
    assert.equal(noContract.status, 400);
    assert.deepEqual(noContract.data.errors, { ContractId: ["The ContractId field is required."] });
    const nullContract = await api.post("/api/Contract/searchById", { contractId: null });
    assert.deepEqual(nullContract.data.errors, { ContractId: ["The ContractId field is required."] });
    const noFilter = await api.post("/api/Order/v2/query", {});
    assert.deepEqual(Object.keys(noFilter.data.errors), ["Filter"]);
    const nullBool = await api.post("/api/Contract/available", { live: null });
    assert.equal(nullBool.status, 400);
    assert.deepEqual(Object.keys(nullBool.data.errors), ["$.live"]);
    const notObject = await postRaw(api, "/api/Contract/available", "[]", "application/json");
    assert.equal(notObject.status, 400);
    assert.deepEqual(Object.keys(notObject.data.errors), ["$"]);
    const empty = await postRaw(api, "/api/Contract/available", "", "application/json");
    assert.equal(empty.status, 400);
    assert.deepEqual(empty.data.errors, { "": ["A non-empty request body is required."] });
    const broken = await postRaw(api, "/api/Contract/available", "{live:", "text/json");
    assert.equal(broken.status, 400);
    assert.deepEqual(Object.keys(broken.data.errors).sort(), ["$", "request"]);
    assert.equal((await openOrders()).length, 0);
  });
});
