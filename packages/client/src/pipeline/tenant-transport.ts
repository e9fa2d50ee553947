/**
 * `MdeTransport` for one customer tenant: builds the URL (API base of the
 * tenant's cloud/region + an already-encoded path, query values encoded here),
 * runs the policy stack, and throws a typed error for any non-2xx answer.
 */
import type { Clock } from "../clock.js";
import { MdeInvalidResponseError } from "../errors.js";
import type { FetchLike } from "../network.js";
import { downloadLink } from "./download.js";
import type { MdeRequest, MdeTransport } from "./transport.js";
import { errorFromResponse } from "./error-response.js";
import type { PipelineRequest, SendRequest } from "./policy.js";

export interface TenantTransportOptions {
  tenantId: string;
  baseUrl: string;
  pipeline: SendRequest;
  clock: Clock;
  timeoutMs: number;
  /** Fetch for credential-less download links (`download`); without it the transport has no `download`. */
  fetch?: FetchLike;
  /** User agent sent with downloads. */
  userAgent?: string;
}

const METHODS = new Set(["GET", "POST", "PATCH", "PUT", "DELETE"]);

/** `a=b&c=d` with `encodeURIComponent` (spaces as %20, not `+`), keeping OData's `$` readable. */
function encodeQuery(query: Readonly<Record<string, string | number | boolean | undefined>>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined) continue;
    parts.push(`${encodeURIComponent(key).replace(/^%24/, "$")}=${encodeURIComponent(String(value))}`);
  }
  return parts.join("&");
}

export function createTenantTransport(options: TenantTransportOptions): MdeTransport {
  const base = new URL(options.baseUrl);
  const basePath = base.pathname.replace(/\/+$/, "");

  const buildUrl = (request: MdeRequest): URL => {
    if (request.url !== undefined) {
      let next: URL;
      try {
        next = new URL(request.url);
      } catch {
        throw new MdeInvalidResponseError(`${request.operation}: the next-page link is not an absolute URL`, {
          tenantId: options.tenantId,
        });
      }
      // STYLE.md habit 7: a nextLink to another origin would carry the bearer token away.
      if (next.origin !== base.origin) {
        throw new MdeInvalidResponseError(
          `${request.operation}: refusing to follow a next-page link to ${next.origin} (the API is ${base.origin})`,
          {
            tenantId: options.tenantId,
            operation: request.operation,
          },
        );
      }
      return next;
    }
    if (typeof request.path !== "string" || !request.path.startsWith("/") || request.path.startsWith("//")) {
      throw new TypeError(`${request.operation}: path must start with a single '/', got ${JSON.stringify(request.path)}`);
    }
    if (/[?#]/.test(request.path)) throw new TypeError(`${request.operation}: pass query parameters in 'query', not in the path`);
    const url = new URL(base.origin);
    url.pathname = `${basePath}${request.path}`;
    if (request.query) url.search = encodeQuery(request.query);
    return url;
  };

  const fetch = options.fetch;
  const download: Pick<MdeTransport, "download"> = fetch
    ? {
        download: (url, call = {}) =>
          downloadLink({ fetch, apiOrigin: base.origin, tenantId: options.tenantId, userAgent: options.userAgent, timeoutMs: options.timeoutMs }, url, call),
      }
    : {};
  return Object.freeze({
    ...download,
    baseUrl: `${base.origin}${basePath}`,
    tenantId: options.tenantId,
    async send(request: MdeRequest): Promise<Response> {
      if (!request || typeof request !== "object" || !METHODS.has(request.method))
        throw new TypeError("request.method must be GET, POST, PATCH, PUT or DELETE");
      request.signal?.throwIfAborted();
      const url = buildUrl(request);
      const headers = new Headers({ accept: "application/json" });
      let body: string | Uint8Array | undefined;
      if (request.body instanceof FormData) {
        // Encoded here rather than by fetch: a fetch only recognises its own FormData class (undici's
        // npm fetch sends the global one as the text "[object FormData]"), and bytes can be re-sent
        // by the retry policy.
        const encoded = new Response(request.body);
        headers.set("content-type", encoded.headers.get("content-type") ?? "multipart/form-data");
        body = new Uint8Array(await encoded.arrayBuffer());
      } else if (request.body !== undefined) {
        body = JSON.stringify(request.body);
        headers.set("content-type", "application/json");
      }
      const pipelineRequest: PipelineRequest = {
        method: request.method,
        url,
        headers,
        body,
        tenantId: options.tenantId,
        operation: request.operation,
        permissions: request.permissions ?? [],
        idempotent: request.idempotent,
        budget: request.budget ?? "default",
        signal: request.signal,
        timeoutMs: Math.max(options.timeoutMs, request.minTimeoutMs ?? 0),
        attempt: 0,
      };
      const response = await options.pipeline(pipelineRequest);
      if (response.status >= 200 && response.status < 300) return response;
      throw await errorFromResponse(response, pipelineRequest, options.clock.now());
    },
  });
}
