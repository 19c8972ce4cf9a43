import { z } from "zod";
import { withEnvelope } from "./common";

/** POST /api/Auth/loginKey */
export const LoginApiKeyRequest = z.object({ userName: z.string(), apiKey: z.string() });
export type LoginApiKeyRequest = z.infer<typeof LoginApiKeyRequest>;

/**
 * Auth/loginKey answer: `token` is the session JWT for REST and both hubs, valid 24 hours; it is null
 * on failure (`errorCode` from {@link LoginErrorCode}). A new login does not end older tokens.
 */
export const LoginResponse = withEnvelope({ token: z.string().nullish() });
export type LoginResponse = z.infer<typeof LoginResponse>;

/** POST /api/Auth/validate (no body; the bearer token names the session). */
export const ValidateResponse = withEnvelope({ newToken: z.string().nullish() });
export type ValidateResponse = z.infer<typeof ValidateResponse>;
