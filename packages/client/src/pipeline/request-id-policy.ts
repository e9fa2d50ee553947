import { randomUUID } from "node:crypto";
import type { PipelinePolicy } from "./policy.js";

/**
 * Sets `client-request-id` (a GUID, kept across retries of the same call) so a
 * failed call can be quoted to Microsoft support and matched in our logs.
 */
export function requestIdPolicy(newId: () => string = randomUUID): PipelinePolicy {
  return {
    name: "requestId",
    send(request, next) {
      if (!request.headers.has("client-request-id")) request.headers.set("client-request-id", newId());
      return next(request);
    },
  };
}
