/**
 * Turns a non-2xx MDE or Microsoft Graph answer into a typed error. MDE sends
 * `{"error":{"code","message","target"}}` (mde-api.md §3.3); Graph sends
 * `{"error":{"code","message","innerError":{"request-id","date",…}}}`, spelt
 * `innererror` in its schema block, with `code` in any casing or empty
 * (graph-security.md §6). `code` becomes `apiCode`; MDE's `target` or Graph's
 * `request-id` becomes `correlationId`. The branch is on the HTTP status, so the
 * same status gives the same code on both services (403 → ERR_MDE_FORBIDDEN,
 * 429 → ERR_MDE_RATE_LIMITED, 400 → ERR_MDE_BAD_REQUEST, …), never on the message.
 */
import {
  MdeAuthError,
  MdeBadRequestError,
  type MdeError,
  MdeForbiddenError,
  MdeHttpError,
  MdeNotFoundError,
  MdeRateLimitedError,
} from "../errors.js";
import type { PipelineRequest } from "./policy.js";
import { parseRetryAfter } from "./retry-after.js";

interface MdeErrorBody {
  code?: string;
  message?: string;
  target?: string;
}

async function readErrorBody(response: Response): Promise<MdeErrorBody> {
  try {
    const text = await response.text();
    const parsed = JSON.parse(text) as { error?: unknown };
    const error = parsed?.error;
    if (error && typeof error === "object") {
      const e = error as Record<string, unknown>;
      const inner = (e.innerError ?? e.innererror) as Record<string, unknown> | undefined;
      const requestId = inner && typeof inner === "object" ? inner["request-id"] : undefined;
      const target = typeof e.target === "string" ? e.target : typeof requestId === "string" ? requestId : undefined;
      return {
        // Graph may send `"code": ""` (graph-security.md §5): treat it as absent.
        ...(typeof e.code === "string" && e.code !== "" ? { code: e.code } : {}),
        ...(typeof e.message === "string" && e.message !== "" ? { message: e.message } : {}),
        ...(target !== undefined ? { target } : {}),
      };
    }
  } catch {}
  return {};
}

export async function errorFromResponse(response: Response, request: PipelineRequest, now: number): Promise<MdeError> {
  const body = await readErrorBody(response);
  const status = response.status;
  const details = {
    tenantId: request.tenantId,
    status,
    requestId: request.headers.get("client-request-id") ?? undefined,
    correlationId: body.target,
    operation: request.operation,
    apiCode: body.code,
  };
  // The API's message is free text about our request (an OData parse error, a missing parameter): useful, kept short.
  const said = body.message ? `: ${body.message.slice(0, 500)}` : "";
  const what = `${request.operation} for tenant ${request.tenantId}`;
  switch (true) {
    case status === 400:
      return new MdeBadRequestError(`${what} was rejected (${body.code ?? "BadRequest"})${said}`, details);
    case status === 401:
      return new MdeAuthError(
        `the API refused the token for tenant ${request.tenantId} even after a fresh one (${body.code ?? "Unauthorized"})${said}`,
        details,
      );
    case status === 403: {
      const granted = request.grantedRoles;
      const lower = new Set((granted ?? []).map((r) => r.toLowerCase()));
      const holdsOne = granted !== undefined && request.permissions.some((p) => lower.has(p.toLowerCase()));
      const missing = holdsOne ? [] : [...request.permissions];
      const hint = missing.length
        ? `: the token has none of ${missing.join(", ")}; add one to the app and have tenant ${request.tenantId} consent again`
        : said;
      return new MdeForbiddenError(`${what} is forbidden (${body.code ?? "Forbidden"})${hint}`, missing, details);
    }
    case status === 404:
      return new MdeNotFoundError(`${what}: not found (${body.code ?? "NotFound"})${said}`, details);
    case status === 429 || status === 503: {
      const retryAfterMs = parseRetryAfter(response.headers, now);
      if (status === 429 || retryAfterMs !== undefined) {
        return new MdeRateLimitedError(
          `${what} was throttled (${body.code ?? "TooManyRequests"})${retryAfterMs === undefined ? "" : `; retry after ${Math.ceil(retryAfterMs / 1000)} s`}`,
          retryAfterMs,
          details,
        );
      }
      return new MdeHttpError(`${what} failed with HTTP ${status} (${body.code ?? "ServiceUnavailable"})${said}`, details);
    }
    default:
      return new MdeHttpError(`${what} failed with HTTP ${status}${body.code ? ` (${body.code})` : ""}${said}`, details);
  }
}
