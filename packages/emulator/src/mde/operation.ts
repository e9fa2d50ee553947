import { type Authorization, bearerToken, grantsAny } from "../core/bearer.js";
import { type AppContext, applyFaults } from "../core/http.js";
import type { RateLimits } from "../core/rate-limit.js";
import type { EmulatorState } from "../core/state.js";
import { mdeCodeForStatus, mdeError } from "./errors.js";

/** The per app+tenant limits of mde-api.md §7 that most operations share. */
export const DEFAULT_LIMITS: RateLimits = { perMinute: 100, perHour: 1500 };

export interface MdeOperation {
  /** Operation name for the journal and messages (`ListAlerts`, `IsolateMachine`). */
  name: string;
  /** Any one of these application roles suffices (mde-api.md §4). */
  roles: readonly string[];
  /** Rate limits; defaults to 100/min and 1,500/h. */
  limits?: RateLimits;
  /** Budget name: operations sharing a name share a bucket. Defaults to `name`. */
  bucket?: string;
}

/**
 * Authenticates and authorizes one MDE API call: bearer token (signature,
 * issuer, audience, lifetime), injected faults, the operation's role (any one
 * of the listed ones, case-insensitively), and the
 * per app+tenant rate limit. Returns the verified token or the error response.
 */
export async function authorize(state: EmulatorState, c: AppContext, op: MdeOperation): Promise<Authorization> {
  const journal = Object.assign(c.get("journal"), { kind: "api", operation: op.name });
  const bearer = await bearerToken(state, c, "mde");
  if (!bearer.ok) {
    journal.error = "Unauthorized";
    const message = bearer.reason === null ? "Authorization header is missing or is not a bearer token." : `Invalid or expired authorization header: ${bearer.reason}.`;
    return { ok: false, response: mdeError(401, "Unauthorized", message) };
  }
  const verified = bearer.token;
  const faulted = await applyFaults(state, c, "api", verified.tenantId, (status, retryAfter) =>
    mdeError(
      status,
      mdeCodeForStatus(status),
      status === 429 ? `API calls quota exceeded! Maximum admitted ${retryAfter ?? 1} per Minute.` : "Injected fault.",
    ),
  );
  if (faulted) return { ok: false, response: faulted };
  if (!grantsAny(verified.roles, op.roles)) {
    journal.error = "Forbidden";
    const needed = op.roles.join(", ");
    return {
      ok: false,
      response: mdeError(
        403,
        "Forbidden",
        `The application does not have any of the required application permissions (${needed}) to access the resource.`,
      ),
    };
  }
  if (state.options.rateLimits) {
    const limits = op.limits ?? DEFAULT_LIMITS;
    const decision = state.limiter.take(`${verified.clientId}|${verified.tenantId}|${op.bucket ?? op.name}`, limits);
    if (!decision.ok) {
      journal.error = "TooManyRequests";
      return {
        ok: false,
        response: mdeError(
          429,
          "TooManyRequests",
          `API calls quota exceeded! Maximum admitted ${decision.limit} per ${decision.window === "minute" ? "Minute" : "Hour"}.`,
          { "Retry-After": String(decision.retryAfterSec) },
        ),
      };
    }
  }
  return { ok: true, token: verified };
}
