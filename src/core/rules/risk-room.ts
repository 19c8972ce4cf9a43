import type { RiskRoom } from "../orders/risk-order";
import type { RuleState } from "./rule-state";
import type { RulesConfig } from "./rules-config";
import { effectiveMaxContracts, exposure, type Headroom, type LiveAccount } from "./rules-engine";

/**
 * What the guarded account still allows a risk-sized order: the tighter of its loss-limit headroom
 * (down to the flatten buffer, where the rules flatten) and its daily-loss headroom (null when
 * neither rule is on or nothing was evaluated yet), and the most
 * contracts the contract limit (scaling included) leaves room for, counting positions and working
 * orders as the limit's own check does.
 */
export function riskRoom(config: RulesConfig, s: RuleState, live: LiveAccount, h: Headroom | null): RiskRoom {
  // The rules flatten at the flatten buffer above the loss floor: the room ends there, not at the floor.
  const toFloor = h?.maxLoss == null ? null : h.maxLoss - config.flattenBuffer;
  const rooms = [toFloor, h?.dailyLoss].filter((x): x is number => typeof x === "number");
  const limit = effectiveMaxContracts(config, s);
  return {
    headroom: rooms.length ? Math.min(...rooms) : null,
    maxContracts(contractId, side) {
      if (limit === null) return Number.POSITIVE_INFINITY;
      const sign = side === "buy" ? 1 : -1;
      const fits = (n: number) => exposure(live, config.microRatio, { contractId, size: sign * n }) <= limit + 1e-9;
      // An order against the position may exceed the limit by the position it closes.
      let n = Math.ceil((limit + exposure(live, config.microRatio)) * config.microRatio) + 1;
      while (n > 0 && !fits(n)) n--;
      return n;
    },
  };
}
