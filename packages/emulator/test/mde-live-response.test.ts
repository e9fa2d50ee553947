// The live response library and live response sessions: documented shapes,
// command-by-command progress on a manual clock, failures that stop a session,
// the per-machine and per-tenant session limits, and results through signed links.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { createManualClock, HOSTILE_STRINGS } from "@mde-partner/emulator";
import { assertShape } from "./shape-support.js";
import { apiCaller, example, makeEmulator, type TestEmulator, tokenFor } from "./mde-support.js";

const clock = createManualClock(Date.UTC(2026, 4, 4, 8, 0));
const ROLES = ["Machine.Read.All", "Machine.LiveResponse", "Library.Manage", "Alert.Read.All"];
let t: TestEmulator;
let tenantId = "";
let hostileId = "";
let token = "";
let call: ReturnType<typeof apiCaller>;
let windows: string[] = [];
let linux = "";
let inactive = "";

before(async () => {
  t = await makeEmulator({
    clock,
    tenants: [{ alerts: 80, machines: 30 }, { hostile: true, alerts: 10, machines: 4 }],
    actionPendingMs: 1_000,
    actionInProgressMs: 2_000,
    liveResponseQueuesOnInactive: true,
  });
  [tenantId, hostileId] = t.emulator.info().tenants.map((x) => x.id) as [string, string];
  token = await tokenFor(t.emulator, tenantId, ROLES);
  call = apiCaller(t.emulator, token);
  const list = (await call("/api/machines")).json().value as Array<{ id: string; osPlatform: string; healthStatus: string }>;
  const active = list.filter((m) => m.healthStatus === "Active");
  windows = active.filter((m) => m.osPlatform.startsWith("Windows")).map((m) => m.id);
  linux = active.find((m) => m.osPlatform === "Linux")?.id ?? "";
  inactive = list.find((m) => m.healthStatus === "Inactive")?.id ?? "";
  assert.ok(windows.length >= 6 && linux && inactive, "active Windows and Linux machines and an inactive one to work on");
});
after(async () => t.stop());

/** Uploads through multipart/form-data as the curl example does. */
async function upload(fields: Record<string, string>, file?: { name: string; content: string | Uint8Array }, auth = token) {
  const form = new FormData();
  if (file) form.set("File", new Blob([file.content]), file.name);
  for (const [k, v] of Object.entries(fields)) form.set(k, v);
  const res = await t.emulator.fetch("/api/libraryfiles", { method: "POST", headers: { authorization: `Bearer ${auth}` }, body: form });
  const text = await res.text();
  return { status: res.status, text, json: () => JSON.parse(text) };
}

const LIBRARY_FIELDS = ["fileName", "sha256", "description", "creationTime", "lastUpdatedTime", "createdBy", "hasParameters", "parametersDescription"];

function runBody(commands: Array<[string, Record<string, string>]>, comment = "Triage") {
  return { Commands: commands.map(([type, params]) => ({ type, params: Object.entries(params).map(([key, value]) => ({ key, value })) })), Comment: comment };
}

const download = async (link: string) => {
  const url = new URL(link);
  return t.emulator.fetch(url.pathname + url.search);
};

test("library: seeded list with the documented fields; upload, name taken, override, delete, 404", async () => {
  const list = await call("/api/libraryfiles");
  assert.equal(list.status, 200, list.text);
  assert.match(list.json()["@odata.context"], /\/api\/\$metadata#LibraryFiles$/);
  const files = list.json().value as Array<Record<string, unknown>>;
  assert.ok(files.length >= 2, "each tenant starts with a few scripts");
  for (const f of files) assert.deepEqual(Object.keys(f), LIBRARY_FIELDS);
  assert.ok(files.some((f) => f.fileName === "process-dump.ps1" && f.hasParameters === true));

  const created = await upload({ Description: "Lists users", ParametersDescription: "none", HasParameters: "false" }, { name: "users.ps1", content: "Get-LocalUser\n" });
  assert.equal(created.status, 200, created.text);
  const entity = created.json();
  assert.match(entity["@odata.context"], /#LibraryFiles\/\$entity$/);
  assert.equal(entity.fileName, "users.ps1");
  assert.match(entity.sha256, /^[0-9a-f]{64}$/);
  assert.equal(entity.description, "Lists users");
  assert.equal(entity.hasParameters, false);
  assert.equal(entity.createdBy, t.emulator.partnerApp.clientId, "createdBy is the calling app");

  const taken = await upload({}, { name: "USERS.ps1", content: "other" });
  assert.equal(taken.status, 400);
  assert.equal(taken.json().error.code, "BadRequest");
  assert.match(taken.json().error.message, /already exists.*OverrideIfExists/);
  const replaced = await upload({ OverrideIfExists: "true", Description: "v2" }, { name: "users.ps1", content: "Get-LocalUser | Format-List\n" });
  assert.equal(replaced.status, 200, replaced.text);
  assert.notEqual(replaced.json().sha256, entity.sha256);
  assert.equal(replaced.json().creationTime, entity.creationTime, "a replaced file keeps its creation time");

  const noFile = await upload({ Description: "x" });
  assert.equal(noFile.json().error.code, "MissingRequiredParameter");
  const cased = await upload({ description: "x" }, { name: "a.ps1", content: "x" });
  assert.equal(cased.status, 400);
  assert.match(cased.json().error.message, /case-sensitive/);

  const listed = (await call("/api/libraryfiles")).json().value as Array<{ fileName: string; description: string }>;
  assert.equal(listed.find((f) => f.fileName === "users.ps1")?.description, "v2");
  const removed = await call("/api/libraryfiles/users.ps1", { method: "DELETE" });
  assert.equal(removed.status, 204);
  const again = await call("/api/libraryfiles/users.ps1", { method: "DELETE" });
  assert.equal(again.status, 404);
  assert.equal(again.json().error.code, "ResourceNotFound");
});

test("library: uploads over 20 MB are refused without reading them whole; Library.Manage is required", async () => {
  const big = new Uint8Array(20 * 1024 * 1024 + 1);
  const res = await upload({}, { name: "big.bin", content: big });
  assert.equal(res.status, 400, res.text);
  assert.match(res.json().error.message, /20 MB/);
  // A streamed body with no Content-Length is cut off at the limit too.
  let sent = 0;
  const stream = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent > 40 * 1024 * 1024) return controller.close();
      sent += 1024 * 1024;
      controller.enqueue(new Uint8Array(1024 * 1024));
    },
  });
  const streamed = await t.emulator.fetch("/api/libraryfiles", {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "multipart/form-data; boundary=x" },
    body: stream,
    duplex: "half",
  } as RequestInit);
  assert.equal(streamed.status, 400);
  assert.ok(sent < 30 * 1024 * 1024, `stopped reading after ${sent} bytes`);

  const readOnly = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId, ["Machine.Read.All"]));
  const denied = await readOnly("/api/libraryfiles");
  assert.equal(denied.status, 403);
  assert.equal(denied.json().error.code, "Forbidden");
});

test("run live response: documented request and response shapes; commands progress with the clock; transcript and file through links", async () => {
  const machineId = windows[0] as string;
  const request = example("run-live-response.request.json");
  // The documented request names minidump.ps1: upload a script of that name first.
  assert.equal((await upload({ HasParameters: "true" }, { name: "minidump.ps1", content: "param($p)\nWrite-Output done\n" })).status, 200);
  const started = await call(`/api/machines/${machineId}/runliveresponse`, { method: "POST", body: request });
  // The documented GetFile path only exists once a script wrote it: minidump.ps1 (uploaded) writes nothing, so the session will fail there.
  assert.equal(started.status, 201, started.text);
  const action = started.json();
  assertShape(action, example("run-live-response.response.json"), "RunLiveResponse", new Set(["title", "scope", "requestSource", "cancellationRequestor", "cancellationComment", "cancellationDateTimeUtc", "externalId", "relatedFileInfo"]));
  assert.equal(action.type, "LiveResponse");
  assert.equal(action.status, "Pending");
  assert.deepEqual(action.commands.map((c: { commandStatus: string }) => c.commandStatus), ["Created", "Created"]);

  clock.advance(1_000);
  const running = (await call(`/api/machineactions/${action.id}`)).json();
  assert.equal(running.status, "InProgress");
  assert.ok(running.commands[0].startTime);
  const early = await call(`/api/machineactions/${action.id}/GetLiveResponseResultDownloadLink(index=0)`);
  assert.equal(early.status, 400, "no result before the command finished");
  clock.advance(4_000);
  const failed = (await call(`/api/machineactions/${action.id}`)).json();
  assert.equal(failed.status, "Failed", "GetFile of a path the machine does not have fails the session");
  assert.equal(failed.commands[0].commandStatus, "Completed");
  assert.equal(failed.commands[1].commandStatus, "Failed");
  assert.match(failed.commands[1].errors[0], /not found on the device/);
  assert.notEqual(failed.errorHResult, 0);
  const listed = await call(`/api/machineactions?$filter=type eq 'LiveResponse' and machineId eq '${machineId}'`);
  assert.ok(listed.json().value.some((a: { id: string; status: string }) => a.id === action.id && a.status === "Failed"));

  // The seeded dump script writes the file that GetFile then collects.
  const good = await call(`/api/machines/${machineId}/runliveresponse`, {
    method: "POST",
    body: runBody([
      ["PutFile", { FileName: "collect-triage.ps1" }],
      ["RunScript", { ScriptName: "process-dump.ps1", Args: "OfficeClickToRun" }],
      ["GetFile", { Path: "C:\\Windows\\Temp\\OfficeClickToRun.dmp.zip" }],
      ["GetFile", { Path: "C:\\Windows\\System32\\drivers\\etc\\hosts" }],
    ]),
  });
  assert.equal(good.status, 201, good.text);
  clock.advance(1_000 + 4 * 2_000);
  const done = (await call(`/api/machineactions/${good.json().id}`)).json();
  assert.equal(done.status, "Succeeded", JSON.stringify(done.commands));
  assert.ok(done.commands.every((c: { commandStatus: string; endTime: string | null }) => c.commandStatus === "Completed" && c.endTime));

  const putLink = await call(`/api/machineactions/${done.id}/GetLiveResponseResultDownloadLink(index=0)`);
  assert.equal(putLink.status, 400, "PutFile has no result");
  const linkRes = await call(`/api/machineactions/${done.id}/GetLiveResponseResultDownloadLink(index=1)`);
  assert.equal(linkRes.status, 200, linkRes.text);
  assertShape(linkRes.json(), example("get-live-response-result.response.json"), "GetLiveResponseResultDownloadLink");
  const link = new URL(linkRes.json().value);
  assert.equal(link.searchParams.get("sp"), "r");
  assert.ok(link.searchParams.get("sig"));
  const transcriptRes = await download(link.href);
  assert.equal(transcriptRes.status, 200);
  const transcript = await transcriptRes.json();
  assertShape(transcript, example("live-response-runscript-transcript.json"), "transcript");
  assert.equal(transcript.script_name, "process-dump.ps1");
  assert.equal(transcript.exit_code, 0);
  assert.match(transcript.script_output, /OfficeClickToRun\.dmp\.zip/);
  const again = await download(link.href);
  assert.deepEqual(await again.json(), transcript, "the same result every time");

  const hostsLink = (await call(`/api/machineactions/${done.id}/GetLiveResponseResultDownloadLink(index=3)`)).json().value;
  assert.match(new URL(hostsLink).pathname, /\/hosts$/);
  const hosts = await (await download(hostsLink)).text();
  assert.match(hosts, /127\.0\.0\.1 localhost/);

  const bad = await call(`/api/machineactions/${done.id}/GetLiveResponseResultDownloadLink(index=9)`);
  assert.equal(bad.status, 404);
  const malformed = await call(`/api/machineactions/${done.id}/GetLiveResponseResultDownloadLink(index=x)`);
  assert.equal(malformed.status, 400);

  // The link is the credential: tampered → 403, valid for 30 minutes → then 403.
  const tampered = new URL(link);
  tampered.pathname = tampered.pathname.replace(/\/1\//, "/2/").replace(/%2F1\//, "%2F2/");
  tampered.searchParams.set("se", "2099-01-01T00:00:00Z");
  assert.equal((await download(tampered.href)).status, 403);
  clock.advance(29 * 60_000);
  assert.equal((await download(link.href)).status, 200);
  clock.advance(2 * 60_000);
  const expired = await download(link.href);
  assert.equal(expired.status, 403);
  assert.match(await expired.text(), /AuthenticationFailed/);
});

test("a failing script stops the session; scripts run only on their platform; validation errors", async () => {
  const machineId = windows[1] as string;
  const res = await call(`/api/machines/${machineId}/runliveresponse`, {
    method: "POST",
    body: runBody([
      ["RunScript", { ScriptName: "process-dump.ps1" }],
      ["GetFile", { Path: "C:\\Windows\\System32\\cmd.exe" }],
    ]),
  });
  assert.equal(res.status, 201, res.text);
  clock.advance(1_000 + 4_000);
  const failed = (await call(`/api/machineactions/${res.json().id}`)).json();
  assert.equal(failed.status, "Failed");
  assert.equal(failed.commands[0].commandStatus, "Failed");
  assert.equal(failed.commands[1].commandStatus, "Created", "later commands are not executed");
  assert.equal(failed.commands[1].startTime, null);
  const transcript = await (await download((await call(`/api/machineactions/${failed.id}/GetLiveResponseResultDownloadLink(index=0)`)).json().value)).json();
  assert.equal(transcript.exit_code, 1);
  assert.match(transcript.script_errors, /ProcessName/);

  const onLinux = await call(`/api/machines/${linux}/runliveresponse`, { method: "POST", body: runBody([["RunScript", { ScriptName: "collect-triage.ps1" }]]) });
  clock.advance(3_000);
  const linuxDone = (await call(`/api/machineactions/${onLinux.json().id}`)).json();
  assert.equal(linuxDone.status, "Failed");
  assert.match(linuxDone.commands[0].errors[0], /unsupported script type/);

  const target = windows[2] as string;
  const cases: Array<[unknown, string]> = [
    [runBody([["GetFile", { Path: "C:\\x" }], ["PutFile", { FileName: "collect-triage.ps1" }]]), "InvalidRequestBody"],
    [runBody([["RunScript", { ScriptName: "nope.ps1" }]]), "BadRequest"],
    [runBody([["GetFile", {}]]), "MissingRequiredParameter"],
    [runBody([["Delete", { Path: "C:\\x" }]]), "InvalidRequestBody"],
    [{ commands: [], Comment: "x" }, "InvalidRequestBody"],
    [{ Comment: "x" }, "MissingRequiredParameter"],
  ];
  for (const [body, code] of cases) {
    const r = await call(`/api/machines/${target}/runliveresponse`, { method: "POST", body });
    assert.equal(r.status, 400, JSON.stringify(body));
    assert.equal(r.json().error.code, code, r.text);
  }
  const unknown = await call("/api/machines/0000000000000000000000000000000000000000/runliveresponse", { method: "POST", body: runBody([["GetFile", { Path: "C:\\x" }]]) });
  assert.equal(unknown.status, 404);
  const noRole = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId, ["Machine.Read.All", "Machine.Isolate"]));
  const denied = await noRole(`/api/machines/${target}/runliveresponse`, { method: "POST", body: runBody([["GetFile", { Path: "C:\\x" }]]) });
  assert.equal(denied.status, 403);
});

test("one session per machine (ActiveRequestAlreadyExists); cancel while pending frees the machine", async () => {
  clock.advance(61_000); // a fresh minute of the 10-calls budget
  const machineId = windows[3] as string;
  const body = runBody([["GetFile", { Path: "C:\\Windows\\explorer.exe" }]]);
  const first = await call(`/api/machines/${machineId}/runliveresponse`, { method: "POST", body });
  assert.equal(first.status, 201);
  const second = await call(`/api/machines/${machineId}/runliveresponse`, { method: "POST", body });
  assert.equal(second.status, 400);
  assert.equal(second.json().error.code, "ActiveRequestAlreadyExists");
  const cancelled = await call(`/api/machineactions/${first.json().id}/cancel`, { method: "POST", body: { Comment: "wrong host" } });
  assert.equal(cancelled.status, 200, cancelled.text);
  assert.equal(cancelled.json().status, "Cancelled");
  clock.advance(10_000);
  assert.equal((await call(`/api/machineactions/${first.json().id}`)).json().status, "Cancelled");
  const third = await call(`/api/machines/${machineId}/runliveresponse`, { method: "POST", body });
  assert.equal(third.status, 201, third.text);
  clock.advance(10_000);
  // GetFile bytes of a binary: the format's magic number first.
  const link = (await call(`/api/machineactions/${third.json().id}/GetLiveResponseResultDownloadLink(index=0)`)).json().value;
  const bytes = new Uint8Array(await (await download(link)).arrayBuffer());
  assert.deepEqual([...bytes.slice(0, 2)], [0x4d, 0x5a]);
});

test("a session on a device that does not report stays queued and times out after 3 days", async () => {
  clock.advance(61_000);
  const res = await call(`/api/machines/${inactive}/runliveresponse`, { method: "POST", body: runBody([["GetFile", { Path: "/etc/hosts" }]]) });
  assert.equal(res.status, 201, res.text);
  clock.advance(2 * 86_400_000);
  // Tokens last an hour: later calls need one minted now.
  call = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId, ROLES));
  const waiting = (await call(`/api/machineactions/${res.json().id}`)).json();
  assert.equal(waiting.status, "Pending");
  assert.equal(waiting.commands[0].startTime, null);
  clock.advance(86_400_000);
  call = apiCaller(t.emulator, await tokenFor(t.emulator, tenantId, ROLES));
  const timedOut = (await call(`/api/machineactions/${res.json().id}`)).json();
  assert.equal(timedOut.status, "TimeOut");
  assert.equal(timedOut.commands[0].commandStatus, "Created", "the command never ran");
  assert.notEqual(timedOut.errorHResult, 0);
});

test("10 calls a minute, then 429; at most 25 sessions at once per tenant", async () => {
  // A fresh tenant whose sessions stay pending for an hour.
  const slow = await makeEmulator({ clock, tenants: [{ alerts: 0, machines: 30 }], actionPendingMs: 3_600_000 });
  try {
    const id = slow.emulator.info().tenants[0]?.id ?? "";
    const c = apiCaller(slow.emulator, await tokenFor(slow.emulator, id, ROLES));
    const machines = ((await c("/api/machines")).json().value as Array<{ id: string; osPlatform: string }>).map((m) => m.id);
    const body = runBody([["GetFile", { Path: "/etc/hosts" }]]);
    const statuses: number[] = [];
    for (const [i, m] of machines.entries()) {
      if (i > 0 && i % 10 === 0) clock.advance(61_000);
      statuses.push((await c(`/api/machines/${m}/runliveresponse`, { method: "POST", body })).status);
    }
    assert.deepEqual(statuses.slice(0, 25), new Array(25).fill(201));
    assert.equal(statuses[25], 429, "the 26th concurrent session is refused");
    clock.advance(61_000);
    const burst: number[] = [];
    for (let i = 0; i < 11; i++) burst.push((await c(`/api/machines/${machines[29]}/runliveresponse`, { method: "POST", body })).status);
    assert.equal(burst[10], 429, "the 11th call within a minute is throttled");
  } finally {
    await slow.stop();
  }
});

test("a hostile tenant's script output carries the markers and a huge line", async () => {
  const hToken = await tokenFor(t.emulator, hostileId, ROLES);
  const h = apiCaller(t.emulator, hToken);
  const machines = ((await h("/api/machines")).json().value as Array<{ id: string; osPlatform: string; healthStatus: string }>).filter((m) => m.healthStatus === "Active");
  const target = machines.find((m) => m.osPlatform.startsWith("Windows")) ?? machines.find((m) => m.osPlatform === "Linux" || m.osPlatform === "macOS");
  assert.ok(target);
  const script = target.osPlatform.startsWith("Windows") ? "collect-triage.ps1" : "network-connections.sh";
  const res = await h(`/api/machines/${target.id}/runliveresponse`, { method: "POST", body: runBody([["RunScript", { ScriptName: script }]]) });
  assert.equal(res.status, 201, res.text);
  clock.advance(3_000);
  const link = (await h(`/api/machineactions/${res.json().id}/GetLiveResponseResultDownloadLink(index=0)`)).json().value;
  const transcript = await (await download(link)).json();
  assert.ok(transcript.script_output.includes(HOSTILE_STRINGS.osc52));
  assert.ok(transcript.script_output.includes(HOSTILE_STRINGS.html));
  assert.ok(transcript.script_output.length > 1_000_000);
  const library = (await h("/api/libraryfiles")).json().value as Array<{ description: string }>;
  assert.ok(library.some((f) => /[\u001b\u009b<]/.test(f.description)), "library descriptions are hostile too");
});
