/**
 * Token acquisition against a started emulator over HTTPS (its own CA trusted
 * through the custom cloud profile; TLS verification stays on).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { inspect } from "node:util";
import { type CredentialInput, createPartnerClient, MdeConsentRequiredError, type PartnerClientOptions } from "@mde-partner/client";
import { createEmulator, createManualClock, type Emulator, type EmulatorInfo } from "@mde-partner/emulator";

let emulator: Emulator;
let info: EmulatorInfo;

before(async () => {
  emulator = await createEmulator({ tenants: 10, alertsPerTenant: 3, machinesPerTenant: 2, seed: "token-tests" });
  info = await emulator.start();
});
after(async () => {
  await emulator.stop();
});

const cloud = () => ({ name: "custom" as const, loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile });
const secret = (): CredentialInput => ({ clientSecret: info.partnerApp.clientSecret });
const certificate = (): CredentialInput => ({ certificate: info.partnerApp.certificateFile, privateKey: info.partnerApp.privateKeyFile });
const partnerWith = (extra: Partial<PartnerClientOptions> = {}) =>
  createPartnerClient({ clientId: info.partnerApp.clientId, credential: secret(), cloud: cloud(), ...extra });

describe("token acquisition against the emulator", () => {
  for (const [credentialName, credential] of [
    ["client secret", secret],
    ["certificate", certificate],
  ] as const) {
    for (const tokenVersion of ["v2", "v1"] as const) {
      it(`gets a valid token for 3 tenants with a ${credentialName} over ${tokenVersion}`, async () => {
        const partner = partnerWith({ credential: credential(), tokenVersion });
        try {
          for (const tenant of info.tenants.slice(0, 3)) {
            const before = emulator.state.journal.lastSeq();
            const handle = partner.tenant(tenant.id);
            const report = await handle.inspectToken({ requiredRoles: tenant.roles });
            assert.ok(report.ok, JSON.stringify(report.checks.filter((c) => c.status === "fail")));
            assert.equal(report.summary?.tenantId, tenant.id);
            assert.equal(report.summary?.appId, info.partnerApp.clientId);
            const sent = emulator.state.journal.list({ afterSeq: before, kind: "token" });
            assert.equal(sent.length, 1);
            assert.equal(sent[0]!.status, 200);
            assert.equal(
              sent[0]!.path.split("?")[0],
              tokenVersion === "v2" ? `/${tenant.id}/oauth2/v2.0/token` : `/${tenant.id}/oauth2/token`,
            );
          }
        } finally {
          await partner.close();
        }
      });
    }
  }

  it("also accepts a verified domain name as the tenant", async () => {
    const partner = partnerWith();
    const tenant = info.tenants[3]!;
    const report = await partner.tenant(tenant.domain).inspectToken();
    assert.equal(report.summary?.tenantId, tenant.id);
    await partner.close();
  });

  it("sends exactly one token request per tenant for 1,000 concurrent calls across 10 cold tenants", async () => {
    const partner = partnerWith();
    const seq = emulator.state.journal.lastSeq();
    const ids = info.tenants.map((t) => t.id);
    assert.equal(ids.length, 10);
    const tokens = await Promise.all(Array.from({ length: 1000 }, (_, i) => partner.getToken(ids[i % 10]!)));
    const requests = emulator.state.journal.list({ afterSeq: seq, kind: "token" });
    assert.equal(requests.length, 10);
    assert.deepEqual(new Set(requests.map((r) => r.tenantId)), new Set(ids));
    assert.equal(new Set(tokens).size, 10);
    await partner.close();
  });

  it("refreshes a token before it expires, so no call ever fails", async () => {
    const clock = createManualClock(Date.now());
    const emu = await createEmulator({ tenants: 1, alertsPerTenant: 2, machinesPerTenant: 1, clock, seed: "refresh" });
    const emuInfo = await emu.start();
    const partner = createPartnerClient({
      clientId: emuInfo.partnerApp.clientId,
      credential: { clientSecret: emuInfo.partnerApp.clientSecret },
      cloud: { name: "custom", loginUrl: emuInfo.loginUrl, apiUrl: emuInfo.apiUrl, ca: emuInfo.caCertFile },
      clock,
    });
    try {
      const tenant = partner.tenant(emuInfo.tenants[0]!.id);
      const listAlerts = {
        method: "GET" as const,
        path: "/api/alerts",
        query: { $top: 1 },
        operation: "ListAlerts",
        permissions: ["Alert.Read.All"],
        idempotent: true,
      };
      const first = await tenant.getToken();
      // Three hours in 2-minute steps: every call must succeed on the first try.
      for (let minute = 0; minute <= 180; minute += 2) {
        const response = await tenant.transport.send(listAlerts);
        assert.equal(response.status, 200);
        await response.arrayBuffer();
        clock.advance(120_000);
        await new Promise((r) => setImmediate(r));
      }
      const api = emu.state.journal.list({ kind: "api" });
      assert.equal(api.filter((e) => e.status === 401).length, 0, "no call was refused for an expired token");
      const tokens = emu.state.journal.list({ kind: "token" });
      // 3599 s tokens over 3 h: the first plus about one refresh per hour, never one per call.
      assert.ok(tokens.length >= 3 && tokens.length <= 5, `token requests: ${tokens.length}`);
      assert.notEqual(await tenant.getToken(), first);
    } finally {
      await partner.close();
      await emu.stop();
    }
  });

  it("reports a revoked consent as ERR_MDE_CONSENT_REQUIRED with the consent link", async () => {
    const tenant = info.tenants[9]!;
    emulator.state.tenants.get(tenant.id)!.consents.delete(info.partnerApp.clientId);
    for (const tokenVersion of ["v2", "v1"] as const) {
      const partner = partnerWith({ tokenVersion });
      await assert.rejects(partner.getToken(tenant.id), (error: unknown) => {
        assert.ok(error instanceof MdeConsentRequiredError);
        assert.equal(error.code, "ERR_MDE_CONSENT_REQUIRED");
        assert.equal(error.aadsts, 700016);
        assert.equal(error.tenantId, tenant.id);
        const link = new URL(error.consentUrl);
        assert.equal(link.origin, new URL(info.loginUrl).origin);
        assert.equal(link.searchParams.get("client_id"), info.partnerApp.clientId);
        assert.equal(link.searchParams.get("prompt"), "consent");
        assert.ok(error.message.includes(error.consentUrl), "the message carries the link to send");
        assert.ok(error.message.includes(tenant.id));
        return true;
      });
      await partner.close();
    }
  });

  it("gives the legacy link (no redirect URI, no state) in the error even when a consent callback is configured", async () => {
    const tenant = info.tenants[9]!; // consent revoked above
    const partner = partnerWith({ consentRedirectUri: info.partnerApp.redirectUris[0]! });
    const error = (await partner.getToken(tenant.id).catch((e: unknown) => e)) as MdeConsentRequiredError;
    assert.equal(error.code, "ERR_MDE_CONSENT_REQUIRED");
    // A stateless link to the callback would be refused there although Entra records the consent.
    const link = new URL(error.consentUrl);
    assert.equal(link.pathname, "/common/oauth2/authorize");
    assert.equal(link.searchParams.get("redirect_uri"), null);
    assert.equal(link.searchParams.get("state"), null);
    // With a state the callback can match, the tenant-specific v2 link.
    const v2 = new URL(partner.consentUrl(tenant.id, { state: "s-123" }));
    assert.equal(v2.pathname, `/${tenant.id}/v2.0/adminconsent`);
    assert.equal(v2.searchParams.get("redirect_uri"), info.partnerApp.redirectUris[0]);
    assert.equal(v2.searchParams.get("state"), "s-123");
    await partner.close();
  });

  it("maps an unknown tenant and a wrong secret to typed errors that never show the secret", async () => {
    const partner = partnerWith();
    await assert.rejects(partner.getToken("00000000-1111-4222-8333-444444444444"), { code: "ERR_MDE_TENANT_NOT_FOUND" });
    await assert.rejects(partner.getToken("nosuchtenant.onmicrosoft.com"), { code: "ERR_MDE_TENANT_NOT_FOUND" });
    await partner.close();

    const wrongSecret = "Wq98Q~ThisIsNotTheSecretValue0123456789abc";
    for (const tokenVersion of ["v2", "v1"] as const) {
      const bad = partnerWith({ credential: { clientSecret: wrongSecret }, tokenVersion });
      const error = (await bad.getToken(info.tenants[0]!.id).catch((e: unknown) => e)) as Error & { code: string; secretHint?: string };
      assert.equal(error.code, "ERR_MDE_SECRET_INVALID");
      assert.equal(error.secretHint, "Wq9");
      for (const text of [error.message, inspect(error, { depth: 20 }), JSON.stringify(error), String(error.stack)]) {
        assert.ok(!text.includes(wrongSecret), "the secret value never appears");
      }
      await bad.close();
    }
  });

  it("keeps secrets and tokens out of util.inspect and JSON of clients and credentials", async () => {
    const partner = partnerWith();
    const tenant = partner.tenant(info.tenants[0]!.id);
    const token = await tenant.getToken();
    const shown = [
      inspect(partner, { depth: 20, showHidden: true }),
      JSON.stringify(partner),
      inspect(tenant, { depth: 20 }),
      JSON.stringify(tenant),
    ];
    for (const text of shown) {
      assert.ok(!text.includes(info.partnerApp.clientSecret), "no secret");
      assert.ok(!text.includes(token), "no token");
    }
    assert.match(shown[0]!, /PartnerClient/);
    await partner.close();
  });
});
