import type { Node, NodeAPI, NodeDef } from "node-red";
import { type Clock, systemClock } from "../../src/core/clock";
import { GatewayConnection } from "../../src/core/connection";
import type { RestClientOptions } from "../../src/core/gateway/rest-client";
import type { Logger } from "../../src/core/logger";
import { VenueClockFollower } from "../../src/core/time/venue-clock";
import type { TopstepxConfigNode } from "../shared/config-api";
import { NodeType } from "../shared/node-types";
import { registerTexts, textsOf } from "../shared/texts";
import { serveAccountList } from "./accounts-endpoint";
import { configLogger, type LoggingSettings, runtimeLogsDebug } from "./config-logger";
import { type ConfigCredentials, type ConfigProps, type ConfigSettings, readSettings } from "./config-settings";
import { servePreflight } from "./preflight-endpoint";
import { SharedConnection } from "./shared-connection";

/** Runtime settings only tests and benchmarks set. */
interface ConfigRuntimeSettings {
  /** Tests pin time through it; users never need it. */
  topstepxConfigClock?: Clock;
  /** Benchmarks against a simulator without rate limits lift the client's budgets with it. */
  topstepxConfigRestBudgets?: RestClientOptions["budgets"];
  logging?: LoggingSettings;
}

/** What a config node adds to a Node-RED node for the nodes that point at it. */
type ConfigOffer = Omit<TopstepxConfigNode, keyof Node>;

/**
 * topstepx-config: credentials, environment and default account, and the one gateway connection
 * every other TopstepX node shares. It connects when the first node registers, disconnects when the
 * last one leaves, and fans its state out to every user's status.
 */
export = (RED: NodeAPI): void => {
  registerTexts(NodeType.Config, RED);
  const runtime = RED.settings as ConfigRuntimeSettings;

  const connectionFor = (settings: ConfigSettings, logger: Logger) => {
    const budgets = runtime.topstepxConfigRestBudgets;
    return new GatewayConnection({
      // Against a simulator, the rules run on its venue clock (a weekend can be a Tuesday morning there).
      clock:
        runtime.topstepxConfigClock ??
        (settings.environment === "topstepx" ? systemClock : new VenueClockFollower(settings.endpoints.restUrl)),
      rest: budgets ? { budgets } : undefined,
      endpoints: settings.endpoints,
      credentials: { userName: settings.userName, apiKey: settings.apiKey },
      staleAfterMs: settings.environment === "topstepx" ? 30_000 : 0,
      timeZone: settings.timeZone,
      logger,
    });
  };

  function TopstepxConfig(this: Node<ConfigCredentials>, props: NodeDef & ConfigProps) {
    RED.nodes.createNode(this, props);
    // A flow saved before the "Debug log" box existed has no such field: off.
    const logger = configLogger(this, {
      debugLog: props.debugLog === true,
      runtimeDebug: runtimeLogsDebug(runtime.logging),
    });
    let settings: ConfigSettings | null = null;
    let configError: string | null = null;
    try {
      settings = readSettings(props, this.credentials ?? {});
    } catch (e) {
      configError = (e as Error).message;
      this.error(textsOf(NodeType.Config)("errors.invalid", { reason: configError }));
    }
    const shared = new SharedConnection({
      node: this,
      configError,
      open: () => settings && connectionFor(settings, logger),
      defaultAccount: settings?.account ?? null,
    });
    const offer: ConfigOffer = {
      register: (user) => shared.register(user),
      deregister: (user, done) => shared.deregister(user, done),
      get connection() {
        return shared.connection;
      },
      get executor() {
        return shared.executor;
      },
      configError,
      defaultAccount: settings?.account ?? null,
      webhookSecret: settings?.webhookSecret ?? null,
    };
    // Object.assign types the node as what it offers; the descriptors then keep the getters live.
    const node: TopstepxConfigNode = Object.assign(this, offer);
    Object.defineProperties(node, Object.getOwnPropertyDescriptors(offer));
    node.on("close", (_removed: boolean, done: () => void) => shared.close(done));
  }

  RED.nodes.registerType<Node<ConfigCredentials>, NodeDef & ConfigProps, unknown, ConfigCredentials>(
    NodeType.Config,
    TopstepxConfig,
    {
      credentials: {
        userName: { type: "text" },
        apiKey: { type: "password" },
        webhookSecret: { type: "password" },
      },
    },
  );

  serveAccountList(RED);
  servePreflight(RED);
};
