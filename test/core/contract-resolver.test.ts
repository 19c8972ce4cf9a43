import { strict as assert } from "node:assert";
import { ContractResolver, UnknownSymbolError } from "../../src/core/contracts/contract-resolver";
import { simulatorEndpoints } from "../../src/core/gateway/environments";
import { GatewayApi } from "../../src/core/gateway/gateway-api";
import { RestClient } from "../../src/core/gateway/rest-client";
import type { Simulator } from "../../src/sim";
import { startTestSim, USER } from "../support/sim";

describe("core: contract resolver", () => {
  let sim: Simulator;
  let resolver: ContractResolver;
  let rest: RestClient;
  const now = () => Date.parse("2026-11-25T15:00:00Z");

  before(async () => {
    sim = await startTestSim({ now });
    rest = new RestClient({ endpoints: simulatorEndpoints(sim.restUrl), credentials: USER });
    resolver = new ContractResolver(new GatewayApi(rest, { now }), { now });
  });
  after(async () => {
    rest.close();
    await sim.close();
  });

  for (const [symbol, id] of [
    ["MNQ1!", "CON.F.US.MNQ.Z26"],
    ["mnq", "CON.F.US.MNQ.Z26"],
    ["CME_MINI:MNQ1!", "CON.F.US.MNQ.Z26"],
    ["MNQZ2026", "CON.F.US.MNQ.Z26"],
    ["MNQZ26", "CON.F.US.MNQ.Z26"],
    ["MNQH7", "CON.F.US.MNQ.H27"],
    ["ES1!", "CON.F.US.EP.Z26"],
    ["NQ", "CON.F.US.ENQ.Z26"],
    ["NYMEX:CL1!", "CON.F.US.CLE.F27"],
    ["GC1!", "CON.F.US.GCE.G27"],
    ["M2K1!", "CON.F.US.M2K.Z26"],
    ["CON.F.US.MYM.Z26", "CON.F.US.MYM.Z26"],
  ] as const) {
    it(`resolves ${symbol} to ${id}`, async () => {
      const c = await resolver.resolve(symbol);
      assert.equal(c.id, id);
    });
  }

  it("returns tick size and value with the contract", async () => {
    const c = await resolver.resolve("MNQ1!");
    assert.equal(c.tickSize, 0.25);
    assert.equal(c.tickValue, 0.5);
    assert.equal(resolver.cached(c.id)?.name, "MNQZ6");
  });

  it("names the symbol and gives a hint when it is unknown", async () => {
    await assert.rejects(
      resolver.resolve("FOO1!"),
      (e: Error) => e instanceof UnknownSymbolError && /"FOO1!"/.test(e.message) && /MNQ1!/.test(e.message),
    );
    await assert.rejects(resolver.resolve("MNQ2!"), /only the front month/);
    await assert.rejects(resolver.resolve("CON.F.US.NOPE.Z26"), UnknownSymbolError);
    await assert.rejects(resolver.resolve(""), UnknownSymbolError);
  });
});
