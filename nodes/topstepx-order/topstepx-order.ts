import type { Node, NodeAPI, NodeDef } from "node-red";
import { attach, configNodeOf } from "../shared/attach";
import { NodeType } from "../shared/node-types";
import { errorStatus } from "../shared/status";
import { registerTexts } from "../shared/texts";
import { TypedFields } from "../shared/typed-props";
import { OrderController, type OrderProps } from "./order-controller";
import { migrateOrderProps, ORDER_FIELDS, type OrderField } from "./order-props";

/** topstepx-order: place, modify, cancel, close and flatten, from the dialog or msg.payload. */
export = (RED: NodeAPI): void => {
  registerTexts(NodeType.Order, RED);
  function TopstepxOrder(this: Node, saved: NodeDef & OrderProps & { server?: string }) {
    RED.nodes.createNode(this, saved);
    const props = migrateOrderProps(saved);
    // num, str and env are read here, once; msg, flow and global for each msg.
    const fields = new TypedFields<OrderField>(RED, this, ORDER_FIELDS, props);
    const server = configNodeOf(RED, props.server);
    attach(this, server, new OrderController(this, server, props, fields));
    const refused = fields.refused[0];
    if (refused) {
      this.error(refused.message);
      this.status(errorStatus(refused.message));
    }
  }
  RED.nodes.registerType(NodeType.Order, TopstepxOrder);
};
