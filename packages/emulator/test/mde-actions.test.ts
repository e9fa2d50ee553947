// Response actions with a manual clock, authorization failures, rate limits,
// 501 for unimplemented operations, and alert updates seen by a sync cursor.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createManualClock } from "@mde-partner/emulator";
import { apiCaller, makeEmulator, type TestEmulator, tokenFor } from "./mde-support.js";

const clock = createManualClock(Date.UTC(2026, 2, 10, 9, 30));
let t: TestEmulator;
let tenantId = "";
let call: ReturnType<typeof apiCaller>;
let machineIds: string[] = [];

before(async () => {
  t = await makeEmulator({ clock, tenants: [{ alerts: 200, machines: 30 }], actionPendingMs: 1_000, actionInProgressMs: 2_000 });
  tenantId = t.emulator.info().tenants[0]?.id ?? "";
  call = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId));
  const list = await call("/api/machines?$filter=osPlatform in ('Windows10','Windows11') and healthStatus eq 'Active'");
  machineIds = list.json().value.map((m: { id: string }) => m.id);
  assert.ok(machineIds.length >= 4, "enough Windows machines");
});
after(async () => t.stop());

test("isolate goes Pending → InProgress → Succeeded with the clock; a second isolate meanwhile is refused", async () => {
  const machineId = machineIds[0] as string;
  const created = await call(`/api/machines/${machineId}/isolate`, {
    method: "POST",
    body: { Comment: "Contain", IsolationType: "Selective" },
  });
  assert.equal(created.status, 201, created.text);
  const action = created.json();
  assert.equal(action.status, "Pending");
  assert.equal(action.scope, "Selective");
  assert.equal(action.machineId, machineId);
  assert.equal(action.requestorComment, "Contain");

  const again = await call(`/api/machines/${machineId}/isolate`, { method: "POST", body: { Comment: "again" } });
  assert.equal(again.status, 400);
  assert.equal(again.json().error.message, "Action is already in progress");
  const unisolate = await call(`/api/machines/${machineId}/unisolate`, { method: "POST", body: { Comment: "release" } });
  assert.equal(unisolate.status, 400, "unisolate conflicts with an open isolate");

  const isolated = () =>
    (
      t.emulator.state.db.prepare("SELECT isolated FROM machines WHERE tenant_id = ? AND id = ?").get(tenantId, machineId) as {
        isolated: number;
      }
    ).isolated;
  clock.advance(1_000);
  assert.equal((await call(`/api/machineactions/${action.id}`)).json().status, "InProgress");
  assert.equal(isolated(), 0);
  clock.advance(2_000);
  const done = (await call(`/api/machineactions/${action.id}`)).json();
  assert.equal(done.status, "Succeeded");
  assert.ok(done.lastUpdateDateTimeUtc > action.creationDateTimeUtc);
  assert.equal(isolated(), 1, "the machine is isolated once the action succeeded");

  const listed = await call(`/api/machineactions?$filter=machineId eq '${machineId}' and status eq 'Succeeded' and type eq 'Isolate'`);
  assert.ok(listed.json().value.some((a: { id: string }) => a.id === action.id));
  const released = await call(`/api/machines/${machineId}/unisolate`, { method: "POST", body: { Comment: "release" } });
  assert.equal(released.status, 201);
});

test("body validation: missing Comment, wrong casing, missing ScanType, bad enum", async () => {
  const machineId = machineIds[1] as string;
  const missing = await call(`/api/machines/${machineId}/restrictCodeExecution`, { method: "POST", body: {} });
  assert.equal(missing.status, 400);
  assert.equal(missing.json().error.code, "MissingRequiredParameter");
  const cased = await call(`/api/machines/${machineId}/isolate`, { method: "POST", body: { comment: "x", isolationType: "Full" } });
  assert.equal(cased.status, 400);
  assert.equal(cased.json().error.code, "InvalidRequestBody");
  const scan = await call(`/api/machines/${machineId}/runAntiVirusScan`, { method: "POST", body: { Comment: "scan" } });
  assert.equal(scan.status, 400);
  assert.match(scan.json().error.message, /ScanType/);
  const badType = await call(`/api/machines/${machineId}/isolate`, { method: "POST", body: { Comment: "x", IsolationType: "Partial" } });
  assert.equal(badType.status, 400);
  const unknown = await call("/api/machines/0000000000000000000000000000000000000000/offboard", { method: "POST", body: { Comment: "x" } });
  assert.equal(unknown.status, 404);
  assert.equal(unknown.json().error.message, "Machine 0000000000000000000000000000000000000000 was not found");
});

test("cancel works only before a final state; the package URI appears only after collection succeeded", async () => {
  const machineId = machineIds[2] as string;
  const scan = (
    await call(`/api/machines/${machineId}/runAntiVirusScan`, { method: "POST", body: { Comment: "scan", ScanType: "Quick" } })
  ).json();
  const cancelled = await call(`/api/machineactions/${scan.id}/cancel`, { method: "POST", body: { Comment: "not needed" } });
  assert.equal(cancelled.status, 200, cancelled.text);
  assert.equal(cancelled.json().status, "Cancelled");
  assert.equal(cancelled.json().cancellationComment, "not needed");
  clock.advance(10_000);
  assert.equal((await call(`/api/machineactions/${scan.id}`)).json().status, "Cancelled", "a cancelled action stays cancelled");
  const late = await call(`/api/machineactions/${scan.id}/cancel`, { method: "POST", body: { Comment: "again" } });
  assert.equal(late.status, 400);

  const collect = (
    await call(`/api/machines/${machineId}/collectInvestigationPackage`, { method: "POST", body: { Comment: "forensics" } })
  ).json();
  const early = await call(`/api/machineactions/${collect.id}/GetPackageUri`);
  assert.equal(early.status, 404);
  clock.advance(3_000);
  const uri = await call(`/api/machineactions/${collect.id}/getPackageUri`);
  assert.equal(uri.status, 200, uri.text);
  assert.match(uri.json()["@odata.context"], /#Edm\.String$/);
  assert.match(uri.json().value, /^https:\/\//);

  // The link is the credential (a SAS-style URL): no bearer token, refused when tampered with or expired.
  const link = new URL(uri.json().value);
  assert.equal(link.searchParams.get("sp"), "r");
  const download = await t.emulator.fetch(link.pathname + link.search);
  assert.equal(download.status, 200);
  assert.equal(download.headers.get("content-type"), "application/zip");
  assert.deepEqual([...new Uint8Array(await download.arrayBuffer()).slice(0, 4)], [0x50, 0x4b, 0x05, 0x06]);
  const tampered = new URL(link);
  tampered.pathname = tampered.pathname.replace(collect.id, machineId);
  const refused = await t.emulator.fetch(tampered.pathname + tampered.search);
  assert.equal(refused.status, 403);
  assert.match(await refused.text(), /<Code>AuthenticationFailed<\/Code>/);
  clock.advance(2 * 3_600_000);
  const expired = await t.emulator.fetch(link.pathname + link.search);
  assert.equal(expired.status, 403);
  assert.match(await expired.text(), /not valid in the specified time frame/);
});

test("401 without a token or with a bad one; 403 with the MDE error body when the role is missing", async () => {
  const none = await t.emulator.fetch("/api/alerts");
  assert.equal(none.status, 401);
  assert.equal(((await none.json()) as { error: { code: string } }).error.code, "Unauthorized");
  const good = await tokenFor(t.emulator, tenantId);
  const tampered = `${good.slice(0, -4)}AAAA`;
  const bad = await t.emulator.fetch("/api/alerts", { headers: { authorization: `Bearer ${tampered}` } });
  assert.equal(bad.status, 401);

  const readOnly = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId, ["Machine.Read.All", "Alert.Read.All"]));
  const forbidden = await readOnly(`/api/machines/${machineIds[3]}/isolate`, { method: "POST", body: { Comment: "x" } });
  assert.equal(forbidden.status, 403);
  const body = forbidden.json();
  assert.equal(body.error.code, "Forbidden");
  assert.equal(typeof body.error.message, "string");
  assert.match(body.error.target, /^[0-9a-f-]{36}$/);
  assert.equal((await readOnly("/api/machines?$top=1")).status, 200, "reads still work");
});

test("the 101st call in a minute is 429 with Retry-After; the next minute is open again", async () => {
  clock.set(Date.UTC(2026, 2, 10, 11, 0, 0));
  const own = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId));
  for (let i = 0; i < 100; i++) assert.equal((await own("/api/indicators?$top=1")).status, 200, `call ${i + 1}`);
  const limited = await own("/api/indicators?$top=1");
  assert.equal(limited.status, 429);
  assert.equal(limited.json().error.code, "TooManyRequests");
  assert.equal(limited.headers.get("retry-after"), "60");
  assert.equal((await own("/api/alerts?$top=1")).status, 200, "another API has its own budget");
  clock.advance(60_000);
  assert.equal((await own("/api/indicators?$top=1")).status, 200);
  // Later tests run after the clock jump: give them a token minted now.
  call = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId));
});

test("operations the emulator does not implement answer 501 naming the operation", async () => {
  const { mdeOperations } = await import("../src/mde/routes.js");
  const missing = mdeOperations().find((op) => !op.handler && !op.external && op.method === "GET" && !op.path.includes("{"));
  if (!missing) return; // every operation is implemented
  const res = await call(`/api/${missing.path}`);
  assert.equal(res.status, 501);
  assert.match(res.json().error.message, new RegExp(missing.name));
});

test("PATCH alert bumps lastUpdateTime, records the comment, and shows up in a lastUpdateTime gt cursor", async () => {
  const first = (await call("/api/alerts?$top=1&$filter=status eq 'New'")).json().value[0];
  const before = first.lastUpdateTime as string;
  const cursorBefore = (await call(`/api/alerts?$filter=lastUpdateTime gt ${before}`)).json().value.map((a: { id: string }) => a.id);
  const patched = await call(`/api/alerts/${first.id}`, {
    method: "PATCH",
    body: { status: "Resolved", classification: "FalsePositive", determination: "NotMalicious", comment: "benign admin script" },
  });
  assert.equal(patched.status, 200, patched.text);
  const alert = patched.json();
  assert.ok(alert.lastUpdateTime > before);
  assert.equal(alert.status, "Resolved");
  assert.equal(alert.resolvedTime, alert.lastUpdateTime);
  const comment = alert.comments.at(-1);
  assert.equal(comment.comment, "benign admin script");
  assert.equal(comment.createdBy, t.emulator.partnerApp.clientId);
  const cursorAfter = (await call(`/api/alerts?$filter=lastUpdateTime gt ${before}`)).json().value.map((a: { id: string }) => a.id);
  assert.ok(!cursorBefore.includes(first.id) && cursorAfter.includes(first.id));
  const wrongCase = await call(`/api/alerts/${first.id}`, { method: "PATCH", body: { Status: "New" } });
  assert.equal(wrongCase.status, 400);
  assert.equal(wrongCase.json().error.code, "InvalidRequestBody");
  const batch = await call("/api/alerts/batchUpdate", {
    method: "POST",
    body: { alertIds: [first.id], status: "InProgress", assignedTo: "soc@contoso.com" },
  });
  assert.equal(batch.status, 200);
  assert.equal(batch.text, "");
  const after = (await call(`/api/alerts/${first.id}`)).json();
  assert.equal(after.status, "InProgress");
  assert.equal(after.resolvedTime, null);
  assert.equal(after.assignedTo, "soc@contoso.com");
});

test("the README's coverage table lists every routed operation with its status", async () => {
  const { readFileSync } = await import("node:fs");
  const { mdeOperations } = await import("../src/mde/routes.js");
  const readme = readFileSync(new URL("../README.md", import.meta.url), "utf8");
  for (const op of mdeOperations()) {
    const status = op.external ? "hunting module" : op.handler ? "implemented" : "501";
    const row = readme.split("\n").find((line) => line.includes(`\`${op.method} /api/${op.path}\``));
    assert.ok(row, `README lacks ${op.method} /api/${op.path}`);
    assert.ok(row.includes(`| ${op.name} |`) && row.trimEnd().endsWith(`| ${status} |`), `README row for ${op.name}: ${row}`);
  }
});
