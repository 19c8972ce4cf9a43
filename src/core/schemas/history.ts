import { z } from "zod";
import { Decimal, Int32, Int64, Timestamp, withEnvelope } from "./common";

/** POST /api/History/retrieveBars; every field is required. */
export const RetrieveBarRequest = z.object({
  contractId: z.string(),
  live: z.boolean(),
  startTime: Timestamp,
  endTime: Timestamp,
  unit: Int32,
  unitNumber: Int32,
  limit: Int32,
  includePartialBar: z.boolean(),
});
export type RetrieveBarRequest = z.infer<typeof RetrieveBarRequest>;

/** AggregateBarModel: `t` is the bar's open time. Bars come newest first. */
export const Bar = z.object({
  t: z.string(),
  o: Decimal,
  h: Decimal,
  l: Decimal,
  c: Decimal,
  v: Int64,
});
export type Bar = z.infer<typeof Bar>;

/** History/retrieveBars answer: newest bar first; `limit` keeps the most recent bars of the window. */
export const RetrieveBarResponse = withEnvelope({ bars: z.array(Bar).nullish() });
export type RetrieveBarResponse = z.infer<typeof RetrieveBarResponse>;
