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
    // Every class TopstepX lists, as TradingView writes it.
    ["6E1!", "CON.F.US.EU6.Z26"],
    ["CME:6J1!", "CON.F.US.JY6.Z26"],
    ["6JH2027", "CON.F.US.JY6.H27"],
    ["M6E1!", "CON.F.US.M6E.Z26"],
    ["E71!", "CON.F.US.EEU.Z26"],
    ["ZN1!", "CON.F.US.TYA.H27"],
    ["CBOT:ZB1!", "CON.F.US.USA.H27"],
    ["ZNZ26", "CON.F.US.TYA.Z26"],
    ["UB1!", "CON.F.US.ULA.H27"],
    ["SR31!", "CON.F.US.SR3.H27"],
    ["NKD1!", "CON.F.US.NKD.Z26"],
    ["MBT1!", "CON.F.US.MBT.Z26"],
    ["CME:MET1!", "CON.F.US.GMET.Z26"],
    ["NYMEX:NG1!", "CON.F.US.NGE.F27"],
    ["QM1!", "CON.F.US.NQM.F27"],
    ["COMEX:SI1!", "CON.F.US.SIE.H27"],
    ["HG1!", "CON.F.US.CPE.H27"],
    ["CBOT:ZC1!", "CON.F.US.ZCE.H27"],
    ["ZS", "CON.F.US.ZSE.F27"],
    ["CME:HE1!", "CON.F.US.HE.G27"],
    ["LE1!", "CON.F.US.GLE.Z26"],
    ["GF1!", "CON.F.US.GF.F27"],
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

  it("returns the tiny ticks of 6J and the 64ths of ZN with their contracts", async () => {
    const yen = await resolver.resolve("6J1!");
    assert.deepEqual([yen.tickSize, yen.tickValue, yen.name], [0.0000005, 6.25, "6JZ6"]);
    const note = await resolver.resolve("ZN1!");
    assert.deepEqual([note.tickSize, note.tickValue, note.name], [0.015625, 15.625, "ZNH7"]);
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
