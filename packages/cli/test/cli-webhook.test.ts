/**
 * `mde-partner webhook set` and forwarding from `sync --watch`, through the real
 * binary against the emulator: refused targets (plain http to another
 * host, a metadata address, a private one without --allow-private) are bad
 * input and leave the config alone; the config keeps only references; `sync
 * --watch` then delivers every synced alert to a receiver on 127.0.0.1, signed
 * with the secret and carrying the API key read from the environment.
 */
import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { setTimeout as delay } from "node:timers/promises";
import { after, before, describe, it } from "node:test";
import { cliHome, emulatorInitArgs, type EmulatorWorld, type RunningCli, servedEmulator, tempDir } from "./helpers.js";

describe("mde-partner webhook: configuration and forwarding from sync --watch", () => {
  let world: EmulatorWorld;
  let server: Server;
  let hookUrl = "";
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  /** Called on each delivery. */
  let onDelivery = () => {};
  const home = tempDir("mde-cli-webhook-");
  const cli = cliHome(home, () => ({
    MDE_TEST_CLIENT_SECRET: world.info.partnerApp.clientSecret,
    HOOK_SECRET: "hook-signing-secret",
    HOOK_KEY: "receiver-api-key",
  }));
  let watcher: RunningCli | undefined;

  before(async () => {
    world = await servedEmulator({ tenants: 1, alertsPerTenant: 12, machinesPerTenant: 1, seed: 31 });
    server = createServer(async (req, res) => {
      let body = "";
      for await (const c of req) body += c;
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
      onDelivery();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  after(async () => {
    await watcher?.stop("SIGKILL");
    server?.close();
    await world?.stop();
  });

  it("refuses unsafe targets as bad input and stores references only", async () => {
    await cli.ok(emulatorInitArgs(world.info, "MDE_TEST_CLIENT_SECRET"));
    const refused: Array<[string[], RegExp]> = [
      [["http://soar.example.com/hook"], /must be https/],
      [["https://169.254.169.254/latest/meta-data/"], /metadata/],
      [["https://169.254.169.254/", "--allow-private"], /metadata/],
      [["https://10.1.2.3/hook"], /private address/],
    ];
    for (const [args, why] of refused) {
      const r = await cli.run(["webhook", "set", ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, why);
    }
    assert.equal(JSON.parse(readFileSync(join(home, "config.json"), "utf8")).webhook, undefined, "nothing stored");

    const privateOk = await cli.run(["webhook", "set", "https://10.1.2.3/hook", "--allow-private"]);
    assert.equal(privateOk.code, 0, privateOk.stderr);
    const r = await cli.run(["webhook", "set", hookUrl, "--secret-env", "HOOK_SECRET", "--api-key-env", "HOOK_KEY", "--interval", "1s", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(join(home, "config.json"), "utf8");
    assert.deepEqual(JSON.parse(text).webhook, { url: hookUrl, secretEnv: "HOOK_SECRET", apiKeyEnv: "HOOK_KEY", intervalSec: 1 });
    assert.ok(!text.includes("hook-signing-secret") && !text.includes("receiver-api-key"), "no secret in the config");
  });

  it("sync --watch forwards every synced alert, signed and with the API key", async () => {
    const tenant = world.info.tenants[0]!;
    await cli.ok(["tenants", "add", tenant.id, "--name", tenant.name]);
    const allDelivered = new Promise<void>((resolve) => {
      onDelivery = () => {
        if (received.length >= tenant.alerts) resolve();
      };
    });
    watcher = cli.start(["sync", "--watch", "--interval", "5s"]);
    await Promise.race([allDelivered, watcher.exited, delay(60_000, undefined, { ref: false })]);
    const stderr = watcher.stderr();
    assert.equal(received.length, tenant.alerts, `every alert delivered once; stderr: ${stderr}`);
    for (const { headers, body } of received) {
      assert.equal(headers["x-api-key"], "receiver-api-key");
      assert.equal(headers["x-signature-256"], `sha256=${createHmac("sha256", "hook-signing-secret").update(body).digest("hex")}`);
      assert.equal(JSON.parse(body).tenantId, tenant.id);
    }
    assert.equal(await watcher.stop("SIGTERM"), 0, watcher.stderr());
    assert.match(watcher.stderr(), /webhook: \d+ alert\(s\) delivered/);
    assert.ok(!watcher.stderr().includes("hook-signing-secret") && !watcher.stderr().includes("receiver-api-key"));
  });
});
