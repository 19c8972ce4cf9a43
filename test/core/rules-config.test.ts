import { strict as assert } from "node:assert";
import { rulesFor } from "../../src/core/rules/rules-config";

describe("rules config: fields it does not know", () => {
  it("loads rules that carry fields it does not define, and drops them", () => {
    // Saved rules may name fields the config does not define, such as a minimum of trading days
    // (the engine reports it without a setting): they must still load. A bare consistency share,
    // as such rules carried it, is read as the consistency target.
    const saved = { consistency: 0.5, minTradingDays: 2, maxContracts: 3 };
    const rules = rulesFor("topstep-combine-50k", saved);
    assert.equal(rules.maxContracts, 3);
    assert.deepEqual(
      ["minTradingDays"].filter((field) => field in rules),
      [],
      "the dropped fields are not carried into the rules",
    );
    assert.deepEqual(rules.consistency, { bestDayPercent: 50, refuseEntries: false });
  });
});

describe("rules config: dead-man checks", () => {
  it("beats every 10 s and leaves the stale-feed flatten off unless set, and names a bad value's field", () => {
    const rules = rulesFor("topstep-combine-50k");
    assert.deepEqual([rules.heartbeatSeconds, rules.staleFeedFlattenSeconds], [10, undefined]);
    assert.equal(rulesFor("custom", { startBalance: 50_000, staleFeedFlattenSeconds: 30 }).staleFeedFlattenSeconds, 30);
    assert.throws(() => rulesFor("topstep-combine-50k", { heartbeatSeconds: -1 }), /^Error: heartbeatSeconds: /);
    assert.throws(
      () => rulesFor("topstep-combine-50k", { staleFeedFlattenSeconds: 2.5 }),
      /^Error: staleFeedFlattenSeconds: /,
    );
  });
});
