/**
 * Token endpoint outages, against the emulator's fault injection over HTTPS:
 * a single 503 (AADSTS90006-style `temporarily_unavailable`), a 500, or a reset
 * connection is repeated with the API's retry policy on every path (MSAL, the
 * direct v2 and v1 POSTs, a TokenCredential) and the call succeeds; an outage
 * that outlasts the retries ends in a code meaning "try again later" with a
 * message that says it is transient, and once Entra ID is back the next token
 * comes at once (MSAL's throttling cache is not left holding the failure).
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, describe, it } from "node:test";
import { createPartnerClient, type PartnerClientOptions } from "@mde-partner/client";
import { createEmulator, type Emulator, type EmulatorInfo } from "@mde-partner/emulator";

let emulator: Emulator;
let info: EmulatorInfo;

before(async () => {
  emulator = await createEmulator({ seed: "token-outage", tenants: 3, alertsPerTenant: 2, machinesPerTenant: 1, rateLimits: false });
  info = await emulator.start();
});
after(() => emulator.stop());

const partner = (extra: Partial<PartnerClientOptions> = {}) =>
  createPartnerClient({
    clientId: info.partnerApp.clientId,
    credential: { clientSecret: info.partnerApp.clientSecret },
    cloud: { name: "custom", loginUrl: info.loginUrl, apiUrl: info.apiUrl, ca: info.caCertFile },
    // Short waits: the test's time, not the policy's shape.
    retry: { baseDelayMs: 20, maxDelayMs: 100 },
    ...extra,
  });

const tokenRequests = (tenantId: string) => emulator.state.journal.list({ kind: "token" }).filter((e) => e.tenantId === tenantId);

const PATHS: Array<[string, Partial<PartnerClientOptions>]> = [
  ["MSAL (default)", {}],
  ["direct v2", { tokenExchange: "direct" }],
  ["direct v1", { tokenVersion: "v1" }],
];

describe("token endpoint outages", () => {
  beforeEach(() => emulator.control.clearFaults());

  for (const [name, extra] of PATHS) {
    it(`one 503, one 500 and one reset connection are retried and recovered (${name})`, async () => {
      const client = partner(extra);
      try {
        for (const [i, fault] of [{ status: 503, retryAfterSec: 1 }, { status: 500 }, { dropConnection: true }].entries()) {
          const tenantId = info.tenants[i]!.id;
          emulator.control.addFault({ target: "token", tenantId, count: 1, ...fault });
          const before = tokenRequests(tenantId).length;
          const token = await client.getToken(tenantId);
          assert.match(token, /^ey/, `a token after ${JSON.stringify(fault)}`);
          assert.equal(tokenRequests(tenantId).length - before, 2, `one failed and one good token request (${JSON.stringify(fault)})`);
        }
      } finally {
        await client.close();
      }
    });
  }

  it("a long outage on the MSAL path: ERR_MDE_HTTP saying it is transient, after the policy's retries; then recovery at once", async () => {
    const client = partner({ retry: { baseDelayMs: 20, maxDelayMs: 100, maxThrottleRetries: 2, maxTransientRetries: 2 } });
    const tenantId = info.tenants[0]!.id;
    try {
      const rule = emulator.control.addFault({ target: "token", tenantId, status: 503, retryAfterSec: 1, durationMs: 60_000 });
      const before = tokenRequests(tenantId).length;
      await assert.rejects(client.getToken(tenantId), (error: Error & { code?: string; status?: number }) => {
        assert.equal(error.code, "ERR_MDE_HTTP", error.message);
        assert.equal(error.status, 503);
        assert.match(error.message, /temporarily unavailable for tenant .*transient/);
        assert.doesNotMatch(error.message, /secret|credential|app registration/i, "nothing sends the operator to the configuration");
        return true;
      });
      assert.equal(tokenRequests(tenantId).length - before, 3, "the first request and the policy's 2 retries");
      emulator.control.removeFault(rule.id);
      // Entra ID is back: the next request goes out and succeeds (no replay of the failure from MSAL's cache).
      assert.match(await client.getToken(tenantId), /^ey/);
    } finally {
      await client.close();
    }
  });

  it("a 429 storm that outlasts the retries: ERR_MDE_RATE_LIMITED with the server's Retry-After (direct v2)", async () => {
    const client = partner({ tokenExchange: "direct", retry: { baseDelayMs: 20, maxThrottleRetries: 1, maxRetryAfterMs: 2000 } });
    const tenantId = info.tenants[1]!.id;
    try {
      emulator.control.addFault({ target: "token", tenantId, status: 429, retryAfterSec: 1, durationMs: 60_000 });
      await assert.rejects(client.getToken(tenantId), (error: Error & { code?: string; retryAfterMs?: number }) => {
        assert.equal(error.code, "ERR_MDE_RATE_LIMITED", error.message);
        assert.equal(error.retryAfterMs, 1000);
        assert.match(error.message, /throttling token requests .*transient/);
        return true;
      });
    } finally {
      await client.close();
    }
  });

  it("a TokenCredential whose token service answers 503 once is asked again", async () => {
    const direct = partner({ tokenExchange: "direct" });
    const tenantId = info.tenants[2]!.id;
    let calls = 0;
    // Fails the way @azure/identity's AuthenticationError does (statusCode + the OAuth body), then delegates.
    const credential = {
      async getToken(_scope: string | string[], options?: { tenantId?: string }) {
        calls++;
        if (calls === 1) {
          throw Object.assign(new Error("temporarily unavailable"), {
            name: "AuthenticationError",
            statusCode: 503,
            errorResponse: { error: "temporarily_unavailable", errorDescription: "AADSTS90006: try again" },
          });
        }
        return { token: await direct.getToken(options?.tenantId ?? ""), expiresOnTimestamp: Date.now() + 3_600_000 };
      },
    };
    const client = partner({ credential });
    try {
      assert.match(await client.getToken(tenantId), /^ey/);
      assert.equal(calls, 2);
    } finally {
      await client.close();
      await direct.close();
    }
  });
});
