import { strict as assert } from "node:assert";
import { PendingOrders } from "../../src/core/account/pending-orders";
import type { PlacementEvent } from "../../src/core/gateway/gateway-api";
import type { Order } from "../../src/core/schemas";

const ES = "CON.F.US.EP.Z26";

/** Orders on their way, moved through their phases by hand with a clock the test sets. */
describe("core: pending orders from approval to the account's book", () => {
  let now = 0;
  let pending: PendingOrders;
  const placement = (customTag: string, phase: PlacementEvent["phase"]): PlacementEvent => ({
    accountId: 7,
    contractId: ES,
    customTag,
    size: 2,
    phase,
  });
  const order = (customTag: string, status: number) =>
    ({ id: 1, accountId: 7, contractId: ES, customTag, status, side: 0, size: 2 }) as unknown as Order;
  const sizes = () => pending.list(7).map((p) => p.size);

  beforeEach(() => {
    now = 1_000_000;
    pending = new PendingOrders({ now: () => now, findByTag: async () => null, resync: () => undefined });
  });
  afterEach(() => pending.close());

  it("lets an approval that was never sent lapse after 15 s, but never one whose placement started", () => {
    pending.reserve(7, "a", ES, 2);
    pending.reserve(7, "b", ES, 3);
    pending.onPlacement(placement("b", "sending"));
    now += 15_001;
    assert.deepEqual(sizes(), [3], "the unsent approval lapsed; the one on its way did not");
    now += 3_600_000;
    assert.deepEqual(sizes(), [3], "an hour without an answer: still counted");
  });

  it("releases an order the gateway refused, and one the book now counts as working", () => {
    pending.reserve(7, "a", ES, 2);
    pending.reserve(7, "b", ES, 2);
    pending.onPlacement(placement("a", "sending"));
    pending.onPlacement(placement("a", "refused"));
    pending.onPlacement(placement("b", "sending"));
    pending.onOrder(order("b", 1));
    assert.deepEqual(sizes(), []);
  });

  it("keeps a filled order counted until its position shows, or 5 s after the fill at most", () => {
    pending.reserve(7, "a", ES, 2);
    pending.reserve(7, "b", ES, 2);
    for (const t of ["a", "b"]) {
      pending.onPlacement(placement(t, "sending"));
      pending.onOrder(order(t, 2));
    }
    pending.onPosition(7, "CON.F.US.MNQ.Z26");
    assert.equal(sizes().length, 2, "another contract's position releases nothing");
    pending.onPosition(7, ES);
    assert.equal(sizes().length, 0, "the position update releases both fills");
    pending.reserve(7, "c", ES, 2);
    pending.onPlacement(placement("c", "sending"));
    pending.onOrder(order("c", 2));
    now += 4_000;
    assert.equal(sizes().length, 1);
    now += 1_001;
    assert.equal(sizes().length, 0, "no position event after the fill: released after the grace");
  });

  it("releases a confirmed order once a REST snapshot begun after its confirmation holds it", () => {
    pending.reserve(7, "a", ES, 2);
    pending.onPlacement(placement("a", "sending"));
    pending.onPlacement({ ...placement("a", "placed"), orderId: 1 });
    pending.onResynced(7, now);
    assert.equal(sizes().length, 1, "a snapshot that began with the confirmation may miss it");
    pending.onResynced(7, now + 1);
    assert.equal(sizes().length, 0);
  });

  it("counts an order placed without a reservation (an order node on its own) from its sending", () => {
    pending.onPlacement(placement("x", "sending"));
    assert.deepEqual(sizes(), [2]);
    assert.deepEqual(pending.list(8), [], "per account");
  });
});
