import { strict as assert } from "node:assert";
import { groupAnswer } from "../../nodes/topstepx-group/group-answer";
import { GatewayHttpError } from "../../src/core/gateway/errors";
import type { MemberOutcome, MemberResult } from "../../src/core/groups/fan-out";

const line = (outcome: MemberOutcome, error?: Error): MemberResult => ({
  member: { account: "1", size: { kind: "fixed", quantity: 1 } },
  accountId: 1,
  name: null,
  outcome,
  error,
});

/** The HTTP status a group's answer carries, as the README's table says. */
describe("node: the HTTP status of a group's answer", () => {
  const status = (...outcomes: MemberResult[]) => groupAnswer("g", "id", outcomes).status;

  it("answers 200 when every account placed or had nothing to do, 207 when only some placed", () => {
    assert.equal(status(line("placed"), line("nothingToDo")), 200);
    assert.equal(status(line("placed"), line("refused")), 207);
    assert.equal(status(line("placed"), line("late")), 207);
    assert.equal(status(line("placed"), line("failed", new Error("x"))), 207);
  });

  it("answers as one rules node would when none placed: 409 all duplicates, 422 refused, else the first failure's status", () => {
    assert.equal(status(line("duplicate"), line("duplicate")), 409);
    assert.equal(status(line("duplicate"), line("refused")), 422);
    assert.equal(status(line("refused"), line("late")), 503);
    // A gateway answer that cannot be used (HTTP 400 to our request) is 502 for a single order too.
    assert.equal(status(line("refused"), line("failed", new GatewayHttpError("Order/place", 400, "bad"))), 502);
  });
});
