// The live response library and live response through the typed client, against a started
// emulator over HTTPS: upload/list/delete, run a session, wait for it, fetch results through
// their signed links without the bearer token, and refuse what a hostile link or result could do.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  createPartnerClient,
  downloadResultLink,
  type LiveResponseCommand,
  MdeBadRequestError,
  MdeHttpError,
  MdeInvalidResponseError,
  MdeNotFoundError,
  type PartnerClient,
} from "@mde-partner/client";
import { createEmulator, type Emulator, type EmulatorInfo, HOSTILE_STRINGS } from "@mde-partner/emulator";
import { readFileSync } from "node:fs";
import { Agent, fetch as undiciFetch } from "undici";

let emulator: Emulator;
let info: EmulatorInfo;
let partner: PartnerClient;
let agent: Agent;
/** Every request the client sent: URL and whether it carried an Authorization header. */
const sent: Array<{ url: string; authorization: boolean }> = [];
const ROLES = ["Machine.Read.All", "Machine.LiveResponse", "Library.Manage"];

before(async () => {
  emulator = await createEmulator({
    seed: "live-response-client",
    requestedRoles: ROLES,
    alertsPerTenant: 10,
    machinesPerTenant: 8,
    tenants: [{}, { hostile: true }],
    // Long enough that a second session request lands while the first is still open.
    actionPendingMs: 300,
    actionInProgressMs: 60,
    rateLimits: false,
  });
  info = await emulator.start();
  agent = new Agent({ connect: { ca: readFileSync(info.caCertFile, "utf8") } });
  partner = createPartnerClient({
    clientId: info.partnerApp.clientId,
    credential: { clientSecret: info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
    // A recording fetch over real HTTPS, so the test sees which requests carried the token.
    fetch: async (input, init) => {
      const headers = new Headers(input instanceof Request ? input.headers : init?.headers);
      if (init?.headers) new Headers(init.headers).forEach((v, k) => headers.set(k, v));
      sent.push({ url: input instanceof Request ? input.url : String(input), authorization: headers.has("authorization") });
      return undiciFetch(input as Parameters<typeof undiciFetch>[0], { ...(init as object), dispatcher: agent } as Parameters<typeof undiciFetch>[1]) as unknown as Response;
    },
  });
});
after(async () => {
  await partner.close();
  await agent.close();
  await emulator.stop();
});

const tenant = (i = 0) => partner.tenant(info.tenants[i]!.id).mde;

async function machineOf(i: number, platform: RegExp): Promise<string> {
  // Sessions on devices that do not report stay queued: pick an active one.
  for await (const m of tenant(i).machines.list()) if (platform.test(m.osPlatform ?? "") && m.healthStatus === "Active") return m.id;
  throw new Error(`no ${platform} machine in tenant ${i}`);
}

describe("live response library", () => {
  it("lists the seeded scripts, uploads (and refuses a taken name), replaces and deletes", async () => {
    const lib = tenant().library;
    const before = (await lib.list()).value;
    assert.ok(before.length >= 2);
    assert.ok(before.every((f) => typeof f.fileName === "string" && /^[0-9a-f]{64}$/.test(f.sha256 ?? "")));

    const uploaded = await lib.upload({ fileName: "whoami.ps1", content: "whoami /all\n", description: "Who am I", hasParameters: false });
    assert.equal(uploaded.fileName, "whoami.ps1");
    assert.equal(uploaded.description, "Who am I");
    assert.equal(uploaded.hasParameters, false);
    const taken = await lib.upload({ fileName: "whoami.ps1", content: "x" }).catch((e: unknown) => e);
    assert.ok(taken instanceof MdeBadRequestError, String(taken));
    const replaced = await lib.upload({ fileName: "whoami.ps1", content: "whoami\n", overrideIfExists: true, parametersDescription: "none" });
    assert.notEqual(replaced.sha256, uploaded.sha256);
    assert.ok(((await lib.list()).value).some((f) => f.fileName === "whoami.ps1" && f.sha256 === replaced.sha256));
    await lib.delete("whoami.ps1");
    await assert.rejects(lib.delete("whoami.ps1"), MdeNotFoundError);
    // A name that needs encoding in the path round-trips.
    await lib.upload({ fileName: "dump #1 (x86).ps1", content: "exit 0\n" });
    assert.ok((await lib.list()).value.some((f) => f.fileName === "dump #1 (x86).ps1"));
    await lib.delete("dump #1 (x86).ps1");
    assert.ok(!(await lib.list()).value.some((f) => f.fileName === "dump #1 (x86).ps1"));
    assert.throws(() => lib.upload({ fileName: "big.bin", content: new Uint8Array(20 * 1024 * 1024 + 1) }), TypeError);
  });
});

describe("live response sessions", () => {
  it("runs, waits with progress, and downloads the transcript and the file without the bearer token", async () => {
    const actions = tenant().machineActions;
    const machine = await machineOf(0, /^Windows/);
    const commands: LiveResponseCommand[] = [
      { type: "RunScript", params: [{ key: "ScriptName", value: "process-dump.ps1" }, { key: "Args", value: "OfficeClickToRun" }] },
      { type: "GetFile", params: [{ key: "Path", value: "C:\\Windows\\Temp\\OfficeClickToRun.dmp.zip" }] },
    ];
    const started = await actions.runLiveResponse(machine, { commands, comment: "dump Office" });
    assert.equal(started.type, "LiveResponse");
    assert.equal(started.commands?.length, 2);
    const seen: string[] = [];
    const done = await actions.waitForCompletion(started.id, { intervalMs: 10, timeoutMs: 10_000, onPoll: (a) => seen.push(a.status) });
    assert.equal(done.status, "Succeeded");
    assert.ok(seen.length >= 1 && seen.at(-1) === "Succeeded", seen.join(","));

    const transcript = await actions.getLiveResponseScriptTranscript(done.id, 0);
    assert.equal(transcript.script_name, "process-dump.ps1");
    assert.equal(transcript.exit_code, 0);
    assert.match(transcript.script_output, /OfficeClickToRun\.dmp\.zip/);
    const zip = await actions.downloadLiveResponseResult(done.id, 1);
    assert.deepEqual([...zip.slice(0, 4)], [0x50, 0x4b, 0x05, 0x06]);

    // The links need no token, and the client sends none to them.
    const downloads = sent.filter((r) => new URL(r.url).pathname.startsWith("/_downloads/"));
    assert.equal(downloads.length, 2);
    assert.ok(downloads.every((r) => !r.authorization), "no bearer token on a download");
    assert.ok(sent.some((r) => r.authorization), "API calls do carry it");
  });

  it("reports a failed session and refuses a result that does not exist", async () => {
    const actions = tenant().machineActions;
    const machine = await machineOf(0, /^Windows/);
    const action = await actions.runLiveResponse(machine, {
      commands: [{ type: "GetFile", params: [{ key: "Path", value: "C:\\nope\\missing.txt" }] }],
      comment: "missing file",
    });
    const done = await actions.waitForCompletion(action.id, { intervalMs: 10, timeoutMs: 10_000 });
    assert.equal(done.status, "Failed");
    assert.equal(done.commands?.[0]?.commandStatus, "Failed");
    await assert.rejects(actions.downloadLiveResponseResult(done.id, 0), MdeBadRequestError);
    const busy = await actions.runLiveResponse(machine, { commands: [{ type: "GetFile", params: [{ key: "Path", value: "C:\\Windows\\explorer.exe" }] }], comment: "a" });
    const second = await actions
      .runLiveResponse(machine, { commands: [{ type: "GetFile", params: [{ key: "Path", value: "C:\\Windows\\explorer.exe" }] }], comment: "b" })
      .catch((e: unknown) => e);
    assert.ok(second instanceof MdeBadRequestError && second.apiCode === "ActiveRequestAlreadyExists", String(second));
    await actions.waitForCompletion(busy.id, { intervalMs: 10, timeoutMs: 10_000 });
  });

  it("waiting honours an abort signal", async () => {
    const actions = tenant().machineActions;
    const machine = await machineOf(0, /^(Linux|macOS)/);
    const action = await actions.runLiveResponse(machine, { commands: [{ type: "GetFile", params: [{ key: "Path", value: "/etc/hosts" }] }], comment: "hosts" });
    const controller = new AbortController();
    const waiting = actions.waitForCompletion(action.id, { intervalMs: 5_000, signal: controller.signal });
    setTimeout(() => controller.abort(new Error("stop")), 20);
    await assert.rejects(waiting, /stop/);
    const hosts = new TextDecoder().decode(await actions.downloadLiveResponseResult((await actions.waitForCompletion(action.id, { intervalMs: 10 })).id, 0));
    assert.match(hosts, /localhost/);
  });

  it("a hostile tenant's transcript is bounded and never reaches the caller unbounded", async () => {
    const actions = tenant(1).machineActions;
    const machine = await machineOf(1, /./);
    let script = "collect-triage.ps1";
    for await (const m of tenant(1).machines.list()) if (m.id === machine && !/^Windows/.test(m.osPlatform ?? "")) script = "network-connections.sh";
    const action = await actions.runLiveResponse(machine, { commands: [{ type: "RunScript", params: [{ key: "ScriptName", value: script }] }], comment: "triage" });
    await actions.waitForCompletion(action.id, { intervalMs: 10, timeoutMs: 10_000 });
    const small = await actions.getLiveResponseScriptTranscript(action.id, 0, { maxBytes: 64 * 1024 }).catch((e: unknown) => e);
    assert.ok(small instanceof MdeInvalidResponseError, String(small));
    assert.match((small as Error).message, /maxBytes/);
    const full = await actions.getLiveResponseScriptTranscript(action.id, 0);
    assert.ok(full.script_output.includes(HOSTILE_STRINGS.osc52), "the client returns the text as sent: escaping is the display's job");
  });
});

describe("downloadResultLink", () => {
  const fakeFetch = (respond: (url: string, init?: RequestInit) => Response) => {
    const calls: Array<{ url: string; init: RequestInit | undefined }> = [];
    const fetch = async (input: string | URL | Request, init?: RequestInit) => {
      calls.push({ url: String(input), init });
      return respond(String(input), init);
    };
    return { fetch, calls };
  };

  it("follows only https links and never sends an Authorization header", async () => {
    const { fetch, calls } = fakeFetch(() => new Response("ok"));
    const bytes = await downloadResultLink("https://blob.example.net/x?sig=abc", { fetch });
    assert.equal(new TextDecoder().decode(bytes), "ok");
    const headers = new Headers(calls[0]?.init?.headers);
    assert.equal(headers.get("authorization"), null);
    assert.notEqual(calls[0]?.init?.redirect ?? "follow", "follow", "redirects are not followed");
    await assert.rejects(downloadResultLink("http://blob.example.net/x", { fetch }), MdeInvalidResponseError);
    await assert.rejects(downloadResultLink("javascript:alert(1)", { fetch }), MdeInvalidResponseError);
    await assert.rejects(downloadResultLink("https://user:pw@blob.example.net/x", { fetch }), MdeInvalidResponseError);
    assert.equal(calls.length, 1, "refused links are never fetched");
  });

  it("bounds the size (declared or streamed) and names an expired link", async () => {
    const declared = fakeFetch(() => new Response("x", { headers: { "content-length": "999999999" } }));
    await assert.rejects(downloadResultLink("https://b.example/x", { fetch: declared.fetch, maxBytes: 1000 }), /maxBytes/);
    let pulled = 0;
    const endless = fakeFetch(
      () =>
        new Response(
          new ReadableStream<Uint8Array>({
            pull(c) {
              pulled++;
              c.enqueue(new Uint8Array(1024));
            },
          }),
        ),
    );
    await assert.rejects(downloadResultLink("https://b.example/x", { fetch: endless.fetch, maxBytes: 10_000 }), /maxBytes/);
    assert.ok(pulled < 20, `stopped reading after ${pulled} chunks`);
    const expired = fakeFetch(
      () => new Response(`<?xml version="1.0"?><Error><Code>AuthenticationFailed</Code><Message>expired</Message></Error>`, { status: 403 }),
    );
    const error = await downloadResultLink("https://b.example/x", { fetch: expired.fetch }).catch((e: unknown) => e);
    assert.ok(error instanceof MdeHttpError && error.status === 403 && error.apiCode === "AuthenticationFailed", String(error));
    assert.match((error as Error).message, /request a new link/);
  });
});
