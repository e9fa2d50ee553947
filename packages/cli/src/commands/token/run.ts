/**
 * `mde-partner token get|inspect`: an app-only token for a customer tenant
 * (for piping into curl), and a local, offline jwt.ms: every validation check
 * with pass/fail and its reason (mde-api.md §1.8, §1.9). A token is read from
 * stdin with `-`, so it need never appear in argv or shell history.
 */
import { findPermission, type InspectionCheck, type TokenInspection } from "@mde-partner/client";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, usageError } from "../../errors.js";
import { readAll } from "../../io.js";
import { createOutput, type OutputOptions } from "../../output/output.js";
import { withPartner, withStore } from "../../partner.js";
import { parseTenantId, requireTenant } from "../../tenant-selection.js";

export interface TokenGetOptions extends OutputOptions {
  v1?: boolean;
  v2?: boolean;
}

function tokenVersion(options: { v1?: boolean | undefined; v2?: boolean | undefined }): "v1" | "v2" | undefined {
  if (options.v1 && options.v2) throw usageError("use either --v1 or --v2");
  return options.v1 ? "v1" : options.v2 ? "v2" : undefined;
}

function expiresAt(token: string): string | undefined {
  try {
    const payload = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString("utf8")) as { exp?: unknown };
    return typeof payload.exp === "number" ? new Date(payload.exp * 1000).toISOString() : undefined;
  } catch {
    return undefined;
  }
}

export async function runTokenGet(tenantId: string, options: TokenGetOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const version = tokenVersion(options);
  parseTenantId(tenantId);
  const tenant = await withStore(config.storeUrl, (store) => requireTenant(store, tenantId));
  return withPartner(
    config,
    ctx,
    async (partner) => {
      const token = await partner.getToken(tenant.id);
      const exp = expiresAt(token);
      if (out.mode !== "table")
        out.json({ tenantId: tenant.id, accessToken: token, tokenType: "Bearer", ...(exp ? { expiresOn: exp } : {}) });
      else {
        if (ctx.io.stdout.isTTY) {
          out.warn(`this is a bearer token for ${tenant.name}: anyone holding it can call the API as your app until ${exp ?? "it expires"}`);
        }
        out.data(token);
      }
      return EXIT.ok;
    },
    version ? { tokenVersion: version } : {},
  );
}

export interface TokenInspectOptions extends OutputOptions {
  token?: string;
  tenant?: string;
  require?: string[];
  v1?: boolean;
  v2?: boolean;
}

/** `token inspect <tenant-id> | - | --token JWT`. */
export async function runTokenInspect(target: string | undefined, options: TokenInspectOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const required = (options.require ?? []).map((name) => {
    const p = findPermission(name);
    if (!p)
      throw usageError(
        `--require: ${JSON.stringify(name)} is not a WindowsDefenderATP permission`,
        "see mde-partner app permissions for the names",
      );
    return p.name;
  });
  const version = tokenVersion(options);
  const sources = [target !== undefined, options.token !== undefined].filter(Boolean).length;
  if (sources !== 1) throw usageError("give one token source: a tenant id, - (read the token from stdin), or --token JWT");
  let token: string | undefined;
  let expectedTenant: string | undefined;
  if (options.tenant !== undefined) expectedTenant = parseTenantId(options.tenant);
  if (options.token !== undefined) token = options.token.trim();
  else if (target === "-") {
    token = (await readAll(ctx.io.stdin)).trim();
    if (token === "") throw usageError("no token on stdin", "pipe one in: mde-partner token get <tenant-id> | mde-partner token inspect -");
  } else {
    parseTenantId(target!);
    if (options.tenant !== undefined)
      throw usageError("--tenant is for a token from stdin or --token; the tenant argument already names it");
    const tenant = await withStore(config.storeUrl, (store) => requireTenant(store, target!));
    expectedTenant = tenant.id;
  }
  if (token !== undefined && !/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token)) {
    throw usageError("that is not a JWT (three base64url parts separated by dots)");
  }
  const report = await withPartner(
    config,
    ctx,
    async (partner) => {
      const jwt = token ?? (await partner.getToken(expectedTenant!));
      return partner.inspectToken(jwt, { ...(expectedTenant ? { expectedTenantId: expectedTenant } : {}), requiredRoles: required });
    },
    { inspectOnly: token !== undefined, ...(version ? { tokenVersion: version } : {}) },
  );
  printInspection(report, out);
  return report.ok ? EXIT.ok : EXIT.failed;
}

/** Prints an inspection: the facts, then every check with its status and reason. */
export function printInspection(report: TokenInspection, out: ReturnType<typeof createOutput>): void {
  if (out.mode !== "table") {
    out.json({ ok: report.ok, summary: report.summary, checks: report.checks, header: report.header, claims: report.claims });
    return;
  }
  const s = report.summary;
  if (s) {
    // Claims come from whoever issued the token: printed through the output's safe field view.
    out.fields([
      ["tid", s.tenantId ?? "(none)"],
      ["appid", s.appId ?? "(none)"],
      ["aud", Array.isArray(s.audience) ? s.audience.join(", ") : (s.audience ?? "(none)")],
      ["ver", s.version ?? "(none)"],
      ["expires", s.expiresAt?.toISOString() ?? "(none)"],
      ["roles", s.roles.length > 0 ? s.roles.join(", ") : "(none)"],
    ]);
    out.line("");
  }
  const p = out.palette;
  const label = (c: InspectionCheck) => (c.status === "pass" ? "pass" : c.status === "fail" ? "FAIL" : "skip");
  const paint = (t: string) => (t === "pass" ? p.green(t) : t === "FAIL" ? p.red(t) : p.dim(t));
  out.table(
    [
      { header: "CHECK", value: (c: InspectionCheck) => c.name },
      { header: "RESULT", value: label, style: paint },
      { header: "REASON", value: (c: InspectionCheck) => c.reason, max: 110 },
    ],
    report.checks,
  );
  out.line(
    report.ok ? "the token passes every check" : `${report.checks.filter((c) => c.status === "fail").length} check(s) failed`,
    report.ok ? p.green : p.red,
  );
}
