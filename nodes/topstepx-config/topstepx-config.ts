import type { NodeAPI, NodeDef } from "node-red";
import { type Clock, systemClock } from "../../src/core/clock";
import type { ConnectionStatus } from "../../src/core/connection";
import { GatewayConnection } from "../../src/core/connection";
import { GatewayAuthError } from "../../src/core/gateway/errors";
import { GatewayApi } from "../../src/core/gateway/gateway-api";
import { RestClient, type RestClientOptions } from "../../src/core/gateway/rest-client";
import { OrderExecutor } from "../../src/core/orders/order-executor";
import type { ConnectionUser, TopstepxConfigNode } from "../shared/config-api";
import { NodeType } from "../shared/node-types";
import { configLogger, type LoggingSettings, runtimeLogsDebug } from "./config-logger";
import { type ConfigCredentials, type ConfigProps, readSettings } from "./config-settings";

const PASSWORD_PLACEHOLDER = "__PWRD__";

/**
 * topstepx-config: credentials, environment and default account, and the one gateway connection
 * every other TopstepX node shares. It connects when the first node registers, disconnects when the
 * last one leaves, and fans its state out to every user's status.
 */
export = (RED: NodeAPI): void => {
  function TopstepxConfig(this: TopstepxConfigNode & { credentials: ConfigCredentials }, props: NodeDef & ConfigProps) {
    RED.nodes.createNode(this, props);
    const node = this as TopstepxConfigNode & { credentials: ConfigCredentials };
    const users = new Map<string, ConnectionUser>();
    let connection: GatewayConnection | null = null;
    let executor: OrderExecutor | null = null;
    let configError: string | null = null;
    let settings: ReturnType<typeof readSettings> | null = null;
    let status: ConnectionStatus = { state: "disconnected", user: "disconnected", market: "disconnected" };
    let stopping: Promise<void> | null = null;
    // A flow saved before the "Debug log" box existed has no such field: off.
    const logger = configLogger(node, {
      debugLog: props.debugLog === true,
      runtimeDebug: runtimeLogsDebug((RED.settings as { logging?: LoggingSettings }).logging),
    });

    try {
      settings = readSettings(props, node.credentials ?? {});
    } catch (e) {
      configError = (e as Error).message;
      node.error(`TopstepX configuration: ${configError}`);
    }

    const fanOut = (s: ConnectionStatus) => {
      status = s;
      for (const u of users.values()) u.onConnectionStatus(s);
    };

    let startTimer: NodeJS.Timeout | null = null;
    /** Logs in, and keeps trying (slowly for refused credentials) until it works or the node closes. */
    const startWithRetry = (c: GatewayConnection, attempt: number) => {
      c.start().catch((e: Error) => {
        if (connection !== c) return;
        const delay = e instanceof GatewayAuthError ? 60_000 : Math.min(30_000, 2000 * 2 ** attempt);
        node.error(`TopstepX login failed: ${e.message} (trying again in ${Math.round(delay / 1000)} s)`);
        startTimer = setTimeout(() => {
          if (connection === c) startWithRetry(c, attempt + 1);
        }, delay);
      });
    };

    const ensureConnection = () => {
      if (connection || !settings) return;
      connection = new GatewayConnection({
        // Tests pin time through the runtime setting topstepxConfigClock; users never need it.
        clock: (RED.settings as { topstepxConfigClock?: Clock }).topstepxConfigClock ?? systemClock,
        // Benchmarks against a simulator without rate limits lift the client's budgets the same way.
        rest: (RED.settings as { topstepxConfigRestBudgets?: RestClientOptions["budgets"] }).topstepxConfigRestBudgets
          ? {
              budgets: (RED.settings as { topstepxConfigRestBudgets?: RestClientOptions["budgets"] })
                .topstepxConfigRestBudgets,
            }
          : undefined,
        endpoints: settings.endpoints,
        credentials: { userName: settings.userName, apiKey: settings.apiKey },
        staleAfterMs: settings.environment === "topstepx" ? 30_000 : 0,
        logger,
      });
      executor = new OrderExecutor(connection, { defaultAccount: settings.account });
      connection.on("state", fanOut);
      connection.on("warning", (w) => node.warn(w));
      connection.on("feed", (i) => {
        if (i.kind === "stale")
          node.warn(`no quote for ${i.contractId} in ${Math.round(i.silentMs / 1000)} s while the market is open`);
      });
      startWithRetry(connection, 0);
    };

    Object.defineProperties(node, {
      connection: { get: () => connection },
      executor: { get: () => executor },
      configError: { get: () => configError },
      defaultAccount: { get: () => settings?.account ?? null },
      webhookSecret: { get: () => settings?.webhookSecret ?? null },
    });

    node.register = (user: ConnectionUser) => {
      users.set(user.id, user);
      if (configError) {
        user.onConnectionStatus({ state: "error", reason: configError, user: "error", market: "error" });
        return;
      }
      ensureConnection();
      user.onConnectionStatus(connection?.status() ?? status);
    };

    node.deregister = (user: ConnectionUser, done: () => void) => {
      users.delete(user.id);
      if (users.size > 0 || !connection) {
        done();
        return;
      }
      const c = connection;
      connection = null;
      executor = null;
      if (startTimer) clearTimeout(startTimer);
      stopping = c.stop().catch(() => undefined);
      void stopping.then(() => done());
    };

    node.on("close", (_removed: boolean, done: () => void) => {
      if (startTimer) clearTimeout(startTimer);
      const c = connection;
      connection = null;
      executor = null;
      users.clear();
      const wait = c ? c.stop() : (stopping ?? Promise.resolve());
      wait.catch(() => undefined).then(() => done());
    });
  }

  RED.nodes.registerType(NodeType.Config, TopstepxConfig as any, {
    credentials: {
      userName: { type: "text" },
      apiKey: { type: "password" },
      webhookSecret: { type: "password" },
    },
  });

  /**
   * Lists the accounts of the credentials in the dialog, for its account dropdown. The form may hold
   * "__PWRD__" for a stored API key, which is then read from the deployed node's credentials.
   */
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
};
