/**
 * Fault injection against running workers (two processes, one PostgreSQL
 * database) through the emulator's fault controls: a 429 storm, 20 % 5xx,
 * latency spikes past the client's timeout, the token endpoint down, a
 * signing-key rotation, consent revoked mid-sync. The customers keep changing
 * alerts meanwhile. After each fault every tenant equals the emulator's ground
 * truth with no duplicate rows, and the affected tenants' states say what
 * happened. Short form by default; MDE_PARTNER_FAULTS=full (npm run
 * test:faults) holds each fault for 30 s.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { eventually, FULL, type FaultWorld, faultMs, startFaultWorld } from "./fixtures/fault-world.js";
import { waitConverged } from "./fixtures/worker-world.js";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe(`workers under API faults (${FULL ? "full" : "short"} form)`, () => {
  let world: FaultWorld;
  before(async () => {
    world = await startFaultWorld("api");
    await waitConverged(world.store, world.emulator, world.tenantIds, 60_000);
  });
  after(() => world?.stop());

  const converge = () => waitConverged(world.store, world.emulator, world.tenantIds, FULL ? 90_000 : 30_000);
  // A tenant's last run may have failed after its data was in (e.g. its machines): the next one clears it.
  const allVerified = () =>
    eventually(
      "every tenant is verified again",
      async () => (await Promise.all(world.tenantIds.map((id) => world.store.getTenant(id)))).every((t) => t?.state === "verified"),
      20_000,
    );
  const since = async () => (await world.emulator.journal({ kind: "control" })).at(-1)?.seq ?? 0;
  /**
   * Adds the faults for `ms` while the customers keep changing alerts, waits
   * `settleMs` longer, then until every tenant converges; returns the journal
   * entries of `kind` since the faults were added.
   */
  const underFaults = async (kind: "api" | "token", ms: number, faults: Array<Record<string, unknown>>, settleMs = 0) => {
    const from = await since();
    for (const fault of faults) await world.emulator.control("POST", "/faults", { ...fault, durationMs: ms });
    await world.churn();
    await sleep(ms + settleMs);
    await converge();
    return world.emulator.journal({ kind, afterSeq: from });
  };

  it("429 storm: the stormed tenants are throttled, back off, and catch up", async () => {
    const storm = world.tenantIds.slice(0, 3);
    const faults = storm.map((tenantId) => ({ target: "api", tenantId, status: 429, retryAfterSec: 1 }));
    const throttled = (await underFaults("api", faultMs(30_000, 5000), faults)).filter((e) => e.status === 429);
    assert.ok(throttled.length > 0, "the storm happened");
    assert.ok(throttled.every((e) => storm.includes(e.tenantId ?? "")), "only the stormed tenants saw 429s");
    const reasons = await world.reasons(storm[0]!);
    assert.ok(reasons.includes("throttled"), `the state history says so: ${reasons.join(" → ")}`);
    await allVerified();
  });

  it("20 % 5xx: retried until everything is in", async () => {
    const failures = (await underFaults("api", faultMs(30_000, 5000), [{ target: "api", errorRatio: 0.2, status: 500 }])).filter((e) => e.status === 500);
    assert.ok(failures.length > 0, "5xx happened");
    // A 5xx that beat the client's retry shows as "service failing" in its tenant's history (how many do is chance).
    await allVerified();
  });

  it("latency spikes past the client's timeout: timed-out pages are read again", async () => {
    const spike = { target: "api", latencyMs: 3500, errorRatio: 0 };
    const slow = (await underFaults("api", faultMs(30_000, 4000), [spike], 3500)).filter((e) => e.endTime - e.time >= 3500);
    assert.ok(slow.length > 0, "the spike happened");
    const failing = await Promise.all(world.tenantIds.map(async (id) => (await world.reasons(id)).includes("service failing")));
    assert.ok(failing.some(Boolean), "timeouts show in the tenants' histories");
    await allVerified();
  });

  it("token endpoint down: tenants that need a token wait it out, then catch up", async () => {
    const outage = { target: "token", status: 503, retryAfterSec: 1 };
    const refused = (await underFaults("token", faultMs(30_000, 12_000), [outage])).filter((e) => e.status === 503);
    assert.ok(refused.length > 0, "token requests were refused during the outage");
    const hit = [...new Set(refused.map((e) => e.tenantId))].filter((id): id is string => !!id && world.tenantIds.includes(id));
    assert.ok(hit.length > 0);
    // A tenant whose token retry outlasted the outage never failed; those whose runs did fail say so,
    // as the transient outage it is: the token service failing, not a refused credential.
    const histories = await Promise.all(hit.map((id) => world.reasons(id)));
    const told = histories.map((r) => r.join(" → ")).join(" | ");
    assert.ok(
      histories.some((reasons) => reasons.includes("service failing")),
      `the state history of an affected tenant says so: ${told}`,
    );
    assert.ok(!histories.some((reasons) => reasons.includes("authentication failed")), `an outage is not a credential problem: ${told}`);
    await allVerified();
  });

  it("signing-key rotation: tokens of the retired key are replaced, nothing is lost", async () => {
    const from = await since();
    await world.churn();
    await world.emulator.control("POST", "/keys/rotate", { graceSec: 0 });
    await world.churn();
    await converge();
    const journal = await world.emulator.journal({ afterSeq: from });
    assert.ok(
      journal.some((e) => e.kind === "api" && e.status === 401),
      "tokens signed with the retired key were refused (the rotation reached the workers)",
    );
    const fresh = journal.filter((e) => e.kind === "token" && e.status === 200);
    assert.ok(fresh.length > 0, "new tokens were issued after the rotation");
    await allVerified();
  });

  it("consent revoked mid-sync: the tenant is parked with its reason, the others go on, and it resumes after re-consent", async () => {
    const revoked = world.tenantIds[4]!;
    const others = world.tenantIds.filter((id) => id !== revoked);
    await world.emulator.control("DELETE", `/tenants/${revoked}/consent`);
    await world.churn();
    await eventually(
      "the revoked tenant is parked",
      async () => (await world.reasons(revoked)).some((r) => /^parked .*consent revoked/.test(r)),
      30_000,
    );
    assert.equal((await world.store.getTenant(revoked))?.state, "degraded");
    await waitConverged(world.store, world.emulator, others, 30_000);
    // What was synced before the revocation is kept; nothing of it is duplicated.
    await world.emulator.control("PUT", `/tenants/${revoked}/consent`, {});
    await converge();
    await eventually("the tenant is verified again", async () => (await world.store.getTenant(revoked))?.state === "verified", 20_000);
    const reasons = await world.reasons(revoked);
    assert.ok(reasons.includes("consent revoked") && reasons.at(-1) === "sync succeeded", reasons.join(" → "));
  });

  it("the workers stop cleanly afterwards", async () => {
    const codes = await Promise.all(world.workers.map((w) => w.stop()));
    assert.deepEqual(codes, world.workers.map(() => 0));
    const errors = world.workers.flatMap((w) => w.events.filter((e) => e.type === "error" && e.where !== "job"));
    assert.deepEqual(errors.slice(0, 3), [], "no unexpected worker errors");
  });
});
