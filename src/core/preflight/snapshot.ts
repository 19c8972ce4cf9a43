import type { RulesConfig } from "../rules/rules-config";

/** An alert node that uses the configuration, as deployed. */
export interface AlertSnapshot {
  id: string;
  name: string;
  /** The node's "require the webhook secret" box (false: alerts pass without it). */
  requireSecret: boolean;
}

/** An account as the gateway lists it. */
export interface AccountSnapshot {
  id: number;
  name: string;
  balance: number;
}

/** What an order says about the account's bracket mode (a subset of the gateway's OrderModel). */
export interface BracketOrder {
  customTag?: string | null;
  parentOrderId?: number | null;
  creationTimestamp: string;
}

/** A rules node that uses the configuration, as deployed, with the account it guards. */
export interface RulesSnapshot {
  id: string;
  name: string;
  profile: string;
  /** Its rules, or null when they do not validate (`configError` says why). */
  config: RulesConfig | null;
  configError: string | null;
  /** The account it guards, or null when it could not be found (`accountError` says why). */
  account: AccountSnapshot | null;
  accountError: string | null;
}

/** An account the flows trade, with its recent orders (null when they could not be read). */
export interface TradedAccountSnapshot {
  account: AccountSnapshot;
  recentOrders: BracketOrder[] | null;
}

/** Our clock against the gateway's, read once. */
export interface ClockReading {
  /** Our clock (the one the rules judge sessions and alert ages by) when the answer arrived, epoch ms. */
  ourMs: number;
  /** The gateway's time in its answer, epoch ms. */
  serverMs: number;
  /** How long the request took. */
  roundTripMs: number;
  /** The resolution of serverMs: 1000 for an HTTP Date header (whole seconds), 0 for epoch ms. */
  resolutionMs: number;
}

/** Everything the pre-flight check judges, gathered from the deployed runtime and the gateway. */
export interface PreflightSnapshot {
  environment: "topstepx" | "simulator" | "custom";
  /** Why the configuration cannot connect, or null. */
  configError: string | null;
  editor: {
    /** Node-RED's adminAuth is set: the editor and its admin API ask for a login. */
    adminAuth: boolean;
    /** The address Node-RED listens on (uiHost); null or "0.0.0.0"/"::" is every interface. */
    host: string | null;
  };
  /** Length of the webhook secret, or null when none is set. */
  webhookSecretLength: number | null;
  alerts: AlertSnapshot[];
  rules: RulesSnapshot[];
  /** The accounts the flows trade (rules nodes' and the default one). */
  traded: TradedAccountSnapshot[];
  clock: ClockReading | { error: string };
}
