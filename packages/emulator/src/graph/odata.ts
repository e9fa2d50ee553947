import { type CompiledFilter, compileFilter, type FieldMap, ODataQueryError } from "../mde/odata-filter.js";
import { nextLinkFor } from "../mde/odata-query.js";
import type { GraphCall } from "./graph-call.js";
import { GraphApiError } from "./graph-error.js";

/** The OData options of one Graph list request (graph-security.md §4.2, §5). */
export interface GraphListQuery {
  filter?: CompiledFilter;
  /** Page size: `$top`, or the list's default. */
  pageSize: number;
  skip: number;
  count: boolean;
  expand: ReadonlySet<string>;
  /** `$orderby` on a list that documents it (`GraphListRules.orderBy`). */
  orderBy?: { column: string; descending: boolean };
}

export interface GraphListRules {
  /** Entity set name for messages (`alerts_v2`). */
  entity: string;
  fields: FieldMap;
  /** Largest `$top` accepted. */
  maxTop: number;
  /** Page size without `$top`. */
  defaultPageSize: number;
  expandable?: readonly string[];
  /** Properties the list documents for `$orderby` (lowercase name → column); without it `$orderby` is refused. */
  orderBy?: Readonly<Record<string, string>>;
}

/**
 * Cuts the one extra row a list fetches (`pageSize + 1`) to learn whether
 * another page follows; true when one does.
 */
export function cutPage(rows: unknown[], pageSize: number): boolean {
  const hasMore = pageSize > 0 && rows.length > pageSize;
  if (rows.length > pageSize) rows.length = pageSize;
  return hasMore;
}

const SUPPORTED = new Set(["$filter", "$top", "$skip", "$count", "$expand"]);

function nonNegativeInt(name: string, raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new GraphApiError(400, "BadRequest", `Invalid value '${raw}' for query option ${name}: expected a non-negative integer.`);
  return Number(raw.trim());
}

/**
 * Parses `$filter`, `$top`, `$skip`, `$count`, `$expand` (the options the
 * alerts_v2 and incidents pages list). `$filter` reuses the MDE compiler (bound
 * SQL parameters, the same operators) over the list's own property map.
 * `$top` above the list's cap answers the observed body (graph-security.md §5,
 * wazuh/wazuh#28070: empty `code`, `details: []`). `$select`, `$orderby` and
 * `$search` are not listed on these pages (DOC-SILENT): refused with 400.
 */
export function parseGraphListQuery(url: URL, rules: GraphListRules): GraphListQuery {
  const seen = new Set<string>();
  const query: { filter?: CompiledFilter; pageSize: number; skip: number; count: boolean; expand: Set<string>; orderBy?: { column: string; descending: boolean } } = {
    pageSize: rules.defaultPageSize,
    skip: 0,
    count: false,
    expand: new Set(),
  };
  for (const [rawKey, value] of url.searchParams) {
    const key = rawKey.trim().toLowerCase();
    if (!key.startsWith("$")) continue;
    if (!SUPPORTED.has(key) && !(key === "$orderby" && rules.orderBy)) throw new GraphApiError(400, "BadRequest", `Query option '${rawKey}' is not supported on ${rules.entity}.`);
    if (seen.has(key)) throw new GraphApiError(400, "BadRequest", `Query option '${rawKey}' was specified more than once, but it must be specified at most once.`);
    seen.add(key);
    if (key === "$filter") {
      try {
        query.filter = compileFilter(value, rules.fields, rules.entity);
      } catch (error) {
        if (error instanceof ODataQueryError) throw new GraphApiError(400, "BadRequest", `Invalid filter clause: ${error.message}`);
        throw error;
      }
    } else if (key === "$skip") query.skip = nonNegativeInt("$skip", value);
    else if (key === "$top") {
      const top = nonNegativeInt("$top", value);
      if (top > rules.maxTop) {
        throw new GraphApiError(
          400,
          "",
          `The query specified in the URI is not valid. The limit of '${rules.maxTop}' for Top query has been exceeded. The value from the incoming request is '${top}'.`,
          true,
        );
      }
      query.pageSize = top;
    } else if (key === "$count") {
      const v = value.trim().toLowerCase();
      if (v !== "true" && v !== "false") throw new GraphApiError(400, "BadRequest", `Invalid value '${value}' for query option $count: expected true or false.`);
      query.count = v === "true";
    } else if (key === "$orderby") {
      const m = /^\s*(\w+)(?:\s+(asc|desc))?\s*$/i.exec(value);
      const column = m?.[1] ? rules.orderBy?.[m[1].toLowerCase()] : undefined;
      if (!m || !column) throw new GraphApiError(400, "BadRequest", `Invalid $orderby '${value}': ${rules.entity} can be ordered by ${Object.keys(rules.orderBy ?? {}).join(", ")} only.`);
      query.orderBy = { column, descending: m[2]?.toLowerCase() === "desc" };
    } else if (key === "$expand") {
      for (const part of value.split(",").map((p) => p.trim()).filter(Boolean)) {
        const match = (rules.expandable ?? []).find((e) => e.toLowerCase() === part.toLowerCase());
        if (!match) throw new GraphApiError(400, "BadRequest", `Could not find a property named '${part}' on type 'microsoft.graph.security.${rules.entity === "incidents" ? "incident" : "alert"}'.`);
        query.expand.add(match);
      }
    }
  }
  return query;
}

/**
 * A Graph collection body in Graph's key order: `@odata.context`, `@odata.count`
 * (with `$count=true`), `@odata.nextLink` (same origin, every original option kept,
 * `$skip` advanced: graph-security.md §6 "Paging"), `value`.
 */
export function collectionBody(call: GraphCall, url: URL, context: string, query: GraphListQuery, items: readonly string[], total: number | undefined, hasMore: boolean): string {
  let body = `{"@odata.context":${JSON.stringify(context)}`;
  if (query.count && total !== undefined) body += `,"@odata.count":${total}`;
  if (hasMore) {
    const link = new URL(nextLinkFor(url, query.skip + query.pageSize));
    body += `,"@odata.nextLink":${JSON.stringify(`${call.origin}${link.pathname}${link.search}`)}`;
  }
  return `${body},"value":[${items.join(",")}]}`;
}
