/**
 * Four-eyes approval (services/approvals.ts), pages and JSON: the approvals
 * list, approve and reject; offboarding a tenant (always a request) and
 * response actions on many machines at once (a request when wide).
 */
import { Hono } from "hono";
import { requireRole } from "../http/auth.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { ApprovalError, type Actor, createApprovals, parseMachineActions, refusedTenant } from "../services/approvals.js";
import { InputError } from "../services/errors.js";
import type { Session } from "../sessions.js";
import { roleAtLeast } from "../users-file.js";
import type { PageOptions } from "../views/layout.js";
import { approvalsPage } from "../views/pages/approvals-page.js";
import { errorPage } from "../views/pages/error-page.js";
import { auditRefused } from "./audit-refusal.js";
import { tenantId } from "./tenant-routes.js";

const STATUSES = ["pending", "approved", "rejected", "expired", "executed", "failed"] as const;

async function jsonObject(c: ConsoleContext): Promise<Record<string, unknown>> {
  if (!(c.req.header("content-type") ?? "").startsWith("application/json")) throw new InputError("send a JSON body (content-type: application/json)");
  const body: unknown = await c.req.json().catch(() => {
    throw new InputError("the body is not valid JSON");
  });
  if (!body || typeof body !== "object" || Array.isArray(body)) throw new InputError("the body must be a JSON object");
  return body as Record<string, unknown>;
}

export function createApprovalRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { store } = deps.options;
  const approvals = createApprovals(deps.options, deps.engine);
  const session = (c: ConsoleContext) => c.get("session") as Session;
  const actor = (c: ConsoleContext): Actor => session(c);

  /** An approval refusal as the JSON API answers it. */
  const refusedJson = (c: ConsoleContext, error: unknown) => {
    if (!(error instanceof ApprovalError)) throw error;
    return c.json({ error: { code: error.code, message: error.message } }, error.status);
  };

  const page = async (c: ConsoleContext, flash?: PageOptions["flash"], status: 200 | 403 | 409 = 200) => {
    const requests = await approvals.list(actor(c));
    const tenantNames = new Map((await store.listTenants()).map((t) => [t.id, t.name]));
    const canDecide = session(c).via !== "token" && roleAtLeast(session(c).role, "responder");
    return c.html(approvalsPage(session(c), { requests, tenantNames, canDecide }, flash), status);
  };

  app.get("/approvals", requireRole("responder"), async (c) => {
    const requested = c.req.query("requested");
    const flash = requested
      ? ({ kind: "info", text: `Request ${requested.slice(0, 64)} waits for another responder or admin to approve it; nothing has run yet.` } as const)
      : undefined;
    return page(c, flash);
  });

  for (const decision of ["approve", "reject"] as const) {
    app.post(`/approvals/:id/${decision}`, requireRole("responder"), async (c) => {
      const id = c.req.param("id") ?? "";
      try {
        const done = await approvals.decide(actor(c), id, decision);
        const text =
          decision === "reject"
            ? `Rejected request ${done.id}: nothing ran.`
            : `Approved request ${done.id}: it ran and ${done.status === "executed" ? "succeeded" : "failed"} (see below and the audit log).`;
        return page(c, { kind: done.status === "failed" ? "error" : "ok", text });
      } catch (error) {
        if (!(error instanceof ApprovalError)) throw error;
        return page(c, { kind: "error", text: error.message }, error.status);
      }
    });
  }

  // Offboarding from the tenant's page: a request, never at once.
  app.post("/tenants/:tenantId/offboard", requireRole("admin"), async (c) => {
    const id = tenantId(c);
    try {
      const request = await approvals.requestOffboard(actor(c), id);
      return c.redirect(`/approvals?requested=${encodeURIComponent(request.id)}`, 303);
    } catch (error) {
      await auditRefused(store, { actor: session(c).user, action: "approval.request", tenantId: id, request: { action: "tenant.offboard" } }, error, true);
      if (!(error instanceof ApprovalError)) throw error;
      return c.html(errorPage(session(c), error.status === 409 ? 400 : error.status, error.message), error.status);
    }
  });

  app.get("/api/v1/approvals", requireRole("viewer"), async (c) => {
    const status = c.req.query("status");
    if (status !== undefined && !(STATUSES as readonly string[]).includes(status)) throw new InputError(`status must be one of ${STATUSES.join(", ")}`);
    return c.json({ items: await approvals.list(actor(c), status as (typeof STATUSES)[number] | undefined) });
  });

  app.get("/api/v1/approvals/:id", requireRole("viewer"), async (c) => c.json(await approvals.get(actor(c), c.req.param("id"))));

  for (const decision of ["approve", "reject"] as const) {
    app.post(`/api/v1/approvals/:id/${decision}`, requireRole("responder"), async (c) => {
      try {
        return c.json(await approvals.decide(actor(c), c.req.param("id") ?? "", decision));
      } catch (error) {
        return refusedJson(c, error);
      }
    });
  }

  app.post("/api/v1/tenants/:tenantId/offboard", requireRole("admin"), async (c) => {
    const id = tenantId(c);
    try {
      return c.json({ approval: await approvals.requestOffboard(actor(c), id) }, 202);
    } catch (error) {
      await auditRefused(store, { actor: session(c).user, action: "approval.request", tenantId: id, request: { action: "tenant.offboard" } }, error, true);
      return refusedJson(c, error);
    }
  });

  app.post("/api/v1/devices/actions", requireRole("responder"), async (c) => {
    const body = await jsonObject(c);
    try {
      const input = parseMachineActions(body);
      const outcome = await approvals.machineActions(actor(c), input);
      return "approval" in outcome ? c.json(outcome, 202) : c.json(outcome.result);
    } catch (error) {
      const action = typeof body.action === "string" ? body.action.slice(0, 40) : "";
      const request = { machines: Array.isArray(body.machines) ? body.machines.length : 0 };
      await auditRefused(store, { actor: session(c).user, action: `machines.${action}`, tenantId: refusedTenant(error), request }, error);
      return refusedJson(c, error);
    }
  });

  return app;
}
