/** Test doubles for the Graph tests: a TokenCredential whose tokens name their audience and roles per resource. */
import type { PartnerClientOptions } from "@mde-partner/client";
import { fakeJwt, fakeTime, fakeTimePartner } from "./pipeline-fakes.js";

export const MDE_SCOPE = "https://api.securitycenter.microsoft.com/.default";
export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";

export const MDE_ROLES = ["Alert.Read.All", "Machine.Read.All", "AdvancedQuery.Read.All"];
export const GRAPH_ROLES = ["ThreatHunting.Read.All", "SecurityAlert.ReadWrite.All", "SecurityIncident.ReadWrite.All"];

/** A TokenCredential minting unsigned tokens with `aud` = the scope asked for and that resource's roles. */
export function audienceCredential(roles: { mde?: string[]; graph?: string[] } = {}) {
  const calls: Array<{ scope: string; tenantId: string | undefined }> = [];
  return {
    calls,
    async getToken(scopes: string | string[], options?: { tenantId?: string }) {
      const scope = Array.isArray(scopes) ? scopes.join(" ") : scopes;
      calls.push({ scope, tenantId: options?.tenantId });
      const granted = /graph/.test(scope) ? (roles.graph ?? GRAPH_ROLES) : (roles.mde ?? MDE_ROLES);
      return {
        token: fakeJwt({ n: calls.length, aud: scope.replace(/\/\.default$/, ""), tid: options?.tenantId, roles: granted }),
        expiresOnTimestamp: Date.now() + 3600_000,
      };
    },
  };
}

/** The `aud` of a bearer header's (unsigned test) token. */
export function audienceOf(authorization: string | null): string | undefined {
  const token = authorization?.replace(/^Bearer /, "");
  const payload = token?.split(".")[1];
  return payload ? (JSON.parse(Buffer.from(payload, "base64url").toString()) as { aud?: string }).aud : undefined;
}

export function graphPartner(
  extra: Partial<PartnerClientOptions> & { fetch: NonNullable<PartnerClientOptions["fetch"]> },
  options: { roles?: { mde?: string[]; graph?: string[] }; time?: ReturnType<typeof fakeTime> } = {},
) {
  return fakeTimePartner(audienceCredential(options.roles), extra, options.time ?? fakeTime());
}
