import type { NodeAPI } from "node-red";
import { preflight, type Severity, type ShownFinding } from "../../src/core/preflight";
import { NodeType } from "../shared/node-types";
import { gatherSnapshot } from "./preflight-snapshot";

/** What `GET /topstepx-config/:id/preflight` answers. */
export interface PreflightAnswer {
  findings: ShownFinding[];
  counts: Record<Severity, number>;
}

/**
 * The pre-flight check of a deployed configuration node, on the admin API (with adminAuth on it
 * needs the read permission, as the editor does): what is unsafe in the live setup, worst first,
 * each with its fix. The dialog's button and `npx topstepx-preflight` both ask it.
 */
export function servePreflight(RED: NodeAPI): void {
  const text = (key: string, params: Record<string, string | number> = {}) =>
    RED._(`${NodeType.Config}.preflight.${key}`, params);
  RED.httpAdmin.get(
    `/${NodeType.Config}/:id/preflight`,
    RED.auth.needsPermission(`${NodeType.Config}.read`),
    async (req, res) => {
      try {
        const snapshot = await gatherSnapshot(RED, String(req.params.id));
        if (!snapshot) {
          res.status(404).json({ error: text("notDeployed") });
          return;
        }
        const findings = preflight(snapshot).map((f) => ({
          ...f,
          message: text(`code.${f.code}.message`, f.params),
          fix: text(`code.${f.code}.fix`, f.params),
        }));
        const counts: Record<Severity, number> = { danger: 0, warn: 0, ok: 0 };
        for (const f of findings) counts[f.severity]++;
        res.json({ findings, counts } satisfies PreflightAnswer);
      } catch (e) {
        res.status(500).json({ error: (e as Error).message });
      }
    },
  );
}
