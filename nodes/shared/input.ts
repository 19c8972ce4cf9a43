import type { z } from "zod";

/** A msg or config that failed validation; `field` names the first offending property. */
export class InputError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = "InputError";
  }
}

/** Parses with a zod schema, turning the first issue into an InputError naming the field. */
export function parseInput<T extends z.ZodType>(schema: T, value: unknown, prefix: string): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.length > 0 ? issue.path.join(".") : prefix;
  throw new InputError(field, `${prefix}${issue.path.length ? `.${issue.path.join(".")}` : ""}: ${issue.message}`);
}

/** The dialog's value unless the msg overrides it; blank dialog values count as unset. */
export function pick<T>(msgValue: T | undefined, configValue: T | undefined | ""): T | undefined {
  if (msgValue !== undefined && msgValue !== null) return msgValue;
  return configValue === "" ? undefined : (configValue as T | undefined);
}
