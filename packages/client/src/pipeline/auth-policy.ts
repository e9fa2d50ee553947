import { decodeJwt } from "jose";
import { MdeInvalidResponseError } from "../errors.js";
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
 */
export function authPolicy(tokens: BearerTokens, apiOrigin: string): PipelinePolicy {
  return {
    name: "auth",
    async send(request, next) {
      if (request.url.origin !== apiOrigin) {
        throw new MdeInvalidResponseError(`refusing to send the tenant's token to ${request.url.origin}: only ${apiOrigin} receives it`, {
          tenantId: request.tenantId,
          operation: request.operation,
        });
      }
      let token = await tokens.getToken({ signal: request.signal });
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
    const roles = decodeJwt(token).roles;
    return Array.isArray(roles) ? roles.map(String) : [];
  } catch {
    return undefined;
  }
}
