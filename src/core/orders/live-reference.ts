import type { MarketFeed } from "../realtime/market-feed";
import type { Reference } from "./order-intent";

/** No prices known. */
export const NO_REFERENCE: Reference = { lastPrice: null, bestBid: null, bestAsk: null };

/**
 * The contract's live quote for price-to-tick conversions: the one the market feed holds, else the
 * full quote a subscription returns at once, waited for up to `waitMs`; no prices when none comes.
 */
export async function liveReference(market: MarketFeed, contractId: string, waitMs = 2000): Promise<Reference> {
  const q = market.quote(contractId);
  if (q && q.lastPrice !== null) return q;
  const got = await new Promise<Reference | null>((resolve) => {
    let stop: (() => Promise<void>) | null = null;
    let done = false;
    const timer = setTimeout(() => finish(null), waitMs);
    const finish = (r: Reference | null) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void stop?.().catch(() => undefined);
      resolve(r);
    };
    market
      .watchQuotes(contractId, (s) => {
        if (s.lastPrice !== null) finish({ lastPrice: s.lastPrice, bestBid: s.bestBid, bestAsk: s.bestAsk });
      })
      .then(
        (f) => {
          stop = f;
          // Finished before the subscription was confirmed: it is not wanted any more.
          if (done) void f().catch(() => undefined);
        },
        () => finish(null),
      );
  });
  return got ?? NO_REFERENCE;
}

/** The price a market order is expected to fill at: the ask for a buy, the bid for a sell, else the last price. */
export function expectedEntry(ref: Reference, side: "buy" | "sell"): number | null {
  return (side === "buy" ? ref.bestAsk : ref.bestBid) ?? ref.lastPrice;
}
