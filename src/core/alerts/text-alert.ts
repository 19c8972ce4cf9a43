import type { OrderIntent, StrategyPosition } from "../orders/order-intent";
import { fail, show } from "./alert-error";
import { ALL_POSITION_KEYS, type Given, SECRET_KEYS } from "./alert-fields";
import { type AlertIdentity, deriveId, textSecret } from "./alert-identity";
import { placeType, validIntent } from "./alert-intent";
import { accountOf, explicitId, normalizeWord, positiveWhole, price, type Side, text, time } from "./coerce";
import { intentAlert, type ParsedAlert } from "./parsed-alert";
import { positionFor, strategyPositionOf } from "./strategy-position";

/**
 * A short text command, case-insensitive, words separated by spaces, commas or semicolons:
 * `buy 2 MNQ1!`, `sell 1 ES limit 6800.25`, `buy 1 MNQ stop 21050` (add `limit P` for a stop-limit),
 * `long 3 MES sl 40 tp 80` (ticks), `buy 1 MNQ trail 20` (ticks), `close MNQ1!`, `close 1 MNQ1!`
 * (partial), `flatten` (the whole account), `cancel` / `cancel MNQ` / `cancel 12345` (an order id);
 * `secret=…`, `id=…`, `account=…`, `time=…` and `market_position=…` (and its siblings) anywhere.
 */

/** A text command split into its words and its key=value settings. */
interface TextCommand {
  /** The command's words, option words (`sl=40` as `sl 40`) included. */
  words: string[];
  identity: AlertIdentity;
  account?: string | number;
  /** The strategy-position settings by normalized key, first spelling wins. */
  positions: Map<string, Given>;
}

type TextOption = "limitPrice" | "stopPrice" | "stopLoss" | "takeProfit" | "trailTicks";
const TEXT_OPTIONS = new Map<string, TextOption>([
  ["limit", "limitPrice"],
  ["lmt", "limitPrice"],
  ["stop", "stopPrice"],
  ["stp", "stopPrice"],
  ["sl", "stopLoss"],
  ["tp", "takeProfit"],
  ["trail", "trailTicks"],
]);

/** Parses a text command. */
export function parseTextAlert(body: string, now: number): ParsedAlert {
  const command = readCommand(body, now);
  const { words } = command;
  if (words.length === 0) return fail("action", 'the text has no command (expected e.g. "buy 2 MNQ1!")');
  const verb = text(words[0], "action").toLowerCase();
  return intentAlert("text", commandIntent(verb, command), command.identity);
}

function commandIntent(verb: string, c: TextCommand): OrderIntent {
  switch (verb) {
    case "buy":
    case "long":
      return entryIntent(c, verb, "buy");
    case "sell":
    case "short":
      return entryIntent(c, verb, "sell");
    case "close":
    case "exit":
      return closeIntent(c, verb);
    case "flatten":
      if (c.words.length > 1)
        return fail(
          "symbol",
          'flatten closes every position and order on the account; to close one symbol write "close SYMBOL"',
        );
      return validIntent({ action: "flatten", account: c.account, strategyPosition: strategyPosition(c, false) });
    case "cancel":
    case "cancelall":
      return cancelIntent(c, verb);
    default:
      return fail(
        "action",
        `unknown command ${show(c.words[0])} (expected buy, sell, long, short, close, flatten or cancel)`,
      );
  }
}

/** Splits the words from the key=value settings; the id is derived from every token but the secret. */
function readCommand(body: string, now: number): TextCommand {
  const words: string[] = [];
  const positions = new Map<string, Given>();
  const kept: string[] = [];
  let account: string | number | undefined;
  let id: string | undefined;
  let alertTime: number | undefined;
  for (const token of body.split(/[\s,;]+/).filter(Boolean)) {
    const eq = token.indexOf("=");
    if (eq <= 0) {
      kept.push(token);
      words.push(token);
      continue;
    }
    const key = token.slice(0, eq).toLowerCase();
    const value = token.slice(eq + 1);
    if (SECRET_KEYS.includes(key)) continue;
    kept.push(token);
    if (key === "id") id = explicitId(value, "id");
    else if (key === "time" || key === "timenow") alertTime = time(value, key);
    else if (key === "account") account = accountOf(value);
    else if (["sl", "tp", "limit", "stop", "trail"].includes(key)) words.push(key, value);
    else if (ALL_POSITION_KEYS.includes(normalizeWord(key))) {
      if (!positions.has(normalizeWord(key))) positions.set(normalizeWord(key), { name: token.slice(0, eq), value });
    } else
      fail(
        "body",
        `unexpected ${show(token)} (known key=value words: secret, id, account, time, sl, tp, limit, stop, trail, market_position, prev_market_position, market_position_size, prev_market_position_size)`,
      );
  }
  const secret = textSecret(body);
  const identity: AlertIdentity = {
    id: id ?? deriveId(kept.join(" "), now),
    idDerived: id === undefined,
    ...(alertTime !== undefined ? { alertTime } : {}),
    ...(secret !== undefined ? { secret } : {}),
  };
  return { words, identity, account, positions };
}

/** The strategy position of the settings: strict on an entry, left out when bad on an exit. */
function strategyPosition(c: TextCommand, strict: boolean, side?: Side): StrategyPosition | undefined {
  const find = (keys: readonly string[]) => c.positions.get(keys.find((k) => c.positions.has(k)) ?? "");
  return positionFor(strict, () => strategyPositionOf(find, undefined, side));
}

function symbolAt(c: TextCommand, i: number, example: string): string {
  const word = c.words[i];
  return word === undefined ? fail("symbol", `required: ${example}`) : text(word, "symbol").toUpperCase();
}

function refuseWordsFrom(c: TextCommand, from: number): void {
  if (c.words.length > from) fail("body", `unexpected ${show(c.words.slice(from).join(" "))}`);
}

/** `buy 2 MNQ1! [market] [limit P] [stop P] [sl T] [tp T] [trail T]`. */
function entryIntent(c: TextCommand, verb: string, side: Side): OrderIntent {
  if (c.words[1] === undefined) return fail("quantity", `required: e.g. "${verb} 2 MNQ1!"`);
  const quantity = positiveWhole(c.words[1], "quantity");
  const symbol = symbolAt(c, 2, `e.g. "${verb} ${quantity} MNQ1!"`);
  const { type, options } = readOptions(c.words, 3);
  const prices = { limitPrice: options.limitPrice, stopPrice: options.stopPrice, trailTicks: options.trailTicks };
  return validIntent({
    action: "place",
    side,
    quantity,
    symbol,
    type: placeType(type, prices, (k) => k),
    ...prices,
    account: c.account,
    strategyPosition: strategyPosition(c, true, side),
    stopLoss: options.stopLoss !== undefined ? { ticks: options.stopLoss } : undefined,
    takeProfit: options.takeProfit !== undefined ? { ticks: options.takeProfit } : undefined,
  });
}

/** The words after an entry's symbol: `market`, or an option word and its number. */
function readOptions(words: string[], from: number) {
  const options: Partial<Record<TextOption, number>> = {};
  let type: OrderIntent["type"] | undefined;
  for (let i = from; i < words.length; i++) {
    const word = words[i]!.toLowerCase();
    if (word === "market" || word === "mkt") {
      type = "market";
      continue;
    }
    const option = TEXT_OPTIONS.get(word);
    if (!option) return fail("body", `unexpected ${show(words[i])} (expected limit, stop, sl, tp or trail)`);
    if (options[option] !== undefined) return fail(option, "given twice");
    const arg = words[++i];
    if (arg === undefined) return fail(option, `missing the number after "${word}"`);
    const isPrice = option === "limitPrice" || option === "stopPrice";
    options[option] = isPrice ? price(arg, option) : positiveWhole(arg, option);
  }
  return { type, options };
}

/** `close SYMBOL`, or `close QTY SYMBOL` for a partial close. */
function closeIntent(c: TextCommand, verb: string): OrderIntent {
  if (c.words.length >= 3) {
    refuseWordsFrom(c, 3);
    return validIntent({
      action: "partialClose",
      quantity: positiveWhole(c.words[1], "quantity"),
      symbol: symbolAt(c, 2, "close QTY SYMBOL"),
      account: c.account,
      strategyPosition: strategyPosition(c, false),
    });
  }
  const symbol = symbolAt(c, 1, `e.g. "${verb} MNQ1!" (or "flatten" for the whole account)`);
  return validIntent({ action: "close", symbol, account: c.account, strategyPosition: strategyPosition(c, false) });
}

/** `cancel` (every working order), `cancel SYMBOL`, or `cancel 12345` / `cancel #12345` (one order). */
function cancelIntent(c: TextCommand, verb: string): OrderIntent {
  refuseWordsFrom(c, 2);
  const arg = c.words[1];
  if (arg !== undefined && verb === "cancel" && /^#?\d+$/.test(arg)) {
    return validIntent({
      action: "cancel",
      orderId: positiveWhole(arg.replace("#", ""), "orderId"),
      account: c.account,
      strategyPosition: strategyPosition(c, false),
    });
  }
  return validIntent({
    action: "cancelAll",
    symbol: arg === undefined ? undefined : symbolAt(c, 1, ""),
    account: c.account,
    strategyPosition: strategyPosition(c, false),
  });
}
