import type Database from "better-sqlite3";
import { type CompiledFilter, compileFilter, type FieldMap, ODataQueryError } from "./odata-filter.js";

/** Documented maximum page size of the list APIs (mde-api.md §3.6). */
export const MAX_PAGE = 10_000;

/** The OData query options of one list request. */
export interface ListQuery {
  filter?: CompiledFilter;
  top?: number;
  skip: number;
  expand: ReadonlySet<string>;
}

export interface ListQueryRules {
  /** Entity set name for messages (`Alerts`). */
  entity: string;
  fields: FieldMap;
  /** Largest `$top` accepted (10,000 for most lists). */
  maxTop?: number;
  /** Navigation properties `$expand` may name (alerts: evidence). */
  expandable?: readonly string[];
}

const SYSTEM_OPTIONS = new Set(["$filter", "$top", "$skip", "$expand"]);

function nonNegativeInt(name: string, raw: string): number {
  if (!/^\d+$/.test(raw.trim())) throw new ODataQueryError(`The value '${raw}' of ${name} is not a valid non-negative integer.`);
  return Number(raw.trim());
}

/**
 * Parses `$filter`, `$top`, `$skip`, `$expand` (mde-api.md §3.5). `+` in the
 * query string is a space (URL form encoding), as the documented examples use
 * it (`$filter=lastUpdateTime+ge+2019-11-22T00:00:00Z`). Other `$` options
 * (`$select`, `$orderby`: DOC-SILENT) are refused with 400 ODataError.
 */
export function parseListQuery(url: URL, rules: ListQueryRules): ListQuery {
  const seen = new Set<string>();
  const query: { filter?: CompiledFilter; top?: number; skip: number; expand: Set<string> } = { skip: 0, expand: new Set() };
  for (const [rawKey, value] of url.searchParams) {
    const key = rawKey.trim().toLowerCase();
    if (!key.startsWith("$")) continue;
    if (!SYSTEM_OPTIONS.has(key)) throw new ODataQueryError(`The query parameter '${rawKey}' is not supported.`);
    if (seen.has(key)) throw new ODataQueryError(`The query parameter '${rawKey}' is specified more than once.`);
    seen.add(key);
    if (key === "$filter") query.filter = compileFilter(value, rules.fields, rules.entity);
    else if (key === "$skip") query.skip = nonNegativeInt("$skip", value);
    else if (key === "$top") {
      const top = nonNegativeInt("$top", value);
      const max = rules.maxTop ?? MAX_PAGE;
      if (top > max)
        throw new ODataQueryError(
          `The limit of '${max}' for Top query has been exceeded. The value from the incoming request is '${top}'.`,
        );
      query.top = top;
    } else if (key === "$expand") {
      for (const part of value
        .split(",")
        .map((p) => p.trim())
        .filter(Boolean)) {
        const match = (rules.expandable ?? []).find((e) => e.toLowerCase() === part.toLowerCase());
        if (!match) throw new ODataQueryError(`The property '${part}' cannot be used in the $expand query option of ${rules.entity}.`);
        query.expand.add(match);
      }
    }
  }
  return query;
}

export interface ListPage<Row> {
  rows: Row[];
  /** More rows exist after this page. */
  hasMore: boolean;
}

/** The tenant's rows, narrowed by the fixed `where` and the query's `$filter`. */
function whereClause(opts: { tenantId: string; query: ListQuery; where?: CompiledFilter }): { sql: string; params: unknown[] } {
  const conditions = ["tenant_id = ?"];
  const params: unknown[] = [opts.tenantId];
  for (const extra of [opts.where, opts.query.filter]) {
    if (!extra) continue;
    conditions.push(extra.sql);
    params.push(...extra.params);
  }
  return { sql: conditions.join(" AND "), params };
}

/**
 * Runs a list query on one tenant's rows of `table`, ordered by `seq` (stable
 * across pages), with the filter's bound parameters. `where` adds fixed,
 * trusted conditions (e.g. a machine's alerts).
 */
export function queryPage<Row>(
  db: Database.Database,
  opts: { table: string; select: string; tenantId: string; query: ListQuery; where?: CompiledFilter; pageSize?: number },
): ListPage<Row> {
  const where = whereClause(opts);
  const limit = opts.query.top ?? opts.pageSize ?? MAX_PAGE;
  const rows = db
    .prepare(`SELECT ${opts.select} FROM ${opts.table} WHERE ${where.sql} ORDER BY seq LIMIT ? OFFSET ?`)
    .all(...where.params, limit + 1, opts.query.skip) as Row[];
  const hasMore = rows.length > limit;
  if (hasMore) rows.pop();
  return { rows, hasMore };
}

/** Counts the tenant's rows matching the query's filter (for `/$count`). */
export function queryCount(
  db: Database.Database,
  opts: { table: string; tenantId: string; query: ListQuery; where?: CompiledFilter },
): number {
  const where = whereClause(opts);
  const row = db.prepare(`SELECT count(*) AS n FROM ${opts.table} WHERE ${where.sql}`).get(...where.params) as { n: number };
  return row.n;
}

/**
 * The next page's URL: the request's own URL (same origin, so a bearer token
 * never leaves the host) with `$skip` advanced; other parameters are kept as
 * the client encoded them (mde-api.md §3.6).
 */
export function nextLinkFor(url: URL, nextSkip: number): string {
  const parts = url.search
    .replace(/^\?/, "")
    .split("&")
    .filter((p) => p !== "")
    .filter((p) => {
      const key = decodeURIComponent((p.split("=")[0] ?? "").replace(/\+/g, " "))
        .trim()
        .toLowerCase();
      return key !== "$skip";
    });
  parts.push(`$skip=${nextSkip}`);
  return `${url.origin}${url.pathname}?${parts.join("&")}`;
}
