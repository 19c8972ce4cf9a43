import type { Node, NodeAPI, NodeDef } from "node-red";
import type { GroupMember } from "../../src/core/groups/fan-out";
import { attach, configNodeOf } from "../shared/attach";
import { InputError } from "../shared/input";
import { NodeType } from "../shared/node-types";
import { registerTexts, textsOf } from "../shared/texts";
import { GroupController } from "./group-controller";
import { type GroupProps, membersOf } from "./group-props";

/** topstepx-group: one alert to a group of accounts, each sized by its own rule and judged by its own rules node. */
export = (RED: NodeAPI): void => {
  registerTexts(NodeType.Group, RED);
  function TopstepxGroup(this: Node, props: NodeDef & GroupProps & { server?: string }) {
    RED.nodes.createNode(this, props);
    let members: GroupMember[] | null = null;
    let configError: InputError | null = null;
    try {
      members = membersOf(props);
    } catch (e) {
      configError = e instanceof InputError ? e : new InputError("members", (e as Error).message);
      this.error(textsOf(NodeType.Group)("errors.config", { reason: configError.message }));
    }
    const name = props.name?.trim() || props.id;
    attach(
      this,
      configNodeOf(RED, props.server),
      new GroupController(this, configNodeOf(RED, props.server), name, members, configError),
    );
  }
  RED.nodes.registerType(NodeType.Group, TopstepxGroup);
};
