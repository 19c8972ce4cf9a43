/**
 * What the rules need to know of a product beyond tick size and value: its trading symbol, whether
 * it is a micro (weighted 1/10 of a mini on TopstepX), and a typical fee per side to estimate the
 * cost of closing open positions.
 */
export interface ProductFacts {
  symbol: string;
  micro: boolean;
  feePerSide: number;
}

/**
 * By ProjectX root (docs/projectx-gateway.md §7; the simulator's src/sim/products.ts says where each
 * root is confirmed). Micros are what TopstepX counts as a tenth of a contract: the equity, energy,
 * metal and FX micros (Micro Silver too, though a fifth of SI in size), and the crypto micros, which
 * have no full-size contract there. E-mini crude and gas (QM, QG) and E-mini euro (E7) count in full.
 * Fees per side are Topstep-like estimates, used only to estimate the cost of closing.
 */
const FACTS: Record<string, ProductFacts> = Object.fromEntries(
  (
    [
      ["EP", "ES", false, 1.4],
      ["MES", "MES", true, 0.37],
      ["ENQ", "NQ", false, 1.4],
      ["MNQ", "MNQ", true, 0.37],
      ["YM", "YM", false, 1.4],
      ["MYM", "MYM", true, 0.37],
      ["RTY", "RTY", false, 1.4],
      ["M2K", "M2K", true, 0.37],
      ["EMD", "EMD", false, 1.4],
      ["NKD", "NKD", false, 1.9],
      ["MBT", "MBT", true, 2.52],
      ["GMET", "MET", true, 0.22],
      ["DA6", "6A", false, 1.55],
      ["BP6", "6B", false, 1.55],
      ["CA6", "6C", false, 1.55],
      ["EU6", "6E", false, 1.55],
      ["JY6", "6J", false, 1.55],
      ["SF6", "6S", false, 1.55],
      ["MX6", "6M", false, 1.55],
      ["NE6", "6N", false, 1.55],
      ["EEU", "E7", false, 0.87],
      ["M6E", "M6E", true, 0.26],
      ["M6A", "M6A", true, 0.26],
      ["M6B", "M6B", true, 0.26],
      ["GMCD", "MCD", true, 0.26],
      ["TUA", "ZT", false, 1.0],
      ["FVA", "ZF", false, 1.0],
      ["TYA", "ZN", false, 1.1],
      ["TNA", "TN", false, 1.1],
      ["USA", "ZB", false, 1.25],
      ["ULA", "UB", false, 1.35],
      ["SR3", "SR3", false, 1.0],
      ["CLE", "CL", false, 1.52],
      ["MCLE", "MCL", true, 0.52],
      ["NQM", "QM", false, 1.22],
      ["NGE", "NG", false, 1.62],
      ["NQG", "QG", false, 0.82],
      ["MNG", "MNG", true, 0.52],
      ["RBE", "RB", false, 1.62],
      ["HOE", "HO", false, 1.62],
      ["GCE", "GC", false, 1.62],
      ["MGC", "MGC", true, 0.62],
      ["SIE", "SI", false, 1.62],
      ["SIL", "SIL", true, 0.82],
      ["CPE", "HG", false, 1.62],
      ["MHG", "MHG", true, 0.62],
      ["PLE", "PL", false, 1.62],
      ["ZCE", "ZC", false, 2.12],
      ["ZSE", "ZS", false, 2.12],
      ["ZWA", "ZW", false, 2.12],
      ["ZLE", "ZL", false, 2.12],
      ["ZME", "ZM", false, 2.12],
      ["HE", "HE", false, 2.12],
      ["GLE", "LE", false, 2.12],
      ["GF", "GF", false, 2.12],
    ] as const
  ).map(([root, symbol, micro, feePerSide]) => [root, { symbol, micro, feePerSide }]),
);

/**
 * The symbol of the market a product trades, where its micro or E-mini differs from it: a long in one
 * and a short in the other are the same market's two sides (cross-account hedging counts them as one).
 */
const MARKET_OF: Record<string, string> = {
  MES: "ES",
  MNQ: "NQ",
  MYM: "YM",
  M2K: "RTY",
  MCL: "CL",
  QM: "CL",
  MNG: "NG",
  QG: "NG",
  MGC: "GC",
  SIL: "SI",
  MHG: "HG",
  M6E: "6E",
  E7: "6E",
  M6A: "6A",
  M6B: "6B",
  MCD: "6C",
};

/** The market a contract's product trades, one symbol for a mini and its micro (MES → ES, MNQ → NQ). */
export function marketOf(contractId: string): string {
  const symbol = productOf(contractId).symbol;
  return MARKET_OF[symbol] ?? symbol;
}

/** The ProjectX root of a contract id: `CON.F.US.MNQ.Z26` → `MNQ`. */
export function rootOf(contractId: string): string {
  return contractId.split(".")[3] ?? contractId;
}

/** Facts about the product of a contract id; unknown roots count as full-size contracts. */
export function productOf(contractId: string): ProductFacts {
  const root = rootOf(contractId);
  return FACTS[root] ?? { symbol: root, micro: false, feePerSide: 0 };
}

/**
 * The ProjectX root of the micro that trades the same market as a full-size contract (ENQ → MNQ,
 * EP → MES, CLE → MCLE), or undefined when the contract is a micro already or its market has none.
 */
export function microRootOf(contractId: string): string | undefined {
  if (productOf(contractId).micro) return undefined;
  const market = marketOf(contractId);
  return Object.keys(FACTS).find((root) => FACTS[root]!.micro && MARKET_OF[FACTS[root]!.symbol] === market);
}

/** The trading symbols of the products this package knows (`MNQ`, `ES`, `CL`…), sorted. */
export function knownSymbols(): string[] {
  return [...new Set(Object.values(FACTS).map((f) => f.symbol))].sort();
}

/** The ProjectX root of a trading symbol (`ES` → `EP`, `MNQ` → `MNQ`); the symbol itself when no root is known. */
export function rootOfSymbol(symbol: string): string {
  const s = symbol.toUpperCase();
  if (FACTS[s]) return s;
  return Object.keys(FACTS).find((root) => FACTS[root]!.symbol === s) ?? s;
}
