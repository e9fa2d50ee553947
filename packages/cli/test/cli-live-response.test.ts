/**
 * `library list|upload|delete` and `machines live-response` through the real
 * binary against the emulator: a script uploaded to one tenant's library, run
 * on machines of two tenants at once (`--target`), waited for, its transcript
 * printed (a hostile tenant's made visible, never raw) or written under `--out`
 * with names of ids only; a second session on a busy machine is that machine's
 * clear error; every upload, deletion and session is in the audit log; bad
 * input is one line and a hint.
 */
import assert from "node:assert/strict";
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";
import { type AuditEntry, type CliHome, type CliRun, emulatorHome, type EmulatorWorld, servedEmulator, tempDir } from "./helpers.js";

const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

interface Session {
  tenantId: string;
  machineId: string;
  actionId: string | null;
  status: string | null;
  commands: Array<{ index: number; type: string; commandStatus: string | null; transcript?: { exit_code: number | null; script_output: string }; savedTo?: string; bytes?: number }>;
  error?: { apiCode?: string; message: string };
}

const oneLineError = (r: CliRun, pattern: RegExp) => {
  assert.match(r.stderr, /^error: .+\n(hint: .+\n)?$/, r.stderr);
  assert.match(r.stderr, pattern);
  assert.doesNotMatch(r.stderr, /\n\s+at /, "no stack trace");
};

describe("mde-partner library and machines live-response", () => {
  let world: EmulatorWorld;
  let cli: CliHome;
  let contoso: string;
  let hostile: string;
  const windows = new Map<string, string[]>();

  before(async () => {
    world = await servedEmulator({ tenants: [{}, { hostile: true }], alertsPerTenant: 2, machinesPerTenant: 5, seed: 52 });
    contoso = world.info.tenants.find((t) => !t.hostile)!.id;
    hostile = world.info.tenants.find((t) => t.hostile)!.id;
    // Live response and its library need their own permissions (not in the default consent).
    for (const t of world.info.tenants) world.emulator.control.setConsent(t.id, { roles: [...t.roles, "Library.Manage", "Machine.LiveResponse"] });
    cli = await emulatorHome(world.info, {
      tenants: [
        { id: contoso, name: "Contoso" },
        { id: hostile, name: "Hostile Corp" },
      ],
    });
    for (const id of [contoso, hostile]) {
      const machines = await cli.json<Array<{ id: string; osPlatform: string }>>(["machines", "list", "--tenant", id, "--json"]);
      windows.set(id, machines.filter((m) => /^Windows/.test(m.osPlatform)).map((m) => m.id));
    }
  });
  after(async () => {
    await world?.stop();
  });

  it("uploads, lists and deletes library files (audited; deleting needs --yes without a terminal)", async () => {
    const dir = tempDir("mde-cli-lib-");
    const file = join(dir, "hunt-persistence.ps1");
    writeFileSync(file, "Get-ScheduledTask | Select-Object TaskName\n");
    const uploaded = await cli.json<{ fileName: string; description: string; hasParameters: boolean; tenantId: string }>([
      "library",
      "upload",
      contoso,
      file,
      "--description",
      "persistence triage",
      "--parameters-description",
      "-Days <n>",
      "--json",
    ]);
    assert.deepEqual([uploaded.fileName, uploaded.description, uploaded.hasParameters, uploaded.tenantId], ["hunt-persistence.ps1", "persistence triage", true, contoso]);
    // Uploading the same name again is refused by the service unless --override.
    let r = await cli.run(["library", "upload", contoso, file]);
    assert.notEqual(r.code, 0);
    await cli.ok(["library", "upload", contoso, file, "--override", "--description", "v2"]);

    const files = await cli.json<Array<{ tenantId: string; fileName: string; description: string }>>(["library", "list", "--all", "--json"]);
    assert.equal(files.find((f) => f.tenantId === contoso && f.fileName === "hunt-persistence.ps1")?.description, "v2");
    assert.ok(!files.some((f) => f.tenantId === hostile && f.fileName === "hunt-persistence.ps1"), "uploaded to one tenant only");
    assert.ok(new Set(files.map((f) => f.tenantId)).size === 2, "both tenants' libraries listed");

    r = await cli.ok(["library", "list", "--tenant", hostile]);
    assert.equal(r.stdout.search(RAW_CONTROL), -1, "a hostile library's descriptions print no raw control");
    assert.match(r.stdout, /\\x1b/);

    r = await cli.expect(2, ["library", "delete", contoso, "hunt-persistence.ps1"]);
    oneLineError(r, /library delete cannot be undone and there is no terminal to ask/);
    r = await cli.ok(["library", "delete", contoso, "hunt-persistence.ps1", "--yes"]);
    assert.match(r.stdout, /deleted hunt-persistence\.ps1 from Contoso/);
    r = await cli.expect(2, ["library", "delete", contoso, "hunt-persistence.ps1", "--yes"]);
    assert.match(r.stderr, /not found/);

    oneLineError(await cli.expect(2, ["library", "upload", contoso, join(dir, "missing.ps1")]), /does not exist/);
    oneLineError(await cli.expect(2, ["library", "delete", contoso, "../etc/passwd", "--yes"]), /is not a library file name/);

    const audit = await cli.json<AuditEntry[]>(["audit", "--tenant", contoso, "--json"]);
    const lib = audit.filter((e) => e.action.startsWith("library.")).map((e) => `${e.action}:${e.phase}`);
    assert.deepEqual(lib.sort(), ["library.delete:completed", "library.delete:failed", "library.upload:completed", "library.upload:completed", "library.upload:failed"]);
  });

  it("runs a library script on machines of two tenants, prints transcripts safely and saves them under --out", { timeout: 120_000 }, async () => {
    const [a] = windows.get(contoso)!;
    const h = windows.get(hostile)![0]!;
    const out = tempDir("mde-cli-lr-out-");
    const sessions = await cli.json<Session[]>([
      "machines",
      "live-response",
      "--target",
      `${contoso}:${a}`,
      "--target",
      `${hostile}:${h}`,
      "--script",
      "collect-triage.ps1",
      "--get-file",
      "C:\\Windows\\Temp\\triage.zip",
      "--comment",
      "INC-77 triage",
      "--out",
      out,
      "--json",
    ]);
    assert.equal(sessions.length, 2);
    for (const s of sessions) {
      assert.equal(s.status, "Succeeded", JSON.stringify(s.error));
      assert.deepEqual(s.commands.map((c) => [c.type, c.commandStatus]), [["RunScript", "Completed"], ["GetFile", "Completed"]]);
      assert.equal(s.commands[0]!.transcript?.exit_code, 0);
      assert.ok(s.commands[1]!.bytes! > 0, "the fetched file was downloaded");
    }
    // Written under DIR/<tenant-id>/ with names made of the machine and action ids only.
    assert.deepEqual(readdirSync(out).sort(), [contoso, hostile].sort());
    for (const s of sessions) {
      const names = readdirSync(join(out, s.tenantId)).sort();
      assert.deepEqual(names, [`${s.machineId}_${s.actionId!.slice(0, 8)}_0-transcript.json`, `${s.machineId}_${s.actionId!.slice(0, 8)}_1-file.bin`]);
      const transcript = JSON.parse(readFileSync(join(out, s.tenantId, names[0]!), "utf8")) as { script_output: string };
      assert.equal(transcript.script_output, s.commands[0]!.transcript!.script_output, "the transcript is kept whole");
    }

    // On the terminal: the hostile tenant's transcript and names are shown with every control made visible.
    const r = await cli.ok(["machines", "live-response", hostile, h, "--script", "collect-triage.ps1", "--comment", "INC-77 again"]);
    assert.equal(r.stdout.search(RAW_CONTROL), -1, "no raw control on stdout");
    assert.equal(r.stderr.search(RAW_CONTROL), -1, "no raw control on stderr");
    assert.match(r.stdout, /\[0\] RunScript ScriptName=collect-triage\.ps1: Completed, exit code 0/);
    assert.match(r.stdout, /\\x1b\]52;/, "the OSC 52 sequence is there, neutralised");
    assert.ok(r.stdout.length < 200_000, "the 2 MB line is bounded");

    const audit = await cli.json<AuditEntry[]>(["audit", "--action", "machine.live-response", "--json"]);
    assert.equal(audit.filter((e) => e.phase === "requested").length, 3);
    assert.equal(audit.filter((e) => e.phase === "completed").length, 3);
  });

  it("a second session on a busy machine is that machine's clear error; the others run", { timeout: 120_000 }, async () => {
    const [busy, free] = windows.get(contoso)!.slice(2);
    assert.ok(busy && free, "two more Windows machines");
    // Someone else's session, open on the machine (started straight through the client).
    const { partnerFor } = await import("@mde-partner/test-kit");
    const partner = partnerFor(world);
    const open = await partner
      .tenant(contoso)
      .mde.machineActions.runLiveResponse(busy, { comment: "first", commands: [{ type: "RunScript", params: [{ key: "ScriptName", value: "collect-triage.ps1" }] }] });
    await partner.close();
    const r = await cli.expect(3, ["machines", "live-response", contoso, busy, free, "--script", "collect-triage.ps1", "--comment", "second", "--json"]);
    const sessions = JSON.parse(r.stdout) as Session[];
    const refused = sessions.find((s) => s.machineId === busy)!;
    assert.equal(refused.error?.apiCode, "ActiveRequestAlreadyExists");
    assert.equal(sessions.find((s) => s.machineId === free)!.status, "Succeeded");
    assert.match(r.stderr, /error: machine .* of Contoso: a live response session is already running on this machine \(ActiveRequestAlreadyExists\)\n/);
    assert.ok(r.stderr.includes(`hint: wait for it to end, or cancel it: mde-partner machines cancel ${contoso} ${open.id} --comment`), r.stderr);
  });

  it("refuses bad input with one line and a hint before anything is sent", async () => {
    const m = windows.get(contoso)![0]!;
    const targets = join(tempDir("mde-cli-targets-"), "targets.txt");
    writeFileSync(targets, `# tenant machine\n${contoso}:${m}\nnot-a-target\n`);
    const cases: Array<[string[], RegExp]> = [
      [["machines", "live-response", contoso, m, "--script", "collect-triage.ps1"], /needs --comment/],
      [["machines", "live-response", contoso, m, "--comment", "x"], /nothing to run/],
      [["machines", "live-response", "--script", "collect-triage.ps1", "--comment", "x"], /no machine to run on/],
      [["machines", "live-response", contoso, "--script", "a.ps1", "--comment", "x"], /at least one machine id/],
      [["machines", "live-response", "--target", "nope", "--script", "a.ps1", "--comment", "x"], /--target: .*not TENANT:MACHINE/],
      [["machines", "live-response", "--targets-file", targets, "--script", "a.ps1", "--comment", "x"], /targets\.txt line 3/],
      [["machines", "live-response", contoso, m, "--script", "..\\evil.ps1", "--comment", "x"], /not a library script name/],
      [["machines", "live-response", contoso, m, "--args", "-x", "--comment", "x"], /--args goes with --script/],
      [["machines", "live-response", contoso, m, "--script", "a.ps1", "--comment", "x", "--concurrency", "26"], /--concurrency must be between 1 and 25/],
      [["machines", "live-response", contoso, "0".repeat(40), "--script", "a.ps1", "--comment", "x"], /does not exist in tenant Contoso/],
    ];
    const before = (await cli.json<AuditEntry[]>(["audit", "--json"])).length;
    for (const [args, pattern] of cases) oneLineError(await cli.expect(2, args), pattern);
    assert.equal((await cli.json<AuditEntry[]>(["audit", "--json"])).length, before, "nothing recorded");
  });
});
