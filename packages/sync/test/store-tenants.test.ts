import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { openStore, StoreError } from "@mde-partner/sync";
import { DIALECTS, randomTenantId, storePerTest } from "./helpers/databases.js";

/** A clock the test moves by hand. */
function manualClock(start = Date.parse("2025-01-01T00:00:00Z")) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

for (const dialect of DIALECTS) {
  describe(`store tenants and consent (${dialect})`, () => {
    let clock: ReturnType<typeof manualClock>;
    const { store, db } = storePerTest(dialect, (db) => {
      clock = manualClock();
      return openStore({ ...db.options, clock });
    });

    it("upserts, gets and lists tenants; updates keep unspecified fields", async () => {
      const id = randomTenantId();
      const created = await store.upsertTenant({ id: id.toUpperCase(), name: "Contoso", region: "eu", grantedRoles: ["Alert.Read.All"] });
      assert.equal(created.id, id);
      assert.equal(created.state, "pending_consent");
      assert.equal(created.cloud, "commercial");
      clock.advance(1000);
      const updated = await store.upsertTenant({
        id,
        name: "Contoso Ltd",
        grantedRoles: ["Alert.Read.All", "Machine.Read.All"],
        lastError: null,
      });
      assert.equal(updated.region, "eu", "region kept");
      assert.deepEqual(updated.grantedRoles, ["Alert.Read.All", "Machine.Read.All"]);
      assert.equal(updated.createdAt, "2025-01-01T00:00:00.000Z");
      assert.equal(updated.updatedAt, "2025-01-01T00:00:01.000Z");
      assert.deepEqual(await store.getTenant(id), updated);
      await store.upsertTenant({ id: randomTenantId(), name: "Adatum", initialState: "consented" });
      assert.deepEqual(
        (await store.listTenants()).map((t) => t.name),
        ["Adatum", "Contoso Ltd"],
      );
      assert.deepEqual(
        (await store.listTenants({ states: ["consented"] })).map((t) => t.name),
        ["Adatum"],
      );
      assert.equal(await store.getTenant(randomTenantId()), null);
      await assert.rejects(store.upsertTenant({ id: "contoso.onmicrosoft.com", name: "x" }), TypeError);
    });

    it("records every state transition with its reason and time", async () => {
      const id = randomTenantId();
      await store.upsertTenant({ id, name: "Fabrikam" });
      clock.advance(60_000);
      await store.setTenantState(id, "consented", "admin consent granted");
      clock.advance(60_000);
      const verified = await store.setTenantState(id, "verified", "first sync succeeded");
      assert.equal(verified.state, "verified");
      assert.equal((await store.getTenant(id))?.state, "verified");
      assert.deepEqual(
        (await store.listTenantTransitions(id)).map((t) => [t.from, t.to, t.reason, t.at]),
        [
          [null, "pending_consent", "created", "2025-01-01T00:00:00.000Z"],
          ["pending_consent", "consented", "admin consent granted", "2025-01-01T00:01:00.000Z"],
          ["consented", "verified", "first sync succeeded", "2025-01-01T00:02:00.000Z"],
        ],
      );
      await assert.rejects(
        store.setTenantState(randomTenantId(), "verified"),
        (e: unknown) => e instanceof StoreError && e.code === "ERR_STORE_TENANT_UNKNOWN",
      );
      await assert.rejects(store.setTenantState(id, "bogus" as never), TypeError);
    });

    it("a consent state is accepted once", async () => {
      const request = await store.createConsentRequest({
        redirectUri: "https://partner.example/consent/callback",
        tenantHint: "contoso.com",
      });
      assert.match(request.state, /^[A-Za-z0-9_-]{43}$/);
      const stored = await db.query<Record<string, unknown>>("select * from consent_requests");
      assert.ok(!JSON.stringify(stored).includes(request.state), "only a hash of the state is stored");

      const used = await store.consumeConsentState(request.state);
      assert.equal(used?.id, request.id);
      assert.equal(used?.tenantHint, "contoso.com");
      assert.equal(used?.usedAt, "2025-01-01T00:00:00.000Z");
      assert.equal(await store.consumeConsentState(request.state), null, "second use refused");
      assert.equal(await store.consumeConsentState("unknown-state"), null);
    });

    it("two callbacks racing with one state: exactly one wins", async () => {
      const other = await openStore({ ...db.options, clock });
      try {
        const { state } = await store.createConsentRequest({ redirectUri: "https://partner.example/cb" });
        const results = await Promise.all([
          store.consumeConsentState(state),
          other.consumeConsentState(state),
          store.consumeConsentState(state),
        ]);
        assert.equal(results.filter((r) => r !== null).length, 1);
      } finally {
        await other.close();
      }
    });

    it("a consent state expires", async () => {
      const request = await store.createConsentRequest({ redirectUri: "https://partner.example/cb", ttlMs: 10 * 60_000 });
      assert.equal(request.expiresAt, "2025-01-01T00:10:00.000Z");
      clock.advance(10 * 60_000);
      assert.equal(await store.consumeConsentState(request.state), null, "expired at exactly expiresAt");

      const fresh = await store.createConsentRequest({ redirectUri: "https://partner.example/cb", ttlMs: 10 * 60_000 });
      clock.advance(10 * 60_000 - 1);
      assert.notEqual(await store.consumeConsentState(fresh.state), null, "still valid a millisecond before");
      assert.equal(await store.pruneConsentRequests(), 1, "the expired request is pruned");
    });
  });
}
