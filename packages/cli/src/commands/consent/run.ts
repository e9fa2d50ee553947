/**
 * `mde-partner consent link <tenant-id>`: the link the customer's Global
 * Administrator opens to approve the partner app (mde-api.md §1.2). Default:
 * the legacy authorize link the MDE partner pages print; `--v2`: the
 * tenant-specific v2 admin-consent link with a one-time `state` recorded in the
 * store, so the console's consent callback can check it.
 */
import { adminConsentUrl, checkRedirectUri, legacyConsentUrl } from "@mde-partner/client";
import { auditedWrite, auditOutsideStore } from "../../cli-audit.js";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, toCliError, usageError } from "../../errors.js";
import { createOutput, type OutputOptions } from "../../output/output.js";
import { openPartner, withStore } from "../../partner.js";
import { parseTenantId, requireTenant } from "../../tenant-selection.js";
import { consentResources } from "../app/run.js";

export interface ConsentLinkOptions extends OutputOptions {
  v2?: boolean;
  redirectUri?: string;
  /** Lifetime of the v2 link's state, hours (default 168 = 7 days: customers do not click at once). */
  validHours?: string;
  db?: string;
}

export async function runConsentLink(tenantId: string, options: ConsentLinkOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const id = parseTenantId(tenantId);
  if (options.redirectUri !== undefined && !options.v2) throw usageError("--redirect-uri goes with --v2");
  const givenRedirectUri = options.redirectUri ?? config.consentRedirectUri;
  if (options.v2 && givenRedirectUri === undefined) {
    throw usageError(
      "--v2 needs a redirect URI registered on the app",
      "pass --redirect-uri URL, or set it once with mde-partner init --consent-redirect-uri URL",
    );
  }
  // Checked before the store is opened: a URI Entra would refuse (or one that hands the response to
  // javascript:, data:, file: or a plain-http host) never gets a consent state.
  let redirectUri: string | undefined;
  try {
    redirectUri = options.v2 ? redirectUriOrUsageError(givenRedirectUri!, options.redirectUri !== undefined) : undefined;
  } catch (error) {
    // A refused v2 link stores no state, but the attempt is on record.
    const request = { redirectUri: String(givenRedirectUri).slice(0, 300) };
    await auditOutsideStore(ctx, { action: "consent.link", tenantId: id, target: id, request }, { ok: false, error }, config.storeUrl);
    throw error;
  }
  let ttlHours = 168;
  if (options.validHours !== undefined) {
    if (!/^\d+$/.test(options.validHours) || Number(options.validHours) < 1 || Number(options.validHours) > 24 * 90) {
      throw usageError("--valid-hours must be a whole number of hours between 1 and 2160");
    }
    ttlHours = Number(options.validHours);
  }
  const partner = openPartner(config, ctx, { inspectOnly: true });
  const loginUrl = partner.cloud.loginUrl;
  const scopeOf = { mde: partner.cloud.scope, graph: partner.cloud.graphScope };
  await partner.close();
  return withStore(config.storeUrl, async (store) => {
    const tenant = await requireTenant(store, tenantId);
    let url: string;
    let expiresAt: string | undefined;
    try {
      if (options.v2) {
        // The consent state is a write (a one-time token in the store): on record, without the token itself.
        const request = await auditedWrite(
          ctx,
          store,
          { action: "consent.link", tenantId: tenant.id, target: tenant.id, request: { redirectUri: redirectUri!, validHours: ttlHours } },
          () => store.createConsentRequest({ redirectUri: redirectUri!, tenantHint: tenant.id, ttlMs: ttlHours * 3_600_000 }),
          (r) => `consent state valid until ${r.expiresAt}`,
        );
        expiresAt = request.expiresAt;
        url = adminConsentUrl({
          loginUrl,
          clientId: config.clientId,
          redirectUri: redirectUri!,
          tenant: tenant.id,
          state: request.state,
          // One `/.default` scope per resource the integration needs, space-separated in one `scope`
          // (https://learn.microsoft.com/en-us/entra/identity-platform/v2-admin-consent: `scope` lists the
          // permissions requested; `/.default` asks for every application permission configured on that
          // resource), so a single consent covers the MDE API and Microsoft Graph.
          scopes: consentResources(config, tenant.alertSource).map((r) => scopeOf[r]),
        });
      } else {
        url = legacyConsentUrl(loginUrl, config.clientId);
      }
    } catch (error) {
      throw toCliError(error);
    }
    if (out.mode !== "table")
      out.json({
        tenantId: tenant.id,
        name: tenant.name,
        url,
        form: options.v2 ? "v2-admin-consent" : "legacy",
        ...(expiresAt ? { expiresAt } : {}),
      });
    else {
      out.note(`Send this link to the Global Administrator of ${tenant.name} (${tenant.id}):`);
      ctx.io.stdout.write(`${url}\n`);
      out.note(
        options.v2
          ? `The link is for this tenant only; its state is valid until ${expiresAt}. After consent: mde-partner tenants verify ${tenant.id}`
          : `After they accept: mde-partner tenants verify ${tenant.id}`,
      );
    }
    return EXIT.ok;
  });
}

/** The client's redirect URI rule, as a usage error naming where the bad value came from. */
function redirectUriOrUsageError(value: string, fromFlag: boolean): string {
  try {
    return checkRedirectUri(value);
  } catch (error) {
    const where = fromFlag ? "--redirect-uri" : "the configured consentRedirectUri";
    throw usageError(
      `${where}: ${(error as Error).message}`,
      "use the https URL registered on the app (http only for localhost / 127.0.0.1 / [::1])",
    );
  }
}
