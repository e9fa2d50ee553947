// Holes in the team layer found on review, each pinned by the behaviour an operator would notice:
// four eyes must be two people, also when the request came from an API token; an operator removed,
// demoted or given a new password outside the console (the CLI edits the users file) is signed out.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { addUser, removeUser } from "@mde-partner/server";
import { Agent, createWorld, signedIn, type World } from "./support.js";

let world: World;
let contoso: string;
let admin: Agent;

type ErrorBody = { error: { code: string; message: string } };

before(async () => {
  world = await createWorld({ emulator: { tenants: [{ name: "Contoso" }], machinesPerTenant: 1 } });
  contoso = world.info.tenants[0]!.id;
  await world.store.upsertTenant({ id: contoso, name: "Contoso", initialState: "consented" });
  admin = await signedIn(world, "admin");
});
after(() => world.close());

/** A JSON request made with an API token (no cookie, no CSRF token). */
const withToken = (token: string, method: string, path: string, body?: unknown) =>
  world.console.app.request(`http://127.0.0.1:8080${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });

describe("four eyes with API tokens", () => {
  it("the admin who created a token cannot approve what that token requested; another admin can", async () => {
    const { token } = await world.store.createApiToken({ name: "soar", role: "admin", group: null, expiresAt: null, createdBy: "admin" });
    const requested = await withToken(token, "POST", `/api/v1/tenants/${contoso}/offboard`);
    assert.equal(requested.status, 202);
    const { approval } = (await requested.json()) as { approval: { id: string; requestedBy: string } };
    assert.equal(approval.requestedBy, "token:soar");

    // The token's owner is the same person as the requester: one pair of eyes.
    const self = await admin.json("POST", `/api/v1/approvals/${approval.id}/approve`, {});
    assert.equal(self.status, 403);
    assert.equal(((await self.json()) as ErrorBody).error.code, "approval.self");
    const selfPage = await admin.form(`/approvals/${approval.id}/approve`, {});
    assert.equal(selfPage.status, 403);
    assert.ok(await world.store.getTenant(contoso), "the tenant is still there");

    await addUser(world.usersFile, { name: "admin2", password: "admin2-password-x", role: "admin" });
    const admin2 = new Agent(world.console);
    assert.equal((await admin2.signIn("admin2", "admin2-password-x")).status, 303);
    const other = await admin2.json("POST", `/api/v1/approvals/${approval.id}/approve`, {});
    assert.equal(other.status, 200);
    assert.equal(((await other.json()) as { status: string }).status, "executed");
    assert.equal(await world.store.getTenant(contoso), null, "offboarded once a second person approved");
  });
});

describe("local accounts changed outside the console", () => {
  const signIn = async (name: string, password: string) => {
    const agent = new Agent(world.console);
    assert.equal((await agent.signIn(name, password)).status, 303);
    assert.equal((await agent.request("/api/v1/me")).status, 200);
    return agent;
  };

  it("an operator removed from the users file (mde-partner users remove) is signed out at their next request", async () => {
    await addUser(world.usersFile, { name: "leaver", password: "leaver-password-1", role: "admin" });
    const leaver = await signIn("leaver", "leaver-password-1");
    assert.equal(await removeUser(world.usersFile, "leaver"), true);
    assert.equal((await leaver.request("/api/v1/me")).status, 401);
    const page = await leaver.request("/tenants");
    assert.equal(page.status, 302);
    assert.match(page.headers.get("location") ?? "", /^\/login/);
  });

  it("a demoted operator, or one given a new password, is signed out; a colleague's session is untouched", async () => {
    await addUser(world.usersFile, { name: "demoted", password: "demoted-password-1", role: "admin" });
    await addUser(world.usersFile, { name: "reset", password: "reset-password-1", role: "responder" });
    const demoted = await signIn("demoted", "demoted-password-1");
    const reset = await signIn("reset", "reset-password-1");
    await addUser(world.usersFile, { name: "demoted", password: "demoted-password-1", role: "viewer" });
    await addUser(world.usersFile, { name: "reset", password: "reset-password-2", role: "responder" });
    assert.equal((await demoted.request("/api/v1/me")).status, 401);
    assert.equal((await reset.request("/api/v1/me")).status, 401);
    assert.equal((await admin.request("/api/v1/me")).status, 200, "the admin's own session goes on");
    // Signed in again, the demoted operator has the new role.
    const again = await signIn("demoted", "demoted-password-1");
    assert.equal(((await (await again.request("/api/v1/me")).json()) as { role: string }).role, "viewer");
  });
});
