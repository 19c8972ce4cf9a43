import { join } from "node:path";
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from "node-red";
import { PROFILES, rulesFor, type RulesConfig } from "../../src/core/rules/rules-config";
import type { TopstepxConfigNode } from "../shared/config-api";
import { NodeType } from "../shared/node-types";
import { errorStatus } from "../shared/status";
import { RulesController } from "./rules-controller";
import { overridesOf, type RulesProps } from "./rules-props";

/** topstepx-rules: pre-trade gate, live P&L monitor with automatic flatten, persistent journal. */
export = function (RED: NodeAPI): void {
  function TopstepxRules(this: Node, props: NodeDef & RulesProps & { server?: string }) {
    RED.nodes.createNode(this, props);
    const server = (props.server ? RED.nodes.getNode(props.server) : null) as TopstepxConfigNode | null;
    let config: RulesConfig | null = null;
    let configError: string | null = null;
    try {
      const profile = props.profile || "topstep-combine-50k";
      config = rulesFor(profile, overridesOf(props, PROFILES[profile]?.lossFloor));
    } catch (e) {
      configError = (e as Error).message;
      this.error(`rules: ${configError}`);
    }
    const userDir = (RED.settings as { userDir?: string }).userDir ?? process.cwd();
    const dbFile = props.dbFile?.trim() || join(userDir, "topstepx-journal.sqlite");
    const controller = new RulesController(this, config, configError, dbFile, props.account);
    if (configError) this.status(errorStatus(configError));
    if (server) {
      server.register(controller);
      if (server.connection && server.executor && config) void controller.start(server.connection, server.executor);
    } else this.status(errorStatus("no configuration"));
    this.on("input", (msg: NodeMessageInFlow, send: (m: any) => void, done: (err?: Error) => void) => {
      void controller.handle(msg, send, done);
    });
    this.on("close", (_removed: boolean, done: () => void) => {
      void controller.close().catch(() => undefined).then(() => (server ? server.deregister(controller, done) : done()));
    });
  }
  RED.nodes.registerType(NodeType.Rules, TopstepxRules as any);

  /** The built-in profiles, for the dialog's summary. */
  RED.httpAdmin.get(`/${NodeType.Rules}/profiles`, RED.auth.needsPermission(`${NodeType.Rules}.read`), (_req, res) => {
    res.json(PROFILES);
  });
};
