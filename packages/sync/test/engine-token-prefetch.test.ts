/**
 * Tokens ahead of the tenants: while the running tenants sync, the next tenants' tokens are
 * asked for (token-prefetch.ts), over the emulator's HTTPS socket. A tenant whose token request
 * fails still reports its own error, once; a stopped run asks for no tokens of tenants far past
 * the last one started; with slow token answers, later tenants' token requests go out before
 * the first tenants are done.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { syncOnce, type TenantSyncResult } from "@mde-partner/sync";
import { partnerFor } from "@mde-partner/test-kit";
import { type EngineWorld, engineWorld } from "./fixtures/engine-world.js";

/** Runs `fn` on a fresh served emulator (real HTTPS socket) and store, then stops both. */
async function withWorld(seed: string, tenants: number, fn: (world: EngineWorld) => Promise<void>): Promise<void> {
  const world = await engineWorld({ seed, tenants, alertsPerTenant: 40, machinesPerTenant: 2, rateLimits: false, serve: true });
  try {
    await fn(world);
  } finally {
    await world.stop();
  }
}

/** The run's tenants in the order it takes them (the report keeps that order). */
const order = (results: readonly TenantSyncResult[]) => results.map((r) => r.tenantId);

describe("tokens asked for ahead of each tenant's sync", () => {
  it("a tenant whose token request fails gets its own failed result with its own error; the others succeed", async () => {
    await withWorld("engine-prefetch-failure", 5, async (world) => {
      const { emulator, store } = world;
      const ids = (await store.listTenants()).map((t) => t.id);
      // Third in the run's order: its token is asked for ahead while the first two sync.
      const revoked = ids[2]!;
      emulator.control.revokeConsent(revoked);
      let seqAtStart: number | undefined;
      const report = await syncOnce({
        store,
        partner: partnerFor(world),
        concurrency: 1,
        tvm: false,
        onProgress: (e) => {
          if (e.type === "tenant-start" && e.tenantId === revoked && seqAtStart === undefined)
            seqAtStart = emulator.control.journal().at(-1)?.seq ?? 0;
        },
      });
      assert.deepEqual(order(report.tenants), ids);
      const mine = report.tenants.filter((r) => r.tenantId === revoked);
      assert.equal(mine.length, 1, "one result for the tenant");
      assert.equal(mine[0]?.status, "failed");
      assert.equal(mine[0]?.state, "degraded");
      assert.equal(mine[0]?.error?.code, "ERR_MDE_CONSENT_REQUIRED");
      assert.ok(mine[0]?.error?.consentUrl?.includes(world.info.partnerApp.clientId), "the result carries the consent link");
      for (const r of report.tenants.filter((t) => t.tenantId !== revoked)) assert.equal(r.status, "ok", `${r.tenantId} synced`);
      // The error reported is the tenant's own request's, made when it started, not a remembered one.
      assert.ok(seqAtStart !== undefined);
      const tokens = emulator.control.journal({ kind: "token", tenantId: revoked });
      assert.ok(tokens.length >= 1 && tokens.every((e) => e.status >= 400), "every token request of the revoked tenant was refused");
      assert.ok(
        tokens.some((e) => e.seq > seqAtStart!),
        "the tenant asked for its token itself when it started",
      );
      assert.equal((await store.getTenant(revoked))?.state, "degraded");
    });
  });

  it("a stopped run asks for no tokens of tenants past the window after the last one started", async () => {
    await withWorld("engine-prefetch-abort", 10, async (world) => {
      const { emulator, store } = world;
      const controller = new AbortController();
      const concurrency = 1;
      const report = await syncOnce({
        store,
        partner: partnerFor(world),
        concurrency,
        machines: false,
        tvm: false,
        signal: controller.signal,
        onProgress: (e) => {
          if (e.type === "tenant-done") controller.abort();
        },
      });
      const ids = order(report.tenants);
      const started = report.tenants.map((r, i) => (r.error?.message === "stopped before the tenant started" ? -1 : i));
      const lastStarted = Math.max(...started);
      assert.equal(lastStarted, 0, "only the first tenant ran");
      assert.ok(report.tenants.slice(1).every((r) => r.error?.code === "ERR_SYNC_STOPPED"));
      const asked = new Set(emulator.control.journal({ kind: "token" }).map((e) => e.tenantId?.toLowerCase()));
      const beyond = ids.slice(lastStarted + 1 + 2 * concurrency);
      assert.ok(beyond.length > 0);
      assert.deepEqual(
        beyond.filter((id) => asked.has(id.toLowerCase())),
        [],
        "no token requests for tenants more than the window past the last one started",
      );
    });
  });

  it("with slow token answers, later tenants' tokens are asked for before the first tenants are done", async () => {
    await withWorld("engine-prefetch-overlap", 6, async (world) => {
      const { emulator, store } = world;
      const ids = (await store.listTenants()).map((t) => t.id);
      // One later tenant reads its alerts from Microsoft Graph: its Graph token is the one asked for.
      const graphTenant = ids[3]!;
      await store.setTenantSource(graphTenant, "graph");
      emulator.control.addFault({ target: "token", latencyMs: 150 });
      const concurrency = 2;
      const report = await syncOnce({ store, partner: partnerFor(world), concurrency, machines: false, tvm: false });
      assert.ok(report.ok, JSON.stringify(report.tenants.filter((r) => r.status !== "ok")));
      assert.deepEqual(order(report.tenants), ids);

      const journal = emulator.control.journal();
      const doneAt = (id: string) =>
        Math.max(...journal.filter((e) => (e.kind === "api" || e.kind === "graph") && e.tenantId?.toLowerCase() === id.toLowerCase()).map((e) => e.endTime));
      const firstDone = Math.min(...ids.slice(0, concurrency).map(doneAt));
      const tokenAskedAt = (id: string) =>
        journal.filter((e) => e.kind === "token" && e.tenantId?.toLowerCase() === id.toLowerCase()).map((e) => ({ time: e.time, resource: e.resource }));
      const early = ids.slice(concurrency).filter((id) => tokenAskedAt(id).some((t) => t.time < firstDone));
      assert.ok(early.length > 0, "some later tenant's token request went out before the first tenants were done");
      assert.ok(early.includes(graphTenant), "the Graph tenant's token was asked for ahead too");
      assert.ok(
        tokenAskedAt(graphTenant).some((t) => /graph/i.test(t.resource ?? "")),
        "the Graph tenant's token is a Microsoft Graph token",
      );
    });
  });
});
