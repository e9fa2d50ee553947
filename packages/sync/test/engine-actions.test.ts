/**
 * Response actions with audit against the emulator: an isolation audited
 * before and after, waited to its final status; a second isolation while the
 * first is open is an outcome ("already in progress"), with no second action
 * created; tags; refusals before anything is sent.
 */
import assert from "node:assert/strict";
import { before, describe, it } from "node:test";
import { machineActionFilter } from "@mde-partner/client";
import { runResponseAction } from "@mde-partner/sync";
import { partnerFor } from "@mde-partner/test-kit";
import { suiteEngineWorld } from "./fixtures/engine-world.js";

describe("runResponseAction", () => {
  const { world, store } = suiteEngineWorld({
    seed: "engine-actions",
    tenants: [{ alerts: 5, machines: 6 }],
    // Long enough that a second request on a loaded machine still finds the first action open.
    actionPendingMs: 1000,
    actionInProgressMs: 1500,
  });
  let tenantId: string;
  let machines: string[];
  before(async () => {
    tenantId = world.info.tenants[0]!.id;
    const tenant = partnerFor(world).tenant(tenantId);
    machines = [];
    // Windows machines: isolation is supported there (mde-api.md §5.3 OS notes).
    for await (const m of tenant.machines.list()) if (String(m.osPlatform).startsWith("Windows1")) machines.push(m.id);
    assert.ok(machines.length >= 2, "the tenant has Windows machines");
  });

  /** Runs a response action on the suite's tenant, through its store and a partner client. */
  const act = (request: Omit<Parameters<typeof runResponseAction>[0], "store" | "partner" | "tenantId">) =>
    runResponseAction({ store, partner: partnerFor(world), tenantId, ...request });

  const isolations = async (machineId: string) => {
    const f = machineActionFilter;
    const list = partnerFor(world)
      .tenant(tenantId)
      .machineActions.list({ filter: f.and(f.eq("machineId", machineId), f.eq("type", "Isolate")) });
    const out = [];
    for await (const a of list) out.push(a);
    return out;
  };

  it("isolates a machine: two audit entries, ends with the action's final status", async () => {
    const machineId = machines[0]!;
    const outcome = await act({
      actor: "cli:alice",
      machineId,
      action: "isolate",
      isolationType: "Full",
      comment: "INC-1001 ransomware",
      wait: true,
      pollIntervalMs: 100,
      waitTimeoutMs: 20_000,
    });
    assert.equal(outcome.result, "succeeded");
    assert.equal(outcome.machineAction?.status, "Succeeded");
    assert.equal(outcome.machineAction?.type, "Isolate");
    assert.equal(outcome.auditIds.length, 2);
    const audit = (await store.queryAudit({ tenantId })).reverse();
    assert.deepEqual(
      audit.map((e) => [e.actor, e.action, e.phase, e.target, e.comment]),
      [
        ["cli:alice", "machine.isolate", "requested", machineId, "INC-1001 ransomware"],
        ["cli:alice", "machine.isolate", "completed", machineId, "INC-1001 ransomware"],
      ],
    );
    assert.equal(audit[0]?.correlationId, audit[1]?.correlationId);
    assert.deepEqual(audit[0]?.request, { action: "isolate", machineId, wait: true, isolationType: "Full" });
    assert.match(audit[1]?.result ?? "", /Succeeded/);
    const stored = await store.getMachineAction(tenantId, outcome.machineAction!.id);
    assert.equal(stored?.status, "Succeeded");
    const remote = await isolations(machineId);
    assert.equal(remote.length, 1);
    assert.equal(remote[0]?.requestorComment, "INC-1001 ransomware");
  });

  it("isolating again while the first is in progress creates no second action", async () => {
    const machineId = machines[1]!;
    const request = {
      actor: "cli:bob",
      machineId,
      action: "isolate" as const,
      comment: "INC-1002",
    };
    const first = await act(request);
    assert.equal(first.result, "created");
    assert.ok(["Pending", "InProgress"].includes(first.machineAction?.status ?? ""));
    const second = await act({ ...request, comment: "INC-1002 again" });
    assert.equal(second.result, "already-in-progress");
    assert.equal(second.error, undefined, "not a failure");
    assert.equal(second.machineAction?.id, first.machineAction?.id, "the open action is reported");
    assert.equal((await isolations(machineId)).length, 1, "no second action was created");
    const audit = await store.queryAudit({ tenantId, actor: "cli:bob" });
    assert.deepEqual(
      audit.reverse().map((e) => [e.phase, e.comment]),
      [
        ["requested", "INC-1002"],
        ["completed", "INC-1002"],
        ["requested", "INC-1002 again"],
        ["completed", "INC-1002 again"],
      ],
    );
    assert.match(audit[3]?.result ?? "", /already-in-progress/);
    // Waiting on it afterwards ends with its final status.
    const waited = await act({ ...request, comment: "INC-1002 wait", wait: true, pollIntervalMs: 100 });
    assert.ok(["already-in-progress", "succeeded"].includes(waited.result));
    assert.equal(waited.machineAction?.status, "Succeeded");
  });

  it("adds a tag, and refuses a request without a comment before sending or auditing anything", async () => {
    const machineId = machines[2]!;
    const out = await act({
      actor: "cli:carol",
      machineId,
      action: "tag-add",
      tag: "quarantine-zone",
      comment: "INC-1003",
    });
    assert.equal(out.result, "tagged");
    const machine = await partnerFor(world).tenant(tenantId).machines.get(machineId);
    assert.ok(machine.machineTags?.includes("quarantine-zone"));
    const before = (await store.queryAudit({ tenantId })).length;
    await assert.rejects(
      act({ actor: "cli:carol", machineId, action: "isolate", comment: " " }),
      TypeError,
    );
    // A live response session without commands is a caller's mistake too.
    await assert.rejects(act({ actor: "cli:carol", machineId, action: "live-response", comment: "INC-1003", commands: [] }), /at least one command/);
    assert.equal((await store.queryAudit({ tenantId })).length, before);
  });

  it("a refused action is audited as failed with the error's code", async () => {
    const out = await act({
      actor: "cli:dave",
      machineId: "0".repeat(40),
      action: "isolate",
      comment: "INC-1004 unknown machine",
    });
    assert.equal(out.result, "failed");
    assert.equal(out.error?.code, "ERR_MDE_NOT_FOUND");
    // The service's own code is kept beside the stable one (a caller tells ActiveRequestAlreadyExists from other 400s by it).
    assert.equal(typeof out.error?.apiCode, "string");
    const audit = await store.queryAudit({ tenantId, actor: "cli:dave" });
    assert.deepEqual(
      audit.map((e) => e.phase),
      ["failed", "requested"],
    );
  });
});
