import { strict as assert } from "node:assert";
import { closingFees, exposure, miniEquivalent } from "../../src/core/rules/rules-engine";
import type { Simulator } from "../../src/sim";
import { login, startTestSim } from "../support/sim";
import { call } from "../support/trading";

/**
 * The rules engine weighs every product the gateway lists: a micro counts a tenth of a contract
 * against the position limit, anything else in full, and closing it costs its fee.
 */
describe("core: every listed product weighed by the rules", () => {
  let sim: Simulator;
  let contracts: { id: string; name: string; description: string }[];

  before(async () => {
    sim = await startTestSim({ now: () => Date.parse("2026-11-25T15:00:00Z") });
    const { api } = await login(sim);
    contracts = (await call<{ contracts: typeof contracts }>(api, "/api/Contract/available", { live: false }))
      .contracts;
  });
  after(() => sim.close());

  it("counts the micros (the gateway calls them Micro or E-Micro) as a tenth, every other product in full", () => {
    assert.ok(contracts.length >= 50);
    const micros = contracts.filter((c) => /\bMicro\b|E-Micro/.test(c.description)).map((c) => c.name.slice(0, -2));
    assert.deepEqual(micros.sort(), [
      "M2K",
      "M6A",
      "M6B",
      "M6E",
      "MBT",
      "MCD",
      "MCL",
      "MES",
      "MET",
      "MGC",
      "MHG",
      "MNG",
      "MNQ",
      "MYM",
      "SIL",
    ]);
    for (const c of contracts) {
      const micro = micros.includes(c.name.slice(0, -2));
      assert.equal(miniEquivalent(c.id, -10, 10), micro ? 1 : 10, c.name);
    }
  });

  it("weighs a mix across classes: 1 6E + 1 ZN + 1 QM + 10 M6E + 10 MBT = 5, one MET more = 5.1", () => {
    const id = (symbol: string) => contracts.find((c) => c.name.slice(0, -2) === symbol)!.id;
    const positions = [
      { contractId: id("6E"), size: 1 },
      { contractId: id("ZN"), size: -1 },
      { contractId: id("QM"), size: 1 },
      { contractId: id("M6E"), size: 10 },
      { contractId: id("MBT"), size: -10 },
    ];
    assert.equal(exposure({ positions, workingOrders: [] }, 10), 5);
    assert.equal(exposure({ positions, workingOrders: [] }, 10, { contractId: id("MET"), size: 1 }), 5.1);
  });

  it("estimates a closing fee for every listed product", () => {
    for (const c of contracts) {
      assert.ok(closingFees([{ contractId: c.id, size: 2 }]) > 0, `${c.name} closes for free`);
    }
  });
});
