import { Hono } from "hono";
import type { AppContext, AppEnv } from "../core/http.js";
import type { EmulatorState } from "../core/state.js";
import { createHuntingHandler } from "../hunting/route.js";
import { alertOperations } from "./alerts.js";
import { MdeApiError, mdeError, notImplemented } from "./errors.js";
import { indicatorOperations } from "./indicators.js";
import { libraryOperations } from "./library-operations.js";
import { machineActionOperations } from "./machine-actions.js";
import { machineOperations } from "./machines.js";
import { ODataQueryError } from "./odata-filter.js";
import { authorize } from "./operation.js";
import type { OperationContext, OperationSpec } from "./operation-context.js";
import { entityOperations } from "./entity-operations.js";
import { otherOperations } from "./other-operations.js";
import { tvmOperations } from "./tvm-operations.js";

/** Every operation of mde-api.md §5, implemented or answering 501. */
export function mdeOperations(): OperationSpec[] {
  return [...alertOperations, ...machineOperations, ...machineActionOperations, ...indicatorOperations, ...otherOperations, ...tvmOperations, ...entityOperations, ...libraryOperations];
}

type Segment = { kind: "literal"; text: string } | { kind: "param"; name: string } | { kind: "call"; prefix: string; name: string };

interface CompiledRoute {
  spec: OperationSpec;
  segments: Segment[];
  literals: number;
}

function compileRoute(spec: OperationSpec): CompiledRoute {
  const segments = spec.path.split("/").map((part): Segment => {
    const param = /^\{(\w+)\}$/.exec(part);
    if (param?.[1]) return { kind: "param", name: param[1] };
    const call = /^([\w$]+)\(\{(\w+)\}\)$/.exec(part);
    if (call?.[1] && call[2]) return { kind: "call", prefix: `${call[1].toLowerCase()}(`, name: call[2] };
    return { kind: "literal", text: part.toLowerCase() };
  });
  return { spec, segments, literals: segments.filter((s) => s.kind !== "param").length };
}

function matchRoute(route: CompiledRoute, parts: readonly string[]): Record<string, string> | undefined {
  if (route.segments.length !== parts.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < parts.length; i++) {
    const seg = route.segments[i] as Segment;
    const part = parts[i] as string;
    if (seg.kind === "literal") {
      if (part.toLowerCase() !== seg.text) return undefined;
    } else if (seg.kind === "param") {
      if (part === "") return undefined;
      params[seg.name] = part;
    } else {
      const lower = part.toLowerCase();
      if (!lower.startsWith(seg.prefix) || !lower.endsWith(")")) return undefined;
      params[seg.name] = part.slice(seg.prefix.length, -1);
    }
  }
  return params;
}

function decodeSegment(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/**
 * The MDE API under `/api/…` and `/api/v1.0/…` (mde-api.md §2). One catch-all
 * route feeds a table-driven matcher so that literal path segments match
 * case-insensitively, as the docs' mixed casing implies (`/api/Software`,
 * `GetPackageUri`, `API/machines`). The doc-conflict form without `/api`
 * (§2, alert related domains) is not served: it would collide with Entra's
 * tenant paths (`/{tenant}/…`).
 *
 * Every operation goes through `authorize` (token, faults, roles, rate limit)
 * before its handler runs; unimplemented operations answer 501 naming
 * themselves after authorization, never an empty list.
 */
export function createMdeRoutes(state: EmulatorState): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  const routes = mdeOperations().map(compileRoute);
  const hunting = createHuntingHandler(state);

  const dispatch = async (c: AppContext): Promise<Response> => {
    const url = new URL(c.req.url);
    const raw = url.pathname.split("/").slice(1).map(decodeSegment);
    // raw[0] is "api" in any casing; an optional version segment follows.
    let parts = raw.slice(1);
    if (parts[0]?.toLowerCase() === "v1.0") parts = parts.slice(1);
    if (parts.length > 0 && parts[parts.length - 1] === "") parts = parts.slice(0, -1);
    const method = c.req.method.toUpperCase();
    let best: { route: CompiledRoute; params: Record<string, string> } | undefined;
    let pathMatched = false;
    for (const route of routes) {
      const params = matchRoute(route, parts);
      if (!params) continue;
      pathMatched = true;
      if (route.spec.method !== method) continue;
      if (!best || route.literals > best.route.literals) best = { route, params };
    }
    if (!best) {
      c.get("journal").kind = "api";
      if (pathMatched) return mdeError(405, "BadRequest", `The HTTP method ${method} is not supported for ${url.pathname}.`);
      return mdeError(404, "NotFound", `Resource ${url.pathname} was not found.`);
    }
    const { spec } = best.route;
    if (spec.external) return hunting(c);
    const auth = await authorize(state, c, { name: spec.name, roles: spec.roles, ...(spec.limits ? { limits: spec.limits } : {}) });
    if (!auth.ok) return auth.response;
    const ctx: OperationContext = {
      state,
      c,
      token: auth.token,
      tenantId: auth.token.tenantId,
      params: best.params,
      url,
      origin: url.origin,
    };
    try {
      if (!spec.handler) return notImplemented(spec.name);
      return await spec.handler(ctx);
    } catch (error) {
      if (error instanceof ODataQueryError) {
        c.get("journal").error = "ODataError";
        return mdeError(400, "ODataError", error.message);
      }
      if (error instanceof MdeApiError) {
        c.get("journal").error = error.code;
        return mdeError(error.status, error.code, error.message);
      }
      throw error;
    }
  };

  app.all("/:api{[aA][pP][iI]}", dispatch);
  app.all("/:api{[aA][pP][iI]}/*", dispatch);
  return app;
}
