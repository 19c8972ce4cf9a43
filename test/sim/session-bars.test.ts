import { strict as assert } from "node:assert";
import type { AxiosInstance } from "axios";
import type { Simulator } from "../../src/sim";
import { hubConnection, login, record, restClient, startTestSim, until } from "../support/sim";

interface Bar {
  t: string;
  o: number;
  h: number;
  l: number;
  c: number;
  v: number;
}

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const ES = "CON.F.US.EP.Z26";
/** The front month over Christmas: Z26 stops trading on 24 December in the simulator's catalog. */
const ES_H27 = "CON.F.US.EP.H27";
/** Chicago wall time in December (CST, UTC−6) or in September (CDT, UTC−5). */
const ct = (local: string) => Date.parse(`${local}-06:00`);
const cdt = (local: string) => Date.parse(`${local}-05:00`);

const chicago = new Intl.DateTimeFormat("en-US", {
  timeZone: "America/Chicago",
  hourCycle: "h23",
  weekday: "short",
  hour: "2-digit",
  minute: "2-digit",
});
/** "Sat 10:05" in Chicago for a bar's `t`. */
function local(t: string): string {
  return chicago.format(new Date(Date.parse(t.replace(/(\.\d{3})\d+/, "$1")))).replace(",", "");
}
const ms = (b: Bar) => Date.parse(b.t.replace(/(\.\d{3})\d+/, "$1"));

describe("sim: History/retrieveBars keeps to trading hours", () => {
  let sim: Simulator;
  let api: AxiosInstance;
  afterEach(async () => sim?.close());

  async function start(now: number, hours?: "cme" | "always", quoteRate = 0) {
    sim = await startTestSim({
      clock: { start: now },
      rateLimits: { enabled: false },
      market: { quoteRate, ...(hours ? { hours } : {}) },
    });
    api = (await login(sim)).api;
  }

  async function bars(contractId: string, from: number, to: number, unit: number, unitNumber: number): Promise<Bar[]> {
    const r = await api.post("/api/History/retrieveBars", {
      contractId,
      live: false,
      startTime: new Date(from).toISOString(),
      endTime: new Date(to).toISOString(),
      unit,
      unitNumber,
      limit: 20_000,
      includePartialBar: false,
    });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
    return (r.data.bars as Bar[]).slice().reverse();
  }

  it("has no bars from Friday's close to Sunday's open, nor in the daily 16:00–17:00 CT break", async () => {
    await start(ct("2026-12-08T10:00:00"));
    const got = await bars(ES, ct("2026-12-04T15:00:00"), ct("2026-12-08T09:00:00"), 2, 5);
    const names = got.map((b) => local(b.t));
    assert.ok(!names.some((n) => n.startsWith("Sat")), "no Saturday bar");
    assert.ok(!names.some((n) => n.startsWith("Sun") && n < "Sun 17:00"), "no Sunday bar before 17:00");
    assert.ok(!names.some((n) => / 16:\d\d$/.test(n)), "no bar in the 16:00–17:00 break");
    const i = names.indexOf("Fri 15:55");
    assert.equal(names[i + 1], "Sun 17:00", "Friday's last bar is followed by Sunday's first");
    const j = names.indexOf("Mon 15:55");
    assert.equal(names[j + 1], "Mon 17:00", "Monday's close is followed by the evening open");
    // Each session of a normal day: 17:00 → 16:00 CT, 23 hours of 5-minute bars.
    const tuesday = got.filter((b) => ms(b) >= ct("2026-12-07T17:00:00") && ms(b) < ct("2026-12-08T17:00:00"));
    assert.equal(tuesday.length, 12 * 16, "Tuesday's session up to 09:00");
  });

  it("holds the price still while closed and opens Sunday where the path has moved to", async () => {
    // A moving market (a frozen one would stand still open or closed).
    await start(ct("2026-12-05T10:00:00"), "cme", 1);
    const friday = await bars(ES, ct("2026-12-04T15:59:00"), ct("2026-12-04T16:00:00"), 2, 1);
    assert.equal(friday.length, 1);
    const price = async () =>
      (await restClient(sim).get("/sim/state")).data.prices.find((p: { contractId: string }) => p.contractId === ES)
        .lastPrice;
    assert.equal(await price(), friday[0]!.c, "Saturday quotes Friday's close");
    await restClient(sim).post("/sim/clock", { time: ct("2026-12-06T16:59:00") });
    assert.equal(await price(), friday[0]!.c, "still Friday's close on Sunday before the open");
    await restClient(sim).post("/sim/clock", { time: ct("2026-12-06T17:30:00") });
    api = (await login(sim)).api;
    const sunday = await bars(ES, ct("2026-12-06T17:00:00"), ct("2026-12-06T17:01:00"), 2, 1);
    assert.equal(sunday.length, 1);
    assert.notEqual(sunday[0]!.o, friday[0]!.c, "the week opens with a gap");
  });

  it("has no bars on a CME holiday nor after an early close, and no daily bar for them", async () => {
    await start(ct("2026-12-29T10:00:00"));
    const got = await bars(ES_H27, ct("2026-12-24T10:00:00"), ct("2026-12-28T10:00:00"), 2, 5);
    const names = got.map((b) => local(b.t));
    const i = names.indexOf("Thu 12:10");
    assert.ok(i >= 0, "Christmas Eve trades to its 12:15 early close");
    assert.equal(names[i + 1], "Sun 17:00", "nothing after it until Sunday's open (Christmas Day closed)");
    const days = await bars(ES_H27, Date.parse("2026-12-14T00:00:00Z"), Date.parse("2026-12-29T00:00:00Z"), 4, 1);
    assert.deepEqual(
      days.map((b) => b.t.slice(0, 10)),
      ["2026-12-14", "2026-12-15", "2026-12-16", "2026-12-17", "2026-12-18"]
        .concat(["2026-12-21", "2026-12-22", "2026-12-23", "2026-12-24"])
        .concat(["2026-12-28"]),
    );
    for (const d of days) assert.match(d.t, /T00:00:00\.0000000\+00:00$/);
  });

  it("builds a daily bar from its trading day's minutes: Sunday 17:00 CT open to Monday 16:00 CT close", async () => {
    await start(ct("2026-12-16T10:00:00"));
    const [monday] = await bars(ES, Date.parse("2026-12-07T00:00:00Z"), Date.parse("2026-12-08T00:00:00Z"), 4, 1);
    const open = await bars(ES, ct("2026-12-06T17:00:00"), ct("2026-12-06T17:01:00"), 2, 1);
    const close = await bars(ES, ct("2026-12-07T15:59:00"), ct("2026-12-07T16:00:00"), 2, 1);
    assert.equal(monday!.t, "2026-12-07T00:00:00.0000000+00:00");
    assert.equal(monday!.o, open[0]!.o, "opens at Sunday evening's first trade");
    assert.equal(monday!.c, close[0]!.c, "closes at Monday's 16:00 CT close");
    const minutes = await bars(ES, ct("2026-12-06T17:00:00"), ct("2026-12-07T17:00:00"), 2, 1);
    assert.equal(minutes.length, 23 * 60, "23 hours of minutes in the trading day");
    const week = await bars(ES, Date.parse("2026-11-30T00:00:00Z"), Date.parse("2026-12-08T00:00:00Z"), 5, 1);
    assert.deepEqual(
      week.map((b) => b.t),
      ["2026-11-30T00:00:00.0000000+00:00", "2026-12-07T00:00:00.0000000+00:00"],
    );
    assert.equal(week[1]!.o, open[0]!.o, "a week opens on Sunday evening");
  });

  it("stops an expired contract's bars at its last trading time", async () => {
    await start(ct("2026-11-25T10:00:00"));
    const expired = "CON.F.US.EP.U26";
    const got = await bars(expired, cdt("2026-09-20T00:00:00"), ct("2026-11-25T00:00:00"), 3, 1);
    assert.ok(got.length > 50, `${got.length} hourly bars`);
    assert.equal(local(got.at(-1)!.t), "Thu 15:00", "the last bar is the final hour of its last day");
    assert.ok(ms(got.at(-1)!) < cdt("2026-09-24T16:00:00"));
    const later = await bars(expired, cdt("2026-09-25T00:00:00"), ct("2026-11-25T00:00:00"), 2, 1);
    assert.deepEqual(later, []);
  });

  it("sends no quotes for an expired contract while the front month quotes", async () => {
    await start(ct("2026-11-25T10:00:00"), "cme", 50);
    const expired = "CON.F.US.EP.U26";
    const conn = hubConnection(sim, "market", (await login(sim)).token);
    const got = record(conn, ["GatewayQuote"]);
    await conn.start();
    try {
      await conn.invoke("SubscribeContractQuotes", expired);
      await conn.invoke("SubscribeContractQuotes", ES);
      const of = (id: string) => got.GatewayQuote!.filter((q) => q[0] === id).length;
      const before = of(expired); // a subscriber's snapshot, if any
      await until(() => of(ES) > 10, "ten quotes of the front month");
      assert.equal(of(expired), before, "no quote of the expired contract");
    } finally {
      await conn.stop();
    }
  });

  it("serves a grain in its day session only: 08:30–13:20 CT on weekdays", async () => {
    await start(ct("2026-12-09T10:00:00"));
    const corn = sim.market.frontMonths().find((l) => l.product.symbol === "ZC")!.id;
    const got = await bars(corn, ct("2026-12-04T00:00:00"), ct("2026-12-09T00:00:00"), 2, 5);
    const names = new Set(got.map((b) => local(b.t).slice(0, 3)));
    assert.deepEqual([...names], ["Fri", "Mon", "Tue"]);
    for (const b of got) {
      const hm = local(b.t).slice(4);
      assert.ok(hm >= "08:30" && hm < "13:20", local(b.t));
    }
    assert.equal(got.length, 3 * 58, "58 five-minute bars a day");
  });

  it("keeps serving every hour with market.hours: always", async () => {
    await start(ct("2026-12-08T10:00:00"), "always");
    const got = await bars(ES, ct("2026-12-04T15:00:00"), ct("2026-12-08T09:00:00"), 2, 5);
    for (let i = 1; i < got.length; i++) assert.equal(ms(got[i]!) - ms(got[i - 1]!), 5 * MINUTE);
    assert.equal(got.length, ((ct("2026-12-08T09:00:00") - ct("2026-12-04T15:00:00")) / HOUR) * 12);
    const days = await bars(ES, Date.parse("2026-11-30T00:00:00Z"), Date.parse("2026-12-07T00:00:00Z"), 4, 1);
    assert.equal(days.length, 7, "a bar for every UTC day, Saturday and Sunday too");
    assert.equal(ms(days[1]!) - ms(days[0]!), DAY);
  });
});
