/**
 * The Graph side against the emulator over real HTTPS (trusting its CA): one token per audience per
 * token lifetime, each token only on its own API, the same KQL through Graph and the legacy endpoint
 * on five tenants, and a tenant that consented before Graph permissions existed.
 */
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { after, before, describe, it } from "node:test";
import {
  createPartnerClient,
  huntingValue,
  LEGACY_HUNTING_WARNING_CODE,
  MdeForbiddenError,
  type PartnerClientOptions,
} from "@mde-partner/client";
import { createEmulator, type Emulator, type EmulatorInfo } from "@mde-partner/emulator";
import { createDefaultFetch } from "../src/network.js";
import { fakeTime } from "./pipeline-fakes.js";

let emulator: Emulator;
let info: EmulatorInfo;
let https: ReturnType<typeof createDefaultFetch>;

before(async () => {
  emulator = await createEmulator({
    seed: "graph-client-tests",
    alertsPerTenant: 4,
    machinesPerTenant: 3,
    tokenLifetimeSec: 3600,
    // Five full tenants, then one that consented before the app asked for Graph permissions.
    tenants: [{}, {}, {}, {}, {}, { graphRoles: [] }],
  });
  info = await emulator.start();
  https = createDefaultFetch({ ca: readFileSync(info.caCertFile, "utf8") });
});
after(async () => {
  await https.close();
  await emulator.stop();
});

interface Sent {
  path: string;
  aud: unknown;
}

/** Real HTTPS through a fetch that records where each bearer token went. */
function partnerWith(extra: Partial<PartnerClientOptions> = {}) {
  const sent: Sent[] = [];
  const fetch: NonNullable<PartnerClientOptions["fetch"]> = (input, init) => {
    const auth = new Headers(init?.headers).get("authorization");
    if (auth) {
      const payload = JSON.parse(Buffer.from(auth.split(".")[1]!, "base64url").toString()) as { aud?: unknown };
      sent.push({ path: new URL(String(input)).pathname, aud: payload.aud });
    }
    return https.fetch(input, init);
  };
  const partner = createPartnerClient({
    clientId: info.partnerApp.clientId,
    credential: { clientSecret: info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, graphUrl: info.graphUrl, ca: info.caCertFile },
    consentRedirectUri: info.partnerApp.redirectUris[0]!,
    fetch,
    ...extra,
  });
  return { partner, sent };
}

const tokenRequests = (tenantId: string) => emulator.state.journal.list({ kind: "token", tenantId }).filter((e) => e.status === 200);

describe("Microsoft Graph against the emulator", () => {
  it("one tenant through both resources: two token requests per token lifetime, each token only on its own API", async () => {
    const time = fakeTime(Date.now());
    const { partner, sent } = partnerWith({ clock: time.clock });
    const tenantId = info.tenants[0]!.id;
    const tenant = partner.tenant(tenantId);
    const before = tokenRequests(tenantId).length;
    const work = async () => {
      await tenant.alerts.list({ top: 2 });
      await tenant.graph.alerts.list({ top: 2 });
      await tenant.hunt("DeviceInfo | take 1");
      await tenant.graph.incidents.list({ top: 2 });
      await tenant.machines.list({ top: 1 });
    };
    await work();
    await work();
    let tokens = tokenRequests(tenantId).slice(before);
    assert.equal(tokens.length, 2, "one token request per audience");
    const resources = tokens.map((t) => (/graph/i.test(t.resource ?? "") ? "graph" : "mde")).sort();
    assert.deepStrictEqual(resources, ["graph", "mde"]);

    // A token lifetime later, each audience is refreshed once more.
    time.advance(3600_000 + 1_000);
    await work();
    tokens = tokenRequests(tenantId).slice(before);
    assert.equal(tokens.length, 4);
    assert.deepStrictEqual(tokens.slice(2).map((t) => (/graph/i.test(t.resource ?? "") ? "graph" : "mde")).sort(), ["graph", "mde"]);

    // Every MDE call carried an MDE token, every Graph call a Graph token.
    assert.ok(sent.some((s) => s.path.startsWith("/api/")) && sent.some((s) => s.path.startsWith("/v1.0/")));
    for (const s of sent) {
      const graphToken = s.aud === "https://graph.microsoft.com" || s.aud === "00000003-0000-0000-c000-000000000000";
      assert.equal(graphToken, s.path.startsWith("/v1.0/"), `${s.path} got a token for ${String(s.aud)}`);
    }
    // And the services agree: nothing was refused for its token.
    const calls = emulator.state.journal.list({ tenantId }).filter((e) => e.kind === "api" || e.kind === "graph");
    assert.ok(calls.some((e) => e.kind === "graph"));
    assert.deepStrictEqual(calls.filter((e) => e.status === 401 || e.status === 403), []);
    await partner.close();
  });

  it("the same KQL on five tenants returns the same rows through Graph and the legacy endpoint; legacy warns", async () => {
    const { partner } = partnerWith();
    const query = "DeviceInfo | summarize Reports = count(), LastSeen = max(Timestamp) by DeviceId, DeviceName | order by DeviceId asc";
    const warnings: Error[] = [];
    const onWarning = (w: Error) => {
      if ((w as { code?: string }).code === LEGACY_HUNTING_WARNING_CODE) warnings.push(w);
    };
    process.on("warning", onWarning);
    try {
      for (const t of info.tenants.slice(0, 5)) {
        const tenant = partner.tenant(t.id);
        const graph = await tenant.hunt(query);
        const legacy = await tenant.hunt(query, { backend: "legacy" });
        // Documented shape differences: schema/results vs Schema/Results, name/type vs Name/Type (graph-security.md §3.2).
        assert.deepStrictEqual(
          graph.schema.map((c) => [c.name, c.type]),
          legacy.Schema.map((c) => [c.Name, c.Type]),
        );
        assert.equal(graph.results.length, t.machines, `one row per device of ${t.id}`);
        const rows = (result: { results: Array<Record<string, unknown>> }, names: string[]) =>
          result.results.map((r) => names.map((n) => normalise(huntingValue(r, n))));
        const names = legacy.Schema.map((c) => c.Name);
        assert.deepStrictEqual(rows(graph, names), rows(legacy, names));
      }
      await new Promise((r) => setImmediate(r));
    } finally {
      process.off("warning", onWarning);
    }
    assert.equal(warnings.length, 1, "the legacy path warned once for the client");
    assert.match(warnings[0]!.message, /2027-02-01/);
    await partner.close();
  });

  it("pages alerts_v2 and incidents by nextLink with a typed filter, and updates and comments through Graph", async () => {
    const { partner } = partnerWith();
    const t = info.tenants[1]!;
    const tenant = partner.tenant(t.id);
    const all: string[] = [];
    let pages = 0;
    let count: number | undefined;
    for await (const page of tenant.graph.alerts
      .list({ filter: (f) => f.eq("serviceSource", "microsoftDefenderForEndpoint"), pageSize: 2, count: true })
      .pages()) {
      pages++;
      count ??= page.count;
      all.push(...page.value.map((a) => a.id));
    }
    assert.equal(new Set(all).size, all.length, "no alert twice");
    assert.equal(all.length, t.alerts);
    assert.ok(pages >= Math.ceil(t.alerts / 2), `${pages} pages of 2`);
    assert.equal(count, t.alerts, "@odata.count on the first page");

    const id = all[0]!;
    const updated = await tenant.graph.alerts.update(id, { status: "inProgress", assignedTo: "soc@partner.example" });
    assert.equal(updated.status, "inProgress");
    assert.equal((await tenant.graph.alerts.get(id)).assignedTo, "soc@partner.example");
    const comments = await tenant.graph.alerts.addComment(id, "looked at it");
    assert.ok(comments.value.some((c) => c.comment === "looked at it"));

    const incidents = await tenant.graph.incidents.list({ expand: ["alerts"], pageSize: 50 });
    assert.ok(incidents.value.length > 0);
    assert.ok(incidents.value.every((i) => Array.isArray(i.alerts)));
    const incident = incidents.value[0]!;
    const changed = await tenant.graph.incidents.update(incident.id, { classification: "truePositive", determination: "malware", customTags: ["client-test"] });
    assert.equal(changed.classification, "truePositive");
    assert.deepStrictEqual((await tenant.graph.incidents.get(incident.id)).customTags, ["client-test"]);
    await partner.close();
  });

  it("a tenant that consented before Graph permissions were added shows up as drifted, with a link for both resources", async () => {
    const { partner } = partnerWith();
    const old = info.tenants[5]!;
    assert.deepStrictEqual(old.graphRoles, []);
    const tenant = partner.tenant(old.id);
    const report = await tenant.checkPermissions(["alerts:read", "machines:read", "graph:hunting", "graph:alerts:read"]);
    assert.equal(report.drifted, true);
    assert.deepStrictEqual(report.resources, ["graph"]);
    assert.deepStrictEqual(report.mde.missing, []);
    assert.deepStrictEqual([...report.graph.missing].sort(), ["SecurityAlert.Read.All", "ThreatHunting.Read.All"]);
    // The report's link carries no state: the legacy link, which consents to every permission of the app (both resources).
    const link = new URL(report.consentUrl);
    assert.equal(link.pathname, "/common/oauth2/authorize");
    assert.equal(link.searchParams.get("redirect_uri"), null);
    // Its MDE side still works; its Graph calls fail before sending, naming the permission.
    await tenant.alerts.list({ top: 1 });
    await assert.rejects(tenant.hunt("DeviceInfo | take 1"), (e: unknown) => {
      assert.ok(e instanceof MdeForbiddenError);
      assert.deepStrictEqual(e.missingPermissions, ["ThreatHunting.Read.All"]);
      return true;
    });
    // The emulator's consent page accepts the link (both resources in one consent).
    const page = await https.fetch(report.consentUrl, { redirect: "manual" });
    assert.ok(page.status < 400, `consent link answered ${page.status}`);
    await page.arrayBuffer();
    // A tenant with everything granted is not drifted.
    const full = await partner.tenant(info.tenants[0]!.id).checkPermissions(["alerts:read", "graph:hunting", "graph:incidents:write"]);
    assert.equal(full.drifted, false);
    await partner.close();
  });
});

/** Datetimes compared as instants (one service may print fewer fractional digits); other values as they are. */
function normalise(value: unknown): unknown {
  if (typeof value === "string" && /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(value)) return Date.parse(value);
  return value;
}
