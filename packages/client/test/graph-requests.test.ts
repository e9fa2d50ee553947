/**
 * The Graph side of the partner client over an injected fetch: one token per audience, each sent
 * only to its own API, the Prefer header, OData on alerts_v2/incidents with nextLink paging, Graph
 * error bodies as typed errors, fractional Retry-After, and the Graph rate budgets.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  ForeignNextLinkError,
  MdeBadRequestError,
  MdeForbiddenError,
  MdeRateLimitedError,
} from "@mde-partner/client";
import { readFileSync } from "node:fs";
import { GRAPH_BUDGETS } from "../src/graph/operations.js";
import { EXAMPLES_DIR } from "./resources-fixture.js";
import { audienceOf, GRAPH_SCOPE, graphPartner, MDE_SCOPE } from "./graph-fixture.js";
import { fakeTime, json, scriptedFetch, type Seen, TENANT_A, TENANT_B } from "./pipeline-fakes.js";

const g = (name: string) => JSON.parse(readFileSync(`${EXAMPLES_DIR}graph/${name}`, "utf8")) as Record<string, unknown>;
const HUNT_OK = { schema: [{ name: "DeviceName", type: "String" }], results: [{ DeviceName: "pc1" }] };

/** Answers by path, like the services would. */
function router(seen: Seen) {
  const url = new URL(seen.url);
  if (url.pathname === "/api/alerts") return json(200, { value: [{ id: "a1" }] });
  if (url.pathname === "/api/advancedqueries/run") return json(200, { Schema: [{ Name: "DeviceName", Type: "String" }], Results: [{ DeviceName: "pc1" }] });
  if (url.pathname === "/v1.0/security/runHuntingQuery") return json(200, HUNT_OK);
  if (url.pathname === "/v1.0/security/alerts_v2") return json(200, { value: [{ id: "g1", status: "new", severity: "low", serviceSource: "microsoftSentinel" }] });
  if (url.pathname === "/v1.0/security/incidents") return json(200, { value: [] });
  return json(404, { error: { code: "itemNotFound", message: "no route", innerError: { "request-id": "r" } } });
}

describe("Graph through the partner client (injected fetch)", () => {
  it("one tenant through both resources: two token requests, and each token goes only to its own API", async () => {
    const { fetch, seen } = scriptedFetch([router]);
    const { partner, credential } = graphPartner({ fetch });
    const tenant = partner.tenant(TENANT_A);
    await tenant.alerts.list({ top: 1 });
    await tenant.graph.alerts.list({ top: 1 });
    await tenant.hunt("DeviceInfo | take 1");
    await tenant.graph.incidents.list();
    await tenant.alerts.list({ top: 1 });
    assert.deepStrictEqual(
      credential.calls.map((c) => c.scope).sort(),
      [GRAPH_SCOPE, MDE_SCOPE].sort(),
      "exactly one token per audience",
    );
    assert.equal(seen.length, 5);
    for (const s of seen) {
      const url = new URL(s.url);
      const graph = url.host === "graph.microsoft.com";
      assert.equal(audienceOf(s.headers.get("authorization")), graph ? "https://graph.microsoft.com" : "https://api.securitycenter.microsoft.com", s.url);
      // Prefer: include-unknown-enum-members on every Graph call, never on MDE's.
      assert.equal(s.headers.get("prefer"), graph ? "include-unknown-enum-members" : null, s.url);
      assert.ok(s.headers.get("client-request-id"));
    }
    assert.notEqual(await tenant.getToken(), await tenant.getToken({ resource: "graph" }));
    assert.equal(credential.calls.length, 2, "both tokens come from the cache");
    assert.equal(partner.graphAudience, GRAPH_SCOPE);
    await partner.close();
  });

  it("keeps the tokens apart by path when MDE and Graph share one origin", async () => {
    const { fetch, seen } = scriptedFetch([router]);
    const origin = "https://127.0.0.1:8443";
    const { partner } = graphPartner({ fetch, cloud: { name: "custom", loginUrl: origin, apiUrl: origin } });
    const tenant = partner.tenant(TENANT_A);
    await tenant.alerts.list({ top: 1 });
    await tenant.graph.hunting.run("DeviceInfo");
    assert.deepStrictEqual(
      seen.map((s) => [new URL(s.url).pathname, audienceOf(s.headers.get("authorization"))]),
      [
        ["/api/alerts", "https://api.securitycenter.microsoft.com"],
        ["/v1.0/security/runHuntingQuery", "https://graph.microsoft.com"],
      ],
    );
    // A Graph path through the MDE transport (or the reverse) is refused before anything is sent.
    const wrong = { method: "GET" as const, operation: "X", permissions: [], idempotent: true };
    await assert.rejects(tenant.transport.send({ ...wrong, path: "/v1.0/security/alerts_v2" }), { code: "ERR_MDE_INVALID_RESPONSE" });
    await assert.rejects(tenant.graphTransport.send({ ...wrong, path: "/api/alerts" }), { code: "ERR_MDE_INVALID_RESPONSE" });
    assert.equal(seen.length, 2);
    await partner.close();
  });

  it("lists alerts_v2 with a typed $filter, $top, $count and follows @odata.nextLink as sent", async () => {
    const next = "https://graph.microsoft.com/v1.0/security/alerts_v2?$filter=x&$top=2&$skiptoken=abc%3D";
    const { fetch, seen } = scriptedFetch([
      json(200, { "@odata.count": 3, "@odata.nextLink": next, value: [{ id: "1" }, { id: "2" }] }),
      json(200, { value: [{ id: "3" }] }),
    ]);
    const { partner } = graphPartner({ fetch });
    const list = partner.tenant(TENANT_A).graph.alerts.list({
      filter: (f) =>
        f.and(
          f.eq("serviceSource", "microsoftDefenderForEndpoint"),
          f.gt("lastUpdateDateTime", new Date("2026-01-01T00:00:00Z")),
          f.eq("assignedTo", "o'brien@contoso.com"),
        ),
      pageSize: 2,
      count: true,
    });
    const ids: string[] = [];
    let count: number | undefined;
    for await (const page of list.pages()) {
      count ??= page.count;
      ids.push(...page.value.map((a) => a.id));
    }
    assert.deepStrictEqual(ids, ["1", "2", "3"]);
    assert.equal(count, 3);
    const first = new URL(seen[0]!.url);
    assert.equal(first.pathname, "/v1.0/security/alerts_v2");
    assert.equal(
      first.searchParams.get("$filter"),
      "serviceSource eq 'microsoftDefenderForEndpoint' and lastUpdateDateTime gt 2026-01-01T00:00:00.000Z and assignedTo eq 'o''brien@contoso.com'",
    );
    assert.equal(first.searchParams.get("$top"), "2");
    assert.equal(first.searchParams.get("$count"), "true");
    assert.equal(seen[1]!.url, new URL(next).href, "the next link is requested as it came");
    await partner.close();
  });

  it("refuses a next link to another host, caps incident pages at 50 and takes $expand=alerts", async () => {
    const { fetch, seen } = scriptedFetch([
      json(200, { "@odata.nextLink": "https://graph.microsoft.us/v1.0/security/incidents?$skiptoken=x", value: [{ id: "1" }] }),
    ]);
    const { partner } = graphPartner({ fetch });
    const tenant = partner.tenant(TENANT_A);
    await assert.rejects(
      (async () => {
        for await (const _ of tenant.graph.incidents.list({ expand: ["alerts"], filter: (f) => f.eq("status", "active") })) {
        }
      })(),
      ForeignNextLinkError,
    );
    assert.equal(seen.length, 1);
    assert.equal(new URL(seen[0]!.url).searchParams.get("$expand"), "alerts");
    assert.throws(() => tenant.graph.incidents.list({ pageSize: 51 }), TypeError);
    assert.throws(() => tenant.graph.alerts.list({ pageSize: 1001 }), TypeError);
    await partner.close();
  });

  it("honours a fractional Retry-After on a Graph 429 and retries", async () => {
    const time = fakeTime();
    const { fetch, seen } = scriptedFetch(
      [json(429, g("graph-throttled-429.response.json"), { "retry-after": "2.128" }), json(200, HUNT_OK)],
      time,
    );
    const { partner } = graphPartner({ fetch }, { time });
    const start = time.now;
    const result = await partner.tenant(TENANT_A).hunt("DeviceInfo");
    assert.deepStrictEqual(result, HUNT_OK);
    assert.equal(seen.length, 2);
    assert.ok(seen[1]!.at - start >= 2128, `second attempt after ${seen[1]!.at - start} ms`);
    assert.ok(time.sleeps.includes(2128));
    await partner.close();
  });

  it("turns Graph error bodies into the typed errors, with the service's request-id", async () => {
    const throttled = g("graph-throttled-429.response.json");
    const { fetch } = scriptedFetch([
      json(429, throttled, { "retry-after": "120" }),
      json(400, g("graph-error.example.json")),
      json(400, {
        error: {
          code: "",
          message: "The query specified in the URI is not valid. The limit of '50' for Top query has been exceeded.",
          details: [],
          innerError: { date: "2024-01-01T00:00:00", "request-id": "0e1f", "client-request-id": "c" },
        },
      }),
      json(403, { error: { code: "Forbidden", message: "Access denied", innerError: { "request-id": "f0rb" } } }),
    ]);
    const { partner } = graphPartner({ fetch });
    const tenant = partner.tenant(TENANT_A);
    await assert.rejects(tenant.graph.alerts.get("a"), (e: unknown) => {
      assert.ok(e instanceof MdeRateLimitedError);
      assert.equal(e.retryAfterMs, 120_000);
      assert.equal(e.apiCode, "TooManyRequests");
      assert.equal(e.correlationId, "94fb3b52-452a-4535-a601-69e0a90e3aa2");
      return true;
    });
    await assert.rejects(tenant.graph.alerts.get("a"), (e: unknown) => {
      assert.ok(e instanceof MdeBadRequestError);
      assert.equal(e.apiCode, "invalidRange");
      assert.equal(e.correlationId, "request-id");
      return true;
    });
    await assert.rejects(tenant.graph.incidents.list({ pageSize: 50 }).then((p) => p), (e: unknown) => {
      assert.ok(e instanceof MdeBadRequestError);
      assert.equal(e.apiCode, undefined, "an empty code counts as none");
      assert.match(e.message, /limit of '50'/);
      return true;
    });
    await assert.rejects(tenant.graph.alerts.update("a", { status: "resolved" }), (e: unknown) => {
      assert.ok(e instanceof MdeForbiddenError);
      assert.equal(e.code, "ERR_MDE_FORBIDDEN");
      assert.equal(e.correlationId, "f0rb");
      return true;
    });
    await partner.close();
  });

  it("fails before sending when the Graph token lacks the permission, naming it", async () => {
    const { fetch, seen } = scriptedFetch([router]);
    const { partner } = graphPartner({ fetch }, { roles: { graph: ["ThreatHunting.Read.All"] } });
    await assert.rejects(partner.tenant(TENANT_A).graph.incidents.list().then((p) => p), (e: unknown) => {
      assert.ok(e instanceof MdeForbiddenError);
      assert.deepStrictEqual(e.missingPermissions, ["SecurityIncident.Read.All", "SecurityIncident.ReadWrite.All"]);
      return true;
    });
    assert.equal(seen.length, 0);
    await partner.close();
  });

  it("keeps Graph's per-tenant hunting budget and the app's global budget across tenants", async () => {
    assert.deepStrictEqual(GRAPH_BUDGETS["graph-hunting"], { perMinute: 45 });
    assert.deepStrictEqual(GRAPH_BUDGETS["graph-global"], { perSecond: 2000 });
    const time = fakeTime();
    const { fetch, seen } = scriptedFetch([router], time);
    const { partner } = graphPartner({ fetch, rateBudgets: { "graph-global": { perSecond: 2 }, "graph-hunting": { perMinute: 1 } } }, { time });
    const start = time.now;
    // Three tenants, one hunt each: the third waits for the global per-second window.
    const C = "cccccccc-0000-4000-8000-000000000003";
    await Promise.all([TENANT_A, TENANT_B, C].map((t) => partner.tenant(t).hunt("DeviceInfo")));
    const at = seen.map((s) => s.at - start).sort((a, b) => a - b);
    assert.deepStrictEqual(at.slice(0, 2), [0, 0]);
    assert.ok(at[2]! >= 1000, `third tenant sent at ${at[2]} ms`);
    // A second hunt in one tenant waits for that tenant's minute window; MDE calls do not.
    const before = time.now;
    await Promise.all([partner.tenant(TENANT_A).hunt("DeviceInfo"), partner.tenant(TENANT_A).alerts.list({ top: 1 })]);
    const last = seen.slice(-2).map((s) => [new URL(s.url).pathname, s.at - before] as const);
    const mde = last.find(([p]) => p === "/api/alerts")!;
    const hunt = last.find(([p]) => p === "/v1.0/security/runHuntingQuery")!;
    assert.ok(mde[1] < 1000, "MDE is not held by Graph's budget");
    assert.ok(hunt[1] >= 58_000, `second hunt of the tenant waited ${hunt[1]} ms`);
    await partner.close();
  });
});
