import { chicagoTime } from "./chicago";

const pad = (n: number) => String(n).padStart(2, "0");

/** Epoch ms as the trading time zone reads it, to the minute: "2026-11-25 09:30 CT". */
export function chicagoText(ms: number): string {
  const t = chicagoTime(ms);
  return `${t.year}-${pad(t.month)}-${pad(t.day)} ${pad(t.hour)}:${pad(t.minute)} CT`;
}
