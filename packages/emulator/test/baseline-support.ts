// Shared setup for the fleet-baseline tests (detection rules, indicator limits,
// device tags, hand-made changes, write counts): an emulator served on a real
// HTTPS socket, app-only tokens from its token endpoint, and callers for Graph,
// the MDE API and the control API that trust only the emulator's CA.
import assert from "node:assert/strict";
import { type HttpsResponse, postToken, send, type StartedEmulator, startEmulator } from "./entra-support.js";
import type { WorldOptions } from "@mde-partner/test-kit";

export type { HttpsResponse, StartedEmulator };

export const GRAPH_SCOPE = "https://graph.microsoft.com/.default";
export const MDE_SCOPE = "https://api.securitycenter.microsoft.com/.default";

export function startServed(options: WorldOptions = {}): Promise<StartedEmulator> {
  return startEmulator({ serve: true, tenants: 2, alertsPerTenant: 2, machinesPerTenant: 4, ...options });
}

/** An app-only token of the partner app for a tenant, from the token endpoint over HTTPS. */
export async function appToken(env: StartedEmulator, tenantId: string, scope: string): Promise<string> {
  const res = await postToken(env, tenantId, "v2", {
    grant_type: "client_credentials",
    client_id: env.info.partnerApp.clientId,
    client_secret: env.info.partnerApp.clientSecret,
    scope,
  });
  assert.equal(res.status, 200, res.text);
  return res.json<{ access_token: string }>().access_token;
}

type Init = { method?: string; body?: unknown; headers?: Record<string, string> };

function request(env: StartedEmulator, url: string, init: Init, auth?: string): Promise<HttpsResponse> {
  return send(env, url, {
    method: init.method ?? "GET",
    headers: { "content-type": "application/json", ...(auth ? { authorization: `Bearer ${auth}` } : {}), ...init.headers },
    ...(init.body === undefined ? {} : { body: typeof init.body === "string" ? init.body : JSON.stringify(init.body) }),
  });
}

/** A Graph caller (`/v1.0/…` or `/beta/…` under the emulator's Graph URL) with a bearer token. */
export const graphCaller = (env: StartedEmulator, token: string) => (path: string, init: Init = {}) =>
  request(env, `${env.info.graphUrl}${path}`, init, token);

/** An MDE API caller (`/api/…` under the emulator's API URL) with a bearer token. */
export const apiCaller = (env: StartedEmulator, token: string) => (path: string, init: Init = {}) =>
  request(env, `${env.info.apiUrl}${path}`, init, token);

/** A control API caller (`/_control` under the emulator's control URL). */
export const controlCaller = (env: StartedEmulator) => (path: string, init: Init = {}) => request(env, `${env.info.controlUrl}${path}`, init);

/** A valid v1.0 detection rule body (the create page's example, in the 2026 v1.0 shape). */
export function ruleBody(name: string, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    displayName: name,
    isEnabled: true,
    queryCondition: { queryText: "DeviceProcessEvents | where FileName =~ 'mimikatz.exe'" },
    schedule: { frequency: "PT1H" },
    detectionAction: {
      alertTemplate: { title: `${name} fired`, description: "Credential theft tool ran.", severity: "high", recommendedActions: null, tactics: ["credentialAccess"] },
      automatedActions: { deviceActions: [] },
      organizationalScope: null,
    },
    ...overrides,
  };
}
