/**
 * Transient failures of token requests are repeated with the API's retry
 * policy (pipeline/retry-policy.ts, the same settings as API calls): 429 and
 * 503 with `Retry-After` wait what Entra ID says, other 5xx and network
 * failures back off, and every other answer (AADSTS700016, invalid_client, …)
 * is final at once. Token requests are idempotent: repeating one only issues
 * another token.
 *
 * Every grant goes through here: the direct v1/v2 POST and MSAL (below MSAL,
 * in its network module, so MSAL sees one answer and never replays a
 * transient failure from its own throttling cache for up to a minute), and
 * Azure `TokenCredential`s, whose `getToken` is repeated as a whole.
 */
import type { Clock, Sleep } from "../../clock.js";
import { type MdeError, MdeHttpError, MdeNetworkError, MdeRateLimitedError } from "../../errors.js";
import type { FetchLike } from "../../network.js";
import { fetchSink } from "../../pipeline/fetch-sink.js";
import { composePipeline, type PipelineRequest, type SendRequest } from "../../pipeline/policy.js";
import { parseRetryAfter } from "../../pipeline/retry-after.js";
import { type RetryOptions, retryPolicy } from "../../pipeline/retry-policy.js";
import { aadstsCode, type StsErrorBody, type StsErrorContext } from "../sts-errors.js";

/** The partner client's retry settings, clock and randomness (shared with the API pipeline). */
export interface TokenRetrySettings {
  readonly retry: Required<RetryOptions>;
  readonly clock: Clock;
  readonly sleep: Sleep;
  readonly random: () => number;
}

/** One token-endpoint request, as the grants send it. */
export interface TokenHttpRequest {
  readonly method: "GET" | "POST";
  readonly headers: Record<string, string>;
  readonly body?: string | undefined;
  readonly signal?: AbortSignal | undefined;
}

/** Sends token-endpoint requests through the retry policy. */
export type TokenExchange = (tenantId: string, url: string, request: TokenHttpRequest) => Promise<Response>;

function pipelineRequest(tenantId: string, url: string, timeoutMs: number, init: TokenHttpRequest): PipelineRequest {
  return {
    method: init.method,
    url: new URL(url),
    headers: new Headers(init.headers),
    body: init.body,
    tenantId,
    operation: `token request for tenant ${tenantId}`,
    permissions: [],
    idempotent: true,
    budget: "token",
    signal: init.signal,
    timeoutMs,
    attempt: 0,
  };
}

/**
 * A token exchange over `fetch`: each attempt has `timeoutMs`, redirects are
 * not followed, and transport failures that outlast the retries reject as
 * ERR_MDE_NETWORK / ERR_MDE_TIMEOUT. The last answer is returned as it came
 * (the grant turns a transient one into {@link transientTokenError}).
 */
export function createTokenExchange(fetch: FetchLike, settings: TokenRetrySettings, timeoutMs: number): TokenExchange {
  const send = composePipeline([retryPolicy({ ...settings.retry, clock: settings.clock, sleep: settings.sleep, random: settings.random })], fetchSink(fetch));
  return (tenantId, url, init) => send(pipelineRequest(tenantId, url, timeoutMs, init));
}

/** True for the statuses the retry policy repeats: 429 and 5xx. */
export function isTransientStatus(status: number | undefined): status is number {
  return status !== undefined && (status === 429 || (status >= 500 && status < 600));
}

/** `Retry-After` of a token answer, in ms (undefined when absent or unreadable). */
export function tokenRetryAfterMs(headers: Headers, clock: Clock): number | undefined {
  return parseRetryAfter(headers, clock.now());
}

/**
 * The error for a token answer that was still 429/5xx after the retries (an
 * Entra ID outage such as AADSTS90006 `temporarily_unavailable`, or
 * throttling): ERR_MDE_RATE_LIMITED for 429, ERR_MDE_HTTP for 5xx — codes whose
 * meaning is "try again later", with a message that says the failure is
 * transient, never one that sends the operator to the app registration.
 * Undefined for any other status (the AADSTS mapping applies).
 */
export function transientTokenError(
  status: number | undefined,
  retryAfterMs: number | undefined,
  body: StsErrorBody,
  ctx: Pick<StsErrorContext, "tenantId">,
): MdeError | undefined {
  if (!isTransientStatus(status)) return undefined;
  const aadsts = aadstsCode(body);
  const what = [aadsts === undefined ? undefined : `AADSTS${aadsts}`, typeof body.error === "string" ? body.error : undefined, `HTTP ${status}`]
    .filter((p) => p !== undefined)
    .join(", ");
  const details = {
    tenantId: ctx.tenantId,
    status,
    correlationId: typeof body.correlation_id === "string" ? body.correlation_id : undefined,
    apiCode: typeof body.error === "string" ? body.error : undefined,
  };
  if (status === 429) {
    return new MdeRateLimitedError(
      `Entra ID is throttling token requests for tenant ${ctx.tenantId} (${what}): transient, try again${retryAfterMs === undefined ? " later" : ` in ${Math.ceil(retryAfterMs / 1000)} s`}`,
      retryAfterMs,
      details,
    );
  }
  return new MdeHttpError(
    `Entra ID's token service is temporarily unavailable for tenant ${ctx.tenantId} (${what}): a transient outage that outlasted the retries; try again later, nothing in the configuration needs to change`,
    details,
  );
}

/** How a failed attempt of a whole-call token source (a TokenCredential) is to be treated. */
export type AttemptFailure = { readonly status: number; readonly retryAfterMs?: number | undefined } | "network" | undefined;

/**
 * Runs `attempt` under the retry policy: a failure that `classify` calls
 * transient (a 429/5xx status, or a network failure) is repeated; the last
 * failure is rethrown as it was, for the caller to map.
 */
export async function retryTokenCall<T>(
  settings: TokenRetrySettings,
  tenantId: string,
  signal: AbortSignal | undefined,
  attempt: () => Promise<T>,
  classify: (error: unknown) => AttemptFailure,
): Promise<T> {
  let outcome: { ok: true; value: T } | { ok: false; error: unknown } | undefined;
  const sink: SendRequest = async () => {
    try {
      outcome = { ok: true, value: await attempt() };
      return new Response(null, { status: 200 });
    } catch (error) {
      outcome = { ok: false, error };
      if (signal?.aborted) throw error;
      const failure = classify(error);
      if (failure === "network") throw new MdeNetworkError(`token request for tenant ${tenantId} failed`, true, { tenantId, cause: error });
      if (failure === undefined) return new Response(null, { status: 400 });
      const headers = failure.retryAfterMs === undefined ? undefined : { "retry-after": String(Math.max(0, Math.ceil(failure.retryAfterMs / 1000))) };
      return new Response(null, { status: failure.status, ...(headers ? { headers } : {}) });
    }
  };
  const send = composePipeline([retryPolicy({ ...settings.retry, clock: settings.clock, sleep: settings.sleep, random: settings.random })], sink);
  try {
    await send(pipelineRequest(tenantId, "https://token.invalid/", 0, { method: "POST", headers: {}, signal }));
  } catch (error) {
    if (signal?.aborted) throw signal.reason;
    if (outcome === undefined || outcome.ok) throw error;
  }
  if (signal?.aborted) throw signal.reason;
  if (!outcome) throw new MdeNetworkError(`token request for tenant ${tenantId} was not attempted`, true, { tenantId });
  if (!outcome.ok) throw outcome.error;
  return outcome.value;
}
