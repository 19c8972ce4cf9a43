/** The highest negotiate protocol ASP.NET Core speaks: 1 brought the separate connection token. */
const SERVER_NEGOTIATE_VERSION = 1;
const INT32_MIN = -2_147_483_648;
const INT32_MAX = 2_147_483_647;

/**
 * The negotiate version a client asked for, read as ASP.NET Core's HttpConnectionDispatcher does:
 * the query key matches case-insensitively, an absent key means 0 (signalrcore and pysignalr send
 * none), a version above the server's is lowered to it, and the value parses like .NET's
 * `int.TryParse` (sign, leading zeros and surrounding blanks allowed, Int32 range).
 */
export function negotiateVersionOf(url: URL): { version: number } | { error: string } {
  let raw: string | null = null;
  for (const [key, value] of url.searchParams) {
    if (key.toLowerCase() === "negotiateversion") {
      raw = value;
      break;
    }
  }
  if (raw === null) return { version: 0 };
  const trimmed = raw.trim();
  const n = /^[+-]?\d+$/.test(trimmed) ? Number(trimmed) : Number.NaN;
  if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX)
    return { error: "The client requested a non-integer protocol version." };
  if (n < 0) return { error: `The client requested version '${n}', but the server does not support this version.` };
  return { version: Math.min(n, SERVER_NEGOTIATE_VERSION) };
}

/** The highest JSON hub protocol version ASP.NET Core 8+ accepts (2 added stateful reconnect). */
const JSON_PROTOCOL_VERSION = 2;

/** Why a handshake request is refused, in ASP.NET Core's words, or null when it is accepted. */
export function handshakeError(msg: { protocol?: unknown; version?: unknown }): string | null {
  // A missing or mistyped field throws inside ASP.NET's parser; without detailed errors the
  // client is told only this.
  const { protocol, version } = msg;
  if (typeof protocol !== "string" || typeof version !== "number" || !Number.isInteger(version))
    return "An unexpected error occurred during connection handshake.";
  if (version < INT32_MIN || version > INT32_MAX) return "An unexpected error occurred during connection handshake.";
  // The protocol resolver keys its table with OrdinalIgnoreCase.
  if (protocol.toLowerCase() !== "json") return `The protocol '${protocol}' is not supported.`;
  // JsonHubProtocol.IsVersionSupported is `version <= Version`: 0 and 1 pass as well as 2.
  if (version > JSON_PROTOCOL_VERSION)
    return `The server does not support version ${version} of the '${protocol}' protocol.`;
  return null;
}
