/**
 * `mde-partner serve` evaluates the notification rules: an alert added at the
 * customer (emulator control API) after the rule, synced by the console's
 * "Sync all", reaches a receiver on 127.0.0.1 once; the console's
 * Notifications page shows it in the delivery log and its test button sends.
 */
import assert from "node:assert/strict";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { Agent, fetch } from "undici";
import { type CliHome, emulatorHome, type EmulatorWorld, type RunningCli, servedEmulator, tempDir } from "./helpers.js";

/** A browser-like client of the console: its cookies, no redirects followed, the console's certificate trusted. */
function browser(base: string, ca: string) {
  const dispatcher = new Agent({ connect: { ca } });
  const jar = new Map<string, string>();
  const request = async (path: string, form?: Record<string, string>) => {
    const headers: Record<string, string> = {};
    if (jar.size) headers.cookie = [...jar].map(([k, v]) => `${k}=${v}`).join("; ");
    if (form) headers["content-type"] = "application/x-www-form-urlencoded";
    const res = await fetch(new URL(path, base), {
      dispatcher,
      method: form ? "POST" : "GET",
      headers,
      redirect: "manual",
      ...(form ? { body: new URLSearchParams(form).toString() } : {}),
    });
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair!.indexOf("=");
      jar.set(pair!.slice(0, eq), pair!.slice(eq + 1));
    }
    return { status: res.status, body: await res.text() };
  };
  return { request, close: () => dispatcher.close() };
}

describe("mde-partner serve delivers notifications", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  let receiver: Server;
  let hookUrl = "";
  const bodies: string[] = [];
  const home = tempDir("mde-cli-notify-serve-");
  let serve: RunningCli | undefined;

  before(async () => {
    world = await servedEmulator({ tenants: 1, alertsPerTenant: 4, machinesPerTenant: 1, seed: 19 });
    cli = await emulatorHome(world.info, { home, tenants: world.info.tenants });
    await cli.ok(["tenants", "verify", "--all"]);
    await cli.ok(["sync", "--once"]);
    await cli.ok(["users", "add", "alice", "--role", "admin"], { env: { MDE_PARTNER_PASSWORD: "alice-password-12345" } });
    receiver = createServer(async (req, res) => {
      let body = "";
      for await (const c of req) body += c;
      bodies.push(body);
      res.writeHead(204).end();
    });
    receiver.listen(0, "127.0.0.1");
    await once(receiver, "listening");
    hookUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
  });
  after(async () => {
    await serve?.stop("SIGKILL");
    receiver?.close();
    await world?.stop();
  });

  it("an alert synced by the console reaches the receiver once; the page shows the log and tests", async () => {
    await cli.ok(["notify", "add", "--name", "console-rule", "--to", `webhook:${hookUrl}`, "--interval", "0s"]);
    serve = cli.start(["serve", "--port", "0", "--one-time-login"]);
    const url = (await serve.waitFor(/mde-partner console (https:\/\/127\.0\.0\.1:\d+)\n/))[1]!;
    const link = (await serve.waitFor(/sign in once (https:\S+)\n/))[1]!;
    const b = browser(url, readFileSync(join(home, "console-cert.pem"), "utf8"));
    try {
      assert.equal((await b.request(link.slice(url.length))).status, 302);
      const csrf = /name="_csrf" value="([^"]+)"/.exec((await b.request("/tenants")).body)?.[1];
      assert.ok(csrf);

      const tenant = world.info.tenants[0]!.id;
      const res = await world.emulator.fetch(`${world.info.controlUrl}/tenants/${tenant}/alerts`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ count: 1 }),
      });
      const [alertId] = ((await res.json()) as { ids: string[] }).ids;
      assert.equal((await b.request("/sync", { _csrf: csrf! })).status, 200);
      for (let i = 0; i < 300 && bodies.length === 0; i++) await delay(100);
      assert.equal(bodies.length, 1, serve.stderr());
      assert.equal(JSON.parse(bodies[0]!).alerts[0].alertId, alertId);

      let page = await b.request("/admin/notifications");
      assert.equal(page.status, 200);
      assert.match(page.body, /data-rule="console-rule"/);
      assert.match(page.body, /data-status="delivered"/);
      page = await b.request("/admin/notifications/console-rule/test", { _csrf: csrf! });
      assert.match(page.body, /Test of console-rule: sent to 1 destination/);
      assert.equal(JSON.parse(bodies.at(-1)!).kind, "test");
      await delay(200);
      assert.equal(bodies.filter((x) => JSON.parse(x).kind !== "test").length, 1, "nothing twice");
    } finally {
      await b.close();
    }
    assert.equal(await serve.stop("SIGTERM"), 0, serve.stderr());
  });
});
