/**
 * Rate budgets shared between workers: the client's budget-store contract
 * (fixed windows, all or nothing, the guard band at a window's end) in memory
 * and in PostgreSQL, concurrent takers on separate connection pools never
 * exceeding a limit together, and three partner clients — each with its own
 * pool, as three worker processes would have — sending exactly the budget of
 * one app+tenant in a minute between them and holding the rest back.
 */
import assert from "node:assert/strict";
import { setMaxListeners } from "node:events";
import { after, before, describe, it } from "node:test";
import { type BudgetWindow, createMemoryBudgetStore, type RateBudgetStore } from "@mde-partner/client";
import { createPostgresBudgetStore, type PostgresBudgetStore } from "@mde-partner/sync";
import { emulatorWorld, type EmulatorWorld, partnerFor } from "@mde-partner/test-kit";
import { createWorkerDatabase } from "./fixtures/worker-world.js";
import { PG_URL } from "./helpers/databases.js";

const MINUTE = 60_000;
const T0 = Date.UTC(2026, 4, 1, 12, 0, 0); // a minute (and hour) boundary

function contract(name: string, open: () => Promise<RateBudgetStore>) {
  describe(`budget store contract: ${name}`, () => {
    const perMinute: BudgetWindow[] = [{ ms: MINUTE, limit: 3 }];

    it("counts sends in fixed, clock-aligned windows and says how long to wait", async () => {
      const store = await open();
      for (let i = 0; i < 3; i++) assert.deepEqual(await store.take("k1", perMinute, T0 + 10_000 + i), { ok: true });
      assert.deepEqual(await store.take("k1", perMinute, T0 + 20_000), { ok: false, waitMs: 40_000 });
      assert.deepEqual(await store.take("k2", perMinute, T0 + 20_000), { ok: true }, "keys are apart");
      assert.deepEqual(await store.take("k1", perMinute, T0 + MINUTE), { ok: true }, "the next minute starts empty");
    });

    it("takes all windows or none", async () => {
      const store = await open();
      const both: BudgetWindow[] = [
        { ms: MINUTE, limit: 10 },
        { ms: 3_600_000, limit: 2 },
      ];
      assert.equal((await store.take("k3", both, T0 + 1000)).ok, true);
      assert.equal((await store.take("k3", both, T0 + 2000)).ok, true);
      const refused = await store.take("k3", both, T0 + 3000);
      assert.deepEqual(refused, { ok: false, waitMs: 3_600_000 - 3000 });
      // The refused take left the minute window alone: 8 more fit in it (checked with the hour window gone).
      for (let i = 0; i < 8; i++) assert.equal((await store.take("k3", [{ ms: MINUTE, limit: 10 }], T0 + 4000)).ok, true);
      assert.equal((await store.take("k3", [{ ms: MINUTE, limit: 10 }], T0 + 4000)).ok, false);
    });

    it("counts a send in a window's last second in the next window too (it may arrive there)", async () => {
      const store = await open();
      const edge = T0 + MINUTE - 400;
      for (let i = 0; i < 3; i++) assert.equal((await store.take("k4", perMinute, edge)).ok, true);
      // The next minute already holds the three that may land in it.
      assert.equal((await store.take("k4", perMinute, T0 + MINUTE + 5)).ok, false);
    });

    it("holds a paused key until the pause ends", async () => {
      const store = await open();
      await store.pause("k5", T0 + 30_000);
      assert.deepEqual(await store.take("k5", perMinute, T0 + 10_000), { ok: false, waitMs: 20_000 });
      assert.equal((await store.take("k5", perMinute, T0 + 30_000)).ok, true);
    });
  });
}

describe("shared rate budgets", () => {
  let db: Awaited<ReturnType<typeof createWorkerDatabase>>;
  const opened: PostgresBudgetStore[] = [];
  const pgStore = (): PostgresBudgetStore => {
    const s = createPostgresBudgetStore({ connectionString: PG_URL, schema: db.schema });
    opened.push(s);
    return s;
  };
  before(async () => {
    db = await createWorkerDatabase();
  });
  after(async () => {
    await Promise.all(opened.map((s) => s.close()));
    await db.drop();
  });

  contract("memory", async () => createMemoryBudgetStore());
  contract("PostgreSQL", async () => {
    // Each contract case uses its own keys, so one schema serves them all; a fresh key prefix keeps reruns apart.
    const s = pgStore();
    const prefix = `${Math.random()}`;
    return { take: (k, w, n) => s.take(`${prefix}${k}`, w, n), pause: (k, u) => s.pause(`${prefix}${k}`, u) };
  });

  it("PostgreSQL: 3 pools × 40 concurrent takes of one key never exceed the limit together", async () => {
    const stores = [pgStore(), pgStore(), pgStore()];
    const windows: BudgetWindow[] = [
      { ms: MINUTE, limit: 25 },
      { ms: 3_600_000, limit: 1500 },
    ];
    const results = await Promise.all(stores.flatMap((s) => Array.from({ length: 40 }, () => s.take("race", windows, T0 + 5000))));
    assert.equal(results.filter((r) => r.ok).length, 25);
    const rows = await db.sql<{ window_ms: number; count: number }>(
      `select window_ms, count from ${db.schema}.mde_rate_budget_windows where key = 'race' order by window_ms`,
    );
    assert.deepEqual(
      rows.map((r) => [Number(r.window_ms), Number(r.count)]),
      [
        [MINUTE, 25],
        [3_600_000, 25],
      ],
      "refused takes counted nowhere",
    );
  });

  describe("three partner clients, one app+tenant", () => {
    let world: EmulatorWorld;
    before(async () => {
      world = await emulatorWorld({ seed: "workers-budget", tenants: 1, alertsPerTenant: 20, machinesPerTenant: 1, rateLimits: true });
    });
    after(() => world.stop());

    it("send exactly the per-minute budget between them and hold the rest back", async () => {
      // Not too close to the end of a minute: the sends below must fall into one window.
      const intoMinute = Date.now() % MINUTE;
      if (intoMinute > MINUTE - 6000) await new Promise((r) => setTimeout(r, MINUTE - intoMinute + 50));
      const tenantId = world.info.tenants[0]!.id;
      const budget = 12;
      const clients = ["c1", "c2", "c3"].map((name) =>
        partnerFor(world, {
          userAgent: `budget-test/${name}`,
          budgetStore: pgStore(),
          rateBudgets: { alerts: { perMinute: budget, perHour: 1500 } },
        }),
      );
      const controller = new AbortController();
      setMaxListeners(64, controller.signal);
      const calls = clients.flatMap((c) =>
        Array.from({ length: 10 }, () => c.tenant(tenantId).alerts.list({ top: 1, signal: controller.signal })),
      );
      const settled = Promise.allSettled(calls);
      await new Promise((r) => setTimeout(r, 2500));
      const sent = world.emulator.state.journal.list({ kind: "api", tenantId }).filter((e) => e.operation === "ListAlerts");
      assert.equal(sent.length, budget, "exactly the budget went out");
      const byClient = new Map<string, number>();
      for (const e of sent) {
        const who = /budget-test\/(c\d)/.exec(e.userAgent ?? "")?.[1] ?? "?";
        byClient.set(who, (byClient.get(who) ?? 0) + 1);
      }
      assert.ok(byClient.size >= 2, `the budget was shared (${JSON.stringify([...byClient])})`);
      assert.ok(sent.every((e) => e.status === 200));
      controller.abort(new Error("test over"));
      const outcomes = await settled;
      assert.equal(outcomes.filter((o) => o.status === "fulfilled").length, budget);
      assert.equal(outcomes.filter((o) => o.status === "rejected").length, 30 - budget, "the rest waited, unsent");
      assert.equal(
        world.emulator.state.journal.list({ kind: "api", tenantId }).filter((e) => e.operation === "ListAlerts").length,
        budget,
      );
    });
  });
});
