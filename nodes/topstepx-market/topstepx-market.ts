import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from "node-red";
import type { TopstepxConfigNode } from "../shared/config-api";
import { NodeType } from "../shared/node-types";
import { errorStatus } from "../shared/status";
import { MarketController, type MarketProps } from "./market-controller";

/** topstepx-market: live quotes, trades and depth; historical bars on input. */
export = function (RED: NodeAPI): void {
  function TopstepxMarket(this: Node, props: NodeDef & MarketProps & { server?: string }) {
    RED.nodes.createNode(this, props);
    const server = (props.server ? RED.nodes.getNode(props.server) : null) as TopstepxConfigNode | null;
    const controller = new MarketController(this, props);
    if (server) {
      server.register(controller);
      if (server.connection) void controller.start(server.connection);
    } else this.status(errorStatus("no configuration"));
    this.on("input", (msg: NodeMessageInFlow, send: (m: any) => void, done: (err?: Error) => void) => {
      void controller.handle(msg, send, done);
    });
    this.on("close", (_removed: boolean, done: () => void) => {
      void controller.close().then(() => (server ? server.deregister(controller, done) : done()));
    });
  }
  RED.nodes.registerType(NodeType.Market, TopstepxMarket as any);
};
