import { HubEventName, Int32, UserEventAction } from "../core/schemas";
import type { Exchange, SimAccount, SimOrder, SimPosition, SimTrade } from "./exchange";
import { entry } from "./map-entry";
import type { HubConnection } from "./signalr/hub-connection";
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

/**
 * /hubs/user: account, order, position and trade events for subscribed accounts, each wrapped as
 * `{action, data}` the way the live gateway sends them.
 */
export class UserHub {
  readonly server: HubServer<UserSubs>;
  private readonly accountSubs = new Set<Conn>();
  private readonly subs: Record<Topic, Map<number, Set<Conn>>> = {
    orders: new Map(),
    positions: new Map(),
    trades: new Map(),
  };

  constructor(
    private readonly exchange: Pick<Exchange, "accounts">,
    authenticate: (token: string | null) => string | null,
    options: { pingIntervalMs: number; clientTimeoutMs: number },
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

  private fanOut(set: Iterable<Conn> | undefined, target: string, action: number, data: unknown): void {
    if (!set) return;
    let record: string | null = null;
    for (const c of set) {
      record ??= `${JSON.stringify({ type: 1, target, arguments: [{ action, data }] })}\x1e`;
      c.queue(record);
    }
  }

  account(a: SimAccount): void {
    this.fanOut(this.accountSubs, HubEventName.Account, UserEventAction.Updated, accountModel(a));
  }

  order(o: SimOrder): void {
    this.fanOut(this.subs.orders.get(o.accountId), HubEventName.Order, UserEventAction.Updated, orderModel(o, true));
  }

  position(p: SimPosition): void {
    this.fanOut(this.subs.positions.get(p.accountId), HubEventName.Position, UserEventAction.Updated, positionModel(p));
  }

  trade(t: SimTrade): void {
    this.fanOut(this.subs.trades.get(t.accountId), HubEventName.Trade, UserEventAction.Created, tradeModel(t, true));
  }
}
