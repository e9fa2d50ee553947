import { toTransportError } from "../auth/grants/token-source.js";
import type { FetchLike } from "../network.js";
import type { SendRequest } from "./policy.js";

/**
 * The bottom of the stack: one fetch with the per-attempt time limit joined to
 * the caller's signal. Redirects are not followed (`manual`): a redirect must not
 * carry the bearer token anywhere. Transport failures become
 * ERR_MDE_NETWORK / ERR_MDE_TIMEOUT; the caller's own abort is re-thrown as is.
 */
export function fetchSink(fetch: FetchLike): SendRequest {
  return async (request) => {
    const timeout = AbortSignal.timeout(request.timeoutMs);
    const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
    try {
      return await fetch(request.url.toString(), {
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
  };
}
