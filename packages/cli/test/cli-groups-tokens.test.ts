/**
 * Customer groups, `--group`, API tokens and access grants through the real binary against the
 * emulator (on a real HTTPS socket): a group limits what multi-tenant commands return to its
 * tenants (a tenant outside it never appears), bad input exits 2 with one error line, a token is
 * printed once and the store keeps only its hash, and every change is in the audit log.
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { auditSince, type CliHome, dumpStore, emulatorHome, type EmulatorWorld, lastAuditId, oneLineError, servedEmulator, tempDir } from "./helpers.js";

type Group = { name: string; tenantIds: string[]; createdAt: string };
type TokenRow = { id: string; name: string; role: string; group: string | null; expiresAt: string | null; lastUsedAt: string | null; revokedAt: string | null; status: string };

describe("mde-partner: customer groups, --group, API tokens and access", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  const home = tempDir("mde-cli-groups-");
  const db = join(home, "mde-partner.db");
  let ids: [string, string, string];

  async function readTable<T>(sql: string): Promise<T[]> {
    const { default: Database } = await import("better-sqlite3");
    const handle = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return handle.prepare(sql).all() as T[];
    } finally {
      handle.close();
    }
  }

  before(async () => {
    world = await servedEmulator({ tenants: 3, alertsPerTenant: 6, machinesPerTenant: 2, seed: 16 });
    const [a, b, c] = world.info.tenants;
    ids = [a!.id, b!.id, c!.id];
    cli = await emulatorHome(world.info, {
      home,
      tenants: [
        { id: a!.id, name: "Contoso" },
        { id: b!.id, name: "Fabrikam" },
        { id: c!.id, name: "Outsider" },
      ],
    });
  });
  after(async () => {
    await world?.stop();
  });

  it("groups add, list and remove round trip, each change audited", async () => {
    const [a, b, c] = ids;
    const since = await lastAuditId(db);
    const created = await cli.json<Group>(["groups", "add", "eu", a, "--json"]);
    assert.deepEqual(created.tenantIds, [a]);
    const table = await cli.ok(["groups", "add", "eu", b.toUpperCase(), a]);
    assert.match(table.stdout, /updated group eu: 2 tenant\(s\), 1 added/);
    await cli.ok(["groups", "add", "scratch", c, b]);
    let groups = await cli.json<Group[]>(["groups", "list", "--json"]);
    assert.deepEqual(
      groups.map((g) => [g.name, g.tenantIds]),
      [
        ["eu", [a, b].sort()],
        ["scratch", [b, c].sort()],
      ],
    );
    const listed = await cli.ok(["groups", "list"]);
    assert.match(listed.stdout, /eu\s+2\s+.*Contoso/);

    assert.deepEqual((await cli.json<Group>(["groups", "remove", "scratch", c, "--json"])).tenantIds, [b]);
    await cli.ok(["groups", "remove", "scratch"]);
    groups = await cli.json<Group[]>(["groups", "list", "--json"]);
    assert.deepEqual(
      groups.map((g) => g.name),
      ["eu"],
    );
    assert.deepEqual(
      (await auditSince(db, since)).map((e) => `${e.action}:${e.phase}`),
      ["group.add:completed", "group.add:completed", "group.add:completed", "group.remove-tenants:completed", "group.remove:completed"],
    );
    assert.ok((await auditSince(db, since)).every((e) => e.actor.startsWith("cli:")));
  });

  it("--group limits alerts list, machines list, hunt, sync and export to the group's tenants", async () => {
    const [a, b, c] = ids;
    const inGroup = new Set([a, b]);
    const alerts = await cli.json<Array<{ tenantId: string }>>(["alerts", "list", "--group", "eu", "--json"]);
    assert.equal(alerts.length, 12);
    assert.deepEqual(new Set(alerts.map((x) => x.tenantId)), inGroup);
    const all = await cli.json<Array<{ tenantId: string }>>(["alerts", "list", "--all", "--json"]);
    assert.ok(all.some((x) => x.tenantId === c), "without --group the outsider is there");

    const machines = await cli.ok(["machines", "list", "--group", "eu", "--json"]);
    const machineRows = JSON.parse(machines.stdout) as Array<{ tenantId: string }>;
    assert.equal(machineRows.length, 4);
    assert.deepEqual(new Set(machineRows.map((m) => m.tenantId)), inGroup);
    assert.ok(!machines.stdout.includes(c) && !machines.stderr.includes(c), "the outsider is not even named");

    const hunt = await cli.json<{ rows: Array<{ TenantId: string }> }>(["hunt", "DeviceInfo | take 5", "--group", "eu", "--json"]);
    assert.ok(hunt.rows.length > 0);
    assert.ok(hunt.rows.every((row) => inGroup.has(row.TenantId)));

    const sync = await cli.ok(["sync", "--group", "eu", "--json", "--no-machines"]);
    const report = JSON.parse(sync.stdout) as { tenants: Array<{ tenantId: string }> };
    assert.deepEqual(new Set(report.tenants.map((t) => t.tenantId)), inGroup);
    assert.deepEqual(await readTable("select tenant_id from sync_cursors where tenant_id = '" + c + "'"), [], "the outsider was not synced");

    const scores = await cli.ok(["tvm", "exposure-score", "--group", "eu", "--json"]);
    assert.ok(scores.stdout.includes(a) && scores.stdout.includes(b), scores.stdout.slice(0, 400));
    assert.ok(!scores.stdout.includes(c), "tvm: the outsider is not there");

    const exported = await cli.ok(["export", "alerts", "--group", "eu"]);
    const lines = exported.stdout.trim().split("\n").map((l) => JSON.parse(l) as { tenantId: string });
    assert.equal(lines.length, 12);
    assert.ok(lines.every((l) => inGroup.has(l.tenantId)));
  });

  it("bad group input exits 2 with one error line and changes nothing", async () => {
    const [a] = ids;
    const before = await dumpStore(db, { except: ["audit_log", "sqlite_sequence"] });
    const cases: Array<{ args: string[]; match: RegExp; hint?: RegExp }> = [
      { args: ["alerts", "list", "--group", "eu", "--tenant", a], match: /use one of --tenant, --group or --all/ },
      { args: ["machines", "list", "--group", "eu", "--all"], match: /use one of --tenant, --group or --all/ },
      { args: ["export", "alerts", "--group", "eu", "--tenant", a], match: /use one of --tenant, --group or --all/ },
      { args: ["sync", "--group", "eu", "--tenant", a], match: /use one of --tenant, --group or --all/ },
      { args: ["alerts", "list", "--group", "nope"], match: /"nope" does not exist/, hint: /mde-partner groups list/ },
      { args: ["hunt", "DeviceInfo | take 1", "--group", "nope"], match: /does not exist/, hint: /mde-partner groups list/ },
      { args: ["sync", "--group", "nope"], match: /does not exist/, hint: /mde-partner groups list/ },
      { args: ["export", "alerts", "--group", "nope"], match: /does not exist/, hint: /mde-partner groups list/ },
      { args: ["alerts", "list", "--group", "bad name!"], match: /is not a group name/ },
      { args: ["tvm", "software", a, "--group", "eu"], match: /either as an argument or with --group, not both/ },
      { args: ["groups", "add", "eu", crypto.randomUUID()], match: /not in the store/ },
      { args: ["groups", "add", "eu", "not-a-guid"], match: /is not a tenant id/ },
      { args: ["groups", "add", "a/b", a], match: /is not a group name/ },
      { args: ["groups", "remove", "nope"], match: /there is no customer group "nope"/, hint: /mde-partner groups list/ },
      { args: ["groups", "remove", "eu", ids[2]], match: /is not in group eu/ },
      { args: ["tokens", "create", "--name", "x", "--role", "viewer", "--group", "nope"], match: /does not exist/, hint: /groups list/ },
      { args: ["tokens", "create", "--name", "x", "--role", "viewer", "--expires", "soon"], match: /--expires takes a duration/ },
      { args: ["tokens", "create", "--name", "x", "--role", "root"], match: /./ },
      { args: ["tokens", "revoke", "nobody"], match: /there is no API token "nobody"/ },
      { args: ["access", "grant", "--role", "viewer"], match: /exactly one of --user or --entra-group/ },
      { args: ["access", "grant", "--user", "bob", "--entra-group", crypto.randomUUID(), "--role", "viewer"], match: /exactly one/ },
      { args: ["access", "grant", "--entra-group", "sales", "--role", "viewer"], match: /not an Entra group object id/ },
      { args: ["access", "grant", "--user", "bob", "--role", "viewer", "--group", "nope"], match: /does not exist/ },
      { args: ["access", "revoke", "--user", "nobody"], match: /has no grant on every tenant/ },
    ];
    for (const c of cases) {
      const r = await cli.expect(2, c.args);
      if (c.args.includes("root")) continue; // commander's own choices message
      const { error, hint } = oneLineError(r.stderr);
      assert.match(error, c.match, c.args.join(" "));
      if (c.hint) assert.match(hint ?? "", c.hint, c.args.join(" "));
      assert.equal(r.stdout, "", c.args.join(" "));
    }
    // Refused writes are on record in the audit log (and its id sequence); nothing else changed.
    assert.equal(await dumpStore(db, { except: ["audit_log", "sqlite_sequence"] }), before, "no bad input changed the store");
  });

  it("tokens: printed once, only the hash stored, listed without it, revoked", async () => {
    const since = await lastAuditId(db);
    const r = await cli.ok(["tokens", "create", "--name", "soar", "--role", "responder", "--group", "eu", "--expires", "30d"]);
    const token = r.stdout.trim();
    assert.match(token, /^mdep_[A-Za-z0-9_-]{43}$/, "stdout is the token alone");
    assert.match(r.stderr, /will not be shown again/);

    const json = await cli.json<{ token: string; id: string; name: string; role: string; group: string | null; expiresAt: string | null }>([
      "tokens",
      "create",
      "--name",
      "reports",
      "--role",
      "viewer",
      "--json",
    ]);
    assert.deepEqual(Object.keys(json).sort(), ["expiresAt", "group", "id", "name", "role", "token"]);
    assert.equal(json.group, null);
    const lifetime = Date.parse(json.expiresAt!) - Date.now();
    assert.ok(lifetime > 89 * 86_400_000 && lifetime <= 90 * 86_400_000, "90 days by default");
    await cli.expect(2, ["tokens", "create", "--name", "soar", "--role", "viewer"]);

    // The store holds the SHA-256 of each token and never its text.
    const rows = await readTable<{ id: string; name: string; token_hash: string }>("select id, name, token_hash from api_tokens order by name");
    assert.deepEqual(
      rows.map((row) => [row.name, row.token_hash]),
      [
        ["reports", createHash("sha256").update(json.token).digest("hex")],
        ["soar", createHash("sha256").update(token).digest("hex")],
      ],
    );
    for (const file of readdirSync(home)) {
      const bytes = readFileSync(join(home, file)).toString("latin1");
      assert.ok(!bytes.includes(token.slice(5)) && !bytes.includes(json.token.slice(5)), `no token in ${file}`);
    }

    const list = await cli.ok(["tokens", "list", "--json"]);
    assert.ok(!list.stdout.includes(token.slice(5)) && !list.stdout.includes("hash"), "list shows neither token nor hash");
    let tokens = JSON.parse(list.stdout) as TokenRow[];
    const soar = tokens.find((t) => t.name === "soar")!;
    assert.deepEqual([soar.role, soar.group, soar.status, soar.lastUsedAt, soar.revokedAt], ["responder", "eu", "active", null, null]);
    const table = await cli.ok(["tokens", "list"]);
    assert.match(table.stdout, /soar\s+responder\s+eu\s+active/);

    await cli.ok(["tokens", "revoke", "soar"]);
    await cli.ok(["tokens", "revoke", json.id, "--json"]);
    tokens = await cli.json<TokenRow[]>(["tokens", "list", "--json"]);
    assert.deepEqual(
      tokens.map((t) => [t.name, t.status]).sort(),
      [
        ["reports", "revoked"],
        ["soar", "revoked"],
      ],
    );
    const audit = (await auditSince(db, since)).map((e) => `${e.action}:${e.phase}`);
    assert.deepEqual(audit, ["token.create:completed", "token.create:completed", "token.create:failed", "token.revoke:completed", "token.revoke:completed"]);
    const auditText = JSON.stringify(await readTable("select * from audit_log"));
    assert.ok(!auditText.includes(token.slice(5)) && !auditText.includes(json.token.slice(5)), "the audit log names tokens, never their text");
    for (const t of [token, json.token])
      assert.equal(cli.runs.filter((run) => run.stdout.includes(t) || run.stderr.includes(t)).length, 1, "each token was printed by its create only");
  });

  it("access grant, list and revoke; users add --group grants the role on the group", async () => {
    const entra = crypto.randomUUID();
    await cli.ok(["access", "grant", "--user", "bob@contoso.com", "--role", "viewer", "--group", "eu"]);
    await cli.ok(["access", "grant", "--entra-group", entra.toUpperCase(), "--role", "admin"]);
    await cli.ok(["access", "grant", "--user", "bob@contoso.com", "--role", "responder", "--group", "eu"]);
    await cli.ok(["users", "add", "carol", "--role", "viewer", "--group", "eu"], { input: "a long enough password 1!\n" });
    const grants = await cli.json<Array<{ principalKind: string; principal: string; role: string; group: string | null }>>(["access", "list", "--json"]);
    assert.deepEqual(grants, [
      { principalKind: "entra-group", principal: entra, role: "admin", group: null },
      { principalKind: "user", principal: "bob@contoso.com", role: "responder", group: "eu" },
      { principalKind: "user", principal: "carol", role: "viewer", group: "eu" },
    ]);
    assert.match((await cli.ok(["access", "list"])).stdout, /entra-group\s+\S+\s+admin\s+\(all tenants\)/);
    await cli.ok(["access", "revoke", "--entra-group", entra]);
    await cli.ok(["access", "revoke", "--user", "bob@contoso.com", "--group", "eu"]);
    assert.deepEqual(
      (await cli.json<Array<{ principal: string }>>(["access", "list", "--json"])).map((g) => g.principal),
      ["carol"],
    );
    const before = await readTable("select * from access_grants");
    const refused = await cli.expect(2, ["users", "add", "dave", "--role", "viewer", "--group", "nope"], { input: "a long enough password 1!\n" });
    assert.match(oneLineError(refused.stderr).hint ?? "", /groups list/);
    assert.deepEqual(await readTable("select * from access_grants"), before);
    assert.ok(!(await cli.ok(["users", "list"])).stdout.includes("dave"), "a refused group adds no user");

    // Removing an operator removes their grants: a later account of the same name starts with none.
    assert.match((await cli.ok(["users", "remove", "carol"])).stdout, /removed carol and their grant \(viewer on eu\)/);
    assert.deepEqual(await cli.json<unknown[]>(["access", "list", "--json"]), []);
    await cli.ok(["users", "add", "carol", "--role", "viewer"], { input: "a long enough password 1!\n" });
    assert.deepEqual(await cli.json<unknown[]>(["access", "list", "--json"]), [], "the new carol has no grant of the old one");
  });
});
