/**
 * Live response from the device page: form → review → run (responders; a
 * viewer's run is refused and on record), the action's page with progress,
 * transcripts and the collected file, and the result download proxied by the
 * console (services/live-response.ts says why the signed link never reaches
 * the browser). Registered before the device routes: the action page of a
 * LiveResponse action is this module's, every other action's falls through.
 */
import { tenantOf } from "@mde-partner/sync";
import { Hono } from "hono";
import { auditRefused } from "./audit-refusal.js";
import { requireRole } from "../http/auth.js";
import { inScope } from "../access.js";
import { requireTenantRole, sessionOn, tenantScope } from "../http/scope.js";
import type { ConsoleContext, ConsoleDeps, ConsoleEnv } from "../http/env.js";
import { classify } from "../http/errors.js";
import { refreshAction } from "../services/devices.js";
import { NotFoundError } from "../services/errors.js";
import {
  commandsOf,
  listLibrary,
  liveResponseCommands,
  liveResponseRefusal,
  openResult,
  readTranscripts,
  requestLiveResponse,
  ResultDownloadError,
} from "../services/live-response.js";
import { createBriefCache, section } from "../services/tenant-reads.js";
import type { Session } from "../sessions.js";
import { roleAtLeast } from "../users-file.js";
import { errorPage } from "../views/pages/error-page.js";
import { type LiveResponseValues, liveResponseActionPage, liveResponseFormPage, liveResponseReviewPage } from "../views/pages/live-response-page.js";
import { machineIdParam } from "./device-routes.js";
import { tenantId } from "./tenant-routes.js";

const AUDIT_ACTION = "machine.live-response";

export function createLiveResponseRoutes(deps: ConsoleDeps): Hono<ConsoleEnv> {
  const app = new Hono<ConsoleEnv>();
  const { options, engine } = deps;
  const { store } = options;
  // Transcripts of final actions do not change: kept a while, a few at a time (each ≤ 1 MB).
  const transcripts = createBriefCache(options.clock, { ttlMs: 10 * 60_000, max: 20 });
  const session = (c: ConsoleContext) => c.get("session") as Session;

  /** The device named by the path, when the operator may run live response on its tenant (responder there). */
  const machineOf = async (c: ConsoleContext) => {
    const tenant = await requireTenantRole(c, deps, tenantId(c), "responder");
    const machine = await store.getMachine(tenant, machineIdParam(c));
    if (!machine) throw new NotFoundError("this device is not in the console (sync its tenant first)");
    return machine;
  };
  const valuesOf = (get: (k: string) => string | undefined): LiveResponseValues => ({
    script: get("script") ?? "",
    args: get("args") ?? "",
    path: get("path") ?? "",
    comment: get("comment") ?? "",
  });
  const libraryOf = async (tenant: string) => {
    const record = await store.getTenant(tenant);
    if (!record) throw new NotFoundError(`tenant ${tenant} is not in the console`);
    return section(() => listLibrary(tenantOf(options.partner, record).mde));
  };

  app.get("/devices/:tenantId/:machineId/live-response", requireRole("responder"), async (c) => {
    const machine = await machineOf(c);
    const values = valuesOf((k) => c.req.query(k));
    return c.html(liveResponseFormPage(session(c), { machine, library: await libraryOf(machine.tenantId), values }));
  });

  app.get("/devices/:tenantId/:machineId/live-response/review", requireRole("responder"), async (c) => {
    const machine = await machineOf(c);
    const values = valuesOf((k) => c.req.query(k));
    const library = await libraryOf(machine.tenantId);
    try {
      const commands = liveResponseCommands(values, library.ok ? library.value : []);
      return c.html(liveResponseReviewPage(session(c), { machine, commands, values }));
    } catch (error) {
      const { status, message } = classify(error);
      if (status !== 400) throw error;
      return c.html(liveResponseFormPage(session(c), { machine, library, values, error: message }), 400);
    }
  });

  // Viewers reach this handler too, so that their refused run is audited like every other refused write.
  app.post("/devices/:tenantId/:machineId/live-response", requireRole("viewer"), async (c) => {
    const body = await c.req.parseBody();
    const values = valuesOf((k) => (typeof body[k] === "string" ? (body[k] as string) : undefined));
    const who = session(c);
    const refused = (target: string, tenant: string | null) => ({
      actor: who.user,
      action: AUDIT_ACTION,
      tenantId: tenant,
      target,
      comment: values.comment || null,
      request: { script: values.script, args: values.args, path: values.path },
    });
    // The path's values as checked (an unknown or malformed one is recorded as absent, not as given).
    const checked = <T>(read: () => T) => {
      try {
        return read();
      } catch {
        return null;
      }
    };
    const pathTenant = checked(() => tenantId(c));
    // A tenant the operator may not see answers like an unknown one (404), and is not put on their record.
    if (pathTenant) await requireTenantRole(c, deps, pathTenant, "viewer");
    const mayRun = pathTenant ? inScope(await tenantScope(c, deps, "responder"), pathTenant) : roleAtLeast(who.role, "responder");
    if (!mayRun) {
      const role = pathTenant ? (await sessionOn(c, deps, pathTenant)).role : who.role;
      const message = `Running live response needs the responder role; you are signed in as ${who.user} (${role}${pathTenant ? " on this tenant" : ""}).`;
      await auditRefused(store, refused(checked(() => machineIdParam(c)) ?? "", pathTenant), new Error(message), true);
      return c.html(errorPage(who, 403, message), 403);
    }
    const machine = await machineOf(c);
    const again = async (status: 400 | 409 | 429 | 502, message: string) => {
      const library = await libraryOf(machine.tenantId);
      try {
        const commands = liveResponseCommands(values, library.ok ? library.value : []);
        return c.html(liveResponseReviewPage(who, { machine, commands, values, error: message }), status);
      } catch {
        return c.html(liveResponseFormPage(who, { machine, library, values, error: message }), status);
      }
    };
    let outcome: Awaited<ReturnType<typeof requestLiveResponse>>;
    try {
      outcome = await requestLiveResponse(options, engine, who.user, { tenantId: machine.tenantId, machineId: machine.id, ...values });
    } catch (error) {
      await auditRefused(store, refused(machine.id, machine.tenantId), error);
      const { status, message } = classify(error);
      if (status === 500) throw error;
      return again(status === 400 ? 400 : 502, message);
    }
    const created = outcome.machineAction;
    if (!created || outcome.error) {
      const error = outcome.error ?? { code: "ERR_UNEXPECTED", message: `the action was not created (${outcome.result})` };
      const status = error.apiCode === "ActiveRequestAlreadyExists" ? 409 : error.code === "ERR_MDE_RATE_LIMITED" ? 429 : 502;
      return again(status, liveResponseRefusal(error));
    }
    return c.redirect(`/actions/${machine.tenantId}/${encodeURIComponent(created.id)}?requested=1`, 303);
  });

  app.get("/actions/:tenantId/:actionId", requireRole("viewer"), async (c, next) => {
    const tenant = await requireTenantRole(c, deps, tenantId(c), "viewer");
    const action = await refreshAction(options, tenant, c.req.param("actionId"));
    if (action.type !== "LiveResponse") return next();
    const [machine, commands] = [action.machineId ? await store.getMachine(tenant, action.machineId) : null, commandsOf(action)];
    const results = action.status === "Succeeded" || action.status === "Failed"
      ? await readTranscripts(options, transcripts, action, commands)
      : new Map();
    const flash = c.req.query("requested")
      ? ({ kind: "ok", text: "Live response requested. Progress updates here; the results show when the session has finished." } as const)
      : undefined;
    return c.html(liveResponseActionPage(await sessionOn(c, deps, tenant), { action, deviceName: machine?.computerDnsName ?? null, commands, transcripts: results }, flash));
  });

  app.get("/actions/:tenantId/:actionId/results/:index", requireRole("responder"), async (c) => {
    const tenant = await requireTenantRole(c, deps, tenantId(c), "responder");
    const index = Number(c.req.param("index"));
    if (!Number.isSafeInteger(index) || index < 0 || index > 99) throw new NotFoundError("no such result");
    const action = await refreshAction(options, tenant, c.req.param("actionId"));
    const command = action.type === "LiveResponse" ? commandsOf(action).find((x) => x.index === index) : undefined;
    const hasResult = command && (command.type === "GetFile" ? command.status === "Completed" : command.type === "RunScript" && command.status !== "Created");
    if (!command || !hasResult)
      throw new NotFoundError("this command has no result to download");
    const entry = {
      actor: session(c).user,
      action: `${AUDIT_ACTION}.download`,
      tenantId: tenant,
      target: action.machineId,
      request: { actionId: action.id, index, type: command.type },
    };
    let result: Awaited<ReturnType<typeof openResult>>;
    try {
      result = await openResult(options, tenant, action.id, index);
    } catch (error) {
      const message = error instanceof ResultDownloadError ? error.message : classify(error).message;
      await store.appendAudit({ ...entry, phase: "failed", result: message.slice(0, 500) }).catch(() => {});
      if (!(error instanceof ResultDownloadError) && classify(error).status === 500) throw error;
      return c.html(errorPage(session(c), 502, `The result could not be downloaded: ${message}`), 502);
    }
    await store.appendAudit({ ...entry, phase: "completed", result: result.length !== undefined ? `${result.length} bytes` : "streamed" });
    const path = command.params.find((p) => p.key === "Path")?.value ?? "";
    const base = command.type === "GetFile" ? (path.split(/[\\/]/).pop() ?? "") : `transcript-${index}.json`;
    const fileName = base.replace(/[^A-Za-z0-9._-]/g, "_").slice(0, 100) || "result";
    return c.body(result.body, 200, {
      "content-type": "application/octet-stream",
      "content-disposition": `attachment; filename="${fileName}"`,
      "cache-control": "no-store",
      "x-content-type-options": "nosniff",
      ...(result.length !== undefined ? { "content-length": String(result.length) } : {}),
    });
  });

  return app;
}
