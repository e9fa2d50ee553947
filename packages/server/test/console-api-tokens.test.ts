// API tokens for the console's JSON API, in process (app.request): an admin creates one on
// /admin/tokens (shown once, stored hashed), automation sends it as `Authorization: Bearer …`,
// and expiry, revocation, scope and the CSRF rule hold as a user (or an attacker) would notice.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { openStore, type Store } from "@mde-partner/sync";
import { removeTemp, tempDir } from "@mde-partner/test-kit";
import { type Agent, createWorld, signedIn, type World } from "./support.js";

const DAY = 24 * 60 * 60_000;
let now = Date.parse("2026-12-01T10:00:00Z");
const clock = { now: () => now };

let world: World;
let store: Store;
let dir: string;
let storeFile: string;
let tenantA: string;
let tenantB: string;
let machineB: string;
let admin: Agent;

before(async () => {
  dir = tempDir("mde-console-tokens-");
  storeFile = join(dir, "store.db");
  store = await openStore({ url: storeFile });
  world = await createWorld({
    emulator: { tenants: [{ name: "Contoso" }, { name: "Fabrikam" }] },
    console: { store, clock },
  });
  [tenantA, tenantB] = world.info.tenants.map((t) => t.id) as [string, string];
  for (const [id, name] of [
    [tenantA, "Contoso"],
    [tenantB, "Fabrikam"],
  ] as const) {
    await store.upsertTenant({ id, name, initialState: "consented" });
    const machines = await world.partner.tenant(id).machines.list({ top: 2 });
    await store.upsertMachines(id, machines.value);
    if (id === tenantB) machineB = machines.value[0]!.id;
  }
  await store.addToGroup("customers-a", [tenantA]);
  admin = await signedIn(world, "admin");
});
after(async () => {
  await world.close();
  await store.close();
  removeTemp(dir);
});

/** Creates a token on the console's page as the signed-in admin; returns its text from the page. */
async function createToken(fields: { name: string; role: string; group?: string; expires?: string }): Promise<string> {
  const res = await admin.form("/admin/tokens", { group: "", expires: "90", ...fields });
  const html = await res.text();
  assert.equal(res.status, 200, html.slice(0, 500));
  const token = /<code id="new-token">([^<]+)<\/code>/.exec(html)?.[1];
  assert.ok(token, "the page shows the new token");
  return token;
}

/** A request as automation sends it: the bearer header, no cookie. */
function bearer(token: string, path: string, init: RequestInit = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("authorization", `Bearer ${token}`);
  return world.console.app.request(new URL(path, "http://127.0.0.1:8080").toString(), { ...init, headers });
}

const json = (method: string, body: unknown): RequestInit => ({ method, headers: { "content-type": "application/json" }, body: JSON.stringify(body) });

describe("API tokens", () => {
  let viewerToken: string;

  it("an admin creates a token on /admin/tokens: shown once, then only listed; the store keeps a SHA-256 of it, never the text", async () => {
    viewerToken = await createToken({ name: "reporting", role: "viewer" });
    assert.match(viewerToken, /^mdep_[A-Za-z0-9_-]{43}$/);

    const list = await (await admin.request("/admin/tokens")).text();
    assert.match(list, /reporting/);
    assert.ok(!list.includes(viewerToken), "the list never shows the token again");

    // At rest: the row holds the hash; no file of the store holds the text.
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(storeFile, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare("SELECT * FROM api_tokens").all() as Array<Record<string, unknown>>;
      const row = rows.find((r) => r.name === "reporting");
      assert.ok(row);
      const { createHash } = await import("node:crypto");
      assert.equal(row.token_hash, createHash("sha256").update(viewerToken).digest("hex"));
      assert.ok(!JSON.stringify(rows).includes(viewerToken.slice(5)));
    } finally {
      db.close();
    }
    for (const file of [storeFile, `${storeFile}-wal`]) {
      let bytes: Buffer;
      try {
        bytes = readFileSync(file);
      } catch {
        continue;
      }
      assert.ok(!bytes.includes(viewerToken.slice(5)), `${file} does not hold the token`);
    }

    const entries = await store.queryAudit({ action: "token.create", limit: 10 });
    assert.equal(entries[0]?.actor, "admin");
    assert.equal(entries[0]?.target, "reporting");
    assert.ok(!JSON.stringify(entries).includes(viewerToken.slice(5)), "the audit log does not hold the token");
  });

  it("the token reads the JSON API as token:<name>, with its role; its last use is recorded at most once a minute", async () => {
    const me = await bearer(viewerToken, "/api/v1/me");
    assert.equal(me.status, 200);
    assert.deepEqual(await me.json(), { user: "token:reporting", role: "viewer", via: "token", grants: [{ role: "viewer", group: null }], csrfToken: "" });
    const first = (await store.listApiTokens()).find((t) => t.name === "reporting")!;
    assert.equal(first.lastUsedAt, new Date(now).toISOString());

    now += 30_000;
    assert.equal((await bearer(viewerToken, "/api/v1/tenants")).status, 200);
    assert.equal((await store.listApiTokens()).find((t) => t.name === "reporting")!.lastUsedAt, first.lastUsedAt, "not rewritten within a minute");
    now += 31_000;
    assert.equal((await bearer(viewerToken, "/api/v1/tenants")).status, 200);
    assert.equal((await store.listApiTokens()).find((t) => t.name === "reporting")!.lastUsedAt, new Date(now).toISOString());

    // A viewer token cannot act.
    const refused = await bearer(viewerToken, `/api/v1/tenants/${tenantA}/sync`, { method: "POST" });
    assert.equal(refused.status, 403);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, "forbidden");
  });

  it("with a bearer header the cookie is ignored: a bad token next to an admin's cookie is refused", async () => {
    const res = await admin.request("/api/v1/me", { headers: { authorization: "Bearer mdep_not-a-real-token" } });
    assert.equal(res.status, 401);
    const withToken = await admin.request("/api/v1/me", { headers: { authorization: `Bearer ${viewerToken}` } });
    assert.equal(((await withToken.json()) as { user: string }).user, "token:reporting");
  });

  it("a bearer request changes state without a CSRF token; the audit log names the token, never its text", async () => {
    const token = await createToken({ name: "soar", role: "responder" });
    // The alerts come from the customer's API through the console's own sync.
    const synced = await bearer(token, `/api/v1/tenants/${tenantA}/sync`, { method: "POST" });
    assert.equal(synced.status, 200);
    const alert = (await store.queryAlerts({ tenantIds: [tenantA], limit: 1 })).items[0]!;
    const res = await bearer(token, `/api/v1/alerts/${tenantA}/${alert.id}`, json("PATCH", { status: "InProgress", comment: "triaged by SOAR" }));
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(((await res.json()) as { status: string }).status, "InProgress");
    const entries = await store.queryAudit({ actor: "token:soar", limit: 10 });
    assert.ok(entries.some((e) => e.action === "alert.update" && e.phase === "completed"), JSON.stringify(entries));
    const everything = JSON.stringify(await store.queryAudit({ limit: 1000 }));
    assert.ok(!everything.includes(token.slice(5)));
  });

  it("unknown and malformed tokens get 401 invalid_token with WWW-Authenticate (RFC 6750)", async () => {
    for (const header of [`Bearer mdep_${"A".repeat(43)}`, "Bearer not-ours", "Bearer", "bearer   "]) {
      const res = await world.console.app.request("http://127.0.0.1:8080/api/v1/tenants", { headers: { authorization: header } });
      assert.equal(res.status, 401, header);
      assert.match(res.headers.get("www-authenticate") ?? "", /^Bearer error="invalid_token"/);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, "invalid_token");
    }
  });

  it("revoking a token on the page refuses it at once", async () => {
    const token = await createToken({ name: "short-lived", role: "viewer" });
    assert.equal((await bearer(token, "/api/v1/me")).status, 200);
    const record = (await store.listApiTokens()).find((t) => t.name === "short-lived" && !t.revokedAt)!;
    const page = await admin.form(`/admin/tokens/${record.id}/revoke`, {});
    assert.equal(page.status, 200);
    assert.match(await page.text(), /Revoked API token short-lived/);
    const res = await bearer(token, "/api/v1/me");
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /revoked/);
    const entries = await store.queryAudit({ action: "token.revoke", limit: 5 });
    assert.equal(entries[0]?.target, "short-lived");
    assert.equal(entries[0]?.actor, "admin");
  });

  it("a token past its expiry is refused (the console's clock decides)", async () => {
    const token = await createToken({ name: "weekly", role: "viewer", expires: "7" });
    assert.equal((await bearer(token, "/api/v1/me")).status, 200);
    now += 7 * DAY - 1000;
    assert.equal((await bearer(token, "/api/v1/me")).status, 200);
    now += 2000;
    const res = await bearer(token, "/api/v1/me");
    assert.equal(res.status, 401);
    assert.match(((await res.json()) as { error: { message: string } }).error.message, /expired/);
    // The admin's session ended in those seven days: sign in again for the tests after this one.
    admin = await signedIn(world, "admin");
    const page = await (await admin.request("/admin/tokens")).text();
    assert.match(page, /data-token="[0-9a-f]+" data-state="expired"/);
  });

  it("a token on customer group A reaches A only: lists leave B out, B's URLs answer 404", async () => {
    const token = await createToken({ name: "group-a", role: "responder", group: "customers-a" });
    const tenants = (await (await bearer(token, "/api/v1/tenants")).json()) as { tenants: Array<{ id: string }> };
    assert.deepEqual(
      tenants.tenants.map((t) => t.id),
      [tenantA],
    );
    assert.equal((await bearer(token, `/api/v1/tenants/${tenantB}`)).status, 404);
    assert.equal((await bearer(token, `/api/v1/devices/${tenantB}/${machineB}`)).status, 404);
    const devices = (await (await bearer(token, "/api/v1/devices")).json()) as { items: Array<{ tenantId: string }> };
    assert.ok(devices.items.length > 0);
    assert.ok(devices.items.every((d) => d.tenantId === tenantA));
    const alerts = (await (await bearer(token, "/api/v1/alerts?limit=1000")).json()) as { items: Array<{ tenantId: string }> };
    assert.ok(alerts.items.every((a) => a.tenantId === tenantA));
    const action = await bearer(token, `/api/v1/devices/${tenantB}/${machineB}/actions`, json("POST", { action: "scan", comment: "not mine" }));
    assert.equal(action.status, 404);
  });

  it("a cookie session still needs its CSRF token, whatever Authorization header comes along", async () => {
    const before = (await store.queryAudit({ limit: 1 }))[0]?.id ?? 0;
    // JSON API, an Authorization header of another scheme: the cookie session decides, and CSRF is missing.
    const basic = await admin.request(`/api/v1/tenants/${tenantA}/verify`, {
      method: "POST",
      headers: { authorization: "Basic YWRtaW46YWRtaW4=", "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(basic.status, 403);
    assert.equal(((await basic.json()) as { error: { code: string } }).error.code, "csrf");
    // A bogus bearer header on the JSON API is refused outright (the cookie is not consulted).
    const bogus = await admin.request(`/api/v1/tenants/${tenantA}/verify`, { method: "POST", headers: { authorization: "Bearer bogus" } });
    assert.equal(bogus.status, 401);
    // Pages do not take bearer tokens: a valid one does not stand in for the form's CSRF token.
    const page = await admin.form("/admin/tokens", { name: "sneaky", role: "admin", group: "", expires: "7" }, { csrf: false });
    assert.equal(page.status, 403);
    const withBearer = await admin.request("/admin/tokens", {
      method: "POST",
      headers: { authorization: `Bearer ${viewerToken}`, "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ name: "sneaky", role: "admin", group: "", expires: "7" }).toString(),
    });
    assert.equal(withBearer.status, 403);
    assert.ok(!(await store.listApiTokens()).some((t) => t.name === "sneaky"));
    assert.equal((await store.queryAudit({ limit: 1 }))[0]?.id ?? 0, before, "nothing happened");
  });

  it("only an admin of every tenant manages tokens; a token cannot reach the tokens page", async () => {
    const responder = await signedIn(world, "responder");
    assert.equal((await responder.request("/admin/tokens")).status, 403);
    assert.equal((await responder.form("/admin/tokens", { name: "x", role: "admin" })).status, 403);
    const adminToken = await createToken({ name: "automation-admin", role: "admin" });
    const res = await bearer(adminToken, "/admin/tokens");
    assert.equal(res.status, 302, "a page with only a bearer header is not signed in");
  });

  it("a client presenting bad tokens again and again is slowed down (429) until the window ends, while valid tokens pass", async () => {
    let last: Response | undefined;
    for (let i = 0; i < 21; i++) last = await bearer(`mdep_${String(i).padStart(43, "x")}`, "/api/v1/me");
    assert.equal(last?.status, 429);
    assert.ok(Number(last?.headers.get("retry-after")) > 0);
    assert.equal((await bearer(viewerToken, "/api/v1/me")).status, 200, "a valid token from that address still passes (one proxy address for every client must not lock automation out)");
    assert.equal((await bearer(`mdep_${"y".repeat(43)}`, "/api/v1/me")).status, 429, "bad tokens keep waiting");
    now += 61_000;
    assert.equal((await bearer(`mdep_${"z".repeat(43)}`, "/api/v1/me")).status, 401, "after the window a bad token is refused again, not slowed");
  });
});
