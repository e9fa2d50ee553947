// Access scoped to customer groups, everywhere in the console. Two groups:
// A (Contoso) and B (Northwind), both synced from the emulator. Alice is a
// local account with one grant, responder on group A; Vera viewer on A; Gina
// admin on A. Every GET route of the app is in the matrix below (a new route
// without an entry fails the first test): for each, what Alice gets on A, and
// that a URL naming B answers exactly like an unknown one (404) while an
// admin of every tenant gets it. No page, JSON answer, CSV, hunt, batch,
// audit entry or metric Alice reads names a tenant-B id, name, alert, device,
// action or batch; her writes on B are refused and change nothing.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addUser } from "@mde-partner/server";
import { syncOnce } from "@mde-partner/sync";
import { Agent, createWorld, signedIn, type World } from "./support.js";

const PASSWORD = "scoped-password-1";

let world: World;
let admin: Agent;
let alice: Agent;
let vera: Agent;
let gina: Agent;
let contoso: string;
let northwind: string;
/** Things of tenant B that must never reach Alice. */
let markersOfB: string[];
const a = { alert: "", machine: "", action: "", batch: "", cve: "", hunt: "" };
const b = { alert: "", machine: "", action: "", batch: "", mixedBatch: "", hunt: "" };

async function signIn(name: string): Promise<Agent> {
  const agent = new Agent(world.console);
  assert.equal((await agent.signIn(name, PASSWORD)).status, 303, `${name} signs in`);
  return agent;
}

/** Tenant B's things found in `body`. */
const leaks = (body: string) => markersOfB.filter((m) => body.toLowerCase().includes(m.toLowerCase()));
/** `body` without the path segments of `url` (what the operator typed may be said back: "tenant X is not in the console"). */
const scrub = (body: string, url: string) =>
  new URL(url, "http://console.test").pathname
    .split("/")
    .filter((s) => s.length > 8)
    .reduce((text, s) => text.replaceAll(s, "…"), body);
/** Ids of the same shape that name nothing: a URL naming B must answer exactly like one naming these. */
const UNKNOWN = { tenant: "0e0e0e0e-0000-4000-8000-00000000000e", batch: "0b0b0b0b-0000-4000-8000-00000000000b" };
const unknownTwin = (url: string) => url.replace(northwind, UNKNOWN.tenant).replace(b.batch, UNKNOWN.batch).replace(b.mixedBatch, UNKNOWN.batch);

before(async () => {
  world = await createWorld({
    emulator: { tenants: [{ name: "Contoso" }, { name: "Northwind" }], alertsPerTenant: 6, machinesPerTenant: 3, actionPendingMs: 20, actionInProgressMs: 20 },
  });
  [contoso, northwind] = world.info.tenants.map((t) => t.id) as [string, string];
  const { store } = world;
  await store.upsertTenant({ id: contoso, name: "Contoso", initialState: "consented" });
  await store.upsertTenant({ id: northwind, name: "Northwind", initialState: "consented" });
  await syncOnce({ store, partner: world.partner });
  await store.addToGroup("A", [contoso]);
  await store.addToGroup("B", [northwind]);
  for (const [name, role] of [
    ["alice", "responder"],
    ["vera", "viewer"],
    ["gina", "admin"],
  ] as const) {
    // The users-file role is replaced by the store's grants: every tenant would be the wrong answer.
    await addUser(world.usersFile, { name, password: PASSWORD, role: "admin" });
    await store.putGrant({ principalKind: "user", principal: name, role, group: "A" });
  }
  admin = await signedIn(world, "admin");

  const alertsOf = async (t: string) => (await store.queryAlerts({ tenantIds: [t], limit: 100 })).items.map((x) => x.id);
  const [alertsA, alertsB] = [await alertsOf(contoso), await alertsOf(northwind)];
  [a.alert, b.alert] = [alertsA[0]!, alertsB[0]!];
  const machinesB = await store.listMachines(northwind);
  [a.machine, b.machine] = [(await store.listMachines(contoso))[0]!.id, machinesB[0]!.id];
  // One response action on each tenant, by the admin.
  for (const [t, m, into] of [
    [contoso, a.machine, a],
    [northwind, b.machine, b],
  ] as const) {
    const res = await admin.json("POST", `/api/v1/devices/${t}/${m}/actions`, { action: "scan", comment: "scheduled check" });
    assert.equal(res.status, 202);
    into.action = ((await res.json()) as { machineAction: { id: string } }).machineAction.id;
  }
  // An alert update on B, on record.
  assert.equal((await admin.json("PATCH", `/api/v1/alerts/${northwind}/${b.alert}`, { comment: "seen by the night shift" })).status, 200);
  a.batch = (await store.createBatch({ kind: "hunt", actor: "cli:ops", request: { query: "DeviceInfo" }, items: [{ tenantId: contoso }] })).batch.id;
  b.batch = (await store.createBatch({ kind: "hunt", actor: "cli:ops", request: { query: "DeviceInfo" }, items: [{ tenantId: northwind }] })).batch.id;
  b.mixedBatch = (
    await store.createBatch({ kind: "hunt", actor: "cli:ops", request: { query: "DeviceInfo" }, items: [{ tenantId: contoso }, { tenantId: northwind }] })
  ).batch.id;
  // A baseline checked at both tenants, and one checked only at B (never listed for Alice).
  await store.saveBaselineDocument("fleet", "r1", { name: "fleet", scope: { tenants: "all" } });
  await store.recordBaselineState({ baselineName: "fleet", tenantId: contoso, revision: "r1", state: "in_sync" });
  await store.recordBaselineState({ baselineName: "fleet", tenantId: northwind, revision: "r1", state: "drifted", difference: { create: 1, update: 0, delete: 0, changes: [{ object: "indicator", action: "create", key: "DomainName:northwind-only.example" }] } });
  await store.saveBaselineDocument("northwind-only", "r1", { name: "northwind-only", scope: { tenants: [northwind] } });
  await store.recordBaselineState({ baselineName: "northwind-only", tenantId: northwind, revision: "r1", state: "failed", error: "refused" });
  a.cve = (await store.topTvmCves({ tenantIds: [contoso], limit: 1 }))[0]!.cveId;
  // A hunt across both by the admin (its CSV is the admin's, never Alice's).
  const hunt = await (await admin.form("/hunting", { query: "DeviceInfo | take 1", tenant: [contoso, northwind] })).text();
  b.hunt = /href="\/hunting\/([A-Za-z0-9_-]+)\.csv"/.exec(hunt)?.[1] ?? assert.fail("the admin's hunt has a CSV");

  const machineNames = machinesB.map((m) => m.computerDnsName).filter((n): n is string => !!n);
  const namesA = new Set((await store.listMachines(contoso)).map((m) => m.computerDnsName));
  markersOfB = [
    northwind,
    "Northwind",
    ...alertsB.filter((id) => !alertsA.includes(id)),
    ...machinesB.map((m) => m.id),
    ...machineNames.filter((n) => !namesA.has(n)),
    b.action,
    b.batch,
    b.mixedBatch,
    "northwind-only",
  ];

  alice = await signIn("alice");
  vera = await signIn("vera");
  gina = await signIn("gina");
  // Alice's own hunt over A, for the CSV row of the matrix.
  const own = await (await alice.form("/hunting", { query: "DeviceInfo | take 5", tenant: [contoso] })).text();
  a.hunt = /href="\/hunting\/([A-Za-z0-9_-]+)\.csv"/.exec(own)?.[1] ?? assert.fail("Alice's hunt has a CSV");
});
after(() => world.close());

/**
 * Every GET route: `a` is what Alice asks on her side (and the status she gets), `b` the same
 * URL naming tenant B (404 for her, like an unknown tenant; the status an admin of every tenant
 * gets, `control`, shows the URL names something real). A route without tenant data says so.
 */
interface Row {
  readonly a?: { url: () => string; status: number };
  readonly b?: { url: () => string; status?: number; control?: number };
  readonly public?: true;
}

const MATRIX: Readonly<Record<string, Row>> = {
  "/": { a: { url: () => "/", status: 302 } },
  "/login": { public: true },
  "/login/one-time": { public: true },
  "/consent/callback": { public: true },
  "/healthz": { public: true },
  "/static/:file": { public: true },
  "/favicon.ico": { public: true },
  "/metrics": { a: { url: () => "/metrics", status: 403 } },
  "/overview": { a: { url: () => "/overview", status: 200 } },
  "/tenants": { a: { url: () => "/tenants", status: 200 } },
  "/tenants/new": { a: { url: () => "/tenants/new", status: 403 } },
  "/tenants/:tenantId": { a: { url: () => `/tenants/${contoso}`, status: 200 }, b: { url: () => `/tenants/${northwind}`, control: 200 } },
  // Alice is no admin anywhere: refused before any tenant is looked at.
  "/tenants/:tenantId/source": { a: { url: () => `/tenants/${contoso}/source?to=graph`, status: 403 }, b: { url: () => `/tenants/${northwind}/source?to=graph`, status: 403, control: 200 } },
  "/alerts": { a: { url: () => "/alerts", status: 200 } },
  "/alerts/:tenantId/:alertId": { a: { url: () => `/alerts/${contoso}/${a.alert}`, status: 200 }, b: { url: () => `/alerts/${northwind}/${b.alert}`, control: 200 } },
  "/incidents": { a: { url: () => "/incidents", status: 200 } },
  "/incidents/:tenantId/:incidentId": { a: { url: () => `/incidents/${contoso}/1`, status: 404 }, b: { url: () => `/incidents/${northwind}/1` } },
  "/investigations": { a: { url: () => "/investigations", status: 200 } },
  "/investigations/:tenantId/:id": { a: { url: () => `/investigations/${contoso}/1`, status: 404 }, b: { url: () => `/investigations/${northwind}/1` } },
  "/devices": { a: { url: () => "/devices", status: 200 } },
  "/devices/:tenantId/:machineId": { a: { url: () => `/devices/${contoso}/${a.machine}`, status: 200 }, b: { url: () => `/devices/${northwind}/${b.machine}`, control: 200 } },
  "/devices/:tenantId/:machineId/users": { a: { url: () => `/devices/${contoso}/${a.machine}/users`, status: 200 }, b: { url: () => `/devices/${northwind}/${b.machine}/users`, control: 200 } },
  "/devices/:tenantId/:machineId/actions/new": {
    a: { url: () => `/devices/${contoso}/${a.machine}/actions/new?action=scan`, status: 200 },
    b: { url: () => `/devices/${northwind}/${b.machine}/actions/new?action=scan`, control: 200 },
  },
  "/devices/:tenantId/:machineId/live-response": {
    a: { url: () => `/devices/${contoso}/${a.machine}/live-response`, status: 200 },
    b: { url: () => `/devices/${northwind}/${b.machine}/live-response`, control: 200 },
  },
  "/devices/:tenantId/:machineId/live-response/review": {
    a: { url: () => `/devices/${contoso}/${a.machine}/live-response/review`, status: 400 },
    b: { url: () => `/devices/${northwind}/${b.machine}/live-response/review`, control: 400 },
  },
  "/actions/:tenantId/:actionId": { a: { url: () => `/actions/${contoso}/${a.action}`, status: 200 }, b: { url: () => `/actions/${northwind}/${b.action}`, control: 200 } },
  "/actions/:tenantId/:actionId/results/:index": {
    a: { url: () => `/actions/${contoso}/${a.action}/results/0`, status: 404 },
    b: { url: () => `/actions/${northwind}/${b.action}/results/0` },
  },
  "/vulnerabilities": { a: { url: () => "/vulnerabilities", status: 200 } },
  "/vulnerabilities/:cveId": { a: { url: () => `/vulnerabilities/${a.cve}`, status: 200 } },
  "/files/:key": { a: { url: () => `/files/${"a".repeat(40)}`, status: 200 } },
  "/ips/:key": { a: { url: () => "/ips/10.1.2.3", status: 200 } },
  "/domains/:key": { a: { url: () => "/domains/contoso.com", status: 200 } },
  "/users/:key": { a: { url: () => "/users/jdoe", status: 200 } },
  "/hunting": { a: { url: () => "/hunting", status: 200 } },
  "/hunting/:file": { a: { url: () => `/hunting/${a.hunt}.csv`, status: 200 }, b: { url: () => `/hunting/${b.hunt}.csv` } },
  "/batches": { a: { url: () => "/batches", status: 200 } },
  "/baselines": { a: { url: () => "/baselines", status: 200 } },
  "/baselines/:name": { a: { url: () => "/baselines/fleet", status: 200 } },
  "/baselines/:name/tenants/:tenantId": { a: { url: () => `/baselines/fleet/tenants/${contoso}`, status: 200 }, b: { url: () => `/baselines/fleet/tenants/${northwind}`, control: 200 } },
  "/batches/:batchId": { a: { url: () => `/batches/${a.batch}`, status: 200 }, b: { url: () => `/batches/${b.mixedBatch}`, control: 200 } },
  "/audit": { a: { url: () => "/audit", status: 200 } },
  "/users": { a: { url: () => "/users", status: 403 } },
  "/api/v1/me": { a: { url: () => "/api/v1/me", status: 200 } },
  "/api/v1/overview": { a: { url: () => "/api/v1/overview", status: 200 } },
  "/api/v1/tenants": { a: { url: () => "/api/v1/tenants", status: 200 } },
  "/api/v1/tenants/:tenantId": { a: { url: () => `/api/v1/tenants/${contoso}`, status: 200 }, b: { url: () => `/api/v1/tenants/${northwind}`, control: 200 } },
  "/api/v1/alerts": { a: { url: () => "/api/v1/alerts?limit=1000", status: 200 } },
  "/api/v1/alerts/:tenantId/:alertId": {
    a: { url: () => `/api/v1/alerts/${contoso}/${a.alert}`, status: 200 },
    b: { url: () => `/api/v1/alerts/${northwind}/${b.alert}`, control: 200 },
  },
  "/api/v1/devices": { a: { url: () => "/api/v1/devices", status: 200 } },
  "/api/v1/devices/:tenantId/:machineId": {
    a: { url: () => `/api/v1/devices/${contoso}/${a.machine}`, status: 200 },
    b: { url: () => `/api/v1/devices/${northwind}/${b.machine}`, control: 200 },
  },
  "/api/v1/actions/:tenantId/:actionId": {
    a: { url: () => `/api/v1/actions/${contoso}/${a.action}`, status: 200 },
    b: { url: () => `/api/v1/actions/${northwind}/${b.action}`, control: 200 },
  },
  "/api/v1/incidents": { a: { url: () => "/api/v1/incidents", status: 200 } },
  "/api/v1/incidents/:tenantId/:incidentId": { a: { url: () => `/api/v1/incidents/${contoso}/1`, status: 404 }, b: { url: () => `/api/v1/incidents/${northwind}/1` } },
  "/api/v1/batches": { a: { url: () => "/api/v1/batches", status: 200 } },
  "/api/v1/baselines": { a: { url: () => "/api/v1/baselines", status: 200 } },
  "/api/v1/baselines/:name": { a: { url: () => "/api/v1/baselines/fleet", status: 200 } },
  "/api/v1/baselines/:name/tenants/:tenantId": {
    a: { url: () => `/api/v1/baselines/fleet/tenants/${contoso}`, status: 200 },
    b: { url: () => `/api/v1/baselines/fleet/tenants/${northwind}`, control: 200 },
  },
  "/api/v1/batches/:batchId": { a: { url: () => `/api/v1/batches/${a.batch}`, status: 200 }, b: { url: () => `/api/v1/batches/${b.batch}`, control: 200 } },
  "/api/v1/audit": { a: { url: () => "/api/v1/audit?limit=1000", status: 200 } },
  "/approvals": { a: { url: () => "/approvals", status: 200 } },
  "/admin/tokens": { a: { url: () => "/admin/tokens", status: 403 } },
  "/admin/notifications": { a: { url: () => "/admin/notifications", status: 403 } },
  "/api/v1/approvals": { a: { url: () => "/api/v1/approvals", status: 200 } },
  "/api/v1/approvals/:id": { a: { url: () => "/api/v1/approvals/0123456789abcdef", status: 404 } },
  "/api/v1/openapi.json": { a: { url: () => "/api/v1/openapi.json", status: 200 } },
};

/**
 * Every route that changes something, sent naming tenant B by an operator whose role would
 * allow it on A (Alice, or Gina for the admin routes): refused as unknown (404), as a bad
 * request (400: a hunt naming B), or as console-wide (403). `public` and own-session routes say so.
 */
interface Write {
  readonly send?: () => Promise<Response>;
  readonly status?: number;
  readonly public?: true;
}

const WRITES: Readonly<Record<string, Write>> = {
  "POST /login": { public: true },
  "POST /logout": { public: true },
  "POST /tenants": { send: () => gina.form("/tenants", { name: "Tailspin" }), status: 403 },
  "POST /tenants/:tenantId/consent-link": { send: () => gina.form(`/tenants/${northwind}/consent-link`, {}), status: 404 },
  "POST /tenants/:tenantId/verify": { send: () => gina.form(`/tenants/${northwind}/verify`, {}), status: 404 },
  "POST /tenants/:tenantId/source": { send: () => gina.form(`/tenants/${northwind}/source`, { source: "graph", confirm: "yes" }), status: 404 },
  "POST /tenants/:tenantId/sync": { send: () => alice.form(`/tenants/${northwind}/sync`, {}), status: 404 },
  // "Sync all" is hers to press: it syncs her tenants only (the body is checked for B like every other).
  "POST /sync": { send: () => alice.form("/sync", {}), status: 200 },
  "POST /alerts/:tenantId/:alertId": { send: () => alice.form(`/alerts/${northwind}/${b.alert}`, { status: "Resolved" }), status: 404 },
  "POST /devices/:tenantId/:machineId/actions": {
    send: () => alice.form(`/devices/${northwind}/${b.machine}/actions`, { action: "isolate", comment: "contain" }),
    status: 404,
  },
  "POST /devices/:tenantId/:machineId/live-response": {
    send: () => alice.form(`/devices/${northwind}/${b.machine}/live-response`, { script: "collect-triage.ps1", comment: "triage" }),
    status: 404,
  },
  "POST /hunting": { send: () => alice.form("/hunting", { query: "DeviceInfo", tenant: northwind }), status: 400 },
  "POST /users": { send: () => gina.form("/users", { name: "eve", password: "eve-password-12345", role: "admin" }), status: 403 },
  "POST /users/:name/delete": { send: () => gina.form("/users/alice/delete", {}), status: 403 },
  "POST /api/v1/tenants": { send: () => gina.json("POST", "/api/v1/tenants", { name: "Tailspin" }), status: 403 },
  "POST /api/v1/tenants/:tenantId/verify": { send: () => gina.json("POST", `/api/v1/tenants/${northwind}/verify`, {}), status: 404 },
  "POST /api/v1/tenants/:tenantId/source": { send: () => gina.json("POST", `/api/v1/tenants/${northwind}/source`, { source: "graph" }), status: 404 },
  "POST /api/v1/tenants/:tenantId/sync": { send: () => alice.json("POST", `/api/v1/tenants/${northwind}/sync`, {}), status: 404 },
  "PATCH /api/v1/alerts/:tenantId/:alertId": { send: () => alice.json("PATCH", `/api/v1/alerts/${northwind}/${b.alert}`, { status: "Resolved" }), status: 404 },
  "POST /api/v1/devices/:tenantId/:machineId/actions": {
    send: () => alice.json("POST", `/api/v1/devices/${northwind}/${b.machine}/actions`, { action: "isolate", comment: "contain" }),
    status: 404,
  },
  "POST /api/v1/hunting": { send: () => alice.json("POST", "/api/v1/hunting", { query: "DeviceInfo", tenantIds: [northwind] }), status: 400 },
  // Four-eyes requests and API tokens (console-approvals.test.ts decides real requests on B).
  "POST /tenants/:tenantId/offboard": { send: () => gina.form(`/tenants/${northwind}/offboard`, {}), status: 404 },
  "POST /api/v1/tenants/:tenantId/offboard": { send: () => gina.json("POST", `/api/v1/tenants/${northwind}/offboard`, {}), status: 404 },
  "POST /api/v1/devices/actions": {
    send: () => alice.json("POST", "/api/v1/devices/actions", { action: "isolate", comment: "contain", machines: [{ tenantId: northwind, machineId: b.machine }] }),
    status: 404,
  },
  "POST /approvals/:id/approve": { send: () => alice.form("/approvals/0123456789abcdef/approve", {}), status: 404 },
  "POST /approvals/:id/reject": { send: () => alice.form("/approvals/0123456789abcdef/reject", {}), status: 404 },
  "POST /api/v1/approvals/:id/approve": { send: () => alice.json("POST", "/api/v1/approvals/0123456789abcdef/approve", {}), status: 404 },
  "POST /api/v1/approvals/:id/reject": { send: () => alice.json("POST", "/api/v1/approvals/0123456789abcdef/reject", {}), status: 404 },
  "POST /admin/tokens": { send: () => gina.form("/admin/tokens", { name: "gina-token", role: "admin", group: "", expires: "7" }), status: 403 },
  "POST /admin/tokens/:id/revoke": { send: () => gina.form("/admin/tokens/0123456789ab/revoke", {}), status: 403 },
  "POST /admin/notifications/:name/test": { send: () => gina.form("/admin/notifications/any/test", {}), status: 403 },
};

describe("access scoped to customer groups", () => {
  it("every GET route of the app is in the matrix (a new route needs its scope decided here)", () => {
    const routes = new Set(world.console.app.routes.filter((r) => r.method === "GET").map((r) => r.path));
    const missing = [...routes].filter((p) => !(p in MATRIX));
    assert.deepEqual(missing, [], "GET routes without a scope expectation");
    const stale = Object.keys(MATRIX).filter((p) => !routes.has(p));
    assert.deepEqual(stale, [], "matrix rows without a route");
  });

  it("every write route is refused on B (and the audit she reads afterwards still names nothing of B)", async () => {
    const routes = new Set(
      world.console.app.routes.filter((r) => r.method !== "GET" && r.method !== "ALL").map((r) => `${r.method} ${r.path}`),
    );
    assert.deepEqual([...routes].filter((r) => !(r in WRITES)), [], "write routes without a scope expectation");
    assert.deepEqual(Object.keys(WRITES).filter((r) => !routes.has(r)), [], "write rows without a route");
    const tenantB = await world.store.getTenant(northwind);
    const alertB = await world.store.getAlert(northwind, b.alert);
    const actionsB = (await world.store.listMachineActions(northwind, { limit: 100 })).length;
    const failures: string[] = [];
    for (const [route, w] of Object.entries(WRITES)) {
      if (w.public) continue;
      const res = await w.send!();
      const body = await res.text();
      if (res.status !== w.status) failures.push(`${route}: ${res.status}, not ${w.status}: ${body.slice(0, 200)}`);
      // What the request itself named may be said back ("tenant X is not in the console"), nothing else of B.
      const found = leaks([northwind, b.alert, b.machine].reduce((text, named) => text.replaceAll(named, "…"), body));
      if (found.length) failures.push(`${route}: the answer shows B's ${found.join(", ")}`);
    }
    assert.deepEqual(failures, []);
    const after = await world.store.getTenant(northwind);
    assert.equal(after?.alertSource, tenantB?.alertSource);
    assert.equal(after?.state, tenantB?.state);
    assert.equal(after?.lastSyncAt, tenantB?.lastSyncAt, "B was not synced");
    assert.deepEqual(await world.store.getAlert(northwind, b.alert), alertB);
    assert.equal((await world.store.listMachineActions(northwind, { limit: 100 })).length, actionsB);
    for (const url of ["/audit", "/api/v1/audit?limit=1000"]) assert.deepEqual(leaks(await (await alice.request(url)).text()), [], url);
    // The refused attempts are on record for the admins of every tenant.
    const refused = await world.store.queryAudit({ tenantId: northwind, actor: "alice", phases: ["failed"] });
    assert.ok(refused.length > 0);
  });

  it("each route gives Alice (responder on A) her side and nothing of B; URLs naming B answer 404 like unknown ones", async () => {
    const failures: string[] = [];
    for (const [path, row] of Object.entries(MATRIX)) {
      if (row.public) continue;
      if (row.a) {
        const url = row.a.url();
        const res = await alice.request(url);
        const body = await res.text();
        if (res.status !== row.a.status) failures.push(`${path}: ${url} answered ${res.status}, not ${row.a.status}: ${body.slice(0, 200)}`);
        const found = leaks(body);
        if (found.length) failures.push(`${path}: ${url} shows B's ${found.join(", ")}`);
      }
      if (row.b) {
        const url = row.b.url();
        const res = await alice.request(url);
        const body = await res.text();
        const expected = row.b.status ?? 404;
        if (res.status !== expected) failures.push(`${path}: ${url} answered ${res.status}, not ${expected}`);
        const found = leaks(scrub(body, url));
        if (found.length) failures.push(`${path}: ${url} shows B's ${found.join(", ")}`);
        const twin = unknownTwin(url);
        const unknown = await alice.request(twin);
        const unknownBody = await unknown.text();
        if (unknown.status !== res.status || scrub(unknownBody, twin) !== scrub(body, url))
          failures.push(`${path}: ${url} does not answer like ${twin} (${res.status} vs ${unknown.status})`);
        if (row.b.control !== undefined) {
          const seen = await admin.request(url);
          await seen.arrayBuffer();
          if (seen.status !== row.b.control) failures.push(`${path}: the admin got ${seen.status} for ${url}, not ${row.b.control} (the row names nothing real)`);
        }
      }
    }
    assert.deepEqual(failures, []);
  });

  it("lists and counts are of A only: tenants, alerts, devices, batches, vulnerabilities, audit", async () => {
    const tenants = await (await alice.request("/tenants")).text();
    assert.match(tenants, /1 customer tenant</);
    assert.ok(tenants.includes(contoso));
    const json = (await (await alice.request("/api/v1/tenants")).json()) as { tenants: Array<{ id: string }> };
    assert.deepEqual(json.tenants.map((t) => t.id), [contoso]);
    const alerts = (await (await alice.request("/api/v1/alerts?limit=1000")).json()) as { items: Array<{ tenantId: string }> };
    assert.equal(alerts.items.length, 6);
    assert.ok(alerts.items.every((x) => x.tenantId === contoso));
    // Asking for B by filter gives nothing, not B's alerts.
    const filtered = (await (await alice.request(`/api/v1/alerts?tenant=${northwind}`)).json()) as { items: unknown[] };
    assert.equal(filtered.items.length, 0);
    const devices = (await (await alice.request(`/api/v1/devices?tenant=${northwind}`)).json()) as { items: unknown[] };
    assert.equal(devices.items.length, 0);
    const batches = (await (await alice.request("/api/v1/batches")).json()) as { items: Array<{ id: string }> };
    assert.deepEqual(batches.items.map((x) => x.id), [a.batch], "only the batch wholly of A");
    const baselines = (await (await alice.request("/api/v1/baselines")).json()) as { items: Array<{ document: { name: string }; counts: Record<string, number> }> };
    assert.deepEqual(baselines.items, [{ document: baselines.items[0]!.document, counts: { in_sync: 1, drifted: 0, failed: 0 } }], "fleet, counted over A only");
    assert.equal(baselines.items[0]!.document.name, "fleet");
    assert.equal((await alice.request("/baselines/northwind-only")).status, 404, "a baseline checked only at B is not Alice's");
    assert.equal((await admin.request("/baselines/northwind-only")).status, 200);
    const audit = (await (await alice.request("/api/v1/audit?limit=1000")).json()) as { entries: Array<{ tenantId: string | null; actor: string }> };
    assert.ok(audit.entries.some((e) => e.tenantId === contoso), "A's entries are there");
    assert.ok(audit.entries.every((e) => e.tenantId === contoso || (e.tenantId === null && e.actor === "alice")));
    // An admin of every tenant reads all of it.
    const all = (await (await admin.request("/api/v1/audit?limit=1000")).json()) as { entries: Array<{ tenantId: string | null }> };
    assert.ok(all.entries.some((e) => e.tenantId === northwind));
    const vulns = await (await alice.request("/vulnerabilities")).text();
    assert.ok(vulns.includes("Contoso") && !vulns.includes("Northwind"));
  });

  it("Alice's writes on B are refused as unknown and change nothing; Vera (viewer on A) is refused writes on A", async () => {
    const before = await world.store.getAlert(northwind, b.alert);
    let res = await alice.form(`/alerts/${northwind}/${b.alert}`, { status: "Resolved", comment: "mine now" });
    assert.equal(res.status, 404);
    assert.deepEqual(leaks(scrub(await res.text(), `/alerts/${northwind}/${b.alert}`)), []);
    res = await alice.json("PATCH", `/api/v1/alerts/${northwind}/${b.alert}`, { status: "Resolved" });
    assert.equal(res.status, 404);
    assert.deepEqual(await world.store.getAlert(northwind, b.alert), before);

    const actionsBefore = (await world.store.listMachineActions(northwind, { limit: 100 })).length;
    res = await alice.form(`/devices/${northwind}/${b.machine}/actions`, { action: "isolate", comment: "contain" });
    assert.equal(res.status, 404);
    res = await alice.json("POST", `/api/v1/devices/${northwind}/${b.machine}/actions`, { action: "isolate", comment: "contain" });
    assert.equal(res.status, 404);
    res = await alice.form(`/devices/${northwind}/${b.machine}/live-response`, { script: "collect-triage.ps1", comment: "triage" });
    assert.equal(res.status, 404);
    assert.equal((await world.store.listMachineActions(northwind, { limit: 100 })).length, actionsBefore);

    for (const path of [`/tenants/${northwind}/sync`, `/tenants/${northwind}/verify`, `/tenants/${northwind}/consent-link`]) {
      res = await alice.form(path, {});
      assert.ok(res.status === 404 || res.status === 403, `${path}: ${res.status}`);
    }
    assert.equal((await alice.json("POST", `/api/v1/tenants/${northwind}/sync`, {})).status, 404);
    // "Sync all" syncs her tenants only.
    const synced = await (await alice.form("/sync", {})).text();
    assert.match(synced, /Synced 1 tenant\(s\)/);
    assert.deepEqual(leaks(synced), []);

    // A hunt naming B is refused like one naming an unknown tenant; hers runs on A only.
    res = await alice.form("/hunting", { query: "DeviceInfo", tenant: [contoso, northwind] });
    assert.equal(res.status, 400);
    assert.equal((await alice.json("POST", "/api/v1/hunting", { query: "DeviceInfo", tenantIds: [northwind] })).status, 400);
    const csv = await (await alice.request(`/hunting/${a.hunt}.csv`)).text();
    assert.ok(csv.includes(contoso));
    assert.deepEqual(leaks(csv), []);

    // Vera sees A but may not act on it: 403, not 404.
    assert.equal((await vera.request(`/alerts/${contoso}/${a.alert}`)).status, 200);
    assert.equal((await vera.form(`/alerts/${contoso}/${a.alert}`, { comment: "looked" })).status, 403);
    assert.equal((await vera.json("PATCH", `/api/v1/alerts/${contoso}/${a.alert}`, { comment: "looked" })).status, 403);
    assert.equal((await vera.form(`/devices/${contoso}/${a.machine}/live-response`, { script: "collect-triage.ps1", comment: "x" })).status, 403);
    assert.equal((await vera.request(`/alerts/${northwind}/${b.alert}`)).status, 404);
  });

  it("an admin of group A administers A only: no console-wide pages, 404 on B", async () => {
    assert.equal((await gina.request(`/tenants/${contoso}/source?to=graph`)).status, 200);
    assert.equal((await gina.request(`/tenants/${northwind}/source?to=graph`)).status, 404);
    assert.equal((await gina.request("/users")).status, 403);
    assert.equal((await gina.request("/tenants/new")).status, 403);
    assert.equal((await gina.json("POST", "/api/v1/tenants", { name: "Tailspin" })).status, 403);
    assert.equal((await gina.request("/metrics")).status, 403);
    const page = await (await gina.request("/tenants")).text();
    assert.doesNotMatch(page, /id="add-customer"/);
    assert.doesNotMatch(page, /href="\/users"/);
  });

  it("?group= filters the tenants, alerts and devices pages; only the operator's groups are offered", async () => {
    const mine = await (await alice.request("/alerts")).text();
    assert.match(mine, /<select id="f-group" name="group">/);
    assert.match(mine, /<option value="A"/);
    assert.doesNotMatch(mine, /<option value="B"/);
    assert.equal((await alice.request("/alerts?group=B")).status, 400, "a group she may not see is refused like an unknown one");
    assert.equal((await alice.request("/devices?group=nope")).status, 400);
    assert.equal((await alice.request("/tenants?group=A")).status, 200);

    const onlyB = await (await admin.request("/tenants?group=B")).text();
    assert.match(onlyB, /1 customer tenant</);
    assert.ok(onlyB.includes(northwind) && !onlyB.includes(`data-tenant="${contoso}"`));
    const alertsB = (await (await admin.request("/api/v1/alerts?group=B&limit=1000")).json()) as { items: Array<{ tenantId: string }> };
    assert.ok(alertsB.items.length > 0 && alertsB.items.every((x) => x.tenantId === northwind));
    const devices = await (await admin.request("/devices?group=A")).text();
    assert.ok(devices.includes(a.machine) && !devices.includes(b.machine));
    assert.match(devices, /<option value="B"/);
  });

  it("an operator with different roles on two groups gets each tenant's buttons by the role there", async () => {
    await addUser(world.usersFile, { name: "otto", password: PASSWORD, role: "viewer" });
    await world.store.putGrant({ principalKind: "user", principal: "otto", role: "admin", group: "A" });
    await world.store.putGrant({ principalKind: "user", principal: "otto", role: "viewer", group: "B" });
    const otto = await signIn("otto");
    const page = await (await otto.request("/tenants")).text();
    assert.match(page, /2 customer tenants</);
    assert.ok(page.includes(`href="/tenants/${contoso}/source?to=`), "admin on A: the source switch is offered");
    assert.ok(!page.includes(`href="/tenants/${northwind}/source?to=`), "viewer on B: not offered");
    const detail = await (await otto.request(`/alerts/${northwind}/${b.alert}`)).text();
    assert.doesNotMatch(detail, /name="status"/, "no update form on B's alert");
    assert.match(await (await otto.request(`/alerts/${contoso}/${a.alert}`)).text(), /name="status"/);
    assert.equal((await otto.form(`/alerts/${northwind}/${b.alert}`, { comment: "x" })).status, 403, "seen, so 403 rather than 404");
  });

  it("a grant on a group with no tenant (yet) shows empty lists, not every tenant", async () => {
    await world.store.addToGroup("Empty", [contoso]);
    await world.store.removeFromGroup("Empty", [contoso]);
    await addUser(world.usersFile, { name: "nora", password: PASSWORD, role: "admin" });
    await world.store.putGrant({ principalKind: "user", principal: "nora", role: "responder", group: "Empty" });
    const nora = await signIn("nora");
    assert.match(await (await nora.request("/tenants")).text(), /id="no-tenants">\s*No customer tenant in your customer groups yet\./);
    for (const url of ["/api/v1/alerts", "/api/v1/devices", "/api/v1/incidents", "/api/v1/batches"]) {
      const json = (await (await nora.request(url)).json()) as { items: unknown[] };
      assert.deepEqual(json.items, [], url);
    }
    for (const url of ["/alerts", "/devices", "/vulnerabilities", "/hunting", "/batches", "/audit", "/investigations", "/ips/10.1.2.3"]) {
      const body = await (await nora.request(url)).text();
      assert.ok(!body.includes(contoso) && !body.includes("Contoso") && leaks(body).length === 0, url);
    }
    assert.match(await (await nora.form("/sync", {})).text(), /Synced 0 tenant\(s\)/);
  });

  it("a grant taken away counts at once", async () => {
    const mallory = "mallory";
    await addUser(world.usersFile, { name: mallory, password: PASSWORD, role: "viewer" });
    await world.store.putGrant({ principalKind: "user", principal: mallory, role: "viewer", group: "B" });
    const agent = await signIn(mallory);
    assert.equal((await agent.request(`/tenants/${northwind}`)).status, 200);
    await world.store.putGrant({ principalKind: "user", principal: mallory, role: "viewer", group: "A" });
    await world.store.removeGrant({ principalKind: "user", principal: mallory, group: "B" });
    assert.equal((await agent.request(`/tenants/${northwind}`)).status, 404);
    assert.equal((await agent.request(`/tenants/${contoso}`)).status, 200);
  });
});
