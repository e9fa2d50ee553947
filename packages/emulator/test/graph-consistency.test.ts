// One underlying world, two APIs: the same KQL through Graph and through the MDE
// endpoint, alerts_v2 paging against the MDE alert list, updates made through
// Graph seen through the MDE API (and the other way), incidents grouped from the
// alerts, and evolvable enums behind `Prefer: include-unknown-enum-members`.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createManualClock, type TenantInfo } from "@mde-partner/emulator";
import { caller, fetchToken, GRAPH_SCOPE, MDE_SCOPE, makeEmulator, type TestEmulator } from "./graph-support.js";

const NOW = Date.UTC(2026, 4, 20, 9, 30, 12, 345);
const DAY = 86_400_000;

describe("Graph and MDE over the same data", () => {
  let t: TestEmulator;
  let tenant: TenantInfo;
  let graph: ReturnType<typeof caller>;
  let mde: ReturnType<typeof caller>;

  before(async () => {
    t = await makeEmulator({ tenants: [{ alerts: 250, machines: 25 }], rateLimits: false, seed: 5, clock: createManualClock(NOW) });
    tenant = t.emulator.info().tenants[0] as TenantInfo;
    graph = caller(t.emulator, await fetchToken(t.emulator, tenant.id, { scope: GRAPH_SCOPE }));
    mde = caller(t.emulator, await fetchToken(t.emulator, tenant.id, { scope: MDE_SCOPE }));
  });
  after(async () => t.stop());

  const graphHunt = async (body: Record<string, unknown>) => {
    const res = await graph("/v1.0/security/runHuntingQuery", { method: "POST", body });
    assert.equal(res.status, 200, res.text);
    return res.json() as { schema: Array<{ name: string; type: string }>; results: Array<Record<string, unknown>> };
  };
  const mdeHunt = async (query: string) => {
    const res = await mde("/api/advancedqueries/run", { method: "POST", body: { Query: query } });
    assert.equal(res.status, 200, res.text);
    return res.json() as { Schema: Array<{ Name: string; Type: string }>; Results: Array<Record<string, unknown>> };
  };

  test("the same KQL returns the same rows through Graph and /api/advancedqueries/run (schema and results renamed only)", async () => {
    const queries = [
      "DeviceProcessEvents | where InitiatingProcessFileName =~ 'powershell.exe' | project Timestamp, DeviceName, FileName, ProcessCommandLine | order by Timestamp desc | take 200",
      "AlertInfo | summarize Alerts = count() by Severity, Category | order by Alerts desc, Severity asc, Category asc",
      "DeviceInfo | summarize arg_max(Timestamp, *) by DeviceId | project DeviceId, DeviceName, OSPlatform | order by DeviceId asc",
    ];
    for (const query of queries) {
      const g = await graphHunt({ Query: query });
      const m = await mdeHunt(query);
      assert.ok(m.Results.length > 0, query);
      assert.deepEqual(g.schema, m.Schema.map((c) => ({ name: c.Name, type: c.Type })), query);
      assert.deepEqual(g.results, m.Results, query);
    }
  });

  test("Timespan narrows the window: P1D equals the MDE query filtered to the last day; an interval equals 'between'", async () => {
    const base = "DeviceProcessEvents | project Timestamp, DeviceId, FileName | order by Timestamp desc, DeviceId asc, FileName asc";
    const all = await graphHunt({ Query: base });
    const lastDay = await graphHunt({ Query: base, Timespan: "P1D" });
    const mdeLastDay = await mdeHunt(`DeviceProcessEvents | where Timestamp >= ago(1d) | project Timestamp, DeviceId, FileName | order by Timestamp desc, DeviceId asc, FileName asc`);
    assert.ok(lastDay.results.length > 0 && lastDay.results.length < all.results.length);
    assert.deepEqual(lastDay.results, mdeLastDay.Results);
    const from = new Date(NOW - 5 * DAY).toISOString();
    const to = new Date(NOW - 3 * DAY).toISOString();
    const interval = await graphHunt({ Query: base, Timespan: `${from}/${to}` });
    const mdeInterval = await mdeHunt(`DeviceProcessEvents | where Timestamp between (datetime(${from}) .. datetime(${to})) | project Timestamp, DeviceId, FileName | order by Timestamp desc, DeviceId asc, FileName asc`);
    assert.ok(interval.results.length > 0);
    assert.deepEqual(interval.results, mdeInterval.Results);
    // The query's own filter and the Timespan both apply: the shorter window wins.
    const both = await graphHunt({ Query: `DeviceProcessEvents | where Timestamp >= ago(2d) | project Timestamp, DeviceId, FileName | order by Timestamp desc, DeviceId asc, FileName asc`, Timespan: "P1D" });
    assert.deepEqual(both.results, lastDay.results);
    const bad = await graph("/v1.0/security/runHuntingQuery", { method: "POST", body: { Query: base, Timespan: "yesterday" } });
    assert.equal(bad.status, 400);
  });

  test("alerts_v2 paging by @odata.nextLink returns every MDE alert exactly once, newest first", async () => {
    const mdeIds = (await mde("/api/alerts?$top=10000")).json().value.map((a: { id: string }) => a.id) as string[];
    assert.equal(mdeIds.length, 250);
    const seen: string[] = [];
    let created: string[] = [];
    let next: string | undefined = "/v1.0/security/alerts_v2?$count=true";
    let pages = 0;
    while (next) {
      const res = await graph(next);
      assert.equal(res.status, 200, res.text);
      const body = res.json();
      if (pages === 0) assert.equal(body["@odata.count"], 250);
      pages++;
      for (const a of body.value) {
        seen.push(a.id);
        created.push(a.createdDateTime);
      }
      next = body["@odata.nextLink"];
      if (next) {
        const link = new URL(next);
        assert.equal(link.origin, "https://127.0.0.1", "next links stay on the origin called");
        assert.match(link.search, /\$skip=\d+/);
        next = link.pathname + link.search;
      }
    }
    assert.equal(pages, 3, "default page size 100");
    assert.equal(new Set(seen).size, seen.length, "no alert twice");
    assert.deepEqual([...seen].sort(), [...mdeIds].sort());
    assert.deepEqual(created, [...created].sort().reverse(), "newest first");
    created = [];
  });

  test("$filter, $top and $skip on alerts_v2 agree with the MDE API's own filter", async () => {
    const mdeNew = (await mde("/api/alerts?$filter=status eq 'New'&$top=10000")).json().value.map((a: { id: string }) => a.id).sort();
    const graphNew: string[] = [];
    for (let skip = 0; ; skip += 40) {
      const page = (await graph(`/v1.0/security/alerts_v2?$filter=status eq 'new'&$top=40&$skip=${skip}`)).json();
      graphNew.push(...page.value.map((a: { id: string; status: string }) => (assert.equal(a.status, "new"), a.id)));
      if (!page["@odata.nextLink"]) break;
    }
    assert.deepEqual(graphNew.sort(), mdeNew);
    const since = "2026-05-15T00:00:00Z";
    const mdeHigh = (await mde(`/api/alerts?$filter=severity eq 'High' and alertCreationTime ge ${since}&$top=10000`)).json().value.length;
    const graphHigh = (await graph(`/v1.0/security/alerts_v2?$filter=severity eq 'high' and createdDateTime ge ${since}&$count=true&$top=1`)).json();
    assert.equal(graphHigh["@odata.count"], mdeHigh);
    const mdeSource = (await graph("/v1.0/security/alerts_v2?$filter=serviceSource eq 'microsoftDefenderForEndpoint'&$count=true&$top=1")).json();
    assert.equal(mdeSource["@odata.count"], 250);
  });

  test("PATCH through Graph is visible through the MDE API, and an MDE update through Graph", async () => {
    const alert = (await graph("/v1.0/security/alerts_v2?$filter=status eq 'new'&$top=1")).json().value[0];
    const before = (await mde(`/api/alerts/${alert.id}`)).json();
    const res = await graph(`/v1.0/security/alerts_v2/${alert.id}`, {
      method: "PATCH",
      body: { status: "inProgress", classification: "truePositive", determination: "compromisedAccount", assignedTo: "soc@contoso.com" },
    });
    assert.equal(res.status, 200, res.text);
    const after = (await mde(`/api/alerts/${alert.id}`)).json();
    assert.equal(after.status, "InProgress");
    assert.equal(after.classification, "TruePositive");
    assert.equal(after.determination, "CompromisedUser");
    assert.equal(after.assignedTo, "soc@contoso.com");
    assert.ok(after.lastUpdateTime > before.lastUpdateTime, "lastUpdateTime moved forward");
    assert.equal(res.json().lastUpdateDateTime, after.lastUpdateTime);
    const cursor = (await mde(`/api/alerts?$filter=lastUpdateTime gt ${before.lastUpdateTime.replace(/\d{4}Z$/, "Z")}&$top=10000`)).json().value.map((a: { id: string }) => a.id);
    assert.ok(cursor.includes(alert.id), "an MDE lastUpdateTime cursor sees the Graph change");

    const mdePatch = await mde(`/api/alerts/${alert.id}`, { method: "PATCH", body: { status: "Resolved", comment: "closed from the MDE side" } });
    assert.equal(mdePatch.status, 200, mdePatch.text);
    const g = (await graph(`/v1.0/security/alerts_v2/${alert.id}`)).json();
    assert.equal(g.status, "resolved");
    assert.equal(g.resolvedDateTime, mdePatch.json().resolvedTime);
    assert.equal(g.comments.at(-1).comment, "closed from the MDE side");

    const comment = await graph(`/v1.0/security/alerts_v2/${alert.id}/comments`, { method: "POST", body: { "@odata.type": "microsoft.graph.security.alertComment", comment: "from Graph" } });
    assert.equal(comment.status, 200, comment.text);
    assert.equal((await mde(`/api/alerts/${alert.id}`)).json().comments.at(-1).comment, "from Graph");
  });

  test("incidents group the MDE alerts by incidentId; resolving one through Graph resolves its alerts on the MDE side", async () => {
    const mdeAlerts = (await mde("/api/alerts?$top=10000")).json().value as Array<{ id: string; incidentId: number; status: string }>;
    const incidentIds = new Set(mdeAlerts.map((a) => String(a.incidentId)));
    const listed = (await graph("/v1.0/security/incidents?$count=true&$top=1")).json();
    assert.equal(listed["@odata.count"], incidentIds.size);
    const multi = [...incidentIds].find((id) => mdeAlerts.filter((a) => String(a.incidentId) === id && a.status !== "Resolved").length > 1);
    assert.ok(multi, "an open incident with several alerts");
    const expanded = (await graph(`/v1.0/security/incidents/${multi}?$expand=alerts`)).json();
    assert.deepEqual(
      expanded.alerts.map((a: { id: string }) => a.id).sort(),
      mdeAlerts.filter((a) => String(a.incidentId) === multi).map((a) => a.id).sort(),
    );
    const res = await graph(`/v1.0/security/incidents/${multi}`, { method: "PATCH", body: { status: "resolved", assignedTo: "tier3@contoso.com", customTags: ["Handled"] } });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.json().status, "resolved");
    for (const a of expanded.alerts) {
      const m = (await mde(`/api/alerts/${a.id}`)).json();
      assert.equal(m.status, "Resolved");
      assert.equal(m.assignedTo, "tier3@contoso.com");
    }
    const filtered = (await graph(`/v1.0/security/incidents?$filter=status eq 'resolved' and assignedTo eq 'tier3@contoso.com'`)).json();
    assert.deepEqual(filtered.value.map((i: { id: string }) => i.id), [multi]);
    assert.deepEqual(filtered.value[0].customTags, ["Handled"]);
  });

  test("Prefer: include-unknown-enum-members reveals the evolvable incident status awaitingAction", async () => {
    const prefer = { prefer: "include-unknown-enum-members" };
    const withHeader = (await graph("/v1.0/security/incidents?$filter=status eq 'awaitingAction'", { headers: prefer })).json();
    assert.ok(withHeader.value.length > 0, "Defender Experts incidents awaiting action exist");
    const id = withHeader.value[0].id;
    assert.equal(withHeader.value[0].status, "awaitingAction");
    assert.deepEqual(withHeader.value[0].systemTags, ["Defender Experts"]);
    const without = (await graph(`/v1.0/security/incidents/${id}`)).json();
    assert.equal(without.status, "unknownFutureValue");
    const again = (await graph(`/v1.0/security/incidents/${id}`, { headers: { prefer: "return=minimal, include-unknown-enum-members" } })).json();
    assert.equal(again.status, "awaitingAction");
    // Members before unknownFutureValue are never substituted.
    const alert = (await graph("/v1.0/security/alerts_v2?$top=1")).json().value[0];
    assert.equal(alert.serviceSource, "microsoftDefenderForEndpoint");
  });
});
