import type { PipelinePolicy } from "./policy.js";

/**
 * Microsoft Graph answers members of an "evolvable enum" that were added after `unknownFutureValue`
 * (e.g. `serviceSource: microsoftSentinel`, `detectionSource: scheduledAlerts`, incident status
 * `awaitingAction`) only when the request says `Prefer: include-unknown-enum-members`; otherwise it
 * substitutes `unknownFutureValue` and the real value is lost (graph-security.md §4.4, §6; GRAPH
 * concepts/best-practices-concept.md "Evolvable enums"). The client's enum types are open, so it
 * asks for the real values on every Graph call.
 */
export function preferPolicy(prefer: readonly string[] = ["include-unknown-enum-members"]): PipelinePolicy {
  const value = prefer.join(", ");
  return {
    name: "prefer",
    send(request, next) {
      if (value && !request.headers.has("prefer")) request.headers.set("prefer", value);
      return next(request);
    },
  };
}
