import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from "node-red";
import type { TopstepxConfigNode } from "../shared/config-api";
import { NodeType } from "../shared/node-types";
import { errorStatus } from "../shared/status";
import { AlertController, type AlertProps } from "./alert-controller";

/** topstepx-alert: TradingView alert → order intent, authenticated by the webhook secret. */
export = function (RED: NodeAPI): void {
  function TopstepxAlert(this: Node, props: NodeDef & AlertProps & { server?: string }) {
    RED.nodes.createNode(this, props);
    const server = (props.server ? RED.nodes.getNode(props.server) : null) as TopstepxConfigNode | null;
    const controller = new AlertController(this, server, props);
    if (server) server.register(controller);
    else this.status(errorStatus("no configuration"));
    this.on("input", (msg: NodeMessageInFlow, send: (m: any) => void, done: (err?: Error) => void) => {
      void controller.handle(msg, send, done);
    });
    this.on("close", (_removed: boolean, done: () => void) => (server ? server.deregister(controller, done) : done()));
  }
  RED.nodes.registerType(NodeType.Alert, TopstepxAlert as any);
};
