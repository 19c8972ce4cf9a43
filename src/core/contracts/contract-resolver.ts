import type { Clock } from "../clock";
import type { GatewayApi } from "../gateway/gateway-api";
import type { Contract } from "../schemas";

/** A symbol that names no contract the gateway lists. */
export class UnknownSymbolError extends Error {
  constructor(
    readonly symbol: string,
    detail: string,
  ) {
    super(
      `unknown symbol "${symbol}": ${detail} (write it like MNQ, MNQ1!, MNQZ2026, CME_MINI:MNQ1! or CON.F.US.MNQ.Z26)`,
    );
    this.name = "UnknownSymbolError";
  }
}

const MONTHS = "FGHJKMNQUVXZ";
const ID = /^CON\.F\.[A-Z]+\.[A-Z0-9]+\.[FGHJKMNQUVXZ]\d{2}$/;
const CONTINUOUS = /^([A-Z0-9]+?)(\d)!$/;
const DATED = /^([A-Z0-9]+?)([FGHJKMNQUVXZ])(\d{4}|\d{2}|\d)$/;

/** The trading symbol of a contract name: `MNQZ6` → `MNQ`. */
function rootOfName(name: string): string {
  return name.replace(/[FGHJKMNQUVXZ]\d{1,2}$/, "");
}

function fullYear(digits: string, now: number): number {
  const current = new Date(now).getUTCFullYear();
  if (digits.length === 4) return Number(digits);
  if (digits.length === 2) return 2000 + Number(digits);
  // One digit: the first year ending in it from last year on (contracts list up to a few years out).
  let y = current - 1;
  while (y % 10 !== Number(digits)) y++;
  return y;
}

/**
 * Turns what traders and TradingView write (`MNQ1!`, `MNQZ2026`, `MNQ`, `CME_MINI:MNQ1!`) and
 * ProjectX ids into contracts, through Contract/available and Contract/searchById, cached.
 */
export class ContractResolver {
  private available: { at: number; contracts: Contract[] } | null = null;
  private readonly byId = new Map<string, Contract>();

  constructor(
    private readonly api: GatewayApi,
    private readonly clock: Clock,
    private readonly ttlMs = 3_600_000,
  ) {}

  /** A contract already resolved (for tick math on hot paths, without I/O). */
  cached(contractId: string): Contract | undefined {
    return this.byId.get(contractId);
  }

  private async listed(): Promise<Contract[]> {
    const now = this.clock.now();
    if (!this.available || now - this.available.at > this.ttlMs) {
      const contracts = await this.api.availableContracts(false);
      this.available = { at: now, contracts };
      for (const c of contracts) this.byId.set(c.id, c);
    }
    return this.available.contracts;
  }

  /**
   * The contract with a ProjectX id, expired ones included; cached for good once found (a
   * contract's tick size and value do not change). Throws UnknownSymbolError when there is none.
   */
  async byContractId(id: string): Promise<Contract> {
    const hit = this.byId.get(id);
    if (hit) return hit;
    const c = await this.api.contractById(id);
    if (!c) throw new UnknownSymbolError(id, "the gateway has no contract with this id");
    this.byId.set(c.id, c);
    return c;
  }

  /** Resolves a symbol or id to a contract; throws UnknownSymbolError with a hint. */
  async resolve(input: string): Promise<Contract> {
    const raw = input.trim().toUpperCase();
    if (raw === "") throw new UnknownSymbolError(input, "empty symbol");
    if (ID.test(raw)) return this.byContractId(raw);
    const symbol = raw.includes(":") ? raw.slice(raw.lastIndexOf(":") + 1) : raw;
    const listed = await this.listed();
    const front = (root: string) => {
      const matches = listed.filter((c) => rootOfName(c.name) === root);
      return matches.find((c) => c.activeContract) ?? matches[0];
    };

    const continuous = CONTINUOUS.exec(symbol);
    if (continuous) {
      if (continuous[2] !== "1")
        throw new UnknownSymbolError(input, "only the front month (1!) is supported for continuous symbols");
      const c = front(continuous[1]!);
      if (!c) throw new UnknownSymbolError(input, `no listed contract for ${continuous[1]}`);
      return c;
    }
    const plain = front(symbol);
    if (plain) return plain;
    const dated = DATED.exec(symbol);
    if (dated) {
      const template = front(dated[1]!);
      if (!template) throw new UnknownSymbolError(input, `no listed contract for ${dated[1]}`);
      const root = template.id.split(".")[3]!;
      const year = fullYear(dated[3]!, this.clock.now());
      const id = `CON.F.US.${root}.${dated[2]}${String(year % 100).padStart(2, "0")}`;
      if (!MONTHS.includes(dated[2]!)) throw new UnknownSymbolError(input, "bad month code");
      return this.byContractId(id);
    }
    throw new UnknownSymbolError(input, "not a contract the gateway lists");
  }
}
