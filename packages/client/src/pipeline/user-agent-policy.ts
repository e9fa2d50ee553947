import type { PipelinePolicy } from "./policy.js";

/**
 * Sets `User-Agent`. Microsoft asks MDE partners to identify every API call as
 * `MdePartner-{CompanyName}-{ProductName}/{Version}` (MicrosoftDocs/defender-docs,
 * defender-endpoint/get-started-partner-integration.md: "used for statistical
 * purposes, troubleshooting, and partner recognition"); the client appends its
 * own product token after the partner's.
 */
export function userAgentPolicy(userAgent: string): PipelinePolicy {
  return {
    name: "userAgent",
    send(request, next) {
      request.headers.set("user-agent", userAgent);
      return next(request);
    },
  };
}
