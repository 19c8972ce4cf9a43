import type { Node, NodeAPI, NodeDef } from "node-red";
import { attach, configNodeOf } from "../shared/attach";
import { NodeType } from "../shared/node-types";
import { registerTexts } from "../shared/texts";
import { OrderController, type OrderProps } from "./order-controller";

/** topstepx-order: place, modify, cancel, close and flatten, from the dialog or msg.payload. */
export = (RED: NodeAPI): void => {
  registerTexts(NodeType.Order, RED);
  function TopstepxOrder(this: Node, props: NodeDef & OrderProps & { server?: string }) {
    RED.nodes.createNode(this, props);
    const server = configNodeOf(RED, props.server);
    attach(this, server, new OrderController(this, server, props));
  }
  RED.nodes.registerType(NodeType.Order, TopstepxOrder);
};
