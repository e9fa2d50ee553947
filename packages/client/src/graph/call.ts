/**
 * Shared plumbing of the Graph resource files: requests from the Graph operations registry, and
 * lists that page only by `@odata.nextLink` (graph-security.md §6: "request it as-is until it is
 * absent; never extract or alter the token").
 */
import { renderFilter } from "../odata/filter.js";
import type { ODataQueryOptions } from "../odata/query.js";
import { validateSkip, validateTop } from "../odata/query.js";
import { PagedResult, type PagingPlan } from "../odata/paging.js";
import { type Query, type RequestExtra, type RequestOptions, requestFromSpec, sendJson } from "../mde/call.js";
import { encodeSegment } from "../pipeline/path.js";
import type { MdeRequest, MdeTransport } from "../pipeline/transport.js";
import type { GraphCommentsResponse } from "./models/alert.js";
import { type GraphOperationName, getGraphOperation } from "./operations.js";

/** Options of a Graph security list (`$filter`, `$top`, `$skip`, `$count`). */
export interface GraphListOptions<F> extends Pick<ODataQueryOptions<F>, "filter" | "top" | "skip">, RequestOptions {
  /** `$top` of each request (the page size); default: the service's own page size. */
  pageSize?: number;
  /** `$count=true`: the first page carries `@odata.count` (read it as `page.count`). */
  count?: boolean;
}

/** Builds the request of Graph operation `name`. */
export function buildGraphRequest(name: GraphOperationName, path: string, extra: RequestExtra = {}): MdeRequest {
  return requestFromSpec(name, getGraphOperation(name), path, extra);
}

/**
 * Starts a Graph list. `top` caps the whole iteration (and, without `pageSize`, the first `$top`);
 * `pageSize` is sent as `$top`. Further pages come only from `@odata.nextLink`, which carries the
 * original query options itself.
 */
export function graphList<T, F>(
  transport: MdeTransport,
  name: GraphOperationName,
  path: string,
  options: GraphListOptions<F>,
  caps: { maxTop: number; expand?: readonly string[] | undefined },
): PagedResult<T> {
  const query: Query = {};
  if (options.filter !== undefined) query["$filter"] = renderFilter(options.filter);
  if (options.skip !== undefined) query["$skip"] = validateSkip(options.skip);
  if (options.count !== undefined) {
    if (typeof options.count !== "boolean") throw new TypeError("count must be a boolean");
    if (options.count) query["$count"] = true;
  }
  if (caps.expand !== undefined && caps.expand.length > 0) query["$expand"] = caps.expand.join(",");
  const top = options.top === undefined ? undefined : validateTop(options.top, Number.MAX_SAFE_INTEGER);
  const pageSize =
    options.pageSize !== undefined
      ? validateTop(options.pageSize, caps.maxTop, "pageSize")
      : top !== undefined
        ? Math.min(top, caps.maxTop)
        : undefined;
  const plan: PagingPlan = {
    transport,
    request: buildGraphRequest(name, path, { query }),
    mode: "next-link",
    ...(pageSize !== undefined ? { pageSizeParam: { name: "$top", value: pageSize } } : {}),
    ...(top !== undefined ? { top } : {}),
    ...(options.signal !== undefined ? { signal: options.signal } : {}),
  };
  return new PagedResult<T>(plan);
}

/**
 * `POST {entitySet}/{id}/comments` with one comment → the entity's comments. The documented body
 * carries the type annotation (security-alert-post-comments.md).
 */
export function postComment(
  transport: MdeTransport,
  name: GraphOperationName,
  entitySet: string,
  id: string,
  comment: string,
  options: RequestOptions,
): Promise<GraphCommentsResponse> {
  requireComment(comment);
  const body = { "@odata.type": "microsoft.graph.security.alertComment", comment };
  return sendJson(transport, buildGraphRequest(name, `${entitySet}/${encodeSegment(id)}/comments`, { body, signal: options.signal }));
}

/** Throws `TypeError` unless `value` is a non-empty comment. */
function requireComment(value: unknown): asserts value is string {
  if (typeof value !== "string" || value.trim() === "") throw new TypeError("comment must be a non-empty string");
}
