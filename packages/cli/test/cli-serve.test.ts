/**
 * `mde-partner serve` and `mde-partner users` through the real binary, against
 * the emulator (served on a socket by the test's process): the console answers
 * over HTTPS with the certificate it generated into the home (trusted explicitly, never by turning
 * verification off), sends strangers to sign-in, lets an operator added with
 * `users add` sign in (the form's CSRF token), counts the partner client's API
 * calls on /metrics, stops on SIGTERM with exit 0, and reuses its certificate
 * on the next start.
 */
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { Agent, fetch } from "undici";
import { type CliHome, emulatorHome, type EmulatorWorld, servedEmulator, tempDir } from "./helpers.js";

/** A browser-like client of the console: its own cookie jar, no redirects followed, the console's certificate trusted. */
function browser(base: string, ca: string) {
  const dispatcher = new Agent({ connect: { ca } });
  const jar = new Map<string, string>();
  const request = async (path: string, init: { method?: string; form?: Record<string, string>; headers?: Record<string, string> } = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    if (init.form) headers["content-type"] = "application/x-www-form-urlencoded";
    const res = await fetch(new URL(path, base), {
      dispatcher,
      method: init.method ?? (init.form ? "POST" : "GET"),
      headers,
      redirect: "manual",
      ...(init.form ? { body: new URLSearchParams(init.form).toString() } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      const value = pair!.slice(eq + 1);
      if (value === "" || /max-age=0/i.test(line)) jar.delete(pair!.slice(0, eq));
      else jar.set(pair!.slice(0, eq), value);
    }
    return { status: res.status, location: res.headers.get("location"), body: await res.text() };
  };
  return { request, jar, close: () => dispatcher.close() };
}

const hidden = (html: string, name: string) => new RegExp(`name="${name}" value="([^"]+)"`).exec(html)?.[1];

describe("mde-partner serve", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  const home = tempDir("mde-cli-serve-");
  const password = "correct horse battery staple";

  before(async () => {
    world = await servedEmulator({ tenants: 2, alertsPerTenant: 5, machinesPerTenant: 2, seed: 5 });
    cli = await emulatorHome(world.info, { home, tenants: [{ id: world.info.tenants[0]!.id, name: "Contoso" }] });
  });
  after(async () => {
    await world?.stop();
  });

  it("manages operators: the password comes from stdin or the environment, and the file is private", async () => {
    const r = await cli.ok(["users", "add", "alice", "--role", "admin"], { input: `${password}\n` });
    assert.match(r.stdout, /added alice \(admin\)/);
    await cli.ok(["users", "add", "bob", "--role", "viewer"], { env: { MDE_PARTNER_PASSWORD: "bobs-password-1" } });
    const file = join(home, "console-users.json");
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, "utf8");
    assert.ok(!text.includes(password) && !text.includes("bobs-password-1"), "no password in the users file");
    const list = await cli.json<Array<{ name: string; role: string; passwordHash?: string }>>(["users", "list", "--json"]);
    assert.deepEqual(list.map((u) => [u.name, u.role]), [["alice", "admin"], ["bob", "viewer"]]);
    assert.ok(list.every((u) => u.passwordHash === undefined), "list shows no hashes");
    await cli.ok(["users", "remove", "bob"]);
    assert.deepEqual((await cli.json<Array<{ name: string }>>(["users", "list", "--json"])).map((u) => u.name), ["alice"]);
  });

  it("serves the console over HTTPS with a certificate made once; sign-in, CSRF, metrics; SIGTERM exits 0", async () => {
    const serve = cli.start(["serve", "--port", "0"]);
    let ca: string;
    let url: string;
    try {
      url = (await serve.waitFor(/mde-partner console (https:\/\/127\.0\.0\.1:\d+)\n/))[1]!;
      const certFile = (await serve.waitFor(/certificate +(\S+) \(self-signed, generated now/))[1]!;
      assert.equal(certFile, join(home, "console-cert.pem"));
      assert.equal(statSync(certFile).mode & 0o777, 0o600);
      assert.equal(statSync(join(home, "console-key.pem")).mode & 0o777, 0o600);
      assert.equal((await serve.waitFor(/consent +(\S+)\n/))[1], `${url}/consent/callback`);
      ca = readFileSync(certFile, "utf8");
      const b = browser(url, ca);
      try {
        let r = await b.request("/healthz");
        assert.equal(r.status, 200);
        assert.equal((JSON.parse(r.body) as { status: string }).status, "ok");

        r = await b.request("/");
        assert.equal(r.status, 302);
        assert.match(r.location ?? "", /^\/login\?next=/);

        // The sign-in form's own CSRF token: without it the form is refused even with the right password.
        r = await b.request("/login");
        assert.equal(r.status, 200);
        const loginToken = hidden(r.body, "_login");
        assert.ok(loginToken, "the sign-in form carries a token");
        r = await b.request("/login", { form: { name: "alice", password, next: "/tenants" } });
        assert.equal(r.status, 403);
        r = await b.request("/login", { form: { name: "alice", password: "wrong password!", _login: loginToken!, next: "/tenants" } });
        assert.equal(r.status, 401);
        r = await b.request("/login", { form: { name: "alice", password, _login: hidden(r.body, "_login")!, next: "/tenants" } });
        assert.equal(r.status, 303, r.body.slice(0, 300));
        assert.equal(r.location, "/tenants");

        r = await b.request("/tenants");
        assert.equal(r.status, 200);
        assert.match(r.body, /Contoso/);
        const csrf = hidden(r.body, "_csrf");
        assert.ok(csrf, "pages carry the session's CSRF token");

        // A state change needs the session's token; with it, the console verifies the tenant through the partner client.
        const tenant = world.info.tenants[0]!.id;
        r = await b.request(`/api/v1/tenants/${tenant}/verify`, { method: "POST" });
        assert.equal(r.status, 403);
        r = await b.request(`/api/v1/tenants/${tenant}/verify`, { method: "POST", headers: { "x-csrf-token": csrf! } });
        assert.equal(r.status, 200, r.body);
        r = await b.request("/metrics");
        assert.equal(r.status, 200);
        assert.match(r.body, new RegExp(`mde_console_api_calls_total\\{tenant="${tenant}",status="2xx"\\} [1-9]`));
      } finally {
        await b.close();
      }
    } finally {
      assert.equal(await serve.stop("SIGTERM"), 0, serve.stderr());
    }

    // The next start reuses the certificate: a browser exception or a pinned certificate keeps working.
    const again = cli.start(["serve", "--port", "0", "--one-time-login"]);
    try {
      const next = (await again.waitFor(/mde-partner console (https:\/\/127\.0\.0\.1:\d+)\n/))[1]!;
      await again.waitFor(/certificate +\S+ \(self-signed;/);
      assert.equal(readFileSync(join(home, "console-cert.pem"), "utf8"), ca);
      const link = (await again.waitFor(/sign in once (https:\S+)\n/))[1]!;
      const b = browser(next, ca);
      try {
        const r = await b.request(link.slice(next.length));
        assert.equal(r.status, 302);
        assert.equal(r.location, "/overview");
        assert.equal((await b.request("/tenants")).status, 200);
      } finally {
        await b.close();
      }
    } finally {
      assert.equal(await again.stop("SIGINT"), 0, again.stderr());
    }
  });
});
