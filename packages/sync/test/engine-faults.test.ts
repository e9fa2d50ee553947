/**
 * Tenants in trouble never hold up the others: one tenant in a 429 storm, one
 * whose consent was revoked, one answering 50 % 5xx. The healthy tenants
 * finish before the storm is over; the three are reported with their states
 * and reasons (the revoked one with its consent link); the storm tenant
 * catches up once the storm ends. `syncWatch` backs a failing tenant off and
 * stops cleanly.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type SyncReport, syncOnce, syncWatch } from "@mde-partner/sync";
import { partnerFor } from "@mde-partner/test-kit";
import { mismatches, suiteEngineWorld } from "./fixtures/engine-world.js";

describe("sync with failing tenants", () => {
  const { world, store } = suiteEngineWorld({ seed: "engine-faults", tenants: 8, alertsPerTenant: 2000, machinesPerTenant: 5, rateLimits: false });

  it("reports the storm, the revoked and the failing tenant; the others finish on time; the storm tenant catches up", async () => {
    const { emulator, info } = world;
    const [storm, revoked, flaky, ...healthy] = info.tenants.map((t) => t.id) as [string, string, string, ...string[]];
    const truth = (id: string) => emulator.control.groundTruth(id);
    // The storm lasts until the stormed tenant has given up (its client waits out
    // Retry-After three times, ~12 s); the time limit only keeps a broken run from hanging.
    const stormFault = emulator.control.addFault({ target: "api", tenantId: storm, status: 429, retryAfterSec: 4, durationMs: 120_000 });
    emulator.control.revokeConsent(revoked);
    emulator.control.addFault({ target: "api", tenantId: flaky, status: 500, errorRatio: 0.5 });

    const partner = partnerFor(world);
    const done = new Map<string, number>();
    const report = await syncOnce({
      store,
      partner,
      concurrency: 8,
      pageSize: 200,
      // The race measured here is the alert and machine passes' (TVM snapshots have their own tests).
      tvm: false,
      onProgress: (e) => {
        if (e.type !== "tenant-done") return;
        done.set(e.tenantId, Date.now());
        if (e.tenantId === storm) emulator.control.removeFault(stormFault.id);
      },
    });
    const byId = new Map(report.tenants.map((r) => [r.tenantId, r]));
    assert.equal(report.ok, false);

    for (const id of healthy) {
      assert.equal(byId.get(id)?.status, "ok");
      assert.equal(byId.get(id)?.state, "verified");
      // Not held up behind the stormed tenant's back-off: done while it was still waiting out its 429s.
      assert.ok((done.get(id) ?? Infinity) < (done.get(storm) ?? -Infinity), "a healthy tenant finished while the storm was still on");
    }
    assert.deepEqual(
      await mismatches(
        store,
        healthy.map((id) => ({ id })),
        truth,
      ),
      [],
    );

    const s = byId.get(storm)!;
    assert.equal(s.state, "degraded");
    assert.equal(s.error?.code, "ERR_MDE_RATE_LIMITED");
    assert.match(s.error?.message ?? "", /throttled/);
    assert.equal((await store.getTenant(storm))?.state, "degraded");
    assert.equal((await store.listTenantTransitions(storm)).at(-1)?.reason, "throttled");

    const r = byId.get(revoked)!;
    assert.equal(r.status, "failed");
    assert.equal(r.state, "degraded");
    assert.equal(r.error?.code, "ERR_MDE_CONSENT_REQUIRED");
    assert.ok(r.error?.consentUrl?.includes(info.partnerApp.clientId), "the report carries the tenant's consent link");
    assert.equal((await store.listTenantTransitions(revoked)).at(-1)?.reason, "consent revoked");

    // 50 % of calls fail: the client's retries may carry the whole sync through,
    // or a page fails four times in a row. Either way the outcome must say so.
    const f = byId.get(flaky)!;
    if (f.status === "ok") {
      assert.equal(f.state, "verified");
      assert.deepEqual(await mismatches(store, [{ id: flaky }], truth), []);
    } else {
      assert.equal(f.state, "degraded");
      assert.equal(f.error?.code, "ERR_MDE_HTTP");
      assert.equal((await store.listTenantTransitions(flaky)).at(-1)?.reason, "service failing");
    }
    const failures = emulator.state.journal.list({ kind: "api", tenantId: flaky }).filter((e) => e.status >= 500);
    assert.ok(failures.length > 0, "the 5xx happened");

    const runs = await store.listSyncRuns({ tenantId: storm, stream: "alerts" });
    assert.equal(runs[0]?.status, "failed");

    // The storm passes, the failing tenant recovers: the next run catches both up.
    emulator.control.clearFaults();
    emulator.control.addAlerts(storm, 30);
    const next = await syncOnce({ store, partner, tenantIds: [storm, flaky, revoked], pageSize: 200 });
    const again = new Map(next.tenants.map((x) => [x.tenantId, x]));
    assert.equal(again.get(storm)?.status, "ok");
    assert.equal(again.get(storm)?.state, "verified");
    assert.equal(again.get(flaky)?.status, "ok");
    assert.deepEqual(await mismatches(store, [{ id: storm }, { id: flaky }], truth), []);
    assert.equal(again.get(revoked)?.error?.code, "ERR_MDE_CONSENT_REQUIRED");
    emulator.control.setConsent(revoked);
  });

  it("syncWatch keeps syncing on its interval, backs a failing tenant off, and stops cleanly", async () => {
    const { emulator, info } = world;
    const [first, broken] = info.tenants.map((t) => t.id) as [string, string];
    emulator.control.revokeConsent(broken);
    const partner = partnerFor(world);
    const reports: SyncReport[] = [];
    const backoffs: Array<{ tenantId: string; retryAt: number }> = [];
    const watch = syncWatch({
      store,
      partner,
      tenantIds: [first, broken],
      intervalMs: 150,
      backoffBaseMs: 60_000,
      onReport: (r) => reports.push(r),
      onProgress: (e) => {
        if (e.type === "backoff") backoffs.push(e);
      },
    });
    const waitFor = async (n: number) => {
      const deadline = Date.now() + 20_000;
      while (reports.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      assert.ok(reports.length >= n, `watch produced ${reports.length} reports`);
    };
    await waitFor(1);
    emulator.control.addAlerts(first, 15);
    const seen = reports.length;
    await waitFor(seen + 2);
    await watch.stop();
    await watch.stop(); // safe twice
    await watch.done;
    assert.deepEqual(await mismatches(store, [{ id: first }], (id) => emulator.control.groundTruth(id)), []);
    assert.ok(
      backoffs.some((b) => b.tenantId === broken && b.retryAt > Date.now() + 30_000),
      "the broken tenant is backed off",
    );
    // Backed off: it appears in the first report only, the healthy tenant in every one.
    assert.equal(reports.filter((r) => r.tenants.some((t) => t.tenantId === broken)).length, 1);
    assert.ok(reports.every((r) => r.tenants.some((t) => t.tenantId === first && t.status === "ok")));
    emulator.control.setConsent(broken);
  });
});
