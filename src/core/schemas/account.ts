import { z } from "zod";
import { Decimal, Int32, withEnvelope } from "./common";

/** TradingAccountModel: REST Account/search rows and GatewayUserAccount payloads. */
export const TradingAccount = z.object({
  id: Int32,
  name: z.string(),
  balance: Decimal,
  canTrade: z.boolean(),
  isVisible: z.boolean(),
  simulated: z.boolean().optional(),
});
export type TradingAccount = z.infer<typeof TradingAccount>;

/** POST /api/Account/search */
export const SearchAccountRequest = z.object({ onlyActiveAccounts: z.boolean() });
export type SearchAccountRequest = z.infer<typeof SearchAccountRequest>;

/** Account/search answer; `accounts` may be null or absent, which means none. */
export const SearchAccountResponse = withEnvelope({ accounts: z.array(TradingAccount).nullish() });
export type SearchAccountResponse = z.infer<typeof SearchAccountResponse>;
