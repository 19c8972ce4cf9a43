/** Why an alert is refused: the HTTP status to answer and the field to blame. */
export class AlertError extends Error {
  /** `message` may be given with or without the "field: " prefix; the error's message always has it. */
  constructor(
    readonly status: 400 | 401,
    readonly field: string,
    message: string,
  ) {
    super(message.startsWith(`${field}:`) ? message : `${field}: ${message}`);
    this.name = "AlertError";
  }
}

/** Refuses the alert with a 400 naming `field`; typed `never` so that it fits in an expression. */
export function fail(field: string, message: string): never {
  throw new AlertError(400, field, message);
}

/** A value as an error quotes it: JSON, cut to 80 characters. */
export function show(v: unknown): string {
  const s = quoted(v);
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

function quoted(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (v === undefined) return "nothing";
  return JSON.stringify(v) ?? String(v);
}
