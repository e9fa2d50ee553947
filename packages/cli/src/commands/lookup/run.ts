/**
 * `mde-partner lookup file|ip|domain|user <value>`: where an indicator has been
 * seen across the customer tenants (all consented ones by default). Per tenant:
 * the entity (files), its organisation statistics — prevalence, first and last
 * seen (mde-api.md §5.7–§5.9) — and how many alerts and machines relate to it
 * (§5.7–§5.10). A tenant where it is unknown (file 404, prevalence 0 and nothing
 * related) is left out of the table and counted; a tenant that fails is reported
 * without losing the others.
 */
import { isIP } from "node:net";
import { isMdeError, type MdeApi } from "@mde-partner/client";
import { tenantOf } from "@mde-partner/sync";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { parseCount, usageError } from "../../errors.js";
import { forEachTenantReported } from "../../fan-out.js";
import { createOutput, type Output, type OutputFlags } from "../../output/output.js";
import { withPartner, withStore } from "../../partner.js";
import { parseTenantId, selectTenants } from "../../tenant-selection.js";

export type LookupKind = "file" | "ip" | "domain" | "user";

export interface LookupOptions extends OutputFlags {
  tenant?: string[];
  all?: boolean;
  group?: string[];
  lookBackHours?: string;
  concurrency?: string;
}

/** Related alerts and machines are counted up to this many per tenant (`alertsAtLeast` says when there were more). */
export const MAX_COUNT = 1000;

/** What one tenant knows of the value. */
export interface LookupRow {
  tenantId: string;
  tenantName: string;
  kind: LookupKind;
  value: string;
  /** The file entity (files only). */
  entity: Record<string, unknown> | null;
  organizationPrevalence: number | null;
  orgFirstSeen: string | null;
  orgLastSeen: string | null;
  /** The whole statistics answer (files: global prevalence, top file names). */
  stats: Record<string, unknown> | null;
  alerts: number | null;
  machines: number | null;
  /** True when a count stopped at {@link MAX_COUNT}. */
  truncated: boolean;
}

const shown = (v: string) => JSON.stringify(v.length > 60 ? `${v.slice(0, 60)}…` : v);
// A host name as the domains API takes it (the client's own check is the same; here it is a one-line usage error).
const DOMAIN = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62})(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,62}))*\.?$/;

/** Checks the value for its kind before any tenant is asked; bad input is one line and a hint. */
export function checkLookupValue(kind: LookupKind, raw: string): string {
  const value = String(raw ?? "").trim();
  switch (kind) {
    case "file":
      if (/^[0-9a-fA-F]{40}$/.test(value) || /^[0-9a-fA-F]{64}$/.test(value)) return value.toLowerCase();
      throw usageError(
        `${shown(value)} is not a SHA-1 or SHA-256`,
        /^[0-9a-fA-F]{32}$/.test(value)
          ? "MD5 is not looked up by the files API: give the file's SHA-1 or SHA-256"
          : "a file hash is 40 (SHA-1) or 64 (SHA-256) hex characters",
      );
    case "ip":
      if (isIP(value) !== 0) return value;
      throw usageError(`${shown(value)} is not an IP address`, "give an IPv4 (10.1.2.3) or IPv6 (2001:db8::1) address, without port or prefix length");
    case "domain": {
      if (DOMAIN.test(value)) return value.toLowerCase().replace(/\.$/, "");
      const host = /^[a-z]+:\/\/([^/:?#]+)/i.exec(value)?.[1];
      throw usageError(`${shown(value)} is not a domain name`, host ? `give the host name only: mde-partner lookup domain ${host}` : "a domain looks like contoso.com");
    }
    case "user":
      if (/^[^\\/@\s"'<>|:*?]{1,256}$/.test(value)) return value;
      if (/^[^\\]+\\[^\\]+$/.test(value)) throw usageError(`${shown(value)} names a domain`, `give the user name only: mde-partner lookup user ${value.split("\\")[1]}`);
      if (value.includes("@")) throw usageError(`${shown(value)} is a UPN`, `the users API takes the account name only: mde-partner lookup user ${value.split("@")[0]}`);
      throw usageError(`${shown(value)} is not a user name`, "give the account name (e.g. jdoe), not the UPN or domain\\user");
  }
}

async function count(list: AsyncIterable<unknown>): Promise<{ n: number; truncated: boolean }> {
  let n = 0;
  for await (const _ of list) if (++n >= MAX_COUNT) return { n, truncated: true };
  return { n, truncated: false };
}

const notFound = (error: unknown) => isMdeError(error, "ERR_MDE_NOT_FOUND");

/** What one tenant knows of the value, or null when it is unknown there. */
export async function lookupIn(api: MdeApi, kind: LookupKind, value: string, lookBackHours?: number): Promise<Omit<LookupRow, "tenantId" | "tenantName"> | null> {
  const statsOptions = lookBackHours !== undefined ? { lookBackHours } : {};
  const base = { kind, value, entity: null, organizationPrevalence: null, orgFirstSeen: null, orgLastSeen: null, stats: null, alerts: null, machines: null, truncated: false };
  const withStats = (stats: { organizationPrevalence?: number | null; orgFirstSeen?: string | null; orgLastSeen?: string | null } | null) => ({
    organizationPrevalence: stats?.organizationPrevalence ?? null,
    orgFirstSeen: stats?.orgFirstSeen ?? null,
    orgLastSeen: stats?.orgLastSeen ?? null,
    stats: (stats as Record<string, unknown> | null) ?? null,
  });
  switch (kind) {
    case "file": {
      let entity;
      try {
        entity = await api.files.get(value);
      } catch (error) {
        if (notFound(error)) return null;
        throw error;
      }
      const stats = await api.files.getStats(value, statsOptions).catch((error: unknown) => (notFound(error) ? null : Promise.reject(error)));
      // Related alerts and machines take the SHA-1 only: a SHA-256 lookup uses the entity's.
      const sha1 = /^[0-9a-f]{40}$/i.test(value) ? value : typeof entity.sha1 === "string" ? entity.sha1 : null;
      const [alerts, machines] = sha1 ? await Promise.all([count(api.files.listAlerts(sha1)), count(api.files.listMachines(sha1))]) : [null, null];
      return {
        ...base,
        entity: entity as unknown as Record<string, unknown>,
        ...withStats(stats),
        alerts: alerts?.n ?? null,
        machines: machines?.n ?? null,
        truncated: Boolean(alerts?.truncated || machines?.truncated),
      };
    }
    case "ip": {
      const [stats, alerts] = await Promise.all([api.ips.getStats(value, statsOptions), count(api.ips.listAlerts(value))]);
      if (!(stats.organizationPrevalence > 0) && alerts.n === 0) return null;
      return { ...base, ...withStats(stats), alerts: alerts.n, truncated: alerts.truncated };
    }
    case "domain": {
      const [stats, alerts, machines] = await Promise.all([
        api.domains.getStats(value, statsOptions),
        count(api.domains.listAlerts(value)),
        count(api.domains.listMachines(value)),
      ]);
      if (!(stats.organizationPrevalence > 0) && alerts.n === 0 && machines.n === 0) return null;
      return { ...base, ...withStats(stats), alerts: alerts.n, machines: machines.n, truncated: alerts.truncated || machines.truncated };
    }
    case "user": {
      const [alerts, machines] = await Promise.all([count(api.users.listAlerts(value)), count(api.users.listMachines(value))]);
      if (alerts.n === 0 && machines.n === 0) return null;
      return { ...base, alerts: alerts.n, machines: machines.n, truncated: alerts.truncated || machines.truncated };
    }
  }
}

const countText = (n: number | null, truncated: boolean) => (n === null ? "" : truncated && n >= MAX_COUNT ? `${n}+` : String(n));

function columns(kind: LookupKind) {
  return [
    { header: "TENANT", value: (r: LookupRow) => r.tenantName, max: 24 },
    ...(kind === "file"
      ? [
          { header: "FILE", value: (r: LookupRow) => (r.stats?.topFileNames as unknown[] | undefined)?.[0] ?? r.entity?.fileProductName ?? "", max: 32 },
          { header: "DETERMINATION", value: (r: LookupRow) => r.entity?.determinationValue ?? r.entity?.determinationType ?? "", max: 32 },
        ]
      : []),
    ...(kind !== "user"
      ? [
          { header: "PREVALENCE", value: (r: LookupRow) => (r.organizationPrevalence === null ? "" : String(r.organizationPrevalence)) },
          { header: "FIRST SEEN", value: (r: LookupRow) => (r.orgFirstSeen ? String(r.orgFirstSeen).slice(0, 19) : "") },
          { header: "LAST SEEN", value: (r: LookupRow) => (r.orgLastSeen ? String(r.orgLastSeen).slice(0, 19) : "") },
        ]
      : []),
    { header: "ALERTS", value: (r: LookupRow) => countText(r.alerts, r.truncated) },
    ...(kind !== "ip" ? [{ header: "MACHINES", value: (r: LookupRow) => countText(r.machines, r.truncated) }] : []),
  ];
}

export async function runLookup(kind: LookupKind, raw: string, options: LookupOptions, ctx: CommandContext): Promise<number> {
  const out: Output = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const value = checkLookupValue(kind, raw);
  const lookBackHours =
    options.lookBackHours !== undefined && kind !== "user" ? parseCount("--look-back-hours", options.lookBackHours, { min: 1, max: 720 }) : undefined;
  if (options.lookBackHours !== undefined && kind === "user") throw usageError("--look-back-hours does not apply to users (no statistics)");
  const concurrency = options.concurrency !== undefined ? parseCount("--concurrency", options.concurrency, { min: 1, max: 64 }) : 4;
  for (const id of options.tenant ?? []) parseTenantId(id);
  const tenants = await withStore(config.storeUrl, (store) => selectTenants(store, options, out));
  return withPartner(config, ctx, async (partner) => {
    const rows: LookupRow[] = [];
    let unknown = 0;
    const run = await forEachTenantReported(
      tenants,
      async (t) => {
        const found = await lookupIn(tenantOf(partner, t).mde, kind, value, lookBackHours);
        if (!found) {
          unknown++;
          return;
        }
        const row: LookupRow = { tenantId: t.id, tenantName: t.name, ...found };
        if (out.mode === "ndjson") out.record(row);
        else rows.push(row);
      },
      out,
      { concurrency },
    );
    rows.sort((a, b) => (b.organizationPrevalence ?? 0) - (a.organizationPrevalence ?? 0) || (b.alerts ?? 0) - (a.alerts ?? 0) || a.tenantName.localeCompare(b.tenantName));
    const summary = { searched: tenants.length, found: run.results.length - unknown, unknown, failed: run.failures.length };
    if (out.mode === "json") out.json({ kind, value, tenants: summary, results: rows });
    else if (out.mode === "table") {
      if (rows.length > 0) out.table(columns(kind), rows);
      out.note(
        `${kind} ${value}: seen in ${summary.found} of ${summary.searched} tenant(s); unknown in ${unknown}${summary.failed ? `; ${summary.failed} failed` : ""}`,
      );
    }
    return run.exitCode;
  });
}
