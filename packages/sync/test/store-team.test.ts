import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { type ApprovalRequest, openStore, StoreError, selectTenants } from "@mde-partner/sync";
import { migrations } from "../src/store/migrations.js";
import { createTestDatabase, DIALECTS, randomTenantId, storePerTest } from "./helpers/databases.js";

/** A clock the test moves by hand. */
function manualClock(start = Date.parse("2026-01-01T00:00:00Z")) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => {
      now += ms;
    },
  };
}

const code = (c: string) => (e: unknown) => e instanceof StoreError && e.code === c;

for (const dialect of DIALECTS) {
  describe(`store team layer upgrade (${dialect})`, () => {
    it("a schema v6 store with tenants opens, migrates to v7 and keeps its data", async () => {
      const db = await createTestDatabase(dialect);
      try {
        const old = await openStore({ ...db.options, migrations: migrations.filter((m) => m.version <= 6) });
        const tenant = randomTenantId();
        await old.upsertTenant({ id: tenant, name: "Contoso" });
        await old.close();
        const store = await openStore({ ...db.options, migrations: migrations.filter((m) => m.version <= 7) });
        try {
          assert.equal(store.migration?.from, 6);
          assert.equal(store.migration?.applied[0], 7, "v7 (the team layer) is applied first");
          assert.equal((await store.getTenant(tenant))?.name, "Contoso");
          assert.deepEqual(await store.listGroups(), []);
          assert.deepEqual((await store.addToGroup("g", [tenant])).tenantIds, [tenant]);
          assert.deepEqual(await store.listGrants(), []);
        } finally {
          await store.close();
        }
      } finally {
        await db.drop();
      }
    });
  });

  describe(`store team layer (${dialect})`, () => {
    let clock: ReturnType<typeof manualClock>;
    const { store, db } = storePerTest(dialect, (db) => {
      clock = manualClock();
      return openStore({ ...db.options, clock });
    });

    async function tenants(n: number): Promise<string[]> {
      const ids = Array.from({ length: n }, () => randomTenantId()).sort();
      for (const [i, id] of ids.entries()) await store.upsertTenant({ id, name: `Customer ${i}` });
      return ids;
    }

    it("groups: add creates and extends, list and get, remove members, remove the group", async () => {
      const [a, b, c] = (await tenants(3)) as [string, string, string];
      const created = await store.addToGroup("eu-retail", [b!, a!.toUpperCase()], "alice");
      assert.deepEqual(created, { name: "eu-retail", tenantIds: [a, b], createdAt: "2026-01-01T00:00:00.000Z" });
      clock.advance(1000);
      const extended = await store.addToGroup("eu-retail", [c, a]);
      assert.deepEqual(extended.tenantIds, [a, b, c], "adding a member twice keeps one");
      assert.equal(extended.createdAt, "2026-01-01T00:00:00.000Z");
      await store.addToGroup("Americas", [c]);
      await store.addToGroup("empty.group", []);
      assert.deepEqual(
        (await store.listGroups()).map((g) => [g.name, g.tenantIds]),
        [
          ["Americas", [c]],
          ["empty.group", []],
          ["eu-retail", [a, b, c]],
        ],
      );
      assert.deepEqual(await store.tenantIdsOfGroups(["eu-retail", "Americas"]), [a, b, c]);
      assert.deepEqual(await store.tenantIdsOfGroups(["Americas"]), [c]);
      assert.deepEqual(await store.tenantIdsOfGroups([]), []);

      assert.deepEqual((await store.removeFromGroup("eu-retail", [b]))?.tenantIds, [a, c]);
      assert.equal(await store.removeFromGroup("nope", [b]), undefined);
      assert.equal(await store.removeGroup("eu-retail"), true);
      assert.equal(await store.removeGroup("eu-retail"), false);
      assert.equal(await store.getGroup("eu-retail"), undefined);
      assert.ok(await store.getTenant(a), "tenants stay when their group goes");
      assert.deepEqual((await store.getGroup("Americas"))?.tenantIds, [c]);
    });

    it("groups: refuses unknown tenants, bad names and unknown groups, changing nothing", async () => {
      const [a] = (await tenants(1)) as [string];
      const stranger = randomTenantId();
      await assert.rejects(store.addToGroup("g1", [a, stranger]), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, "ERR_STORE_TENANT_UNKNOWN");
        assert.match(e.message, new RegExp(stranger));
        assert.doesNotMatch(e.message, new RegExp(a));
        return true;
      });
      assert.deepEqual(await store.listGroups(), [], "the refused add did not create the group");
      for (const bad of ["", "-x", "a b", "x".repeat(65), "ü", "a/b"]) await assert.rejects(store.addToGroup(bad, [a]), TypeError);
      await assert.rejects(store.addToGroup("ok", ["not-a-guid"]), TypeError);
      await store.addToGroup("known", [a]);
      await assert.rejects(store.tenantIdsOfGroups(["known", "missing", "other"]), (e: unknown) => {
        assert.ok(e instanceof StoreError);
        assert.equal(e.code, "ERR_STORE_GROUP_UNKNOWN");
        assert.match(e.message, /"missing", "other"/);
        return true;
      });
    });

    it("offboarding a tenant removes its memberships", async () => {
      const [a, b] = (await tenants(2)) as [string, string];
      await store.addToGroup("g", [a, b]);
      await store.removeTenant(a);
      assert.deepEqual((await store.getGroup("g"))?.tenantIds, [b]);
      assert.deepEqual(await store.tenantIdsOfGroups(["g"]), [b]);
    });

    it("selectTenants with groups: only the groups' tenants, skipped ones named only inside them", async () => {
      const [a, b, c, d] = (await tenants(4)) as [string, string, string, string];
      for (const id of [a, b, c]) await store.setTenantState(id, "verified");
      // d stays pending consent.
      await store.addToGroup("eu", [a, d]);
      await store.addToGroup("us", [b]);
      const eu = await selectTenants(store, { groups: ["eu"] });
      assert.deepEqual(eu.tenants.map((t) => t.id), [a]);
      assert.deepEqual(eu.skipped.map((s) => s.tenantId), [d]);
      assert.deepEqual((await selectTenants(store, { groups: ["eu", "us"] })).tenants.map((t) => t.id).sort(), [a, b].sort());
      assert.deepEqual((await selectTenants(store, { groups: ["eu"], include: "all" })).tenants.map((t) => t.id).sort(), [a, d].sort());
      const named = await selectTenants(store, { groups: ["eu"], tenantIds: [a, c] });
      assert.deepEqual(named.tenants.map((t) => t.id), [a]);
      assert.deepEqual(named.unknown, [c], "a tenant outside the groups reads as unknown");
      assert.deepEqual((await selectTenants(store, { groups: [] })).tenants, []);
      await assert.rejects(selectTenants(store, { groups: ["nope"] }), code("ERR_STORE_GROUP_UNKNOWN"));
      assert.equal((await selectTenants(store)).tenants.length, 3, "without groups: every ready tenant");
    });

    it("grants: upsert by principal and group, filter, remove; a removed group takes its grants", async () => {
      const [a] = (await tenants(1)) as [string];
      await store.addToGroup("eu", [a]);
      await store.putGrant({ principalKind: "user", principal: "bob", role: "viewer", group: "eu" }, "alice");
      await store.putGrant({ principalKind: "user", principal: "bob", role: "responder", group: "eu" }, "alice");
      await store.putGrant({ principalKind: "user", principal: "bob", role: "viewer", group: null });
      await store.putGrant({ principalKind: "entra-group", principal: "6f1c0b4e-0000-4000-8000-000000000001", role: "admin", group: null });
      assert.deepEqual(await store.listGrants({ principalKind: "user", principal: "bob" }), [
        { principalKind: "user", principal: "bob", role: "viewer", group: null },
        { principalKind: "user", principal: "bob", role: "responder", group: "eu" },
      ]);
      assert.equal((await store.listGrants()).length, 3);
      assert.deepEqual(
        (await store.listGrants({ principals: ["bob", "6f1c0b4e-0000-4000-8000-000000000001"] })).map((g) => g.role),
        ["admin", "viewer", "responder"],
      );
      assert.deepEqual(await store.listGrants({ principals: [] }), []);
      await assert.rejects(store.putGrant({ principalKind: "user", principal: "bob", role: "viewer", group: "nope" }), code("ERR_STORE_GROUP_UNKNOWN"));
      await assert.rejects(store.putGrant({ principalKind: "user", principal: "bob", role: "root" as never, group: null }), TypeError);
      await assert.rejects(store.putGrant({ principalKind: "robot" as never, principal: "bob", role: "viewer", group: null }), TypeError);
      await assert.rejects(store.putGrant({ principalKind: "user", principal: "bob\nadmin", role: "viewer", group: null }), TypeError);

      assert.equal(await store.removeGrant({ principalKind: "user", principal: "bob", group: null }), true);
      assert.equal(await store.removeGrant({ principalKind: "user", principal: "bob", group: null }), false);
      await store.removeGroup("eu");
      assert.deepEqual(await store.listGrants({ principal: "bob" }), [], "the group's grants went with it");
    });

    it("API tokens: shown once, only the hash stored, found by text, touched, revoked", async () => {
      const [a] = (await tenants(1)) as [string];
      await store.addToGroup("eu", [a]);
      const { token, record } = await store.createApiToken({
        name: "soar",
        role: "responder",
        group: "eu",
        expiresAt: "2026-04-01T00:00:00Z",
        createdBy: "alice",
      });
      assert.match(token, /^mdep_[A-Za-z0-9_-]{43}$/);
      assert.deepEqual(record, {
        id: record.id,
        name: "soar",
        role: "responder",
        group: "eu",
        createdAt: "2026-01-01T00:00:00.000Z",
        createdBy: "alice",
        expiresAt: "2026-04-01T00:00:00.000Z",
        lastUsedAt: null,
        revokedAt: null,
      });
      assert.match(record.id, /^[0-9a-f]{12}$/);

      const rows = await db.query<Record<string, unknown>>("select * from api_tokens");
      assert.equal(rows.length, 1);
      const stored = JSON.stringify(rows);
      assert.ok(!stored.includes(token) && !stored.includes(token.slice(5)), "the token text is nowhere in the table");
      assert.equal(rows[0]!.token_hash, createHash("sha256").update(token).digest("hex"));

      assert.deepEqual(await store.findApiToken(token), record);
      assert.equal(await store.findApiToken(`${token.slice(0, -1)}${token.endsWith("A") ? "B" : "A"}`), undefined);
      assert.equal(await store.findApiToken("garbage"), undefined);
      await store.touchApiToken(record.id, "2026-01-02T03:04:05.000Z");
      assert.equal((await store.findApiToken(token))?.lastUsedAt, "2026-01-02T03:04:05.000Z");

      await assert.rejects(
        store.createApiToken({ name: "soar", role: "viewer", group: null, expiresAt: null, createdBy: "alice" }),
        code("ERR_STORE_NAME_TAKEN"),
      );
      await assert.rejects(store.createApiToken({ name: "x", role: "viewer", group: "nope", expiresAt: null, createdBy: "alice" }), code("ERR_STORE_GROUP_UNKNOWN"));
      await assert.rejects(store.createApiToken({ name: "x", role: "boss" as never, group: null, expiresAt: null, createdBy: "alice" }), TypeError);
      await assert.rejects(store.createApiToken({ name: "x", role: "viewer", group: null, expiresAt: "soon", createdBy: "alice" }), TypeError);

      clock.advance(60_000);
      const revoked = await store.revokeApiToken("soar", "alice");
      assert.equal(revoked?.revokedAt, "2026-01-01T00:01:00.000Z");
      assert.equal((await store.findApiToken(token))?.revokedAt, "2026-01-01T00:01:00.000Z", "revoked tokens are still found; the caller refuses them");
      assert.equal((await store.revokeApiToken(record.id))?.revokedAt, "2026-01-01T00:01:00.000Z", "revoking again keeps the first time");
      assert.equal(await store.revokeApiToken("nobody"), undefined);

      const again = await store.createApiToken({ name: "soar", role: "viewer", group: null, expiresAt: null, createdBy: "alice" });
      assert.notEqual(again.token, token);
      assert.deepEqual(
        (await store.listApiTokens()).map((t) => [t.name, t.revokedAt === null]),
        [
          ["soar", true],
          ["soar", false],
        ],
      );
      assert.ok(!JSON.stringify(await store.listApiTokens()).includes("hash"));
    });

    it("at the same time: two first adds to a group both land; two tokens of one name, one wins", async () => {
      const [a, b] = (await tenants(2)) as [string, string];
      await Promise.all([store.addToGroup("new", [a]), store.addToGroup("new", [b])]);
      assert.deepEqual((await store.getGroup("new"))?.tenantIds, [a, b]);
      const results = await Promise.allSettled(
        [1, 2, 3].map(() => store.createApiToken({ name: "race", role: "viewer", group: null, expiresAt: null, createdBy: "alice" })),
      );
      assert.equal(results.filter((r) => r.status === "fulfilled").length, 1);
      for (const r of results) if (r.status === "rejected") assert.ok(code("ERR_STORE_NAME_TAKEN")(r.reason), String(r.reason));
    });

    it("removing a group revokes the tokens limited to it", async () => {
      const [a] = (await tenants(1)) as [string];
      await store.addToGroup("eu", [a]);
      const scoped = await store.createApiToken({ name: "eu-bot", role: "viewer", group: "eu", expiresAt: null, createdBy: "alice" });
      const global = await store.createApiToken({ name: "all-bot", role: "viewer", group: null, expiresAt: null, createdBy: "alice" });
      await store.removeGroup("eu", "alice");
      assert.notEqual((await store.findApiToken(scoped.token))?.revokedAt, null);
      assert.equal((await store.findApiToken(global.token))?.revokedAt, null);
    });

    describe("approvals", () => {
      const input = (tenantIds: string[]) => ({
        action: "tenant.offboard",
        tenantIds,
        params: { reason: "contract ended", nested: [1, 2] },
        summary: "Offboard Customer 0",
        requestedBy: "alice",
        expiresAt: "2026-01-01T01:00:00Z",
      });

      it("create, get, list; the requester cannot decide; a second person approves once; finish", async () => {
        const [a] = (await tenants(1)) as [string];
        const req = await store.createApproval(input([a]));
        assert.equal(req.status, "pending");
        assert.deepEqual(req.params, { reason: "contract ended", nested: [1, 2] });
        assert.deepEqual(req.tenantIds, [a]);
        assert.equal(req.expiresAt, "2026-01-01T01:00:00.000Z");
        assert.deepEqual(await store.getApproval(req.id), req);
        assert.deepEqual(
          (await store.listApprovals({ status: "pending" })).map((r) => r.id),
          [req.id],
        );

        await assert.rejects(store.decideApproval(req.id, { by: "alice", decision: "approve", at: "2026-01-01T00:10:00Z" }), code("approval.self"));
        await assert.rejects(store.decideApproval(req.id, { by: "alice", decision: "reject", at: "2026-01-01T00:10:00Z" }), code("approval.self"));
        await assert.rejects(store.finishApproval(req.id, { status: "executed", result: {} }), code("approval.not-approved"));

        const approved = await store.decideApproval(req.id, { by: "bob", decision: "approve", at: "2026-01-01T00:10:00Z" });
        assert.equal(approved.status, "approved");
        assert.equal(approved.decidedBy, "bob");
        assert.equal(approved.decidedAt, "2026-01-01T00:10:00.000Z");
        await assert.rejects(store.decideApproval(req.id, { by: "carol", decision: "reject", at: "2026-01-01T00:11:00Z" }), code("approval.not-pending"));

        const done = await store.finishApproval(req.id, { status: "executed", result: { removed: true } });
        assert.equal(done.status, "executed");
        assert.deepEqual(done.result, { removed: true });
        await assert.rejects(store.finishApproval(req.id, { status: "failed", result: null }), code("approval.not-approved"));
        await assert.rejects(store.decideApproval("nope", { by: "bob", decision: "approve", at: "2026-01-01T00:10:00Z" }), code("approval.unknown"));
        assert.equal(await store.getApproval("nope"), undefined);
      });

      it("two approvers at once: exactly one wins", async () => {
        const [a] = (await tenants(1)) as [string];
        const req = await store.createApproval(input([a]));
        const results = await Promise.allSettled(
          ["bob", "carol", "dave", "erin"].map((by) => store.decideApproval(req.id, { by, decision: "approve", at: "2026-01-01T00:05:00Z" })),
        );
        const won = results.filter((r): r is PromiseFulfilledResult<ApprovalRequest> => r.status === "fulfilled");
        assert.equal(won.length, 1);
        for (const r of results) if (r.status === "rejected") assert.ok(code("approval.not-pending")(r.reason));
        assert.equal((await store.getApproval(req.id))?.decidedBy, won[0]!.value.decidedBy);
      });

      it("an expired request reads as expired and refuses a decision", async () => {
        const [a] = (await tenants(1)) as [string];
        const req = await store.createApproval(input([a]));
        clock.advance(2 * 3600_000);
        assert.equal((await store.getApproval(req.id))?.status, "expired");
        assert.deepEqual(await store.listApprovals({ status: "pending" }), []);
        assert.deepEqual(
          (await store.listApprovals({ status: "expired" })).map((r) => r.id),
          [req.id],
        );
        await assert.rejects(store.decideApproval(req.id, { by: "bob", decision: "approve", at: "2026-01-01T02:00:00Z" }), code("approval.expired"));
        const rows = await db.query<{ status: string }>("select status from approval_requests");
        assert.deepEqual(rows, [{ status: "expired" }], "the refusal marked it expired");
        await assert.rejects(store.createApproval({ ...input([a]), expiresAt: "later" }), TypeError);
      });
    });
  });
}
