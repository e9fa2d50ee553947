// Graph authorization over real HTTPS (the emulator's CA trusted, never
// verification disabled): Graph tokens from the v1 and v2 token endpoints, for
// the public and national-cloud Graph resources; MDE and Graph tokens refused
// by each other's API; permissions (403); journal; injected faults.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import type { TenantInfo } from "@mde-partner/emulator";
import { decodeJwt } from "jose";
import { type HttpsResponse, MDE_RESOURCE, MDE_SCOPE, postToken, send, type StartedEmulator, startEmulator } from "./entra-support.js";
import { example } from "./graph-support.js";

describe("Graph security API authorization", () => {
  let s: StartedEmulator;
  let full: TenantInfo;
  let none: TenantInfo;
  let readOnly: TenantInfo;

  const token = async (tenant: TenantInfo, version: "v1" | "v2", target: string): Promise<string> => {
    const form: Record<string, string> = {
      client_id: s.info.partnerApp.clientId,
      client_secret: s.info.partnerApp.clientSecret,
      grant_type: "client_credentials",
      ...(version === "v1" ? { resource: target } : { scope: target }),
    };
    const res = await postToken(s, tenant.id, version, form);
    assert.equal(res.status, 200, res.text);
    return res.json<{ access_token: string }>().access_token;
  };

  const call = (path: string, bearer: string | undefined, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<HttpsResponse> =>
    send(s, `${s.info.graphUrl}${path}`, {
      method: init.method ?? "GET",
      headers: { ...(bearer ? { authorization: `Bearer ${bearer}` } : {}), "content-type": "application/json", ...init.headers },
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });

  const assertGraphError = (res: HttpsResponse, status: number, code: string) => {
    assert.equal(res.status, status, res.text);
    const body = res.json<{ error: { code: string; message: string; innerError: Record<string, string> } }>();
    assert.deepEqual(Object.keys(body.error), ["code", "message", "innerError"]);
    assert.deepEqual(Object.keys(body.error.innerError), ["date", "request-id", "client-request-id"]);
    assert.equal(body.error.code, code);
    assert.equal(body.error.innerError["request-id"], res.headers["request-id"]);
    return body.error;
  };

  before(async () => {
    s = await startEmulator({
      tenants: [{ alerts: 20, machines: 4 }, { alerts: 5, machines: 2, graphRoles: [] }, { alerts: 5, machines: 2, graphRoles: ["SecurityAlert.Read.All"] }],
      rateLimits: false,
    });
    [full, none, readOnly] = s.info.tenants as [TenantInfo, TenantInfo, TenantInfo];
  });
  after(async () => s.stop());

  test("v2 scope=https://graph.microsoft.com/.default and v1 resource=https://graph.microsoft.com both give Graph tokens Graph accepts", async () => {
    for (const [version, target] of [
      ["v2", "https://graph.microsoft.com/.default"],
      ["v1", "https://graph.microsoft.com"],
    ] as const) {
      const bearer = await token(full, version, target);
      const claims = decodeJwt(bearer);
      assert.equal(claims.aud, "https://graph.microsoft.com");
      assert.equal(claims.tid, full.id);
      assert.deepEqual([...(claims.roles as string[])].sort(), [...full.graphRoles].sort());
      const res = await call("/v1.0/security/alerts_v2?$top=3", bearer);
      assert.equal(res.status, 200, res.text);
      assert.equal(res.json<{ value: unknown[] }>().value.length, 3);
      assert.match(String(res.headers["request-id"]), /^[0-9a-f-]{36}$/);
    }
  });

  test("national-cloud Graph scopes (GCC High, DoD) are Graph tokens too", async () => {
    for (const root of ["https://graph.microsoft.us", "https://dod-graph.microsoft.us"]) {
      const bearer = await token(full, "v2", `${root}/.default`);
      assert.equal(decodeJwt(bearer).aud, root);
      const res = await call("/v1.0/security/incidents?$top=1", bearer);
      assert.equal(res.status, 200, res.text);
    }
  });

  test("an MDE token is refused by Graph, and a Graph token by the MDE API", async () => {
    const mde = await token(full, "v2", MDE_SCOPE);
    const refused = await call("/v1.0/security/alerts_v2", mde);
    const error = assertGraphError(refused, 401, "InvalidAuthenticationToken");
    assert.equal(error.message, "Access token validation failure. Invalid audience.");
    assert.match(String(refused.headers["www-authenticate"]), /^Bearer /);
    // The same MDE token works where it belongs.
    assert.equal((await send(s, `${s.info.apiUrl}/api/alerts?$top=1`, { headers: { authorization: `Bearer ${mde}` } })).status, 200);

    const graph = await token(full, "v1", "https://graph.microsoft.com");
    const mdeRefused = await send(s, `${s.info.apiUrl}/api/alerts?$top=1`, { headers: { authorization: `Bearer ${graph}` } });
    assert.equal(mdeRefused.status, 401, mdeRefused.text);
    assert.equal(mdeRefused.json<{ error: { code: string } }>().error.code, "Unauthorized");
    const v1Mde = await token(full, "v1", MDE_RESOURCE);
    assertGraphError(await call("/v1.0/security/runHuntingQuery", v1Mde, { method: "POST", body: { Query: "DeviceInfo | take 1" } }), 401, "InvalidAuthenticationToken");
  });

  test("no bearer token → 401 'Access token is empty.'", async () => {
    const error = assertGraphError(await call("/v1.0/security/incidents", undefined), 401, "InvalidAuthenticationToken");
    assert.equal(error.message, "Access token is empty.");
  });

  test("each operation needs its Graph application permission (403 otherwise)", async () => {
    const nothing = await token(none, "v2", "https://graph.microsoft.com/.default");
    assert.equal(decodeJwt(nothing).roles, undefined, "a tenant that granted no Graph roles gives a token without roles");
    for (const [method, path, body] of [
      ["GET", "/v1.0/security/alerts_v2", undefined],
      ["GET", "/v1.0/security/incidents", undefined],
      ["POST", "/v1.0/security/runHuntingQuery", { Query: "DeviceInfo | take 1" }],
    ] as const) {
      const error = assertGraphError(await call(path, nothing, { method, ...(body ? { body } : {}) }), 403, "Forbidden");
      assert.match(error.message, /ThreatHunting\.Read\.All|SecurityAlert\.Read\.All|SecurityIncident\.Read\.All/);
    }
    const reader = await token(readOnly, "v2", "https://graph.microsoft.com/.default");
    const list = await call("/v1.0/security/alerts_v2?$top=1", reader);
    assert.equal(list.status, 200, list.text);
    const id = list.json<{ value: Array<{ id: string }> }>().value[0]?.id;
    assertGraphError(await call(`/v1.0/security/alerts_v2/${id}`, reader, { method: "PATCH", body: { status: "inProgress" } }), 403, "Forbidden");
    assertGraphError(await call("/v1.0/security/incidents", reader), 403, "Forbidden");
    assertGraphError(await call("/v1.0/security/runHuntingQuery", reader, { method: "POST", body: { Query: "DeviceInfo | take 1" } }), 403, "Forbidden");
  });

  test("Graph calls are journaled as kind 'graph' with tenant, client and operation", async () => {
    const after = s.emulator.state.journal.lastSeq();
    const bearer = await token(full, "v2", "https://graph.microsoft.com/.default");
    await call("/v1.0/security/alerts_v2?$top=1", bearer);
    await call("/v1.0/security/runHuntingQuery", bearer, { method: "POST", body: { Query: "DeviceInfo | take 1" } });
    const entries = s.emulator.control.journal({ afterSeq: after, kind: "graph" });
    assert.deepEqual(
      entries.map((e) => e.operation),
      ["ListAlertsV2", "RunHuntingQuery"],
    );
    for (const e of entries) {
      assert.equal(e.tenantId, full.id);
      assert.equal(e.clientId, s.info.partnerApp.clientId);
      assert.equal(e.status, 200);
    }
  });

  test("injected faults on target 'graph' answer Graph's bodies (503, and 429 with Retry-After)", async () => {
    const bearer = await token(full, "v2", "https://graph.microsoft.com/.default");
    const fault = s.emulator.control.addFault({ target: "graph", tenantId: full.id, status: 503, count: 1 });
    assertGraphError(await call("/v1.0/security/incidents", bearer), 503, "serviceNotAvailable");
    s.emulator.control.removeFault(fault.id);
    s.emulator.control.addFault({ target: "graph", tenantId: full.id, status: 429, retryAfterSec: 3, count: 1 });
    const throttled = await call("/v1.0/security/incidents", bearer);
    assert.equal(throttled.status, 429, throttled.text);
    assert.equal(throttled.headers["retry-after"], "3");
    const body = throttled.json();
    const doc = example("graph-throttled-429.response.json");
    assert.deepEqual(Object.keys(body.error as object), Object.keys(doc.error));
    assert.deepEqual(Object.keys((body.error as { innerError: object }).innerError), Object.keys(doc.error.innerError));
    // The MDE API is another target: unaffected by a Graph fault.
    s.emulator.control.addFault({ target: "graph", tenantId: full.id, status: 500, count: 1 });
    const mde = await token(full, "v2", MDE_SCOPE);
    assert.equal((await send(s, `${s.info.apiUrl}/api/alerts?$top=1`, { headers: { authorization: `Bearer ${mde}` } })).status, 200);
    assertGraphError(await call("/v1.0/security/incidents", bearer), 500, "UnknownError");
  });
});
