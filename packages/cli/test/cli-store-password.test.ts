/**
 * The PostgreSQL store's password never reaches config.json: `init` refuses a
 * URL with one and stores a reference (an environment variable's name or a
 * file path) that every command resolves when it opens the store.
 *
 * What is proven where: the project's PostgreSQL (127.0.0.1:5432) uses trust
 * authentication, so it does not check passwords; against it the tests prove
 * the store opens through the reference and assert the connection settings
 * node-postgres is given. A private cluster with scram-sha-256 authentication
 * (started when PostgreSQL's initdb is on this machine) proves that the right
 * password is what gets the connection in, and a wrong one does not.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import pg from "pg";
import { parse as parseConnectionString } from "pg-connection-string";
import { resolveStoreUrl } from "../src/store-password.js";
import { oneLineError, runCli, tempDir } from "./helpers.js";

const PG_URL = process.env.PG_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const CLIENT_ID = "11111111-2222-4333-8444-555555555555";
const initArgs = ["init", "--client-id", CLIENT_ID, "--client-secret-env", "MDE_TEST_SECRET"];
const PASSWORD = `pw-${randomBytes(6).toString("hex")}@:/%41 x`;

async function sql(statement: string, url = PG_URL): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

describe("the PostgreSQL store's password", () => {
  const schema = `cli_pw_${randomBytes(4).toString("hex")}`;
  before(() => sql(`create schema ${schema}`));
  after(() => sql(`drop schema if exists ${schema} cascade`));

  it("init refuses a --db URL with a password, names the safe ways, and writes nothing", async () => {
    const home = tempDir("mde-cli-pw-");
    const r = await runCli([...initArgs, "--db", `postgres://postgres:${encodeURIComponent(PASSWORD)}@127.0.0.1:5432/test`], {
      home,
      env: { MDE_TEST_SECRET: "x" },
    });
    assert.equal(r.code, 2, r.stderr);
    const { error, hint } = oneLineError(r.stderr);
    assert.match(error, /must not contain the database password/);
    assert.match(hint ?? "", /--db-password-env VAR.*--db-password-file FILE.*PGPASSWORD.*pgpass/);
    assert.ok(!r.stderr.includes(PASSWORD.slice(0, 12)) && !r.stdout.includes(PASSWORD.slice(0, 12)), "the password is not echoed");
    assert.equal(existsSync(join(home, "config.json")), false);
  });

  it("init --db-password-env stores the variable's name only; commands open the store with its value", async () => {
    const home = tempDir("mde-cli-pw-");
    const env = { MDE_TEST_SECRET: "x", MDE_DB_PW: PASSWORD };
    const db = `${PG_URL}?schema=${schema}`;
    const init = await runCli([...initArgs, "--db", db, "--db-password-env", "MDE_DB_PW", "--json"], { home, env });
    assert.equal(init.code, 0, init.stderr);
    const text = readFileSync(join(home, "config.json"), "utf8");
    assert.ok(!text.includes(PASSWORD.slice(0, 12)), "config.json never holds the password");
    assert.ok(!init.stdout.includes(PASSWORD.slice(0, 12)), "nor does init's output");
    const storeUrl = (JSON.parse(text) as { storeUrl: string }).storeUrl;
    assert.match(storeUrl, /[?&]passwordEnv=MDE_DB_PW/);

    // What node-postgres is given: the variable's value, exactly, and no reference parameter.
    const resolved = parseConnectionString(resolveStoreUrl(storeUrl, env));
    assert.equal(resolved.password, PASSWORD);
    assert.equal((resolved as Record<string, unknown>).passwordEnv, undefined);

    const list = await runCli(["tenants", "list", "--json"], { home, env });
    assert.equal(list.code, 0, list.stderr);
    assert.deepEqual(JSON.parse(list.stdout), []);

    const unset = await runCli(["tenants", "list"], { home, env: { ...env, MDE_DB_PW: undefined } });
    assert.equal(unset.code, 2, unset.stderr);
    assert.match(oneLineError(unset.stderr).error, /MDE_DB_PW holding the database password is not set/);
  });

  it("a wrong --db on another command is reported without echoing its password", async () => {
    const home = tempDir("mde-cli-pw-");
    const env = { MDE_TEST_SECRET: "x" };
    assert.equal((await runCli([...initArgs], { home, env })).code, 0);
    const secret = `leak-${randomBytes(6).toString("hex")}`;
    const r = await runCli(["tenants", "list", "--db", `postgres://nobody:${secret}@127.0.0.1:1/none`], { home, env });
    assert.notEqual(r.code, 0);
    assert.ok(!r.stderr.includes(secret) && !r.stdout.includes(secret), r.stderr);
  });

  // A cluster of our own that checks passwords (scram-sha-256): needs PostgreSQL's server binaries, and
  // a non-root user to run them (as root, the postgres account through runuser).
  const bindir = ["/usr/lib/postgresql/17/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/15/bin"].find((d) =>
    existsSync(join(d, "initdb")),
  );
  const root = process.getuid?.() === 0;
  // stdio ignored: the server pg_ctl starts would hold a pipe open for good.
  const asPostgres = (cmd: string, args: string[]) =>
    root ? execFileSync("runuser", ["-u", "postgres", "--", cmd, ...args], { stdio: "ignore" }) : execFileSync(cmd, args, { stdio: "ignore" });
  const canRun = bindir !== undefined && (!root || spawnSync("id", ["postgres"]).status === 0);

  it("against a server that checks passwords, the referenced password (env or file) gets in and a wrong one does not", {
    skip: canRun ? false : "no PostgreSQL server binaries (initdb) to start a password-checking cluster",
  }, async () => {
    const dir = tempDir("mde-cli-pgpw-");
    const data = join(dir, "data");
    const pwFile = join(dir, "superuser.pw");
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    mkdirSync(data);
    writeFileSync(pwFile, "cluster-superuser-pw\n");
    chmodSync(dir, 0o755);
    chmodSync(pwFile, 0o644);
    if (root) {
      const uid = Number(execFileSync("id", ["-u", "postgres"]).toString());
      const gid = Number(execFileSync("id", ["-g", "postgres"]).toString());
      chownSync(data, uid, gid);
      chownSync(dir, uid, gid);
    }
    asPostgres(join(bindir!, "initdb"), ["-D", data, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${pwFile}`, "-N"]);
    asPostgres(join(bindir!, "pg_ctl"), [
      "-D",
      data,
      "-w",
      "-l",
      join(dir, "server.log"),
      "-o",
      `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
      "start",
    ]);
    try {
      const admin = `postgres://postgres:cluster-superuser-pw@127.0.0.1:${port}/postgres`;
      await sql(`create role mssp login password '${PASSWORD.replaceAll("'", "''")}'`, admin);
      await sql("create database mssp owner mssp", admin);
      const db = `postgres://mssp@127.0.0.1:${port}/mssp`;

      const home = tempDir("mde-cli-pw-");
      const env = { MDE_TEST_SECRET: "x", MDE_DB_PW: PASSWORD };
      const init = await runCli([...initArgs, "--db", db, "--db-password-env", "MDE_DB_PW"], { home, env });
      assert.equal(init.code, 0, init.stderr);
      assert.ok(!readFileSync(join(home, "config.json"), "utf8").includes(PASSWORD.slice(0, 12)));
      const ok = await runCli(["tenants", "list", "--json"], { home, env });
      assert.equal(ok.code, 0, ok.stderr);
      const wrong = await runCli(["tenants", "list"], { home, env: { ...env, MDE_DB_PW: "not-the-password" } });
      assert.equal(wrong.code, 1, wrong.stderr);
      assert.match(wrong.stderr, /password authentication failed/);
      assert.ok(!wrong.stderr.includes("not-the-password"));

      const fileHome = tempDir("mde-cli-pw-");
      const secretFile = join(fileHome, "db.pw");
      writeFileSync(secretFile, `${PASSWORD}\n`, { mode: 0o600 });
      const byFile = await runCli([...initArgs, "--db", db, "--db-password-file", secretFile], { home: fileHome, env });
      assert.equal(byFile.code, 0, byFile.stderr);
      assert.ok(!readFileSync(join(fileHome, "config.json"), "utf8").includes(PASSWORD.slice(0, 12)));
      assert.equal((await runCli(["tenants", "list"], { home: fileHome, env })).code, 0);
    } finally {
      asPostgres(join(bindir!, "pg_ctl"), ["-D", data, "-m", "immediate", "stop"]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
