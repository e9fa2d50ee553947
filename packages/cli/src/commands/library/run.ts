/**
 * `mde-partner library list|upload|delete`: the live response library of customer
 * tenants (mde-api.md §5.18) — the scripts `machines live-response --script` runs
 * and the files `--put-file` puts. Uploads and deletions are audited
 * (`library.upload`, `library.delete`); deleting asks first, and without a
 * terminal needs `--yes`.
 */
import { createHash } from "node:crypto";
import { readFileSync, statSync } from "node:fs";
import { basename } from "node:path";
import { type LibraryFile, MAX_LIBRARY_FILE_BYTES } from "@mde-partner/client";
import { tenantOf } from "@mde-partner/sync";
import { auditedWrite } from "../../cli-audit.js";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, parseCount, usageError } from "../../errors.js";
import { forEachTenantReported } from "../../fan-out.js";
import { createOutput, type Output, type OutputFlags } from "../../output/output.js";
import { openPartner, withPartner, withStore } from "../../partner.js";
import { parseTenantId, requireTenant, selectTenants } from "../../tenant-selection.js";
import { confirmIrreversible } from "../confirm.js";

export interface LibraryListOptions extends OutputFlags {
  tenant?: string[];
  all?: boolean;
  group?: string[];
  concurrency?: string;
}

export type TenantLibraryFile = { tenantId: string } & LibraryFile;

const withTenant = (tenantId: string, f: LibraryFile): TenantLibraryFile => Object.assign({ tenantId }, f, { tenantId });

const columns = (names: Map<string, string>) => [
  { header: "TENANT", value: (f: TenantLibraryFile) => names.get(f.tenantId) ?? f.tenantId, max: 20 },
  { header: "FILE", value: (f: TenantLibraryFile) => f.fileName, max: 40 },
  { header: "PARAMS", value: (f: TenantLibraryFile) => (f.hasParameters ? "yes" : "no") },
  { header: "DESCRIPTION", value: (f: TenantLibraryFile) => f.description, max: 40 },
  { header: "CREATED BY", value: (f: TenantLibraryFile) => f.createdBy, max: 32 },
  { header: "UPDATED", value: (f: TenantLibraryFile) => (f.lastUpdatedTime ? String(f.lastUpdatedTime).slice(0, 19) : "") },
  { header: "SHA256", value: (f: TenantLibraryFile) => f.sha256, max: 64 },
];

export async function runLibraryList(options: LibraryListOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const concurrency = options.concurrency !== undefined ? parseCount("--concurrency", options.concurrency, { min: 1, max: 64 }) : 4;
  for (const id of options.tenant ?? []) parseTenantId(id);
  const tenants = await withStore(config.storeUrl, (store) => selectTenants(store, options, out));
  const names = new Map(tenants.map((t) => [t.id, t.name]));
  return withPartner(config, ctx, async (partner) => {
    const rows: TenantLibraryFile[] = [];
    const run = await forEachTenantReported(
      tenants,
      async (t) => {
        for await (const f of tenantOf(partner, t).mde.library.list()) {
          const row = withTenant(t.id, f);
          if (out.mode === "ndjson") out.record(row);
          else rows.push(row);
        }
      },
      out,
      { concurrency },
    );
    if (out.mode === "json") out.json(rows);
    else if (out.mode === "table") {
      out.table(columns(names), rows);
      if (run.results.length > 0) out.note(`${rows.length} library file(s) in ${run.results.length} of ${tenants.length} tenant(s)`);
    }
    return run.exitCode;
  });
}

/**
 * A library file name as the operator types it: one file name, no folder, no
 * control characters (it is a URL segment of `DELETE /api/libraryfiles/{fileName}`
 * and the name scripts are run by).
 */
export function checkLibraryFileName(value: string, flag = "file name"): string {
  const v = String(value ?? "").trim();
  if (v === "" || v.length > 255 || /[\\/\u0000-\u001f\u007f]/.test(v) || v === "." || v === "..")
    throw usageError(`${JSON.stringify(v.slice(0, 60))} is not a library ${flag}`, "give the name as mde-partner library list shows it, e.g. collect-logs.ps1");
  return v;
}

export interface LibraryUploadOptions extends OutputFlags {
  name?: string;
  description?: string;
  parametersDescription?: string;
  override?: boolean;
}

function printFile(out: Output, f: TenantLibraryFile): void {
  if (out.mode === "ndjson") out.record(f);
  else if (out.mode === "json") out.json(f);
  else
    out.fields(
      (["tenantId", "fileName", "description", "hasParameters", "parametersDescription", "sha256", "createdBy", "creationTime", "lastUpdatedTime"] as const).map(
        (k) => [k, (f as unknown as Record<string, unknown>)[k]] as const,
      ),
    );
}

export async function runLibraryUpload(tenantId: string, file: string, options: LibraryUploadOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  parseTenantId(tenantId);
  let size: number;
  try {
    const stat = statSync(file);
    if (!stat.isFile()) throw usageError(`${file} is not a file`, "give the path of the script or file to upload");
    size = stat.size;
  } catch (error) {
    if ((error as { code?: string }).code === "ENOENT") throw usageError(`${file} does not exist`, "give the path of the script or file to upload");
    throw error;
  }
  if (size > MAX_LIBRARY_FILE_BYTES) throw usageError(`${file} is ${size} bytes; the library takes files up to 20 MB`);
  const fileName = checkLibraryFileName(options.name ?? basename(file), "file name (--name)");
  for (const [flag, text] of [["--description", options.description], ["--parameters-description", options.parametersDescription]] as const)
    if (text !== undefined && text.length > 4000) throw usageError(`${flag} is longer than 4000 characters`);
  const content = readFileSync(file);
  const sha256 = createHash("sha256").update(content).digest("hex");
  return withStore(config.storeUrl, async (store) => {
    const tenant = await requireTenant(store, tenantId);
    const partner = openPartner(config, ctx);
    try {
      const uploaded = await auditedWrite(
        ctx,
        store,
        { action: "library.upload", tenantId: tenant.id, target: fileName, request: { fileName, size, sha256, override: options.override === true } },
        () =>
          tenantOf(partner, tenant).mde.library.upload({
            fileName,
            content: new Uint8Array(content),
            ...(options.description !== undefined ? { description: options.description } : {}),
            ...(options.parametersDescription !== undefined ? { parametersDescription: options.parametersDescription, hasParameters: true } : {}),
            ...(options.override ? { overrideIfExists: true } : {}),
          }),
        (f) => `uploaded ${f.fileName} (${size} bytes)`,
      );
      printFile(out, withTenant(tenant.id, uploaded));
      return EXIT.ok;
    } finally {
      await partner.close();
    }
  });
}

export interface LibraryDeleteOptions extends OutputFlags {
  yes?: boolean;
}

export async function runLibraryDelete(tenantId: string, name: string, options: LibraryDeleteOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  parseTenantId(tenantId);
  const fileName = checkLibraryFileName(name);
  return withStore(config.storeUrl, async (store) => {
    const tenant = await requireTenant(store, tenantId);
    if (!options.yes && !(await confirmIrreversible(ctx.io, `Delete ${fileName} from the live response library of ${tenant.name}?`, "library delete"))) {
      out.note("nothing done");
      return EXIT.failed;
    }
    const partner = openPartner(config, ctx);
    try {
      await auditedWrite(
        ctx,
        store,
        { action: "library.delete", tenantId: tenant.id, target: fileName, request: { fileName } },
        () => tenantOf(partner, tenant).mde.library.delete(fileName),
        () => `deleted ${fileName}`,
      );
      const row = { tenantId: tenant.id, fileName, deleted: true };
      if (out.mode === "ndjson") out.record(row);
      else if (out.mode === "json") out.json(row);
      else out.line(`deleted ${fileName} from ${tenant.name}`);
      return EXIT.ok;
    } finally {
      await partner.close();
    }
  });
}
