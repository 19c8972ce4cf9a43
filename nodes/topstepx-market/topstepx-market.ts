import type { Node, NodeAPI, NodeDef } from "node-red";
import { attach, configNodeOf } from "../shared/attach";
import { NodeType } from "../shared/node-types";
import { registerTexts } from "../shared/texts";
import { MarketController, type MarketProps } from "./market-controller";

/** topstepx-market: live quotes, trades and depth; historical bars on input. */
export = (RED: NodeAPI): void => {
  registerTexts(NodeType.Market, RED);
  function TopstepxMarket(this: Node, props: NodeDef & MarketProps & { server?: string }) {
    RED.nodes.createNode(this, props);
    attach(this, configNodeOf(RED, props.server), new MarketController(this, props));
  }
  RED.nodes.registerType(NodeType.Market, TopstepxMarket);
};
