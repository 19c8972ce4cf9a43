import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from "node-red";
import type { TopstepxConfigNode } from "../shared/config-api";
import { NodeType } from "../shared/node-types";
import { errorStatus } from "../shared/status";
import { OrderController, type OrderProps } from "./order-controller";

/** topstepx-order: place, modify, cancel, close and flatten, from the dialog or msg.payload. */
export = function (RED: NodeAPI): void {
  function TopstepxOrder(this: Node, props: NodeDef & OrderProps & { server?: string }) {
    RED.nodes.createNode(this, props);
    const server = (props.server ? RED.nodes.getNode(props.server) : null) as TopstepxConfigNode | null;
    const controller = new OrderController(this, server, props);
    if (server) server.register(controller);
    else this.status(errorStatus("no configuration"));
    this.on("input", (msg: NodeMessageInFlow, send: (m: any) => void, done: (err?: Error) => void) => {
      void controller.handle(msg, send, done);
    });
    this.on("close", (_removed: boolean, done: () => void) => {
      if (server) server.deregister(controller, done);
      else done();
    });
  }
  RED.nodes.registerType(NodeType.Order, TopstepxOrder as any);
};
