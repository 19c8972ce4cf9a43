import { strict as assert } from "node:assert";
import { join } from "node:path";
import { Journal, type JournalKind } from "../../src/core/journal/journal";
import { callsOn } from "../support/node-calls";
import type { DecisionMsg, StateMsg } from "../support/node-msgs";
import { allNodes, collect, configFor, helper, lastStatus } from "../support/node-red";
import { useRuntimeOnSim } from "../support/runtime-on-sim";
import { ACCOUNT, frontMonth, login, setPrice, until } from "../support/sim";
import { BUY, T } from "../support/trading";

describe("node: topstepx-rules dead-man checks (heartbeat, stale feed)", () => {
  const rt = useRuntimeOnSim({ dirPrefix: "topstepx-deadman-" });
  let mes: string;

  before(async () => {
    const { api } = await login(rt.sim);
    mes = (await frontMonth(api, "MES")).id;
  });

  /** A Topstep 50K Combine rules node on the simulator (whose quotes move only when a test sets a price), synced. */
  async function load(rules: Record<string, unknown>, id = "r1") {
    await setPrice(rt.sim, mes, 6800);
    const cfg = configFor(rt.sim);
    const flow = [
      cfg.node,
      {
        id,
        type: "topstepx-rules",
        server: "cfg",
        profile: "topstep-combine-50k",
        dbFile: join(rt.dir, "journal.sqlite"),
        ...rules,
        wires: [[`${id}-ok`], [`${id}-no`], [`${id}-st`]],
      },
      { id: `${id}-ok`, type: "helper" },
      { id: `${id}-no`, type: "helper" },
      { id: `${id}-st`, type: "helper" },
    ];
    await helper.load(allNodes, flow, cfg.credentials);
    const r1 = helper.getNode(id);
    const out = {
      r1,
      ok: collect<DecisionMsg>(helper.getNode(`${id}-ok`)),
      no: collect<DecisionMsg>(helper.getNode(`${id}-no`)),
      st: collect<StateMsg>(helper.getNode(`${id}-st`)),
    };
    await until(() => /MLL \$/.test(lastStatus(r1).text ?? ""), "the rules node synced");
    return out;
  }

  const heartbeats = (st: StateMsg[]) => st.filter((m) => m.topic === "rules" && m.payload.event === "heartbeat");

  /** Buys `size` MES at market on the simulator, as a trade made by hand, and waits for the rules to see it. */
  async function buyByHand(n: Awaited<ReturnType<typeof load>>, size: number) {
    const { api } = await login(rt.sim);
    const r = await api.post("/api/Order/place", {
      accountId: ACCOUNT,
      contractId: mes,
      type: T.Market,
      side: BUY,
      size,
    });
    assert.equal(r.data.success, true, JSON.stringify(r.data));
    await until(() => n.st.some((m) => (m.payload.headroom?.contracts ?? 0) > 0), "the rules to see the position");
    // The quote the rules subscribe to with the position comes a moment later: before the clock moves,
    // or it would arrive "later" and restart the silence.
    const conn = helper.getNode("cfg").connection;
    await until(() => conn.market.quote(mes), "the position's first quote");
  }

  /** Moves the clock and waits for a rule-state msg judged at that instant or later (the guard looks once a second). */
  async function advanceTo(n: Awaited<ReturnType<typeof load>>, at: number) {
    rt.clock = at;
    return until(
      () => n.st.find((m) => m.payload.event !== "heartbeat" && (m.payload.at ?? 0) >= at),
      `a rule-state msg at ${new Date(at).toISOString()}`,
    );
  }

  function journaled(kind: JournalKind): Array<{ rule?: string; reason?: string }> {
    const j = new Journal(join(rt.dir, "journal.sqlite"));
    try {
      return j.entries({ kind }).map((e) => e.data as { rule?: string; reason?: string });
    } finally {
      j.close();
    }
  }

  it("sends a heartbeat on the rule-state output while nothing moves, stamped on our clock, and none once closed", async () => {
    const n = await load({ heartbeatSeconds: "1" });
    // Beats start with the guard, synced or not: count those of the synced account.
    await until(() => heartbeats(n.st).filter((m) => m.payload.synced).length >= 2, "two heartbeats", 8000);
    const beat = heartbeats(n.st).at(-1)!;
    assert.equal(beat.payload.at, rt.clock, "the heartbeat carries the rules' clock, not the machine's");
    assert.equal(beat.payload.headroom?.maxLoss, 2000, "a heartbeat is the whole rule state");

    // What the closed node still sends, seen on the node itself: its output wires are gone with its flow.
    const closed: unknown[] = [];
    const send = n.r1.send;
    n.r1.send = function (this: unknown, ...args: unknown[]) {
      closed.push(args);
      return send.apply(this, args);
    };
    await helper.unload();
    closed.length = 0;
    // The next flow's own heartbeats show that seconds passed; the closed node sent nothing in them.
    const next = await load({ heartbeatSeconds: "1" }, "r2");
    await until(() => heartbeats(next.st).length >= 2, "two heartbeats of the next flow", 8000);
    const late = closed.filter((args) => JSON.stringify(args).includes('"event":"heartbeat"'));
    assert.deepEqual(late, [], "no heartbeat from the closed node");
  });

  it("sends no heartbeat with 0, and refuses a negative heartbeat naming the field", async () => {
    const n = await load({ heartbeatSeconds: "0", staleFeedFlattenSeconds: "0" });
    await advanceTo(n, rt.clock + 2000);
    assert.equal(heartbeats(n.st).length, 0);
    await helper.unload();
    const cfg = configFor(rt.sim);
    await helper.load(
      allNodes,
      [
        cfg.node,
        {
          id: "bad",
          type: "topstepx-rules",
          server: "cfg",
          dbFile: join(rt.dir, "j.sqlite"),
          heartbeatSeconds: "-5",
          wires: [],
        },
      ],
      cfg.credentials,
    );
    const bad = helper.getNode("bad");
    await until(() => /^heartbeatSeconds/.test(lastStatus(bad).text ?? ""), "the field named in the status");
  });

  it("flattens a position whose quotes went silent past the limit, journals a staleFeed breach, and refuses entries until it quotes again", async () => {
    // Guard stops off, as below: a guard's rule-state msgs would let advanceTo() move on early.
    const n = await load({ staleFeedFlattenSeconds: "5", heartbeatSeconds: "0", guardStops: false });
    const t0 = rt.clock;
    await buyByHand(n, 2);
    // 4 s without a quote: under the limit, nothing happens.
    await advanceTo(n, t0 + 4000);
    assert.equal((await rt.state()).positions.length, 1, "still long after 4 s of silence");
    assert.deepEqual(journaled("breach"), []);

    rt.clock = t0 + 6000;
    await until(() => n.st.some((m) => m.payload.event === "flattened"), "the flatten finished");
    assert.equal((await rt.state()).positions.length, 0, "the account is flat");
    const breaches = journaled("breach");
    assert.deepEqual(
      breaches.map((b) => b.rule),
      ["staleFeed"],
    );
    assert.match(
      breaches[0]!.reason ?? "",
      new RegExp(
        `^No quote for ${mes.replace(/\./g, "\\.")} for 6 s while the market is open \\(the stale-feed limit is 5 s\\)`,
      ),
    );
    assert.equal(journaled("flatten")[0]?.reason, "staleFeed");
    assert.ok(
      callsOn(n.r1, "warn").some((args) => /^staleFeed: No quote for/.test(String(args[0]))),
      "the node warns",
    );

    // Flat, the feed still silent: entries are refused (fail closed), and the status says why.
    n.r1.receive({ payload: { symbol: "MES", side: "buy", quantity: 1 } });
    await until(() => n.no.length === 1, "a refusal");
    assert.equal(n.no[0]!.decision.rule, "staleFeed");
    assert.match(n.no[0]!.decision.reason, /entries are refused until it quotes again/);
    await until(() => lastStatus(n.r1).text === "blocked: stale quotes", "the status naming the rule");

    // A quote comes: entries pass again (no block beyond the silence).
    rt.clock += 1000;
    await setPrice(rt.sim, mes, 6801);
    await until(async () => {
      n.r1.receive({ payload: { symbol: "MES", side: "buy", quantity: 1 } });
      await until(() => n.ok.length + n.no.length > 1, "a decision");
      return n.ok.length > 0;
    }, "an entry approved once the contract quotes again");
    assert.equal(n.ok.at(-1)!.decision.rule, "allRulesPassed");
  });

  it("never finds a closed market stale, and counts the silence from the reopen", async () => {
    // 27 November 2026 (Friday): CME closes at 12:15 CT. The trader's session runs to 15:10 that day,
    // so the rules' own session flatten does not act while Globex is closed and only this rule could.
    rt.clock = Date.parse("2026-11-27T17:55:00Z"); // 11:55 CT
    // Guard stops off: the guard placed at the reopen says so on the rule-state output, and that msg
    // would let advanceTo() move on before the rules have looked at the reopened market, so the
    // silence would be counted from the next instant the test sets, not from the reopen.
    const n = await load({
      staleFeedFlattenSeconds: "5",
      heartbeatSeconds: "0",
      earlyCloses: "2026-11-27 15:10",
      guardStops: false,
    });
    await buyByHand(n, 1);
    await advanceTo(n, Date.parse("2026-11-27T18:20:00Z")); // 12:20 CT, closed
    await advanceTo(n, Date.parse("2026-11-27T18:40:00Z")); // 20 minutes without a quote
    assert.equal((await rt.state()).positions.length, 1, "still long while CME is closed");
    assert.deepEqual(journaled("breach"), [], "no breach while CME is closed");
    // Sunday 17:00:01 CT: the market reopens; its silence counts from here, not from Friday.
    const reopen = Date.parse("2026-11-29T23:00:01Z");
    await advanceTo(n, reopen);
    await advanceTo(n, reopen + 3000);
    assert.equal((await rt.state()).positions.length, 1, "still long 3 s after the reopen");
    assert.deepEqual(journaled("breach"), []);
    rt.clock = reopen + 6000;
    await until(async () => (await rt.state()).positions.length === 0, "flattened 5 s after the reopen");
    assert.deepEqual(
      journaled("breach").map((b) => b.rule),
      ["staleFeed"],
    );
  });
});
