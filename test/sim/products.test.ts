import { strict as assert } from "node:assert";
import type { AxiosInstance } from "axios";
import { productOf } from "../../src/core/contracts/products";
import { isOnTick } from "../../src/core/money/tick-grid";
import { PRODUCTS, type Simulator } from "../../src/sim";
import { ACCOUNT, login, restClient, setPrice, startTestSim } from "../support/sim";
import { BUY, call, getOrder, place, placeOk, resetSim, S, SELL, T, tradesOf } from "../support/trading";

interface ContractRow {
  id: string;
  name: string;
  description: string;
  tickSize: number;
  tickValue: number;
  activeContract: boolean;
  symbolId: string;
}

/**
 * Symbol → [ProjectX root, tick size, tick value, front month on 2026-11-25], written from CME's
 * contract specs and the roots the gateway's docs and clients show (src/sim/products.ts), not
 * copied from the simulator's table.
 */
const LIVE: Record<string, [string, number, number, string]> = {
  ES: ["EP", 0.25, 12.5, "Z26"],
  MES: ["MES", 0.25, 1.25, "Z26"],
  NQ: ["ENQ", 0.25, 5, "Z26"],
  MNQ: ["MNQ", 0.25, 0.5, "Z26"],
  YM: ["YM", 1, 5, "Z26"],
  MYM: ["MYM", 1, 0.5, "Z26"],
  RTY: ["RTY", 0.1, 5, "Z26"],
  M2K: ["M2K", 0.1, 0.5, "Z26"],
  EMD: ["EMD", 0.1, 10, "Z26"],
  NKD: ["NKD", 5, 25, "Z26"],
  MBT: ["MBT", 5, 0.5, "Z26"],
  MET: ["GMET", 0.5, 0.05, "Z26"],
  "6A": ["DA6", 0.00005, 5, "Z26"],
  "6B": ["BP6", 0.0001, 6.25, "Z26"],
  "6C": ["CA6", 0.00005, 5, "Z26"],
  "6E": ["EU6", 0.00005, 6.25, "Z26"],
  "6J": ["JY6", 0.0000005, 6.25, "Z26"],
  "6S": ["SF6", 0.00005, 6.25, "Z26"],
  "6M": ["MX6", 0.00001, 5, "Z26"],
  "6N": ["NE6", 0.00005, 5, "Z26"],
  E7: ["EEU", 0.0001, 6.25, "Z26"],
  M6E: ["M6E", 0.0001, 1.25, "Z26"],
  M6A: ["M6A", 0.0001, 1, "Z26"],
  M6B: ["M6B", 0.0001, 0.625, "Z26"],
  MCD: ["GMCD", 0.0001, 1, "Z26"],
  // Treasuries roll in the days before December's first notice (30 November).
  ZT: ["TUA", 0.00390625, 7.8125, "H27"],
  ZF: ["FVA", 0.0078125, 7.8125, "H27"],
  ZN: ["TYA", 0.015625, 15.625, "H27"],
  TN: ["TNA", 0.015625, 15.625, "H27"],
  ZB: ["USA", 0.03125, 31.25, "H27"],
  UB: ["ULA", 0.03125, 31.25, "H27"],
  // SOFR's active contract is the one whose reference quarter has not begun.
  SR3: ["SR3", 0.005, 12.5, "H27"],
  CL: ["CLE", 0.01, 10, "F27"],
  MCL: ["MCLE", 0.01, 1, "F27"],
  QM: ["NQM", 0.025, 12.5, "F27"],
  NG: ["NGE", 0.001, 10, "F27"],
  QG: ["NQG", 0.005, 12.5, "F27"],
  MNG: ["MNG", 0.001, 1, "F27"],
  RB: ["RBE", 0.0001, 4.2, "F27"],
  HO: ["HOE", 0.0001, 4.2, "F27"],
  GC: ["GCE", 0.1, 10, "G27"],
  MGC: ["MGC", 0.1, 1, "G27"],
  SI: ["SIE", 0.005, 25, "H27"],
  SIL: ["SIL", 0.005, 5, "H27"],
  HG: ["CPE", 0.0005, 12.5, "H27"],
  MHG: ["MHG", 0.0005, 1.25, "H27"],
  PL: ["PLE", 0.1, 5, "F27"],
  ZC: ["ZCE", 0.25, 12.5, "H27"],
  ZS: ["ZSE", 0.25, 12.5, "F27"],
  ZW: ["ZWA", 0.25, 12.5, "H27"],
  ZL: ["ZLE", 0.01, 6, "F27"],
  ZM: ["ZME", 0.1, 10, "F27"],
  HE: ["HE", 0.025, 10, "G27"],
  // December cattle trade to the month's end; volume leaves it only at November's end.
  LE: ["GLE", 0.025, 10, "Z26"],
  GF: ["GF", 0.025, 12.5, "F27"],
};

const MICROS = [
  "MES",
  "MNQ",
  "MYM",
  "M2K",
  "MBT",
  "MET",
  "M6E",
  "M6A",
  "M6B",
  "MCD",
  "MCL",
  "MNG",
  "MGC",
  "SIL",
  "MHG",
];

describe("simulator: the products TopstepX lists", () => {
  let sim: Simulator;
  let api: AxiosInstance;
  let rows: ContractRow[];
  const clock = Date.parse("2026-11-25T15:00:00Z");
  const front = (symbol: string) => `CON.F.US.${LIVE[symbol]![0]}.${LIVE[symbol]![3]}`;

  before(async () => {
    sim = await startTestSim({ now: () => clock, rateLimits: { enabled: false } });
    ({ api } = await login(sim));
    rows = (await call<{ contracts: ContractRow[] }>(api, "/api/Contract/available", { live: false })).contracts;
  });
  after(() => sim.close());
  afterEach(() => resetSim(sim));

  it("lists about fifty front months with ProjectX roots and CME tick sizes and values", () => {
    assert.equal(rows.length, Object.keys(LIVE).length);
    assert.ok(rows.length >= 50, `${rows.length} products`);
    for (const [symbol, [root, tickSize, tickValue]] of Object.entries(LIVE)) {
      const c = rows.find((r) => r.symbolId === `F.US.${root}`);
      assert.ok(c, `${symbol} (root ${root}) is missing`);
      assert.equal(c.id, front(symbol), symbol);
      assert.equal(c.name, `${symbol}${LIVE[symbol]![3][0]}${LIVE[symbol]![3][2]}`, symbol);
      assert.equal(c.tickSize, tickSize, `${symbol} tickSize`);
      assert.equal(c.tickValue, tickValue, `${symbol} tickValue`);
      assert.equal(c.activeContract, true, symbol);
    }
  });

  it("finds every product by id and by search text, as live: NQ also finds QM's NQM and QG's NQG", async () => {
    for (const symbol of Object.keys(LIVE)) {
      const r = await call<{ contract: ContractRow | null }>(api, "/api/Contract/searchById", {
        contractId: front(symbol),
      });
      assert.equal(r.contract?.id, front(symbol), symbol);
    }
    const nq = await call<{ contracts: ContractRow[] }>(api, "/api/Contract/search", { searchText: "NQ", live: false });
    const roots = new Set(nq.contracts.map((c) => c.symbolId));
    assert.deepEqual([...roots].sort(), ["F.US.ENQ", "F.US.MNQ", "F.US.NQG", "F.US.NQM"]);
    const yen = await call<{ contracts: ContractRow[] }>(api, "/api/Contract/search", {
      searchText: "yen",
      live: false,
    });
    assert.ok(yen.contracts.length > 0 && yen.contracts.every((c) => c.symbolId === "F.US.JY6"));
  });

  it("quotes every product on its own tick grid at a plausible level", async () => {
    for (const symbol of Object.keys(LIVE)) {
      const id = front(symbol);
      const bars = await call<{ bars: { c: number }[] }>(api, "/api/History/retrieveBars", {
        contractId: id,
        live: false,
        startTime: "2026-11-25T13:00:00Z",
        endTime: "2026-11-25T15:00:00Z",
        unit: 3,
        unitNumber: 1,
        limit: 2,
        includePartialBar: true,
      });
      // Grains and livestock open at 08:30 CT, within the window's last hour: one bar for them.
      assert.ok(bars.bars.length >= 1, symbol);
      const price = bars.bars[0]!.c;
      const [, tickSize] = LIVE[symbol]!;
      assert.ok(isOnTick(price, tickSize), `${symbol} ${price} is off its ${tickSize} grid`);
      const base = PRODUCTS.find((p) => p.symbol === symbol)!.basePrice;
      assert.ok(price > base * 0.7 && price < base * 1.3, `${symbol} at ${price}, far from ${base}`);
    }
  });

  for (const [symbol, price, up, ticks, tickValue] of [
    ["6J", 0.00645, 0.0064575, 15, 6.25],
    ["ZN", 112.5, 112.75, 16, 15.625],
    ["ZB", 117, 117.5, 16, 31.25],
    ["ZT", 104, 104.0625, 16, 7.8125],
  ] as const) {
    it(`fills a round trip of market orders in ${symbol} on its grid and books ticks × ${tickValue}`, async () => {
      const id = front(symbol);
      const tick = LIVE[symbol]![1];
      await setPrice(sim, id, price);
      const buy = await placeOk(api, { accountId: ACCOUNT, contractId: id, type: T.Market, side: BUY, size: 2 });
      const bought = await getOrder(api, ACCOUNT, buy);
      assert.equal(bought.status, S.Filled);
      assert.ok(isOnTick(bought.filledPrice!, tick), `${symbol} bought at ${bought.filledPrice}`);
      // Bought at the ask, one tick above the price; sold at the bid, the new price.
      assert.equal(bought.filledPrice, Number((price + tick).toFixed(9)));
      await setPrice(sim, id, up);
      const sell = await placeOk(api, { accountId: ACCOUNT, contractId: id, type: T.Market, side: SELL, size: 2 });
      assert.equal((await getOrder(api, ACCOUNT, sell)).filledPrice, up);
      const closing = (await tradesOf(api, ACCOUNT)).find((t) => t.orderId === sell)!;
      assert.equal(closing.profitAndLoss, Math.round((ticks - 1) * tickValue * 2 * 100) / 100);
      const fee = PRODUCTS.find((p) => p.symbol === symbol)!.feePerSide;
      assert.equal(closing.fees, Math.round(fee * 2 * 100) / 100);
    });
  }

  it("refuses a 6J price off its half-tenth-of-a-pip grid, naming the tick", async () => {
    const r = await restClient(sim).post("/sim/price", { contractId: front("6J"), price: 0.00645033 });
    assert.equal(r.status, 400);
    assert.match(r.data.error, /tick 5e-7/);
  });

  it("trades a month after its roll until its own last trading day: ZN's December, SR3's September, not SR3's June", async () => {
    for (const contractId of ["CON.F.US.TYA.Z26", "CON.F.US.SR3.U26", "CON.F.US.SR3.Z26"]) {
      const r = await call<{ contract: ContractRow }>(api, "/api/Contract/searchById", { contractId });
      assert.equal(r.contract.activeContract, false, contractId);
      await placeOk(api, { accountId: ACCOUNT, contractId, type: T.Market, side: BUY, size: 1 });
    }
    const june = await place(api, {
      accountId: ACCOUNT,
      contractId: "CON.F.US.SR3.M26",
      type: T.Market,
      side: BUY,
      size: 1,
    });
    assert.deepEqual([june.success, june.errorMessage], [false, "Contract is not active."]);
  });

  it("has a fee for every product, and our core knows each root: its symbol, micro or not, the same fee", () => {
    for (const p of PRODUCTS) {
      assert.ok(p.feePerSide > 0, `${p.symbol} has no fee`);
      const facts = productOf(`CON.F.US.${p.root}.Z26`);
      assert.equal(facts.symbol, p.symbol, p.root);
      assert.equal(facts.micro, MICROS.includes(p.symbol), `${p.symbol} micro`);
      assert.equal(facts.feePerSide, p.feePerSide, `${p.symbol} fee`);
    }
  });
});
