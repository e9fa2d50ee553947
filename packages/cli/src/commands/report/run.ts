/**
 * `mde-partner report --tenant T | --group G --from YYYY-MM-DD --to YYYY-MM-DD --format html|pdf --out FILE`:
 * a customer's report from the store (as the last sync left it). `--monthly --out-dir DIR` writes
 * each customer's report of the last whole month once (an existing file is left alone), so cron can
 * run it daily; `--watch` keeps it running and checks every hour. With `--email-to` each file is
 * also mailed as an attachment once (mail.ts).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  collectReport,
  logoDataUri,
  parseDay,
  previousMonth,
  printReportPdf,
  type ReportBranding,
  ReportError,
  renderReportHtml,
  reportFileName,
} from "@mde-partner/server";
import type { Store } from "@mde-partner/sync";
import { absolutePath, loadConfig, type PartnerConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { CliError, EXIT, toCliError, usageError } from "../../errors.js";
import { createOutput } from "../../output/output.js";
import { openCliStore } from "../../partner.js";
import { untilStopped } from "../../signals.js";
import { checkTenantChoice, requireTenant, tenantIdsOfGroups } from "../../tenant-selection.js";
import { createReportMailer, mailFailure, type ReportMailOptions } from "./mail.js";

export interface ReportCommandOptions extends ReportMailOptions {
  tenant?: string[];
  group?: string[];
  from?: string;
  to?: string;
  format?: string;
  out?: string;
  partnerName?: string;
  logo?: string;
  chromium?: string;
  monthly?: boolean;
  outDir?: string;
  watch?: boolean;
  db?: string;
  quiet?: boolean;
}

/** How often `--monthly --watch` looks for a month whose reports are due. */
export const WATCH_INTERVAL_MS = 3_600_000;

/** `report` in config.json: `{ "partnerName": "…", "logoFile": "/path/logo.svg" }`. */
function reportConfig(config: PartnerConfig): { partnerName?: string; logoFile?: string } {
  const raw = (config as { report?: unknown }).report;
  if (raw === undefined) return {};
  const o = raw as Record<string, unknown>;
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) throw usageError("config.json: report must be an object");
  if (o.partnerName !== undefined && typeof o.partnerName !== "string") throw usageError("config.json: report.partnerName must be text");
  if (o.logoFile !== undefined && typeof o.logoFile !== "string") throw usageError("config.json: report.logoFile must be a file path");
  return { ...(typeof o.partnerName === "string" ? { partnerName: o.partnerName } : {}), ...(typeof o.logoFile === "string" ? { logoFile: o.logoFile } : {}) };
}

function branding(options: ReportCommandOptions, config: PartnerConfig): ReportBranding {
  const configured = reportConfig(config);
  const partnerName = options.partnerName ?? configured.partnerName;
  const logoFile = options.logo ?? configured.logoFile;
  let logo: string | undefined;
  if (logoFile !== undefined) {
    let bytes: Buffer;
    try {
      bytes = readFileSync(absolutePath(logoFile));
    } catch (error) {
      throw usageError(`cannot read the logo ${logoFile}: ${(error as NodeJS.ErrnoException).code ?? "error"}`);
    }
    try {
      logo = logoDataUri(bytes, logoFile);
    } catch (error) {
      if (error instanceof ReportError) throw usageError(error.message, "a PNG, or an SVG without scripts, event handlers or external links");
      throw error;
    }
  }
  return { ...(partnerName !== undefined ? { partnerName } : {}), ...(logo !== undefined ? { logo } : {}) };
}

function parseFormat(value: string | undefined): "html" | "pdf" {
  const format = value ?? "html";
  if (format !== "html" && format !== "pdf") throw usageError(`--format must be html or pdf, got ${JSON.stringify(format)}`);
  return format;
}

function dayOption(flag: string, value: string | undefined): string {
  if (value === undefined) throw usageError(`${flag} is required (YYYY-MM-DD)`);
  try {
    parseDay(value, flag);
  } catch (error) {
    throw usageError((error as Error).message);
  }
  return value;
}

/** Writes `bytes` to `file` through a temporary file beside it, so a reader never sees half a report. */
function writeAtomically(file: string, bytes: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.partial`;
  try {
    writeFileSync(tmp, bytes, { mode: 0o600 });
    renameSync(tmp, file);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw error;
  }
}

interface Customer {
  readonly kind: "tenant" | "group";
  readonly name: string;
  readonly tenantIds: readonly string[];
}

/**
 * Each customer's file name for `month`. Names are free text and reduce to fewer file names than
 * there are names ("Contoso" and "Contoso!", two names in another script, or names that differ in
 * case only, on a case-insensitive disk): customers who would share a file each get their own id
 * in it — otherwise the first one's report would stand for the others and they would get none.
 */
async function fileNames(store: Store, customers: readonly Customer[], groups: string[] | undefined, month: string, format: "html" | "pdf"): Promise<string[]> {
  // Counted over every customer of the kind, not only this run's (`--tenant`), so a customer's file keeps its name.
  const everyName = groups ? (await store.listGroups()).map((g) => g.name) : (await store.listTenants()).map((t) => t.name || t.id);
  const key = (name: string) => reportFileName(name, month, format).toLowerCase();
  const seen = new Map<string, number>();
  for (const name of everyName) seen.set(key(name), (seen.get(key(name)) ?? 0) + 1);
  return customers.map((c) => {
    const plain = reportFileName(c.name, month, format);
    if ((seen.get(plain.toLowerCase()) ?? 0) < 2) return plain;
    const id = c.kind === "tenant" ? c.tenantIds[0]!.slice(0, 8) : createHash("sha256").update(c.name).digest("hex").slice(0, 8);
    return reportFileName(c.name, month, format, id);
  });
}

async function makeReport(
  store: Store,
  customer: Customer,
  period: { from: string; to: string },
  format: "html" | "pdf",
  look: ReportBranding,
  chromium: string | undefined,
): Promise<string | Uint8Array> {
  const data = await collectReport(store, { subject: { kind: customer.kind, name: customer.name }, tenantIds: customer.tenantIds, ...period });
  const html = renderReportHtml(data, look);
  if (format === "html") return html;
  try {
    return await printReportPdf(html, chromium !== undefined ? { chromiumPath: chromium } : {});
  } catch (error) {
    if (error instanceof ReportError && error.code === "ERR_REPORT_CHROMIUM_MISSING") {
      throw new CliError(error.message.split(":")[0]!, EXIT.failed, "install Debian's chromium (apt-get install chromium), pass --chromium PATH, or use --format html");
    }
    if (error instanceof ReportError) throw new CliError(`${error.message} (${error.code})`, EXIT.failed);
    throw error;
  }
}

/** The customers `--monthly` reports on: each named group, else each named tenant, else every tenant. */
async function customersOf(store: Store, options: ReportCommandOptions, groups: string[] | undefined): Promise<Customer[]> {
  if (groups) {
    await tenantIdsOfGroups(store, groups);
    const out: Customer[] = [];
    for (const name of groups) out.push({ kind: "group", name, tenantIds: await tenantIdsOfGroups(store, [name]) });
    return out;
  }
  if (options.tenant?.length) {
    const out: Customer[] = [];
    for (const id of options.tenant) {
      const t = await requireTenant(store, id);
      out.push({ kind: "tenant", name: t.name || t.id, tenantIds: [t.id] });
    }
    return out;
  }
  return (await store.listTenants()).map((t) => ({ kind: "tenant", name: t.name || t.id, tenantIds: [t.id] }));
}

export async function runReport(options: ReportCommandOptions, ctx: CommandContext, now: () => number = Date.now): Promise<number> {
  const out = createOutput(ctx.io, { quiet: options.quiet });
  const format = parseFormat(options.format);
  const groups = checkTenantChoice(options);
  if (options.monthly) return runMonthly(options, ctx, format, groups, now);
  if (options.outDir !== undefined || options.watch) throw usageError("--out-dir and --watch go with --monthly");
  if (options.emailTo !== undefined || options.smtp !== undefined) throw usageError("--email-to and --smtp go with --monthly (a single report is written to --out)");
  const tenants = options.tenant ?? [];
  if (tenants.length === 0 && !groups) throw usageError("name the customer: --tenant <id> or --group <name>");
  if (tenants.length > 1 || (groups?.length ?? 0) > 1) throw usageError("a report is for one tenant or one group (--monthly makes one per customer)");
  const from = dayOption("--from", options.from);
  const to = dayOption("--to", options.to);
  if (to < from) throw usageError(`--to (${to}) is before --from (${from})`);
  if (options.out === undefined) throw usageError("--out <file> is required");
  const file = absolutePath(options.out);
  const config = loadConfig(ctx.home);
  const look = branding(options, config);
  const store = await openCliStore(options.db ?? config.storeUrl, ctx.io.env);
  try {
    let customer: Customer;
    if (groups) {
      const ids = await tenantIdsOfGroups(store, groups);
      if (ids.length === 0) throw usageError(`there are no tenants in group ${groups[0]}`, `add some: mde-partner groups add ${groups[0]} <tenant-id>…`);
      customer = { kind: "group", name: groups[0]!, tenantIds: ids };
    } else {
      const t = await requireTenant(store, tenants[0]!);
      customer = { kind: "tenant", name: t.name || t.id, tenantIds: [t.id] };
    }
    const bytes = await makeReport(store, customer, { from, to }, format, look, options.chromium);
    writeAtomically(file, bytes);
    out.note(`wrote the ${format.toUpperCase()} report for ${customer.name} (${from} to ${to}) to ${file}`);
    return EXIT.ok;
  } catch (error) {
    throw toCliError(error);
  } finally {
    await store.close();
  }
}

async function runMonthly(options: ReportCommandOptions, ctx: CommandContext, format: "html" | "pdf", groups: string[] | undefined, now: () => number): Promise<number> {
  const out = createOutput(ctx.io, { quiet: options.quiet });
  if (options.from !== undefined || options.to !== undefined) throw usageError("--monthly reports the last whole month: leave out --from and --to");
  if (options.out !== undefined) throw usageError("--monthly writes one file per customer: use --out-dir, not --out");
  if (options.outDir === undefined) throw usageError("--monthly needs --out-dir <dir>");
  const dir = absolutePath(options.outDir);
  const config = loadConfig(ctx.home);
  const look = branding(options, config);
  const mailer = createReportMailer(options, ctx.io.env, writeAtomically, now);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stopped = options.watch ? untilStopped() : undefined;
  let running = true;
  void stopped?.then(() => {
    running = false;
  });
  let failures = 0;
  let made = 0;
  do {
    const period = previousMonth(now());
    const store = await openCliStore(options.db ?? config.storeUrl, ctx.io.env);
    try {
      const customers = await customersOf(store, options, groups);
      const names = await fileNames(store, customers, groups, period.month, format);
      for (const [i, customer] of customers.entries()) {
        const file = join(dir, names[i]!);
        if (!existsSync(file)) {
          try {
            writeAtomically(file, await makeReport(store, customer, period, format, look, options.chromium));
            out.note(`wrote ${file}`);
            made++;
          } catch (error) {
            failures++;
            out.warn(`the report for ${customer.name} failed: ${toCliError(error).message}`);
            continue;
          }
        }
        if (!mailer || mailer.wasSent(file)) continue;
        try {
          await mailer.send(file, { customer: customer.name, ...period });
          out.note(`mailed ${file} to ${mailer.to.join(", ")}`);
          made++;
        } catch (error) {
          failures++;
          out.warn(`mailing the report for ${customer.name} failed: ${mailFailure(error)}`);
        }
      }
    } finally {
      await store.close();
    }
    if (!options.watch) break;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([stopped, new Promise((resolve) => (timer = setTimeout(resolve, WATCH_INTERVAL_MS)))]);
    clearTimeout(timer);
  } while (running);
  if (failures === 0) return EXIT.ok;
  return made > 0 ? EXIT.partial : EXIT.failed;
}
