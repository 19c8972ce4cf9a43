import { dirname, join } from "node:path";
import type { Node, NodeAPI, NodeDef } from "node-red";
import { PROFILES, type RulesConfig, rulesFor } from "../../src/core/rules/rules-config";
import { attach, configNodeOf } from "../shared/attach";
import { NodeType } from "../shared/node-types";
import { errorStatus } from "../shared/status";
import { registerTexts, textsOf } from "../shared/texts";
import { reportPage } from "./report-page";
import { RulesController, reportOfNode } from "./rules-controller";
import { overridesOf, type RulesProps, readRulesProps } from "./rules-props";

/** topstepx-rules: pre-trade gate, live P&L monitor with automatic flatten, persistent journal. */
export = (RED: NodeAPI): void => {
  registerTexts(NodeType.Rules, RED);
  function TopstepxRules(this: Node, saved: NodeDef & RulesProps & { server?: string }) {
    RED.nodes.createNode(this, saved);
    let config: RulesConfig | null = null;
    let configError: string | null = null;
    const { props, refused } = readRulesProps(RED, this, saved);
    try {
      if (refused) throw refused;
      const profile = props.profile || "topstep-combine-50k";
      config = rulesFor(profile, overridesOf(props, PROFILES[profile]?.lossFloor));
    } catch (e) {
      configError = (e as Error).message;
      this.error(textsOf(NodeType.Rules)("errors.rules", { message: configError }));
    }
    const userDir = (RED.settings as { userDir?: string }).userDir ?? process.cwd();
    const dbFile = props.dbFile?.trim() || join(userDir, "topstepx-journal.sqlite");
    const controller = new RulesController(this, config, configError, dbFile, props.account);
    attach(this, configNodeOf(RED, props.server), controller);
    if (configError) this.status(errorStatus(configError));
  }
  RED.nodes.registerType(NodeType.Rules, TopstepxRules);

  /** The built-in profiles, for the dialog's summary. */
  RED.httpAdmin.get(`/${NodeType.Rules}/profiles`, RED.auth.needsPermission(`${NodeType.Rules}.read`), (_req, res) => {
    res.json(PROFILES);
  });

  /**
   * The report page of a rules node, on the admin API: with adminAuth on it needs the read
   * permission (a bearer token, or ?access_token= as the dialog's link adds), as the editor does.
   */
  RED.httpAdmin.get(
    `/${NodeType.Rules}/:id/report.html`,
    RED.auth.needsPermission(`${NodeType.Rules}.read`),
    (req, res) => {
      const report = reportOfNode(String(req.params.id));
      if (!report) {
        res
          .status(404)
          .type("text/plain")
          .send("no running rules node with this id (deployed and guarding its account?)");
        return;
      }
      res.type("html").send(reportPage(report));
    },
  );

  /** Chart.js for the report page, from the installed package: a library, no account data. */
  const chartJs = join(dirname(require.resolve("chart.js")), "chart.umd.min.js");
  RED.httpAdmin.get(`/${NodeType.Rules}/chart.js`, (_req, res) => {
    res.type("application/javascript").sendFile(chartJs);
  });
};
