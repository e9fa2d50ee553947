/**
 * `mde-partner tvm vulnerabilities|software|recommendations|missing-kbs|exposure-score|secure-score`:
 * vulnerability management of one tenant (`<tenant-id>` or `--tenant`) or of many
 * (`--all`), merged with a `tenant` column and sorted so the worst comes first —
 * CVEs by exposed machines, software by exposed machines and weaknesses,
 * recommendations by severity score, KBs by machines missing them, exposure
 * score descending, secure score ascending (mde-api.md §5.11–§5.14). A tenant that
 * fails is reported on stderr without losing the others' rows.
 */
import type { MachineRef, MdeApi, MissingKb, Recommendation, Software, Vulnerability } from "@mde-partner/client";
import { isMdeError } from "@mde-partner/client";
import { type TenantRecord, tenantOf } from "@mde-partner/sync";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { parseCount, usageError } from "../../errors.js";
import { forEachTenantReported } from "../../fan-out.js";
import { enumValues } from "../../odata-options.js";
import { createOutput, type Output, type OutputFlags } from "../../output/output.js";
import type { Column } from "../../output/table.js";
import { withPartner, withStore } from "../../partner.js";
import { parseTenantId, selectTenants } from "../../tenant-selection.js";
import { checkMachineId } from "../machines/run.js";

export type TvmKind = "vulnerabilities" | "software" | "recommendations" | "missing-kbs" | "exposure-score" | "secure-score";

export interface TvmOptions extends OutputFlags {
  tenant?: string[];
  all?: boolean;
  group?: string[];
  severity?: string[];
  cve?: string[];
  machine?: string;
  software?: string;
  top?: string;
  concurrency?: string;
}

/** A row with its tenant first (`tenant` is the tenant's name, `tenantId` its id). */
export type TenantRow<T> = { tenantId: string; tenant: string } & T;

const SEVERITIES = ["Low", "Medium", "High", "Critical"];
const SEVERITY_RANK: Record<string, number> = { Critical: 4, High: 3, Medium: 2, Low: 1 };
/** Software products read for `missing-kbs` of a whole tenant (those with the most weaknesses first). */
export const MISSING_KB_SOFTWARE_MAX = 50;

const CVE = /^CVE-\d{4}-\d{4,}$/i;
/** A CVE id, upper-cased; bad input otherwise. */
export function checkCve(value: string): string {
  const v = String(value ?? "").trim();
  if (!CVE.test(v)) throw usageError(`${JSON.stringify(v.slice(0, 60))} is not a CVE id`, "CVE ids look like CVE-2024-21412");
  return v.toUpperCase();
}

/** A TVM software id (`vendor-_-product`). */
function checkSoftwareId(value: string): string {
  const v = String(value ?? "").trim();
  if (!/^[^\s/\\?#]{1,200}-_-[^\s/\\?#]{1,200}$/.test(v))
    throw usageError(`${JSON.stringify(v.slice(0, 60))} is not a software id`, "software ids look like microsoft-_-edge (the SOFTWARE column of mde-partner tvm software)");
  return v;
}

/** `[tenant-id]` or `--tenant`/`--all`: the same selection either way. */
export function tenantSelection(tenantId: string | undefined, options: TvmOptions): { tenant?: string[]; all?: boolean; group?: string[] } {
  if (tenantId === undefined)
    return {
      ...(options.tenant ? { tenant: options.tenant } : {}),
      ...(options.all ? { all: true } : {}),
      ...(options.group ? { group: options.group } : {}),
    };
  if ((options.tenant?.length ?? 0) > 0 || options.all) throw usageError("give the tenant either as an argument or with --tenant/--all, not both");
  if ((options.group?.length ?? 0) > 0) throw usageError("give the tenant either as an argument or with --group, not both");
  return { tenant: [tenantId] };
}

async function all<T>(list: AsyncIterable<T>): Promise<T[]> {
  const rows: T[] = [];
  for await (const row of list) rows.push(row);
  return rows;
}

const num = (v: unknown) => (typeof v === "number" && Number.isFinite(v) ? v : 0);
const day = (v: unknown) => (v ? String(v).slice(0, 10) : "");
const tenantColumn = <T>(): Column<TenantRow<T>> => ({ header: "TENANT", value: (r) => r.tenant, max: 20 });

interface KindSpec<T> {
  read(api: MdeApi, o: Resolved): Promise<T[]>;
  compare(a: T, b: T): number;
  columns(out: Output): Column<TenantRow<T>>[];
}

interface Resolved {
  severities: string[] | undefined;
  cves: string[] | undefined;
  machine: string | undefined;
  software: string | undefined;
}

const VULNERABILITIES: KindSpec<Vulnerability> = {
  async read(api, o) {
    const rows = o.machine
      ? await all(api.machines.listVulnerabilities(o.machine))
      : await all(
          api.vulnerabilities.list(
            o.severities || o.cves
              ? {
                  filter: (f) => {
                    const parts = [];
                    if (o.severities) parts.push(f.anyOf("severity", o.severities));
                    if (o.cves) parts.push(f.anyOf("id", o.cves));
                    return parts.length === 1 ? parts[0]! : f.and(...parts);
                  },
                }
              : {},
          ),
        );
    // A machine's list is not filtered by the service: the same filters here.
    return rows.filter(
      (v) => (!o.severities || o.severities.includes(String(v.severity))) && (!o.cves || o.cves.includes(String(v.id).toUpperCase())),
    );
  },
  compare: (a, b) =>
    num(b.exposedMachines) - num(a.exposedMachines) || (SEVERITY_RANK[String(b.severity)] ?? 0) - (SEVERITY_RANK[String(a.severity)] ?? 0) || num(b.cvssV3) - num(a.cvssV3),
  columns: (out) => [
    tenantColumn(),
    { header: "CVE", value: (v) => v.id },
    {
      header: "SEVERITY",
      value: (v) => v.severity,
      style: (t) => (t === "Critical" || t === "High" ? out.palette.red(t) : t === "Medium" ? out.palette.yellow(t) : t),
    },
    { header: "CVSS", value: (v) => v.cvssV3 ?? "", align: "right" },
    { header: "EXPOSED", value: (v) => v.exposedMachines, align: "right" },
    { header: "EXPLOIT", value: (v) => (v.exploitVerified ? "verified" : v.publicExploit ? "public" : "") },
    { header: "PUBLISHED", value: (v) => day(v.publishedOn) },
    { header: "NAME", value: (v) => v.name, max: 50 },
  ],
};

const SOFTWARE: KindSpec<Software> = {
  read: (api, o) => all(o.machine ? api.machines.listSoftware(o.machine) : api.software.list()),
  compare: (a, b) => num(b.exposedMachines) - num(a.exposedMachines) || num(b.weaknesses) - num(a.weaknesses) || num(b.impactScore) - num(a.impactScore),
  columns: () => [
    tenantColumn(),
    { header: "SOFTWARE", value: (s) => s.id, max: 48 },
    { header: "VENDOR", value: (s) => s.vendor, max: 24 },
    { header: "NAME", value: (s) => s.name, max: 32 },
    { header: "WEAKNESSES", value: (s) => s.weaknesses, align: "right" },
    { header: "EXPOSED", value: (s) => s.exposedMachines, align: "right" },
    { header: "EXPLOIT", value: (s) => (s.publicExploit ? "yes" : "") },
    { header: "ALERT", value: (s) => (s.activeAlert ? "yes" : "") },
    { header: "IMPACT", value: (s) => (typeof s.impactScore === "number" ? s.impactScore.toFixed(2) : ""), align: "right" },
  ],
};

const RECOMMENDATIONS: KindSpec<Recommendation> = {
  read: (api, o) => all(o.machine ? api.machines.listRecommendations(o.machine) : api.recommendations.list()),
  compare: (a, b) => num(b.severityScore) - num(a.severityScore) || num(b.exposedMachinesCount) - num(a.exposedMachinesCount),
  columns: () => [
    tenantColumn(),
    { header: "RECOMMENDATION", value: (r) => r.recommendationName, max: 50 },
    { header: "SCORE", value: (r) => (typeof r.severityScore === "number" ? r.severityScore.toFixed(1) : ""), align: "right" },
    { header: "EXPOSED", value: (r) => r.exposedMachinesCount ?? "", align: "right" },
    { header: "CATEGORY", value: (r) => r.recommendationCategory },
    { header: "REMEDIATION", value: (r) => r.remediationType },
    { header: "STATUS", value: (r) => r.status },
    { header: "ID", value: (r) => r.id, max: 48 },
  ],
};

/** KBs of the tenant: of one machine, of one software product, or merged over the software with weaknesses. */
const MISSING_KBS: KindSpec<MissingKb> = {
  async read(api, o) {
    if (o.machine) return all(api.machines.listMissingKbs(o.machine));
    if (o.software) return all(api.software.listMissingKbs(o.software));
    const products = (await all(api.software.list())).filter((s) => num(s.weaknesses) > 0);
    products.sort((a, b) => num(b.weaknesses) - num(a.weaknesses));
    const merged = new Map<string, MissingKb>();
    for (const s of products.slice(0, MISSING_KB_SOFTWARE_MAX)) {
      for (const kb of await all(api.software.listMissingKbs(s.id))) {
        const seen = merged.get(kb.id);
        if (!seen) merged.set(kb.id, { ...kb, productsNames: [...(kb.productsNames ?? [])] });
        else {
          for (const p of kb.productsNames ?? []) if (!seen.productsNames.includes(p)) seen.productsNames.push(p);
          seen.machineMissedOn = Math.max(num(seen.machineMissedOn), num(kb.machineMissedOn));
          seen.cveAddressed = Math.max(num(seen.cveAddressed), num(kb.cveAddressed));
        }
      }
    }
    return [...merged.values()];
  },
  compare: (a, b) => num(b.machineMissedOn) - num(a.machineMissedOn) || num(b.cveAddressed) - num(a.cveAddressed),
  columns: () => [
    tenantColumn(),
    { header: "KB", value: (k) => k.id },
    { header: "MACHINES", value: (k) => k.machineMissedOn ?? "", align: "right" },
    { header: "CVES", value: (k) => k.cveAddressed ?? "", align: "right" },
    { header: "PRODUCTS", value: (k) => k.productsNames, max: 40 },
    { header: "NAME", value: (k) => k.name, max: 50 },
  ],
};

interface ScoreRow {
  score: number;
  time: string;
}

const scoreSpec = (read: (api: MdeApi) => Promise<{ score: number; time: string }>, descending: boolean): KindSpec<ScoreRow> => ({
  read: async (api) => {
    const s = await read(api);
    return [{ score: s.score, time: String(s.time) }];
  },
  compare: (a, b) => (descending ? num(b.score) - num(a.score) : num(a.score) - num(b.score)),
  columns: () => [
    tenantColumn(),
    { header: "SCORE", value: (s) => (typeof s.score === "number" ? s.score.toFixed(2) : ""), align: "right" },
    { header: "TIME", value: (s) => String(s.time).slice(0, 19) },
  ],
});

// Each kind keeps its own row type; the runner only passes rows back to the same kind's compare and columns.
type AnySpec = KindSpec<Record<string, unknown>>;
const KINDS: Record<TvmKind, AnySpec> = {
  vulnerabilities: VULNERABILITIES as unknown as AnySpec,
  software: SOFTWARE as unknown as AnySpec,
  recommendations: RECOMMENDATIONS as unknown as AnySpec,
  "missing-kbs": MISSING_KBS as unknown as AnySpec,
  "exposure-score": scoreSpec((api) => api.scores.getExposureScore(), true) as unknown as AnySpec,
  "secure-score": scoreSpec((api) => api.scores.getConfigurationScore(), false) as unknown as AnySpec,
};

/** Which filters each list takes (the rest are refused as bad input rather than ignored). */
const TAKES: Record<TvmKind, ReadonlyArray<"severity" | "cve" | "machine" | "software" | "top">> = {
  vulnerabilities: ["severity", "cve", "machine", "top"],
  software: ["machine", "top"],
  recommendations: ["machine", "top"],
  "missing-kbs": ["machine", "software", "top"],
  "exposure-score": [],
  "secure-score": [],
};

export async function runTvm(kind: TvmKind, tenantId: string | undefined, options: TvmOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const spec = KINDS[kind];
  for (const flag of ["severity", "cve", "machine", "software", "top"] as const)
    if (options[flag] !== undefined && !TAKES[kind].includes(flag)) throw usageError(`--${flag} does not apply to tvm ${kind}`);
  const selection = tenantSelection(tenantId, options);
  for (const id of selection.tenant ?? []) parseTenantId(id);
  const resolved: Resolved = {
    severities: enumValues("--severity", options.severity, SEVERITIES),
    cves: options.cve?.map(checkCve),
    machine: options.machine !== undefined ? checkMachineId(options.machine) : undefined,
    software: options.software !== undefined ? checkSoftwareId(options.software) : undefined,
  };
  if (resolved.machine && resolved.software) throw usageError("use either --machine or --software, not both");
  if (resolved.machine && (selection.tenant?.length ?? 0) !== 1)
    throw usageError("--machine goes with one tenant", `mde-partner tvm ${kind} <tenant-id> --machine ${resolved.machine}`);
  const top = options.top !== undefined ? parseCount("--top", options.top, { min: 1, max: 100_000 }) : undefined;
  const concurrency = options.concurrency !== undefined ? parseCount("--concurrency", options.concurrency, { min: 1, max: 64 }) : 4;
  const tenants = await withStore(config.storeUrl, (store) => selectTenants(store, selection, out));
  return withPartner(config, ctx, async (partner) => {
    const rows: Array<TenantRow<Record<string, unknown>>> = [];
    const run = await forEachTenantReported(
      tenants,
      async (t: TenantRecord) => {
        for (const row of await spec.read(tenantOf(partner, t).mde, resolved)) rows.push(Object.assign({ tenantId: t.id, tenant: t.name }, row, { tenantId: t.id, tenant: t.name }));
      },
      out,
      { concurrency },
    );
    rows.sort((a, b) => spec.compare(a, b) || a.tenant.localeCompare(b.tenant));
    const shown = top !== undefined ? rows.slice(0, top) : rows;
    if (out.mode === "json") out.json(shown);
    else if (out.mode === "ndjson") for (const r of shown) out.record(r);
    else {
      out.table(spec.columns(out), shown);
      if (run.results.length > 0)
        out.note(`${shown.length}${shown.length < rows.length ? ` of ${rows.length}` : ""} row(s) from ${run.results.length} of ${tenants.length} tenant(s)`);
    }
    return run.exitCode;
  });
}

export interface MachinesByCveOptions extends OutputFlags {
  tenant?: string[];
  all?: boolean;
  group?: string[];
  concurrency?: string;
}

/**
 * `tvm machines-by-cve <cve>`: the machines exposed to a CVE in every tenant
 * (`GET /api/vulnerabilities/{cve}/machineReferences`); a tenant that does not
 * know the CVE (404) has none and is counted, not failed.
 */
export async function runMachinesByCve(cve: string, options: MachinesByCveOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const id = checkCve(cve);
  for (const t of options.tenant ?? []) parseTenantId(t);
  const concurrency = options.concurrency !== undefined ? parseCount("--concurrency", options.concurrency, { min: 1, max: 64 }) : 4;
  const tenants = await withStore(config.storeUrl, (store) => selectTenants(store, options, out));
  return withPartner(config, ctx, async (partner) => {
    const rows: Array<TenantRow<MachineRef>> = [];
    let exposedTenants = 0;
    const run = await forEachTenantReported(
      tenants,
      async (t) => {
        let refs: MachineRef[];
        try {
          refs = await all(tenantOf(partner, t).mde.vulnerabilities.listMachineReferences(id));
        } catch (error) {
          if (isMdeError(error, "ERR_MDE_NOT_FOUND")) return;
          throw error;
        }
        if (refs.length > 0) exposedTenants++;
        for (const r of refs) {
          const row = Object.assign({ tenantId: t.id, tenant: t.name }, r, { tenantId: t.id, tenant: t.name });
          if (out.mode === "ndjson") out.record(row);
          else rows.push(row);
        }
      },
      out,
      { concurrency },
    );
    rows.sort((a, b) => a.tenant.localeCompare(b.tenant) || String(a.computerDnsName ?? "").localeCompare(String(b.computerDnsName ?? "")));
    if (out.mode === "json") out.json(rows);
    else if (out.mode === "table") {
      if (rows.length > 0)
        out.table(
          [
            tenantColumn<MachineRef>(),
            { header: "MACHINE", value: (r) => r.id },
            { header: "NAME", value: (r) => r.computerDnsName, max: 32 },
            { header: "OS", value: (r) => r.osPlatform },
            { header: "GROUP", value: (r) => r.rbacGroupName, max: 24 },
          ],
          rows,
        );
      out.note(`${id}: ${rows.length} exposed machine(s) in ${exposedTenants} of ${tenants.length} tenant(s)${run.failures.length ? `; ${run.failures.length} failed` : ""}`);
    }
    return run.exitCode;
  });
}
