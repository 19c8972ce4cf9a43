import { z } from "zod";
import {
  AccountIdRequest,
  AvailableContractRequest,
  CancelOrderRequest,
  ClosePositionRequest,
  LoginApiKeyRequest,
  LoginErrorCode,
  ModifyOrderRequest,
  OrderStatus,
  PartialClosePositionRequest,
  PlaceOrderRequest,
  parseTimestamp,
  QueryOrdersRequest,
  RetrieveBarErrorCode,
  RetrieveBarRequest,
  SearchAccountRequest,
  SearchByAccountErrorCode,
  SearchByIdContractErrorCode,
  SearchContractByIdRequest,
  SearchContractRequest,
  SearchOrderByIdErrorCode,
  SearchOrderByIdRequest,
  SearchOrderRequest,
  SearchTradeRequest,
  ValidateErrorCode,
} from "../core/schemas";
import { bindLikeAspNet } from "./aspnet-binder";
import type { Auth, Session } from "./auth";
import { barClock, retrieveBars } from "./bars";
import { isListed, listingsFrom, PRODUCTS, parseContractId } from "./catalog";
import type { Exchange, Outcome, SimOrder, SimPosition, SimTrade } from "./exchange";
import { trimStamps } from "./live-timestamps";
import type { Market } from "./market";
import { accountModel, orderModel, positionModel, tradeModel } from "./wire";

type Handler<B> = (body: B, session: Session | null, token: string | null) => unknown;

/** A request body an endpoint accepted, bound to the endpoint's handler. */
export interface Accepted {
  /** The body as the endpoint's schema parsed it; null for endpoints that take none. */
  body: unknown;
  run(session: Session | null, token: string | null): unknown;
}

/** One REST endpoint of the gateway: its canonical name, body schema and handler. */
export interface Endpoint {
  name: string;
  method: "GET" | "POST";
  /** Login endpoints are the only ones reachable without a bearer token. */
  auth: boolean;
  /** Rate-limit budget: History/retrieveBars has its own. */
  bucket: "bars" | "other";
  /** Whether the request carries a JSON body: endpoints without one never read it. */
  takesBody: boolean;
  /** Checks a decoded body (null when the endpoint takes none) against the endpoint's schema. */
  accept(body: unknown): { ok: true; call: Accepted } | { ok: false; error: z.ZodError };
}

type Options = Partial<Pick<Endpoint, "auth" | "bucket">>;
type BodyShape = Pick<Endpoint, "takesBody" | "accept">;

/** The schema and the handler meet here, so the handler's body type is the schema's output. */
function withBody<S extends z.ZodType>(schema: S, handle: Handler<z.output<S>>): BodyShape {
  return {
    takesBody: true,
    accept(body) {
      const r = schema.safeParse(bindLikeAspNet(schema, body));
      if (!r.success) return { ok: false, error: r.error };
      return { ok: true, call: { body: r.data, run: (session, token) => handle(r.data, session, token) } };
    },
  };
}

function withoutBody(handle: Handler<null>): BodyShape {
  const call: Accepted = { body: null, run: (session, token) => handle(null, session, token) };
  return { takesBody: false, accept: () => ({ ok: true, call }) };
}

const ok = <T extends object>(payload: T) => ({ ...payload, success: true, errorCode: 0, errorMessage: null });
const fail = <T extends object>(payload: T, errorCode: number, errorMessage: string | null) => ({
  ...payload,
  success: false,
  errorCode,
  errorMessage,
});
const outcome = (o: Outcome) => (o.errorCode === 0 ? ok({}) : fail({}, o.errorCode, o.errorMessage));

const MAX_BARS = 20_000;
const MAX_CONTRACT_ROWS = 20;

export interface RestDeps {
  auth: Auth;
  exchange: Exchange;
  market: Market;
  now(): number;
  /** Write orders', positions' and trades' timestamps as live does (SimConfig `quirks`). */
  trimTimestamps: boolean;
}

/** Adds a POST endpoint with a JSON body to the surface. */
type Post = <S extends z.ZodType>(name: string, schema: S, handle: Handler<z.output<S>>, opts?: Options) => void;
/** Adds a POST endpoint that reads no body. */
type PostBare = (name: string, handle: Handler<null>, opts?: Options) => void;

/** The gateway's REST surface, keyed by lower-cased path after `/api/`. */
export function restEndpoints(d: RestDeps): Map<string, Endpoint> {
  const list: Endpoint[] = [];
  const post: Post = (name, schema, handle, opts = {}) => {
    list.push({ name, method: "POST", auth: true, bucket: "other", ...withBody(schema, handle), ...opts });
  };
  const postBare: PostBare = (name, handle, opts = {}) => {
    list.push({ name, method: "POST", auth: true, bucket: "other", ...withoutBody(handle), ...opts });
  };
  authEndpoints(d, post, postBare);
  accountAndContractEndpoints(d, post);
  historyEndpoints(d, post);
  orderSearchEndpoints(d, post);
  orderActionEndpoints(d, post);
  positionAndTradeEndpoints(d, post);
  list.push({ name: "Status/ping", method: "GET", auth: false, bucket: "other", ...withoutBody(() => "pong") });
  return new Map(list.map((e) => [e.name.toLowerCase(), e]));
}

const accountCheck = (exchange: Exchange) => (accountId: number) => !exchange.accounts.has(accountId);
const within = (t: number, from: number | null | undefined, to: number | null | undefined) =>
  (from == null || t >= from) && (to == null || t <= to);
const ts = (s: string | null | undefined) => (s == null ? null : parseTimestamp(s));

function authEndpoints({ auth }: RestDeps, post: Post, postBare: PostBare): void {
  post(
    "Auth/loginKey",
    LoginApiKeyRequest,
    (b) => {
      const token = auth.login(b.userName, b.apiKey);
      return token ? ok({ token }) : fail({ token: null }, LoginErrorCode.InvalidCredentials, null);
    },
    { auth: false },
  );
  post(
    "Auth/loginApp",
    z.object({
      userName: z.string(),
      password: z.string(),
      deviceId: z.string(),
      appId: z.string(),
      verifyKey: z.string(),
    }),
    () => fail({ token: null }, LoginErrorCode.AppNotFound, null),
    { auth: false },
  );
  postBare("Auth/validate", (_b, s) => ok({ newToken: auth.issue(s!.userName) }));
  postBare("Auth/logout", (_b, _s, token) =>
    auth.revoke(token!) ? ok({}) : fail({}, ValidateErrorCode.InvalidSession, null),
  );
}

function accountAndContractEndpoints(d: RestDeps, post: Post): void {
  const { exchange, market } = d;
  post("Account/search", SearchAccountRequest, (b) =>
    ok({
      accounts: [...exchange.accounts.values()].filter((a) => !b.onlyActiveAccounts || a.active).map(accountModel),
    }),
  );

  post("Contract/search", SearchContractRequest, (b) => {
    const text = (b.searchText ?? "").trim().toLowerCase();
    const now = d.now();
    const rows = PRODUCTS.flatMap((p) => listingsFrom(p, now, 2))
      .map((l) => market.describe(l))
      .filter(
        (c) =>
          text === "" || [c.id, c.name, c.description, c.symbolId ?? ""].some((f) => f.toLowerCase().includes(text)),
      )
      .sort((a, b) => Number(b.activeContract) - Number(a.activeContract));
    return ok({ contracts: rows.slice(0, MAX_CONTRACT_ROWS) });
  });
  post("Contract/searchById", SearchContractByIdRequest, (b) => {
    const l = parseContractId(b.contractId);
    return l && isListed(l, d.now())
      ? ok({ contract: market.describe(l) })
      : fail({ contract: null }, SearchByIdContractErrorCode.ContractNotFound, "Contract not found.");
  });
  post("Contract/available", AvailableContractRequest, () =>
    ok({ contracts: market.frontMonths().map((l) => market.describe(l)) }),
  );
}

function historyEndpoints(d: RestDeps, post: Post): void {
  const { market } = d;
  post(
    "History/retrieveBars",
    RetrieveBarRequest,
    (b) => {
      const cm = market.get(b.contractId);
      if (!cm) return fail({ bars: null }, RetrieveBarErrorCode.ContractNotFound, "Contract not found.");
      if (b.unit < 1 || b.unit > 7 || !barClock(b.unit, 1))
        return fail({ bars: null }, RetrieveBarErrorCode.UnitInvalid, "Invalid unit.");
      if (b.unitNumber < 1) return fail({ bars: null }, RetrieveBarErrorCode.UnitNumberInvalid, "Invalid unit number.");
      if (b.limit < 1 || b.limit > MAX_BARS)
        return fail({ bars: null }, RetrieveBarErrorCode.LimitInvalid, `Limit must be between 1 and ${MAX_BARS}.`);
      return ok({
        bars: retrieveBars(
          cm,
          {
            startTime: parseTimestamp(b.startTime),
            endTime: parseTimestamp(b.endTime),
            unit: b.unit,
            unitNumber: b.unitNumber,
            limit: b.limit,
            includePartialBar: b.includePartialBar,
          },
          d.now(),
        ),
      });
    },
    { bucket: "bars" },
  );
}

/** Orders, positions and trades as REST answers carry them: explicit nulls, live's timestamps unless switched off. */
function restModels({ trimTimestamps }: RestDeps) {
  const stamp = trimTimestamps ? trimStamps : <T>(m: T) => m;
  return {
    order: (o: SimOrder) => stamp(orderModel(o, false)),
    position: (p: SimPosition) => stamp(positionModel(p)),
    trade: (t: SimTrade) => stamp(tradeModel(t, false)),
  };
}

function orderSearchEndpoints(d: RestDeps, post: Post): void {
  const { exchange } = d;
  const rest = restModels(d).order;
  const accountMissing = accountCheck(exchange);
  post("Order/search", SearchOrderRequest, (b) => {
    if (accountMissing(b.accountId))
      return fail({ orders: null }, SearchByAccountErrorCode.AccountNotFound, "Account not found.");
    const from = ts(b.startTimestamp);
    const to = ts(b.endTimestamp);
    return ok({
      orders: exchange
        .ordersOf(b.accountId)
        .filter((o) => within(o.createdAt, from, to))
        .map(rest),
    });
  });
  post("Order/searchOpen", AccountIdRequest, (b) => {
    if (accountMissing(b.accountId))
      return fail({ orders: null }, SearchByAccountErrorCode.AccountNotFound, "Account not found.");
    // Like the gateway, suspended bracket legs are not "open": use Order/v2/query to see them.
    const open = exchange
      .ordersOf(b.accountId)
      .filter((o) => o.status === OrderStatus.Open || o.status === OrderStatus.Pending);
    return ok({ orders: open.map(rest) });
  });
  post("Order/searchById", SearchOrderByIdRequest, (b) => {
    const o = exchange.orders.get(b.orderId);
    return o && o.accountId === b.accountId
      ? ok({ order: rest(o) })
      : fail({ order: null }, SearchOrderByIdErrorCode.OrderNotFound, "Order not found.");
  });
  post("Order/v2/query", QueryOrdersRequest, (b) => {
    const f = b.filter;
    if (accountMissing(f.accountId))
      return fail({ orders: null, totalCount: null }, SearchByAccountErrorCode.AccountNotFound, "Account not found.");
    const after = ts(f.createdAfter);
    const before = ts(f.createdBefore);
    const statuses = f.statuses && f.statuses.length > 0 ? new Set(f.statuses) : null;
    const rows = exchange
      .ordersOf(f.accountId)
      .filter(
        (o) =>
          (!statuses || statuses.has(o.status)) &&
          (!f.contractId || o.contractId === f.contractId) &&
          within(o.createdAt, after, before),
      );
    const desc = b.sortDirection === 1;
    rows.sort((x, y) => (desc ? -1 : 1) * (b.sortBy === 1 ? x.id - y.id : x.createdAt - y.createdAt || x.id - y.id));
    const offset = Math.max(0, b.pageOffset ?? 0);
    const size = Math.min(Math.max(1, b.pageSize ?? 100), 1000);
    return ok({
      orders: rows.slice(offset, offset + size).map(rest),
      totalCount: b.includeTotalCount ? rows.length : null,
    });
  });
}

function orderActionEndpoints({ exchange }: RestDeps, post: Post): void {
  post("Order/place", PlaceOrderRequest, (b) => {
    const r = exchange.place(b);
    return r.errorCode === 0 ? ok({ orderId: r.orderId }) : fail({ orderId: r.orderId }, r.errorCode, r.errorMessage);
  });
  post("Order/cancel", CancelOrderRequest, (b) => outcome(exchange.cancel(b.accountId, b.orderId)));
  post("Order/modify", ModifyOrderRequest, (b) => outcome(exchange.modify(b)));
}

function positionAndTradeEndpoints(d: RestDeps, post: Post): void {
  const { exchange } = d;
  const model = restModels(d);
  const accountMissing = accountCheck(exchange);
  post("Position/searchOpen", AccountIdRequest, (b) => {
    if (accountMissing(b.accountId))
      return fail({ positions: null }, SearchByAccountErrorCode.AccountNotFound, "Account not found.");
    return ok({ positions: exchange.openPositionsOf(b.accountId).map(model.position) });
  });
  post("Position/closeContract", ClosePositionRequest, (b) =>
    outcome(exchange.closePosition(b.accountId, b.contractId, null)),
  );
  post("Position/partialCloseContract", PartialClosePositionRequest, (b) =>
    outcome(exchange.closePosition(b.accountId, b.contractId, b.size)),
  );

  post("Trade/search", SearchTradeRequest, (b) => {
    if (accountMissing(b.accountId))
      return fail({ trades: null }, SearchByAccountErrorCode.AccountNotFound, "Account not found.");
    const from = ts(b.startTimestamp);
    const to = ts(b.endTimestamp);
    return ok({
      trades: exchange
        .tradesOf(b.accountId)
        .filter((t) => within(t.createdAt, from, to))
        .map(model.trade),
    });
  });
}
