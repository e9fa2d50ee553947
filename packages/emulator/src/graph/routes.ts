import { Hono } from "hono";
import type { AppContext, AppEnv } from "../core/http.js";
import type { EmulatorState } from "../core/state.js";
import { graphAlertOperations } from "./alerts.js";
import { authorizeGraph, createAppBudget, GRAPH_APP_PER_SECOND } from "./authorize.js";
import { prefersUnknownEnumMembers } from "./enums.js";
import { createGraphCall, finishGraphResponse, type GraphCall, type GraphVersion } from "./graph-call.js";
import { GraphApiError, graphError } from "./graph-error.js";
import { type GraphContext, type GraphOperationSpec, type GraphRouteOptions, resolveGraphOptions } from "./graph-operation.js";
import { graphDetectionRuleOperations } from "./detection-rules.js";
import { initDetectionRuleStore } from "./detection-rule-store.js";
import { graphHuntingOperations } from "./hunting.js";
import { graphIncidentOperations } from "./incidents.js";
import { initIncidentStore } from "./incident-store.js";

/** Every Graph operation the emulator routes. */
export function graphOperations(): GraphOperationSpec[] {
  return [...graphHuntingOperations, ...graphAlertOperations, ...graphIncidentOperations, ...graphDetectionRuleOperations];
}

type Segment = { literal: string } | { param: string };

function compile(spec: GraphOperationSpec): { spec: GraphOperationSpec; segments: Segment[] } {
  return {
    spec,
    segments: spec.path.split("/").map((p) => {
      const m = /^\{(\w+)\}$/.exec(p);
      return m?.[1] ? { param: m[1] } : { literal: p.toLowerCase() };
    }),
  };
}

function match(segments: readonly Segment[], parts: readonly string[]): Record<string, string> | undefined {
  if (segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const seg = segments[i] as Segment;
    const part = parts[i] as string;
    if ("literal" in seg) {
      if (part.toLowerCase() !== seg.literal) return undefined;
    } else {
      if (part === "") return undefined;
      params[seg.param] = part;
    }
  }
  return params;
}

const decode = (raw: string) => {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
};

/**
 * Microsoft Graph's security API on the emulator's origin: `/v1.0/security/…`
 * and `/beta/security/…` (graph-security.md §3–§5). Every call is authorized by
 * `authorizeGraph` (Graph token, faults, permission, budgets), journaled as
 * `kind: "graph"`, and carries `request-id`/`client-request-id`; failures use
 * Graph's error body. Alerts and incidents are views of the same stored MDE
 * alerts the MDE API serves.
 *
 * @example
 * app.route("/", createGraphRoutes(state)); // before the Entra routes
 */
export function createGraphRoutes(state: EmulatorState, options: GraphRouteOptions = {}): Hono<AppEnv> {
  initIncidentStore(state.db);
  initDetectionRuleStore(state.db);
  const resolved = resolveGraphOptions({ detectionRulesPerTenant: state.options.detectionRulesPerTenant, ...options });
  const routes = graphOperations().map(compile);
  const appBudget = createAppBudget(state.clock, GRAPH_APP_PER_SECOND);

  const handle = async (c: AppContext, call: GraphCall): Promise<Response> => {
    const url = new URL(c.req.url);
    const journal = c.get("journal");
    journal.kind = "graph";
    let parts = url.pathname.split("/").slice(2).map(decode);
    if (parts.length > 0 && parts[parts.length - 1] === "") parts = parts.slice(0, -1);
    const method = c.req.method.toUpperCase();
    let found: { spec: GraphOperationSpec; params: Record<string, string> } | undefined;
    let pathMatched = false;
    for (const route of routes) {
      const params = match(route.segments, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.spec.method === method && (!found || Object.keys(params).length < Object.keys(found.params).length)) found = { spec: route.spec, params };
    }
    if (!found) {
      journal.error = "BadRequest";
      if (pathMatched) return graphError(call, 405, "BadRequest", `The HTTP method '${method}' is not allowed for ${url.pathname}.`);
      // What Graph answers for a segment it does not know: the first one no route has at that place.
      const segment = parts.find((_, i) => !routes.some((r) => match(r.segments.slice(0, i + 1), parts.slice(0, i + 1)))) ?? parts[0] ?? "";
      return graphError(call, 400, "BadRequest", `Resource not found for the segment '${segment}'.`);
    }
    const { spec, params } = found;
    const auth = await authorizeGraph(state, c, call, { name: spec.name, roles: spec.roles, bucket: spec.bucket }, appBudget);
    if (!auth.ok) return auth.response;
    if (!spec.handler) {
      journal.error = "NotImplemented";
      return graphError(call, 501, "NotImplemented", `The emulator does not implement ${spec.name}. See packages/emulator/README.md for the coverage list.`);
    }
    const ctx: GraphContext = {
      state,
      c,
      call,
      token: auth.token,
      tenantId: auth.token.tenantId,
      params,
      url,
      includeUnknownEnums: prefersUnknownEnumMembers(c.req.header("prefer")),
      hostile: state.tenants.get(auth.token.tenantId)?.hostile === true,
      options: resolved,
    };
    try {
      return await spec.handler(ctx);
    } catch (error) {
      if (error instanceof GraphApiError) {
        journal.error = error.code || "BadRequest";
        return graphError(call, error.status, error.code, error.message, { details: error.details });
      }
      throw error;
    }
  };

  const dispatch = (version: GraphVersion) => async (c: AppContext) => {
    const call = createGraphCall(state, c, version);
    let response: Response;
    try {
      response = await handle(c, call);
    } catch (error) {
      // Graph's answer to its own failures (observed: 500 `UnknownError` with an empty message, graph-security.md §3.3).
      c.get("journal").error = "UnknownError";
      process.emitWarning(`emulator: ${c.req.method} ${new URL(c.req.url).pathname} failed: ${error instanceof Error ? error.stack : String(error)}`);
      response = graphError(call, 500, "UnknownError", "");
    }
    return finishGraphResponse(call, response);
  };

  const app = new Hono<AppEnv>();
  app.all("/:version{[vV]1\\.0}/*", dispatch("v1.0"));
  app.all("/:version{[bB][eE][tT][aA]}/*", dispatch("beta"));
  return app;
}
