import { tokenRoles } from "../auth/inspect-token.js";
import { MdeForbiddenError, MdeInvalidResponseError } from "../errors.js";
import { discard, type PipelinePolicy } from "./policy.js";

/** The tenant's bearer tokens, from the partner client's cache. */
export interface BearerTokens {
  getToken(options: { forceRefresh?: boolean; signal?: AbortSignal | undefined }): Promise<string>;
  /** Drops `token` from the cache (the API refused it). */
  evict(token: string): void;
}

/**
 * Adds `Authorization: Bearer …` from the token cache. On a 401 the token is
 * evicted, a fresh one acquired and the call repeated once (mde-api.md §9: "401
 * → refresh token once"); a 401 cannot have been acted on, so this is safe for
 * non-idempotent calls too. The token is only ever sent to the tenant's API
 * origin (STYLE.md habit 7).
 *
 * Before sending, the token's `roles` are compared with the operation's
 * permissions: when the token visibly holds none of them, the call fails here
 * with `ERR_MDE_FORBIDDEN` naming what is missing, instead of spending a request
 * (and rate budget) on a certain 403. Tokens whose claims cannot be read (opaque
 * tokens from another `TokenCredential`) are sent as they are.
 */
export function authPolicy(
  tokens: BearerTokens,
  apiOrigin: string,
  options: {
    preflightPermissions?: boolean;
    /**
     * Path prefixes (below the origin) this token may go to. MDE and Graph may share an origin
     * (the emulator serves both), so the origin alone does not keep an MDE token away from Graph:
     * the MDE transport allows `/api/`, the Graph transport `/v1.0/` and `/beta/`.
     */
    pathPrefixes?: readonly string[];
    /** Names the audience in refusals (`MDE`, `Microsoft Graph`). */
    audienceName?: string;
  } = {},
): PipelinePolicy {
  const preflight = options.preflightPermissions ?? true;
  const prefixes = options.pathPrefixes;
  const audienceName = options.audienceName ?? "the tenant's";
  return {
    name: "auth",
    async send(request, next) {
      if (request.url.origin !== apiOrigin) {
        throw new MdeInvalidResponseError(
          `refusing to send ${audienceName} token to ${request.url.origin}: only ${apiOrigin} receives it`,
          {
            tenantId: request.tenantId,
            operation: request.operation,
          },
        );
      }
      if (prefixes && !prefixes.some((p) => request.url.pathname.startsWith(p))) {
        throw new MdeInvalidResponseError(
          `refusing to send ${audienceName} token to ${request.url.pathname}: it is not a path of that API (${prefixes.join(", ")})`,
          { tenantId: request.tenantId, operation: request.operation },
        );
      }
      let token = await tokens.getToken({ signal: request.signal });
      if (preflight && request.permissions.length > 0) {
        const granted = rolesOf(token);
        if (granted !== undefined) {
          const lower = new Set(granted.map((r) => r.toLowerCase()));
          if (!request.permissions.some((p) => lower.has(p.toLowerCase()))) {
            throw new MdeForbiddenError(
              `${request.operation} for tenant ${request.tenantId} needs one of ${request.permissions.join(", ")}, which the tenant has not granted (its token carries ${granted.length ? granted.join(", ") : "no roles"}); add the permission to the app and have the tenant consent again`,
              request.permissions,
              { tenantId: request.tenantId, operation: request.operation },
            );
          }
        }
      }
      request.headers.set("authorization", `Bearer ${token}`);
      let response = await next(request);
      if (response.status === 401) {
        await discard(response);
        tokens.evict(token);
        token = await tokens.getToken({ forceRefresh: true, signal: request.signal });
        request.headers.set("authorization", `Bearer ${token}`);
        response = await next(request);
      }
      if (response.status === 403) request.grantedRoles = rolesOf(token);
      return response;
    },
  };
}

function rolesOf(token: string): string[] | undefined {
  try {
    return tokenRoles(token);
  } catch {
    return undefined;
  }
}
