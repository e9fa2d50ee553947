// Four-eyes approval in the console, in process against the emulator over real HTTPS: offboarding
// a tenant and isolating more machines than the threshold become requests, run only once a
// different responder or admin approves, never by the requester, never after expiry; the audit
// log tells the whole story.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addUser } from "@mde-partner/server";
import { Agent, consoleOf, createWorld, PASSWORDS, signedIn, type World } from "./support.js";

const HOUR = 60 * 60_000;
// The store stamps requests with the real time; the console's clock starts there and only moves on.
let now = Date.now();
const clock = { now: () => now };

let world: World;
let contoso: string;
let fabrikam: string;
let machines: string[];
let machinesOfFabrikam: string[];
let responder: Agent;
let responder2: Agent;
let admin: Agent;
let admin2: Agent;

interface Approval {
  id: string;
  action: string;
  status: string;
  requestedBy: string;
  decidedBy: string | null;
  tenantIds: string[];
  result: { created?: number; removed?: boolean } | null;
}
type ErrorBody = { error: { code: string; message: string } };

before(async () => {
  world = await createWorld({
    emulator: { tenants: [{ name: "Contoso" }, { name: "Fabrikam" }], machinesPerTenant: 6 },
    console: { clock, approvals: { wideActionThreshold: 2, ttlMs: 2 * HOUR } },
  });
  [contoso, fabrikam] = world.info.tenants.map((t) => t.id) as [string, string];
  for (const [id, name] of [
    [contoso, "Contoso"],
    [fabrikam, "Fabrikam"],
  ] as const) {
    await world.store.upsertTenant({ id, name, initialState: "consented" });
    const list = await world.partner.tenant(id).machines.list({ top: 6 });
    await world.store.upsertMachines(id, list.value);
    if (id === contoso) machines = list.value.map((m) => m.id);
    else machinesOfFabrikam = list.value.map((m) => m.id);
  }
  await addUser(world.usersFile, { name: "responder2", password: "responder2-password", role: "responder" });
  await addUser(world.usersFile, { name: "admin2", password: "admin2-password-x", role: "admin" });
  await signInAll();
});
after(() => world.close());

async function signInAll() {
  responder = await signedIn(world, "responder");
  admin = await signedIn(world, "admin");
  responder2 = new Agent(world.console);
  assert.equal((await responder2.signIn("responder2", "responder2-password")).status, 303);
  admin2 = new Agent(world.console);
  assert.equal((await admin2.signIn("admin2", "admin2-password-x")).status, 303);
}

/** Machine actions of a type at the customer (the emulator), as MDE lists them. */
async function actionsAtCustomer(type: string): Promise<Array<{ machineId: string; requestorComment?: string }>> {
  const page = await world.partner.tenant(contoso).mde.machineActions.list();
  return (page.value as Array<{ type: string; machineId: string; requestorComment?: string }>).filter((a) => a.type === type);
}

const bulk = (agent: Agent, action: string, ids: readonly string[], comment: string) =>
  agent.json("POST", "/api/v1/devices/actions", { action, comment, machines: ids.map((machineId) => ({ tenantId: contoso, machineId })) });

describe("four-eyes approval", () => {
  let isolation: Approval;

  it("isolating more machines than the threshold becomes a request: nothing runs yet", async () => {
    const res = await bulk(responder, "isolate", machines.slice(0, 3), "ransomware outbreak INC-7");
    assert.equal(res.status, 202);
    isolation = ((await res.json()) as { approval: Approval }).approval;
    assert.equal(isolation.status, "pending");
    assert.equal(isolation.requestedBy, "responder");
    assert.deepEqual(await actionsAtCustomer("Isolate"), [], "no device was isolated");

    const page = await (await responder2.request("/approvals")).text();
    assert.match(page, new RegExp(`data-approval="${isolation.id}" data-status="pending"`));
    assert.match(page, /isolate 3 machines in 1 tenant\(s\): ransomware outbreak INC-7/);
  });

  it("the requester cannot approve their own request, nor can a viewer", async () => {
    const self = await responder.json("POST", `/api/v1/approvals/${isolation.id}/approve`, {});
    assert.equal(self.status, 403);
    assert.equal(((await self.json()) as ErrorBody).error.code, "approval.self");
    const selfPage = await responder.form(`/approvals/${isolation.id}/approve`, {});
    assert.equal(selfPage.status, 403);
    const viewer = await signedIn(world, "viewer");
    assert.equal((await viewer.json("POST", `/api/v1/approvals/${isolation.id}/approve`, {})).status, 403);
    assert.deepEqual(await actionsAtCustomer("Isolate"), [], "still nothing ran");
  });

  it("another responder approves on the page: then it runs, as the approver, naming the requester", async () => {
    const res = await responder2.form(`/approvals/${isolation.id}/approve`, {});
    assert.equal(res.status, 200);
    assert.match(await res.text(), /Approved request [0-9a-f]+: it ran and succeeded/);
    const isolated = await actionsAtCustomer("Isolate");
    assert.deepEqual(isolated.map((a) => a.machineId).sort(), machines.slice(0, 3).sort());
    assert.ok(isolated.every((a) => /requested by responder, approved by responder2/.test(a.requestorComment ?? "")));

    const after = (await (await responder.request(`/api/v1/approvals/${isolation.id}`)).json()) as Approval;
    assert.equal(after.status, "executed");
    assert.equal(after.decidedBy, "responder2");
    assert.equal(after.result?.created, 3);

    const entries = await world.store.queryAudit({ correlationId: `approval:${isolation.id}`, limit: 20 });
    assert.deepEqual(
      entries.map((e) => [e.action, e.actor, e.phase]).reverse(),
      [
        ["approval.request", "responder", "requested"],
        // The requester's two tries are on record as refused.
        ["approval.approve", "responder", "failed"],
        ["approval.approve", "responder", "failed"],
        ["approval.approve", "responder2", "completed"],
      ],
    );
    const actions = (await world.store.queryAudit({ action: "machine.isolate", limit: 20 })).filter((e) => e.phase === "requested");
    assert.equal(actions.length, 3);
    for (const e of actions) {
      assert.equal(e.actor, "responder2");
      assert.match(e.comment ?? "", /ransomware outbreak INC-7 \[four-eyes: requested by responder, approved by responder2/);
    }
    // Decided once: a second approval is refused.
    const again = await admin.json("POST", `/api/v1/approvals/${isolation.id}/approve`, {});
    assert.equal(again.status, 409);
    assert.equal(((await again.json()) as ErrorBody).error.code, "approval.not-pending");
  });

  it("a bulk action within the threshold, or of a kind that is not wide, runs at once", async () => {
    const res = await bulk(responder, "isolate", machines.slice(3, 5), "contain the spread");
    assert.equal(res.status, 200);
    const result = (await res.json()) as { created: number; machines: Array<{ actionId: string | null }> };
    assert.equal(result.created, 2, JSON.stringify(result));
    assert.equal((await actionsAtCustomer("Isolate")).length, 5);
    const scan = await bulk(responder, "scan", machines, "sweep after INC-7");
    assert.equal(scan.status, 200);
  });

  it("a rejected request never runs", async () => {
    const res = await bulk(responder, "isolate", [machines[5]!, ...machines.slice(0, 2)], "maybe isolate these too");
    const { approval } = (await res.json()) as { approval: Approval };
    const rejected = await responder2.json("POST", `/api/v1/approvals/${approval.id}/reject`, {});
    assert.equal(rejected.status, 200);
    assert.equal(((await rejected.json()) as Approval).status, "rejected");
    assert.deepEqual((await actionsAtCustomer("Isolate")).filter((a) => a.machineId === machines[5]), []);
    const entries = await world.store.queryAudit({ correlationId: `approval:${approval.id}`, limit: 10 });
    assert.deepEqual(entries.map((e) => [e.action, e.actor]), [
      ["approval.reject", "responder2"],
      ["approval.request", "responder"],
    ]);
  });

  it("an operator scoped to a customer group neither sees nor decides requests on other tenants", async () => {
    await world.store.addToGroup("east", [contoso]);
    await addUser(world.usersFile, { name: "alice", password: "alice-password-1", role: "viewer" });
    await world.store.putGrant({ principalKind: "user", principal: "alice", role: "responder", group: "east" });
    const alice = new Agent(world.console);
    assert.equal((await alice.signIn("alice", "alice-password-1")).status, 303);
    const res = await responder.json("POST", "/api/v1/devices/actions", {
      action: "isolate",
      comment: "Fabrikam outbreak",
      machines: machinesOfFabrikam.slice(0, 3).map((machineId) => ({ tenantId: fabrikam, machineId })),
    });
    const { approval } = (await res.json()) as { approval: Approval };
    const listed = (await (await alice.request("/api/v1/approvals")).json()) as { items: Approval[] };
    assert.ok(listed.items.length > 0, "she sees the requests on her tenants");
    assert.ok(!listed.items.some((r) => r.id === approval.id));
    assert.ok(!(await (await alice.request("/approvals")).text()).includes("Fabrikam"));
    assert.equal((await alice.request(`/api/v1/approvals/${approval.id}`)).status, 404);
    assert.equal((await alice.json("POST", `/api/v1/approvals/${approval.id}/approve`, {})).status, 404);
    assert.equal(((await (await responder2.request(`/api/v1/approvals/${approval.id}`)).json()) as Approval).status, "pending");
  });

  it("offboarding is always a request; a responder may not approve it, another admin does, and then the tenant goes", async () => {
    const detail = await (await admin.request(`/tenants/${fabrikam}`)).text();
    assert.match(detail, new RegExp(`<form method="post" action="/tenants/${fabrikam}/offboard"`), "the tenant's page offers it");
    const asked = await admin.form(`/tenants/${fabrikam}/offboard`, {});
    assert.equal(asked.status, 303);
    const id = new URL(asked.headers.get("location") ?? "", "http://x").searchParams.get("requested") ?? "";
    assert.ok(await world.store.getTenant(fabrikam), "the tenant is still there");
    const twice = await admin.json("POST", `/api/v1/tenants/${fabrikam}/offboard`, {});
    assert.equal(twice.status, 409, "one request per tenant at a time");

    const byResponder = await responder2.json("POST", `/api/v1/approvals/${id}/approve`, {});
    assert.equal(byResponder.status, 403);
    assert.ok(await world.store.getTenant(fabrikam));

    const approved = await admin2.json("POST", `/api/v1/approvals/${id}/approve`, {});
    assert.equal(approved.status, 200);
    const done = (await approved.json()) as Approval;
    assert.equal(done.status, "executed");
    assert.equal(done.result?.removed, true);
    assert.ok(!(await world.store.getTenant(fabrikam)), "the tenant is gone");

    const entries = await world.store.queryAudit({ correlationId: `approval:${id}`, limit: 10 });
    assert.deepEqual(entries.map((e) => [e.action, e.actor, e.phase]).reverse(), [
      ["approval.request", "admin", "requested"],
      ["approval.approve", "admin2", "completed"],
      ["tenant.offboard", "admin2", "completed"],
    ]);
    assert.match(entries[0]?.comment ?? "", /requested by admin, approved by admin2/);
  });

  it("a request not decided in time expires and cannot be approved", async () => {
    const res = await admin.json("POST", `/api/v1/tenants/${contoso}/offboard`, {});
    assert.equal(res.status, 202);
    const { approval } = (await res.json()) as { approval: Approval };
    now += 2 * HOUR + 1000;
    // Sessions idle that long have ended: sign in again.
    await signInAll();
    const late = await admin2.json("POST", `/api/v1/approvals/${approval.id}/approve`, {});
    assert.equal(late.status, 409);
    assert.equal(((await late.json()) as ErrorBody).error.code, "approval.expired");
    assert.ok(await world.store.getTenant(contoso), "nothing was offboarded");
    const expired = (await (await admin.request("/api/v1/approvals?status=expired")).json()) as { items: Approval[] };
    assert.ok(expired.items.some((r) => r.id === approval.id));
    const failed = await world.store.queryAudit({ correlationId: `approval:${approval.id}`, limit: 10 });
    assert.deepEqual(failed.map((e) => [e.action, e.phase])[0], ["approval.approve", "failed"]);
  });

  it("an API token may ask for a wide action but not approve one: four eyes are two people", async () => {
    const page = await (await admin.form("/admin/tokens", { name: "soar", role: "responder", group: "", expires: "7" })).text();
    const token = /<code id="new-token">([^<]+)<\/code>/.exec(page)?.[1] ?? "";
    const call = (path: string, body: unknown) =>
      world.console.app.request(`http://127.0.0.1:8080${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify(body),
      });
    const asked = await call("/api/v1/devices/actions", {
      action: "isolate",
      comment: "automated containment",
      machines: machines.slice(3, 6).map((machineId) => ({ tenantId: contoso, machineId })),
    });
    assert.equal(asked.status, 202);
    const { approval } = (await asked.json()) as { approval: Approval };
    assert.equal(approval.requestedBy, "token:soar");
    const pending = await bulk(responder, "isolate", machines.slice(0, 3), "another");
    const other = ((await pending.json()) as { approval: Approval }).approval;
    const byToken = await call(`/api/v1/approvals/${other.id}/approve`, {});
    assert.equal(byToken.status, 403);
    assert.equal(((await byToken.json()) as ErrorBody).error.code, "approval.person");
  });

  it("with a threshold of 0 one isolation is already wide: the single-device routes ask for approval too", async () => {
    const strict = consoleOf(world, { clock, tls: false, approvals: { wideActionThreshold: 0 } });
    const agent = new Agent(strict);
    assert.equal((await agent.signIn("responder", PASSWORDS.responder)).status, 303);
    const api = await agent.json("POST", `/api/v1/devices/${contoso}/${machines[5]}/actions`, { action: "isolate", comment: "one is enough" });
    assert.equal(api.status, 202);
    const { approval } = (await api.json()) as { approval: Approval };
    assert.equal(approval.status, "pending");
    const page = await agent.form(`/devices/${contoso}/${machines[5]}/actions`, { action: "restrict", comment: "one is enough" });
    assert.equal(page.status, 303);
    assert.match(page.headers.get("location") ?? "", /^\/approvals\?requested=[0-9a-f]+$/);
    assert.deepEqual((await actionsAtCustomer("Isolate")).filter((a) => a.machineId === machines[5]), [], "nothing ran");
    // A scan is never wide.
    const scan = await agent.json("POST", `/api/v1/devices/${contoso}/${machines[5]}/actions`, { action: "scan", comment: "check it" });
    assert.equal(scan.status, 202);
    assert.ok(((await scan.json()) as { machineAction?: unknown }).machineAction);
  });
});
