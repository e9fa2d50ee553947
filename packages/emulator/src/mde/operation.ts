import { type VerifiedToken, verifyAccessToken } from "../core/access-token.js";
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

const normalizeRole = (role: string) => role.toLowerCase();

/**
 * Authenticates and authorizes one MDE API call: bearer token (signature,
 * issuer, audience, lifetime), injected faults, the operation's role (any one
 * of the listed ones; compared case-insensitively because the docs spell
 * `URL.Read.All` where tokens carry `Url.Read.All`, mde-api.md §1.10), and the
 * per app+tenant rate limit. Returns the verified token or the error response.
 */
export async function authorize(
  state: EmulatorState,
  c: AppContext,
  op: MdeOperation,
): Promise<{ ok: true; token: VerifiedToken } | { ok: false; response: Response }> {
  const journal = c.get("journal");
  journal.kind = "api";
  journal.operation = op.name;
  const header = c.req.header("authorization") ?? "";
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  if (!match?.[1]) {
    journal.error = "Unauthorized";
    return { ok: false, response: mdeError(401, "Unauthorized", "Authorization header is missing or is not a bearer token.") };
  }
  const verified = await verifyAccessToken(state, match[1], "mde");
  if (!verified.ok) {
    journal.error = "Unauthorized";
    return { ok: false, response: mdeError(401, "Unauthorized", `Invalid or expired authorization header: ${verified.reason}.`) };
  }
  journal.tenantId = verified.tenantId;
  journal.clientId = verified.clientId;
  const faulted = await applyFaults(state, c, "api", verified.tenantId, (status, retryAfter) =>
    mdeError(
      status,
      mdeCodeForStatus(status),
      status === 429 ? `API calls quota exceeded! Maximum admitted ${retryAfter ?? 1} per Minute.` : "Injected fault.",
    ),
  );
  if (faulted) return { ok: false, response: faulted };
  const granted = new Set(verified.roles.map(normalizeRole));
  if (!op.roles.some((r) => granted.has(normalizeRole(r)))) {
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
  const { ok: _ok, ...token } = verified;
  return { ok: true, token };
}
