import { toTransportError } from "../auth/grants/token-source.js";
import { MdeInvalidResponseError } from "../errors.js";
import type { FetchLike } from "../network.js";
import { LIMIT_BODY, type LimitableResponse, limitedStream } from "../request-fetch.js";
import type { PipelineRequest, SendRequest } from "./policy.js";

/**
 * What one answer's body may hold by default, after content decoding: 256 MiB. The largest answer
 * the API documents is an advanced hunting result, which the service caps at 124 MB (larger ones
 * are refused with a 400); pages of lists are some tens of MiB at most (10,000 alerts of the
 * emulator's kind are 12.9 MiB, docs/benchmarks.md). A body past the bound is not an answer the API
 * documents, and reading it whole would put every tenant's sync at the mercy of one tenant's answer.
 */
export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;

const mib = (bytes: number) => `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`;

/**
 * `response` with its body bounded to `maxBytes`: refused at once when its stated length is larger
 * (its body cancelled unread), else ended with the same error once more than the bound has arrived,
 * whichever way it is read — so a tenant's endless or gzip-bombed answer costs at most the bound.
 */
export function boundedResponse(response: Response, maxBytes: number, request: Pick<PipelineRequest, "operation" | "tenantId" | "method" | "url">): Response {
  const tooLarge = () =>
    new MdeInvalidResponseError(
      `${request.operation}: the answer is larger than ${mib(maxBytes)} (maxResponseBytes) and was not read; ask for smaller pages or raise maxResponseBytes`,
      { tenantId: request.tenantId, operation: request.operation, status: response.status },
    );
  const stated = Number(response.headers.get("content-length") ?? Number.NaN);
  if (stated > maxBytes) {
    response.body?.cancel().catch(() => {});
    throw tooLarge();
  }
  const own = (response as Partial<LimitableResponse>)[LIMIT_BODY];
  if (own) {
    own(maxBytes, tooLarge);
    return response;
  }
  if (response.body === null) return response;
  // Another fetch's answer: a new response over its counted body, as it was otherwise.
  const bounded = new Response(limitedStream(response.body, maxBytes, tooLarge), { status: response.status, statusText: response.statusText, headers: response.headers });
  if (response.url) Object.defineProperty(bounded, "url", { value: response.url });
  return bounded;
}

/**
 * The bottom of the stack: one fetch with the per-attempt time limit joined to
 * the caller's signal, its answer's body bounded ({@link boundedResponse}). Redirects are not followed (`manual`): a redirect must not
 * carry the bearer token anywhere. Transport failures become
 * ERR_MDE_NETWORK / ERR_MDE_TIMEOUT; the caller's own abort is re-thrown as is.
 */
export function fetchSink(fetch: FetchLike, maxResponseBytes = DEFAULT_MAX_RESPONSE_BYTES): SendRequest {
  return async (request) => {
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    let response: Response;
    try {
      response = await fetch(request.url.toString(), {
        method: request.method,
        headers: request.headers,
        ...(request.body === undefined ? {} : { body: request.body }),
        signal,
        redirect: "manual",
      });
    } catch (error) {
      if (request.signal?.aborted) throw request.signal.reason;
      throw toTransportError(error, `${request.operation} (${request.method} ${request.url.pathname})`, request.tenantId, timeout.aborted);
    }
    return boundedResponse(response, maxResponseBytes, request);
  };
}
