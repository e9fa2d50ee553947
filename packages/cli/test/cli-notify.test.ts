/**
 * `mde-partner notify` through the real binary against the emulator: unsafe
 * destinations and secrets in place of references are bad input; a rule is
 * listed without secrets or URL paths; an alert added at the customer
 * (emulator control API) after the rule reaches the webhook and the syslog
 * listener on 127.0.0.1 exactly once with `sync --once`, and older alerts
 * never; `notify test` sends a test message; `notify remove` removes the rule.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { once } from "node:events";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { setTimeout as delay } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { cliHome, emulatorInitArgs, type EmulatorWorld, type RunningCli, servedEmulator, tempDir } from "./helpers.js";

describe("mde-partner notify: rules, and delivery by sync", () => {
  let world: EmulatorWorld;
  let http: Server;
  let syslog: TcpServer;
  let hookUrl = "";
  let syslogUrl = "";
  const hooks: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const frames: string[] = [];
  const home = tempDir("mde-cli-notify-");
  const cli = cliHome(home, () => ({ MDE_TEST_CLIENT_SECRET: world.info.partnerApp.clientSecret, HOOK_SECRET: "notify-signing-secret" }));

  before(async () => {
    world = await servedEmulator({ tenants: 1, alertsPerTenant: 6, machinesPerTenant: 1, seed: 18 });
    http = createServer(async (req, res) => {
      let body = "";
      for await (const c of req) body += c;
      hooks.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
    http.listen(0, "127.0.0.1");
    await once(http, "listening");
    hookUrl = `http://127.0.0.1:${(http.address() as AddressInfo).port}/hook`;
    syslog = createTcpServer((s) => {
      let text = "";
      s.on("data", (d) => (text += d));
      s.on("end", () => frames.push(text.replace(/^\d+ /, "")));
    });
    syslog.listen(0, "127.0.0.1");
    await once(syslog, "listening");
    syslogUrl = `tcp://127.0.0.1:${(syslog.address() as AddressInfo).port}`;
  });
  after(async () => {
    await watcher?.stop("SIGKILL");
    http?.close();
    syslog?.close();
    await world?.stop();
  });

  let watcher: RunningCli | undefined;
  const addAlertAtCustomer = async () => {
    const tenant = world.info.tenants[0]!;
    const res = await world.emulator.fetch(`${world.info.controlUrl}/tenants/${tenant.id}/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ count: 1 }),
    });
    assert.equal(res.status, 201);
    return ((await res.json()) as { ids: string[] }).ids[0]!;
  };
  const settle = async (n: number) => {
    for (let i = 0; i < 100 && frames.length < n; i++) await delay(20);
  };

  it("refuses unsafe destinations and literal secrets, and lists a rule without secrets", async () => {
    await cli.ok(emulatorInitArgs(world.info, "MDE_TEST_CLIENT_SECRET"));
    const tenant = world.info.tenants[0]!;
    await cli.ok(["tenants", "add", tenant.id, "--name", tenant.name]);
    await cli.ok(["sync", "--once"]);
    const refused: Array<[string[], RegExp]> = [
      [["--to", "webhook:http://soar.example.com/hook"], /must be https/],
      [["--to", "slack:https://169.254.169.254/x"], /metadata/],
      [["--to", "pagerduty:R0UTINGKEY0123"], /reference/],
      [["--to", "syslog:tcp://siem.example.com:514"], /only for a listener on this machine/],
      [["--to", `webhook:${hookUrl}`, "--title-pattern", "(a+)+$"], /nest quantifiers/],
    ];
    for (const [args, why] of refused) {
      const r = await cli.run(["notify", "add", "--name", "bad", ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, why);
    }
    await cli.ok(["notify", "add", "--name", "soc", "--to", `webhook:${hookUrl}`, "--secret-ref", "env:HOOK_SECRET", "--to", `syslog:${syslogUrl}`, "--interval", "0s"]);
    const again = await cli.run(["notify", "add", "--name", "soc", "--to", `webhook:${hookUrl}`]);
    assert.equal(again.code, 2, again.stderr);
    const list = await cli.json<Array<{ name: string; destinations: Array<{ kind: string; target: string }> }>>(["notify", "list", "--json"]);
    assert.deepEqual(
      list.map((r) => [r.name, r.destinations.map((d) => d.kind)]),
      [["soc", ["webhook", "syslog"]]],
    );
    assert.ok(!JSON.stringify(list).includes("/hook"), "no URL path in the list");
  });

  it("an alert added at the customer reaches every destination exactly once with sync --once; older alerts never", async () => {
    const tenant = world.info.tenants[0]!;
    await cli.ok(["sync", "--once"]);
    assert.equal(hooks.length, 0, "alerts synced before the rule are not notified");
    const res = await world.emulator.fetch(`${world.info.controlUrl}/tenants/${tenant.id}/alerts`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ count: 1 }),
    });
    assert.equal(res.status, 201);
    const added = (await res.json()) as { ids: string[] };
    assert.equal(added.ids.length, 1);
    const r = await cli.ok(["sync", "--once"]);
    await settle(1);
    assert.equal(hooks.length, 1, r.stderr);
    assert.equal(frames.length, 1);
    const hook = hooks[0]!;
    assert.equal(hook.headers["x-signature-256"], `sha256=${createHmac("sha256", "notify-signing-secret").update(hook.body).digest("hex")}`);
    const body = JSON.parse(hook.body);
    assert.equal(body.alerts[0].alertId, added.ids[0]);
    assert.equal(body.alerts[0].tenantId, tenant.id);
    assert.match(frames[0]!, new RegExp(`cs3=${added.ids[0]}`));
    assert.match(r.stderr, /notify: 1 matching alert version\(s\), 2 message\(s\) delivered/);

    await cli.ok(["sync", "--once"]);
    await delay(100);
    assert.equal(hooks.length, 1, "nothing twice");
    assert.equal(frames.length, 1);
    for (const run of cli.runs) assert.ok(!run.stderr.includes("notify-signing-secret") && !run.stdout.includes("notify-signing-secret"));
  });

  it("notify test sends a test message; notify remove removes the rule", async () => {
    const r = await cli.json<Array<{ ok: boolean }>>(["notify", "test", "soc", "--json"]);
    assert.deepEqual(
      r.map((x) => x.ok),
      [true, true],
    );
    await settle(2);
    assert.equal(JSON.parse(hooks.at(-1)!.body).kind, "test");
    assert.equal(frames.length, 2);
    await cli.ok(["notify", "remove", "soc"]);
    assert.deepEqual(await cli.json(["notify", "list", "--json"]), []);
    assert.equal((await cli.run(["notify", "remove", "soc"])).code, 2);
  });

  it("sync --watch evaluates the rules while it runs", async () => {
    await cli.ok(["notify", "add", "--name", "watch", "--to", `webhook:${hookUrl}`, "--interval", "0s"]);
    const before = hooks.length;
    watcher = cli.start(["sync", "--watch", "--interval", "5s"]);
    const id = await addAlertAtCustomer();
    for (let i = 0; i < 600 && !hooks.slice(before).some((h) => h.body.includes(id)); i++) await delay(100);
    assert.equal(await watcher.stop("SIGTERM"), 0, watcher.stderr());
    const arrived = hooks.slice(before).filter((h) => JSON.parse(h.body).alerts.some((a: { alertId: string }) => a.alertId === id));
    assert.equal(arrived.length, 1, watcher.stderr());
    assert.match(watcher.stderr(), /notify: 1 matching alert version\(s\), 1 message\(s\) delivered/);
  });
});
