/**
 * `mde-partner alerts related <tenant-id> <alert-id>`: what an alert touches — its
 * machine, user, files, IPs and domains (mde-api.md §5.1, get-alert-related-*.md) —
 * in one view. Each relation is its own call with its own permission (Machine.Read.All,
 * User.Read.All, File.Read.All, Ip.Read.All, URL.Read.All): one that is refused is
 * reported on stderr and in `errors`, and the others are still shown (exit code 3).
 */
import type { AlertDomain, AlertIp, FileInfo, Machine, MdeApi, User } from "@mde-partner/client";
import { tenantOf } from "@mde-partner/sync";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { type CliError, EXIT, multiTenantExit, toCliError, usageError } from "../../errors.js";
import { createOutput, type Output, type OutputFlags } from "../../output/output.js";
import { withPartner, withStore } from "../../partner.js";
import { parseTenantId, requireTenant } from "../../tenant-selection.js";
import { checkAlertId } from "./run.js";

/** Most rows read per list relation (an alert's evidence is small; this is only a bound). */
const MAX_ROWS = 1000;

export interface AlertRelated {
  tenantId: string;
  alertId: string;
  /** null when the alert has no machine (404) or the relation could not be read (see `errors`). */
  machine: Machine | null;
  user: User | null;
  files: FileInfo[];
  ips: AlertIp[];
  domains: AlertDomain[];
  /** Relations that could not be read, with the stable error code. */
  errors: Array<{ relation: Relation; code: string; message: string }>;
}

type Relation = "machine" | "user" | "files" | "ips" | "domains";

async function listAll<T>(list: AsyncIterable<T>): Promise<T[]> {
  const rows: T[] = [];
  for await (const row of list) if (rows.push(row) >= MAX_ROWS) break;
  return rows;
}

/** One relation, or null (the alert has none: 404) — any other failure is rethrown to be reported. */
async function single<T>(get: () => Promise<T>): Promise<T | null> {
  try {
    return await get();
  } catch (error) {
    if ((error as { code?: unknown }).code === "ERR_MDE_NOT_FOUND") return null;
    throw error;
  }
}

export async function readAlertRelated(api: MdeApi, tenantId: string, alertId: string): Promise<{ related: AlertRelated; failures: CliError[] }> {
  const related: AlertRelated = { tenantId, alertId, machine: null, user: null, files: [], ips: [], domains: [], errors: [] };
  const failures: CliError[] = [];
  const read = async <K extends Relation>(relation: K, get: () => Promise<AlertRelated[K]>) => {
    try {
      related[relation] = await get();
    } catch (error) {
      const e = toCliError(error);
      failures.push(e);
      const code = (error as { code?: unknown }).code;
      related.errors.push({ relation, code: typeof code === "string" ? code : "ERR_UNKNOWN", message: e.message });
    }
  };
  await Promise.all([
    read("machine", () => single(() => api.alerts.getMachine(alertId))),
    read("user", () => single(() => api.alerts.getUser(alertId))),
    read("files", () => listAll(api.alerts.listFiles(alertId))),
    read("ips", () => listAll(api.alerts.listIps(alertId))),
    read("domains", () => listAll(api.alerts.listDomains(alertId))),
  ]);
  return { related, failures };
}

export async function runAlertsRelated(tenantId: string, alertId: string, options: OutputFlags, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  parseTenantId(tenantId);
  const id = checkAlertId(alertId);
  const tenant = await withStore(config.storeUrl, (store) => requireTenant(store, tenantId));
  return withPartner(config, ctx, async (partner) => {
    const api = tenantOf(partner, tenant).mde;
    // The alert first: a wrong id is one clear error, not five 404s.
    try {
      await api.alerts.get(id);
    } catch (error) {
      if ((error as { code?: unknown }).code === "ERR_MDE_NOT_FOUND")
        throw usageError(`alert ${id} does not exist in tenant ${tenant.name} (${tenant.id})`, `list them: mde-partner alerts list --tenant ${tenant.id}`);
      throw error;
    }
    const { related, failures } = await readAlertRelated(api, tenant.id, id);
    print(out, related);
    for (const e of related.errors) {
      const failure = failures[related.errors.indexOf(e)];
      out.error(`alert ${id}: its ${e.relation} could not be read: ${e.message}`, failure?.hint);
    }
    return failures.length === 0 ? EXIT.ok : multiTenantExit(failures, 5);
  });
}

function print(out: Output, r: AlertRelated): void {
  if (out.mode === "json") return out.json(r);
  if (out.mode === "ndjson") return out.record(r);
  const failed = new Set(r.errors.map((e) => e.relation));
  const heading = (relation: Relation, count?: number) =>
    out.line(`${relation}${count !== undefined ? ` (${count})` : ""}${failed.has(relation) ? ": could not be read" : ""}`, out.palette.bold);
  heading("machine");
  if (r.machine)
    out.fields(
      (["id", "computerDnsName", "osPlatform", "healthStatus", "riskScore", "lastIpAddress", "lastSeen"] as const).map(
        (k) => [`  ${k}`, (r.machine as unknown as Record<string, unknown>)[k]] as const,
      ),
    );
  else if (!failed.has("machine")) out.line("  none");
  heading("user");
  if (r.user)
    out.fields(
      (["id", "accountName", "accountDomain", "firstSeen", "lastSeen", "logonTypes", "isDomainAdmin"] as const).map(
        (k) => [`  ${k}`, (r.user as unknown as Record<string, unknown>)[k]] as const,
      ),
    );
  else if (!failed.has("user")) out.line("  none");
  heading("files", r.files.length);
  if (r.files.length > 0)
    out.table(
      [
        { header: "SHA1", value: (f: FileInfo) => f.sha1 },
        { header: "SHA256", value: (f: FileInfo) => f.sha256, max: 64 },
        { header: "TYPE", value: (f: FileInfo) => f.fileType },
        { header: "PUBLISHER", value: (f: FileInfo) => f.filePublisher, max: 32 },
        { header: "DETERMINATION", value: (f: FileInfo) => f.determinationValue ?? f.determinationType, max: 40 },
      ],
      r.files,
    );
  heading("ips", r.ips.length);
  if (r.ips.length > 0) out.table([{ header: "IP", value: (i: AlertIp) => i.id, max: 64 }], r.ips);
  heading("domains", r.domains.length);
  if (r.domains.length > 0) out.table([{ header: "DOMAIN", value: (d: AlertDomain) => d.host, max: 100 }], r.domains);
}
