import type { GraphCall } from "./graph-call.js";

/** `innerError.date` as Graph prints it: UTC, seconds precision, no zone (`2022-11-02T13:22:02`). */
const innerDate = (ms: number) => new Date(ms).toISOString().slice(0, 19);

export interface GraphErrorOptions {
  headers?: Record<string, string>;
  /** Emit `"details": []` before `innerError`, as the observed `$top` error does (graph-security.md §5). */
  details?: boolean;
}

/**
 * Graph's error body (GRAPH:concepts/errors.md; examples/graph/graph-error.example.json;
 * graph-security.md §6): `{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}`.
 */
export function graphError(call: GraphCall, status: number, code: string, message: string, options: GraphErrorOptions = {}): Response {
  const error: Record<string, unknown> = { code, message };
  if (options.details) error.details = [];
  error.innerError = { date: innerDate(call.now), "request-id": call.requestId, "client-request-id": call.clientRequestId };
  return new Response(JSON.stringify({ error }), {
    status,
    headers: { "content-type": "application/json", ...options.headers },
  });
}

/**
 * Graph's throttling answer, shaped like the throttling page's sample
 * (examples/graph/graph-throttled-429.response.json): code `TooManyRequests`, an
 * `innerError` with `code`/`status` "429", and a `Retry-After` in seconds that may
 * be fractional (`2.128`, graph-security.md §6).
 */
export function graphThrottled(call: GraphCall, retryAfter: string): Response {
  const body = {
    error: {
      code: "TooManyRequests",
      innerError: {
        code: "429",
        date: innerDate(call.now),
        message: "Please retry after",
        "request-id": call.requestId,
        status: "429",
      },
      message: "Please retry again later.",
    },
  };
  return new Response(JSON.stringify(body), { status: 429, headers: { "content-type": "application/json", "Retry-After": retryAfter } });
}

const GRAPH_STATUS_CODES: Readonly<Record<number, string>> = { 401: "InvalidAuthenticationToken", 403: "Forbidden", 404: "NotFound", 429: "TooManyRequests", 503: "serviceNotAvailable" };

/** The error code that goes with a status when a fault forces a failure (codes seen in graph-security.md §3.3 and §6). */
export function graphCodeForStatus(status: number): string {
  return GRAPH_STATUS_CODES[status] ?? (status >= 500 ? "UnknownError" : "BadRequest");
}

/**
 * A failure a Graph handler raises; the dispatcher renders it with the request's
 * ids. `details` adds the empty `details` array of the observed `$top` error.
 */
export class GraphApiError extends Error {
  override name = "GraphApiError";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details = false,
  ) {
    super(message);
  }
}

/** Seconds as Graph writes `Retry-After`: up to three decimals, no trailing zeros (`2.128`, `60`). */
export function formatRetryAfter(ms: number): string {
  const seconds = Math.max(1, Math.ceil(ms)) / 1000;
  return String(Number(seconds.toFixed(3)));
}
