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

const FACTS: Record<string, ProductFacts> = {
  EP: { symbol: "ES", micro: false, feePerSide: 1.4 },
  MES: { symbol: "MES", micro: true, feePerSide: 0.37 },
  ENQ: { symbol: "NQ", micro: false, feePerSide: 1.4 },
  MNQ: { symbol: "MNQ", micro: true, feePerSide: 0.37 },
  YM: { symbol: "YM", micro: false, feePerSide: 1.4 },
  MYM: { symbol: "MYM", micro: true, feePerSide: 0.37 },
  RTY: { symbol: "RTY", micro: false, feePerSide: 1.4 },
  M2K: { symbol: "M2K", micro: true, feePerSide: 0.37 },
  CLE: { symbol: "CL", micro: false, feePerSide: 1.52 },
  MCLE: { symbol: "MCL", micro: true, feePerSide: 0.52 },
  GCE: { symbol: "GC", micro: false, feePerSide: 1.62 },
  MGC: { symbol: "MGC", micro: true, feePerSide: 0.62 },
  USA: { symbol: "ZB", micro: false, feePerSide: 1.25 },
  TYA: { symbol: "ZN", micro: false, feePerSide: 1.25 },
  EU6: { symbol: "6E", micro: false, feePerSide: 1.55 },
  M6E: { symbol: "M6E", micro: true, feePerSide: 0.37 },
};

/** The ProjectX root of a contract id: `CON.F.US.MNQ.Z26` → `MNQ`. */
export function rootOf(contractId: string): string {
  return contractId.split(".")[3] ?? contractId;
}

/** Facts about the product of a contract id; unknown roots count as full-size contracts. */
export function productOf(contractId: string): ProductFacts {
  const root = rootOf(contractId);
  return FACTS[root] ?? { symbol: root, micro: false, feePerSide: 0 };
}
