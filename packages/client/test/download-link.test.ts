/**
 * `downloadLink` / `partner.downloadLink`: a time-limited link (live response
 * result, investigation package) is fetched with no credentials of ours — no
 * Authorization header whatever host it names — only over https, read up to a
 * bound; a refused link is an error naming the host, never the link's signature.
 * Then against the emulator: an investigation package downloads through its
 * signed link, and an altered link is refused (403).
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { createPartnerClient, downloadLink, isMdeError } from "@mde-partner/client";
import { createEmulator, type Emulator, type EmulatorInfo } from "@mde-partner/emulator";

type Seen = { url: string; headers: Headers; credentials: RequestCredentials | undefined };

function fakeFetch(body: Uint8Array | string, status = 200) {
  const seen: Seen[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit) => {
    seen.push({ url: String(input), headers: new Headers(init?.headers), credentials: init?.credentials });
    return new Response(status === 200 ? body : "denied", { status, headers: { "content-type": "application/octet-stream" } });
  };
  return { fetch, seen };
}

describe("downloadLink", () => {
  it("sends no Authorization header or cookie and returns the bytes", async () => {
    const { fetch, seen } = fakeFetch("transcript");
    const got = await downloadLink(fetch, "https://storage.example.net/results/1?se=2026&sig=SECRETSIG");
    assert.equal(new TextDecoder().decode(got.bytes), "transcript");
    assert.equal(got.truncated, false);
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.headers.get("authorization"), null);
    assert.equal(seen[0]!.headers.get("cookie"), null);
    assert.equal(seen[0]!.credentials, "omit");
  });

  it("reads no more than maxBytes", async () => {
    const { fetch } = fakeFetch(new Uint8Array(10_000).fill(65));
    const got = await downloadLink(fetch, "https://storage.example.net/big", { maxBytes: 1000 });
    assert.equal(got.bytes.byteLength, 1000);
    assert.equal(got.truncated, true);
  });

  it("refuses plain http, credentials in the link and non-URLs before fetching", async () => {
    const { fetch, seen } = fakeFetch("x");
    for (const link of ["http://storage.example.net/a", "https://user:pass@storage.example.net/a", "not a url", "file:///etc/passwd"])
      await assert.rejects(downloadLink(fetch, link), TypeError, link);
    assert.equal(seen.length, 0);
  });

  it("a refused link is ERR_MDE_HTTP naming the host, not the signature", async () => {
    const { fetch } = fakeFetch("", 403);
    await assert.rejects(downloadLink(fetch, "https://storage.example.net/x?sig=SECRETSIG"), (error: unknown) => {
      assert.ok(isMdeError(error, "ERR_MDE_HTTP"));
      assert.match(error.message, /storage\.example\.net.*HTTP 403.*expired/);
      assert.doesNotMatch(error.message, /SECRETSIG/);
      return true;
    });
  });
});

describe("partner.downloadLink against the emulator", () => {
  let emulator: Emulator;
  let info: EmulatorInfo;
  before(async () => {
    emulator = await createEmulator({ seed: "download-link", alertsPerTenant: 1, machinesPerTenant: 3, tenants: [{}], actionPendingMs: 10, actionInProgressMs: 10 });
    info = await emulator.start();
  });
  after(async () => {
    await emulator.stop();
  });

  it("downloads an investigation package through its signed link; an altered link is refused", async () => {
    const partner = createPartnerClient({
      clientId: info.partnerApp.clientId,
      credential: { clientSecret: info.partnerApp.clientSecret },
      cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
      userAgent: "MdePartner-Contoso-ContosoCognito/1.0.0",
    });
    try {
      const tenant = partner.tenant(info.tenants[0]!.id).mde;
      let machine: string | undefined;
      for await (const m of tenant.machines.list()) if (String(m.osPlatform).startsWith("Windows")) machine ??= m.id;
      assert.ok(machine, "a Windows machine");
      const action = await tenant.machineActions.collectInvestigationPackage(machine, { comment: "download test" });
      await tenant.machineActions.waitForCompletion(action.id, { intervalMs: 20, timeoutMs: 10_000 });
      const link = await tenant.machineActions.getPackageUri(action.id);
      const got = await partner.downloadLink(String(link.value));
      assert.ok(got.bytes.byteLength > 0, "the package has bytes");
      const altered = new URL(String(link.value));
      altered.searchParams.set("sig", "AAAA");
      await assert.rejects(partner.downloadLink(altered.href), (error: unknown) => isMdeError(error, "ERR_MDE_HTTP") && error.status === 403);
    } finally {
      await partner.close();
    }
  });
});
