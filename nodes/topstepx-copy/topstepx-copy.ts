import type { Node, NodeAPI, NodeDef } from "node-red";
import { attach, configNodeOf } from "../shared/attach";
import { NodeType } from "../shared/node-types";
import { registerTexts } from "../shared/texts";
import { CopyController } from "./copy-controller";
import type { CopyProps } from "./copy-props";

/** topstepx-copy: mirrors a leader account's positions on follower accounts, each through its own rules. */
export = (RED: NodeAPI): void => {
  registerTexts(NodeType.Copy, RED);
  function TopstepxCopy(this: Node, props: NodeDef & CopyProps & { server?: string }) {
    RED.nodes.createNode(this, props);
    attach(this, configNodeOf(RED, props.server), new CopyController(this, props));
  }
  RED.nodes.registerType(NodeType.Copy, TopstepxCopy);
};
