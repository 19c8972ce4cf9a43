/**
 * The products the simulated gateway lists, as TopstepX lists them: ProjectX roots, CME tick sizes
 * and values, a fee per side, listing months and a roll rule that decide the front month, and a
 * plausible price level.
 *
 * Where the roots come from (ids look like `CON.F.US.<root>.<M><YY>`):
 *
 * | Source | Roots |
 * |---|---|
 * | DOC: ProjectX docs' `Contract/available` and `Contract/search` samples (TopstepX host), ids, ticks and values | EP, ENQ, MES, MNQ, RTY, M2K, EMD, NKD, EU6, BP6, DA6, CA6, JY6, SF6, MX6, NE6, EEU, M6E, M6A, M6B, GMCD, SR3, MBT, GMET, HE, GLE, GF, NQM, NQG |
 * | LOG: production TopstepX event log (ids in events) | MYM, USA |
 * | CONF: contract constants and fixtures in client code (docs/projectx-gateway.md §7.2) | YM, CLE, MCLE, GCE, MGC, TYA |
 * | CLI: client code whose authors checked ids against `Contract/search` (axb0306/cme-futures-ohlc `update.py`, lseng/topstep-bot-5.0 contract specs) | TUA, FVA, TNA, ULA, NGE, MNG, RBE, HOE, SIE, SIL, CPE, MHG, PLE, ZCE, ZSE, ZWA, ZLE, ZME |
 *
 * No root is a guess: every one is seen in at least one source above; the CLI ones rest on
 * third-party code, not on the gateway's docs. Tick sizes and values are CME's contract specs and,
 * for DOC roots, equal the gateway's. Fees are Topstep-like estimates per side (exchange, clearing
 * and NFA fees; the MYM 0.37 is the live log's), not a published table. Listing months are CME's
 * (for metals and ags the months that carry the volume); the roll rules are inferred from CME's
 * last trading and first notice days and from the active months in the DOC sample.
 */
export interface Product {
  /** Exchange symbol as traders write it (ES, MNQ, 6J). */
  symbol: string;
  /** ProjectX root inside ids (`CON.F.US.<root>.Z26`). */
  root: string;
  title: string;
  tickSize: number;
  tickValue: number;
  /** Fee per contract per side, charged on every fill. */
  feePerSide: number;
  /** Month codes listed for trading. */
  months: string;
  /** Day of the roll month on which volume rolls to the next listed month. */
  rollDay: number;
  /**
   * How many months before the contract month volume rolls: 0 in the contract month (index, FX,
   * crypto), 1 in the month before (first notice or expiry there), 3 for SOFR, whose active
   * contract is the one whose reference quarter has not begun.
   */
  rollMonthsBefore: number;
  /** Days from the roll to the contract's last trading day (about: CME's rules, not its calendar). */
  tradesDaysAfterRoll: number;
  /** Starting price level for the synthetic path. */
  basePrice: number;
  /** Typical daily range as a fraction of price. */
  dailyRange: number;
}

const QUARTERLY = "HMUZ";
const MONTHLY = "FGHJKMNQUVXZ";

type Spec = [symbol: string, root: string, title: string, tickSize: number, tickValue: number, fee: number];

function family(
  months: string,
  rollMonthsBefore: number,
  rollDay: number,
  tradesDaysAfterRoll: number,
  dailyRange: number,
): (spec: Spec, basePrice: number, range?: number) => Product {
  return ([symbol, root, title, tickSize, tickValue, feePerSide], basePrice, range = dailyRange) => ({
    symbol,
    root,
    title,
    tickSize,
    tickValue,
    feePerSide,
    months,
    rollDay,
    rollMonthsBefore,
    tradesDaysAfterRoll,
    basePrice,
    dailyRange: range,
  });
}

// Index futures expire on the third Friday, FX two days before the third Wednesday: volume rolls
// about a week earlier. Nikkei expires before the second Friday, so it rolls earlier in the month.
const index = family(QUARTERLY, 0, 10, 14, 0.012);
const nikkei = family(QUARTERLY, 0, 3, 10, 0.015);
const fx = family(QUARTERLY, 0, 10, 10, 0.006);
// Treasuries roll before first notice, the last business day of the month before, and trade until
// about the 20th of the contract month.
const treasury = family(QUARTERLY, 1, 24, 27, 0.004);
// A SOFR contract trades until its reference quarter ends, three months after the contract month.
const sofr = family(QUARTERLY, 3, 15, 185, 0.0005);
// Crypto expires on the contract month's last Friday.
const crypto = family(MONTHLY, 0, 20, 10, 0.04);
// Crude expires around the 20th of the month before, gas near its end, products on its last day.
const crude = family(MONTHLY, 1, 15, 5, 0.025);
const gas = family(MONTHLY, 1, 22, 5, 0.04);
const refined = family(MONTHLY, 1, 20, 10, 0.025);
// Metals and grains roll before first notice, at the end of the month before, and trade on into
// the contract month (metals to its third-last business day, grains to the day before the 15th).
const gold = family("GJMQVZ", 1, 24, 33, 0.015);
const silverCopper = family("HKNUZ", 1, 24, 33, 0.02);
const platinum = family("FJNV", 1, 24, 33, 0.02);
const grain = (months: string) => family(months, 1, 14, 30, 0.015);
// Hogs expire on the contract month's tenth business day, cattle at its end.
const livestock = (months: string, rollDay: number, tradesDaysAfterRoll: number) =>
  family(months, 1, rollDay, tradesDaysAfterRoll, 0.01);

export const PRODUCTS: readonly Product[] = [
  // Equity index
  index(["ES", "EP", "E-Mini S&P 500", 0.25, 12.5, 1.4], 6800),
  index(["MES", "MES", "Micro E-mini S&P 500", 0.25, 1.25, 0.37], 6800),
  index(["NQ", "ENQ", "E-mini NASDAQ-100", 0.25, 5, 1.4], 25000),
  index(["MNQ", "MNQ", "Micro E-mini Nasdaq-100", 0.25, 0.5, 0.37], 25000),
  index(["YM", "YM", "E-mini Dow ($5)", 1, 5, 1.4], 47000),
  index(["MYM", "MYM", "Micro E-mini Dow Jones", 1, 0.5, 0.37], 47000),
  index(["RTY", "RTY", "E-mini Russell 2000", 0.1, 5, 1.4], 2450),
  index(["M2K", "M2K", "Micro E-mini Russell 2000", 0.1, 0.5, 0.37], 2450),
  index(["EMD", "EMD", "E-mini MidCap 400", 0.1, 10, 1.4], 3250),
  nikkei(["NKD", "NKD", "Nikkei 225 (Globex)", 5, 25, 1.9], 49000),
  // Crypto
  crypto(["MBT", "MBT", "Micro Bitcoin", 5, 0.5, 2.52], 90000),
  crypto(["MET", "GMET", "Micro Ether", 0.5, 0.05, 0.22], 3000),
  // FX
  fx(["6A", "DA6", "Australian Dollar (Globex)", 0.00005, 5, 1.55], 0.65),
  fx(["6B", "BP6", "British Pound (Globex)", 0.0001, 6.25, 1.55], 1.32),
  fx(["6C", "CA6", "Canadian Dollar (Globex)", 0.00005, 5, 1.55], 0.715),
  fx(["6E", "EU6", "Euro FX (Globex)", 0.00005, 6.25, 1.55], 1.16),
  fx(["6J", "JY6", "Japanese Yen (Globex)", 0.0000005, 6.25, 1.55], 0.00645, 0.008),
  fx(["6S", "SF6", "Swiss Franc (Globex)", 0.00005, 6.25, 1.55], 1.25),
  fx(["6M", "MX6", "Mexican Peso (Globex)", 0.00001, 5, 1.55], 0.054, 0.01),
  fx(["6N", "NE6", "New Zealand Dollar (Globex)", 0.00005, 5, 1.55], 0.57),
  fx(["E7", "EEU", "E-mini Euro FX", 0.0001, 6.25, 0.87], 1.16),
  fx(["M6E", "M6E", "E-Micro EUR/USD", 0.0001, 1.25, 0.26], 1.16),
  fx(["M6A", "M6A", "E-Micro AUD/USD", 0.0001, 1, 0.26], 0.65),
  fx(["M6B", "M6B", "E-Micro GBP/USD", 0.0001, 0.625, 0.26], 1.32),
  fx(["MCD", "GMCD", "E-Micro CAD/USD", 0.0001, 1, 0.26], 0.715),
  // Interest rates: notes and bonds in 32nds and their fractions
  treasury(["ZT", "TUA", "2-Year T-Note", 0.00390625, 7.8125, 1.0], 104, 0.001),
  treasury(["ZF", "FVA", "5-Year T-Note", 0.0078125, 7.8125, 1.0], 109, 0.002),
  treasury(["ZN", "TYA", "10-Year T-Note", 0.015625, 15.625, 1.1], 112.5),
  treasury(["TN", "TNA", "Ultra 10-Year T-Note", 0.015625, 15.625, 1.1], 116, 0.005),
  treasury(["ZB", "USA", "30-Year U.S. Treasury Bond", 0.03125, 31.25, 1.25], 117, 0.008),
  treasury(["UB", "ULA", "Ultra U.S. Treasury Bond", 0.03125, 31.25, 1.35], 121, 0.01),
  sofr(["SR3", "SR3", "3 Month SOFR", 0.005, 12.5, 1.0], 96.4),
  // Energy
  crude(["CL", "CLE", "Crude Oil", 0.01, 10, 1.52], 62),
  crude(["MCL", "MCLE", "Micro Crude Oil", 0.01, 1, 0.52], 62),
  crude(["QM", "NQM", "E-Mini Crude Oil", 0.025, 12.5, 1.22], 62),
  gas(["NG", "NGE", "Natural Gas (Henry Hub)", 0.001, 10, 1.62], 4.2),
  gas(["QG", "NQG", "E-Mini Natural Gas", 0.005, 12.5, 0.82], 4.2),
  gas(["MNG", "MNG", "Micro Henry Hub Natural Gas", 0.001, 1, 0.52], 4.2),
  refined(["RB", "RBE", "RBOB Gasoline", 0.0001, 4.2, 1.62], 1.95),
  refined(["HO", "HOE", "NY Harbor ULSD", 0.0001, 4.2, 1.62], 2.4),
  // Metals
  gold(["GC", "GCE", "Gold", 0.1, 10, 1.62], 4100),
  gold(["MGC", "MGC", "Micro Gold", 0.1, 1, 0.62], 4100),
  silverCopper(["SI", "SIE", "Silver", 0.005, 25, 1.62], 50, 0.025),
  silverCopper(["SIL", "SIL", "Micro Silver", 0.005, 5, 0.82], 50, 0.025),
  silverCopper(["HG", "CPE", "Copper", 0.0005, 12.5, 1.62], 5.1),
  silverCopper(["MHG", "MHG", "Micro Copper", 0.0005, 1.25, 0.62], 5.1),
  platinum(["PL", "PLE", "Platinum", 0.1, 5, 1.62], 1550),
  // Agriculture: grains in cents a bushel, soybean oil in cents a pound, meal in dollars a ton
  grain("HKNUZ")(["ZC", "ZCE", "Corn", 0.25, 12.5, 2.12], 440),
  grain("FHKNQUX")(["ZS", "ZSE", "Soybeans", 0.25, 12.5, 2.12], 1120),
  grain("HKNUZ")(["ZW", "ZWA", "Chicago SRW Wheat", 0.25, 12.5, 2.12], 540),
  grain("FHKNQUVZ")(["ZL", "ZLE", "Soybean Oil", 0.01, 6, 2.12], 50),
  grain("FHKNQUVZ")(["ZM", "ZME", "Soybean Meal", 0.1, 10, 2.12], 320),
  // Livestock in cents a pound
  livestock("GJKMNQVZ", 20, 24)(["HE", "HE", "Lean Hogs (Globex)", 0.025, 10, 2.12], 82),
  livestock("GJMQVZ", 25, 36)(["LE", "GLE", "Live Cattle (Globex)", 0.025, 10, 2.12], 220),
  livestock("FHJKQUVX", 25, 30)(["GF", "GF", "Feeder Cattle (Globex)", 0.025, 12.5, 2.12], 320),
];
