import { strict as assert } from "node:assert";
import {
  AlertError,
  alertSecret,
  checkBodyShape,
  checkSecret,
  MAX_DEPTH,
  type ParsedAlert,
  parseAlert,
} from "../../src/core/alerts/parse-alert";

const NOW = Date.parse("2026-11-25T15:00:30Z");

/** Parses as TradingView sends it: JSON text (numbers substituted into strings). */
const parse = (body: unknown, now = NOW) =>
  parseAlert(typeof body === "object" && body !== null && !Buffer.isBuffer(body) ? JSON.stringify(body) : body, now);
const intentOf = (body: unknown) => parse(body).intent;

/** Asserts that fn throws AlertError(status, field) whose message starts with the field (and matches re). */
function fails(fn: () => unknown, field: string, re?: RegExp, status: 400 | 401 = 400): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof AlertError, `not an AlertError: ${String(e)}`);
    assert.equal(e.field, field, e.message);
    assert.equal(e.status, status);
    assert.ok(e.message.startsWith(`${field}: `), e.message);
    if (re) assert.match(e.message, re);
    return true;
  });
}

describe("core: alert parsing (TradingView webhooks)", () => {
  describe("our JSON form", () => {
    it("parses the documented body, with TradingView's numbers-as-strings", () => {
      const p = parse({
        secret: "s3cr3t",
        id: "MNQ-long-2026-11-25T15:00:00Z",
        symbol: "MNQ1!",
        side: "buy",
        quantity: "2",
        type: "limit",
        limitPrice: "21000",
        stopLoss: { ticks: 40 },
        takeProfit: { ticks: "80" },
        time: "2026-11-25T15:00:00Z",
        account: "50KTC-V2-123-456",
      });
      assert.equal(p.format, "json");
      assert.deepEqual(p.intent, {
        action: "place",
        symbol: "MNQ1!",
        side: "buy",
        type: "limit",
        quantity: 2,
        limitPrice: 21000,
        account: "50KTC-V2-123-456",
        stopLoss: { ticks: 40 },
        takeProfit: { ticks: 80 },
      });
      assert.equal(p.target, null);
      assert.equal(p.id, "MNQ-long-2026-11-25T15:00:00Z");
      assert.equal(p.idDerived, false);
      assert.equal(p.alertTime, Date.parse("2026-11-25T15:00:00Z"));
      assert.equal(p.secret, "s3cr3t");
    });

    it("accepts a string, a Buffer or an already-parsed object alike", () => {
      const body = { symbol: "MES1!", side: "SELL", qty: 1 };
      const a = parseAlert(JSON.stringify(body), NOW);
      const b = parseAlert(Buffer.from(JSON.stringify(body)), NOW);
      const c = parseAlert(body, NOW);
      const d = parseAlert(`\uFEFF  ${JSON.stringify(body, null, 2)}\n`, NOW);
      for (const p of [b, c, d]) assert.deepEqual(p, a);
      assert.deepEqual(a.intent, { action: "place", symbol: "MES1!", side: "sell", type: "market", quantity: 1 });
    });

    it("takes the aliases ticker, qty/contracts, orderType, long/short, and keys in any case or snake_case", () => {
      assert.deepEqual(
        intentOf({ ticker: "NQ1!", side: "long", contracts: "3", orderType: "stop", stopPrice: "21050.5" }),
        {
          action: "place",
          symbol: "NQ1!",
          side: "buy",
          type: "stop",
          quantity: 3,
          stopPrice: 21050.5,
        },
      );
      assert.deepEqual(
        intentOf({
          Symbol: "ES1!",
          SIDE: "Short",
          Quantity: 1,
          order_type: "stop_limit",
          stop_price: 6800,
          limit_price: 6799.75,
        }),
        {
          action: "place",
          symbol: "ES1!",
          side: "sell",
          type: "stopLimit",
          quantity: 1,
          stopPrice: 6800,
          limitPrice: 6799.75,
        },
      );
      assert.deepEqual(
        intentOf({ symbol: "MNQ1!", side: "buy", quantity: 1, type: "trailing_stop", trailTicks: "20" }),
        {
          action: "place",
          symbol: "MNQ1!",
          side: "buy",
          type: "trailingStop",
          quantity: 1,
          trailTicks: 20,
        },
      );
    });

    it("infers the order type from the prices when none is given", () => {
      assert.equal(intentOf({ symbol: "MNQ1!", side: "buy", quantity: 1, limitPrice: 21000 })!.type, "limit");
      assert.equal(intentOf({ symbol: "MNQ1!", side: "buy", quantity: 1, stopPrice: 21000 })!.type, "stop");
      assert.equal(
        intentOf({ symbol: "MNQ1!", side: "buy", quantity: 1, stopPrice: 21000, limitPrice: 21001 })!.type,
        "stopLimit",
      );
      assert.equal(intentOf({ symbol: "MNQ1!", side: "buy", quantity: 1 })!.type, "market");
    });

    it("refuses a price the order type cannot use, and a type without its price", () => {
      fails(
        () => parse({ symbol: "MNQ1!", side: "buy", quantity: 1, type: "market", limitPrice: 21000 }),
        "limitPrice",
        /market order takes no limitPrice/,
      );
      fails(
        () => parse({ symbol: "MNQ1!", side: "buy", quantity: 1, type: "limit", stop_price: 21000, limitPrice: 1 }),
        "stop_price",
      );
      fails(
        () => parse({ symbol: "MNQ1!", side: "buy", quantity: 1, type: "limit" }),
        "limitPrice",
        /required for a limit order/,
      );
      fails(() => parse({ symbol: "MNQ1!", side: "buy", quantity: 1, type: "stop" }), "stopPrice");
      fails(() => parse({ symbol: "MNQ1!", side: "buy", quantity: 1, type: "trailingStop" }), "trailTicks");
      fails(() => parse({ symbol: "MNQ1!", side: "buy", quantity: 1, type: "iceberg" }), "type", /got "iceberg"/);
    });

    it("reads brackets as ticks (bare number or {ticks}) or {price}", () => {
      const i = intentOf({
        symbol: "MNQ1!",
        side: "buy",
        quantity: 1,
        stopLoss: "40",
        takeProfit: { price: "21100.25" },
      })!;
      assert.deepEqual([i.stopLoss, i.takeProfit], [{ ticks: 40 }, { price: 21100.25 }]);
      assert.deepEqual(intentOf({ symbol: "MNQ1!", side: "buy", quantity: 1, stop_loss: 12 })!.stopLoss, { ticks: 12 });
      fails(
        () => parse({ symbol: "MNQ1!", side: "buy", quantity: 1, stopLoss: "40.5" }),
        "stopLoss",
        /positive whole number/,
      );
      fails(
        () => parse({ symbol: "MNQ1!", side: "buy", quantity: 1, stopLoss: { ticks: 40, price: 20900 } }),
        "stopLoss",
        /exactly one/,
      );
      fails(() => parse({ symbol: "MNQ1!", side: "buy", quantity: 1, takeProfit: {} }), "takeProfit", /exactly one/);
      fails(() => parse({ symbol: "MNQ1!", side: "buy", quantity: 1, takeProfit: { ticks: "" } }), "takeProfit.ticks");
    });

    it("maps the non-entry actions", () => {
      assert.deepEqual(intentOf({ action: "close", symbol: "MNQ1!" }), {
        action: "close",
        type: "market",
        symbol: "MNQ1!",
      });
      assert.deepEqual(intentOf({ action: "close", symbol: "MNQ1!", quantity: "1" }), {
        action: "partialClose",
        type: "market",
        symbol: "MNQ1!",
        quantity: 1,
      });
      assert.deepEqual(intentOf({ action: "partialClose", symbol: "MNQ1!", qty: 2 }), {
        action: "partialClose",
        type: "market",
        symbol: "MNQ1!",
        quantity: 2,
      });
      assert.deepEqual(intentOf({ action: "flatten", account: 12345 }), {
        action: "flatten",
        type: "market",
        account: 12345,
      });
      assert.deepEqual(intentOf({ action: "FLATTEN", account: "" }), { action: "flatten", type: "market" });
      assert.deepEqual(intentOf({ action: "cancel", orderId: "987654" }), {
        action: "cancel",
        type: "market",
        orderId: 987654,
      });
      assert.deepEqual(intentOf({ action: "cancel", symbol: "MNQ1!" }), {
        action: "cancelAll",
        type: "market",
        symbol: "MNQ1!",
      });
      assert.deepEqual(intentOf({ action: "cancelAll" }), { action: "cancelAll", type: "market" });
      assert.deepEqual(intentOf({ action: "modify", orderId: 5, limitPrice: "21001" }), {
        action: "modify",
        type: "market",
        orderId: 5,
        limitPrice: 21001,
      });
      // A close ignores brackets: the position goes away, so nothing is left unprotected.
      assert.deepEqual(intentOf({ action: "close", symbol: "MNQ1!", stopLoss: 40 }), {
        action: "close",
        type: "market",
        symbol: "MNQ1!",
      });
    });

    it("refuses actions without what they need, and a flatten aimed at one symbol", () => {
      fails(() => parse({ action: "close" }), "symbol", /required for action close/);
      fails(() => parse({ action: "modify", limitPrice: 1 }), "orderId");
      fails(() => parse({ action: "flatten", symbol: "MNQ1!" }), "symbol", /close/);
      fails(() => parse({ action: "reverse", symbol: "MNQ1!" }), "action", /got "reverse"/);
      fails(() => parse({ action: "buy", side: "sell", symbol: "MNQ1!", quantity: 1 }), "side", /says sell/);
      fails(() => parse({ symbol: "MNQ1!", quantity: 1 }), "side", /required/);
      fails(() => parse({ side: "buy", quantity: 1 }), "symbol", /required/);
      fails(() => parse({ symbol: "MNQ1!", side: "buy" }), "quantity", /required/);
      fails(() => parse({ symbol: "MNQ1!", side: "up", quantity: 1 }), "side", /got "up"/);
      fails(() => parse({ symbol: "MNQ1!", ticker: "ES1!", side: "buy", quantity: 1 }), "symbol", /disagree/);
      fails(() => parse({ action: "modify", orderId: 5, stopLoss: 10 }), "stopLoss");
    });
  });

  describe("TradersPost-style JSON", () => {
    it("parses TradersPost's TradingView strategy template", () => {
      const p = parse({ ticker: "MNQ1!", action: "buy", sentiment: "long", quantity: "2", price: "21000.25" });
      assert.equal(p.format, "traderspost");
      assert.deepEqual(p.intent, {
        action: "place",
        symbol: "MNQ1!",
        side: "buy",
        type: "market",
        quantity: 2,
        strategyPosition: { after: "long" },
      });
      assert.equal(parse({ ticker: "MNQ1!", action: "sell", quantity: "1" }).format, "traderspost");
      assert.equal(parse({ symbol: "MNQ1!", action: "sell", sentiment: "short", quantity: "1" }).format, "traderspost");
      assert.deepEqual(
        intentOf({ ticker: "MNQ1!", action: "sell", sentiment: "bearish", quantity: "1" })!.side,
        "sell",
      );
    });

    it("maps sentiment flat, exit, cancel and add", () => {
      const close = { action: "close", type: "market", symbol: "MNQ1!" };
      const flat = { ...close, strategyPosition: { after: "flat" } };
      assert.deepEqual(
        intentOf({ ticker: "MNQ1!", action: "sell", sentiment: "flat", quantity: "2", price: "21000" }),
        flat,
      );
      assert.deepEqual(intentOf({ ticker: "MNQ1!", action: "buy", sentiment: "FLAT", quantity: "2" }), flat);
      assert.deepEqual(intentOf({ ticker: "MNQ1!", sentiment: "flat" }), flat);
      assert.deepEqual(intentOf({ ticker: "MNQ1!", action: "exit" }), close);
      assert.deepEqual(intentOf({ ticker: "MNQ1!", action: "exit", quantity: "1" }), {
        action: "partialClose",
        type: "market",
        symbol: "MNQ1!",
        quantity: 1,
      });
      assert.deepEqual(intentOf({ ticker: "MNQ1!", action: "cancel" }), {
        action: "cancelAll",
        type: "market",
        symbol: "MNQ1!",
      });
      assert.deepEqual(intentOf({ ticker: "MNQ1!", action: "add", sentiment: "bullish", quantity: 1 })!.side, "buy");
      assert.deepEqual(intentOf({ ticker: "MNQ1!", action: "add", sentiment: "short", quantity: 1 })!.side, "sell");
      fails(() => parse({ ticker: "MNQ1!", action: "add", quantity: 1 }), "sentiment");
      fails(() => parse({ ticker: "MNQ1!", action: "add", sentiment: "flat", quantity: 1 }), "sentiment");
      fails(
        () => parse({ ticker: "MNQ1!", action: "buy", sentiment: "sideways", quantity: 1 }),
        "sentiment",
        /got "sideways"/,
      );
      fails(() => parse({ ticker: "MNQ1!", sentiment: "long", quantity: 1 }), "side");
    });

    it("maps order types and prices; a limit without limitPrice uses the signal price", () => {
      assert.deepEqual(
        intentOf({ ticker: "ES1!", action: "sell", quantity: "1", orderType: "limit", limitPrice: "6800.25" }),
        {
          action: "place",
          symbol: "ES1!",
          side: "sell",
          type: "limit",
          quantity: 1,
          limitPrice: 6800.25,
        },
      );
      assert.deepEqual(
        intentOf({ ticker: "ES1!", action: "sell", quantity: "1", orderType: "limit", signalPrice: "6800.5" })!
          .limitPrice,
        6800.5,
      );
      assert.deepEqual(
        intentOf({
          ticker: "ES1!",
          action: "buy",
          quantity: 1,
          orderType: "stop_limit",
          stopPrice: "6801",
          limitPrice: "6802",
        })!.type,
        "stopLimit",
      );
      fails(() => parse({ ticker: "ES1!", action: "sell", quantity: "1", orderType: "limit" }), "limitPrice");
      fails(() => parse({ ticker: "ES1!", action: "sell", quantity: "1", price: "{{close}}" }), "price", /placeholder/);
    });

    it("turns stopLoss/takeProfit prices, amounts and percents into absolute prices", () => {
      const buy = { ticker: "MNQ1!", action: "buy", sentiment: "long", quantity: "1" };
      let i = intentOf({
        ...buy,
        stopLoss: { type: "stop", stopPrice: "20950" },
        takeProfit: { limitPrice: "21100" },
      })!;
      assert.deepEqual([i.stopLoss, i.takeProfit], [{ price: 20950 }, { price: 21100 }]);
      i = intentOf({ ...buy, price: "21000", stopLoss: { amount: "10.5" }, takeProfit: { amount: 20 } })!;
      assert.deepEqual(
        [i.stopLoss, i.takeProfit],
        [{ price: 20989.5 }, { price: 21020 }],
        "long: stop below, target above",
      );
      i = intentOf({
        ticker: "MNQ1!",
        action: "sell",
        quantity: "1",
        signalPrice: "21000",
        stopLoss: { amount: 10 },
        takeProfit: { amount: 20 },
      })!;
      assert.deepEqual(
        [i.stopLoss, i.takeProfit],
        [{ price: 21010 }, { price: 20980 }],
        "short: stop above, target below",
      );
      i = intentOf({
        ...buy,
        orderType: "limit",
        limitPrice: "20000",
        price: "21000",
        stopLoss: { percent: "0.5" },
        takeProfit: { percent: 1 },
      })!;
      assert.deepEqual(
        [i.stopLoss, i.takeProfit],
        [{ price: 19900 }, { price: 20200 }],
        "measured from limitPrice first",
      );
      i = intentOf({ ...buy, stopLoss: { ticks: 40 } })!;
      assert.deepEqual(i.stopLoss, { ticks: 40 });
    });

    it("keeps an amount or percent bracket of a market order without a reference price as a distance for the live quote", () => {
      const market = { ticker: "MNQ1!", action: "buy", quantity: "1" };
      assert.deepEqual(intentOf({ ...market, stopLoss: { amount: 10 } })!.stopLoss, { points: 10 });
      assert.deepEqual(intentOf({ ...market, takeProfit: { percent: 2 } })!.takeProfit, { percent: 2 });
    });

    it("refuses risk fields it cannot honour, naming them", () => {
      const buy = { ticker: "MNQ1!", action: "buy", quantity: "1", price: "21000" };
      fails(() => parse({ ...buy, trailAmount: "5" }), "trailAmount", /cannot honour/);
      fails(() => parse({ ...buy, trailPercent: 1 }), "trailPercent");
      fails(() => parse({ ...buy, orderType: "trailing_stop", trailAmount: 5 }), "trailAmount");
      fails(() => parse({ ...buy, stopLoss: { type: "trailing_stop", trailAmount: 5 } }), "stopLoss.type", /only stop/);
      fails(
        () => parse({ ...buy, stopLoss: { type: "stop_limit", stopPrice: 20990, limitPrice: 20989 } }),
        "stopLoss.type",
      );
      fails(() => parse({ ...buy, stopLoss: { stopPrice: 20990, limitPrice: 20989 } }), "stopLoss.limitPrice");
      fails(() => parse({ ...buy, stopLoss: { amount: 25000 } }), "stopLoss.amount", /at or below zero/);
      fails(() => parse({ ...buy, stopLoss: { percent: "-1" } }), "stopLoss.percent", /positive/);
      fails(() => parse({ ...buy, quantityType: "risk_dollar_amount" }), "quantityType", /needs a stopLoss/);
      fails(() => parse({ ...buy, quantityType: "percent_of_equity" }), "quantityType", /risk_dollar_amount/);
      fails(() => parse({ ...buy, sl_percent: 1 }), "sl_percent");
      fails(() => parse({ ...buy, dollar_tp: 100 }), "dollar_tp");
      assert.deepEqual(intentOf({ ...buy, breakeven: 10 })!.breakeven, { after: 10, offset: 0 }, "honoured now");
      assert.equal(intentOf({ ...buy, quantityType: "fixed_quantity" })!.quantity, 1);
      // Fields that are not about risk are ignored.
      assert.equal(
        intentOf({
          ...buy,
          extras: { note: 1 },
          comment: "Long",
          interval: "5",
          exchange: "CME_MINI",
          ignoreTradingWindows: true,
        })!.quantity,
        1,
      );
      // On an exit nothing is left to protect: a flat signal always goes through.
      assert.equal(
        intentOf({ ticker: "MNQ1!", action: "exit", trailAmount: 5, stopLoss: { amount: 10 } })!.action,
        "close",
      );
    });
  });

  describe("target-position form", () => {
    it("reads targetPosition (signed, string accepted) with the symbol", () => {
      const p = parse({
        secret: "x",
        symbol: "MNQ1!",
        targetPosition: "-2",
        id: "L1-2026-11-25T15:00:00Z",
        timenow: "2026-11-25T15:00:01Z",
      });
      assert.equal(p.format, "target");
      assert.equal(p.intent, null);
      assert.deepEqual(p.target, { symbol: "MNQ1!", position: -2 });
      assert.equal(p.alertTime, Date.parse("2026-11-25T15:00:01Z"));
      assert.deepEqual(parse({ ticker: "MES1!", target_position: " 3.0 ", account: "9001" }).target, {
        symbol: "MES1!",
        position: 3,
        account: 9001,
      });
      assert.deepEqual(parse({ ticker: "MES1!", targetPosition: 0, sentiment: "flat" }).target, {
        symbol: "MES1!",
        position: 0,
      });
      assert.deepEqual(parse({ ticker: "MES1!", targetPosition: "-0" }).target, { symbol: "MES1!", position: 0 });
      assert.deepEqual(parse({ ticker: "MES1!", targetPosition: "+1", sentiment: "long" }).target, {
        symbol: "MES1!",
        position: 1,
      });
    });

    it("refuses a bad or ambiguous target", () => {
      fails(() => parse({ symbol: "MNQ1!", targetPosition: "1.5" }), "targetPosition", /whole number/);
      fails(() => parse({ symbol: "MNQ1!", targetPosition: "" }), "targetPosition");
      fails(
        () => parse({ symbol: "MNQ1!", targetPosition: "{{strategy.position_size}}" }),
        "targetPosition",
        /placeholder/,
      );
      fails(() => parse({ targetPosition: 1 }), "symbol");
      fails(() => parse({ symbol: "MNQ1!", targetPosition: 1, action: "buy" }), "targetPosition", /"action"/);
      fails(() => parse({ symbol: "MNQ1!", targetPosition: 1, quantity: 1 }), "targetPosition", /"quantity"/);
      fails(() => parse({ symbol: "MNQ1!", targetPosition: 1, stopLoss: 40 }), "targetPosition", /"stopLoss"/);
      fails(
        () => parse({ symbol: "MNQ1!", targetPosition: -1, sentiment: "long" }),
        "sentiment",
        /targetPosition is -1/,
      );
      fails(() => parse({ symbol: "MNQ1!", targetPosition: 2, trailAmount: 5 }), "trailAmount");
      fails(() => parse({ ticker: "MNQ1!", position: "{{strategy.position_size}}" }), "position", /targetPosition/);
    });
  });

  describe("text form", () => {
    const text = (s: string) => {
      const p = parseAlert(s, NOW);
      assert.equal(p.format, "text");
      return p.intent;
    };

    it("parses the short commands, case-insensitively", () => {
      assert.deepEqual(text("buy 2 MNQ1!"), {
        action: "place",
        side: "buy",
        quantity: 2,
        symbol: "MNQ1!",
        type: "market",
      });
      assert.deepEqual(text("SELL 1 es LIMIT 6800.25"), {
        action: "place",
        side: "sell",
        quantity: 1,
        symbol: "ES",
        type: "limit",
        limitPrice: 6800.25,
      });
      assert.deepEqual(text("buy 1 MNQ stop 21050"), {
        action: "place",
        side: "buy",
        quantity: 1,
        symbol: "MNQ",
        type: "stop",
        stopPrice: 21050,
      });
      assert.deepEqual(text("buy 1 MNQ stop 21050 limit 21052"), {
        action: "place",
        side: "buy",
        quantity: 1,
        symbol: "MNQ",
        type: "stopLimit",
        stopPrice: 21050,
        limitPrice: 21052,
      });
      assert.deepEqual(text("Long 3 MES sl 40 tp 80"), {
        action: "place",
        side: "buy",
        quantity: 3,
        symbol: "MES",
        type: "market",
        stopLoss: { ticks: 40 },
        takeProfit: { ticks: 80 },
      });
      assert.deepEqual(text("short 1 MES1! sl=20, tp=60"), {
        action: "place",
        side: "sell",
        quantity: 1,
        symbol: "MES1!",
        type: "market",
        stopLoss: { ticks: 20 },
        takeProfit: { ticks: 60 },
      });
      assert.deepEqual(text("buy 1 MNQ1! trail 20"), {
        action: "place",
        side: "buy",
        quantity: 1,
        symbol: "MNQ1!",
        type: "trailingStop",
        trailTicks: 20,
      });
      assert.deepEqual(text("buy 2.0 MNQ1! market"), {
        action: "place",
        side: "buy",
        quantity: 2,
        symbol: "MNQ1!",
        type: "market",
      });
      assert.deepEqual(text("close MNQ1!"), { action: "close", type: "market", symbol: "MNQ1!" });
      assert.deepEqual(text("exit 1 mnq1!"), { action: "partialClose", type: "market", quantity: 1, symbol: "MNQ1!" });
      assert.deepEqual(text("flatten"), { action: "flatten", type: "market" });
      assert.deepEqual(text("cancel MNQ"), { action: "cancelAll", type: "market", symbol: "MNQ" });
      assert.deepEqual(text("cancel"), { action: "cancelAll", type: "market" });
      assert.deepEqual(text("cancel #12345"), { action: "cancel", type: "market", orderId: 12345 });
      assert.deepEqual(text("\n buy\t2\n6E1! \n"), {
        action: "place",
        side: "buy",
        quantity: 2,
        symbol: "6E1!",
        type: "market",
      });
    });

    it("takes secret=, id=, account= and time= anywhere", () => {
      const p = parseAlert(
        "secret=Abc123 buy 2 MNQ1! id=MNQ-1732546800 account=50KTC-1 time=2026-11-25T15:00:00Z",
        NOW,
      );
      assert.equal(p.secret, "Abc123");
      assert.equal(p.id, "MNQ-1732546800");
      assert.equal(p.idDerived, false);
      assert.equal(p.alertTime, Date.parse("2026-11-25T15:00:00Z"));
      assert.deepEqual(p.intent, {
        action: "place",
        side: "buy",
        quantity: 2,
        symbol: "MNQ1!",
        type: "market",
        account: "50KTC-1",
      });
      assert.equal(parseAlert("flatten SECRET=xyz", NOW).secret, "xyz");
      assert.ok(!JSON.stringify(p.intent).includes("Abc123"));
    });

    it("names the field of every mistake", () => {
      fails(() => parseAlert("buy two MNQ1!", NOW), "quantity", /got "two"/);
      fails(() => parseAlert("buy 2.5 MNQ1!", NOW), "quantity", /got "2.5"/);
      fails(() => parseAlert("buy {{strategy.order.contracts}} MNQ1!", NOW), "quantity", /placeholder/);
      fails(() => parseAlert("buy", NOW), "quantity");
      fails(() => parseAlert("buy 2", NOW), "symbol");
      fails(() => parseAlert("sell 1 ES limit", NOW), "limitPrice", /missing/);
      fails(() => parseAlert("sell 1 ES limit -5", NOW), "limitPrice", /positive price/);
      fails(() => parseAlert("sell 1 ES limit 6800 limit 6801", NOW), "limitPrice", /twice/);
      fails(() => parseAlert("buy 1 MNQ sl 40.5", NOW), "stopLoss");
      fails(() => parseAlert("buy 1 MNQ tp", NOW), "takeProfit");
      fails(() => parseAlert("buy 1 MNQ gtc", NOW), "body", /"gtc"/);
      fails(() => parseAlert("buy 1 MNQ qty=2", NOW), "body", /"qty=2"/);
      fails(() => parseAlert("flatten MNQ", NOW), "symbol", /close SYMBOL/);
      fails(() => parseAlert("close", NOW), "symbol");
      fails(() => parseAlert("hello world", NOW), "action", /"hello"/);
      fails(
        () => parseAlert("{{strategy.order.action}} 1 MNQ1!", NOW),
        "body",
        /placeholder \{\{strategy.order.action\}\}/,
      );
      fails(() => parseAlert("buy 1 {{ticker}}", NOW), "symbol", /placeholder/);
      fails(() => parseAlert("secret=abc", NOW), "action");
      fails(() => parseAlert("buy 1 MNQ time=yesterday", NOW), "time");
      fails(() => parseAlert("buy 1 MNQ id={{strategy.order.id}}", NOW), "id", /placeholder/);
    });

    it("refuses words that are names of JavaScript's object internals, rather than ignoring them", () => {
      fails(() => parseAlert("buy 1 MNQ __proto__ 5", NOW), "body", /"__proto__"/);
      fails(() => parseAlert("buy 1 MNQ constructor 5", NOW), "body", /"constructor"/);
      fails(() => parseAlert("buy 1 MNQ toString", NOW), "body", /"toString"/);
      fails(() => parse({ symbol: "MNQ1!", side: "buy", quantity: 1, type: "constructor" }), "type", /"constructor"/);
      fails(() => parse({ symbol: "MNQ1!", side: "buy", quantity: 1, orderType: "__proto__" }), "orderType");
    });
  });

  describe("numbers and placeholders", () => {
    const q = (quantity: unknown) => intentOf({ symbol: "MNQ1!", side: "buy", quantity })!.quantity;

    it("reads TradingView's substituted strings as numbers", () => {
      assert.equal(q("2"), 2);
      assert.equal(q(" 2 "), 2);
      assert.equal(q("2.0"), 2);
      assert.equal(q(2), 2);
      assert.equal(
        intentOf({ symbol: "MNQ1!", side: "buy", quantity: 1, limitPrice: " 21000.50 " })!.limitPrice,
        21000.5,
      );
    });

    it("refuses non-whole, non-positive, blank and unsubstituted quantities, naming the field", () => {
      assert.throws(() => q("-2"), { message: 'quantity: must be a positive whole number (got "-2")' });
      fails(() => q("2.5"), "quantity", /got "2.5"/);
      fails(() => q("-1"), "quantity");
      fails(() => q("0"), "quantity");
      fails(() => q(""), "quantity", /got ""/);
      fails(() => q("{{strategy.order.contracts}}"), "quantity", /unsubstituted TradingView placeholder/);
      fails(() => q(true), "quantity");
      fails(() => intentOf({ symbol: "MNQ1!", side: "buy", qty: "1.5" }), "qty");
    });

    it("refuses prices that are not positive finite numbers", () => {
      for (const limitPrice of ["0", "-1", "abc", "", "Infinity", "1e400", "{{close}}", "21,000"]) {
        fails(() => intentOf({ symbol: "MNQ1!", side: "buy", quantity: 1, limitPrice }), "limitPrice");
      }
      fails(() => intentOf({ symbol: "MNQ1!", side: "buy", quantity: 1, stopPrice: -5 }), "stopPrice");
      fails(() => intentOf({ symbol: "{{ticker}}", side: "buy", quantity: 1 }), "symbol", /placeholder/);
      fails(() => intentOf({ symbol: "  ", side: "buy", quantity: 1 }), "symbol", /empty/);
    });
  });

  describe("time", () => {
    const at = (body: Record<string, unknown>) =>
      parse({ symbol: "MNQ1!", side: "buy", quantity: 1, ...body }).alertTime;

    it("reads ISO and epoch seconds or milliseconds from time, timenow or alertTime", () => {
      const ms = Date.parse("2026-11-25T15:00:00Z");
      assert.equal(at({ time: "2026-11-25T15:00:00Z" }), ms);
      assert.equal(at({ timenow: "2026-11-25T15:00:00.250Z" }), ms + 250);
      assert.equal(at({ time: "2026-11-25T09:00:00-06:00" }), ms);
      assert.equal(at({ time: "2026-11-25 15:00:00" }), ms, "no zone: UTC");
      assert.equal(at({ alertTime: ms / 1000 }), ms);
      assert.equal(at({ alertTime: String(ms) }), ms);
      assert.equal(at({}), undefined);
      assert.equal(
        at({ time: "2026-11-25T14:55:00Z", timenow: "2026-11-25T15:00:00Z" }),
        ms,
        "the trigger time wins over the bar time",
      );
    });

    it("refuses an unparsable time, naming the field", () => {
      fails(() => at({ time: "yesterday" }), "time");
      fails(() => at({ timenow: "{{timenow}}" }), "timenow", /placeholder/);
      fails(() => at({ alertTime: "2026-13-45T99:00:00Z" }), "alertTime");
      fails(() => at({ alertTime: -5 }), "alertTime");
      fails(() => at({ timenow: "2026-11-25T15:00:00Z", time: "soon" }), "time");
    });
  });

  describe("idempotency id", () => {
    const body = { secret: "abc", ticker: "MNQ1!", action: "buy", quantity: "1" };

    it("uses an explicit id, alertId or alertTimestamp, trimmed", () => {
      assert.equal(parse({ ...body, id: "  E1  " }).id, "E1");
      assert.equal(parse({ ...body, alertId: "A2" }).id, "A2");
      assert.equal(parse({ ...body, alertTimestamp: "MNQ1!-2026-11-25T15:00:00Z" }).id, "MNQ1!-2026-11-25T15:00:00Z");
      assert.equal(parse({ ...body, id: 42 }).id, "42");
      assert.equal(parse({ ...body, id: "x".repeat(200) }).id.length, 200);
      fails(() => parse({ ...body, id: "x".repeat(201) }), "id", /200/);
      fails(() => parse({ ...body, id: "" }), "id", /empty/);
      fails(() => parse({ ...body, alertId: "{{strategy.order.id}}-2026-11-25T15:00:00Z" }), "alertId", /placeholder/);
    });

    it("derives one from the secret-free body and the minute: a retry is a duplicate, next minute is not", () => {
      const a = parse(body);
      assert.equal(a.idDerived, true);
      assert.match(a.id, /^body:[0-9a-f]{64}$/);
      assert.equal(parse(body, NOW + 25_000).id, a.id, "same body, same minute (15:00:55)");
      assert.notEqual(parse(body, NOW + 35_000).id, a.id, "same body, next minute (15:01:05)");
      assert.notEqual(parse({ ...body, quantity: "2" }).id, a.id, "different body");
      assert.equal(parse({ ...body, secret: "other" }).id, a.id, "the secret is not part of it");
      assert.equal(parse({ ...body, secret: undefined }).id, a.id);
      assert.equal(
        parseAlert({ quantity: "1", action: "buy", ticker: "MNQ1!", secret: "abc" }, NOW).id,
        a.id,
        "key order does not matter",
      );
      const t = parseAlert("buy 1 MNQ1! secret=abc", NOW);
      assert.equal(t.idDerived, true);
      assert.equal(parseAlert("secret=zzz buy 1 MNQ1!", NOW + 5_000).id, t.id);
      assert.notEqual(parseAlert("buy 1 MNQ1!", NOW + 60_000).id, t.id);
      assert.notEqual(parseAlert("buy 2 MNQ1!", NOW).id, t.id);
    });
  });

  describe("secret", () => {
    it("extracts secret, passphrase, token or key and keeps it out of the intent", () => {
      for (const k of ["secret", "passphrase", "token", "key", "Secret"]) {
        const p = parse({ [k]: " hunter2 ", symbol: "MNQ1!", side: "buy", quantity: 1 });
        assert.equal(p.secret, "hunter2", k);
        assert.ok(!JSON.stringify(p.intent).includes("hunter2"));
      }
      const t = parse({ secret: "hunter2", symbol: "MNQ1!", targetPosition: 1 });
      assert.ok(!JSON.stringify(t.target).includes("hunter2"));
      assert.equal(parse({ symbol: "MNQ1!", side: "buy", quantity: 1 }).secret, undefined);
      assert.equal(parse({ secret: "", symbol: "MNQ1!", side: "buy", quantity: 1 }).secret, undefined);
      fails(
        () => parse({ secret: { a: 1 }, symbol: "MNQ1!", side: "buy", quantity: 1 }),
        "secret",
        /must be text/,
        401,
      );
    });

    it("checkSecret: right, wrong, missing; false when none is configured", () => {
      assert.equal(checkSecret("hunter2", "hunter2"), true);
      assert.equal(checkSecret("hunter3", "hunter2"), false);
      assert.equal(checkSecret("hunter2x", "hunter2"), false, "different length is fine (digests are compared)");
      assert.equal(checkSecret(undefined, "hunter2"), false);
      assert.equal(checkSecret("", "hunter2"), false);
      assert.equal(checkSecret(undefined, null), false, "no secret configured refuses, it does not wave through");
      assert.equal(checkSecret("anything", null), false);
      assert.equal(checkSecret("anything", ""), false);
      const p = parse({ secret: "hunter2", symbol: "MNQ1!", side: "buy", quantity: 1 });
      assert.equal(checkSecret(p.secret, "hunter2"), true);
    });
  });

  describe("the strategy's market position", () => {
    const sp = (body: Record<string, unknown>) =>
      intentOf({ symbol: "MNQ1!", side: "sell", quantity: "1", ...body })!.strategyPosition;

    it("reads the TradingView placeholders' values into strategyPosition, in any documented spelling", () => {
      // The README template: "marketPosition":"{{strategy.market_position}}","prevMarketPosition":"{{strategy.prev_market_position}}"
      assert.deepEqual(sp({ marketPosition: "flat", prevMarketPosition: "long" }), { after: "flat", before: "long" });
      assert.deepEqual(
        sp({
          market_position: "Flat",
          prev_market_position: "LONG",
          market_position_size: "0",
          prev_market_position_size: "1",
        }),
        {
          after: "flat",
          before: "long",
          afterSize: 0,
          beforeSize: 1,
        },
      );
      assert.deepEqual(
        sp({
          "strategy.market_position": "short",
          "strategy.prev_market_position": "flat",
          "strategy.market_position_size": 1,
        }),
        {
          after: "short",
          before: "flat",
          afterSize: 1,
        },
      );
      assert.deepEqual(
        sp({
          marketPosition: "long",
          previousMarketPosition: "long",
          marketPositionSize: "3.0",
          prevMarketPositionSize: 4,
        }),
        {
          after: "long",
          before: "long",
          afterSize: 3,
          beforeSize: 4,
        },
      );
      assert.equal(sp({}), undefined);
      const p = parse({
        secret: "s",
        id: "x",
        symbol: "MNQ1!",
        side: "sell",
        quantity: 1,
        marketPosition: "flat",
        prevMarketPosition: "long",
      });
      assert.deepEqual(p.intent, {
        action: "place",
        symbol: "MNQ1!",
        side: "sell",
        type: "market",
        quantity: 1,
        strategyPosition: { after: "flat", before: "long" },
      });
    });

    it("takes TradersPost's sentiment as the position after the order, and checks it against marketPosition", () => {
      const tp = (body: Record<string, unknown>) => intentOf({ ticker: "MNQ1!", quantity: "1", ...body })!;
      assert.deepEqual(tp({ action: "buy", sentiment: "bullish" }).strategyPosition, { after: "long" });
      assert.deepEqual(tp({ action: "sell", sentiment: "bearish", prev_market_position: "flat" }).strategyPosition, {
        after: "short",
        before: "flat",
      });
      assert.deepEqual(tp({ action: "sell", sentiment: "flat" }), {
        action: "close",
        type: "market",
        symbol: "MNQ1!",
        strategyPosition: { after: "flat" },
      });
      assert.deepEqual(tp({ action: "buy", sentiment: "long", marketPosition: "long" }).strategyPosition, {
        after: "long",
      });
      fails(
        () => tp({ action: "buy", sentiment: "long", marketPosition: "short" }),
        "marketPosition",
        /sentiment says long/,
      );
    });

    it("carries it on the text form's market_position= words", () => {
      assert.deepEqual(
        parseAlert("sell 1 MNQ1! market_position=flat prev_market_position=long", NOW).intent!.strategyPosition,
        { after: "flat", before: "long" },
      );
      assert.deepEqual(parseAlert("close MNQ1! marketPosition=flat", NOW).intent!.strategyPosition, { after: "flat" });
      fails(() => parseAlert("buy 1 MNQ1! market_position=up", NOW), "market_position", /long, short or flat/);
    });

    it("refuses a bad value on an order that can open a position, naming the field", () => {
      fails(() => sp({ marketPosition: "sideways" }), "marketPosition", /long, short or flat \(got "sideways"\)/);
      fails(() => sp({ marketPosition: "{{strategy.market_position}}" }), "marketPosition", /placeholder/);
      fails(() => sp({ marketPosition: "" }), "marketPosition", /empty/);
      fails(() => sp({ marketPosition: 3 }), "marketPosition");
      fails(() => sp({ marketPosition: "flat", prev_market_position: "up" }), "prev_market_position");
      fails(() => sp({ marketPosition: "flat", marketPositionSize: "-1" }), "marketPositionSize", /0 or more/);
      fails(() => sp({ marketPosition: "flat", marketPositionSize: "1.5" }), "marketPositionSize");
      fails(
        () => sp({ marketPosition: "flat", marketPositionSize: 2 }),
        "marketPositionSize",
        /is 2 but the position is flat/,
      );
      fails(
        () => sp({ marketPosition: "long", marketPositionSize: 0 }),
        "marketPositionSize",
        /is 0 but the position is long/,
      );
      fails(
        () => sp({ marketPosition: "flat", prevMarketPosition: "long", prevMarketPositionSize: 0 }),
        "prevMarketPositionSize",
      );
      fails(() => sp({ prevMarketPosition: "long" }), "prevMarketPosition", /strategy.market_position/);
      fails(() => sp({ market_position_size: 1 }), "market_position_size", /strategy.market_position/);
    });

    it("refuses fields that do not describe this order (a sell that would leave the strategy long from flat)", () => {
      fails(
        () => sp({ marketPosition: "long", prevMarketPosition: "flat" }),
        "marketPosition",
        /long after a sell from flat/,
      );
      fails(
        () =>
          intentOf({ symbol: "MNQ1!", side: "buy", quantity: 1, marketPosition: "flat", prevMarketPosition: "long" }),
        "marketPosition",
        /after a buy/,
      );
      fails(
        () =>
          sp({ marketPosition: "long", prevMarketPosition: "long", marketPositionSize: 3, prevMarketPositionSize: 2 }),
        "marketPosition",
        /after a sell from long 2/,
      );
      assert.deepEqual(
        sp({ marketPosition: "long", prevMarketPosition: "long", marketPositionSize: 1, prevMarketPositionSize: 2 }),
        { after: "long", before: "long", afterSize: 1, beforeSize: 2 },
      );
      assert.deepEqual(sp({ marketPosition: "short", prevMarketPosition: "long" }), { after: "short", before: "long" });
    });

    it("leaves a bad value out on close, flatten and cancel, so that an exit always goes through", () => {
      assert.deepEqual(intentOf({ symbol: "MNQ1!", action: "close", marketPosition: "sideways" }), {
        action: "close",
        type: "market",
        symbol: "MNQ1!",
      });
      assert.deepEqual(intentOf({ action: "flatten", marketPosition: "{{strategy.market_position}}" }), {
        action: "flatten",
        type: "market",
      });
      assert.deepEqual(
        intentOf({ symbol: "MNQ1!", action: "close", marketPosition: "flat", prevMarketPosition: "long" })!
          .strategyPosition,
        { after: "flat", before: "long" },
      );
      assert.deepEqual(parseAlert("cancel MNQ market_position=??", NOW).intent, {
        action: "cancelAll",
        type: "market",
        symbol: "MNQ",
      });
    });

    it("puts it on a target, where it must agree with targetPosition", () => {
      const t = parse({
        symbol: "MNQ1!",
        targetPosition: "-2",
        marketPosition: "short",
        marketPositionSize: "2",
        prevMarketPosition: "flat",
      }).target!;
      assert.deepEqual(t, {
        symbol: "MNQ1!",
        position: -2,
        strategyPosition: { after: "short", afterSize: 2, before: "flat" },
      });
      fails(
        () => parse({ symbol: "MNQ1!", targetPosition: 1, marketPosition: "flat" }),
        "marketPosition",
        /targetPosition is 1/,
      );
      fails(
        () => parse({ symbol: "MNQ1!", targetPosition: -1, marketPosition: "short", marketPositionSize: 2 }),
        "marketPosition",
        /short 2 but targetPosition is -1/,
      );
      fails(() => parse({ symbol: "MNQ1!", targetPosition: 1, marketPosition: "lots" }), "marketPosition");
    });
  });

  describe("bodies that are not alerts", () => {
    it("refuses empty, malformed and non-object bodies with field body", () => {
      fails(() => parseAlert("", NOW), "body", /empty/);
      fails(() => parseAlert("   \n", NOW), "body", /empty/);
      fails(() => parseAlert(Buffer.alloc(0), NOW), "body", /empty/);
      fails(() => parseAlert(undefined, NOW), "body");
      fails(() => parseAlert(null, NOW), "body");
      fails(() => parseAlert('{"symbol": "MNQ1!", "side": "buy",', NOW), "body", /not valid JSON/);
      fails(
        () => parseAlert('{"quantity": {{strategy.order.contracts}}}', NOW),
        "body",
        /not valid JSON \(it holds the unsubstituted/,
      );
      fails(() => parseAlert("[1,2]", NOW), "body", /array/);
      fails(() => parseAlert([{ symbol: "MNQ1!" }], NOW), "body", /array/);
      fails(() => parseAlert(42, NOW), "body");
    });

    it("refuses bodies nested too deep or too large before anything walks them, and cycles", () => {
      const deep = `{"symbol":"MNQ1!","side":"buy","quantity":1,"extras":${"[".repeat(20_000)}${"]".repeat(20_000)}}`;
      fails(() => parseAlert(deep, NOW), "body", /nested more than 16 levels deep/);
      fails(() => alertSecret(`{"secret":"s","x":${'{"a":'.repeat(20_000)}1${"}".repeat(20_000)}}`), "body", /nested/);
      const cyclic: Record<string, unknown> = { symbol: "MNQ1!", side: "buy", quantity: 1 };
      cyclic.self = cyclic;
      fails(() => parseAlert(cyclic, NOW), "body", /nested/);
      fails(
        () =>
          parseAlert(
            { symbol: "MNQ1!", side: "buy", quantity: 1, extras: Array.from({ length: 20_000 }, () => 0) },
            NOW,
          ),
        "body",
        /more than 10000 values/,
      );
      let ok: unknown = 1;
      for (let i = 0; i < MAX_DEPTH - 1; i++) ok = { a: ok };
      assert.doesNotThrow(() => checkBodyShape({ extras: ok }));
      assert.equal(
        intentOf({ symbol: "MNQ1!", side: "buy", quantity: 1, extras: { a: { b: { c: [1, { d: 2 }] } } } })!.quantity,
        1,
      );
    });

    it("alertSecret reads the secret before anything else, and refuses only what is no alert at all", () => {
      assert.equal(alertSecret({ secret: " s1 ", quantity: "2.5", side: "up" }), "s1");
      assert.equal(alertSecret(JSON.stringify({ Passphrase: "s2", time: "yesterday" })), "s2");
      assert.equal(alertSecret(Buffer.from("buy 2.5 MNQ1! token=s3 gtc")), "s3");
      assert.equal(alertSecret({ secret: null, key: "s4" }), "s4");
      assert.equal(alertSecret({ symbol: "MNQ1!" }), undefined);
      assert.equal(alertSecret("hello world"), undefined);
      fails(() => alertSecret({ secret: ["s"] }), "secret", /must be text/, 401);
      fails(() => alertSecret('{"secret":"s",'), "body", /not valid JSON \(near character 15\)/);
      assert.equal(alertSecret("null"), undefined, "as text it is a command, one without a secret");
      fails(() => alertSecret(null), "body", /empty/);
      fails(() => alertSecret([{ secret: "s" }]), "body", /array/);
      // The JSON error names a position, never quotes the body (which holds the secret).
      assert.throws(
        () => alertSecret('{"secret":"hunter2" "x"}'),
        (e: Error) => !e.message.includes("hunter2"),
      );
    });

    it("AlertError carries status, field and a message that names the field", () => {
      const e = new AlertError(401, "secret", "does not match");
      assert.deepEqual([e.status, e.field, e.message, e.name], [401, "secret", "secret: does not match", "AlertError"]);
      assert.equal(new AlertError(400, "quantity", "quantity: bad").message, "quantity: bad");
      assert.ok(e instanceof Error);
    });
  });

  it("returns the documented shape", () => {
    const p: ParsedAlert = parse({ symbol: "MNQ1!", side: "buy", quantity: 1 });
    assert.deepEqual(Object.keys(p).sort(), ["format", "id", "idDerived", "intent", "target"]);
  });
});
