import { marketOf, productOf } from "../contracts/products";
import type { SignedSize } from "../orders/target-position";
import type { GateIntent, LiveAccount, RuleDecision } from "./rules-engine";

/** Another account of the same login, as the cross-account check reads it. */
export interface OtherAccount {
  accountId: number;
  name: string;
  positions: ReadonlyArray<SignedSize>;
}

/** Net signed mini-equivalents of a market (a mini and its micro together) in these sizes. */
function netIn(market: string, sizes: ReadonlyArray<SignedSize>, microRatio: number): number {
  let net = 0;
  for (const s of sizes)
    if (marketOf(s.contractId) === market) net += s.size / (productOf(s.contractId).micro ? microRatio : 1);
  return net;
}

const side = (x: number) => (x > 0 ? "long" : "short");

/**
 * Topstep prohibits hedging between a trader's accounts (docs: topstep-rules.md, copy trading):
 * refuses an entry that would leave this account long a market (a mini and its micro are one
 * market: MNQ and NQ) while another account of the same login is short it, or the reverse. Other
 * accounts count by their open positions; this one by its position, working orders and this order.
 */
export function hedgeRefusal(
  intent: GateIntent,
  live: Pick<LiveAccount, "positions" | "workingOrders">,
  others: ReadonlyArray<OtherAccount>,
  microRatio: number,
): RuleDecision | null {
  if (intent.action !== "place" || !intent.contractId || !intent.quantity || others.length === 0) return null;
  const market = marketOf(intent.contractId);
  const after =
    netIn(market, live.positions, microRatio) +
    netIn(market, live.workingOrders, microRatio) +
    netIn(market, [{ contractId: intent.contractId, size: intent.quantity }], microRatio);
  if (Math.abs(after) < 1e-9) return null;
  for (const o of others) {
    const theirs = netIn(market, o.positions, microRatio);
    if (Math.sign(theirs) !== -Math.sign(after) || Math.abs(theirs) < 1e-9) continue;
    return {
      allow: false,
      rule: "crossAccountHedge",
      reason: `This order would leave the account ${side(after)} ${market} while account ${o.name || o.accountId} (${o.accountId}) is ${side(theirs)} ${market}: Topstep prohibits hedging between your accounts (a mini and its micro are one market).`,
    };
  }
  return null;
}
