import type { NodeAPI } from "node-red";
import { GatewayApi } from "../../src/core/gateway/gateway-api";
import { RestClient } from "../../src/core/gateway/rest-client";
import { NodeType } from "../shared/node-types";
import { type ConfigCredentials, type ConfigProps, readSettings } from "./config-settings";

const PASSWORD_PLACEHOLDER = "__PWRD__";

/**
 * Lists the accounts of the credentials in the dialog, for its account dropdown. The form may hold
 * "__PWRD__" for a stored API key, which is then read from the deployed node's credentials.
 */
export function serveAccountList(RED: NodeAPI): void {
  RED.httpAdmin.post(
    `/${NodeType.Config}/accounts`,
    RED.auth.needsPermission(`${NodeType.Config}.write`),
    async (req, res) => {
      const body = (req.body ?? {}) as ConfigProps & ConfigCredentials & { id?: string };
      try {
        const stored = (body.id ? RED.nodes.getCredentials(body.id) : undefined) as ConfigCredentials | undefined;
        const apiKey = !body.apiKey || body.apiKey === PASSWORD_PLACEHOLDER ? stored?.apiKey : body.apiKey;
        const s = readSettings(body, { userName: body.userName || stored?.userName, apiKey });
        const rest = new RestClient({
          endpoints: s.endpoints,
          credentials: { userName: s.userName, apiKey: s.apiKey },
          timeoutMs: 8000,
          maxReadRetries: 1,
        });
        try {
          const accounts = await new GatewayApi(rest).searchAccounts(true);
          res.json(
            accounts.map((a) => ({
              id: a.id,
              name: a.name,
              balance: a.balance,
              canTrade: a.canTrade,
              simulated: a.simulated,
            })),
          );
        } finally {
          rest.close();
        }
      } catch (e) {
        res.status(400).json({ error: (e as Error).message });
      }
    },
  );
}
