import { strict as assert } from "node:assert";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { practiceStart } from "../../src/core/rules/practice-session";
import { rulesFor } from "../../src/core/rules/rules-config";
import { VenueClockFollower } from "../../src/core/time/venue-clock";
import type { Simulator } from "../../src/sim";
import { startTestSim, until } from "../support/sim";

const TUESDAY_0930_CT = Date.parse("2026-12-01T09:30:00-06:00");

describe("core: following a simulator's venue clock", () => {
  let sim: Simulator | null = null;
  let follower: VenueClockFollower | null = null;
  afterEach(async () => {
    follower?.stop();
    await sim?.close();
    sim = null;
  });

  it("takes the venue's time and speed, and follows it when it is moved", async () => {
    sim = await startTestSim({ clock: { start: TUESDAY_0930_CT } });
    follower = new VenueClockFollower(sim.restUrl, 20);
    assert.equal(await follower.start(), true);
    assert.ok(Math.abs(follower.now() - sim.now()) < 1000, `${new Date(follower.now()).toISOString()}`);
    await fetch(`${sim.restUrl}/sim/clock`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ advance: 86_400_000, speed: 100 }),
    });
    await until(() => follower!.now() > TUESDAY_0930_CT + 86_400_000, "the follower a day on");
    const a = follower.now();
    await until(() => follower!.now() > a + 5_000, "the follower running at ×100");
    assert.ok(Math.abs(follower.now() - sim.now()) < 5000);
  });

  it("stays on this computer's time against a gateway without /sim/clock", async () => {
    const server = createServer((_req, res) => {
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      follower = new VenueClockFollower(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
      assert.equal(await follower.start(), false);
      assert.ok(Math.abs(follower.now() - Date.now()) < 1000);
    } finally {
      server.close();
    }
  });
});

describe("core: the practice session of npm start", () => {
  const config = rulesFor("topstep-combine-50k");
  const at = (iso: string) => {
    const p = practiceStart(config, Date.parse(iso));
    return p === null ? null : new Date(p).toISOString();
  };

  it("starts at the latest full session's 09:30 CT whenever entries cannot be tried now", () => {
    // Sunday morning after Thanksgiving week: Friday closed early, Thursday was the holiday.
    assert.equal(at("2026-11-29T12:00:00Z"), "2026-11-25T15:30:00.000Z");
    // Tuesday after the 15:00 cutoff: that morning.
    assert.equal(at("2026-12-01T21:30:00Z"), "2026-12-01T15:30:00.000Z");
    // Christmas Day (closed), Christmas Eve closes early: the 23rd.
    assert.equal(at("2026-12-25T16:00:00Z"), "2026-12-23T15:30:00.000Z");
    // A Saturday in daylight saving time: Friday 09:30 CDT.
    assert.equal(at("2027-06-12T15:00:00Z"), "2027-06-11T14:30:00.000Z");
  });

  it("keeps real time while entries are allowed", () => {
    assert.equal(at("2026-12-01T16:00:00Z"), null, "Tuesday 10:00 CT");
    assert.equal(at("2026-11-29T23:30:00Z"), null, "Sunday 17:30 CT, the week's open");
  });
});
