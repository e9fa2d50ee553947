/**
 * Every documented Microsoft Graph response example parses through the client call that returns it,
 * with nothing lost: the value handed back deep-equals the example (collections per item), and the
 * request the client sent matches the documented request example where there is one.
 */
import assert from "node:assert/strict";
import { readdirSync } from "node:fs";
import { describe, it } from "node:test";
import {
  createGraphApi,
  createMdeApi,
  type GraphAlert,
  type GraphApi,
  type GraphHuntingResult,
  huntingValue,
  isEvidence,
  evidenceKind,
} from "@mde-partner/client";
import { createTestTransport, EXAMPLES_DIR, example, respondWith } from "./resources-fixture.js";

const GRAPH_DIR = `${EXAMPLES_DIR}graph/`;
const g = (name: string) => example(`graph/${name}`);

type Shape = "entity" | "collection";
interface Row {
  file: string;
  shape: Shape;
  call: (c: GraphApi) => unknown;
  /** Documented request body the call must send (semantically). */
  request?: { file: string; method: string; path: string; query?: Record<string, string> };
}

/** A `GET` without a body (no request example to compare). */
const getRequest = (path: string, query?: Record<string, string>): Row["request"] => ({ file: "", method: "GET", path, ...(query ? { query } : {}) });

const TABLE: Row[] = [
  {
    file: "run-hunting-query.response.json",
    shape: "entity",
    call: (c) => c.hunting.run((g("run-hunting-query.request.json") as { Query: string }).Query),
    request: { file: "run-hunting-query.request.json", method: "POST", path: "/v1.0/security/runHuntingQuery" },
  },
  {
    file: "run-hunting-query-timespan.response.json",
    shape: "entity",
    call: (c) => c.hunting.run("DeviceProcessEvents", { timespan: "P90D" }),
    request: { file: "run-hunting-query-timespan.request.json", method: "POST", path: "/v1.0/security/runHuntingQuery" },
  },
  {
    file: "run-hunting-query-beta-workspace.response.json",
    shape: "entity",
    call: (c) => {
      const r = g("run-hunting-query-beta-workspace.request.json") as { query: string; timespan: string; workspaceId: string };
      return c.hunting.run(r.query, { timespan: r.timespan, workspaceId: r.workspaceId });
    },
  },
  {
    file: "run-hunting-query-legacy-pascal-schema.response.json",
    shape: "entity",
    call: (c) => c.hunting.run("DeviceProcessEvents | limit 2"),
  },
  { file: "list-alerts-v2.response.json", shape: "collection", call: (c) => c.alerts.list(), request: getRequest("/v1.0/security/alerts_v2") },
  {
    file: "list-alerts-v2-sentinel.response.json",
    shape: "collection",
    call: (c) => c.alerts.list({ filter: (f) => f.eq("serviceSource", "microsoftSentinel") }),
    request: getRequest("/v1.0/security/alerts_v2", { $filter: "serviceSource eq 'microsoftSentinel'" }),
  },
  {
    file: "get-alert-v2.response.json",
    shape: "entity",
    call: (c) => c.alerts.get("da637578995287051192_756343937"),
    request: getRequest("/v1.0/security/alerts_v2/da637578995287051192_756343937"),
  },
  {
    file: "update-alert-v2.response.json",
    shape: "entity",
    call: (c) => c.alerts.update("da637551227677560813_-961444813", g("update-alert-v2.request.json") as never),
    request: { file: "update-alert-v2.request.json", method: "PATCH", path: "/v1.0/security/alerts_v2/da637551227677560813_-961444813" },
  },
  {
    file: "create-alert-comment.response.json",
    shape: "entity",
    call: (c) => c.alerts.addComment("da637865765418431569_-773071023", "Demo for docs"),
    request: {
      file: "create-alert-comment.request.json",
      method: "POST",
      path: "/v1.0/security/alerts_v2/da637865765418431569_-773071023/comments",
    },
  },
  { file: "list-incidents.response.json", shape: "collection", call: (c) => c.incidents.list(), request: getRequest("/v1.0/security/incidents") },
  {
    file: "list-incidents-expand-alerts.response.json",
    shape: "collection",
    call: (c) => c.incidents.list({ expand: ["alerts"] }),
    request: getRequest("/v1.0/security/incidents", { $expand: "alerts" }),
  },
  {
    file: "get-incident.response.json",
    shape: "entity",
    call: (c) => c.incidents.get("29"),
    request: getRequest("/v1.0/security/incidents/29"),
  },
  {
    file: "update-incident.response.json",
    shape: "entity",
    call: (c) => c.incidents.update("29", g("update-incident.request.json") as never),
    request: { file: "update-incident.request.json", method: "PATCH", path: "/v1.0/security/incidents/29" },
  },
];

// Files in examples/graph/ that are not successful answers of a Graph security call, and why.
const NOT_GRAPH_RESPONSES: Record<string, string> = {
  "graph-throttled-429.response.json": "a 429 error body: graph-requests.test.ts checks it becomes ERR_MDE_RATE_LIMITED",
  "token-client-credentials.response.json": "an Entra ID token answer, not a Graph call",
  "xdr-advancedhunting-run.response.json": "the retiring XDR hunting answer: parsed below through the legacy hunting call",
};

function graphClientAnswering(body: unknown) {
  const transport = createTestTransport(respondWith(body), "https://graph.microsoft.com");
  return { client: createGraphApi(transport), transport };
}

describe("Graph models round-trip: documented responses survive parsing unchanged", () => {
  for (const row of TABLE) {
    it(`${row.file} → client`, async () => {
      const body = g(row.file) as Record<string, unknown>;
      const { client, transport } = graphClientAnswering(body);
      const result = await (row.call(client) as PromiseLike<unknown>);
      if (row.shape === "entity") {
        assert.deepStrictEqual(result, body);
        // Serialised, it is still exactly what the service sent (aliases are not enumerable).
        assert.deepStrictEqual(JSON.parse(JSON.stringify(result)), body);
      } else {
        const page = result as { value: unknown[]; nextLink?: string; context?: string };
        const expected = body["value"] as unknown[];
        assert.equal(page.value.length, expected.length);
        for (const [i, item] of expected.entries()) assert.deepStrictEqual(page.value[i], item, `item ${i}`);
        assert.equal(page.context, body["@odata.context"]);
      }
      if (row.request) {
        const sent = transport.captured[0]!;
        assert.equal(sent.method, row.request.method);
        assert.equal(sent.url.pathname, row.request.path);
        for (const [k, v] of Object.entries(row.request.query ?? {})) assert.equal(sent.url.searchParams.get(k), v, k);
        if (row.request.file) assert.deepStrictEqual(sent.body, g(row.request.file));
      }
    });
  }

  it("covers every response example of the Graph folder", () => {
    const files = readdirSync(GRAPH_DIR).filter((f) => f.endsWith(".response.json"));
    const covered = new Set([...TABLE.map((r) => r.file), ...Object.keys(NOT_GRAPH_RESPONSES)]);
    assert.deepStrictEqual(
      files.filter((f) => !covered.has(f)),
      [],
    );
  });

  it("the beta workspace example's request carries the same query, timespan and workspace (in v1.0 key casing)", async () => {
    const { client, transport } = graphClientAnswering(g("run-hunting-query-beta-workspace.response.json"));
    const r = g("run-hunting-query-beta-workspace.request.json") as { query: string; timespan: string; workspaceId: string };
    await client.hunting.run(r.query, { timespan: r.timespan, workspaceId: r.workspaceId });
    assert.deepStrictEqual(transport.captured[0]!.body, { Query: r.query, Timespan: r.timespan, workspaceId: r.workspaceId });
  });

  it("reads schema and rows whatever their casing: PascalCase schema items, camelCase row keys", async () => {
    const pascal = (await graphClientAnswering(g("run-hunting-query-legacy-pascal-schema.response.json")).client.hunting.run(
      "q",
    )) as GraphHuntingResult;
    assert.deepStrictEqual(
      pascal.schema.map((c) => [c.name, c.type]),
      [
        ["Timestamp", "DateTime"],
        ["FileName", "String"],
        ["InitiatingProcessFileName", "String"],
      ],
    );
    const camel = await graphClientAnswering(g("run-hunting-query-timespan.response.json")).client.hunting.run("q");
    const first = camel.results[0]!;
    assert.deepStrictEqual(
      camel.schema.map((c) => huntingValue(first, c)),
      ["2020-08-30T06:38:35.7664356Z", "conhost.exe", "powershell.exe"],
    );
  });

  it("types evidence by @odata.type and keeps unknown evidence types", async () => {
    const alert = (await graphClientAnswering(g("get-alert-v2.response.json")).client.alerts.get("x")) as GraphAlert;
    const evidence = alert.evidence ?? [];
    assert.deepStrictEqual(evidence.map(evidenceKind), ["deviceEvidence", "fileEvidence", "processEvidence", "registryKeyEvidence"]);
    const device = evidence.find((e) => isEvidence(e, "deviceEvidence"));
    assert.ok(device && isEvidence(device, "deviceEvidence"));
    assert.equal(device.mdeDeviceId, "73e7e2de709dff64ef64b1d0c30e67fab63279db");
    const process = evidence.find((e) => isEvidence(e, "processEvidence"));
    assert.ok(process && isEvidence(process, "processEvidence"));
    assert.equal(process.userAccount?.accountName, "SYSTEM");
    // An evidence type the client does not model survives untouched.
    const odd = { "@odata.type": "#microsoft.graph.security.mailboxEvidence", primaryAddress: "a@contoso.com", verdict: "suspicious" };
    const body = { ...(g("get-alert-v2.response.json") as object), evidence: [odd] };
    const kept = await graphClientAnswering(body).client.alerts.get("x");
    assert.deepStrictEqual(kept.evidence, [odd]);
    assert.equal(isEvidence(kept.evidence![0]!, "deviceEvidence"), false);
  });

  it("the retiring XDR hunting answer still parses through the legacy call (Schema/Results/Stats kept)", async () => {
    const body = example("graph/xdr-advancedhunting-run.response.json") as { Schema: unknown[]; Results: unknown[] };
    const client = createMdeApi(createTestTransport(respondWith(body)));
    const result = await client.hunting.run("DeviceProcessEvents | limit 2");
    assert.deepStrictEqual(result, body);
    assert.deepStrictEqual(result.results, body.Results);
  });
});
