/** The whole stack against a started emulator over HTTPS: tokens, pipeline, typed API, fan-out, TLS trust. */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPartnerClient, MdeForbiddenError, type PartnerClientOptions } from "@mde-partner/client";
import { createEmulator, type Emulator, type EmulatorInfo } from "@mde-partner/emulator";

let emulator: Emulator;
let info: EmulatorInfo;

before(async () => {
  emulator = await createEmulator({
    seed: "partner-client-tests",
    alertsPerTenant: 5,
    machinesPerTenant: 3,
    tenants: [{}, {}, { roles: ["Alert.Read.All"] }, { consented: false }],
  });
  info = await emulator.start();
});
after(async () => {
  await emulator.stop();
});

const partnerWith = (extra: Partial<PartnerClientOptions> = {}) =>
  createPartnerClient({
    clientId: info.partnerApp.clientId,
    credential: { clientSecret: info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
    userAgent: "MdePartner-Contoso-ContosoCognito/1.0.0",
    ...extra,
  });

describe("partner client against the emulator", () => {
  it("reads alerts and machines through the typed API", async () => {
    const partner = partnerWith();
    try {
      const tenant = partner.tenant(info.tenants[0]!.id);
      const page = await tenant.alerts.list({ top: 3 });
      assert.equal(page.value.length, 3);
      const seen: string[] = [];
      for await (const machine of tenant.machines.list()) seen.push(machine.id);
      assert.equal(seen.length, info.tenants[0]!.machines);
      const api = emulator.state.journal.list({ kind: "api", tenantId: info.tenants[0]!.id });
      assert.ok(api.length >= 2 && api.every((e) => e.status === 200));
    } finally {
      await partner.close();
    }
  });

  it("names the missing permission when a tenant granted less", async () => {
    const partner = partnerWith();
    const limited = info.tenants[2]!;
    const machineId = (await partner.tenant(info.tenants[0]!.id).machines.list({ top: 1 })).value[0]!.id;
    await assert.rejects(
      partner.tenant(limited.id).transport.send({
        method: "GET",
        path: `/api/machines/${machineId}`,
        operation: "GetMachine",
        permissions: ["Machine.Read.All", "Machine.ReadWrite.All"],
        idempotent: true,
      }),
      (error: unknown) => {
        assert.ok(error instanceof MdeForbiddenError);
        assert.deepEqual(error.missingPermissions, ["Machine.Read.All", "Machine.ReadWrite.All"]);
        assert.equal(error.tenantId, limited.id);
        return true;
      },
    );
    await partner.close();
  });

  it("fans out over every tenant; the one without consent fails alone", async () => {
    const partner = partnerWith();
    const results = await partner.forEachTenant(
      info.tenants.map((t) => t.id),
      async (tenant) => (await tenant.alerts.list({ top: 1 })).value.length,
      { concurrency: 2 },
    );
    assert.deepEqual(
      results.map((r) => r.ok),
      [true, true, true, false],
    );
    const failed = results[3]!;
    assert.ok(!failed.ok && (failed.error as { code?: string }).code === "ERR_MDE_CONSENT_REQUIRED");
    await partner.close();
  });

  it("trusts the emulator only through the cloud's CA: without it TLS fails (never disabled)", async () => {
    const partner = partnerWith({ cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl }, tokenVersion: "v1" });
    await assert.rejects(partner.getToken(info.tenants[0]!.id), (error: unknown) => {
      assert.equal((error as { code?: string }).code, "ERR_MDE_NETWORK");
      assert.equal((error as { notSent?: boolean }).notSent, true);
      return true;
    });
    await partner.close();
  });

  it("works with the emulator's in-process fetch as the injected fetch", async () => {
    const partner = partnerWith({ fetch: emulator.fetch, tokenVersion: "v1" });
    const page = await partner.tenant(info.tenants[1]!.id).alerts.list({ top: 2 });
    assert.equal(page.value.length, 2);
    await partner.close();
  });

  it("speaks plain http only to loopback, only with allowInsecureRequests", async () => {
    const plain = await createEmulator({ seed: "insecure", tenants: 1, alertsPerTenant: 2, machinesPerTenant: 1, insecureHttp: true });
    const plainInfo = await plain.start();
    try {
      const options = {
        clientId: plainInfo.partnerApp.clientId,
        credential: { clientSecret: plainInfo.partnerApp.clientSecret },
        cloud: { name: "custom" as const, loginUrl: plainInfo.loginUrl, apiUrl: plainInfo.apiUrl },
      };
      assert.throws(() => createPartnerClient(options), /allowInsecureRequests/);
      const partner = createPartnerClient({ ...options, allowInsecureRequests: true });
      const page = await partner.tenant(plainInfo.tenants[0]!.id).alerts.list({ top: 1 });
      assert.equal(page.value.length, 1);
      // MSAL refuses http authorities, so the v2 exchange went direct to the v2 endpoint.
      assert.equal(plain.state.journal.list({ kind: "token" })[0]?.path, `/${plainInfo.tenants[0]!.id}/oauth2/v2.0/token`);
      await partner.close();
    } finally {
      await plain.stop();
    }
  });
});
