/**
 * OData query options of MDE list calls (mde-api.md §3.5, §3.6).
 *
 * `$filter`, `$top` and `$skip` are documented per list endpoint; `$expand=evidence` only on alerts.
 * `$select` and `$orderby` are DOC-SILENT (never listed, issue #8489 reports `$select` failing on
 * machines): they are passed through when the caller asks, and the service answers 400 `ODataError`
 * if it refuses them.
 */
import { type FilterInput, renderFilter } from "./filter.js";

/** Query options a caller may give to an OData list call. */
export interface ODataQueryOptions<F> {
  /** `$filter`: an expression from the entity's builder, or a callback receiving it. */
  filter?: FilterInput<F>;
  /** Total number of items wanted (caps the whole iteration, not only one page). */
  top?: number;
  /** Items to skip before the first one returned. */
  skip?: number;
  /** `$select` (DOC-SILENT: not documented as supported). */
  select?: readonly string[];
  /** `$orderby` (DOC-SILENT: not documented as supported), e.g. `["lastUpdateTime desc"]`. */
  orderby?: readonly string[];
}

/** What an endpoint allows (from the reference). */
export interface ODataCapabilities {
  /** Documented maximum of `$top` (10,000; vulnerabilities 8,000; mde-api.md §3.6). */
  readonly maxTop: number;
  /** Allowed `$expand` values (alerts: `evidence`). */
  readonly expand?: readonly string[];
}

const NAME = /^[A-Za-z_][A-Za-z0-9_/]*$/;
const ORDER = /^[A-Za-z_][A-Za-z0-9_/]*(?: (?:asc|desc))?$/;

/** Validates a `$top`/`top` value against the endpoint's maximum; throws `TypeError` (a caller mistake). */
export function validateTop(top: number, maxTop: number, name = "top"): number {
  if (!Number.isSafeInteger(top) || top < 1) throw new TypeError(`${name} must be a positive integer, got ${top}`);
  if (top > maxTop) throw new TypeError(`${name} ${top} exceeds the documented maximum of ${maxTop} for this endpoint`);
  return top;
}

/** Validates `skip`. */
export function validateSkip(skip: number): number {
  if (!Number.isSafeInteger(skip) || skip < 0) throw new TypeError(`skip must be a non-negative integer, got ${skip}`);
  return skip;
}

/** Renders `$filter`, `$select`, `$orderby` and `$expand` (paging options are the pager's job). */
export function buildQueryOptions<F>(
  options: ODataQueryOptions<F> & { expand?: readonly string[] },
  caps: ODataCapabilities,
): Record<string, string> {
  const query: Record<string, string> = {};
  if (options.filter !== undefined) query["$filter"] = renderFilter(options.filter);
  if (options.select !== undefined && options.select.length > 0) {
    for (const s of options.select) if (!NAME.test(s)) throw new TypeError(`invalid $select property ${JSON.stringify(s)}`);
    query["$select"] = options.select.join(",");
  }
  if (options.orderby !== undefined && options.orderby.length > 0) {
    for (const o of options.orderby) if (!ORDER.test(o)) throw new TypeError(`invalid $orderby clause ${JSON.stringify(o)}`);
    query["$orderby"] = options.orderby.join(",");
  }
  if (options.expand !== undefined && options.expand.length > 0) {
    const allowed = caps.expand ?? [];
    for (const e of options.expand) {
      if (!allowed.includes(e)) throw new TypeError(`$expand=${e} is not supported here (allowed: ${allowed.join(", ") || "none"})`);
    }
    query["$expand"] = options.expand.join(",");
  }
  return query;
}
