import { randomBytes } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { z } from "zod";

const MAX_BODY = 1 << 20;

/** Reads a request body as text (at most 1 MiB). */
export function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        reject(new Error("body too large"));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { "content-length": 0, ...headers });
  res.end();
}

/**
 * ASP.NET's answer to a body that does not bind: HTTP 400 with RFC 7807 ProblemDetails and an
 * `errors` map from field to messages.
 */
export function sendProblem(res: ServerResponse, errors: Record<string, string[]>): void {
  res.writeHead(400, { "content-type": "application/problem+json; charset=utf-8" });
  res.end(
    JSON.stringify({
      type: "https://tools.ietf.org/html/rfc9110#section-15.5.1",
      title: "One or more validation errors occurred.",
      status: 400,
      errors,
      traceId: `00-${randomBytes(16).toString("hex")}-${randomBytes(8).toString("hex")}-00`,
    }),
  );
}

/**
 * Whether ASP.NET Core's System.Text.Json input formatter reads this Content-Type: application/json,
 * text/json or application/*+json, any case, with or without parameters such as charset.
 */
export function isJsonMediaType(header: string | undefined): boolean {
  const type = (header ?? "").split(";")[0]!.trim().toLowerCase();
  if (type === "application/json" || type === "text/json") return true;
  return type.startsWith("application/") && type.endsWith("+json") && type.length > "application/+json".length;
}

/**
 * ASP.NET Core's errors for a JSON body it cannot read: an empty body is refused before parsing
 * (the `""` key), anything else fails in the JSON reader (`$`) and leaves the model unbound.
 */
export function unreadableBodyErrors(text: string): Record<string, string[]> {
  if (text.length === 0) return { "": ["A non-empty request body is required."] };
  return { $: ["The request body is not valid JSON."], request: ["The request field is required."] };
}

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Turns zod issues into ASP.NET-style validation messages keyed like System.Text.Json paths. */
export function validationErrors(error: z.ZodError): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const issue of error.issues) {
    const path = issue.path.map(String);
    // Null is "missing" only for references (strings, objects, arrays): the nullable-annotation
    // check sees them; a null value type fails in the JSON reader instead.
    const missing =
      issue.code === "invalid_type" &&
      (/received undefined/.test(issue.message) ||
        (/received null/.test(issue.message) && ["string", "object", "array"].includes(issue.expected)));
    const key = missing ? path.map(pascal).join(".") : path.length === 0 ? "$" : `$.${path.join(".")}`;
    const message = missing
      ? `The ${path.map(pascal).join(".")} field is required.`
      : `The JSON value could not be converted to the expected type (${issue.message}). Path: $.${path.join(".")}`;
    const messages = out[key];
    if (messages) messages.push(message);
    else out[key] = [message];
  }
  return out;
}
