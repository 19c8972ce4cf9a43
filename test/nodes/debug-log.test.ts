import { strict as assert } from "node:assert";
import { join } from "node:path";
import type { GatewayConnection } from "../../src/core/connection";
import { type MarketMsg, type OrderMsg, quoteOf } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { frontMonth, login, restClient, setPrice, USER, until } from "../support/sim";

/** One call of Node-RED's log, as the test helper's spy records it. */
interface LogLine {
  level: number;
  id?: string;
  msg: unknown;
}

/**
 * The config node's "Debug log" box and Node-RED's own log level decide whether the connection's
 * debug lines reach Node-RED's log; they are read through the runtime's log, as a user would.
 */
describe("node: topstepx-config debug log", function () {
  this.timeout(30_000);
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-debuglog-" });
  let mnq: string;

  before(async () => {
    mnq = (await frontMonth((await login(rt.sim)).api, "MNQ")).id;
  });
  beforeEach(() => setPrice(rt.sim, mnq, 21000));
  afterEach(() => helper.settings({ topstepxConfigClock: { now: rt.now } }));

  /** The config node's lines in Node-RED's log so far. */
  function cfgLines(): LogLine[] {
    const spy = helper.log() as { args: Array<[LogLine]> };
    return spy.args.map((a) => a[0]).filter((l) => l.id === "cfg");
  }
  const text = (l: LogLine) => String(l.msg);
  const DEBUG = 50; // Node-RED's log levels: INFO 40, DEBUG 50
  const INFO = 40;

  /** Loads config + order + market nodes, drops and restores the user hub, places one order. */
  async function run(cfgExtra: Record<string, unknown>, nodeRedLevel?: string) {
    helper.settings({
      topstepxConfigClock: { now: rt.now },
      ...(nodeRedLevel ? { logging: { console: { level: nodeRedLevel } } } : {}),
    });
    const cfg = configFor(rt.sim, cfgExtra);
    await helper.load(
      allNodes,
      [
        cfg.node,
        { id: "o1", type: "topstepx-order", server: "cfg", symbol: "MNQ", wires: [["ok"], ["err"]] },
        { id: "m1", type: "topstepx-market", server: "cfg", symbols: "MNQ", quotes: true, wires: [["q"]] },
        { id: "ok", type: "helper" },
        { id: "err", type: "helper" },
        { id: "q", type: "helper" },
      ],
      cfg.credentials,
    );
    const ok = collect<OrderMsg>(helper.getNode("ok"));
    const quotes = collect<MarketMsg>(helper.getNode("q"));
    const o1 = helper.getNode("o1");
    await until(() => lastStatus(o1).text === "connected", "connected");
    await until(() => /contract/.test(lastStatus(helper.getNode("m1")).text ?? ""), "the market node subscribed");
    const conn = helper.getNode("cfg").connection as GatewayConnection;
    let drops = 0;
    conn.on("state", (st) => {
      if (st.user !== "connected") drops++;
    });
    await restClient(rt.sim).post("/sim/faults", { dropHubs: "user" });
    await until(() => drops > 0 && conn.status().state === "connected", "the user hub dropped and back");
    o1.receive({ payload: { side: "buy", quantity: 1 } });
    await until(() => ok.length === 1, "the order placed");
    // A stream of quotes: none of them may cost a line of log.
    const before = cfgLines().length;
    for (let i = 1; i <= 40; i++) await setPrice(rt.sim, mnq, 21000 + i);
    await until(() => quotes.some((m) => quoteOf(m)?.lastPrice === 21040), "the last quote");
    return { quoteLines: cfgLines().length - before };
  }

  it("writes hub connects, reconnects, SignalR's messages and the order at debug level when on", async () => {
    const { quoteLines } = await run({ debugLog: true }, "debug");
    const debug = cfgLines()
      .filter((l) => l.level === DEBUG)
      .map(text);
    for (const re of [
      /^user hub: connected/,
      /^market hub: connected/,
      /^user hub: lost/,
      /^user hub: reconnected/,
      /^user hub: SignalR \w+: /,
      /^REST Order\/place .*"accountId":10001.*: HTTP 200, orderId \d+ in \d+ ms$/,
      /^account 10001: re-synced/,
    ])
      assert.ok(
        debug.some((t) => re.test(t)),
        `a debug line matching ${re}`,
      );
    const all = cfgLines().map(text).join("\n");
    assert.equal(all.includes(USER.apiKey), false, "never the API key");
    assert.doesNotMatch(all, /access_token=(?!\*\*\*)/, "never a token");
    assert.ok(quoteLines < 10, `40 quotes cost ${quoteLines} lines`);
  });

  it("writes the rules' re-sync and flatten at debug when on", async () => {
    helper.settings({ topstepxConfigClock: { now: rt.now }, logging: { console: { level: "debug" } } });
    const cfg = configFor(rt.sim, { debugLog: true });
    await helper.load(
      allNodes,
      [
        cfg.node,
        {
          id: "r1",
          type: "topstepx-rules",
          server: "cfg",
          profile: "topstep-combine-50k",
          dbFile: join(rt.dir, "journal.sqlite"),
          wires: [[], [], []],
        },
      ],
      cfg.credentials,
    );
    const r1 = helper.getNode("r1");
    await until(() => /MLL \$/.test(lastStatus(r1).text ?? ""), "the rules node synced");
    r1.receive({ payload: { command: "killSwitch", on: true, flatten: true } });
    const debug = () =>
      cfgLines()
        .filter((l) => l.level === DEBUG)
        .map(text);
    await until(() => debug().some((t) => /^account 10001: flattened: /.test(t)), "the flatten logged");
    assert.ok(debug().some((t) => /^account 10001: flatten \(killSwitch\)/.test(t)));
    assert.ok(debug().some((t) => /^account 10001: rules synced with the account/.test(t)));
  });

  it("writes nothing at debug with the box off and Node-RED at info (a flow saved without the box)", async () => {
    await run({});
    const lines = cfgLines();
    assert.deepEqual(lines.filter((l) => l.level === DEBUG || /^debug: /.test(text(l))).map(text), [], "no debug line");
  });

  it("shows the debug lines at info when the box is ticked and Node-RED logs at info", async () => {
    await run({ debugLog: true });
    const info = cfgLines()
      .filter((l) => l.level === INFO)
      .map(text);
    assert.ok(
      info.some((t) => /^debug: user hub: reconnected/.test(t)),
      "the reconnection",
    );
    assert.ok(
      info.some((t) => /^debug: REST Order\/place /.test(t)),
      "the order",
    );
    assert.equal(
      cfgLines().some((l) => l.level === DEBUG),
      false,
      "nothing at a level Node-RED would drop",
    );
  });

  it("writes the debug lines when Node-RED logs at debug, box or not", async () => {
    await run({}, "trace");
    assert.ok(
      cfgLines().some((l) => l.level === DEBUG && /^user hub: reconnected/.test(text(l))),
      "the reconnection at debug",
    );
  });
});
