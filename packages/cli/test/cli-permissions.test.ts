/**
 * One source of truth for permissions, checked against what the commands really
 * call. For each command, its customer tenant is granted exactly the permissions
 * the planner lists for the command's capability (`app permissions --for …`):
 * the command must work, every API call it made (the emulator's journal) must be
 * an operation of that capability, and with any one permission fewer it must
 * fail and name the permission. Then `tenants verify` and `consent link --v2`
 * with the same table, and a re-consent link from a hint followed through the
 * emulator's consent page.
 */
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import type { JournalEntry } from "@mde-partner/emulator";
import { expandPlanInputs, findPermission, GRAPH_OPERATIONS, OPERATIONS, type PlanInput, planPermissions } from "@mde-partner/client";
import { type CliHome, consentThroughPage, emulatorHome, emulatorInitArgs, SECRET_ENV, type EmulatorWorld, servedEmulator } from "./helpers.js";

/** The registry operation a request was (method + documented path template), or the request itself when none matches. */
function operationOf(entry: JournalEntry): string {
  const registry = entry.kind === "graph" ? GRAPH_OPERATIONS : OPERATIONS;
  const path = entry.path.split("?")[0]!;
  const matches = Object.entries(registry).filter(([, spec]) => {
    if (spec.method !== entry.method) return false;
    const pattern = spec.path
      .split(/\{[^}]+\}/)
      .map((literal) => literal.replace(/[.*+?^$()|[\]\\]/g, "\\$&"))
      .join("[^/]+");
    return new RegExp(`^${pattern}$`, "i").test(path);
  });
  // The most literal template wins (`/api/machines/findbytag` over `/api/machines/{id}`).
  matches.sort(([, a], [, b]) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
  return matches[0]?.[0] ?? `${entry.method} ${path}`;
}

describe("mde-partner: every command works with exactly the permissions planned for its capability", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  let tenant: string;
  let machine: string;
  const grant = (id: string, permissions: readonly string[]) => {
    const roles = permissions.filter((p) => findPermission(p)?.resource !== "graph");
    const graphRoles = permissions.filter((p) => findPermission(p)?.resource === "graph");
    world.emulator.control.setConsent(id, { roles, graphRoles });
  };
  const journal = (afterSeq: number) => ({
    lastSeq: world.emulator.state.journal.lastSeq(),
    entries: world.emulator.control.journal({ tenantId: tenant, afterSeq }),
  });

  before(async () => {
    world = await servedEmulator({ tenants: 2, alertsPerTenant: 6, machinesPerTenant: 2, seed: 12 });
    tenant = world.info.tenants[0]!.id;
    cli = await emulatorHome(world.info, { initArgs: ["--consent-redirect-uri", world.info.partnerApp.redirectUris[0]!], tenants: world.info.tenants });
    machine = (await cli.json<Array<{ id: string }>>(["machines", "list", "--tenant", tenant, "--json"]))[0]!.id;
  });
  after(async () => {
    await world?.stop();
  });

  const COMMANDS: Array<{ capability: PlanInput; args: () => string[] }> = [
    { capability: "alerts:read", args: () => ["alerts", "list", "--tenant", tenant, "--json"] },
    { capability: "machines:read", args: () => ["machines", "list", "--tenant", tenant, "--json"] },
    { capability: "hunting:run", args: () => ["hunt", "DeviceInfo | take 2", "--tenant", tenant, "--json"] },
    { capability: "hunting:legacy", args: () => ["hunt", "DeviceInfo | take 2", "--tenant", tenant, "--legacy", "--json"] },
    { capability: "indicators:read", args: () => ["indicators", "list", "--tenant", tenant, "--json"] },
    { capability: "sync", args: () => ["sync", "--tenant", tenant, "--json"] },
    { capability: "machines:isolate", args: () => ["machines", "isolate", tenant, machine, "--comment", "INC-1", "--yes", "--json"] },
  ];

  for (const { capability, args } of COMMANDS) {
    it(`${capability}: works with exactly its planned permissions, calls nothing else, and fails naming any one taken away`, async () => {
      const planned = planPermissions([capability]).permissions;
      const allowed = new Set(expandPlanInputs([capability]));
      grant(tenant, planned);
      const { lastSeq } = journal(0);
      const ok = await cli.run(args());
      assert.equal(ok.code, 0, `${args().join(" ")} with ${planned.join(", ")}:\n${ok.stderr}`);
      const called = journal(lastSeq).entries.filter((e) => e.kind === "api" || e.kind === "graph").map(operationOf);
      assert.ok(called.length > 0, "the command called the API");
      const outside = called.filter((op) => !allowed.has(op as never));
      assert.deepEqual(outside, [], `${args()[0]} called operations its capability ${capability} does not list`);

      for (const taken of planned) {
        grant(
          tenant,
          planned.filter((p) => p !== taken),
        );
        const r = await cli.run(args());
        assert.notEqual(r.code, 0, `${args().join(" ")} worked without ${taken}`);
        assert.match(r.stderr, new RegExp(taken.replace(/\./g, "\\.")), `the failure names ${taken}:\n${r.stderr}`);
      }
    });
  }

  it("tenants verify names what a tenant cannot do, and consent link --v2 asks for both resources", async () => {
    // The tour's tenant: alerts, isolation and hunting (init --for), granted all but the Graph hunting role.
    await cli.ok([
      ...emulatorInitArgs(world.info, SECRET_ENV),
      "--consent-redirect-uri",
      world.info.partnerApp.redirectUris[0]!,
      "--for",
      "alerts:read,machines:isolate,hunting:run",
    ]);
    grant(tenant, ["Alert.Read.All", "Machine.Read.All", "Machine.Isolate", "AdvancedQuery.Read.All"]);
    let r = await cli.expect(1, ["tenants", "verify", tenant, "--json"]);
    const [v] = JSON.parse(r.stdout) as Array<{
      state: string;
      missingPermissions: string[];
      capabilities: Array<{ capability: string; required: boolean; status: string; missing: Array<{ permission: string; resource: string }> }>;
    }>;
    assert.equal(v!.state, "degraded", "a tenant that cannot hunt is not verified");
    assert.deepEqual(v!.missingPermissions, ["ThreatHunting.Read.All"]);
    const hunting = v!.capabilities.find((c) => c.capability === "hunting:run");
    assert.deepEqual(hunting, { capability: "hunting:run", required: true, status: "missing", ok: false, missing: [{ permission: "ThreatHunting.Read.All", resource: "graph" }] });
    assert.equal(v!.capabilities.find((c) => c.capability === "machines:isolate")?.status, "ok");
    r = await cli.run(["tenants", "verify", tenant]);
    assert.match(r.stdout, /cannot: hunting:run \(ThreatHunting\.Read\.All on Microsoft Graph\)/);

    r = await cli.ok(["consent", "link", tenant, "--v2", "--json"]);
    const link = new URL((JSON.parse(r.stdout) as { url: string }).url);
    assert.deepEqual(link.searchParams.get("scope")?.split(" "), [
      "https://api.securitycenter.microsoft.com/.default",
      "https://graph.microsoft.com/.default",
    ]);
  });

  it("the re-consent link in a hint goes through the consent page and the tenant is verified after", async () => {
    const other = world.info.tenants[1]!.id;
    world.emulator.control.revokeConsent(other);
    const r = await cli.expect(1, ["tenants", "verify", other]);
    const hinted = /^hint: .*?(https:\/\/\S+)/m.exec(r.stderr)?.[1];
    assert.ok(hinted, `a hint with a link:\n${r.stderr}`);
    // The legacy link of the MDE partner pages: no redirect URI and no state, so it never reaches a
    // consent callback that would have to refuse it; it asks for every permission of the app.
    const link = new URL(hinted);
    assert.equal(link.pathname, "/common/oauth2/authorize");
    assert.equal(link.searchParams.get("client_id"), world.info.partnerApp.clientId);
    assert.equal(link.searchParams.get("redirect_uri"), null);
    assert.equal(link.searchParams.get("state"), null);
    const landed = await consentThroughPage(hinted, other, world.ca);
    assert.equal(landed.searchParams.get("admin_consent"), "True");
    assert.equal(landed.searchParams.get("tenant"), other);
    assert.equal((await cli.json<Array<{ state: string }>>(["tenants", "verify", other, "--json"]))[0]?.state, "verified");
  });
});
