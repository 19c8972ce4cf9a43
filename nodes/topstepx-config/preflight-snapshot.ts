import type { NodeAPI } from "node-red";
import { namesAccount } from "../../src/core/account/account-lookup";
import { type Clock, systemClock } from "../../src/core/clock";
import { GatewayApi } from "../../src/core/gateway/gateway-api";
import { RestClient } from "../../src/core/gateway/rest-client";
import { dateHeaderMs } from "../../src/core/preflight/clock-offset";
import type {
  AccountSnapshot,
  AlertSnapshot,
  ClockReading,
  PreflightSnapshot,
  RulesSnapshot,
  TradedAccountSnapshot,
} from "../../src/core/preflight/snapshot";
import type { TopstepxConfigNode } from "../shared/config-api";
import { NodeType } from "../shared/node-types";
import { rulesOfNode } from "../topstepx-rules/rules-controller";
import type { RulesProps } from "../topstepx-rules/rules-props";
import { type ConfigCredentials, type ConfigProps, type ConfigSettings, readSettings } from "./config-settings";

/** How far back orders are read for what they tell of the account's bracket mode. */
const ORDERS_LOOKBACK_MS = 7 * 86_400_000;
const TIMEOUT_MS = 5_000;

/** A node of the deployed flows, in the fields the check reads. */
interface DeployedNode extends Omit<ConfigProps, "account">, RulesProps {
  id: string;
  type: string;
  z?: string;
  d?: boolean;
  disabled?: boolean;
  server?: string;
  requireSecret?: boolean;
}

/** The runtime settings the check reads. */
interface PreflightSettings {
  adminAuth?: unknown;
  uiHost?: string;
  topstepxConfigClock?: Clock;
}

/**
 * Gathers what the pre-flight check judges for one configuration node, from the DEPLOYED runtime
 * (the running flows and settings, not the dialog's unsaved values) and from its gateway. Resolves
 * null when no configuration node with this id is deployed.
 */
export async function gatherSnapshot(RED: NodeAPI, configId: string): Promise<PreflightSnapshot | null> {
  const deployed: DeployedNode[] = [];
  RED.nodes.eachNode((n) => void deployed.push(n as unknown as DeployedNode));
  const def = deployed.find((n) => n.id === configId && n.type === NodeType.Config);
  if (!def) return null;
  const offTabs = new Set(deployed.filter((n) => n.type === "tab" && n.disabled).map((n) => n.id));
  const users = (type: string) =>
    deployed.filter((n) => n.type === type && n.server === configId && !n.d && !(n.z && offTabs.has(n.z)));

  let settings: ConfigSettings | null = null;
  let configError: string | null = null;
  try {
    settings = readSettings(def, (RED.nodes.getCredentials(configId) ?? {}) as ConfigCredentials);
  } catch (e) {
    configError = (e as Error).message;
  }
  const node = RED.nodes.getNode(configId) as TopstepxConfigNode | null;
  const runtime = RED.settings as PreflightSettings;
  const secret = node?.webhookSecret ?? settings?.webhookSecret ?? null;

  const alerts: AlertSnapshot[] = users(NodeType.Alert).map((n) => ({
    id: n.id,
    name: n.name ?? "",
    requireSecret: n.requireSecret !== false,
  }));
  const rulesDefs = users(NodeType.Rules);

  const snapshot: PreflightSnapshot = {
    environment: settings?.environment ?? envOf(def),
    configError,
    editor: { adminAuth: !!runtime.adminAuth, host: runtime.uiHost ?? null },
    webhookSecretLength: secret ? secret.length : null,
    alerts,
    rules: [],
    traded: [],
    clock: { error: configError ?? "no configuration" },
  };
  if (!settings) {
    snapshot.rules = rulesDefs.map((r) => ({ ...rulesOf(r), account: null, accountError: configError }));
    return snapshot;
  }
  const clock = node?.connection?.clock ?? runtime.topstepxConfigClock ?? systemClock;
  const [withAccounts, reading] = await Promise.all([
    readAccounts(node, settings, rulesDefs, clock),
    readClock(settings, clock),
  ]);
  snapshot.rules = withAccounts.rules;
  snapshot.traded = withAccounts.traded;
  snapshot.clock = reading;
  return snapshot;
}

function envOf(def: DeployedNode): PreflightSnapshot["environment"] {
  return def.environment === "topstepx" || def.environment === "custom" ? def.environment : "simulator";
}

/** A deployed rules node's rules as it judges by them: its limits read at deploy, env and context included. */
function rulesOf(r: DeployedNode): Omit<RulesSnapshot, "account" | "accountError"> {
  const profile = r.profile || "topstep-combine-50k";
  const running = rulesOfNode(r.id) ?? { config: null, configError: "the rules node is not running" };
  return { id: r.id, name: r.name ?? "", profile, ...running };
}

/** The shared connection's API when the configuration runs one; otherwise a short-lived client. */
async function withApi<T>(
  node: TopstepxConfigNode | null,
  s: ConfigSettings,
  use: (api: GatewayApi) => Promise<T>,
): Promise<T> {
  if (node?.connection) return use(node.connection.api);
  const rest = new RestClient({
    endpoints: s.endpoints,
    credentials: { userName: s.userName, apiKey: s.apiKey },
    timeoutMs: TIMEOUT_MS,
    maxReadRetries: 1,
  });
  try {
    return await use(new GatewayApi(rest));
  } finally {
    rest.close();
  }
}

/** Each rules node's account, and the recent orders of every traded account (rules nodes' and the default one). */
async function readAccounts(
  node: TopstepxConfigNode | null,
  s: ConfigSettings,
  rulesDefs: DeployedNode[],
  clock: Clock,
): Promise<{ rules: RulesSnapshot[]; traded: TradedAccountSnapshot[] }> {
  const rules = rulesDefs.map(rulesOf);
  try {
    return await withApi(node, s, async (api) => {
      const accounts = await api.searchAccounts(true);
      const find = (ref: string | number | null | undefined): AccountSnapshot | string => {
        const text = ref === null || ref === undefined ? "" : String(ref).trim();
        if (!text) return "no account is set (rules node or the configuration's default account)";
        const a = accounts.find((x) => namesAccount(text, x));
        return a
          ? { id: a.id, name: a.name, balance: a.balance }
          : `no active account "${text}" for this login (${accounts.map((x) => x.name).join(", ") || "none"})`;
      };
      const out: RulesSnapshot[] = rules.map((r, i) => {
        const found = find(rulesDefs[i]!.account || s.account);
        return typeof found === "string"
          ? { ...r, account: null, accountError: found }
          : { ...r, account: found, accountError: null };
      });
      const byId = new Map<number, AccountSnapshot>();
      for (const r of out) if (r.account) byId.set(r.account.id, r.account);
      const fallback = s.account === null ? null : find(s.account);
      if (fallback && typeof fallback !== "string") byId.set(fallback.id, fallback);
      const since = clock.now() - ORDERS_LOOKBACK_MS;
      const traded = await Promise.all(
        [...byId.values()].map(async (account) => ({
          account,
          recentOrders: await api.searchOrders(account.id, since).catch(() => null),
        })),
      );
      return { rules: out, traded };
    });
  } catch (e) {
    const error = (e as Error).message;
    return { rules: rules.map((r) => ({ ...r, account: null, accountError: error })), traded: [] };
  }
}

/**
 * The gateway's time against our clock: a simulator's venue clock (`GET /sim/clock`, epoch ms), or
 * the Date header of TopstepX's `GET /api/Status/ping` (whole seconds).
 */
async function readClock(s: ConfigSettings, clock: Clock): Promise<ClockReading | { error: string }> {
  const base = s.endpoints.restUrl.replace(/\/+$/, "");
  try {
    if (s.environment !== "topstepx") {
      const sent = Date.now();
      const r = await fetch(`${base}/sim/clock`, { signal: AbortSignal.timeout(TIMEOUT_MS) }).catch(() => null);
      const venue = r?.ok ? ((await r.json().catch(() => null)) as { epochMs?: unknown } | null) : null;
      if (typeof venue?.epochMs === "number")
        return { ourMs: clock.now(), serverMs: venue.epochMs, roundTripMs: Date.now() - sent, resolutionMs: 0 };
    }
    const sent = Date.now();
    const r = await fetch(`${base}/api/Status/ping`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    const ourMs = clock.now();
    const serverMs = dateHeaderMs(r.headers.get("date"));
    await r.body?.cancel();
    if (serverMs === null) return { error: `no Date header in the answer of ${base}/api/Status/ping` };
    return { ourMs, serverMs, roundTripMs: Date.now() - sent, resolutionMs: 1000 };
  } catch (e) {
    return { error: (e as Error).message };
  }
}
