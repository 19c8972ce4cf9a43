/**
 * Errors of the gateway client. Each says which endpoint failed and why, in words a trader can act
 * on; `ambiguous` marks failures after which a request may or may not have been executed.
 */
export abstract class GatewayClientError extends Error {
  abstract readonly ambiguous: boolean;
  constructor(
    readonly endpoint: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The gateway answered `success: false`: a definitive business refusal. */
export class GatewayRejectedError extends GatewayClientError {
  readonly ambiguous = false;
  constructor(
    endpoint: string,
    readonly errorCode: number,
    readonly errorMessage: string | null,
    readonly payload?: unknown,
  ) {
    super(endpoint, `${endpoint} refused (errorCode ${errorCode})${errorMessage ? `: ${errorMessage}` : ""}`);
  }
}

/** An HTTP status other than 200: 400 (bad request), 401 (session), 429 (rate limit), 5xx. */
export class GatewayHttpError extends GatewayClientError {
  /** `retryAfterMs`: the server's Retry-After (429, 503), 0 when it sent none. */
  constructor(
    endpoint: string,
    readonly status: number,
    detail?: string,
    readonly retryAfterMs = 0,
  ) {
    super(endpoint, `${endpoint} answered HTTP ${status}${detail ? `: ${detail}` : ""}`);
  }
  /** A 5xx may come after the request ran; a 4xx means it did not. */
  get ambiguous(): boolean {
    return this.status >= 500;
  }
}

/** No answer in time, or the connection broke: the request may have run. */
export class GatewayTimeoutError extends GatewayClientError {
  readonly ambiguous = true;
  constructor(
    endpoint: string,
    readonly timeoutMs: number,
    cause?: string,
  ) {
    super(endpoint, `${endpoint} did not answer within ${timeoutMs} ms${cause ? ` (${cause})` : ""}`);
  }
}

/** The connection failed before any answer (refused, DNS, reset). */
export class GatewayNetworkError extends GatewayClientError {
  readonly ambiguous = true;
  constructor(
    endpoint: string,
    readonly code: string,
    detail: string,
  ) {
    super(endpoint, `${endpoint} could not be reached (${code}): ${detail}`);
  }
}

/** The answer did not have the documented shape. */
export class GatewayResponseError extends GatewayClientError {
  readonly ambiguous = false;
  constructor(endpoint: string, detail: string) {
    super(endpoint, `${endpoint} answered in an unexpected shape: ${detail}`);
  }
}

/** Login refused: wrong user name or API key, missing API subscription, agreements not signed. */
export class GatewayAuthError extends GatewayClientError {
  readonly ambiguous = false;
  constructor(
    readonly errorCode: number | null,
    detail: string,
  ) {
    super("Auth/loginKey", `login refused: ${detail}`);
  }
}

/**
 * An order placement whose outcome could not be established: it timed out or failed ambiguously,
 * and no order with its customTag was found afterwards. It was not placed twice.
 */
export class OrderNotConfirmedError extends GatewayClientError {
  readonly ambiguous = true;
  constructor(
    readonly customTag: string,
    detail: string,
  ) {
    super("Order/place", `order ${customTag} not confirmed: ${detail}`);
  }
}
