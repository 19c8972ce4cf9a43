import { HubEventName, Int32, OrderStatus, UserEventAction } from "../core/schemas";
import type { SimConfig } from "./config";
import type { Exchange, SimAccount, SimOrder, SimPosition, SimTrade } from "./exchange";
import { type Stamped, trimStamps } from "./live-timestamps";
import { entry } from "./map-entry";
import { type HubConnection, invocation } from "./signalr/hub-connection";
import { HubError, type HubMethod, HubServer } from "./signalr/hub-server";
import { accountModel, orderModel, positionModel, tradeModel } from "./wire";

interface UserSubs {
  accounts: boolean;
  orders: Set<number>;
  positions: Set<number>;
  trades: Set<number>;
}

type Conn = HubConnection<UserSubs>;
type Topic = "orders" | "positions" | "trades";

/** Live's event quirks the hub reproduces (see SimConfig `quirks`). */
export type UserHubQuirks = SimConfig["quirks"];

/**
 * /hubs/user: account, order, position and trade events for subscribed accounts, each wrapped as
 * `{action, data}` the way the live gateway sends them, with live's quirks unless switched off.
 */
export class UserHub {
  readonly server: HubServer<UserSubs>;
  private readonly accountSubs = new Set<Conn>();
  private readonly subs: Record<Topic, Map<number, Set<Conn>>> = {
    orders: new Map(),
    positions: new Map(),
    trades: new Map(),
  };
  /** The latest opening half-turn per account and contract, which live sends again after a closing fill. */
  private readonly openingTrades = new Map<string, SimTrade>();
  /** A fault: every event is held this long before it is sent (timers keep their order). */
  eventDelayMs = 0;

  constructor(
    private readonly exchange: Pick<Exchange, "accounts">,
    authenticate: (token: string | null) => string | null,
    options: { pingIntervalMs: number; clientTimeoutMs: number },
    private readonly quirks: UserHubQuirks,
  ) {
    const topic =
      (t: Topic, on: boolean): HubMethod<UserSubs> =>
      (conn, args) => {
        const id = this.accountArg(args);
        this.setSub(conn, t, id, on);
      };
    this.server = new HubServer<UserSubs>({
      name: "user",
      authenticate,
      newState: () => ({ accounts: false, orders: new Set(), positions: new Set(), trades: new Set() }),
      methods: {
        SubscribeAccounts: (conn) => {
          conn.state.accounts = true;
          this.accountSubs.add(conn);
        },
        UnsubscribeAccounts: (conn) => {
          conn.state.accounts = false;
          this.accountSubs.delete(conn);
        },
        SubscribeOrders: topic("orders", true),
        UnsubscribeOrders: topic("orders", false),
        SubscribePositions: topic("positions", true),
        UnsubscribePositions: topic("positions", false),
        SubscribeTrades: topic("trades", true),
        UnsubscribeTrades: topic("trades", false),
      },
      onDisconnect: (conn) => {
        this.accountSubs.delete(conn);
        for (const t of ["orders", "positions", "trades"] as const)
          for (const id of conn.state[t]) this.subs[t].get(id)?.delete(conn);
      },
      ...options,
    });
  }

  private accountArg(args: unknown[]): number {
    const r = Int32.safeParse(args[0]);
    if (!r.success) throw new Error("accountId must be an integer");
    if (!this.exchange.accounts.has(r.data)) throw new HubError("Account not found.");
    return r.data;
  }

  private setSub(conn: Conn, t: Topic, accountId: number, on: boolean): void {
    if (on) {
      entry(this.subs[t], accountId, () => new Set()).add(conn);
      conn.state[t].add(accountId);
    } else {
      this.subs[t].get(accountId)?.delete(conn);
      conn.state[t].delete(accountId);
    }
  }

  private fanOut(set: Iterable<Conn> | undefined, target: string, action: number, data: unknown, times = 1): void {
    if (!set) return;
    let record: string | null = null;
    for (const c of set) {
      record ??= invocation(target, [{ action, data }]);
      const r = record;
      for (let i = 0; i < times; i++)
        if (this.eventDelayMs > 0) setTimeout(() => c.queue(r), this.eventDelayMs);
        else c.queue(r);
    }
  }

  private stamp<T extends Stamped>(m: T): T {
    return this.quirks.trimTimestamps ? trimStamps(m) : m;
  }

  account(a: SimAccount): void {
    // Live repeats each account update 2–4 times within ~50 ms (production TopstepX event log).
    // How many follows from the account's state, so a test sees the same count whatever ran before.
    const times = this.quirks.repeatAccountUpdates ? 2 + (Math.abs(a.id + Math.round(a.balance * 100)) % 3) : 1;
    this.fanOut(this.accountSubs, HubEventName.Account, UserEventAction.Updated, accountModel(a), times);
  }

  order(o: SimOrder): void {
    const subs = this.subs.orders.get(o.accountId);
    const data = this.stamp(orderModel(o, true));
    // An order refused in the breath it was created (Position Brackets) went 6 -> 5 within 4 ms on
    // live (production TopstepX event log): its first event is Pending, not Rejected.
    if (this.quirks.pendingBeforeReject && o.status === OrderStatus.Rejected && o.updatedAt === o.createdAt)
      this.fanOut(subs, HubEventName.Order, UserEventAction.Updated, { ...data, status: OrderStatus.Pending });
    this.fanOut(subs, HubEventName.Order, UserEventAction.Updated, data);
  }

  position(p: SimPosition): void {
    const data = this.stamp(positionModel(p));
    this.fanOut(this.subs.positions.get(p.accountId), HubEventName.Position, UserEventAction.Updated, data);
  }

  trade(t: SimTrade): void {
    const subs = this.subs.trades.get(t.accountId);
    const key = `${t.accountId}|${t.contractId}`;
    this.fanOut(subs, HubEventName.Trade, UserEventAction.Created, this.stamp(tradeModel(t, true)));
    if (t.profitAndLoss === null) {
      this.openingTrades.set(key, t);
      return;
    }
    // Live follows a closing fill's trade (the one with profitAndLoss) with "GatewayUserTrade for
    // the opposite half" (production TopstepX event log): the round turn's opening half-turn, already
    // reported, sent again with its own id. A client that does not de-duplicate by trade id counts
    // that fill twice.
    const opening = this.openingTrades.get(key);
    if (this.quirks.secondTradeOnClose && opening)
      this.fanOut(subs, HubEventName.Trade, UserEventAction.Created, this.stamp(tradeModel(opening, true)));
  }
}
