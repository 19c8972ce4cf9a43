import { STATUS_MAX } from "../../nodes/shared/status";

interface NodeProto {
  status(this: { type?: string }, s: unknown): unknown;
}

const tooLong: string[] = [];
let watched = false;

/**
 * Notes every status text longer than STATUS_MAX that any node shows in these tests: the root
 * `after` hook below fails the run naming them. Wraps Node.prototype.status once, beneath the
 * test helper's own spies.
 */
export function watchStatusLength(proto: NodeProto): void {
  if (watched) return;
  watched = true;
  const original = proto.status;
  proto.status = function (this: { type?: string }, s: unknown) {
    const text = typeof s === "string" ? s : (s as { text?: unknown } | null)?.text;
    if (typeof text === "string" && text.length > STATUS_MAX) tooLong.push(`${this.type}: "${text}" (${text.length})`);
    return original.call(this, s);
  };
}

after(`every status the tests showed is at most ${STATUS_MAX} characters`, () => {
  const seen = [...new Set(tooLong.splice(0))];
  if (seen.length > 0) throw new Error(`statuses longer than ${STATUS_MAX} characters:\n${seen.join("\n")}`);
});
