/**
 * Fleet baselines through the real binary against the emulator on a real HTTPS socket (issue 17):
 * plan → apply → plan shows no changes and a second apply makes zero write calls (the emulator's
 * journal); a change made by hand at one customer (the emulator's control API) is drift at that
 * tenant only, and apply repairs it; an apply killed with SIGKILL resumes without creating any
 * object twice; a bad file is refused with its line number (exit 2).
 */
import assert from "node:assert/strict";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type CliHome, emulatorHome, type EmulatorWorld, https, servedEmulator, tempDir } from "./helpers.js";

type PlanTenant = { tenantId: string; create: number; update: number; delete: number; state?: string; conflicts?: number; refused?: string; changes: Array<{ object: string; action: string; key: string; fields?: string[] }> };
type Plan = { baseline: { name: string; revision: string }; tenants: PlanTenant[] };
type Writes = { lastSeq: number; total: number; writes: Array<{ tenantId: string | null; operation: string | null; method: string; count: number; failed: number }> };

const sha = (n: number, prefix = "f") => `${prefix}${n.toString(16).padStart(63, "0")}`;

function baselineYaml(name: string, options: { indicators?: number; hashPrefix?: string; exclude?: string; overrideTenant?: string } = {}): string {
  const lines = [
    `name: ${name}`,
    "scope:",
    "  tenants: all",
    ...(options.exclude ? ["  exclude:", `    - ${options.exclude}`] : []),
    "indicators:",
    "  - indicatorType: DomainName",
    "    indicatorValue: evil.example",
    "    action: Block",
    "    severity: High",
    "    title: Attacker domain",
    "  - indicatorType: IpAddress",
    "    indicatorValue: 203.0.113.7",
    "    action: Audit",
    "    title: Attacker address",
    "    description: Seen in incident 42",
  ];
  for (let i = 0; i < (options.indicators ?? 0); i++)
    lines.push("  - indicatorType: FileSha256", `    indicatorValue: ${sha(i, options.hashPrefix)}`, "    action: BlockAndRemediate", "    severity: Medium", `    title: Dropper ${i}`);
  lines.push(
    "detectionRules:",
    "  - key: mimikatz",
    "    displayName: Mimikatz launched",
    "    query: DeviceProcessEvents | where FileName =~ 'mimikatz.exe'",
    "    schedule: PT1H",
    "    alertTemplate:",
    "      title: Mimikatz launched",
    "      severity: high",
    "      tactics: [credentialAccess]",
  );
  if (options.overrideTenant) lines.push("overrides:", `  ${options.overrideTenant}:`, "    excludeIndicators: [203.0.113.7]");
  return `${lines.join("\n")}\n`;
}

describe("mde-partner baseline plan|apply|drift", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  const home = tempDir("mde-cli-baseline-");
  let ids: string[];
  const control = (path: string, init: Parameters<typeof https>[2] = {}) => https(`${world.info.controlUrl}${path}`, world.ca, init);
  const writesAfter = async (seq: number): Promise<Writes> => JSON.parse((await control(`/journal/writes?afterSeq=${seq}`)).body) as Writes;
  const lastSeq = async (): Promise<number> => (await writesAfter(0)).lastSeq;
  const file = (name: string, text: string) => {
    const path = join(home, name);
    writeFileSync(path, text);
    return path;
  };

  before(async () => {
    world = await servedEmulator({ tenants: 3, alertsPerTenant: 1, machinesPerTenant: 2, seed: 17 });
    ids = world.info.tenants.map((t) => t.id);
    cli = await emulatorHome(world.info, { home, tenants: world.info.tenants.map((t, i) => ({ id: t.id, name: `Customer ${i}` })) });
    await cli.ok(["tenants", "verify", "--all"]);
  });
  after(async () => {
    await world?.stop();
  });

  it("refuses a bad file with its line numbers (exit 2), before calling any tenant", async () => {
    const seq = await lastSeq();
    const bad = file("bad.yaml", "name: bad\nscope:\n  tenants: all\nindicators:\n  - indicatorType: FileSha256\n    indicatorValue: nothex\n    action: Explode\n    title: x\n");
    const r = await cli.expect(2, ["baseline", "plan", bad]);
    // One line per problem, each naming the file's line.
    assert.match(r.stderr, /^error: .*bad\.yaml:6:\d+: indicators\.0\.indicatorValue: must be 64 hex digits for FileSha256$/m);
    assert.match(r.stderr, /^error: .*bad\.yaml:7:\d+: indicators\.0\.action: must be one of Warn, Block, Audit, BlockAndRemediate, Allowed$/m);
    assert.match(r.stderr, /bad\.yaml has 2 problems/);
    const syntax = file("syntax.yaml", "name: x\nscope: [\n");
    assert.match((await cli.expect(2, ["baseline", "plan", syntax])).stderr, /syntax\.yaml:\d+:\d+: /);
    // Anchors and aliases that expand to billions of nodes ("billion laughs") are a mistake in the file, named as such.
    const laughs = ["name: laughs", 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
    for (const [at, from] of [["b", "a"], ["c", "b"], ["d", "c"], ["e", "d"], ["f", "e"], ["g", "f"], ["h", "g"]]) laughs.push(`${at}: &${at} [${Array(9).fill(`*${from}`).join(",")}]`);
    const bomb = file("laughs.yaml", `${laughs.join("\n")}\n`);
    assert.match((await cli.expect(2, ["baseline", "plan", bomb])).stderr, /laughs\.yaml .*alias/);
    assert.match((await cli.expect(2, ["baseline", "plan", file("twice.yaml", "name: one\nname: two\nscope:\n  tenants: all\n")])).stderr, /twice\.yaml:2:\d+: .*unique/);
    assert.equal((await writesAfter(seq)).total, 0);
  });

  it("plan → apply → plan shows no changes, and a second apply makes zero write calls", async () => {
    const path = file("fleet.yaml", baselineYaml("fleet", { overrideTenant: ids[2]! }));
    const plan = await cli.json<Plan>(["baseline", "plan", path, "--json"]);
    assert.equal(plan.baseline.name, "fleet");
    assert.deepEqual(plan.tenants.map((t) => t.tenantId).sort(), [...ids].sort());
    for (const t of plan.tenants) {
      // Two indicators and one rule; the third tenant's override leaves the address out.
      assert.deepEqual([t.create, t.update, t.delete], [t.tenantId === ids[2] ? 2 : 3, 0, 0], JSON.stringify(t));
    }
    const applied = await cli.json<{ tenants: Array<{ tenantId: string; status: string; created: number }> }>(["baseline", "apply", path, "--yes", "--json"]);
    assert.deepEqual(applied.tenants.map((t) => t.status), ["done", "done", "done"]);

    const again = await cli.json<Plan>(["baseline", "plan", path, "--json"]);
    for (const t of again.tenants) assert.deepEqual([t.create, t.update, t.delete], [0, 0, 0], JSON.stringify(t));

    const seq = await lastSeq();
    await cli.ok(["baseline", "apply", path, "--yes"]);
    assert.equal((await writesAfter(seq)).total, 0, "the second apply wrote something");

    // Every write was audited with the baseline's name and revision.
    const audit = await cli.json<Array<{ action: string; comment: string | null; tenantId: string }>>(["audit", "--json", "--top", "100"]);
    const baselineEntries = audit.filter((e) => e.action.startsWith("baseline."));
    assert.equal(baselineEntries.length, 8);
    for (const e of baselineEntries) assert.equal(e.comment, `baseline fleet revision ${plan.baseline.revision}`);
  });

  it("a change by hand at one customer is drift there only, and apply repairs it", async () => {
    const path = join(home, "fleet.yaml");
    const [a] = ids as [string];
    // The customer's analyst weakens the domain block and disables the rule in the portal.
    const rules = JSON.parse((await control(`/tenants/${a}/detection-rules`)).body) as { value: Array<{ id: string; displayName: string }> };
    const rule = rules.value.find((r) => r.displayName === "Mimikatz launched")!;
    assert.equal((await control(`/tenants/${a}/detection-rules/${rule.id}`, { method: "PATCH", json: { isEnabled: false } })).status, 200);
    const put = await control(`/tenants/${a}/indicators`, {
      method: "PUT",
      json: { indicatorType: "DomainName", indicatorValue: "evil.example", action: "Allowed", title: "Attacker domain" },
    });
    assert.equal(put.status, 200, put.body);

    const drift = await cli.json<Plan>(["baseline", "drift", path, "--json"]);
    const byId = new Map(drift.tenants.map((t) => [t.tenantId, t]));
    assert.equal(byId.get(a)!.state, "drifted");
    assert.equal(byId.get(a)!.update, 2);
    assert.deepEqual(
      byId.get(a)!.changes.map((c) => `${c.object}:${c.action}:${c.key}`).sort(),
      ["detectionRule:update:mimikatz", "indicator:update:DomainName:evil.example"],
    );
    for (const id of ids.slice(1)) assert.equal(byId.get(id)!.state, "in_sync");

    const seq = await lastSeq();
    await cli.ok(["baseline", "apply", path, "--yes"]);
    const writes = await writesAfter(seq);
    assert.deepEqual([...new Set(writes.writes.map((w) => w.tenantId))], [a], "apply wrote to a tenant that had not drifted");
    const after = await cli.json<Plan>(["baseline", "drift", path, "--json"]);
    assert.deepEqual(after.tenants.map((t) => t.state), ["in_sync", "in_sync", "in_sync"]);
  });

  it("sync --watch checks the applied baselines for drift on its own and stores each tenant's state", async () => {
    const [, b] = ids as [string, string];
    const rules = JSON.parse((await control(`/tenants/${b}/detection-rules`)).body) as { value: Array<{ id: string; displayName: string }> };
    const rule = rules.value.find((r) => r.displayName === "Mimikatz launched")!;
    assert.equal((await control(`/tenants/${b}/detection-rules/${rule.id}`, { method: "DELETE" })).status, 204);
    const watch = cli.start(["sync", "--watch", "--interval", "1h"], { env: { MDE_PARTNER_BASELINE_DRIFT_INTERVAL: "10s" } });
    try {
      await watch.waitFor(/baseline fleet: 3 tenant\(s\) checked, 1 drifted/, 30_000, "stderr");
    } finally {
      await watch.stop("SIGINT");
    }
    const { default: Database } = await import("better-sqlite3");
    const db = new Database(join(home, "mde-partner.db"), { readonly: true });
    try {
      const states = db.prepare("select tenant_id, state from baseline_tenants where baseline_name = 'fleet' order by tenant_id").all() as Array<{ tenant_id: string; state: string }>;
      assert.deepEqual(
        states.map((r) => [r.tenant_id, r.state]),
        [...ids].sort().map((id) => [id, id === b ? "drifted" : "in_sync"]),
      );
    } finally {
      db.close();
    }
    await cli.ok(["baseline", "apply", join(home, "fleet.yaml"), "--yes"]);
  });

  it("an apply killed with SIGKILL resumes without creating anything twice", async () => {
    const path = file("big.yaml", baselineYaml("big", { indicators: 1200 }));
    const active = async (id: string) => (JSON.parse((await control(`/tenants/${id}/indicators`)).body) as { active: number }).active;
    const before = new Map<string, number>();
    for (const id of ids) before.set(id, await active(id));
    // Each import takes a while, so the kill lands between calls.
    world.emulator.control.addFault({ target: "api", pathContains: "/indicators/import", latencyMs: 400, durationMs: 120_000 });
    const seq = await lastSeq();
    const running = cli.start(["baseline", "apply", path, "--yes", "--concurrency", "1"]);
    for (let i = 0; i < 200; i++) {
      const imports = (await writesAfter(seq)).writes.filter((w) => w.operation === "ImportIndicators").reduce((n, w) => n + w.count, 0);
      if (imports >= 2) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await running.stop("SIGKILL");
    const done = await cli.ok(["baseline", "apply", path, "--yes"]);
    assert.match(done.stderr, /resumed the interrupted apply of big/);
    world.emulator.control.clearFaults();

    for (const id of ids) {
      const rules = JSON.parse((await control(`/tenants/${id}/detection-rules`)).body) as { value: Array<{ displayName: string; detectionAction: { alertTemplate: { description: string } } }> };
      const big = rules.value.filter((r) => /\[mde-partner baseline=big rule=mimikatz\]/.test(r.detectionAction.alertTemplate.description));
      assert.equal(big.length, 1, `tenant ${id} holds ${big.length} copies of the rule`);
    }
    // big's 1,200 files, each once; the domain and address are fleet's (left alone), except the
    // address at the third tenant, which fleet's override leaves out: big creates it there.
    for (const [i, id] of ids.entries()) assert.equal(await active(id), before.get(id)! + 1200 + (i === 2 ? 1 : 0), `tenant ${id}`);
    const plan = await cli.json<Plan>(["baseline", "plan", path, "--json"]);
    for (const t of plan.tenants) {
      // big's indicators are there once each; fleet's two and big's overlap by identity, so they are conflicts, not creates.
      assert.equal(t.create + t.update + t.delete, 0, JSON.stringify(t).slice(0, 400));
    }
  });

  it("refuses a plan that would exceed 15,000 active indicators at a tenant, saying by how many", async () => {
    const [a] = ids as [string];
    const { active } = JSON.parse((await control(`/tenants/${a}/indicators`)).body) as { active: number };
    const fill = await control(`/tenants/${a}/indicators/fill`, { method: "POST", json: { count: 15_000 - active - 100 } });
    assert.equal(fill.status, 201, fill.body);
    const path = file("over.yaml", baselineYaml("over", { indicators: 150, hashPrefix: "e" }));
    const r = await cli.expect(3, ["baseline", "plan", path, "--json"]);
    const plan = JSON.parse(r.stdout) as Plan;
    const at = plan.tenants.find((t) => t.tenantId === a)!;
    // 14,900 held + 150 new files (the domain and address are fleet's, so left alone) = 15,050.
    assert.match(at.refused ?? "", /would hold 15,050 active indicators, 50 over the limit of 15,000 per tenant/);
    for (const t of plan.tenants.filter((t) => t.tenantId !== a)) assert.equal(t.refused, undefined);
    const seq = await lastSeq();
    const applied = await cli.expect(3, ["baseline", "apply", path, "--yes", "--json"]);
    const rows = (JSON.parse(applied.stdout) as { tenants: Array<{ tenantId: string; status: string; note: string }> }).tenants;
    assert.equal(rows.find((t) => t.tenantId === a)!.status, "failed");
    assert.match(rows.find((t) => t.tenantId === a)!.note, /over the limit of 15,000/);
    const writes = await writesAfter(seq);
    assert.equal(writes.writes.filter((w) => w.tenantId === a).length, 0, "apply wrote to the tenant whose plan was refused");
    assert.equal(writes.writes.reduce((n, w) => n + w.failed, 0), 0, "some write failed (429?)");
  });

  it("--tenant and --group narrow the file's scope, never widen it", async () => {
    const path = join(home, "fleet.yaml");
    const one = await cli.json<Plan>(["baseline", "plan", path, "--tenant", ids[1]!, "--json"]);
    assert.deepEqual(one.tenants.map((t) => t.tenantId), [ids[1]]);
    await cli.ok(["groups", "add", "pair", ids[0]!, ids[2]!]);
    const pair = await cli.json<Plan>(["baseline", "drift", path, "--group", "pair", "--json"]);
    assert.deepEqual(pair.tenants.map((t) => t.tenantId).sort(), [ids[0]!, ids[2]!].sort());
    const narrow = file("narrow.yaml", baselineYaml("narrow").replace("  tenants: all", `  tenants: [${ids[0]}]`));
    const r = await cli.expect(2, ["baseline", "plan", narrow, "--tenant", ids[1]!]);
    assert.match(r.stderr, /not in the baseline's scope/);
  });

  it("an unquoted all-digit hash stays the text it was written as (YAML would read a number)", async () => {
    const digits = "1".repeat(32).concat("0".repeat(32));
    const path = file("digits.yaml", `name: digits\nscope:\n  tenants: [${ids[1]}]\nindicators:\n  - indicatorType: FileSha256\n    indicatorValue: ${digits}\n    action: Block\n    title: 2024\n`);
    const plan = await cli.json<Plan>(["baseline", "plan", path, "--json"]);
    assert.deepEqual(plan.tenants[0]!.changes.map((c) => c.key), [`FileSha256:${digits}`]);
  });
});
