import { strict as assert } from "node:assert";
import { marketOf } from "../../src/core/contracts/products";
import { hedgeRefusal } from "../../src/core/rules/cross-account";

const MNQ = "CON.F.US.MNQ.Z26";
const NQ = "CON.F.US.ENQ.Z26";
const MES = "CON.F.US.MES.Z26";
const flat = { positions: [], workingOrders: [] };
const other = (contractId: string, size: number) => [{ accountId: 2, name: "XFA", positions: [{ contractId, size }] }];

describe("core: cross-account hedge", () => {
  it("reads a mini and its micro as one market", () => {
    assert.equal(marketOf(MNQ), "NQ");
    assert.equal(marketOf(NQ), "NQ");
    assert.equal(marketOf(MES), "ES");
    assert.equal(marketOf("CON.F.US.MCLE.F27"), "CL");
  });

  it("refuses the other side of another account's position, in mini or micro", () => {
    const place = (contractId: string, quantity: number) => ({ action: "place" as const, contractId, quantity });
    assert.equal(hedgeRefusal(place(NQ, -1), flat, other(MNQ, 2), 10)?.rule, "crossAccountHedge");
    assert.equal(hedgeRefusal(place(MNQ, 1), flat, other(NQ, -1), 10)?.rule, "crossAccountHedge");
    assert.equal(hedgeRefusal(place(MNQ, 1), flat, other(MNQ, 2), 10), null, "the same side");
    assert.equal(hedgeRefusal(place(MES, -1), flat, other(MNQ, 2), 10), null, "another market");
  });

  it("judges where this account ends up: an order that only brings it flat is no hedge", () => {
    const long = { positions: [{ contractId: MNQ, size: 2 }], workingOrders: [] };
    const place = { action: "place" as const, contractId: MNQ, quantity: -2 };
    assert.equal(hedgeRefusal(place, long, other(MNQ, -1), 10), null);
  });
});
