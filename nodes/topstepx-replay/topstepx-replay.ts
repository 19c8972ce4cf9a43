import type { Node, NodeAPI, NodeDef } from "node-red";
import { NodeType } from "../shared/node-types";
import { registerTexts } from "../shared/texts";
import { attachOptional } from "./attach-optional";
import { ReplayController, type ReplayProps } from "./replay-controller";
import { replayPages } from "./replay-pages";

/** topstepx-replay: a strategy's trades through the rules of the Topstep profiles; a connection is optional. */
export = (RED: NodeAPI): void => {
  registerTexts(NodeType.Replay, RED);
  function TopstepxReplay(this: Node, props: NodeDef & ReplayProps & { server?: string }) {
    RED.nodes.createNode(this, props);
    attachOptional(RED, this, props.server, new ReplayController(this, props));
  }
  RED.nodes.registerType(NodeType.Replay, TopstepxReplay);

  /** The last report's page (self-contained: Chart.js inline), with the editor's read permission. */
  RED.httpAdmin.get(
    `/${NodeType.Replay}/:id/report.html`,
    RED.auth.needsPermission(`${NodeType.Replay}.read`),
    (req, res) => {
      const page = replayPages.get(String(req.params.id));
      if (!page) {
        res.status(404).type("text/plain").send("no report yet: deploy the replay node and send it a file");
        return;
      }
      res.type("html").send(page);
    },
  );
};
