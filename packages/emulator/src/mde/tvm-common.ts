import { ensureTvm, type TvmMachine } from "../data/tvm-store.js";
import { resourceNotFound } from "./errors.js";
import type { CompiledFilter, FieldMap } from "./odata-filter.js";
import { nextLinkFor, parseListQuery, queryPage } from "./odata-query.js";
import { collectionResponse, type OperationContext } from "./operation-context.js";
import { requireMachine } from "./machines.js";

/** The tenant's TVM rows, materialized on first use (data/tvm-store.ts). */
export const tvm = (ctx: OperationContext): Map<string, TvmMachine> => ensureTvm(ctx.state, ctx.tenantId);

/**
 * One TVM list: `$filter` on the documented fields, `$top` up to `maxTop`,
 * `$skip`; pages of at most 10,000 rows ordered by insertion. Without `$top`
 * and with more rows, `@odata.nextLink` carries the next `$skip` (mde-api.md §3.6).
 */
export function tvmList(
  ctx: OperationContext,
  opts: { table: string; entity: string; fragment: string; fields: FieldMap; where?: CompiledFilter; maxTop?: number },
): Response {
  const query = parseListQuery(ctx.url, { entity: opts.entity, fields: opts.fields, ...(opts.maxTop ? { maxTop: opts.maxTop } : {}) });
  const page = queryPage<{ json: string }>(ctx.state.db, {
    table: opts.table,
    select: "json",
    tenantId: ctx.tenantId,
    query,
    ...(opts.where ? { where: opts.where } : {}),
  });
  const next = page.hasMore && query.top === undefined ? nextLinkFor(ctx.url, query.skip + page.rows.length) : undefined;
  return collectionResponse(
    ctx,
    opts.fragment,
    page.rows.map((r) => r.json),
    next,
  );
}

/** One stored row's JSON by id, or 404 `{kind} {id} was not found`. */
export function tvmEntity(ctx: OperationContext, table: string, kind: string, id: string): string {
  const row = ctx.state.db.prepare(`SELECT json FROM ${table} WHERE tenant_id = ? AND id = ?`).get(ctx.tenantId, id) as { json: string } | undefined;
  if (!row) throw resourceNotFound(kind, ctx.params.id ?? id);
  return row.json;
}

/** The `{id}` machine after the TVM rows are in place. */
export function tvmMachine(ctx: OperationContext): string {
  tvm(ctx);
  return requireMachine(ctx).id;
}

/** MachineRef rows `{id, computerDnsName, osPlatform, rbacGroupName}` (mde-api.md §5.11) of machines by id, in machine order. */
export function machineRefs(ctx: OperationContext, machines: Map<string, TvmMachine>, ids: Iterable<string>): string[] {
  const wanted = new Set(ids);
  const out: string[] = [];
  for (const m of machines.values()) {
    if (!wanted.has(m.id)) continue;
    out.push(JSON.stringify({ id: m.id, computerDnsName: m.computerDnsName, osPlatform: m.osPlatform, rbacGroupName: m.rbacGroupName }));
  }
  return out;
}

/** Machine ids of a SQL query's `machine_id` column. */
export function machineIds(ctx: OperationContext, sql: string, ...params: unknown[]): string[] {
  return (ctx.state.db.prepare(sql).all(...params) as Array<{ machine_id: string }>).map((r) => r.machine_id);
}
