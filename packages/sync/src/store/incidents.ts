import { type Insertable, type Selectable, sql } from "kysely";
import { chunks, rowsPerStatement, type StoreContext, stringOrNull, tenantKey } from "./context.js";
import { writeCursor } from "./cursors.js";
import { StoreError } from "./errors.js";
import type { ApplyIncidentPageResult, CursorPosition, IncidentInput, StoredIncident } from "./records.js";
import type { IncidentsTable } from "./schema-types.js";
import { findTenantRow, fromExcluded, newestById, requireId } from "./tenant-rows.js";
import { timeKeyOrEmpty, toTimeKey } from "./time.js";

/** Graph `alertSeverity` order (graph-security.md §4.4), for sorting incidents by severity. */
export const GRAPH_SEVERITY_RANK: Readonly<Record<string, number>> = Object.freeze({
  unknown: 0,
  informational: 1,
  low: 2,
  medium: 3,
  high: 4,
});

const INCIDENT_COLUMNS = 18;

/** Server-side filter of incident lists. Every field narrows; absent fields do not. */
export interface IncidentFilter {
  readonly tenantIds?: readonly string[];
  /** Graph `incidentStatus` values (`active`, `inProgress`, `resolved`, …). */
  readonly statuses?: readonly string[];
  /** Graph `alertSeverity` values (`high`, `medium`, …). */
  readonly severities?: readonly string[];
  readonly assignedTo?: string;
  /** Case-insensitive substring of the display name. */
  readonly search?: string;
}

/** A page of incidents: newest update first by default, keyset paging. */
export interface IncidentQuery extends IncidentFilter {
  readonly order?: "asc" | "desc";
  /** 1–1,000, default 50. */
  readonly limit?: number;
  readonly pageToken?: string;
}

export interface IncidentPage {
  readonly items: StoredIncident[];
  readonly nextPageToken: string | null;
}

function toRow(tenantId: string, incident: IncidentInput, index: number, now: string): Insertable<IncidentsTable> {
  requireId(incident, "incident", index);
  for (const field of ["createdDateTime", "lastUpdateDateTime"] as const) {
    const v = incident[field];
    if (v !== undefined && v !== null && (typeof v !== "string" || toTimeKey(v) === null)) {
      throw new StoreError("ERR_STORE_INVALID_ROW", `incident at index ${index} has an invalid ${field}: ${JSON.stringify(v)}`);
    }
  }
  if (!Array.isArray(incident.alertIds) || incident.alertIds.some((a) => typeof a !== "string")) {
    throw new StoreError("ERR_STORE_INVALID_ROW", `incident at index ${index} has no list of alert ids`);
  }
  const severity = stringOrNull(incident.severity);
  const displayName = stringOrNull(incident.displayName);
  return {
    tenant_id: tenantId,
    id: incident.id,
    status: stringOrNull(incident.status),
    severity,
    severity_rank: (severity !== null ? GRAPH_SEVERITY_RANK[severity] : undefined) ?? 0,
    classification: stringOrNull(incident.classification),
    determination: stringOrNull(incident.determination),
    assigned_to: stringOrNull(incident.assignedTo),
    display_name: displayName,
    display_name_lc: (displayName ?? "").toLowerCase(),
    created_date_time: stringOrNull(incident.createdDateTime),
    created_key: timeKeyOrEmpty(incident.createdDateTime),
    last_update_date_time: stringOrNull(incident.lastUpdateDateTime),
    last_update_key: timeKeyOrEmpty(incident.lastUpdateDateTime),
    alert_ids: JSON.stringify([...new Set(incident.alertIds)]),
    payload: JSON.stringify(incident.payload ?? null),
    ingested_at: now,
  };
}

function toStoredIncident(row: Selectable<IncidentsTable>): StoredIncident {
  return {
    tenantId: row.tenant_id,
    id: row.id,
    status: row.status,
    severity: row.severity,
    classification: row.classification,
    determination: row.determination,
    assignedTo: row.assigned_to,
    displayName: row.display_name,
    createdDateTime: row.created_date_time,
    lastUpdateDateTime: row.last_update_date_time,
    alertIds: JSON.parse(row.alert_ids) as string[],
    ingestedAt: row.ingested_at,
    payload: (JSON.parse(row.payload) ?? {}) as Record<string, unknown>,
  };
}

function strings(values: readonly string[] | undefined, name: string): readonly string[] | undefined {
  if (values === undefined) return undefined;
  if (!Array.isArray(values) || values.some((v) => typeof v !== "string")) throw new TypeError(`${name} must be an array of strings`);
  return values;
}

/** Incidents of Graph-sourced tenants: page writes with their cursor, and the console's reads. */
/** An incident without its payload, as lists and the CLI show it: the tenant first, its alerts by (MDE) id. */
export function incidentSummary(i: StoredIncident) {
  return {
    tenantId: i.tenantId,
    id: i.id,
    displayName: i.displayName,
    status: i.status,
    severity: i.severity,
    classification: i.classification,
    determination: i.determination,
    assignedTo: i.assignedTo,
    createdDateTime: i.createdDateTime,
    lastUpdateDateTime: i.lastUpdateDateTime,
    alertIds: i.alertIds,
  };
}

export function createIncidentRepository(ctx: StoreContext) {
  const { db, dialect } = ctx;
  const perStatement = rowsPerStatement(dialect, INCIDENT_COLUMNS);

  function filtered(filter: IncidentFilter) {
    let q = db.selectFrom("incidents");
    const tenants = strings(filter.tenantIds, "tenantIds")?.map(tenantKey);
    const statuses = strings(filter.statuses, "statuses");
    const severities = strings(filter.severities, "severities");
    for (const [column, values] of [
      ["tenant_id", tenants],
      ["status", statuses],
      ["severity", severities],
    ] as const) {
      if (values === undefined) continue;
      if (values.length === 0) q = q.where(sql<boolean>`1 = 0`);
      else q = q.where(column, "in", values);
    }
    if (filter.assignedTo !== undefined) q = q.where("assigned_to", "=", filter.assignedTo);
    if (filter.search !== undefined && filter.search !== "") {
      const needle = filter.search.toLowerCase();
      q = q.where((eb) => dialect.contains(eb.ref("display_name_lc"), needle));
    }
    return q;
  }

  return {
    /**
     * Upserts one page of a tenant's incidents by (tenant, id) — a newer
     * `lastUpdateDateTime` replaces an older one, never the reverse — and
     * writes the `graph-incidents` cursor in the same transaction (the same
     * crash-safety argument as the alert pages: both or neither).
     */
    async applyIncidentPage(
      tenantId: string,
      incidents: readonly IncidentInput[],
      nextCursor: CursorPosition,
      stream = "graph-incidents",
    ): Promise<ApplyIncidentPageResult> {
      const tenant = tenantKey(tenantId);
      if (!Array.isArray(incidents)) throw new TypeError("incidents must be an array");
      return dialect.writeTransaction(async (trx) => {
        const now = ctx.now();
        let inserted = 0;
        let updated = 0;
        let unchanged = 0;
        let offset = 0;
        for (const part of chunks(incidents, perStatement)) {
          const rows = part.map((incident, i) => toRow(tenant, incident, offset + i, now));
          const byId = newestById(rows);
          unchanged += rows.length - byId.size;
          offset += part.length;
          const existing = await trx
            .selectFrom("incidents")
            .select(["id", "last_update_key", "payload"])
            .where("tenant_id", "=", tenant)
            .where("id", "in", [...byId.keys()])
            .execute();
          const before = new Map(existing.map((r) => [r.id, r]));
          for (const row of byId.values()) {
            const old = before.get(row.id);
            const key = row.last_update_key ?? "";
            if (old === undefined) inserted++;
            // Re-read in the overlap window with the same time and content: not an update.
            else if (old.last_update_key > key || (old.last_update_key === key && old.payload === row.payload)) unchanged++;
            else updated++;
          }
          await trx
            .insertInto("incidents")
            .values([...byId.values()])
            .onConflict((oc) =>
              oc
                .columns(["tenant_id", "id"])
                .doUpdateSet(fromExcluded("incidents", ["status", "severity", "severity_rank", "classification", "determination", "assigned_to", "display_name", "display_name_lc", "created_date_time", "created_key", "last_update_date_time", "last_update_key", "alert_ids", "payload", "ingested_at"]))
                .where((eb) => eb("incidents.last_update_key", "<=", eb.ref("excluded.last_update_key"))),
            )
            .execute();
        }
        const cursor = await writeCursor(trx, tenant, stream, nextCursor, now);
        return { inserted, updated, unchanged, cursor };
      });
    },

    async getIncident(tenantId: string, id: string): Promise<StoredIncident | null> {
      return findTenantRow(db, "incidents", tenantId, id, toStoredIncident);
    },

    /** Incidents matching `query`, newest update first (ties by tenant and id), with keyset paging. */
    async queryIncidents(query: IncidentQuery = {}): Promise<IncidentPage> {
      const order = query.order ?? "desc";
      if (order !== "asc" && order !== "desc") throw new TypeError(`order must be "asc" or "desc"`);
      const limit = query.limit ?? 50;
      if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new TypeError(`limit must be an integer from 1 to 1000, got ${limit}`);
      let q = filtered(query);
      if (query.pageToken !== undefined) {
        let after: unknown;
        try {
          after = JSON.parse(Buffer.from(query.pageToken, "base64url").toString("utf8"));
        } catch {
          throw new TypeError("pageToken is not a token returned by queryIncidents");
        }
        if (!Array.isArray(after) || after.length !== 3 || after.some((v) => typeof v !== "string"))
          throw new TypeError("pageToken is not a token returned by queryIncidents");
        const tuple = sql.join([sql.ref("last_update_key"), sql.ref("tenant_id"), sql.ref("id")]);
        const values = sql.join(after.map((v) => sql.val(v as string)));
        q = q.where(order === "desc" ? sql<boolean>`(${tuple}) < (${values})` : sql<boolean>`(${tuple}) > (${values})`);
      }
      const rows = await q
        .selectAll()
        .orderBy("last_update_key", order)
        .orderBy("tenant_id", order)
        .orderBy("id", order)
        .limit(limit + 1)
        .execute();
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      const nextPageToken =
        rows.length > limit && last ? Buffer.from(JSON.stringify([last.last_update_key, last.tenant_id, last.id])).toString("base64url") : null;
      return { items: items.map(toStoredIncident), nextPageToken };
    },

    /** Number of incidents matching `filter`. */
    async countIncidents(filter: IncidentFilter = {}): Promise<number> {
      const row = await filtered(filter)
        .select((eb) => eb.fn.countAll<number>().as("n"))
        .executeTakeFirstOrThrow();
      return Number(row.n);
    },
  };
}
