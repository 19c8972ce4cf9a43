import type { Finding, Severity, ShownFinding } from "../core/preflight/finding";

/** One section of the report: Node-RED itself, or one configuration node. */
export interface Section {
  /** "node-red", or the configuration node's id. */
  id: string;
  /** The configuration node's name, when it has one. */
  name?: string;
  findings: ShownFinding[];
  /** Why this section could not be checked, when it could not. */
  error?: string;
}

/** What went wrong before any finding could be read. */
export class PreflightRunError extends Error {
  constructor(
    readonly reason: "unreachable" | "loginFailed" | "loginNeeded" | "flowsUnreadable",
    detail: string,
  ) {
    super(detail);
  }
}

/** How the CLI reaches Node-RED. */
export interface AskOptions {
  url: string;
  user?: string;
  password?: string;
  /** Texts by key (the config node's locale), for the findings the CLI makes itself. */
  text(key: string, params?: Record<string, string | number>): string;
  timeoutMs?: number;
}

/**
 * Asks a running Node-RED what is unsafe: first from outside, as anyone on the network would,
 * whether its admin API answers without a login; then, logged in when it needs one, the
 * pre-flight check of every deployed TopstepX configuration node.
 */
export async function askNodeRed(o: AskOptions): Promise<Section[]> {
  const base = o.url.replace(/\/+$/, "");
  const timeout = o.timeoutMs ?? 20_000;
  const get = async (path: string, token?: string) => {
    try {
      return await fetch(`${base}${path}`, {
        headers: { accept: "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        signal: AbortSignal.timeout(timeout),
      });
    } catch (e) {
      const cause = (e as Error).cause;
      throw new PreflightRunError(
        "unreachable",
        `${base}${path}: ${cause instanceof Error ? cause.message : (e as Error).message}`,
      );
    }
  };
  const shown = (f: Finding): ShownFinding => ({
    ...f,
    message: o.text(`code.${f.code}.message`, f.params),
    fix: o.text(`code.${f.code}.fix`, f.params),
  });

  // From outside first: the answer a stranger gets is the one that matters.
  const open = (await get("/flows")).status === 200;
  const nodeRed: Section = {
    id: "node-red",
    findings: [
      shown(
        open
          ? { severity: "danger", code: "editorOpen", params: {} }
          : { severity: "ok", code: "editorLogin", params: {} },
      ),
    ],
  };
  const token = open ? undefined : await login(base, o, timeout);
  const flows = await get("/flows", token);
  if (flows.status !== 200)
    throw new PreflightRunError("flowsUnreadable", `GET /flows answered ${flows.status} ${flows.statusText}`);
  const nodes = (await flows.json()) as Array<{ id: string; type: string; name?: string }>;
  const configs = nodes.filter((n) => n.type === "topstepx-config");
  const sections: Section[] = [nodeRed];
  for (const c of configs) {
    const r = await get(`/topstepx-config/${encodeURIComponent(c.id)}/preflight`, token);
    const body = (await r.json().catch(() => ({}))) as { findings?: ShownFinding[]; error?: string };
    sections.push({
      id: c.id,
      name: c.name || undefined,
      // Node-RED's own login is judged once, above, from outside.
      findings: (body.findings ?? []).filter((f) => f.code !== "editorOpen" && f.code !== "editorLogin"),
      ...(r.ok ? {} : { error: body.error ?? `${r.status} ${r.statusText}` }),
    });
  }
  return sections;
}

async function login(base: string, o: AskOptions, timeout: number): Promise<string> {
  if (!o.user || !o.password)
    throw new PreflightRunError("loginNeeded", "the editor asks for a login: give --user and --password");
  let r: Response;
  try {
    r = await fetch(`${base}/auth/token`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        client_id: "node-red-admin",
        grant_type: "password",
        scope: "*",
        username: o.user,
        password: o.password,
      }),
      signal: AbortSignal.timeout(timeout),
    });
  } catch (e) {
    throw new PreflightRunError("unreachable", `${base}/auth/token: ${(e as Error).message}`);
  }
  const body = (await r.json().catch(() => ({}))) as { access_token?: string };
  if (!r.ok || !body.access_token) throw new PreflightRunError("loginFailed", `POST /auth/token answered ${r.status}`);
  return body.access_token;
}

/** How many findings of each severity the sections hold. */
export function countsOf(sections: readonly Section[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { danger: 0, warn: 0, ok: 0 };
  for (const s of sections) for (const f of s.findings) counts[f.severity]++;
  return counts;
}
