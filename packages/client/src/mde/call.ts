/**
 * Shared plumbing of the resource files: build an `MdeRequest` from the operations registry,
 * send it through the transport, read the JSON body as sent (no lossy mapping), and start lists.
 */

import { MdeInvalidResponseError } from "../errors.js";
import { buildQueryOptions, type ODataCapabilities, type ODataQueryOptions, validateSkip, validateTop } from "../odata/query.js";
import { getOperation, type OperationName } from "./operations.js";
import { PagedResult, type PagingPlan } from "../odata/paging.js";
import { encodeSegment } from "../pipeline/path.js";
import type { MdeRequest, MdeTransport } from "../pipeline/transport.js";

/** Options every call takes. */
export interface RequestOptions {
  /** Aborts the call (and, for lists, the iteration). */
  signal?: AbortSignal;
}

/** Options of an OData list (`$filter`, `$top`, `$skip`, …) plus paging. */
export interface ListOptions<F> extends ODataQueryOptions<F>, RequestOptions {
  /** Items per request (`$top` of each page); default and maximum are the documented page maximum. */
  pageSize?: number;
}

/** Query parameters of a request (`undefined` values are left out). */
export type Query = Record<string, string | number | boolean | undefined>;

/** What a request carries besides its operation and path. */
export interface RequestExtra {
  query?: Query;
  body?: unknown;
  signal?: AbortSignal | undefined;
}

/** What a registry (MDE or Graph) says about one operation. */
export interface OperationSpecLike {
  method: MdeRequest["method"];
  permissions: readonly string[];
  idempotent: boolean;
  budget: string;
}

/** Builds the request of operation `name` (method, permissions, budget, idempotency from the registry). */
export function buildRequest(name: OperationName, path: string, extra: RequestExtra = {}): MdeRequest {
  return requestFromSpec(name, getOperation(name), path, extra);
}

/** The request for an operation whose registry entry is `spec` (shared by the MDE and Graph registries). */
export function requestFromSpec(
  name: string,
  spec: OperationSpecLike,
  path: string,
  extra: RequestExtra = {},
): MdeRequest {
  const request: MdeRequest = {
    method: spec.method,
    path,
    operation: name,
    permissions: spec.permissions,
    idempotent: spec.idempotent,
    budget: spec.budget,
  };
  if (extra.query !== undefined) request.query = extra.query;
  if (extra.body !== undefined) request.body = extra.body;
  if (extra.signal !== undefined) request.signal = extra.signal;
  return request;
}

/** Sends a request and returns the parsed JSON body exactly as the server sent it. */
export async function sendJson<T>(transport: MdeTransport, request: MdeRequest): Promise<T> {
  const response = await transport.send(request);
  const text = await response.text();
  if (text.trim() === "")
    throw new MdeInvalidResponseError(`${request.operation}: expected a JSON body, got an empty response`, {
      tenantId: transport.tenantId,
      operation: request.operation,
    });
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new MdeInvalidResponseError(`${request.operation}: response is not JSON`, {
      tenantId: transport.tenantId,
      operation: request.operation,
    });
  }
}

/** Sends a request whose success has no useful body (204, or 200 with an empty body). */
export async function sendVoid(transport: MdeTransport, request: MdeRequest): Promise<void> {
  const response = await transport.send(request);
  // Drain the body so the connection is released.
  await response.arrayBuffer();
}

/** Starts an OData list that pages with `$top`/`$skip` (and follows next links). */
export function odataList<T, F>(
  transport: MdeTransport,
  name: OperationName,
  path: string,
  options: ListOptions<F> & { expand?: readonly string[] },
  caps: ODataCapabilities & { mode?: "skip" | "next-link" },
): PagedResult<T> {
  const query = buildQueryOptions(options, caps);
  const mode = caps.mode ?? "skip";
  const plan: PagingPlan = {
    transport,
    request: buildRequest(name, path, { query }),
    mode,
    // Endpoints that page by next link (device AV info) still take `$top`/`$skip`; they just don't need them.
    ...(mode === "next-link" ? { sendTop: true } : {}),
    pageSize: options.pageSize !== undefined ? validateTop(options.pageSize, caps.maxTop, "pageSize") : caps.maxTop,
    ...(options.top !== undefined ? { top: validateTop(options.top, caps.maxTop) } : {}),
    ...(options.skip !== undefined ? { skip: validateSkip(options.skip) } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };
  return new PagedResult<T>(plan);
}

/** Starts a collection read that only follows next links (related-entity lists, TVM sub-lists). */
export function linkedList<T>(
  transport: MdeTransport,
  name: OperationName,
  path: string,
  options: RequestOptions & { query?: Query } = {},
): PagedResult<T> {
  return new PagedResult<T>(nextLinkPlan(transport, name, path, options));
}

/** The paging plan of a list that only follows next links. */
function nextLinkPlan(transport: MdeTransport, name: OperationName, path: string, options: RequestOptions & { query?: Query }): PagingPlan {
  return {
    transport,
    request: buildRequest(name, path, options.query !== undefined ? { query: options.query } : {}),
    mode: "next-link",
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };
}

/** Starts an export-assessment list: pages only by `@odata.nextLink` (`$skiptoken`), sized by `pageSize` (mde-api.md §5.17). */
export function exportList<T>(
  transport: MdeTransport,
  name: OperationName,
  path: string,
  options: RequestOptions & { pageSize?: number; query?: Query },
  maxPageSize: number,
): PagedResult<T> {
  return new PagedResult<T>({
    ...nextLinkPlan(transport, name, path, options),
    ...(options.pageSize !== undefined
      ? { pageSizeParam: { name: "pageSize", value: validateTop(options.pageSize, maxPageSize, "pageSize") } }
      : {}),
  });
}

/** The reads of one entity set, each made into a resource method by naming its operation. */
export interface EntitySet {
  /** `GET {set}` as an OData list (`$top` capped by `caps.maxTop`, {@link MAX_TOP} by default). */
  list<T, F>(
    name: OperationName,
    caps?: ODataCapabilities,
  ): (options?: ListOptions<F> & { expand?: readonly string[] }) => PagedResult<T>;
  /** `GET {set}/{id}` or, with `sub`, `GET {set}/{id}/{sub}`: one JSON object. */
  get<T>(name: OperationName, sub?: string): (id: string, options?: RequestOptions) => Promise<T>;
  /** `GET {set}/{id}/{sub}`: a related collection that pages by next link. */
  related<T>(name: OperationName, sub: string): (id: string, options?: RequestOptions) => PagedResult<T>;
}

/**
 * The reads of the entity set at `setPath` (`/api/Software`, …). `key` checks an id (and may
 * normalise it) before it is encoded as the path segment after the set.
 *
 * @example
 * const set = entitySet(transport, "/api/Software", textId("software id"));
 * const get: (id: string) => Promise<Software> = set.get("GetSoftware");
 */
export function entitySet(transport: MdeTransport, setPath: string, key: (id: string) => string = (id) => id): EntitySet {
  const item = (id: string, sub: string | undefined) =>
    `${setPath}/${encodeSegment(key(id))}${sub !== undefined ? `/${sub}` : ""}`;
  return {
    list:
      <T, F>(name: OperationName, caps: ODataCapabilities = { maxTop: MAX_TOP }) =>
        (options: ListOptions<F> & { expand?: readonly string[] } = {}) =>
          odataList<T, F>(transport, name, setPath, options, caps),
    get:
      <T>(name: OperationName, sub?: string) =>
        (id: string, options: RequestOptions = {}) =>
          sendJson<T>(transport, buildRequest(name, item(id, sub), options)),
    related:
      <T>(name: OperationName, sub: string) =>
        (id: string, options: RequestOptions = {}) =>
          linkedList<T>(transport, name, item(id, sub), options),
  };
}

/** An entity key that must be a non-empty string (`what` names it in the `TypeError`). */
export function textId(what: string): (id: string) => string {
  return (id) => {
    requireText(id, what);
    return id;
  };
}

/**
 * A tenant's API object over `transport`: the transport, its tenant and the resources `create`
 * makes, frozen. `misuse` is the `TypeError` message for something that is not a transport.
 */
export function apiOver<R extends object>(
  transport: MdeTransport,
  misuse: string,
  create: () => R,
): Readonly<{ transport: MdeTransport; tenantId: string } & R> {
  if (!transport || typeof transport.send !== "function") throw new TypeError(misuse);
  return Object.freeze({ transport, tenantId: transport.tenantId, ...create() });
}

/** The documented `$top` maximum of most lists (mde-api.md §3.6). */
export const MAX_TOP = 10_000;
/** The documented `$top` maximum of `GET /api/vulnerabilities` (mde-api.md §3.6). */
export const MAX_TOP_VULNERABILITIES = 8_000;

/**
 * Copies only the documented body properties, in their documented casing, leaving out `undefined`.
 * A caller's stray `Status` (wrong case) is dropped instead of being sent (mde-api.md §3.2).
 */
export function pick<T extends object, K extends keyof T & string>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) {
    const value = source[key];
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Throws `TypeError` unless `value` is a non-empty string. */
export function requireText(value: unknown, what: string): asserts value is string {
  if (typeof value !== "string" || value.trim() === "") throw new TypeError(`${what} must be a non-empty string`);
}
