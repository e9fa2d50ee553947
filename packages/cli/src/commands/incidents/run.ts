/**
 * `mde-partner incidents list`: the Microsoft Graph incidents of one or many
 * customer tenants, from the store. Incidents are synced for tenants whose
 * alert source is Microsoft Graph (`sync` fills them; graph-security.md §5),
 * so this command reads the store and never calls the API: it works offline,
 * across every tenant at once, with the same filters as the console. Newest
 * update first; `--top` caps the whole list.
 */
import { incidentSummary } from "@mde-partner/sync";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, parseCount } from "../../errors.js";
import { enumValues } from "../../odata-options.js";
import { createOutput, type Output } from "../../output/output.js";
import { withStore } from "../../partner.js";
import { selectTenants } from "../../tenant-selection.js";

/** `incidentStatus` values (graph-security.md §5). */
const INCIDENT_STATUSES = ["active", "inProgress", "awaitingAction", "resolved", "redirected"];

export interface IncidentsListOptions {
  tenant?: string[];
  all?: boolean;
  group?: string[];
  /** One status or several, comma separated (active, inProgress, awaitingAction, resolved, redirected). */
  status?: string;
  top?: string;
  json?: boolean;
  ndjson?: boolean;
  db?: string;
}

type IncidentRow = ReturnType<typeof incidentSummary>;

const columns = (out: Output, names: Map<string, string>) => {
  const sev = (t: string) => (t === "high" ? out.palette.red(t) : t === "medium" ? out.palette.yellow(t) : t);
  return [
    { header: "TENANT", value: (i: IncidentRow) => names.get(i.tenantId) ?? i.tenantId, max: 20 },
    { header: "INCIDENT", value: (i: IncidentRow) => i.id },
    { header: "SEVERITY", value: (i: IncidentRow) => i.severity ?? "", style: sev },
    { header: "STATUS", value: (i: IncidentRow) => i.status ?? "" },
    { header: "ALERTS", value: (i: IncidentRow) => String(i.alertIds.length) },
    { header: "UPDATED", value: (i: IncidentRow) => (i.lastUpdateDateTime ? i.lastUpdateDateTime.slice(0, 19) : "") },
    { header: "NAME", value: (i: IncidentRow) => i.displayName ?? "", max: 60 },
  ];
};

/**
 * Lists stored incidents (`--tenant ID…` or `--all`, `--status`, `--top`,
 * `--json`/`--ndjson`; `--db` points at another store).
 *
 * @example runIncidentsList({ all: true, status: "active,inProgress", top: "20" }, ctx)
 */
export async function runIncidentsList(options: IncidentsListOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const statuses = enumValues(
    "--status",
    options.status
      ?.split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    INCIDENT_STATUSES,
  );
  const top = options.top !== undefined ? parseCount("--top", options.top, { min: 1, max: 100_000 }) : undefined;
  const storeUrl = options.db ?? loadConfig(ctx.home).storeUrl;
  return withStore(storeUrl, async (store) => {
    const tenants = await selectTenants(store, options);
    const names = new Map(tenants.map((t) => [t.id, t.name]));
    const rows: IncidentRow[] = [];
    let pageToken: string | null = null;
    let remaining = top ?? Number.POSITIVE_INFINITY;
    do {
      const page = await store.queryIncidents({
        tenantIds: tenants.map((t) => t.id),
        ...(statuses ? { statuses } : {}),
        limit: Math.min(1000, remaining),
        ...(pageToken ? { pageToken } : {}),
      });
      for (const incident of page.items) {
        const row = incidentSummary(incident);
        if (out.mode === "ndjson") out.record(row);
        else rows.push(row);
      }
      remaining -= page.items.length;
      pageToken = page.nextPageToken;
    } while (pageToken && remaining > 0);
    if (out.mode === "json") out.json(rows);
    else if (out.mode === "table") {
      out.table(columns(out, names), rows);
      const graph = tenants.filter((t) => t.alertSource === "graph").length;
      out.note(
        graph === 0
          ? "no selected tenant syncs from Microsoft Graph: incidents are synced for tenants whose alert source is graph"
          : `${rows.length} incident(s) from ${graph} of ${tenants.length} tenant(s) syncing from Microsoft Graph`,
      );
    }
    return EXIT.ok;
  });
}
