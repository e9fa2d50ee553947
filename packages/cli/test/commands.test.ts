/** Commands called as plain functions (no process, no network): config, permissions, exit codes. */
import assert from "node:assert/strict";
import { mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, it } from "node:test";
import { runAppAz, runAppManifest, runAppPermissions } from "../src/commands/app/run.js";
import { runInit } from "../src/commands/init/run.js";
import { loadConfig } from "../src/config.js";
import { CliError, EXIT, multiTenantExit, toCliError } from "../src/errors.js";
import { commandContext, tempDir } from "./helpers.js";

const APP = "11111111-2222-3333-4444-555555555555";

describe("commands as functions", () => {
  it("init writes a 0600 config that references the secret and refuses a newer config", async () => {
    const home = tempDir("mde-cli-init-");
    const { ctx } = commandContext(home, { env: { MY_SECRET: "abc~supersecret" } });
    assert.equal(await runInit({ clientId: APP, clientSecretEnv: "MY_SECRET", quiet: true }, ctx), EXIT.ok);
    const text = readFileSync(join(home, "config.json"), "utf8");
    assert.doesNotMatch(text, /supersecret/);
    assert.equal(statSync(join(home, "config.json")).mode & 0o777, 0o600);
    assert.deepEqual(loadConfig(home).credential, { type: "secret-env", env: "MY_SECRET" });
    assert.equal(loadConfig(home).cloud.name, "public");

    const newer = tempDir("mde-cli-newer-");
    mkdirSync(newer, { recursive: true });
    writeFileSync(join(newer, "config.json"), JSON.stringify({ version: 2 }));
    await assert.rejects(
      () => runInit({ clientId: APP, clientSecretEnv: "X" }, commandContext(newer).ctx),
      (e: CliError) => e.exitCode === EXIT.usage && /newer/.test(e.message),
    );
    assert.equal(readFileSync(join(newer, "config.json"), "utf8"), JSON.stringify({ version: 2 }), "left alone");
  });

  it("plans least-privilege permissions, the manifest fragment and the az commands", async () => {
    const home = tempDir("mde-cli-app-");
    const a = commandContext(home);
    await runAppPermissions({ for: ["alerts:read", "machines:isolate", "hunting:run"], json: true }, a.ctx);
    // `hunt` calls Graph runHuntingQuery; `machines isolate` looks each machine up first.
    assert.deepEqual(JSON.parse(a.out.join("")).permissions, ["Alert.Read.All", "Machine.Isolate", "Machine.Read.All", "ThreatHunting.Read.All"]);
    assert.deepEqual(JSON.parse(a.out.join("")).resources, ["mde", "graph"]);
    // The README tour runs `machines list` and `sync`: what this CLI uses needs Machine.Read.All.
    const d = commandContext(home);
    await runAppPermissions({ json: true }, d.ctx);
    assert.ok(JSON.parse(d.out.join("")).permissions.includes("Machine.Read.All"));
    const g = commandContext(home);
    await runAppManifest({ for: ["hunting:run"] }, g.ctx);
    assert.deepEqual(JSON.parse(g.out.join("")).requiredResourceAccess, [
      { resourceAppId: "00000003-0000-0000-c000-000000000000", resourceAccess: [{ id: "dd98c7f5-2d42-42d3-a0e4-633161547251", type: "Role" }] },
    ]);
    const m = commandContext(home);
    await runAppManifest({ for: ["alerts:read"] }, m.ctx);
    assert.deepEqual(JSON.parse(m.out.join("")).requiredResourceAccess, [
      {
        resourceAppId: "fc780465-2017-40d4-a0c5-307022471b92",
        resourceAccess: [{ id: "71fe6b80-7034-4028-9ed8-0f316df9c3ff", type: "Role" }],
      },
    ]);
    const z = commandContext(home);
    await runAppAz({ for: ["alerts:read"], appId: APP }, z.ctx);
    assert.match(
      z.out.join(""),
      new RegExp(
        `az ad app permission add --id ${APP} --api fc780465-2017-40d4-a0c5-307022471b92 --api-permissions 71fe6b80-7034-4028-9ed8-0f316df9c3ff=Role`,
      ),
    );
    await assert.rejects(
      () => runAppPermissions({ for: ["alerts:obliterate"] }, a.ctx),
      (e: CliError) => e.exitCode === EXIT.usage,
    );
  });

  it("maps library and store errors to exit codes, and multi-tenant runs to 0/1/2/3", () => {
    assert.equal(toCliError(Object.assign(new Error("nope"), { code: "ERR_MDE_BAD_REQUEST" })).exitCode, EXIT.usage);
    assert.equal(toCliError(Object.assign(new Error("nope"), { code: "ERR_MDE_RATE_LIMITED" })).exitCode, EXIT.failed);
    assert.equal(toCliError(Object.assign(new Error("newer"), { code: "ERR_STORE_SCHEMA_NEWER" })).exitCode, EXIT.usage);
    assert.match(
      toCliError(Object.assign(new Error("x"), { code: "ERR_MDE_CONSENT_REQUIRED", consentUrl: "https://c" })).hint ?? "",
      /https:\/\/c/,
    );
    assert.equal(toCliError(new TypeError("bad id")).exitCode, EXIT.usage);
    const usage = new CliError("x", EXIT.usage);
    const failed = new CliError("y", EXIT.failed);
    assert.equal(multiTenantExit([], 3), EXIT.ok);
    assert.equal(multiTenantExit([failed], 3), EXIT.partial);
    assert.equal(multiTenantExit([usage, usage], 2), EXIT.usage);
    assert.equal(multiTenantExit([usage, failed], 2), EXIT.failed);
  });
});
