import type { Node, NodeAPI, NodeDef } from "node-red";
import { attach, configNodeOf } from "../shared/attach";
import { NodeType } from "../shared/node-types";
import { registerTexts } from "../shared/texts";
import { AlertController, type AlertProps } from "./alert-controller";
import { installWebhookGuard } from "./webhook-guard";

/** topstepx-alert: TradingView alert → order intent, authenticated by the webhook secret. */
export = (RED: NodeAPI): void => {
  registerTexts(NodeType.Alert, RED);
  installWebhookGuard(RED);
  function TopstepxAlert(this: Node, props: NodeDef & AlertProps & { server?: string }) {
    RED.nodes.createNode(this, props);
    const server = configNodeOf(RED, props.server);
    attach(this, server, new AlertController(this, server, props));
  }
  RED.nodes.registerType(NodeType.Alert, TopstepxAlert);
};
