import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import type { IncomingMessage } from "node:http";

/** A logged-in session behind one token. */
export interface Session {
  token: string;
  userName: string;
  issuedAt: number;
  expiresAt: number;
}

export type TokenCheck = { ok: true; session: Session } | { ok: false; reason: "missing" | "unknown" | "expired" };

function b64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

function safeEqual(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * Session tokens: JWT-shaped (so clients that read `exp` work), HMAC-signed, expiring after the
 * configured lifetime. Logging in again does not revoke tokens already handed out.
 */
export class Auth {
  private readonly sessions = new Map<string, Session>();
  private readonly secret = randomBytes(32);

  constructor(
    private readonly users: ReadonlyArray<{ userName: string; apiKey: string }>,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  /** Checks the API key and issues a token, or returns null for bad credentials. */
  login(userName: string, apiKey: string): string | null {
    const user = this.users.find((u) => u.userName.toLowerCase() === userName.toLowerCase());
    if (!user || !safeEqual(user.apiKey, apiKey)) return null;
    return this.issue(user.userName);
  }

  issue(userName: string): string {
    const iat = this.now();
    const exp = iat + this.ttlMs;
    const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const payload = b64url(
      JSON.stringify({
        sub: userName,
        jti: randomBytes(8).toString("hex"),
        iat: Math.floor(iat / 1000),
        exp: Math.floor(exp / 1000),
      }),
    );
    const sig = createHmac("sha256", this.secret).update(`${header}.${payload}`).digest("base64url");
    const token = `${header}.${payload}.${sig}`;
    this.sessions.set(token, { token, userName, issuedAt: iat, expiresAt: exp });
    return token;
  }

  check(token: string | null): TokenCheck {
    if (!token) return { ok: false, reason: "missing" };
    const session = this.sessions.get(token);
    if (!session) return { ok: false, reason: "unknown" };
    if (session.expiresAt <= this.now()) return { ok: false, reason: "expired" };
    return { ok: true, session };
  }

  revoke(token: string): boolean {
    return this.sessions.delete(token);
  }

  /** Makes every token expire now (control API: "token expiry mid-session"). */
  expireAll(): number {
    const t = this.now();
    for (const s of this.sessions.values()) s.expiresAt = Math.min(s.expiresAt, t);
    return this.sessions.size;
  }
}

/** The bearer token of a request: the Authorization header, else the `access_token` query. */
export function tokenOf(req: IncomingMessage, url: URL): string | null {
  const h = req.headers.authorization;
  if (h && /^bearer\s+/i.test(h)) return h.replace(/^bearer\s+/i, "").trim() || null;
  return url.searchParams.get("access_token");
}
