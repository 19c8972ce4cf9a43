import type { Node, NodeAPI } from "node-red";
import { attach, configNodeOf } from "../shared/attach";
import type { ReplayController } from "./replay-controller";

/**
 * Wires the replay node like every other node when a connection is selected; without one it still
 * takes input (a TradingView export needs no gateway) and shows no "no configuration" error.
 */
export function attachOptional(RED: NodeAPI, node: Node, serverId: string | undefined, c: ReplayController): void {
  const server = configNodeOf(RED, serverId);
  attach(node, server, c);
  if (!server) node.status({});
}
