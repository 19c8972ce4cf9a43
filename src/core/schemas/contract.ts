import { z } from "zod";
import { Decimal, withEnvelope } from "./common";

/** ContractModel. `id` looks like `CON.F.US.MNQ.Z26`, `symbolId` like `F.US.MNQ`. */
export const Contract = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  tickSize: Decimal.positive(),
  tickValue: Decimal.positive(),
  activeContract: z.boolean(),
  symbolId: z.string().optional(),
});
export type Contract = z.infer<typeof Contract>;

/** POST /api/Contract/search: at most 20 rows, no paging. */
export const SearchContractRequest = z.object({
  searchText: z.string().nullish(),
  live: z.boolean(),
});
export type SearchContractRequest = z.infer<typeof SearchContractRequest>;

/** Contract/search answer, also Contract/available's; `contracts` may be null or absent (none). */
export const SearchContractResponse = withEnvelope({ contracts: z.array(Contract).nullish() });
export type SearchContractResponse = z.infer<typeof SearchContractResponse>;

/** POST /api/Contract/searchById */
export const SearchContractByIdRequest = z.object({ contractId: z.string() });
export type SearchContractByIdRequest = z.infer<typeof SearchContractByIdRequest>;

/**
 * Contract/searchById answer: one `contract`, expired ones included (`activeContract` false); null
 * or absent when there is none.
 */
export const SearchContractByIdResponse = withEnvelope({ contract: Contract.nullish() });
export type SearchContractByIdResponse = z.infer<typeof SearchContractByIdResponse>;

/** POST /api/Contract/available */
export const AvailableContractRequest = z.object({ live: z.boolean() });
export type AvailableContractRequest = z.infer<typeof AvailableContractRequest>;
