// Sign-in, sessions, roles and CSRF of the console, in process (app.request):
// what an operator (or an attacker without a session) would see.
import assert from "node:assert/strict";
import { statSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { after, before, describe, it } from "node:test";
import { addUser } from "@mde-partner/server";
import { Agent, consoleOf, createWorld, PASSWORDS, type World } from "./support.js";

let world: World;
let tenantId: string;
let machineId: string;

before(async () => {
  world = await createWorld();
  tenantId = world.info.tenants[0]!.id;
  await world.store.upsertTenant({ id: tenantId, name: "Contoso", initialState: "consented" });
  const machines = await world.partner.tenant(tenantId).machines.list({ top: 1 });
  machineId = machines.value[0]!.id;
  await world.store.upsertMachines(tenantId, machines.value);
});
after(() => world.close());

const T = "00000000-0000-4000-8000-000000000001";
const M = "a".repeat(40);

describe("without a session", () => {
  const pages = [
    "/",
    "/tenants",
    "/tenants/new",
    `/tenants/${T}`,
    "/alerts",
    `/alerts/${T}/da1`,
    "/devices",
    `/devices/${T}/${M}`,
    `/devices/${T}/${M}/actions/new?action=isolate`,
    `/actions/${T}/x`,
    "/hunting",
    "/hunting/abc.csv",
    "/audit",
    "/users",
    "/no-such-page",
  ];
  const forms = [
    "/logout",
    "/tenants",
    `/tenants/${T}/verify`,
    `/tenants/${T}/sync`,
    `/tenants/${T}/consent-link`,
    "/sync",
    `/alerts/${T}/da1`,
    `/devices/${T}/${M}/actions`,
    "/hunting",
    "/users",
    "/users/viewer/delete",
  ];
  const api: Array<[string, string]> = [
    ["GET", "/api/v1/me"],
    ["GET", "/api/v1/tenants"],
    ["GET", `/api/v1/tenants/${T}`],
    ["POST", "/api/v1/tenants"],
    ["POST", `/api/v1/tenants/${T}/verify`],
    ["POST", `/api/v1/tenants/${T}/sync`],
    ["GET", "/api/v1/alerts"],
    ["GET", `/api/v1/alerts/${T}/da1`],
    ["PATCH", `/api/v1/alerts/${T}/da1`],
    ["GET", "/api/v1/devices"],
    ["GET", `/api/v1/devices/${T}/${M}`],
    ["POST", `/api/v1/devices/${T}/${M}/actions`],
    ["GET", `/api/v1/actions/${T}/x`],
    ["POST", "/api/v1/hunting"],
    ["GET", "/api/v1/audit"],
    ["GET", "/api/v1/nothing-here"],
  ];

  it("every page redirects to the sign-in page, keeping where it was going", async () => {
    const agent = new Agent(world.console);
    for (const path of pages) {
      const res = await agent.request(path);
      assert.equal(res.status, 302, path);
      const location = new URL(res.headers.get("location") ?? "", "http://x");
      assert.equal(location.pathname, "/login", path);
      assert.equal(location.searchParams.get("next"), new URL(path, "http://x").pathname + new URL(path, "http://x").search, path);
    }
  });

  it("every form post and API route answers 401", async () => {
    const agent = new Agent(world.console);
    for (const path of forms) assert.equal((await agent.form(path, { a: "b" })).status, 401, `POST ${path}`);
    for (const [method, path] of api) {
      const res = await agent.request(path, {
        method,
        headers: { "content-type": "application/json" },
        ...(method === "GET" ? {} : { body: "{}" }),
      });
      assert.equal(res.status, 401, `${method} ${path}`);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, "unauthenticated");
    }
    assert.equal((await agent.request("/metrics")).status, 401);
    const tenants = await world.store.listTenants();
    assert.deepEqual(
      tenants.map((t) => t.id),
      [tenantId],
      "nothing was created",
    );
  });

  it("/healthz and the static files are public; the health check says only whether the store answers", async () => {
    const agent = new Agent(world.console);
    const health = await agent.request("/healthz");
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, "ok");
    const login = await (await agent.request("/login")).text();
    const css = /href="(\/static\/console\.[0-9a-f]+\.css)"/.exec(login)?.[1];
    const js = /src="(\/static\/console\.[0-9a-f]+\.js)"/.exec(login)?.[1];
    assert.ok(css && js);
    assert.equal((await agent.request(css)).headers.get("content-type"), "text/css; charset=utf-8");
    assert.equal((await agent.request(js)).headers.get("content-type"), "text/javascript; charset=utf-8");
  });
});

describe("security headers and cookies", () => {
  it("every response carries a CSP without inline code or framing, nosniff and no-referrer", async () => {
    const agent = new Agent(world.console);
    for (const path of ["/login", "/healthz", "/tenants", "/api/v1/me"]) {
      const res = await agent.request(path);
      const csp = res.headers.get("content-security-policy") ?? "";
      assert.match(csp, /default-src 'self'/, path);
      assert.match(csp, /frame-ancestors 'none'/, path);
      assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval|https?:/, path);
      assert.equal(res.headers.get("x-content-type-options"), "nosniff", path);
      assert.equal(res.headers.get("referrer-policy"), "no-referrer", path);
      assert.equal(res.headers.get("x-frame-options"), "DENY", path);
    }
    const page = await (await agent.request("/login")).text();
    assert.doesNotMatch(page, /<script>|<script [^>]*>[^<]|<style|style="| on[a-z]+="/i, "no inline script, style or handler");
    assert.doesNotMatch(page, /(src|href)="https?:/, "no asset from another origin");
  });

  it("plain-http loopback: the session cookie is HttpOnly and SameSite=Strict without Secure", async () => {
    const agent = new Agent(world.console);
    const res = await agent.signIn("viewer", PASSWORDS.viewer);
    assert.equal(res.status, 303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("mdep-session="));
    assert.ok(cookie, "session cookie set");
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    assert.doesNotMatch(cookie, /Secure/);
  });

  it("with TLS the cookie is Secure and __Host- prefixed; plain HTTP off loopback is refused", async () => {
    const tlsConsole = consoleOf(world, { tls: "self-signed" });
    const agent = new Agent(tlsConsole, "https://127.0.0.1:8443");
    const res = await agent.signIn("viewer", PASSWORDS.viewer);
    assert.equal(res.status, 303);
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith("__Host-mdep-session="));
    assert.ok(cookie);
    assert.match(cookie, /; Secure/);
    assert.match(cookie, /Path=\//);
    assert.ok((await agent.request("/tenants")).headers.get("strict-transport-security"));
    assert.throws(
      () =>
        consoleOf(world, { tls: false, host: "0.0.0.0" }),
      /plain HTTP is only allowed on a loopback address/,
    );
  });
});

describe("sign-in", () => {
  it("the users file is mode 0600 and holds scrypt hashes, not passwords", async () => {
    assert.equal(statSync(world.usersFile).mode & 0o777, 0o600);
    const text = await readFile(world.usersFile, "utf8");
    assert.ok(!text.includes(PASSWORDS.admin));
    assert.match(text, /"passwordHash": "scrypt\$16384\$8\$1\$/);
  });

  it("a wrong password is refused with one message for unknown and known names", async () => {
    const agent = new Agent(world.console);
    const a = await agent.signIn("viewer", "wrong-password-0");
    const b = await agent.signIn("nobody-here", "wrong-password-0");
    assert.equal(a.status, 401);
    assert.equal(b.status, 401);
    assert.match(await a.text(), /Wrong user name or password/);
    assert.match(await b.text(), /Wrong user name or password/);
    assert.equal((await agent.request("/tenants")).status, 302, "still signed out");
  });

  it("the sign-in form without its token is refused", async () => {
    const agent = new Agent(world.console);
    const res = await agent.form("/login", { name: "viewer", password: PASSWORDS.viewer }, { csrf: false });
    assert.equal(res.status, 403);
    assert.equal((await agent.request("/tenants")).status, 302);
  });

  it("five failures lock the account, even for the right password, until the lockout ends", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const clock = { now: () => now };
    await addUser(world.usersFile, { name: "locky", password: "locky-password-1", role: "viewer" });
    const c = consoleOf(world, { tls: false, clock });
    const agent = new Agent(c);
    for (let i = 0; i < 4; i++) assert.equal((await agent.signIn("locky", `bad-password-${i}`)).status, 401);
    const fifth = await agent.signIn("locky", "bad-password-5");
    assert.equal(fifth.status, 429);
    assert.match(await fifth.text(), /locked until/);
    const right = await agent.signIn("locky", "locky-password-1");
    assert.equal(right.status, 429, "locked: the right password does not get in");
    assert.ok(Number(right.headers.get("retry-after")) > 800);
    assert.equal((await agent.request("/tenants")).status, 302);
    now += 15 * 60_000 + 1;
    assert.equal((await agent.signIn("locky", "locky-password-1")).status, 303);
    assert.equal((await agent.request("/tenants")).status, 200);
    const audit = await world.store.queryAudit({ actor: "locky" });
    assert.ok(audit.some((e) => e.action === "operator.lockout"));
  });

  it("too many attempts from one address are answered 429", async () => {
    const c = consoleOf(world, { tls: false, login: { attemptsPerWindow: 3 } });
    const agent = new Agent(c);
    for (const name of ["a1", "a2", "a3"]) assert.equal((await agent.signIn(name, "whatever-pass")).status, 401);
    const res = await agent.signIn("viewer", PASSWORDS.viewer);
    assert.equal(res.status, 429);
    assert.match(await res.text(), /Too many sign-in attempts/);
  });

  it("sessions expire when idle", async () => {
    let now = Date.parse("2030-01-01T00:00:00Z");
    const c = consoleOf(world, { tls: false, clock: { now: () => now }, sessions: { idleMs: 60_000 } });
    const agent = new Agent(c);
    await agent.signIn("viewer", PASSWORDS.viewer);
    now += 30_000;
    assert.equal((await agent.request("/tenants")).status, 200);
    now += 61_000;
    assert.equal((await agent.request("/tenants")).status, 302);
  });

  it("sign-out ends the session on the server (the old cookie is worthless)", async () => {
    const agent = new Agent(world.console);
    await agent.signIn("viewer", PASSWORDS.viewer);
    const saved = new Map(agent.cookies);
    const out = await agent.form("/logout", {});
    assert.equal(out.status, 303);
    assert.equal(out.headers.get("location"), "/login?signedout=1");
    const replay = new Agent(world.console);
    for (const [k, v] of saved) replay.cookies.set(k, v);
    assert.equal((await replay.request("/tenants")).status, 302);
    // The page it lands on says how to get back in (a one-time link works once).
    const landed = await (await agent.request("/login?signedout=1")).text();
    assert.match(landed, /You are signed out\./);
    assert.match(landed, /<section class="card" id="sign-in-help">[^]*<code>mde-partner users add NAME --role admin<\/code>[^]*<code>mde-partner demo<\/code>/);
    assert.doesNotMatch(await (await new Agent(world.console).request("/login")).text(), /sign-in-help/, "a plain sign-in page stays plain");
  });
});

describe("roles and CSRF", () => {
  it("a viewer reads but cannot run a response action, update an alert or onboard (403)", async () => {
    const viewer = new Agent(world.console);
    await viewer.signIn("viewer", PASSWORDS.viewer);
    assert.equal((await viewer.request("/tenants")).status, 200);
    assert.equal((await viewer.request(`/devices/${tenantId}/${machineId}`)).status, 200);
    const action = await viewer.json("POST", `/api/v1/devices/${tenantId}/${machineId}/actions`, { action: "isolate", comment: "test" });
    assert.equal(action.status, 403);
    assert.equal(((await action.json()) as { error: { code: string } }).error.code, "forbidden");
    assert.equal((await viewer.form(`/devices/${tenantId}/${machineId}/actions`, { action: "isolate", comment: "x" })).status, 403);
    assert.equal((await viewer.request(`/devices/${tenantId}/${machineId}/actions/new?action=isolate`)).status, 403);
    assert.equal((await viewer.json("POST", "/api/v1/tenants", { name: "X" })).status, 403);
    assert.equal((await viewer.request("/users")).status, 403);
    const page = await (await viewer.request(`/devices/${tenantId}/${machineId}`)).text();
    assert.doesNotMatch(page, /Isolate device/, "the action buttons are not offered to a viewer");
    const actions = await world.store.listMachineActions(tenantId);
    assert.equal(actions.length, 0, "no action was sent");
  });

  it("a responder cannot manage tenants or users", async () => {
    const responder = new Agent(world.console);
    await responder.signIn("responder", PASSWORDS.responder);
    assert.equal((await responder.json("POST", "/api/v1/tenants", { name: "X" })).status, 403);
    assert.equal((await responder.form("/users", { name: "mallory", password: "mallory-password-1", role: "admin" })).status, 403);
  });

  it("a state change without the CSRF token is refused (403) and changes nothing", async () => {
    const admin = new Agent(world.console);
    await admin.signIn("admin", PASSWORDS.admin);
    const before = (await world.store.listTenants()).length;
    const api = await admin.json(
      "POST",
      "/api/v1/tenants",
      { name: "No token", tenant: "11111111-1111-4111-8111-111111111111" },
      { csrf: false },
    );
    assert.equal(api.status, 403);
    assert.equal(((await api.json()) as { error: { code: string } }).error.code, "csrf");
    const form = await admin.form("/tenants", { name: "No token", tenant: "11111111-1111-4111-8111-111111111111" }, { csrf: false });
    assert.equal(form.status, 403);
    const wrong = await admin.form("/tenants", { name: "Wrong token", _csrf: "x".repeat(43) }, { csrf: false });
    assert.equal(wrong.status, 403);
    const crossOrigin = await admin.request("/api/v1/tenants", {
      method: "POST",
      headers: { "content-type": "application/json", "x-csrf-token": admin.csrf, origin: "https://evil.example" },
      body: JSON.stringify({ name: "Cross" }),
    });
    assert.equal(crossOrigin.status, 403);
    assert.equal((await admin.form("/logout", {}, { csrf: false })).status, 403);
    assert.equal((await admin.request("/tenants")).status, 200, "still signed in");
    assert.equal((await world.store.listTenants()).length, before);
    const ok = await admin.json("POST", "/api/v1/tenants", { name: "With token" });
    assert.equal(ok.status, 201);
  });

  it("an admin adds a user from the page; the new user can sign in with the role given", async () => {
    const admin = new Agent(world.console);
    await admin.signIn("admin", PASSWORDS.admin);
    const res = await admin.form("/users", { name: "carol", password: "carol-password-12", role: "responder" });
    assert.equal(res.status, 200);
    const carol = new Agent(world.console);
    assert.equal((await carol.signIn("carol", "carol-password-12")).status, 303);
    assert.equal(((await (await carol.request("/api/v1/me")).json()) as { role: string }).role, "responder");
    await world.store.addToGroup("carols", [tenantId]);
    await world.store.putGrant({ principalKind: "user", principal: "carol", role: "viewer", group: "carols" });
    assert.equal((await admin.form("/users/carol/delete", {})).status, 200);
    assert.equal((await carol.request("/tenants")).status, 302, "removing a user ends their sessions");
    assert.deepEqual(await world.store.listGrants({ principal: "carol" }), [], "and removes their grants, so a later carol starts with none");
  });
});
