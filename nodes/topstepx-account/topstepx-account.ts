import type { Node, NodeAPI, NodeDef } from "node-red";
import { attach, configNodeOf } from "../shared/attach";
import { NodeType } from "../shared/node-types";
import { registerTexts } from "../shared/texts";
import { AccountController, type AccountProps } from "./account-controller";

/** topstepx-account: an account's orders, positions, fills and balance as they happen. */
export = (RED: NodeAPI): void => {
  registerTexts(NodeType.Account, RED);
  function TopstepxAccount(this: Node, props: NodeDef & AccountProps & { server?: string }) {
    RED.nodes.createNode(this, props);
    attach(this, configNodeOf(RED, props.server), new AccountController(this, props));
  }
  RED.nodes.registerType(NodeType.Account, TopstepxAccount);
};
