import { z } from "zod";
import { typicalCostPerSide } from "../contracts/closing-costs";
import { contractsWithin, lossPerContract } from "../money/risk";

/**
 * How one account of a group (or a follower of a copied leader) sizes an order it is given:
 * - `fixed`: always `quantity` contracts, whatever the alert asked;
 * - `multiplier`: the alert's (or leader's) quantity times `factor`, rounded down (never more than asked for);
 * - `risk`: as many contracts as lose at most `dollars` at the order's stop, fees and commissions
 *   on both sides included, at most `maxContracts`; needs a stop distance in ticks.
 */
export const SizeRule = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("fixed"), quantity: z.coerce.number().int().min(1).max(1000) }),
  z.object({ kind: z.literal("multiplier"), factor: z.coerce.number().positive().max(100) }),
  z.object({
    kind: z.literal("risk"),
    dollars: z.coerce.number().positive(),
    maxContracts: z.coerce.number().int().min(1).max(1000).optional(),
  }),
]);
export type SizeRule = z.infer<typeof SizeRule>;

/** What a size rule needs of the order it sizes. */
export interface SizeInput {
  /** Contracts the alert or the leader asked for (positive). */
  quantity: number;
  /** The contract, for its tick value and its typical fees and commissions. */
  contract: { id: string; tickValue: number };
  /** Distance from entry to the stop, in ticks, when the order has one. */
  stopTicks?: number;
  /** What the account is charged per contract and side, when known (else the product table's estimate). */
  costPerSide?: number;
}

/** A size: the contracts to send, or why there are none. */
export type Sized = { quantity: number } | { quantity: 0; reason: string };

/** The contracts one account sends for an order of `input.quantity`, by its size rule. */
export function sizeBy(rule: SizeRule, input: SizeInput): Sized {
  switch (rule.kind) {
    case "fixed":
      return { quantity: rule.quantity };
    case "multiplier": {
      // A float product like 3 × 0.1 is 0.30000000000000004: rounded to a millionth before flooring.
      const q = Math.floor(Math.round(input.quantity * rule.factor * 1e6) / 1e6);
      return q >= 1
        ? { quantity: q }
        : { quantity: 0, reason: `${input.quantity} × ${rule.factor} is less than one contract` };
    }
    case "risk":
      return sizeByRisk(rule, input);
  }
}

function sizeByRisk(rule: Extract<SizeRule, { kind: "risk" }>, input: SizeInput): Sized {
  if (input.stopTicks === undefined || !(input.stopTicks > 0))
    return { quantity: 0, reason: `a dollar risk of $${rule.dollars} needs a stop-loss in ticks to size the order` };
  const cost = input.costPerSide ?? typicalCostPerSide(input.contract.id);
  const perContract = lossPerContract(input.stopTicks, input.contract.tickValue, cost);
  const fits = contractsWithin(rule.dollars, perContract);
  if (fits < 1)
    return {
      quantity: 0,
      reason: `one contract loses $${perContract.toFixed(2)} at a ${input.stopTicks}-tick stop (fees included), more than the $${rule.dollars} risk`,
    };
  return { quantity: Math.min(fits, rule.maxContracts ?? fits) };
}

/** The rule in words, for statuses and answers ("×0.5", "2 fixed", "$200 risk"). */
export function describeSizeRule(rule: SizeRule): string {
  if (rule.kind === "fixed") return `${rule.quantity} fixed`;
  if (rule.kind === "multiplier") return `×${rule.factor}`;
  return `$${rule.dollars} risk${rule.maxContracts ? ` (max ${rule.maxContracts})` : ""}`;
}
