/**
 * `mde-partner webhook set` and forwarding from `sync --watch`, through the real
 * binary against `mde-partner emulator`: refused targets (plain http to another
 * host, a metadata address, a private one without --allow-private) are bad
 * input and leave the config alone; the config keeps only references; `sync
 * --watch` then delivers every synced alert to a receiver on 127.0.0.1, signed
 * with the secret and carrying the API key read from the environment.
 */
import assert from "node:assert/strict";
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac } from "node:crypto";
import { once } from "node:events";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { bin, emulatorInitArgs, type ReadyLine, runCli, startEmulator, tempDir } from "./helpers.js";

describe("mde-partner webhook: configuration and forwarding from sync --watch", () => {
  let emulator: Awaited<ReturnType<typeof startEmulator>>;
  let info: ReadyLine;
  let server: Server;
  let hookUrl = "";
  const received: Array<{ headers: IncomingHttpHeaders; body: string }> = [];
  const home = tempDir("mde-cli-webhook-");
  const env = () => ({ MDE_TEST_CLIENT_SECRET: info.partnerApp.clientSecret, HOOK_SECRET: "hook-signing-secret", HOOK_KEY: "receiver-api-key" });
  const cli = (args: string[]) => runCli(args, { home, env: env() });
  let watcher: ChildProcess | undefined;

  before(async () => {
    emulator = await startEmulator(["--tenants", "1", "--alerts-per-tenant", "12", "--machines-per-tenant", "1", "--seed", "31"]);
    info = emulator.info;
    server = createServer(async (req, res) => {
      let body = "";
      for await (const c of req) body += c;
      received.push({ headers: req.headers, body });
      res.writeHead(204).end();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
  });
  after(async () => {
    if (watcher && watcher.exitCode === null) {
      watcher.kill("SIGKILL");
      await once(watcher, "exit");
    }
    server?.close();
    await emulator?.stop();
  });

  it("refuses unsafe targets as bad input and stores references only", async () => {
    assert.equal((await cli(emulatorInitArgs(info, "MDE_TEST_CLIENT_SECRET"))).code, 0);
    const refused: Array<[string[], RegExp]> = [
      [["http://soar.example.com/hook"], /must be https/],
      [["https://169.254.169.254/latest/meta-data/"], /metadata/],
      [["https://169.254.169.254/", "--allow-private"], /metadata/],
      [["https://10.1.2.3/hook"], /private address/],
    ];
    for (const [args, why] of refused) {
      const r = await cli(["webhook", "set", ...args]);
      assert.equal(r.code, 2, `${args.join(" ")}: ${r.stderr}`);
      assert.match(r.stderr, why);
    }
    assert.equal(JSON.parse(readFileSync(join(home, "config.json"), "utf8")).webhook, undefined, "nothing stored");

    const privateOk = await cli(["webhook", "set", "https://10.1.2.3/hook", "--allow-private"]);
    assert.equal(privateOk.code, 0, privateOk.stderr);
    const r = await cli(["webhook", "set", hookUrl, "--secret-env", "HOOK_SECRET", "--api-key-env", "HOOK_KEY", "--interval", "1s", "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(join(home, "config.json"), "utf8");
    assert.deepEqual(JSON.parse(text).webhook, { url: hookUrl, secretEnv: "HOOK_SECRET", apiKeyEnv: "HOOK_KEY", intervalSec: 1 });
    assert.ok(!text.includes("hook-signing-secret") && !text.includes("receiver-api-key"), "no secret in the config");
  });

  it("sync --watch forwards every synced alert, signed and with the API key", async () => {
    const tenant = info.tenants[0]!;
    assert.equal((await cli(["tenants", "add", tenant.id, "--name", tenant.name])).code, 0);
    watcher = spawn(process.execPath, [bin, "sync", "--watch", "--interval", "5s"], {
      stdio: ["ignore", "pipe", "pipe"],
      env: { ...process.env, MDE_PARTNER_HOME: home, NO_COLOR: "1", ...env() },
    });
    let stderr = "";
    watcher.stderr!.on("data", (d) => (stderr += d));
    const deadline = Date.now() + 60_000;
    while (received.length < tenant.alerts && Date.now() < deadline && watcher.exitCode === null) await new Promise((r) => setTimeout(r, 200));
    assert.equal(received.length, tenant.alerts, `every alert delivered once; stderr: ${stderr}`);
    for (const { headers, body } of received) {
      assert.equal(headers["x-api-key"], "receiver-api-key");
      assert.equal(headers["x-signature-256"], `sha256=${createHmac("sha256", "hook-signing-secret").update(body).digest("hex")}`);
      assert.equal(JSON.parse(body).tenantId, tenant.id);
    }
    watcher.kill("SIGTERM");
    const [code] = (await once(watcher, "exit")) as [number | null];
    assert.equal(code, 0, stderr);
    assert.match(stderr, /webhook: \d+ alert\(s\) delivered/);
    assert.ok(!stderr.includes("hook-signing-secret") && !stderr.includes("receiver-api-key"));
  });
});
