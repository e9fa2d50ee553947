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

/** The code that goes with an HTTP status when a fault forces a failure. */
export function mdeCodeForStatus(status: number): string {
  if (status === 429) return "TooManyRequests";
  if (status === 401) return "Unauthorized";
  if (status === 403) return "Forbidden";
  if (status === 404) return "NotFound";
  if (status >= 500) return "InternalServerError";
  return "BadRequest";
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
