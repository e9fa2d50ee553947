/**
 * The seam between the typed MDE resources and the request pipeline.
 * Resources describe a call as an `MdeRequest`; the pipeline (user agent →
 * request id → rate budget → retry → auth → log → fetch) turns it into an
 * authenticated HTTP exchange and throws a typed `MdeError` for any non-2xx
 * answer, so resources only ever see successful responses.
 */
export type HttpMethod = "GET" | "POST" | "PATCH" | "PUT" | "DELETE";

export interface MdeRequest {
  method: HttpMethod;
  /** Path below the API base URL, already encoded (built with `path`), e.g. `/api/alerts/da6374…`. */
  path: string;
  /** Query parameters; `undefined` values are left out. Encoded by the pipeline. */
  query?: Readonly<Record<string, string | number | boolean | undefined>>;
  /** JSON body (serialised by the pipeline). */
  body?: unknown;
  /** Stable operation name (`ListAlerts`, `IsolateMachine`); used for budgets, logs and permission checks. */
  operation: string;
  /** Application permissions of which any one allows the call (mde-api.md §4). */
  permissions: readonly string[];
  /** Safe to repeat after a failure whose outcome is unknown (GET, PATCH with the same body, DELETE). */
  idempotent: boolean;
  /** Rate budget the call counts against (mde-api.md §7); defaults to the operation's family. */
  budget?: string;
  /** Absolute URL to call instead of `path` (an `@odata.nextLink`); must share the API origin. */
  url?: string;
  /** The call's per-attempt time limit is at least this (ms), whatever the client's `timeoutMs` (long-running queries). */
  minTimeoutMs?: number;
  signal?: AbortSignal;
}

/** Sends one request for one customer tenant. */
export interface MdeTransport {
  /** API base URL of this tenant (cloud/region host), without a trailing slash. */
  readonly baseUrl: string;
  /** The customer tenant this transport authenticates for. */
  readonly tenantId: string;
  /** Resolves with the successful response; rejects with an `MdeError` subclass otherwise. */
  send(request: MdeRequest): Promise<Response>;
  /**
   * GETs a download link the API handed out (an export file's SAS URL) without any credential:
   * such a link carries its own signature and usually points at another host (Azure Storage),
   * so the bearer token is never sent with it. Resolves with the streaming response; rejects
   * with an `MdeError` subclass for a refused link. Absent on transports that have no fetch.
   */
  download?(url: string, options?: { signal?: AbortSignal | undefined; operation?: string }): Promise<Response>;
}
