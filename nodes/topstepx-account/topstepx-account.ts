import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from "node-red";
import type { TopstepxConfigNode } from "../shared/config-api";
import { NodeType } from "../shared/node-types";
import { errorStatus } from "../shared/status";
import { AccountController, type AccountProps } from "./account-controller";

/** topstepx-account: an account's orders, positions, fills and balance as they happen. */
export = function (RED: NodeAPI): void {
  function TopstepxAccount(this: Node, props: NodeDef & AccountProps & { server?: string }) {
    RED.nodes.createNode(this, props);
    const server = (props.server ? RED.nodes.getNode(props.server) : null) as TopstepxConfigNode | null;
    const controller = new AccountController(this, props);
    if (server) {
      server.register(controller);
      if (server.connection && server.executor) void controller.start(server.connection, server.executor);
    } else this.status(errorStatus("no configuration"));
    this.on("input", (msg: NodeMessageInFlow, send: (m: any) => void, done: (err?: Error) => void) => controller.handle(msg, send, done));
    this.on("close", (_removed: boolean, done: () => void) => {
      controller.close();
      if (server) server.deregister(controller, done);
      else done();
    });
  }
  RED.nodes.registerType(NodeType.Account, TopstepxAccount as any);
};
