/** Where a gateway lives: a REST base URL and the two SignalR hub URLs. */
export interface GatewayEndpoints {
  restUrl: string;
  userHubUrl: string;
  marketHubUrl: string;
}

/** Named presets a trader picks from; "custom" takes explicit URLs. */
export type EnvironmentName = "topstepx" | "simulator" | "custom";

/** The login `npx topstepx-sim` accepts unless its configuration file lists other users. */
export const SIMULATOR_LOGIN = { userName: "trader", apiKey: "local-simulator-key" } as const;

/**
 * The preset endpoints, each with a display label. `simulator` is where `npx topstepx-sim` listens
 * by default (127.0.0.1:5880); a simulator on another port needs `custom` or {@link simulatorEndpoints}.
 */
export const ENVIRONMENTS: Record<Exclude<EnvironmentName, "custom">, GatewayEndpoints & { label: string }> = {
  topstepx: {
    label: "TopstepX",
    restUrl: "https://api.topstepx.com",
    userHubUrl: "https://rtc.topstepx.com/hubs/user",
    marketHubUrl: "https://rtc.topstepx.com/hubs/market",
  },
  simulator: {
    label: "Local simulator",
    restUrl: "http://127.0.0.1:5880",
    userHubUrl: "http://127.0.0.1:5880/hubs/user",
    marketHubUrl: "http://127.0.0.1:5880/hubs/market",
  },
};

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, "").toLowerCase();
  return h === "localhost" || h === "::1" || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Thrown for endpoints a client must not use; the message names the field. */
export class EndpointError extends Error {}

function checkUrl(field: string, value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new EndpointError(`${field}: "${value}" is not a URL`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    throw new EndpointError(`${field}: use an http(s):// URL (the SignalR client in Node refuses ws://)`);
  }
  // Credentials and orders must never cross a network in clear text.
  if (url.protocol === "http:" && !isLoopback(url.hostname)) {
    throw new EndpointError(
      `${field}: plain http is allowed only for this computer (127.0.0.1, localhost); use https for ${url.hostname}`,
    );
  }
  return value.replace(/\/+$/, "");
}

/**
 * The endpoints of an environment: a preset, or custom URLs checked for scheme and for plain HTTP
 * outside loopback.
 */
export function resolveEndpoints(env: EnvironmentName, custom?: Partial<GatewayEndpoints>): GatewayEndpoints {
  const base = env === "custom" ? (custom ?? {}) : { ...ENVIRONMENTS[env], ...stripUndefined(custom ?? {}) };
  const need = (k: keyof GatewayEndpoints) => {
    const v = base[k];
    if (!v) throw new EndpointError(`${k}: required for a custom environment`);
    return checkUrl(k, v);
  };
  return { restUrl: need("restUrl"), userHubUrl: need("userHubUrl"), marketHubUrl: need("marketHubUrl") };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined && v !== "")) as Partial<T>;
}

/** Endpoints of a simulator running at a base URL (e.g. from `startSimulator`). */
export function simulatorEndpoints(baseUrl: string): GatewayEndpoints {
  const b = baseUrl.replace(/\/+$/, "");
  return resolveEndpoints("custom", { restUrl: b, userHubUrl: `${b}/hubs/user`, marketHubUrl: `${b}/hubs/market` });
}
