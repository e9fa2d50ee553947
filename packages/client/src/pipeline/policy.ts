/**
 * The request stack as a list of small named policies (Azure core-rest-pipeline's
 * shape, STYLE.md habit 5). Each policy gets the request and `next`; the last
 * `next` is the fetch sink. Order, top to bottom:
 * user agent → request id → rate budget → retry → auth → log → fetch.
 */
import type { HttpMethod } from "./transport.js";

/** One HTTP exchange as it travels down the stack. Policies may change `headers`. */
export interface PipelineRequest {
  readonly method: HttpMethod;
  readonly url: URL;
  readonly headers: Headers;
  /** JSON text, or multipart form data (library uploads; fetch sets its content type). */
  /** JSON text, or an encoded multipart body (its content-type header carries the boundary). */
  readonly body: string | Uint8Array | undefined;
  readonly tenantId: string;
  readonly operation: string;
  readonly permissions: readonly string[];
  readonly idempotent: boolean;
  /** Rate budget name (see rate-budget.ts). */
  readonly budget: string;
  /** The caller's signal: aborts waiting, retries and the exchange. */
  readonly signal: AbortSignal | undefined;
  /** Per-attempt time limit, ms. */
  readonly timeoutMs: number;
  /** 0 for the first attempt; set by the retry policy. */
  attempt: number;
  /** Roles of the token that was refused with 403 (set by the auth policy, for `missingPermissions`). */
  grantedRoles?: string[] | undefined;
}

export type SendRequest = (request: PipelineRequest) => Promise<Response>;

export interface PipelinePolicy {
  readonly name: string;
  send(request: PipelineRequest, next: SendRequest): Promise<Response>;
}

/** Chains `policies` (first = outermost) in front of `sink`. */
export function composePipeline(policies: readonly PipelinePolicy[], sink: SendRequest): SendRequest {
  return policies.reduceRight<SendRequest>((next, policy) => (request) => policy.send(request, next), sink);
}

/**
 * Releases a response body we will not read, so the connection returns to the
 * pool. Not awaited: cancelling one branch of a tee'd body only settles once
 * the other branch is cancelled too.
 */
export async function discard(response: Response): Promise<void> {
  try {
    response.body?.cancel().catch(() => {});
  } catch {}
}
