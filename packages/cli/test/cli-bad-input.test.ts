/**
 * Bad input through the real binary: every case must give one error line (and
 * at most one hint), its documented exit code (docs/errors.md "Command-line
 * tool"), no stack trace, and leave the store's rows and the config unchanged.
 */
import assert from "node:assert/strict";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import {
  auditSince,
  type CliHome,
  dumpStore,
  emulatorCloudArgs,
  emulatorHome,
  type EmulatorWorld,
  lastAuditId,
  oneLineError,
  runCli,
  servedEmulator,
  tempDir,
} from "./helpers.js";

interface Case {
  name: string;
  args: string[];
  code: number;
  match?: RegExp;
  env?: Record<string, string | undefined>;
  input?: string;
  home?: string;
}

describe("mde-partner: bad input", () => {
  let world: EmulatorWorld;
  let garbage: ReturnType<typeof createServer>;
  let cli: CliHome;
  const home = tempDir("mde-cli-bad-");
  const garbageHome = tempDir("mde-cli-garbage-");
  const newerHome = tempDir("mde-cli-newer-");
  const emptyHome = tempDir("mde-cli-empty-");
  const db = join(home, "mde-partner.db");
  let machine = "";

  before(async () => {
    world = await servedEmulator({ tenants: 2, alertsPerTenant: 5, machinesPerTenant: 2, seed: 3 });
    // A server that answers every API call with HTML, behind a certificate of the emulator's CA.
    garbage = createServer(
      { cert: readFileSync(join(world.stateDir, "server.pem")), key: readFileSync(join(world.stateDir, "server-key.pem")) },
      (_req, res) => {
        res.writeHead(200, { "content-type": "text/html" }).end("<html>not an API</html>");
      },
    );
    await new Promise<void>((resolve) => garbage.listen(0, "127.0.0.1", resolve));
    const garbageUrl = `https://127.0.0.1:${(garbage.address() as AddressInfo).port}`;
    const tenants = [{ id: world.info.tenants[0]!.id, name: "Contoso" }];
    [cli] = await Promise.all([
      emulatorHome(world.info, { home, tenants }),
      emulatorHome(world.info, { home: garbageHome, apiUrl: garbageUrl, tenants }),
    ]);
    machine = (await cli.json<Array<{ id: string }>>(["machines", "list", "--tenant", tenants[0]!.id, "--json"]))[0]!.id;
    mkdirSync(newerHome, { recursive: true });
    writeFileSync(join(newerHome, "config.json"), JSON.stringify({ version: 99, clientId: world.info.partnerApp.clientId, future: true }));
  });
  after(async () => {
    garbage?.close();
    await world?.stop();
  });

  it("answers at least 25 kinds of bad input with one line, the documented exit code, and no change", async () => {
    const t0 = world.info.tenants[0]!.id;
    const unknown = "00000000-0000-4000-8000-000000000001";
    const initArgs = ["init", ...emulatorCloudArgs(world.info)];
    const cases: Case[] = [
      { name: "malformed tenant id", args: ["tenants", "add", "not-a-tenant"], code: 2, match: /not a tenant id/ },
      { name: "domain instead of GUID", args: ["tenants", "add", "contoso.onmicrosoft.com"], code: 2 },
      { name: "region on a custom cloud", args: ["tenants", "add", unknown, "--region", "eu"], code: 2 },
      { name: "remove an unknown tenant", args: ["tenants", "remove", unknown, "--yes"], code: 2, match: /has not been added/ },
      { name: "verify an unknown tenant", args: ["tenants", "verify", unknown], code: 2 },
      { name: "consent link for an unknown tenant", args: ["consent", "link", unknown], code: 2 },
      { name: "redirect URI without --v2", args: ["consent", "link", t0, "--redirect-uri", "https://x.example/cb"], code: 2 },
      { name: "--v2 with a bad redirect URI", args: ["consent", "link", t0, "--v2", "--redirect-uri", "not a url"], code: 2 },
      ...["javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "http://partner.example/consent/callback"].map((uri) => ({
        name: `--v2 with the redirect URI ${uri} (no consent state is stored)`,
        args: ["consent", "link", t0, "--v2", "--redirect-uri", uri],
        code: 2,
        match: /--redirect-uri: redirect URI must use https/,
      })),
      {
        name: "init: a plain-http consent redirect URI to a public host",
        args: [...initArgs, "--client-secret-env", "MDE_TEST_SECRET", "--consent-redirect-uri", "http://partner.example/consent/callback"],
        code: 2,
        match: /--consent-redirect-uri: redirect URI must use https/,
      },
      { name: "token for an unknown tenant", args: ["token", "get", unknown], code: 2 },
      { name: "--v1 and --v2 together", args: ["token", "get", t0, "--v1", "--v2"], code: 2 },
      { name: "unknown permission to require", args: ["token", "inspect", t0, "--require", "Alert.Read.Everything"], code: 2 },
      { name: "empty stdin for token inspect -", args: ["token", "inspect", "-"], code: 2, input: "" },
      { name: "a token that is not a JWT", args: ["token", "inspect", "--token", "not-a-jwt"], code: 2 },
      { name: "unterminated OData string", args: ["alerts", "list", "--filter", "status eq 'New"], code: 2, match: /unterminated/ },
      {
        name: "OData the service refuses",
        args: ["alerts", "list", "--filter", "nosuchfield eq 'x'"],
        code: 2,
        match: /ERR_MDE_BAD_REQUEST/,
      },
      { name: "unknown severity", args: ["alerts", "list", "--severity", "Critical"], code: 2 },
      { name: "unparseable --since", args: ["alerts", "list", "--since", "yesterday"], code: 2 },
      { name: "--top 0", args: ["alerts", "list", "--top", "0"], code: 2 },
      { name: "--filter with --severity", args: ["alerts", "list", "--filter", "status eq 'New'", "--severity", "High"], code: 2 },
      { name: "--json with --ndjson", args: ["alerts", "list", "--json", "--ndjson"], code: 2 },
      { name: "alerts of an unknown tenant", args: ["alerts", "list", "--tenant", unknown], code: 2 },
      { name: "malformed alert id", args: ["alerts", "get", t0, "da1/../x"], code: 2 },
      { name: "unknown alert id", args: ["alerts", "get", t0, "da000000000000000000_1"], code: 2, match: /ERR_MDE_NOT_FOUND/ },
      { name: "alert update without changes", args: ["alerts", "update", t0, "da000000000000000000_1"], code: 2 },
      { name: "alert update to a bad status", args: ["alerts", "update", t0, "da000000000000000000_1", "--status", "Closed"], code: 2 },
      {
        name: "alert update of an unknown alert",
        args: ["alerts", "update", t0, "da000000000000000000_1", "--status", "Resolved"],
        code: 2,
      },
      { name: "isolate without a comment", args: ["machines", "isolate", t0, "MACHINE", "--yes"], code: 2, match: /--comment/ },
      { name: "isolate a malformed machine id", args: ["machines", "isolate", t0, "bad!machine", "--comment", "x", "--yes"], code: 2 },
      {
        name: "isolate an unknown machine",
        args: ["machines", "isolate", t0, "ab".repeat(20), "--comment", "INC-1", "--yes"],
        code: 2,
        match: /does not exist/,
      },
      {
        name: "scan with an isolation type",
        args: ["machines", "scan", t0, "MACHINE", "--comment", "x", "--type", "Selective", "--yes"],
        code: 2,
      },
      { name: "KQL the service refuses", args: ["hunt", "DeviceInfo | wherever x", "--tenant", t0], code: 2 },
      { name: "unreadable query file", args: ["hunt", "--file", "/nonexistent/q.kql"], code: 2 },
      { name: "empty query", args: ["hunt", "   "], code: 2 },
      { name: "--interval without --watch", args: ["sync", "--interval", "5m"], code: 2 },
      { name: "watch interval too short", args: ["sync", "--watch", "--interval", "1s"], code: 2 },
      { name: "TVM interval not a duration", args: ["sync", "--tvm-interval", "6 hours"], code: 2, match: /--tvm-interval takes a duration/ },
      { name: "TVM interval past a week", args: ["sync", "--tvm-interval", "200h"], code: 2, match: /--tvm-interval must be between/ },
      { name: "export in an unknown format", args: ["export", "alerts", "--format", "xml"], code: 2 },
      { name: "bad store URL", args: ["tenants", "list", "--db", "mysql://db.example/x"], code: 2 },
      { name: "init: client id not a GUID", args: ["init", "--client-id", "my-app", "--client-secret-env", "X"], code: 2 },
      {
        name: "init: unreadable secret file",
        args: [...initArgs, "--client-secret-file", "/nonexistent/secret"],
        code: 2,
        match: /cannot read/,
      },
      {
        name: "init: a secret on the command line",
        args: [...initArgs, "--client-secret", "s3cr3t-value"],
        code: 2,
        match: /never taken on the command line/,
      },
      { name: "init: env var value instead of name", args: [...initArgs, "--client-secret-env", "abc~def.ghi"], code: 2 },
      {
        name: "secret variable not set",
        args: ["token", "get", t0],
        code: 2,
        env: { MDE_TEST_SECRET: undefined },
        match: /MDE_TEST_SECRET/,
      },
      { name: "config from a newer version", args: ["tenants", "list"], code: 2, home: newerHome, match: /newer mde-partner/ },
      {
        name: "init over a newer config",
        args: [...initArgs, "--client-secret-env", "X"],
        code: 2,
        home: newerHome,
        match: /newer mde-partner/,
      },
      {
        name: "server answering garbage",
        args: ["alerts", "list", "--tenant", t0],
        code: 1,
        home: garbageHome,
        match: /ERR_MDE_INVALID_RESPONSE|not JSON/,
      },
      { name: "unknown command", args: ["frobnicate"], code: 2 },
      { name: "unknown option", args: ["alerts", "list", "--colour"], code: 2 },
      {
        name: "serve: plain HTTP on a non-loopback address",
        args: ["serve", "--http", "--host", "0.0.0.0", "--port", "0"],
        code: 2,
        match: /only allowed on a loopback address/,
      },
      { name: "serve: no configuration", args: ["serve", "--port", "0"], code: 2, home: emptyHome, match: /no configuration/ },
      { name: "serve: --cert without --key", args: ["serve", "--cert", join(home, "config.json")], code: 2, match: /go together/ },
      { name: "serve: an approval threshold that is no number", args: ["serve", "--port", "0", "--approval-threshold", "ten"], code: 2, match: /--approval-threshold must be a whole number/ },
      { name: "serve: an approval lifetime under a minute", args: ["serve", "--port", "0", "--approval-ttl", "10s"], code: 2, match: /--approval-ttl must be between/ },
      {
        name: "serve: unreadable certificate",
        args: ["serve", "--cert", "/nonexistent/c.pem", "--key", "/nonexistent/k.pem"],
        code: 2,
        match: /cannot read/,
      },
      {
        name: "serve: a file that is no certificate",
        args: ["serve", "--cert", join(home, "config.json"), "--key", join(home, "config.json")],
        code: 2,
        match: /not a PEM certificate/,
      },
      { name: "serve: port out of range", args: ["serve", "--port", "70000"], code: 2 },
      {
        name: "serve: a callback that is not the console's",
        args: ["serve", "--port", "0", "--consent-redirect-uri", "https://x.example/cb"],
        code: 2,
      },
      {
        name: "serve: secret variable not set",
        args: ["serve", "--port", "0"],
        code: 2,
        env: { MDE_TEST_SECRET: undefined },
        match: /MDE_TEST_SECRET/,
      },
      { name: "users add: unknown role", args: ["users", "add", "alice", "--role", "boss"], code: 2, input: "long-enough-password" },
      { name: "users add: no role", args: ["users", "add", "alice"], code: 2, input: "long-enough-password" },
      {
        name: "users add: a password on the command line",
        args: ["users", "add", "alice", "--role", "admin", "--password", "p4ssw0rd-long"],
        code: 2,
        match: /never taken on the command line/,
      },
      { name: "users add: no password", args: ["users", "add", "alice", "--role", "admin"], code: 2, input: "", match: /no password/ },
      {
        name: "users add: too short a password",
        args: ["users", "add", "alice", "--role", "admin"],
        code: 2,
        input: "short\n",
        match: /at least 12/,
      },
      { name: "users add: a bad name", args: ["users", "add", "al ice", "--role", "admin"], code: 2, input: "long-enough-password" },
      { name: "users remove: nobody of that name", args: ["users", "remove", "nobody"], code: 2, match: /no operator named/ },
    ];
    assert.ok(cases.length >= 25);
    // A refused write is itself recorded (the audit log says who tried what and why it failed);
    // everything else in the store stays exactly as it was.
    const snapshot = async () => ({
      rows: await dumpStore(db, { except: ["audit_log", "sqlite_sequence"] }),
      config: readFileSync(join(home, "config.json"), "utf8"),
      newer: readFileSync(join(newerHome, "config.json"), "utf8"),
      garbageRows: await dumpStore(join(garbageHome, "mde-partner.db")),
      // Refused serve and users commands write nothing: no certificate, no users file, nothing in an empty home.
      written: ["console-cert.pem", "console-key.pem", "console-users.json"].filter((f) => existsSync(join(home, f))),
      emptyHome: readdirSync(emptyHome),
    });
    const before = await snapshot();
    const auditBefore = await lastAuditId(db);
    const failures: string[] = [];
    const queue = cases.map((c) => ({ ...c, args: c.args.map((a) => (a === "MACHINE" ? machine : a)) }));
    const lane = async () => {
      for (let c = queue.shift(); c; c = queue.shift()) {
        const r = await runCli(c.args, {
          home: c.home ?? home,
          env: { MDE_TEST_SECRET: world.info.partnerApp.clientSecret, ...c.env },
          ...(c.input !== undefined ? { input: c.input } : {}),
        });
        try {
          assert.equal(r.code, c.code, `exit code (stderr: ${r.stderr})`);
          oneLineError(r.stderr);
          if (c.match) assert.match(r.stderr, c.match);
          assert.ok(!r.stdout.includes("    at "), "no stack trace on stdout");
          assert.deepEqual(await snapshot(), before, "the store and the config are unchanged");
        } catch (error) {
          failures.push(`${c.name}: ${(error as Error).message.split("\n").slice(0, 3).join(" | ")}`);
        }
      }
    };
    await Promise.all([lane(), lane(), lane()]);
    assert.deepEqual(failures, []);
    const audited = await auditSince(db, auditBefore);
    assert.deepEqual(
      audited.filter((a) => a.phase !== "failed"),
      [],
      "bad input records nothing in the audit log but failed attempts",
    );
  });
});
