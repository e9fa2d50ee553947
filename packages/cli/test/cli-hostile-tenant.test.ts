/**
 * The real binary against a hostile customer tenant (the emulator's
 * `hostile` tenant), through pipes as a shell uses it. The tenant's alerts,
 * machines, incidents and hunting rows carry OSC 52/8/0, CSI 2J, C1 controls
 * and 2,000,000-character titles. What must hold: no raw ESC, BEL, DEL or C1
 * byte reaches stdout or stderr of any human output (tables, detail views, API
 * errors, usage errors, token claims); long values are shortened in tables with
 * a note pointing at --json; --json/--ndjson carry every value whole; `| head`
 * ends the CLI quietly with exit 0; --quiet prints rows only.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { HOSTILE_LONG_LENGTH, HOSTILE_STRINGS } from "@mde-partner/emulator";
import { openStore } from "@mde-partner/sync";
import { bin, type CliHome, type CliRun, emulatorHome, type EmulatorWorld, servedEmulator } from "./helpers.js";

/** Bytes a terminal acts on: C0 controls but tab and newline (ESC, BEL, CR…), DEL and C1 (U+0080–U+009F). */
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

function assertNoRawControls(r: CliRun, what: string): void {
  const at = (text: string) => text.search(RAW_CONTROL);
  assert.equal(at(r.stdout), -1, `${what}: raw control on stdout near ${JSON.stringify(r.stdout.slice(Math.max(0, at(r.stdout) - 40), at(r.stdout) + 40))}`);
  assert.equal(at(r.stderr), -1, `${what}: raw control on stderr near ${JSON.stringify(r.stderr.slice(Math.max(0, at(r.stderr) - 40), at(r.stderr) + 40))}`);
}

/**
 * Runs the binary and closes its stdout pipe as soon as the first output
 * arrives (what `| head -1` does). The output is megabytes (the 2 MB title),
 * far past a pipe's buffer, so the CLI is certainly still writing then.
 */
function runIntoClosedPipe(args: string[], env: Record<string, string>): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, NO_COLOR: "1", ...env } });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
      child.stdout.destroy();
    });
    child.stderr.on("data", (chunk) => {
      stderr += chunk;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

describe("mde-partner against a hostile tenant", () => {
  let world: EmulatorWorld;
  let hostileId = "";
  let cli: CliHome;

  before(async () => {
    world = await servedEmulator({ tenants: [{}, { hostile: true }], alertsPerTenant: 12, machinesPerTenant: 3, seed: 7 });
    hostileId = world.info.tenants.find((t) => t.hostile)!.id;
    const plain = world.info.tenants.find((t) => t.id !== hostileId)!;
    cli = await emulatorHome(world.info, {
      tenants: [
        { id: plain.id, name: "Plain Corp" },
        { id: hostileId, name: "Hostile Corp" },
      ],
    });
    await cli.ok(["tenants", "verify", "--all"]);
    // Incidents are synced for tenants whose alert source is Graph; the CLI has no switch for it, the store does.
    const { storeUrl } = JSON.parse(readFileSync(join(cli.home, "config.json"), "utf8")) as { storeUrl: string };
    const store = await openStore({ url: storeUrl });
    try {
      await store.setTenantSource(hostileId, "graph");
    } finally {
      await store.close();
    }
    await cli.ok(["sync"]);
  });
  after(async () => {
    await world?.stop();
  });

  it("alerts list: controls shown visibly, the 2 MB title shortened in a plain piped table, --json and --ndjson whole", async () => {
    const table = await cli.run(["alerts", "list", "--all"]);
    assert.equal(table.code, 0, table.stderr);
    assertNoRawControls(table, "alerts list");
    assert.doesNotMatch(table.stdout, /─/, "a piped table has no box drawing");
    assert.match(table.stdout.split("\n")[0]!, /^TENANT\tALERT\tSEVERITY\tSTATUS\tUPDATED\tTITLE$/);
    assert.match(table.stdout, /\\x1b\]/, "OSC sequences are shown as text");
    assert.match(table.stdout, /\\x9b31mC1 CSI/);
    assert.match(table.stdout, /\tLONGx+…\(\+1999800 chars\)\n/);
    assert.ok(Math.max(...table.stdout.split("\n").map((l) => l.length)) < 2000, "every line is bounded");
    assert.match(table.stderr, /--json shows them in full/);

    const json = await cli.run(["alerts", "list", "--all", "--json"]);
    assert.equal(json.code, 0, json.stderr);
    assertNoRawControls(json, "alerts list --json");
    const alerts = JSON.parse(json.stdout) as Array<{ tenantId: string; title: string; description: string }>;
    const long = alerts.find((a) => a.title.length === HOSTILE_LONG_LENGTH);
    assert.equal(long?.title, HOSTILE_STRINGS.long, "the full title");
    assert.equal(long?.description, HOSTILE_STRINGS.long, "the full description");
    const descriptions = alerts.filter((a) => a.tenantId === hostileId && a !== long).map((a) => a.description);
    for (const marker of [HOSTILE_STRINGS.osc52, HOSTILE_STRINGS.osc8, HOSTILE_STRINGS.c1Csi, HOSTILE_STRINGS.c1Nel])
      assert.ok(descriptions[0]!.includes(marker), `--json keeps ${JSON.stringify(marker)} exactly`);

    const ndjson = await cli.run(["alerts", "list", "--all", "--ndjson"]);
    assert.equal(ndjson.code, 0, ndjson.stderr);
    assertNoRawControls(ndjson, "alerts list --ndjson");
    const lines = ndjson.stdout.trim().split("\n").map((l) => JSON.parse(l) as { title: string });
    assert.equal(lines.length, alerts.length);
    assert.ok(lines.some((a) => a.title === HOSTILE_STRINGS.long));
  });

  it("export alerts (NDJSON from the store) escapes C1 controls and keeps every value whole", async () => {
    const r = await cli.run(["export", "alerts", "--tenant", hostileId]);
    assert.equal(r.code, 0, r.stderr);
    assertNoRawControls(r, "export alerts");
    assert.match(r.stdout, /\\u009b31mC1 CSI/);
    const alerts = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as { title: string; description: string });
    assert.equal(alerts.filter((a) => a.title === HOSTILE_STRINGS.long).length, 1);
    assert.ok(alerts.some((a) => a.description.includes(HOSTILE_STRINGS.c1Csi) && a.description.includes(HOSTILE_STRINGS.osc52)));
  });

  it("alerts get: the detail view bounds each field and shows controls visibly", async () => {
    const ndjson = await cli.run(["alerts", "list", "--tenant", hostileId, "--ndjson"]);
    const alerts = ndjson.stdout.trim().split("\n").map((l) => JSON.parse(l) as { id: string; title: string });
    const long = alerts.find((a) => a.title.length === HOSTILE_LONG_LENGTH)!;
    const r = await cli.run(["alerts", "get", hostileId, long.id]);
    assert.equal(r.code, 0, r.stderr);
    assertNoRawControls(r, "alerts get");
    assert.match(r.stdout, /^title {14}LONGx{1996}…\(\+1998000 chars\)$/m);
    assert.ok(r.stdout.length < 5000, `alerts get printed ${r.stdout.length} characters`);
    assert.match(r.stderr, /--json shows them in full/);
  });

  it("machines list, hunt and incidents list: nothing raw on the terminal, everything whole in --json", async () => {
    const machines = await cli.run(["machines", "list", "--all"]);
    assert.equal(machines.code, 0, machines.stderr);
    assertNoRawControls(machines, "machines list");
    assert.match(machines.stdout, /Hostile Corp\t[0-9a-f]{40}\t\\x/);
    const machinesJson = JSON.parse((await cli.run(["machines", "list", "--tenant", hostileId, "--json"])).stdout) as Array<{ computerDnsName: string }>;
    assert.ok(machinesJson.some((m) => m.computerDnsName.startsWith(HOSTILE_STRINGS.osc52)), "--json keeps the machine names exactly");

    const hunt = await cli.run(["hunt", "DeviceInfo | project DeviceName, LoggedOnUsers | take 20", "--all"]);
    assert.equal(hunt.code, 0, hunt.stderr);
    assertNoRawControls(hunt, "hunt");
    assert.match(hunt.stdout, /\\x1b\]/);
    const huntJson = JSON.parse((await cli.run(["hunt", "DeviceInfo | project DeviceName | take 20", "--tenant", hostileId, "--json"])).stdout) as {
      rows: Array<{ DeviceName: string }>;
    };
    assert.ok(huntJson.rows.some((r) => r.DeviceName.startsWith(HOSTILE_STRINGS.osc52)), "hunting rows keep the exact values in --json");

    const incidents = await cli.run(["incidents", "list", "--all"]);
    assert.equal(incidents.code, 0, incidents.stderr);
    assertNoRawControls(incidents, "incidents list");
    assert.match(incidents.stdout, /\tLONGx+…\(\+1999800 chars\)\n/);
    const incidentsJson = JSON.parse((await cli.run(["incidents", "list", "--all", "--json"])).stdout) as Array<{ displayName: string | null }>;
    assert.ok(incidentsJson.some((i) => i.displayName === HOSTILE_STRINGS.long), "--json keeps the long incident name whole");
  });

  it("API and usage errors quoting hostile text are one line each with controls shown visibly", async () => {
    // The hunting service quotes what it could not parse: the OSC 52 sequence comes back in its error text.
    const r = await cli.run(["hunt", `DeviceInfo | where Timestamp > datetime(${HOSTILE_STRINGS.osc52})`, "--all"]);
    assert.equal(r.code, 2, r.stderr);
    assertNoRawControls(r, "hunt error");
    const errors = r.stderr.split("\n").filter((l) => l.startsWith("error: "));
    assert.equal(errors.length, 2, r.stderr);
    for (const line of errors) assert.match(line, /\\x1b\]52;c;[A-Za-z0-9+/=]+\\x07/);

    const usage = await cli.run(["alerts", "list", `--x${HOSTILE_STRINGS.title}`]);
    assert.equal(usage.code, 2);
    assertNoRawControls(usage, "usage error");
    assert.match(usage.stderr, /unknown option '--x\\x1b\]0;/);
  });

  it("token inspect shows a token's claims with controls visible", async () => {
    const part = (value: object) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const jwt = `${part({ alg: "RS256", typ: "JWT" })}.${part({
      tid: HOSTILE_STRINGS.osc52,
      appid: HOSTILE_STRINGS.c1Csi,
      aud: HOSTILE_STRINGS.title,
      roles: [HOSTILE_STRINGS.clear],
      ver: "1.0",
    })}.c2ln`;
    const r = await cli.run(["token", "inspect", "--token", jwt]);
    assert.equal(r.code, 1);
    assertNoRawControls(r, "token inspect");
    assert.match(r.stdout, /^appid\s+\\x9b31mC1 CSI\\x9b0m$/m);
  });

  it("--quiet prints the rows without header or notes", async () => {
    const r = await cli.run(["alerts", "list", "--all", "--quiet"]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stderr, "");
    const lines = r.stdout.trim().split("\n");
    assert.equal(lines.length, 24);
    assert.ok(lines.every((l) => /^(Plain|Hostile) Corp\tda\d/.test(l)), lines[0]);
  });

  it("a reader that goes away (| head -1) ends the CLI quietly with exit 0", async () => {
    for (const args of [
      ["alerts", "list", "--all", "--ndjson"],
      ["export", "alerts"],
    ]) {
      const r = await runIntoClosedPipe(args, { MDE_PARTNER_HOME: cli.home, MDE_TEST_SECRET: world.info.partnerApp.clientSecret });
      assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr, "", args.join(" "));
      assert.match(r.stdout, /^\{"/, "data arrived before the pipe closed");
    }
  });
});
