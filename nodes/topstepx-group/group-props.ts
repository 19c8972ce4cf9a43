import { z } from "zod";
import type { GroupMember } from "../../src/core/groups/fan-out";
import { SizeRule } from "../../src/core/groups/size-rule";
import { InputError } from "../shared/input";

/** One row of the group dialog's member list, as the editor saves it. */
export interface MemberProps {
  account?: string | number;
  size?: {
    kind?: string;
    quantity?: string | number;
    factor?: string | number;
    dollars?: string | number;
    maxContracts?: string | number;
  };
  label?: string;
}

/** The group node's dialog (version 1). */
export interface GroupProps {
  name?: string;
  members?: MemberProps[];
  version?: number;
}

const blank = (v: unknown) => v === undefined || v === null || String(v).trim() === "";

/** The number each size rule cannot do without. */
const NEEDS: Record<string, string> = { fixed: "quantity", multiplier: "factor", risk: "dollars" };

const Member = z.object({
  account: z
    .union([z.string(), z.number()])
    .transform((v) => String(v).trim())
    .pipe(z.string().min(1, "required: an account id or name")),
  size: SizeRule,
  label: z.string().trim().max(60).optional(),
});

/**
 * The dialog's members, validated: each needs an account (id or name, listed once) and a size rule
 * with its number(s). The first fault throws an InputError naming the member and the field, e.g.
 * `members[2].size.factor` (the message adds the member's label).
 */
export function membersOf(p: GroupProps): GroupMember[] {
  const rows = p.members;
  if (!Array.isArray(rows) || rows.length === 0) throw new InputError("members", "members: add at least one account");
  const seen = new Map<string, number>();
  return rows.map((row, i) => {
    const size = Object.fromEntries(Object.entries(row?.size ?? {}).filter(([, v]) => !blank(v)));
    const at = `members[${i + 1}]`;
    const who = `${at}${row?.label ? ` (${row.label})` : blank(row?.account) ? "" : ` (${row?.account})`}`;
    const needed = NEEDS[String(size.kind)];
    if (needed && size[needed] === undefined)
      throw new InputError(`${at}.size.${needed}`, `${who}.size.${needed}: required for a ${size.kind} size rule`);
    const r = Member.safeParse({
      account: row?.account ?? "",
      size,
      label: blank(row?.label) ? undefined : row?.label,
    });
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const path = issue.path.join(".") || "account";
      throw new InputError(`${at}.${path}`, `${who}.${path}: ${issue.message}`);
    }
    const key = r.data.account.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined)
      throw new InputError(
        `${at}.account`,
        `${who}.account: account ${r.data.account} is listed already (members[${first}])`,
      );
    seen.set(key, i + 1);
    return r.data;
  });
}
