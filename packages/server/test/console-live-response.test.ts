// Live response from the device page, against the emulator through the console: a responder
// picks a library script and a file to collect, reviews, confirms; the action's page follows
// the session and shows the transcript, and the collected file downloads through the console
// (the signed link never reaches the page); every run and download is on record. A viewer has
// no form and a viewer's run is refused and audited; a session already running and a
// throttled API are clear messages; a hostile device's script output is inert (in Chromium too).
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPartnerClient, type PartnerClient, type PartnerTenant } from "@mde-partner/client";
import { HOSTILE_STRINGS } from "@mde-partner/emulator";
import type { PartnerConsole } from "@mde-partner/server";
import type { StoredMachine } from "@mde-partner/sync";
import { allowedResultLink } from "../src/services/live-response.js";
import { visibleControls } from "../src/views/html.js";
import { Agent, consoleOf, createWorld, inChromium, PASSWORDS, REQUIRED, unescapeHtml, type World, withoutChromium } from "./support.js";

const ROLES = [...REQUIRED, "Machine.Read.All", "Machine.LiveResponse", "Library.Manage", "File.Read.All"];

let world: World;
let partner: PartnerClient<PartnerTenant>;
let console_: PartnerConsole;
let responder: Agent;
let viewer: Agent;
let contoso: string;
let mallory: string;
let windows: StoredMachine;
let hostileDevice: StoredMachine;

const signIn = async (role: keyof typeof PASSWORDS) => {
  const agent = new Agent(console_);
  assert.equal((await agent.signIn(role, PASSWORDS[role])).status, 303);
  return agent;
};

/** Requests a run the way the review page's form does; returns the response. */
const run = (agent: Agent, d: StoredMachine, fields: Record<string, string>) => agent.form(`/devices/${d.tenantId}/${d.id}/live-response`, fields);

/** Reloads the action's page until its action is final (the emulator runs each command on its clock). */
async function finalPage(agent: Agent, actionPath: string): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const html = await (await agent.request(actionPath)).text();
    if (/id="action-status"[^>]*data-final="true"/.test(html)) return html;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${actionPath} did not finish`);
}

const scriptFor = (d: StoredMachine) => ((d.osPlatform ?? "").startsWith("Windows") ? "collect-triage.ps1" : "network-connections.sh");

before(async () => {
  world = await createWorld({
    emulator: {
      tenants: [
        { name: "Contoso", roles: ROLES },
        { name: "Mallory", hostile: true, roles: ROLES },
      ],
      requestedRoles: ROLES,
      alertsPerTenant: 6,
      machinesPerTenant: 4,
      // A session lasts ~0.5 s: long enough to meet it still running, short enough to wait for.
      actionPendingMs: 200,
      actionInProgressMs: 150,
    },
  });
  [contoso, mallory] = world.info.tenants.map((t) => t.id) as [string, string];
  // Gives up on the first 429 (the default client would wait out the service's Retry-After).
  partner = createPartnerClient({
    clientId: world.info.partnerApp.clientId,
    credential: { clientSecret: world.info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: world.info.loginUrl, apiUrl: world.info.apiUrl, graphUrl: world.info.graphUrl, ca: world.info.caCertFile },
    fetch: world.emulator.fetch,
    retry: { maxThrottleRetries: 0 },
  });
  console_ = consoleOf(world, { partner, tls: false });
  await world.store.upsertTenant({ id: contoso, name: "Contoso", initialState: "consented" });
  await world.store.upsertTenant({ id: mallory, name: "Mallory", initialState: "consented" });
  responder = await signIn("responder");
  viewer = await signIn("viewer");
  assert.equal((await responder.form("/sync", {})).status, 200);
  const machines = await world.store.listMachines(contoso, { limit: 10 });
  windows = machines.find((m) => (m.osPlatform ?? "").startsWith("Windows")) ?? assert.fail("Contoso has a Windows device");
  [hostileDevice] = await world.store.listMachines(mallory, { limit: 1 });
  assert.ok(hostileDevice);
});
after(async () => {
  await console_?.stop();
  await partner?.close();
  await world?.close();
});

describe("live response", () => {
  it("a responder runs a library script and collects the file it wrote; transcript shown, file downloaded through the console, all on record", async () => {
    const device = await (await responder.request(`/devices/${contoso}/${windows.id}`)).text();
    assert.match(device, /id="live-response-link"/);
    const form = await (await responder.request(`/devices/${contoso}/${windows.id}/live-response`)).text();
    for (const name of ["collect-triage.ps1", "process-dump.ps1", "network-connections.sh"]) assert.ok(form.includes(`value="${name}"`), `${name} offered`);

    const path = "C:\\Windows\\Temp\\lsass.dmp.zip";
    const review = await responder.request(
      `/devices/${contoso}/${windows.id}/live-response/review?script=process-dump.ps1&args=lsass&path=${encodeURIComponent(path)}`,
    );
    const reviewHtml = unescapeHtml(await review.text());
    assert.equal(review.status, 200);
    assert.match(reviewHtml, /<strong>RunScript<\/strong> ScriptName=process-dump\.ps1, Args=lsass/);
    assert.ok(reviewHtml.includes(`<strong>GetFile</strong> Path=${path}`));

    const res = await run(responder, windows, { script: "process-dump.ps1", args: "lsass", path, comment: "INC-77 memory of lsass" });
    assert.equal(res.status, 303, await res.text());
    const location = res.headers.get("location")!;
    const actionId = /^\/actions\/[0-9a-f-]+\/([0-9a-f-]+)\?requested=1$/.exec(location)?.[1];
    assert.ok(actionId, location);

    const html = await finalPage(responder, `/actions/${contoso}/${actionId}`);
    assert.match(html, /data-status="Succeeded"/);
    assert.match(html, /<section class="card" data-command="0" data-type="RunScript" data-status="Completed">/);
    assert.match(html, /Exit code <strong data-field="exit_code">0<\/strong>/);
    assert.match(html, /<pre class="transcript" data-field="script_output">[^<]*C:\\Windows\\Temp\\lsass\.dmp\.zip/);
    assert.doesNotMatch(html, /_downloads|sig=|se=/, "the signed links are not on the page");

    const download = /<a href="([^"]+)" id="download-1"/.exec(html)?.[1];
    assert.equal(download, `/actions/${contoso}/${actionId}/results/1`);
    const file = await responder.request(download!);
    assert.equal(file.status, 200);
    assert.equal(file.headers.get("content-disposition"), 'attachment; filename="lsass.dmp.zip"');
    const bytes = Buffer.from(await file.arrayBuffer());
    assert.deepEqual([...bytes.subarray(0, 4)], [0x50, 0x4b, 0x05, 0x06], "the zip the script wrote");

    const audit = await world.store.queryAudit({ tenantId: contoso });
    const runs = audit.filter((e) => e.action === "machine.live-response");
    assert.deepEqual(runs.map((e) => e.phase).sort(), ["completed", "requested"]);
    const requested = runs.find((e) => e.phase === "requested")!;
    assert.equal(requested.actor, "responder");
    assert.equal(requested.target, windows.id);
    assert.equal(requested.comment, "INC-77 memory of lsass");
    assert.match(JSON.stringify(requested.request), /process-dump\.ps1.*lsass.*lsass\.dmp\.zip/);
    const downloads = audit.filter((e) => e.action === "machine.live-response.download");
    assert.equal(downloads.length, 1);
    assert.equal(downloads[0]!.actor, "responder");
    assert.equal(downloads[0]!.phase, "completed");
  });

  it("a viewer sees no live response and a viewer's run is refused and on record", async () => {
    const device = await (await viewer.request(`/devices/${contoso}/${windows.id}`)).text();
    assert.doesNotMatch(device, /live-response/);
    assert.equal((await viewer.request(`/devices/${contoso}/${windows.id}/live-response`)).status, 403);
    const res = await run(viewer, windows, { script: "collect-triage.ps1", comment: "let me try" });
    assert.equal(res.status, 403);
    assert.match(await res.text(), /needs the responder role/);
    const [refused] = (await world.store.queryAudit({ action: "machine.live-response", phases: ["failed"] })).filter((e) => e.actor === "viewer");
    assert.ok(refused, "the refusal is audited");
    assert.equal(refused.target, windows.id);
    assert.equal(refused.comment, "let me try");
    const actions = await partner.tenant(contoso).mde.machineActions.list({ filter: (f) => f.eq("machineId", windows.id) });
    assert.ok(!actions.value.some((a) => a.requestorComment === "let me try"), "nothing was sent");
  });

  it("bad input is refused before anything is sent: unknown script, control characters, no comment", async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{ script: "evil.ps1", comment: "x" }, /is not in this tenant&#39;s live response library/],
      [{ script: "process-dump.ps1", args: "a\u001b[2Jb", comment: "x" }, /one line without control characters/],
      [{ script: "collect-triage.ps1", comment: "" }, /a comment is required/],
      [{ path: "relative\\file.txt", comment: "x" }, /full path/],
    ];
    for (const [fields, message] of cases) {
      const res = await run(responder, windows, fields);
      assert.equal(res.status, 400);
      assert.match(await res.text(), message);
    }
  });

  it("a script that fails: the action fails, the command's error and the script's own error stream are shown", async () => {
    const res = await run(responder, windows, { script: "process-dump.ps1", comment: "no process named" });
    assert.equal(res.status, 303);
    const html = unescapeHtml(await finalPage(responder, res.headers.get("location")!.split("?")[0]!));
    assert.match(html, /data-status="Failed"/);
    assert.match(html, /<section class="card" data-command="0" data-type="RunScript" data-status="Failed">[\s\S]*?<ul class="warn"><li>Script process-dump\.ps1 exited with code 1\.<\/li>/);
    assert.match(html, /Exit code <strong data-field="exit_code">1<\/strong>/);
    assert.match(html, /<pre class="transcript" data-field="script_errors">Cannot process command because of one or more missing mandatory parameters: ProcessName\.<\/pre>/);
  });

  it("a session already running on the device, and a throttled API, are clear messages", async () => {
    const first = await run(responder, windows, { script: "collect-triage.ps1", comment: "first" });
    assert.equal(first.status, 303);
    const second = await run(responder, windows, { script: "collect-triage.ps1", comment: "second" });
    assert.equal(second.status, 409);
    assert.match(await second.text(), /A live response session is already running on this device/);
    await finalPage(responder, first.headers.get("location")!.split("?")[0]!);

    const fault = await world.emulator.fetch(`${world.info.controlUrl}/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ target: "api", tenantId: contoso, pathContains: "runliveresponse", status: 429, retryAfterSec: 42, count: 1 }),
    });
    assert.ok(fault.status < 300, await fault.text());
    const throttled = await run(responder, windows, { script: "collect-triage.ps1", comment: "third" });
    assert.equal(throttled.status, 429);
    assert.match(unescapeHtml(await throttled.text()), /throttling live response \(10 runs a minute, 25 sessions at once per tenant\)\. Try again in 42 s\./);
  });

  it("a hostile device's transcript is escaped, its control characters visible, the page bounded", async () => {
    const res = await run(responder, hostileDevice, { script: scriptFor(hostileDevice), comment: "triage" });
    assert.equal(res.status, 303, await res.text());
    const html = await finalPage(responder, res.headers.get("location")!.split("?")[0]!);
    assert.match(html, /<pre class="transcript" data-field="script_output">/);
    // (assert.ok, not match: a failure message must not print a page holding a 2 MB line.)
    assert.ok(!html.includes(HOSTILE_STRINGS.html), "the markup is escaped");
    assert.ok(!/<img[^>]*onerror|<script>alert/i.test(html), "no live markup");
    const raw = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/.exec(html);
    assert.equal(raw, null, `no raw control character reaches the page (found U+${raw?.[0].charCodeAt(0).toString(16)} at ${raw?.index})`);
    assert.ok(/\u241b\]52;c;/.test(html), "ESC shows as ␛");
    assert.ok(/100,000 of [\d,]+ characters shown/.test(html), "the long output is cut, and says so");
    assert.ok(html.length < 400 * 1024, `${html.length} bytes`);
  });

  it("in Chromium: device page → live response → review → confirm → transcript, on the hostile tenant, with nothing running", {
    skip: withoutChromium(),
    timeout: 90_000,
  }, async () => {
    const base = (await console_.start()).url;
    await inChromium(base, "responder", async (tab, dialogs) => {
      await tab.goto(`${base}/devices/${mallory}/${hostileDevice.id}`);
      await Promise.all([tab.waitForURL(/\/live-response$/), tab.click("#live-response-link")]);
      await tab.selectOption("#lr-script", scriptFor(hostileDevice));
      await Promise.all([tab.waitForURL(/\/live-response\/review\?/), tab.click("#review")]);
      await tab.fill("#lr-comment", "browser run");
      await Promise.all([tab.waitForURL(/\/actions\//), tab.click("#confirm")]);
      // The page polls the action and reloads itself with the results once it is final.
      await tab.waitForSelector('pre.transcript[data-field="script_output"]', { timeout: 30_000 });
      const live = await tab.evaluate(() => ({
        injected: document.querySelectorAll("main img, main script, main iframe").length,
        escShown: (document.querySelector('pre[data-field="script_output"]')?.textContent ?? "").includes("\u241b"),
      }));
      assert.deepEqual(live, { injected: 0, escShown: true });
      assert.deepEqual(dialogs, [], "no dialog fired");
    });
  });
});

describe("what the console follows and shows", () => {
  it("a result link is followed only to the tenant's API origin or Azure Storage over HTTPS", () => {
    const api = "https://api.security.microsoft.com";
    const ok = [
      "https://core.windows.net/investigation-actions-data/ID/CustomPlaybookCommandOutput/4ed5?se=2021-02-04T16%3A13%3A50Z&sp=r&sig=x",
      "https://wdatpprd.blob.core.windows.net/results/1?sig=x",
      "https://x.blob.core.usgovcloudapi.net/r?sig=x",
      "https://api.security.microsoft.com/_downloads/live-response/t/a/0/out.json?sig=x",
    ];
    for (const link of ok) assert.equal(allowedResultLink(link, api).href, new URL(link).href);
    const refused = [
      "http://wdatpprd.blob.core.windows.net/results/1",
      "https://169.254.169.254/metadata/identity",
      "https://core.windows.net.evil.example/x",
      "https://evilcore.windows.net/x",
      "http://api.security.microsoft.com:8080/x",
      "file:///etc/passwd",
      "not a url",
    ];
    for (const link of refused) assert.throws(() => allowedResultLink(link, api), /not followed|not a URL/, link);
  });

  it("control characters show as visible symbols; line breaks and tabs stay", () => {
    assert.equal(visibleControls("a\u001b[31mb\u0007\r\nc\td\u0000"), "a\u241b[31mb\u2407\nc\td\u2400");
    assert.equal(visibleControls("x\u009b31m\u202eevil"), "x<U+009B>31m<U+202E>evil");
    assert.equal(visibleControls("del\u007f"), "del\u2421");
  });
});
