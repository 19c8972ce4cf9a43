import type { Node, NodeAPI, NodeMessage, NodeMessageInFlow } from "node-red";
import type { GatewayConnection } from "../../src/core/connection";
import type { OrderExecutor } from "../../src/core/orders/order-executor";
import type { ConnectionUser, TopstepxConfigNode } from "./config-api";
import { errorStatus } from "./status";
import { commonText } from "./texts";

/** Node-RED's `send` of an input handler: one msg, or one per output (null: nothing on that output). */
export type Send = (msg: NodeMessage | Array<NodeMessage | NodeMessage[] | null>) => void;

/** What every TopstepX node's controller offers its thin constructor. */
export interface NodeController extends ConnectionUser {
  handle(msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void): void | Promise<void>;
  /**
   * Called once the shared connection exists (subscriptions, account lookup…). Should retry by
   * itself; a rejection is caught, shown in red and logged.
   */
  start?(conn: GatewayConnection, executor: OrderExecutor): void | Promise<void>;
  /** Called before the node leaves its configuration; may be async, `done` waits for it. */
  close?(): void | Promise<void>;
}

/** The configuration node a user node points at, or null when none is selected. */
export function configNodeOf(RED: NodeAPI, serverId: string | undefined): TopstepxConfigNode | null {
  return (serverId ? RED.nodes.getNode(serverId) : null) as TopstepxConfigNode | null;
}

/**
 * Wires a node to its controller and to the shared connection of its configuration: registers,
 * starts, routes input with (msg, send, done), and on close stops the controller, deregisters and
 * always ends in done.
 */
export function attach(node: Node, server: TopstepxConfigNode | null, controller: NodeController): void {
  if (server) {
    server.register(controller);
    if (server.connection && server.executor) {
      // A rejected start would be an unhandled rejection, and Node-RED exits on those: show it instead.
      const failed = (e: unknown) => {
        const reason = e instanceof Error ? e.message : String(e);
        node.status(errorStatus(reason));
        node.error(commonText("common.errors.startFailed", { reason }));
      };
      try {
        Promise.resolve(controller.start?.(server.connection, server.executor)).catch(failed);
      } catch (e) {
        failed(e);
      }
    }
  } else {
    node.status(errorStatus(commonText("common.status.noConfiguration")));
  }
  node.on("input", (msg: NodeMessageInFlow, send: Send, done: (err?: Error) => void) => {
    try {
      Promise.resolve(controller.handle(msg, send, done)).catch((e: unknown) =>
        done(e instanceof Error ? e : new Error(String(e))),
      );
    } catch (e) {
      done(e instanceof Error ? e : new Error(String(e)));
    }
  });
  node.on("close", (_removed: boolean, done: () => void) => {
    void Promise.resolve()
      .then(() => controller.close?.())
      .catch(() => undefined)
      .then(() => (server ? server.deregister(controller, done) : done()));
  });
}
