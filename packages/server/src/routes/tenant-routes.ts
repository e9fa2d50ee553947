/**
 * Tenants pages and onboarding: list, detail, add a customer (consent link),
 * the consent callback, verify now, sync now.
 */

import { isTenantGuid } from "@mde-partner/client";
import { partitionSyncable, type SkippedTenant, type VerifyResult } from "@mde-partner/sync";
import { Hono } from "hono";
import { auditRefused, refusalAudited } from "./audit-refusal.js";
import { inScope } from "../access.js";
import { requireRole } from "../http/auth.js";
import { groupFilter, narrowed, requireEverywhere, requireTenantRole, sessionOn, tenantScope } from "../http/scope.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { completeConsent } from "../services/consent.js";
import { InputError, NotFoundError } from "../services/errors.js";
import { previewSourceSwitch, startOnboarding, switchSource, tenantOverview } from "../services/tenants.js";
import type { Session } from "../sessions.js";
import type { PageOptions } from "../views/layout.js";
import { consentResultPage } from "../views/pages/consent-page.js";
import { newTenantPage, onboardingPage } from "../views/pages/onboarding-page.js";
import { confirmSourcePage } from "../views/pages/source-switch-page.js";
import { tenantDetailPage, tenantsPage } from "../views/pages/tenants-page.js";

export function tenantId(c: ConsoleContext): string {
  const id = c.req.param("tenantId") ?? "";
  if (!isTenantGuid(id)) throw new NotFoundError("no such tenant");
  return id.toLowerCase();
}

/** One line about a sync report for the flash message. */
function syncSummary(
  report: {
    tenants: Array<{
      tenantId: string;
      status: string;
      alerts: { fetched: number; inserted: number; updated: number; unchanged?: number };
      error?: { message: string };
    }>;
  },
  skipped: readonly SkippedTenant[] = [],
): PageOptions["flash"] {
  const failed = report.tenants.filter((t) => t.status === "failed");
  const sum = (pick: (a: { fetched: number; inserted: number; updated: number; unchanged?: number }) => number | undefined) =>
    report.tenants.reduce((n, t) => n + (pick(t.alerts) ?? 0), 0);
  const counts = `${sum((a) => a.inserted)} new, ${sum((a) => a.updated)} updated, ${sum((a) => a.unchanged)} unchanged`;
  // Nothing is left out silently: tenants not ready (e.g. consent not given yet) are named with the reason.
  const left = skipped.length ? `; skipped: ${skipped.map((s) => `${s.name} (${s.state}: ${s.reason})`).join("; ")}` : "";
  const text = `Synced ${report.tenants.length} tenant(s): ${sum((a) => a.fetched)} alert(s) read (${counts})${failed.length ? `; failed: ${failed.map((t) => `${t.tenantId} (${t.error?.message ?? "error"})`).join("; ")}` : ""}${left}.`;
  return { kind: failed.length ? "error" : "ok", text };
}

export function createTenantRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { options, engine } = deps;
  const session = (c: ConsoleContext) => c.get("session") as Session;

  const detail = async (c: ConsoleContext, id: string, extra: { flash?: PageOptions["flash"]; verify?: VerifyResult } = {}) => {
    await requireTenantRole(c, deps, id, "viewer");
    const [row] = await tenantOverview(options, id);
    if (!row) throw new NotFoundError(`tenant ${id} is not in the console`);
    const [transitions, runs] = await Promise.all([
      options.store.listTenantTransitions(id),
      options.store.listSyncRuns({ tenantId: id, limit: 10 }),
    ]);
    return c.html(tenantDetailPage(await sessionOn(c, deps, id), row, transitions, runs, options.clock.now(), extra));
  };
  /** The tenants list as the operator may see it (their scope, narrowed to `?group=`). */
  const list = async (c: ConsoleContext, flash?: PageOptions["flash"]) => {
    const groups = await groupFilter(c, deps);
    const rows = await tenantOverview(options, undefined, narrowed(await tenantScope(c, deps), groups.tenantIds));
    const [responder, admin] = [await tenantScope(c, deps, "responder"), await tenantScope(c, deps, "admin")];
    const rolesOn = new Map(rows.map((r) => [r.tenant.id, inScope(admin, r.tenant.id) ? "admin" : inScope(responder, r.tenant.id) ? "responder" : "viewer"] as const));
    return c.html(tenantsPage(session(c), rows, options.clock.now(), flash, { ...groups, rolesOn }));
  };

  app.get("/tenants", requireRole("viewer"), (c) => list(c));

  // A new customer is in no group yet: adding one is for admins of every tenant.
  app.get("/tenants/new", requireRole("admin"), requireEverywhere("admin"), (c) => c.html(newTenantPage(session(c))));

  app.post("/tenants", requireRole("admin"), requireEverywhere("admin"), async (c) => {
    const body = await c.req.parseBody();
    const name = typeof body.name === "string" ? body.name : "";
    const tenant = typeof body.tenant === "string" ? body.tenant : "";
    try {
      const started = await startOnboarding(options, session(c).user, { name, tenant });
      return c.html(onboardingPage(session(c), started));
    } catch (error) {
      await auditRefused(options.store, { actor: session(c).user, action: "tenant.onboard", target: tenant || null, request: { name, tenant } }, error);
      if (error instanceof InputError) return c.html(newTenantPage(session(c), error.message, { name, tenant }), 400);
      throw error;
    }
  });

  app.get("/tenants/:tenantId", requireRole("viewer"), (c) => detail(c, tenantId(c)));

  app.post("/tenants/:tenantId/consent-link", requireRole("admin"), async (c) => {
    const id = await requireTenantRole(c, deps, tenantId(c), "admin");
    const tenant = await options.store.getTenant(id);
    if (!tenant) throw new NotFoundError(`tenant ${id} is not in the console`);
    const started = await startOnboarding(options, session(c).user, { name: tenant.name, tenant: id });
    return c.html(onboardingPage(session(c), started));
  });

  app.post("/tenants/:tenantId/verify", requireRole("admin"), async (c) => {
    const id = tenantId(c);
    const verify = await refusalAudited(
      options.store,
      { actor: session(c).user, action: "tenant.verify", tenantId: id },
      async () => {
        await requireTenantRole(c, deps, id, "admin");
        if (!(await options.store.getTenant(id))) throw new NotFoundError(`tenant ${id} is not in the console`);
        return engine.verifyTenant(id);
      },
      true,
    );
    await options.store.appendAudit({
      actor: session(c).user,
      action: "tenant.verify",
      phase: "completed",
      tenantId: id,
      result: verify.state,
    });
    return detail(c, id, { verify });
  });

  // The switch's confirmation step: what changes for every later sync of the tenant, before anything does.
  app.get("/tenants/:tenantId/source", requireRole("admin"), async (c) => {
    const id = await requireTenantRole(c, deps, tenantId(c), "admin");
    const from = c.req.query("from") === "detail" ? "detail" : "list";
    try {
      return c.html(confirmSourcePage(session(c), await previewSourceSwitch(options, id, c.req.query("to") ?? ""), from));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      c.status(400);
      return detail(c, id, { flash: { kind: "error", text: error.message } });
    }
  });

  // Where the tenant's alerts come from (the MDE API or Microsoft Graph); the store keeps everything either way.
  app.post("/tenants/:tenantId/source", requireRole("admin"), async (c) => {
    const id = tenantId(c);
    const body = await c.req.parseBody();
    const from = body.from === "detail" ? "detail" : "list";
    const source = typeof body.source === "string" ? body.source : "";
    let text: string;
    try {
      // Only the confirmation step's form (confirm=yes) switches: a bare post shows that step and changes nothing.
      await requireTenantRole(c, deps, id, "admin");
      if (body.confirm !== "yes")
        return c.html(confirmSourcePage(session(c), await previewSourceSwitch(options, id, source), from, "Nothing changed yet: confirm the switch below."), 400);
      text = await switchSource(options, session(c).user, id, source);
    } catch (error) {
      await auditRefused(options.store, { actor: session(c).user, action: "tenant.source", tenantId: id, request: { to: source } }, error);
      if (!(error instanceof InputError)) throw error;
      c.status(400);
      const flash = { kind: "error" as const, text: error.message };
      return from === "detail" ? detail(c, id, { flash }) : list(c, flash);
    }
    const flash = { kind: "ok" as const, text };
    return from === "detail" ? detail(c, id, { flash }) : list(c, flash);
  });

  app.post("/tenants/:tenantId/sync", requireRole("responder"), async (c) => {
    const id = await requireTenantRole(c, deps, tenantId(c), "responder");
    if (!(await options.store.getTenant(id))) throw new NotFoundError(`tenant ${id} is not in the console`);
    const report = await engine.sync([id]);
    return detail(c, id, { flash: syncSummary(report) });
  });

  // "Sync all": every tenant the operator may sync (responder or more), no other.
  app.post("/sync", requireRole("responder"), async (c) => {
    const scope = await tenantScope(c, deps, "responder");
    const { syncable, skipped } = partitionSyncable((await options.store.listTenants()).filter((t) => scope.all || scope.tenantIds.includes(t.id)));
    const report = await engine.sync(syncable.map((t) => t.id));
    return list(c, syncSummary(report, skipped));
  });

  // Public by necessity: the customer's administrator lands here from Entra ID, usually
  // without a console session (and a SameSite=Strict cookie is not sent on that cross-site
  // redirect anyway). The single-use state is what authorizes the request.
  app.get("/consent/callback", async (c) => {
    const outcome = await completeConsent(options, engine, new URL(c.req.url).searchParams);
    return c.html(consentResultPage(c.get("session"), outcome), outcome.ok ? 200 : outcome.status);
  });

  return app;
}
