/**
 * Crash safety: a sync process is killed (SIGKILL) at random points — during
 * the backfill, during incremental runs, while the emulator changes alerts
 * under it — and after each restart the store equals the emulator's ground
 * truth exactly, without duplicates. The emulator listens on a real socket in
 * the test's process (the killed sync process reaches it over HTTPS); the store is a SQLite file.
 */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { after, before, describe, it } from "node:test";
import type { EmulatorInfo } from "@mde-partner/emulator";
import { openStore } from "@mde-partner/sync";
import { type EmulatorWorld, servedEmulator, tempDir } from "@mde-partner/test-kit";

const root = new URL("../../../", import.meta.url).pathname;
const fixtures = new URL("./fixtures/", import.meta.url).pathname;
const RUNS = 10;

/** Deterministic random numbers for the kill points (the seed is printed on failure). */
function seeded(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

describe("sync killed at random points", () => {
  let emulator: EmulatorWorld;
  let info: EmulatorInfo;
  let dir: string;

  before(async () => {
    dir = tempDir("mde-sync-crash-");
    emulator = await servedEmulator({ seed: "engine-crash", tenants: 5, alertsPerTenant: 5000, machinesPerTenant: 5, rateLimits: false });
    info = emulator.info;
  });

  after(() => emulator.stop());

  const control = async (method: string, path: string, body?: unknown) => {
    const res = await emulator.emulator.fetch(`${info.controlUrl}${path}`, {
      method,
      ...(body !== undefined ? { body: JSON.stringify(body), headers: { "content-type": "application/json" } } : {}),
    });
    assert.ok(res.ok, `${method} ${path}: ${res.status}`);
    return res.json() as Promise<Record<string, unknown>>;
  };

  const startChild = (storeUrl: string) => {
    const child = spawn(process.execPath, [join(fixtures, "sync-child.mjs")], {
      cwd: root,
      env: { ...process.env, SYNC_CHILD: JSON.stringify({ storeUrl, info, pageSize: 400 }) },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const lines: string[] = [];
    createInterface({ input: child.stdout! }).on("line", (l) => lines.push(l));
    let stderr = "";
    child.stderr!.on("data", (d) => (stderr += d));
    return { child, lines, stderr: () => stderr, exited: once(child, "exit") as Promise<[number | null, string | null]> };
  };

  it(`after each of ${RUNS} SIGKILLs and a restart, the store equals ground truth`, async (t) => {
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 100_000);
    t.diagnostic(`kill-point seed ${seed} (CRASH_SEED=${seed} repeats it)`);
    const random = seeded(seed);
    const storeUrl = `sqlite:${join(dir, "store.db")}`;
    let killedMidRun = 0;

    for (let run = 0; run < RUNS; run++) {
      const victim = startChild(storeUrl);
      // The customers keep working while the sync runs (and dies).
      const changes = (async () => {
        for (const tenant of info.tenants) {
          await control("POST", `/tenants/${tenant.id}/alerts`, { count: 20 + random(40) });
          await control("POST", `/tenants/${tenant.id}/alerts/updates`, { count: 30 + random(60), sameTimestamp: run % 2 === 0 });
        }
      })();
      // Kill after a random number of committed pages plus a random delay: inside a
      // page's transaction, between pages, during a request, or during machines.
      const pages = random(run === 0 ? 40 : 6);
      const deadline = Date.now() + 30_000;
      while (victim.lines.filter((l) => l.startsWith("page")).length < pages && victim.child.exitCode === null && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 2));
      }
      await new Promise((r) => setTimeout(r, random(120)));
      if (victim.child.exitCode === null) {
        victim.child.kill("SIGKILL");
        killedMidRun++;
      }
      await victim.exited;
      await changes;

      const restart = startChild(storeUrl);
      const [code] = await restart.exited;
      assert.equal(code, 0, `restart after run ${run} failed: ${restart.stderr()}`);
      assert.equal(restart.lines.at(-1), "done", restart.lines.slice(-3).join("\n"));

      const store = await openStore({ url: storeUrl });
      try {
        for (const tenant of info.tenants) {
          const truth = await control("GET", `/tenants/${tenant.id}/ground-truth`);
          const mine = await store.groundTruth(tenant.id);
          assert.deepEqual(
            { alerts: mine.alerts, checksum: mine.checksum },
            { alerts: truth.alerts, checksum: truth.checksum },
            `run ${run} (seed ${seed}), tenant ${tenant.id}`,
          );
        }
        const total = (await Promise.all(info.tenants.map((x) => control("GET", `/tenants/${x.id}/ground-truth`)))).reduce(
          (n, g) => n + Number(g.alerts),
          0,
        );
        assert.equal(await store.countAlerts(), total, "no duplicates");
      } finally {
        await store.close();
      }
    }
    assert.ok(killedMidRun >= RUNS / 2, `most runs were killed before finishing (${killedMidRun}/${RUNS})`);
  });
});
