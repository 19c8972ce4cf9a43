import { strict as assert } from "node:assert";
import type { Simulator } from "../../src/sim";
import { login, restClient, startTestSim, USER } from "../support/sim";

describe("simulator: authentication", () => {
  let sim: Simulator;
  let clock = Date.parse("2026-11-25T15:00:00Z");

  before(async () => {
    sim = await startTestSim({ now: () => clock, tokenTtlSeconds: 3600 });
  });
  after(() => sim.close());

  it("logs in with userName and apiKey and returns a JWT-shaped token", async () => {
    const r = await restClient(sim).post("/api/Auth/loginKey", USER);
    assert.equal(r.status, 200);
    assert.deepEqual(
      { ...r.data, token: typeof r.data.token },
      { token: "string", success: true, errorCode: 0, errorMessage: null },
    );
    const payload = JSON.parse(Buffer.from(r.data.token.split(".")[1], "base64url").toString());
    assert.equal(payload.exp - payload.iat, 3600);
  });

  it("refuses a wrong API key with errorCode 3 (InvalidCredentials) and HTTP 200", async () => {
    const r = await restClient(sim).post("/api/Auth/loginKey", { userName: USER.userName, apiKey: "wrong" });
    assert.equal(r.status, 200);
    assert.deepEqual(r.data, { token: null, success: false, errorCode: 3, errorMessage: null });
  });

  it("answers a body without apiKey with HTTP 400 ProblemDetails naming the field", async () => {
    const r = await restClient(sim).post("/api/Auth/loginKey", { userName: "trader" });
    assert.equal(r.status, 400);
    assert.equal(r.data.status, 400);
    assert.deepEqual(r.data.errors.ApiKey, ["The ApiKey field is required."]);
  });

  it("answers a body that is not JSON with 400 and a non-JSON content type with 415", async () => {
    const bad = await restClient(sim).post("/api/Auth/loginKey", "{nope", {
      headers: { "content-type": "application/json" },
    });
    assert.equal(bad.status, 400);
    const text = await restClient(sim).post("/api/Auth/loginKey", "userName=trader", {
      headers: { "content-type": "text/plain" },
    });
    assert.equal(text.status, 415);
  });

  it("requires a bearer token on every other endpoint", async () => {
    const r = await restClient(sim).post("/api/Account/search", { onlyActiveAccounts: true });
    assert.equal(r.status, 401);
    const forged = await restClient(sim, "a.b.c").post("/api/Account/search", { onlyActiveAccounts: true });
    assert.equal(forged.status, 401);
  });

  it("renews a session through Auth/validate, and the new token works", async () => {
    const { api } = await login(sim);
    const v = await api.post("/api/Auth/validate");
    assert.equal(v.data.success, true);
    assert.equal(typeof v.data.newToken, "string");
    const r = await restClient(sim, v.data.newToken).post("/api/Account/search", { onlyActiveAccounts: true });
    assert.equal(r.data.success, true);
  });

  it("expires tokens after their lifetime: 401 on REST, validate refused, a new login works", async () => {
    const { api } = await login(sim);
    assert.equal((await api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 200);
    clock += 3600_000;
    assert.equal((await api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 401);
    assert.equal((await api.post("/api/Auth/validate")).status, 401);
    const again = await login(sim);
    assert.equal((await again.api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 200);
  });

  it("keeps older tokens valid after a new login, and revokes one on logout", async () => {
    const a = await login(sim);
    const b = await login(sim);
    assert.equal((await a.api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 200);
    assert.equal((await b.api.post("/api/Auth/logout")).data.success, true);
    assert.equal((await b.api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 401);
    assert.equal((await a.api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 200);
  });

  it("expires every token at once through POST /sim/tokens/expire", async () => {
    const { api } = await login(sim);
    const r = await restClient(sim).post("/sim/tokens/expire");
    assert.ok(r.data.expired >= 1);
    assert.equal((await api.post("/api/Account/search", { onlyActiveAccounts: true })).status, 401);
  });
});
