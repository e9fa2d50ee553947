/**
 * The vulnerability-management, device AV health and export resources against the emulator:
 * every method once, paging, the permission each one asks for, and export files streamed
 * without the bearer token.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import {
  createPartnerClient,
  MdeForbiddenError,
  MdeInvalidResponseError,
  MdeNotFoundError,
  type MdeApi,
  type PartnerClient,
  readExportFile,
} from "@mde-partner/client";
import { createEmulator, createManualClock, type Emulator, type EmulatorInfo } from "@mde-partner/emulator";

const TVM_ROLES = ["Machine.Read.All", "Software.Read.All", "Vulnerability.Read.All", "SecurityRecommendation.Read.All", "Score.Read.All", "RemediationTasks.Read.All"];
const clock = createManualClock(Date.UTC(2026, 2, 10, 9, 30));
let emulator: Emulator;
let info: EmulatorInfo;
let partner: PartnerClient;
let mde: MdeApi;
/** Requests the client sent, with their headers. */
const sent: Array<{ url: string; headers: Headers }> = [];
/** Per download URL: bytes handed to the client so far, and whether the body ended. */
const downloads = new Map<string, { bytes: number; ended: boolean }>();

before(async () => {
  emulator = await createEmulator({
    seed: "tvm-client-tests",
    clock,
    requestedRoles: TVM_ROLES,
    tenants: [{ alerts: 5, machines: 150, roles: TVM_ROLES }, { alerts: 1, machines: 2, roles: ["Machine.Read.All"] }],
  });
  info = await emulator.start();
  partner = createPartnerClient({
    clientId: info.partnerApp.clientId,
    credential: { clientSecret: info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
    clock,
    // In-process, recording what is sent and how far each download has been read.
    fetch: async (input, init) => {
      const url = String(input instanceof Request ? input.url : input);
      sent.push({ url, headers: new Headers(init?.headers ?? (input instanceof Request ? input.headers : undefined)) });
      const response = await emulator.fetch(input, init);
      if (!new URL(url).pathname.startsWith("/_downloads/") || !response.body) return response;
      const progress = { bytes: 0, ended: false };
      downloads.set(url, progress);
      const counted = response.body.pipeThrough(
        new TransformStream<Uint8Array, Uint8Array>({
          transform(chunk, controller) {
            progress.bytes += chunk.byteLength;
            controller.enqueue(chunk);
          },
          flush() {
            progress.ended = true;
          },
        }),
      );
      return new Response(counted, { status: response.status, headers: response.headers });
    },
  });
  mde = partner.tenant(info.tenants[0]!.id).mde;
});
after(async () => {
  await partner.close();
  await emulator.stop();
});

const all = async <T>(items: AsyncIterable<T>): Promise<T[]> => {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
};

describe("TVM resources against the emulator", () => {
  it("software: list with a filter, get, distributions, machine references, vulnerabilities, missing KBs", async () => {
    const microsoft = await all(mde.software.list({ filter: (f) => f.eq("vendor", "microsoft") }));
    assert.ok(microsoft.length > 0 && microsoft.every((s) => s.vendor === "microsoft"));
    const edge = await mde.software.get("microsoft-_-edge_chromium-based");
    assert.equal(edge.name, "edge_chromium-based");
    const distributions = await all(mde.software.listDistributions(edge.id));
    const refs = await all(mde.software.listMachineReferences(edge.id));
    assert.equal(distributions.reduce((n, d) => n + d.installations, 0), refs.length);
    const vulns = await all(mde.software.listVulnerabilities(edge.id));
    assert.equal(vulns.length, edge.weaknesses);
    const kbs = await all(mde.software.listMissingKbs(edge.id));
    assert.ok(kbs.every((k) => k.productsNames.includes("edge_chromium-based") && k.url.startsWith("https://")));
    await assert.rejects(mde.software.get("contoso-_-nothing"), MdeNotFoundError);
  });

  it("vulnerabilities: list pages by $top/$skip, get, machine references, machinesVulnerabilities", async () => {
    const list = await all(mde.vulnerabilities.list({ pageSize: 100 }));
    assert.ok(list.length > 100, "more than one page");
    assert.equal(new Set(list.map((v) => v.id)).size, list.length);
    const exposed = list.find((v) => v.exposedMachines > 0)!;
    assert.equal((await mde.vulnerabilities.get(exposed.id)).id, exposed.id);
    const refs = await all(mde.vulnerabilities.listMachineReferences(exposed.id));
    assert.equal(refs.length, exposed.exposedMachines);
    const rows = await all(mde.vulnerabilities.listMachinesVulnerabilities({ filter: (f) => f.eq("cveId", exposed.id) }));
    assert.deepEqual(new Set(rows.map((r) => r.machineId)), new Set(refs.map((r) => r.id)));
  });

  it("a machine's software, vulnerabilities, recommendations and missing KBs", async () => {
    const rows = await all(mde.vulnerabilities.listMachinesVulnerabilities({ top: 1 }));
    const machineId = rows[0]!.machineId;
    const software = await all(mde.machines.listSoftware(machineId));
    const vulns = await all(mde.machines.listVulnerabilities(machineId));
    const mine = await all(mde.vulnerabilities.listMachinesVulnerabilities({ filter: (f) => f.eq("machineId", machineId) }));
    assert.deepEqual(new Set(vulns.map((v) => v.id)), new Set(mine.map((r) => r.cveId)));
    assert.ok(mine.every((r) => software.some((s) => s.id === `${r.productVendor}-_-${r.productName}`)));
    const recommendations = await all(mde.machines.listRecommendations(machineId));
    assert.ok(recommendations.some((r) => r.id === `va-_-${mine[0]!.productVendor}-_-${mine[0]!.productName}`));
    const kbs = await all(mde.machines.listMissingKbs(machineId));
    assert.deepEqual(new Set(kbs.map((k) => k.id)), new Set(mine.map((r) => r.fixingKbId).filter((k) => k)));
  });

  it("recommendations, scores and remediation tasks", async () => {
    const recommendations = await all(mde.recommendations.list({ filter: (f) => f.eq("remediationType", "Update") }));
    const top = recommendations[0]!;
    assert.equal((await mde.recommendations.get(top.id)).id, top.id);
    assert.equal((await mde.recommendations.getSoftware(top.id)).exposedMachines, top.exposedMachinesCount);
    assert.equal((await all(mde.recommendations.listMachineReferences(top.id))).length, top.exposedMachinesCount);
    assert.equal((await all(mde.recommendations.listVulnerabilities(top.id))).length, top.weaknesses);

    const exposure = await mde.scores.getExposureScore();
    assert.ok(exposure.score > 0 && exposure.score <= 100);
    assert.ok((await mde.scores.getConfigurationScore()).score > 0);
    const groups = await all(mde.scores.listExposureScoreByMachineGroups());
    assert.ok(groups.length > 0 && groups.every((g) => g.rbacGroupName));

    const tasks = await all(mde.remediationTasks.list({ filter: (f) => f.eq("status", "Active") }));
    assert.ok(tasks.length > 0 && tasks.every((t) => t.status === "Active"));
    assert.equal((await mde.remediationTasks.get(tasks[0]!.id)).id, tasks[0]!.id);
    assert.ok(Array.isArray(await all(mde.remediationTasks.listMachineReferences(tasks[0]!.id))));
  });

  it("device AV health follows @odata.nextLink (20 rows a page) to every device", async () => {
    const rows = await all(mde.deviceAvHealth.list());
    assert.equal(rows.length, 150);
    assert.equal(new Set(rows.map((r) => r.machineId)).size, 150);
    const windows = await all(mde.deviceAvHealth.list({ filter: (f) => f.eq("osKind", "windows"), top: 50 }));
    assert.ok(windows.length === 50 && windows.every((r) => r.osKind === "windows"));
  });

  it("JSON exports page with pageSize and $skiptoken; the delta export checks sinceTime", async () => {
    const configs = await all(mde.exports.listSecureConfigurations({ pageSize: 500 }));
    assert.ok(configs.length > 500);
    assert.equal(new Set(configs.map((c) => `${c.deviceId}/${c.configurationId}`)).size, configs.length);
    const vulnerabilities = await all(mde.exports.listSoftwareVulnerabilities({ pageSize: 2_000 }));
    const inventory = await all(mde.exports.listSoftwareInventory());
    assert.equal(new Set(vulnerabilities.map((r) => `${r.deviceId}/${r.softwareName}`)).size, inventory.length);
    const changes = await all(mde.exports.listSoftwareVulnerabilityChanges(new Date(clock.now() - 7 * 86_400_000)));
    assert.ok(changes.length > 0 && changes.every((c) => (c.status === "New" || c.status === "Fixed") && typeof c.eventTimestamp === "string"));
    assert.throws(() => mde.exports.listSoftwareVulnerabilityChanges(new Date(clock.now() - 15 * 86_400_000)), TypeError);
  });

  it("export files: rows streamed as they arrive, no bearer token on the link, same rows as the JSON export", async () => {
    const exported = await mde.exports.exportSoftwareVulnerabilitiesFiles({ sasValidHours: 2 });
    assert.ok(exported.exportFiles.length >= 1);
    const url = exported.exportFiles[0]!;
    let atFirstRow: { bytes: number; ended: boolean } | undefined;
    const rows: Array<Record<string, unknown>> = [];
    for await (const row of mde.exports.readFile(url)) {
      atFirstRow ??= { ...downloads.get(url)! };
      rows.push(row);
    }
    const total = downloads.get(url)!;
    assert.ok(total.ended);
    assert.ok(atFirstRow && !atFirstRow.ended && atFirstRow.bytes < total.bytes, `first row after ${atFirstRow?.bytes} of ${total.bytes} bytes`);
    const request = sent.find((s) => s.url === url)!;
    assert.equal(request.headers.get("authorization"), null, "the SAS link is fetched without the bearer token");
    assert.ok(sent.some((s) => s.headers.get("authorization")?.startsWith("Bearer ")), "API calls do carry it");
    assert.deepEqual(rows, await all(mde.exports.listSoftwareVulnerabilities()));

    for (const files of [
      await mde.exports.exportSecureConfigurationsFiles(),
      await mde.exports.exportSoftwareInventoryFiles(),
      await mde.exports.exportSoftwareInventoryNonCpeFiles(),
      await mde.deviceAvHealth.exportFiles({ sasValidHours: 24 }),
    ]) {
      assert.match(files.generatedTime, /^\d{4}-\d{2}-\d{2}T/);
      assert.ok(Array.isArray(await all(mde.exports.readFiles(files))));
    }
    assert.equal((await all(mde.exports.readFiles(await mde.deviceAvHealth.exportFiles()))).length, 150);
    assert.throws(() => mde.exports.exportSoftwareVulnerabilitiesFiles({ sasValidHours: 7 }), TypeError);

    clock.advance(3 * 3_600_000);
    await assert.rejects(all(mde.exports.readFile(url)), (error: unknown) => error instanceof MdeForbiddenError && error.status === 403);
    const before = sent.length;
    await assert.rejects(all(readExportFile(mde.transport, "http://storage.example/export.json.gz")), MdeInvalidResponseError);
    assert.equal(sent.length, before, "nothing is sent to a plain-http link");
  });

  it("a tenant that granted only Machine.Read.All is refused the TVM reads with the permission named", async () => {
    const limited = partner.tenant(info.tenants[1]!.id).mde;
    await assert.rejects(
      async () => await limited.vulnerabilities.list({ top: 1 }),
      (error: unknown) => error instanceof MdeForbiddenError && error.missingPermissions.includes("Vulnerability.Read.All"),
    );
    assert.ok(Array.isArray((await limited.deviceAvHealth.list({ top: 2 })).value));
  });
});
