/** Graph in the cloud profiles, the permission catalogue and planner, drift per resource, and consent links for both resources. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  adminConsentUrl,
  createPartnerClient,
  detectDrift,
  findPermission,
  GRAPH_APP_ID,
  GRAPH_OPERATIONS,
  planPermissions,
  resolveCloud,
  WINDOWS_DEFENDER_ATP_APP_ID,
} from "@mde-partner/client";
import { graphPartner, GRAPH_SCOPE, MDE_SCOPE } from "./graph-fixture.js";
import { CLIENT_ID, scriptedFetch, TENANT_A } from "./pipeline-fakes.js";

const GRAPH_ROLE_IDS = {
  "ThreatHunting.Read.All": "dd98c7f5-2d42-42d3-a0e4-633161547251",
  "SecurityAlert.Read.All": "472e4a4d-bb4a-4026-98d1-0b0d74cb74a5",
  "SecurityAlert.ReadWrite.All": "ed4fca05-be46-441f-9803-1873825f8fdb",
  "SecurityIncident.Read.All": "45cc0394-e837-488b-a098-1918f48d186c",
  "SecurityIncident.ReadWrite.All": "34bf0e97-1971-4929-b999-9e2442d941d7",
};

describe("Graph in the cloud profiles", () => {
  it("has each national cloud's Graph host and .default scope (GCC keeps the worldwide host)", () => {
    const table = Object.fromEntries(
      (["public", "gcc", "gcc-high", "dod"] as const).map((n) => {
        const c = resolveCloud(n);
        return [n, [c.graphUrl, c.graphScope]];
      }),
    );
    assert.deepStrictEqual(table, {
      public: ["https://graph.microsoft.com", "https://graph.microsoft.com/.default"],
      gcc: ["https://graph.microsoft.com", "https://graph.microsoft.com/.default"],
      "gcc-high": ["https://graph.microsoft.us", "https://graph.microsoft.us/.default"],
      dod: ["https://dod-graph.microsoft.us", "https://dod-graph.microsoft.us/.default"],
    });
    assert.deepStrictEqual(resolveCloud("public").graphAudiences, ["https://graph.microsoft.com", GRAPH_APP_ID]);
  });

  it("a custom cloud takes graphUrl (default: the API URL) and asks for the public Graph resource unless told otherwise", () => {
    const same = resolveCloud({ name: "custom", loginUrl: "https://127.0.0.1:1", apiUrl: "https://127.0.0.1:1" });
    assert.equal(same.graphUrl, "https://127.0.0.1:1");
    assert.equal(same.graphScope, "https://graph.microsoft.com/.default");
    const proxy = resolveCloud({
      name: "custom",
      loginUrl: "https://login.example",
      apiUrl: "https://mde.example",
      graphUrl: "https://graph.example/",
      graphResource: "https://graph.microsoft.us",
    });
    assert.deepStrictEqual([proxy.graphUrl, proxy.graphResource, proxy.graphScope], [
      "https://graph.example",
      "https://graph.microsoft.us",
      "https://graph.microsoft.us/.default",
    ]);
    assert.throws(() => resolveCloud({ name: "dod", graphScope: "https://dod-graph.microsoft.us" }), TypeError);
    assert.throws(() => resolveCloud({ name: "custom", loginUrl: "https://a.example", apiUrl: "https://a.example", graphUrl: "http://graph.example" }), TypeError);
  });

  it("a GCC High client asks Entra for the GCC High Graph scope and calls the GCC High Graph host", async () => {
    const { fetch, seen } = scriptedFetch([new Response(JSON.stringify({ schema: [], results: [] }), { status: 200 })]);
    const { partner, credential } = graphPartner({ fetch, cloud: "gcc-high" });
    await partner.tenant(TENANT_A).hunt("DeviceInfo");
    assert.deepStrictEqual(credential.calls.map((c) => c.scope), ["https://graph.microsoft.us/.default"]);
    assert.equal(new URL(seen[0]!.url).origin, "https://graph.microsoft.us");
    await partner.close();
  });
});

describe("Graph permissions in the planner", () => {
  it("catalogues the five Graph roles with their app-role ids, on Graph's resource app id", () => {
    for (const [name, id] of Object.entries(GRAPH_ROLE_IDS)) {
      const p = findPermission(name);
      assert.ok(p, name);
      assert.equal(p.appRoleId, id);
      assert.equal(p.resource, "graph");
      assert.equal(p.resourceAppId, "00000003-0000-0000-c000-000000000000");
    }
    for (const [name, op] of Object.entries(GRAPH_OPERATIONS)) {
      for (const p of op.permissions) assert.equal(findPermission(p)?.resource, "graph", `${name}: ${p}`);
    }
  });

  it("plans least privilege across both resources: two manifest entries and az commands per resource", () => {
    const plan = planPermissions(["machines:isolate", "graph:hunting", "graph:alerts:read", "graph:incidents:read"]);
    // Isolating looks the machine up first: Machine.Read.All beside Machine.Isolate.
    assert.deepStrictEqual(
      [...plan.permissions],
      ["Machine.Isolate", "Machine.Read.All", "SecurityAlert.Read.All", "SecurityIncident.Read.All", "ThreatHunting.Read.All"],
    );
    assert.deepStrictEqual(plan.resources, ["mde", "graph"]);
    assert.deepStrictEqual(
      plan.requiredResourceAccess.map((e) => [e.resourceAppId, e.resourceAccess.map((r) => r.id).sort()]),
      [
        [WINDOWS_DEFENDER_ATP_APP_ID, ["7e4e1300-e1b9-4102-88ba-f0cb6e6d5974", "ea8291d3-4b9a-44b5-bc3a-6cea3026dc79"]],
        [
          GRAPH_APP_ID,
          [GRAPH_ROLE_IDS["SecurityAlert.Read.All"], GRAPH_ROLE_IDS["SecurityIncident.Read.All"], GRAPH_ROLE_IDS["ThreatHunting.Read.All"]].sort(),
        ],
      ],
    );
    const appId = "0b1e2f3a-1111-2222-3333-444455556666";
    const commands = plan.azCommands(appId);
    assert.deepStrictEqual(commands.map((c) => / --api (\S+) /.exec(c)?.[1] ?? c), [
      WINDOWS_DEFENDER_ATP_APP_ID,
      WINDOWS_DEFENDER_ATP_APP_ID,
      GRAPH_APP_ID,
      GRAPH_APP_ID,
      GRAPH_APP_ID,
      `az ad app permission admin-consent --id ${appId}`,
    ]);
    // Reads and writes together need only the ReadWrite roles.
    assert.deepStrictEqual(
      [...planPermissions(["graph:alerts:read", "graph:alerts:write", "graph:incidents:read", "graph:incidents:write"]).permissions],
      ["SecurityAlert.ReadWrite.All", "SecurityIncident.ReadWrite.All"],
    );
  });
});

describe("drift per resource", () => {
  it("a tenant that consented before Graph was added lacks exactly the Graph side", () => {
    const report = detectDrift(
      { mde: ["Alert.Read.All", "Machine.Read.All", "Machine.Isolate"], graph: [] },
      ["alerts:read", "machines:isolate", "graph:hunting"],
    );
    assert.equal(report.drifted, true);
    assert.deepStrictEqual(report.resources, ["graph"]);
    assert.deepStrictEqual(report.mde.missing, []);
    assert.deepStrictEqual(report.graph.missing, ["ThreatHunting.Read.All"]);
    assert.deepStrictEqual(report.graph.unmet.map((r) => r.operation), ["RunHuntingQuery"]);
  });

  it("ReadWrite covers Read on Graph too; nothing missing means no drift", () => {
    const report = detectDrift(
      { mde: ["Alert.ReadWrite.All"], graph: ["SecurityAlert.ReadWrite.All", "SecurityIncident.ReadWrite.All", "ThreatHunting.Read.All"] },
      ["alerts:read", "graph:alerts:read", "graph:incidents:write", "graph:hunting"],
    );
    assert.equal(report.drifted, false);
    assert.deepStrictEqual(report.resources, []);
  });
});

describe("consent links for both resources", () => {
  it("adminConsentUrl takes several /.default scopes", () => {
    const url = new URL(
      adminConsentUrl({
        loginUrl: "https://login.microsoftonline.com",
        clientId: CLIENT_ID,
        redirectUri: "https://partner.example/cb",
        tenant: TENANT_A,
        scopes: [MDE_SCOPE, GRAPH_SCOPE],
      }),
    );
    assert.equal(url.pathname, `/${TENANT_A}/v2.0/adminconsent`);
    assert.equal(url.searchParams.get("scope"), `${MDE_SCOPE} ${GRAPH_SCOPE}`);
    assert.throws(
      () => adminConsentUrl({ loginUrl: "https://l.example", clientId: CLIENT_ID, redirectUri: "https://p.example", scopes: ["https://graph.microsoft.com"] }),
      TypeError,
    );
  });

  it("the partner's consent link asks for the MDE and the Graph scope of its cloud", () => {
    const partner = createPartnerClient({
      clientId: CLIENT_ID,
      credential: { clientSecret: "not-used" },
      cloud: "gcc-high",
      consentRedirectUri: "https://partner.example/cb",
    });
    const url = new URL(partner.consentUrl(TENANT_A, { state: "s" }));
    assert.equal(url.origin, "https://login.microsoftonline.us");
    assert.deepStrictEqual(url.searchParams.get("scope")!.split(" "), [
      "https://api-gov.securitycenter.microsoft.us/.default",
      "https://graph.microsoft.us/.default",
    ]);
    const mdeOnly = createPartnerClient({
      clientId: CLIENT_ID,
      credential: { clientSecret: "not-used" },
      consentRedirectUri: "https://partner.example/cb",
      consentResources: ["mde"],
    });
    assert.equal(new URL(mdeOnly.consentUrl(TENANT_A, { state: "s" })).searchParams.get("scope"), MDE_SCOPE);
  });
});
