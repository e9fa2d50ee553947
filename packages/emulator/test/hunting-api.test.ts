import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { createManualClock, type Emulator, type EmulatorInfo, type TenantInfo } from "@mde-partner/emulator";
import { type EmulatorWorld, servedEmulator } from "@mde-partner/test-kit";
import { mintAccessToken } from "../src/core/access-token.js";
import { servicePrincipalId } from "../src/core/directory.js";
import { addAlerts } from "../src/data/alert-changes.js";
import { runHuntingQuery } from "../src/hunting/run-query.js";
import { httpsRequest } from "./entra-support.js";

const MDE_RESOURCE = { kind: "mde" as const, identifier: "https://api.securitycenter.microsoft.com" };
const DAY = 86_400_000;
const EXAMPLE_QUERY =
  "DeviceProcessEvents |where InitiatingProcessFileName =~ 'powershell.exe' |where ProcessCommandLine contains 'appdata'|project Timestamp, FileName, InitiatingProcessFileName, DeviceId|limit 2";

/** A KQL string literal for any text (quotes and backslashes escaped), so test values never break the query. */
const kql = (value: string) => `'${value.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;

interface HuntingResponse {
  Schema: Array<{ Name: string; Type: string }>;
  Results: Array<Record<string, unknown>>;
}

describe("advanced hunting API", () => {
  const clock = createManualClock(Date.UTC(2026, 2, 15, 12, 30));
  let world: EmulatorWorld;
  let emulator: Emulator;
  let info: EmulatorInfo;
  let tenantA: TenantInfo;
  let tenantB: TenantInfo;
  let tenantC: TenantInfo;

  const token = async (tenant: TenantInfo, roles = ["AdvancedQuery.Read.All"]) =>
    (
      await mintAccessToken(emulator.state, {
        tenantId: tenant.id,
        clientId: emulator.partnerApp.clientId,
        servicePrincipalId: servicePrincipalId(tenant.id, emulator.partnerApp.clientId),
        resource: MDE_RESOURCE,
        roles,
        authMethod: "1",
      })
    ).accessToken;

  const post = async (tenant: TenantInfo, body: unknown, bearer?: string) =>
    emulator.fetch("/api/advancedqueries/run", {
      method: "POST",
      headers: { authorization: `Bearer ${bearer ?? (await token(tenant))}`, "content-type": "application/json" },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });

  const hunt = async (tenant: TenantInfo, query: string): Promise<HuntingResponse> => {
    const res = await post(tenant, { Query: query });
    const text = await res.text();
    assert.equal(res.status, 200, text);
    return JSON.parse(text) as HuntingResponse;
  };
  const count = async (tenant: TenantInfo, query: string) => (await hunt(tenant, query)).Results[0]?.Count;

  /** Ground truth straight from the store: alerts created within the last 30 days. */
  const alertsInWindow = (tenant: TenantInfo) => {
    const rows = emulator.state.db.prepare("SELECT json FROM alerts WHERE tenant_id = ?").all(tenant.id) as Array<{ json: string }>;
    const oldest = clock.now() - 30 * DAY;
    return rows.filter((r) => Date.parse((JSON.parse(r.json) as { alertCreationTime: string }).alertCreationTime) >= oldest).length;
  };

  before(async () => {
    world = await servedEmulator({ tenants: 3, alertsPerTenant: 60, machinesPerTenant: 8, clock, seed: 7 });
    ({ emulator, info } = world);
    [tenantA, tenantB, tenantC] = info.tenants as [TenantInfo, TenantInfo, TenantInfo];
  });

  after(async () => {
    await world.stop();
  });

  test("the documented example query answers in the documented shape", async () => {
    const res = await post(tenantA, { Query: EXAMPLE_QUERY });
    assert.equal(res.status, 200);
    assert.match(res.headers.get("content-type") ?? "", /^application\/json/);
    const body = (await res.json()) as HuntingResponse;
    // examples/advanced-hunting.response.json: exactly Schema and Results, no Stats.
    assert.deepEqual(Object.keys(body), ["Schema", "Results"]);
    assert.deepEqual(body.Schema, [
      { Name: "Timestamp", Type: "DateTime" },
      { Name: "FileName", Type: "String" },
      { Name: "InitiatingProcessFileName", Type: "String" },
      { Name: "DeviceId", Type: "String" },
    ]);
    assert.equal(body.Results.length, 2);
    for (const row of body.Results) {
      assert.deepEqual(Object.keys(row), ["Timestamp", "FileName", "InitiatingProcessFileName", "DeviceId"]);
      assert.match(String(row.Timestamp), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{7}Z$/);
      assert.equal(String(row.InitiatingProcessFileName).toLowerCase(), "powershell.exe");
      assert.match(String(row.DeviceId), /^[0-9a-f]{40}$/);
    }
  });

  test("AlertInfo holds the tenant's alerts of the last 30 days", async () => {
    const expected = alertsInWindow(tenantA);
    assert.ok(expected > 0);
    assert.equal(await count(tenantA, "AlertInfo | count"), expected);
    assert.equal(await count(tenantA, "AlertInfo | distinct AlertId | count"), expected);
    const one = emulator.state.db.prepare("SELECT id, json FROM alerts WHERE tenant_id = ? ORDER BY seq DESC LIMIT 1").get(tenantA.id) as { id: string; json: string };
    const alert = JSON.parse(one.json) as { title: string; severity: string; category: string; alertCreationTime: string };
    const row = (await hunt(tenantA, `AlertInfo | where AlertId == ${kql(one.id)}`)).Results[0];
    assert.equal(row?.Title, alert.title);
    assert.equal(row?.Severity, alert.severity);
    assert.equal(row?.Category, alert.category);
    assert.equal(row?.Timestamp, alert.alertCreationTime);
  });

  test("DeviceInfo knows every machine the tenant has, with its documented properties", async () => {
    const machines = emulator.state.db.prepare("SELECT id, json FROM machines WHERE tenant_id = ?").all(tenantA.id) as Array<{ id: string; json: string }>;
    assert.equal(machines.length, tenantA.machines);
    assert.equal(await count(tenantA, "DeviceInfo | distinct DeviceId | count"), machines.length);
    const machine = JSON.parse(machines[0]?.json ?? "{}") as { id: string; computerDnsName: string; osPlatform: string; rbacGroupName: string; lastExternalIpAddress: string };
    const latest = await hunt(tenantA, `DeviceInfo | where DeviceId == ${kql(machine.id)} | summarize arg_max(Timestamp, *) by DeviceId | project DeviceName, OSPlatform, MachineGroup, PublicIP, OnboardingStatus`);
    assert.deepEqual(latest.Results, [
      { DeviceName: machine.computerDnsName, OSPlatform: machine.osPlatform, MachineGroup: machine.rbacGroupName, PublicIP: machine.lastExternalIpAddress, OnboardingStatus: "Onboarded" },
    ]);
  });

  test("the processes, addresses and users of alert evidence show up in device telemetry", async () => {
    const rows = emulator.state.db.prepare("SELECT json, evidence FROM alerts WHERE tenant_id = ? ORDER BY seq DESC").all(tenantA.id) as Array<{ json: string; evidence: string }>;
    const withProcess = rows.find((r) => (JSON.parse(r.evidence) as Array<{ entityType: string }>).some((e) => e.entityType === "Process"));
    assert.ok(withProcess, "the generated data has an alert with process evidence");
    const alert = JSON.parse(withProcess.json) as { id: string; machineId: string };
    const process = (JSON.parse(withProcess.evidence) as Array<{ entityType: string; fileName: string; sha1: string; processCommandLine: string }>).find((e) => e.entityType === "Process");
    assert.ok(process);
    const hits = await hunt(tenantA, `DeviceProcessEvents | where DeviceId == ${kql(alert.machineId)} and SHA1 == ${kql(process.sha1)} | project FileName, ProcessCommandLine`);
    assert.deepEqual(hits.Results[0], { FileName: process.fileName, ProcessCommandLine: process.processCommandLine });
    const evidence = await hunt(tenantA, `AlertEvidence | where AlertId == ${kql(alert.id)} and EntityType == 'Process' | project SHA1, DeviceId`);
    assert.deepEqual(evidence.Results, [{ SHA1: process.sha1, DeviceId: alert.machineId }]);

    const withIp = rows.find((r) => (JSON.parse(r.evidence) as Array<{ entityType: string }>).some((e) => e.entityType === "Ip"));
    if (withIp) {
      const ip = (JSON.parse(withIp.evidence) as Array<{ entityType: string; ipAddress: string }>).find((e) => e.entityType === "Ip")?.ipAddress ?? "";
      assert.ok((await count(tenantA, `DeviceNetworkEvents | where RemoteIP == ${kql(ip)} | count`)) as number >= 1);
    }
    const withUser = rows.map((r) => JSON.parse(r.json) as { machineId: string; relatedUser: { userName: string } | null }).find((a) => a.relatedUser);
    assert.ok(withUser?.relatedUser);
    const logons = await count(tenantA, `DeviceLogonEvents | where DeviceId == ${kql(withUser.machineId)} and AccountName =~ ${kql(withUser.relatedUser.userName)} and ActionType == 'LogonSuccess' | count`);
    assert.ok((logons as number) >= 1);
  });

  test("every table has realistic volume and only the last 30 days", async () => {
    for (const table of ["DeviceProcessEvents", "DeviceNetworkEvents", "DeviceLogonEvents"]) {
      const perDevice = await hunt(tenantA, `${table} | summarize n = count() by DeviceId | summarize Devices = count(), Average = avg(n)`);
      assert.equal(perDevice.Results[0]?.Devices, tenantA.machines, `${table}: every device reports`);
      assert.ok((perDevice.Results[0]?.Average as number) >= 20, `${table} has a few dozen rows per device`);
      const span = await hunt(tenantA, `${table} | summarize Oldest = min(Timestamp), Newest = max(Timestamp)`);
      const oldest = Date.parse(String(span.Results[0]?.Oldest));
      const newest = Date.parse(String(span.Results[0]?.Newest));
      assert.ok(oldest >= clock.now() - 30 * DAY && newest <= clock.now(), table);
      assert.ok(newest - oldest > 7 * DAY, `${table} spreads over weeks`);
    }
  });

  test("tenants see only their own data", async () => {
    const idA = (emulator.state.db.prepare("SELECT id FROM machines WHERE tenant_id = ? LIMIT 1").get(tenantA.id) as { id: string }).id;
    assert.ok(((await count(tenantA, `DeviceInfo | where DeviceId == ${kql(idA)} | count`)) as number) > 0);
    assert.equal(await count(tenantB, `DeviceInfo | where DeviceId == ${kql(idA)} | count`), 0);
    assert.equal(await count(tenantB, "AlertInfo | count"), alertsInWindow(tenantB));
  });

  test("the engine takes a narrower window for callers such as Graph's Timespan, never a wider one", () => {
    const all = runHuntingQuery(emulator.state, tenantA.id, "AlertInfo | count").rows[0]?.[0];
    const lastWeek = runHuntingQuery(emulator.state, tenantA.id, "AlertInfo | count", { from: clock.now() - 7 * DAY }).rows[0]?.[0];
    const viaKql = runHuntingQuery(emulator.state, tenantA.id, "AlertInfo | where Timestamp >= ago(7d) | count").rows[0]?.[0];
    assert.equal(lastWeek, viaKql);
    assert.ok((lastWeek as number) < (all as number));
    assert.equal(runHuntingQuery(emulator.state, tenantA.id, "AlertInfo | count", { from: clock.now() - 90 * DAY }).rows[0]?.[0], all);
  });

  test("the GET form takes the query in ?key=", async () => {
    const res = await emulator.fetch(`/api/advancedqueries?key=${encodeURIComponent("AlertInfo | summarize count()")}`, {
      headers: { authorization: `Bearer ${await token(tenantA)}` },
    });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), { Schema: [{ Name: "count_", Type: "Int64" }], Results: [{ count_: alertsInWindow(tenantA) }] });
  });

  test("bad KQL is 400 BadRequest with a message that points at the problem", async () => {
    const syntax = await post(tenantA, { Query: "DeviceInfo\n| where DeviceName == 'x' and\n| take 1" });
    assert.equal(syntax.status, 400);
    const body = (await syntax.json()) as { error: { code: string; message: string; target: string } };
    assert.equal(body.error.code, "BadRequest");
    assert.match(body.error.message, /^Syntax error at line 3, column 1: expected .* but found '\|'/);
    assert.match(body.error.target, /^[0-9a-f-]{36}$/);

    const table = await post(tenantA, { Query: "EmailEvents | take 1" });
    assert.equal(table.status, 400);
    assert.match(((await table.json()) as { error: { message: string } }).error.message, /Failed to resolve table or column expression named 'EmailEvents'/);

    const aggregate = await post(tenantA, { Query: "DeviceInfo | summarize percentile(OSBuild, 50)" });
    assert.equal(aggregate.status, 400);
    assert.match(((await aggregate.json()) as { error: { message: string } }).error.message, /'summarize' aggregation 'percentile' is not supported by this emulator/);
  });

  test("the body must carry Query, spelled exactly so", async () => {
    const lower = await post(tenantA, { query: "AlertInfo | take 1" });
    assert.equal(lower.status, 400);
    const lowerBody = (await lower.json()) as { error: { code: string; message: string } };
    assert.equal(lowerBody.error.code, "MissingRequiredParameter");
    assert.match(lowerBody.error.message, /case-sensitive/);
    const broken = await post(tenantA, "{not json");
    assert.equal(broken.status, 400);
    assert.equal(((await broken.json()) as { error: { code: string } }).error.code, "InvalidRequestBody");
  });

  test("403 without AdvancedQuery.Read.All, 401 without a token", async () => {
    const forbidden = await post(tenantA, { Query: "AlertInfo | take 1" }, await token(tenantA, ["Alert.Read.All", "Machine.Read.All"]));
    assert.equal(forbidden.status, 403);
    assert.equal(((await forbidden.json()) as { error: { code: string } }).error.code, "Forbidden");
    const anonymous = await emulator.fetch("/api/advancedqueries/run", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ Query: "AlertInfo" }) });
    assert.equal(anonymous.status, 401);
  });

  test("45 calls a minute, then 429 with Retry-After", async () => {
    const bearer = await token(tenantC);
    const statuses: number[] = [];
    for (let i = 0; i < 45; i++) statuses.push((await post(tenantC, { Query: "AlertInfo | take 1" }, bearer)).status);
    assert.deepEqual(new Set(statuses), new Set([200]));
    const limited = await post(tenantC, { Query: "AlertInfo | take 1" }, bearer);
    assert.equal(limited.status, 429);
    assert.equal(((await limited.json()) as { error: { code: string } }).error.code, "TooManyRequests");
    const retryAfter = Number(limited.headers.get("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    // Other tenants have their own budget; the limited one recovers once the window passes.
    assert.equal((await post(tenantB, { Query: "AlertInfo | take 1" })).status, 200);
    clock.advance(retryAfter * 1000);
    assert.equal((await post(tenantC, { Query: "AlertInfo | take 1" }, bearer)).status, 200);
  });

  test("a real HTTPS client gets the same answer", async () => {
    const bearer = await token(tenantA);
    const result = await httpsRequest(`${info.apiUrl}/api/advancedqueries/run`, world.ca, {
      method: "POST",
      headers: { authorization: `Bearer ${bearer}`, "content-type": "application/json" },
      body: JSON.stringify({ Query: "DeviceInfo | distinct DeviceId | count" }),
    });
    assert.equal(result.status, 200);
    assert.deepEqual(JSON.parse(result.text), { Schema: [{ Name: "Count", Type: "Int64" }], Results: [{ Count: tenantA.machines }] });
  });

  test("new alerts show up in the next query", async () => {
    const before = (await count(tenantB, "AlertInfo | count")) as number;
    const ids = addAlerts(emulator.state, tenantB.id, 3);
    assert.equal(await count(tenantB, "AlertInfo | count"), before + 3);
    const found = await hunt(tenantB, `AlertInfo | where AlertId in (${ids.map(kql).join(", ")}) | count`);
    assert.equal(found.Results[0]?.Count, 3);
  });

  test("as time passes, data older than 30 days drops out and history stays put", async () => {
    const before = await count(tenantA, "AlertInfo | count");
    const day = "DeviceProcessEvents | where Timestamp between (ago(5d) .. ago(4d)) | project Timestamp, DeviceId, ProcessCommandLine | sort by Timestamp asc";
    const fiveDaysAgo = await hunt(tenantA, day.replace("ago(5d) .. ago(4d)", `datetime(${new Date(clock.now() - 5 * DAY).toISOString()}) .. datetime(${new Date(clock.now() - 4 * DAY).toISOString()})`));
    assert.ok(fiveDaysAgo.Results.length > 0);
    const window = fiveDaysAgo.Results;
    clock.advance(10 * DAY);
    const expected = alertsInWindow(tenantA);
    assert.ok(expected < (before as number), "some alerts aged out");
    assert.equal(await count(tenantA, "AlertInfo | count"), expected);
    const span = await hunt(tenantA, "DeviceProcessEvents | summarize Oldest = min(Timestamp), Newest = max(Timestamp)");
    assert.ok(Date.parse(String(span.Results[0]?.Oldest)) >= clock.now() - 30 * DAY);
    // Devices report up to their Machine entity's lastSeen, which did not move: no telemetry after it.
    const lastSeen = (emulator.state.db.prepare("SELECT json FROM machines WHERE tenant_id = ?").all(tenantA.id) as Array<{ json: string }>).map(
      (r) => Date.parse((JSON.parse(r.json) as { lastSeen: string }).lastSeen),
    );
    assert.ok(Date.parse(String(span.Results[0]?.Newest)) <= Math.max(...lastSeen));
    // History does not change when the tables are rebuilt for the new day.
    const sameDay = await hunt(tenantA, day.replace("ago(5d) .. ago(4d)", "ago(15d) .. ago(14d)"));
    assert.deepEqual(sameDay.Results, window);
  });
});
