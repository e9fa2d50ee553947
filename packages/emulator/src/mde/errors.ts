import { randomUUID } from "node:crypto";

/**
 * The MDE API's error body (common-errors.md; mde-api.md §3.3):
 * `{"error":{"code","message","target"}}` where `target` is a per-response
 * correlation id.
 */
export function mdeError(status: number, code: string, message: string, headers?: Record<string, string>): Response {
  const body = JSON.stringify({ error: { code, message, target: randomUUID() } });
  return new Response(body, {
    status,
    headers: { "content-type": "application/json; odata.metadata=minimal; charset=utf-8", ...headers },
  });
}

const MDE_STATUS_CODES: Readonly<Record<number, string>> = { 401: "Unauthorized", 403: "Forbidden", 404: "NotFound", 429: "TooManyRequests" };

/** The code that goes with an HTTP status when a fault forces a failure. */
export function mdeCodeForStatus(status: number): string {
  return MDE_STATUS_CODES[status] ?? (status >= 500 ? "InternalServerError" : "BadRequest");
}

export const notImplemented = (operation: string) =>
  mdeError(
    501,
    "NotImplemented",
    `The emulator does not implement ${operation} yet. See packages/emulator/README.md for the coverage list.`,
  );

/**
 * A failure a handler raises to answer with the MDE error body
 * (`{"error":{code,message,target}}`, mde-api.md §3.3); the dispatcher renders it.
 */
export class MdeApiError extends Error {
  override name = "MdeApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** 404 ResourceNotFound with the documented message form (`Machine 123 was not found`). */
export const resourceNotFound = (kind: string, id: string) => new MdeApiError(404, "ResourceNotFound", `${kind} ${id} was not found`);
