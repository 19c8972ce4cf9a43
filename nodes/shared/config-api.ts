import type { Node } from "node-red";
import type { ConnectionStatus, GatewayConnection } from "../../src/core/connection";
import type { OrderExecutor } from "../../src/core/orders/order-executor";

/** A node that uses the shared connection of a topstepx-config node. */
export interface ConnectionUser {
  readonly id: string;
  /** Called on every connection state change (and once on registration). */
  onConnectionStatus(s: ConnectionStatus): void;
}

/** What a topstepx-config node offers the nodes that point at it. */
export interface TopstepxConfigNode extends Node {
  /** Adds a user; the first one starts the connection. */
  register(user: ConnectionUser): void;
  /** Removes a user; the last one stops the connection. `done` is called when that has finished. */
  deregister(user: ConnectionUser, done: () => void): void;
  /** The shared connection, or null when the configuration is invalid. */
  readonly connection: GatewayConnection | null;
  /** Executes order intents on the shared connection with the configured default account. */
  readonly executor: OrderExecutor | null;
  /** Why the configuration cannot connect (missing API key…), or null. */
  readonly configError: string | null;
  /** The default account (id), or null. */
  readonly defaultAccount: number | null;
  /** The webhook secret (credential or TOPSTEPX_WEBHOOK_SECRET), or null. */
  readonly webhookSecret: string | null;
}
