/**
 * The console's commands called as plain functions: `init --admin-user` and
 * `users` with the password from piped stdin, and `serve --http` on loopback
 * answering /healthz until its stop signal, then returning exit 0. Plus the
 * certificate made once and reused.
 */
import assert from "node:assert/strict";
import { readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runInit } from "../src/commands/init/run.js";
import { runServe } from "../src/commands/serve/run.js";
import { runUsersAdd, runUsersList } from "../src/commands/users/run.js";
import { homeCertificate } from "../src/console-certificate.js";
import { type CliError, EXIT } from "../src/errors.js";
import { commandContext, tempDir } from "./helpers.js";

const APP = "11111111-2222-3333-4444-555555555555";

describe("console commands as functions", () => {
  it("init --admin-user creates the first admin from piped stdin; users add refuses a short password", async () => {
    const home = tempDir("mde-cli-console-init-");
    const { ctx } = commandContext(home, { env: { S: "x" }, stdin: "first-admin-password\n" });
    assert.equal(await runInit({ clientId: APP, clientSecretEnv: "S", adminUser: "root", quiet: true }, ctx), EXIT.ok);
    const list = commandContext(home);
    await runUsersList({ json: true }, list.ctx);
    assert.deepEqual(
      (JSON.parse(list.out.join("")) as Array<{ name: string; role: string }>).map((u) => [u.name, u.role]),
      [["root", "admin"]],
    );
    await assert.rejects(
      () => runUsersAdd("eve", { role: "viewer" }, commandContext(home, { stdin: "short\n" }).ctx),
      (e: CliError) => e.exitCode === EXIT.usage && /at least 12/.test(e.message),
    );
    assert.equal(await runUsersAdd("eve", { role: "viewer", quiet: true }, commandContext(home, { stdin: "long enough pw" }).ctx), EXIT.ok);
    assert.equal(statSync(join(home, "console-users.json")).mode & 0o777, 0o600);
  });

  it("serve --http on loopback answers /healthz until stopped, then returns 0", async () => {
    const home = tempDir("mde-cli-console-serve-");
    assert.equal(await runInit({ clientId: APP, clientSecretEnv: "S", quiet: true }, commandContext(home, { env: { S: "x" } }).ctx), EXIT.ok);
    const { ctx, out, err, waitFor } = commandContext(home, { env: { S: "x" } });
    const stop = new AbortController();
    const exit = runServe({ http: true, port: "0" }, ctx, stop.signal);
    // Ready once it says how to stop it (after the URL and every warning).
    await waitFor(/press Ctrl\+C/);
    const url = /console (http:\/\/127\.0\.0\.1:\d+)/.exec(out.join(""))?.[1];
    assert.ok(url, `no URL printed: ${out.join("")}${err.join("")}`);
    const health = await fetch(`${url}/healthz`);
    assert.equal(health.status, 200);
    assert.match(err.join(""), /nobody can sign in yet/);
    stop.abort();
    assert.equal(await exit, EXIT.ok);
    await assert.rejects(fetch(`${url}/healthz`), "stopped: nothing listens any more");
  });

  it("makes the console certificate once and reuses it", async () => {
    const home = tempDir("mde-cli-console-cert-");
    const first = await homeCertificate(home, "127.0.0.1");
    assert.equal(first.origin, "generated");
    const second = await homeCertificate(home, "127.0.0.1");
    assert.equal(second.origin, "reused");
    assert.equal(second.certPem, first.certPem);
    assert.equal(readFileSync(join(home, "console-key.pem"), "utf8"), first.keyPem);
    assert.equal((await homeCertificate(home, "console.example")).hostMismatch, true);
    // Near its end the certificate is replaced.
    const later = await homeCertificate(home, "127.0.0.1", Date.now() + 396 * 86_400_000);
    assert.equal(later.origin, "generated");
    assert.notEqual(later.certPem, first.certPem);
  });
});
