import type { z } from "zod";
import { HubEventName, Order, Position, Trade, TradingAccount } from "../schemas";
import type { HubClient } from "./hub-client";

/** What the user hub reports, decoded and validated. */
export interface UserFeedListener {
  account?(a: TradingAccount): void;
  order?(o: Order): void;
  position?(p: Position): void;
  trade?(t: Trade): void;
  /** A payload that did not match the wire schema (counted, never thrown). */
  malformed?(event: string, detail: string): void;
}

/**
 * Account, order, position and trade events from the user hub. The live gateway wraps each as
 * `{action, data}` while the docs show the bare entity; both are accepted, as are null fields sent
 * or omitted.
 */
export class UserFeed {
  private readonly listeners = new Set<UserFeedListener>();

  constructor(private readonly hub: HubClient) {
    this.bind(HubEventName.Account, TradingAccount, (l, v) => l.account?.(v));
    this.bind(HubEventName.Order, Order, (l, v) => l.order?.(v));
    this.bind(HubEventName.Position, Position, (l, v) => l.position?.(v));
    this.bind(HubEventName.Trade, Trade, (l, v) => l.trade?.(v));
  }

  listen(l: UserFeedListener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private bind<T extends z.ZodType>(
    event: string,
    schema: T,
    emit: (l: UserFeedListener, v: z.infer<T>) => void,
  ): void {
    this.hub.on(event, (payload: unknown) => {
      const raw =
        payload && typeof payload === "object" && "data" in payload && "action" in payload
          ? (payload as { data: unknown }).data
          : payload;
      const r = schema.safeParse(raw);
      if (!r.success) {
        const detail = r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ");
        for (const l of this.listeners) l.malformed?.(event, detail);
        return;
      }
      for (const l of this.listeners) emit(l, r.data);
    });
  }

  /** Subscribes an account's orders, positions and trades (and every account's balance). */
  async watchAccount(accountId: number): Promise<void> {
    await this.hub.subscribe("SubscribeAccounts");
    await this.hub.subscribe("SubscribeOrders", accountId);
    await this.hub.subscribe("SubscribePositions", accountId);
    await this.hub.subscribe("SubscribeTrades", accountId);
  }

  async unwatchAccount(accountId: number): Promise<void> {
    await this.hub.unsubscribe("SubscribeOrders", "UnsubscribeOrders", accountId);
    await this.hub.unsubscribe("SubscribePositions", "UnsubscribePositions", accountId);
    await this.hub.unsubscribe("SubscribeTrades", "UnsubscribeTrades", accountId);
  }
}
