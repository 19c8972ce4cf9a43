import { z } from "zod";
import {
  type EnvironmentName,
  type GatewayEndpoints,
  resolveEndpoints,
  SIMULATOR_LOGIN,
  simulatorEndpoints,
} from "../../src/core/gateway/environments";
import { displayTimeZone } from "../../src/core/time/chicago-text";

/** The config node's stored properties (version 1). Credentials are kept apart by Node-RED. */
export interface ConfigProps {
  name?: string;
  environment?: string;
  restUrl?: string;
  userHubUrl?: string;
  marketHubUrl?: string;
  account?: string | number;
  /** Write the connection's debug lines to Node-RED's log (absent in older flows: off). */
  debugLog?: boolean;
  /** The IANA zone times are shown in (journal, reports, notifications); empty: America/Chicago. */
  timeZone?: string;
  version?: number;
}

export interface ConfigCredentials {
  userName?: string;
  apiKey?: string;
  webhookSecret?: string;
}

export interface ConfigSettings {
  environment: EnvironmentName;
  endpoints: GatewayEndpoints;
  userName: string;
  apiKey: string;
  account: number | null;
  webhookSecret: string | null;
  /** The display time zone, checked (America/Chicago by default). */
  timeZone: string;
}

const Environment = z.enum(["topstepx", "simulator", "custom"], {
  message: "choose TopstepX, Local simulator or Custom",
});

/**
 * Reads the dialog's values, falling back to TOPSTEPX_USERNAME, TOPSTEPX_API_KEY,
 * TOPSTEPX_ENVIRONMENT, TOPSTEPX_WEBHOOK_SECRET and TOPSTEPX_TIME_ZONE for empty fields. Throws an
 * Error naming the first unusable field.
 */
export function readSettings(
  p: ConfigProps,
  c: ConfigCredentials,
  env: NodeJS.ProcessEnv = process.env,
): ConfigSettings {
  const orEnv = (v: string | undefined, key: string) => (v && v.trim() !== "" ? v.trim() : env[key]?.trim() || "");
  const environment = Environment.safeParse(orEnv(p.environment, "TOPSTEPX_ENVIRONMENT") || "simulator");
  if (!environment.success) throw new Error(`environment: ${environment.error.issues[0]!.message}`);
  let userName = orEnv(c.userName, "TOPSTEPX_USERNAME");
  let apiKey = orEnv(c.apiKey, "TOPSTEPX_API_KEY");
  // A palette install imports the examples with no credentials: the local simulator's built-in
  // login lets them run before the trader has typed anything.
  if (environment.data === "simulator" && !userName && !apiKey) {
    userName = SIMULATOR_LOGIN.userName;
    apiKey = SIMULATOR_LOGIN.apiKey;
  }
  if (!userName) throw new Error("no user name: open the TopstepX config node (or set TOPSTEPX_USERNAME)");
  if (!apiKey) throw new Error("no API key: open the TopstepX config node (or set TOPSTEPX_API_KEY)");
  const custom = {
    restUrl: orEnv(p.restUrl, "TOPSTEPX_REST_URL") || undefined,
    userHubUrl: orEnv(p.userHubUrl, "TOPSTEPX_USER_HUB_URL") || undefined,
    marketHubUrl: orEnv(p.marketHubUrl, "TOPSTEPX_MARKET_HUB_URL") || undefined,
  };
  // TOPSTEPX_SIMULATOR_URL moves the simulator preset, for a simulator on another port.
  const simUrl = env.TOPSTEPX_SIMULATOR_URL?.trim();
  const endpoints =
    environment.data === "simulator" && simUrl
      ? simulatorEndpoints(simUrl)
      : resolveEndpoints(environment.data, environment.data === "custom" ? custom : {});
  const account = p.account === undefined || p.account === "" ? null : Number(p.account);
  if (account !== null && !(Number.isInteger(account) && account > 0))
    throw new Error(`account: "${p.account}" is not an account id`);
  const timeZone = displayTimeZone(orEnv(p.timeZone, "TOPSTEPX_TIME_ZONE"), "timeZone");
  const secret = orEnv(c.webhookSecret, "TOPSTEPX_WEBHOOK_SECRET");
  return {
    environment: environment.data,
    endpoints,
    userName,
    apiKey,
    account,
    webhookSecret: secret || null,
    timeZone,
  };
}
