import type { Clock } from "../clock.js";
import type { Logger } from "../logger.js";
import type { PipelinePolicy } from "./policy.js";

/** Response headers worth logging; everything else (cookies, tokens) stays out. */
const RESPONSE_HEADERS = ["request-id", "x-ms-request-id", "client-request-id", "retry-after", "content-type"];

/**
 * Logs each attempt by allow-list (Azure core-rest-pipeline's habit): method,
 * path, the *names* of query parameters (values can hold KQL, machine or user
 * names), status, duration, attempt, request ids. Never headers outside the
 * list, never bodies, never the Authorization header.
 */
export function logPolicy(logger: Logger, clock: Clock, service = "MDE"): PipelinePolicy {
  return {
    name: "log",
    async send(request, next) {
      const start = clock.now();
      const base = {
        tenantId: request.tenantId,
        operation: request.operation,
        method: request.method,
        path: request.url.pathname,
        query: [...new Set(request.url.searchParams.keys())],
        attempt: request.attempt,
        clientRequestId: request.headers.get("client-request-id") ?? undefined,
      };
      try {
        const response = await next(request);
        const headers: Record<string, string> = {};
        for (const name of RESPONSE_HEADERS) {
          const value = response.headers.get(name);
          if (value !== null) headers[name] = value;
        }
        const entry = { ...base, status: response.status, durationMs: clock.now() - start, headers };
        if (response.status >= 400) logger.warn(entry, `${service} ${request.operation} answered ${response.status}`);
        else logger.debug(entry, `${service} ${request.operation} ${response.status}`);
        return response;
      } catch (error) {
        const code = (error as { code?: unknown }).code;
        logger.warn(
          { ...base, durationMs: clock.now() - start, error: typeof code === "string" ? code : (error as Error)?.name },
          `${service} ${request.operation} failed`,
        );
        throw error;
      }
    },
  };
}
