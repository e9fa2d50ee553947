import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { type AlertFilter, type AlertQuery, advanceCursor, openStore, type Store, type StoredAlert } from "@mde-partner/sync";
import { createTestDatabase, DIALECTS, randomTenantId, type TestDatabase } from "./helpers/databases.js";

function random(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)]! };
}

const SEVERITIES = ["UnSpecified", "Informational", "Low", "Medium", "High"] as const;
const STATUSES = ["New", "InProgress", "Resolved"] as const;
const TITLES = [
  "Suspicious PowerShell command line",
  "Ransomware behavior detected",
  "SUSPICIOUS process injection",
  "Malware was detected",
  "Anomalous Logon Ünicode",
];

/** A time with 0–7 fractional digits, as the API prints them (mde-api.md §3.7). */
function apiTime(ms: number, ticks: number, digits: number): string {
  const base = new Date(ms).toISOString().slice(0, 19);
  if (digits === 0) return `${base}Z`;
  return `${base}.${String(ticks).padStart(7, "0").slice(0, digits)}Z`;
}

/** Independent order of API times: [ms, 100-ns ticks] as one BigInt. */
function ticksOf(time: string | null): bigint {
  if (!time) return -1n;
  const m = /^(.{19})(?:\.(\d+))?Z$/.exec(time)!;
  return BigInt(Date.parse(`${m[1]}Z`)) * 10_000n + BigInt((m[2] ?? "").padEnd(7, "0").slice(0, 7));
}

const cmp = (a: string | bigint | number, b: string | bigint | number) => (a < b ? -1 : a > b ? 1 : 0);

/** The query computed in plain JS over the full data set — what the store must return. */
function expected(all: StoredAlert[], q: AlertQuery): StoredAlert[] {
  const field = q.timeField === "alertCreationTime" ? "alertCreationTime" : "lastUpdateTime";
  const from = q.from === undefined ? undefined : ticksOf(new Date(q.from).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z"));
  const to = q.to === undefined ? undefined : ticksOf(new Date(q.to).toISOString().replace(/\.(\d{3})Z$/, ".$10000Z"));
  const rows = all.filter(
    (a) =>
      (!q.tenantIds || q.tenantIds.includes(a.tenantId)) &&
      (!q.severities || q.severities.includes(a.severity!)) &&
      (!q.statuses || q.statuses.includes(a.status!)) &&
      (q.assignedTo === undefined || a.assignedTo === q.assignedTo) &&
      (from === undefined || ticksOf(a[field]) >= from) &&
      (to === undefined || ticksOf(a[field]) < to) &&
      (!q.search || (a.title ?? "").toLowerCase().includes(q.search.toLowerCase())),
  );
  const sign = q.order === "asc" ? 1 : -1;
  const sort = q.sort ?? "lastUpdateTime";
  rows.sort(
    (a, b) =>
      sign *
        (sort === "severity"
          ? cmp(SEVERITIES.indexOf(a.severity as never), SEVERITIES.indexOf(b.severity as never)) ||
            cmp(ticksOf(a.lastUpdateTime), ticksOf(b.lastUpdateTime))
          : sort === "alertCreationTime"
            ? cmp(ticksOf(a.alertCreationTime), ticksOf(b.alertCreationTime))
            : cmp(ticksOf(a.lastUpdateTime), ticksOf(b.lastUpdateTime)) || 0) || sign * (cmp(a.tenantId, b.tenantId) || cmp(a.id, b.id)),
  );
  return rows;
}

const key = (a: StoredAlert) => `${a.tenantId}/${a.id}`;

async function readAllPages(store: Store, q: AlertQuery): Promise<StoredAlert[]> {
  const out: StoredAlert[] = [];
  let pageToken: string | null = null;
  do {
    const page: Awaited<ReturnType<Store["queryAlerts"]>> = await store.queryAlerts({ ...q, ...(pageToken ? { pageToken } : {}) });
    assert.ok(page.items.length <= (q.limit ?? 50));
    out.push(...page.items);
    pageToken = page.nextPageToken;
  } while (pageToken);
  return out;
}

for (const dialect of DIALECTS) {
  describe(`store alert queries (${dialect})`, () => {
    let db: TestDatabase;
    let store: Store;
    let all: StoredAlert[];
    const tenants = [randomTenantId(), randomTenantId(), randomTenantId()];

    before(async () => {
      db = await createTestDatabase(dialect);
      store = await openStore(db.options);
      const rnd = random(42);
      const start = Date.parse("2024-01-01T00:00:00Z");
      for (const tenant of tenants) {
        const alerts = Array.from({ length: 600 }, (_, i) => {
          // Few distinct seconds, so equal timestamps and tie-breaks are common.
          const updated = apiTime(start + rnd.int(200) * 1000, rnd.int(3) * 1_000_000 + rnd.int(2), rnd.pick([0, 1, 3, 7, 7, 7]));
          return {
            id: `da${String(rnd.int(1e9)).padStart(10, "0")}_${i}${rnd.pick(["", "-", "A", "a"])}`,
            title: rnd.pick(TITLES),
            severity: rnd.pick(SEVERITIES),
            status: rnd.pick(STATUSES),
            assignedTo: rnd.pick([null, "analyst@contoso.com", "soc@fabrikam.com"]),
            alertCreationTime: apiTime(start - rnd.int(100_000) * 1000, rnd.int(10_000_000), 7),
            lastUpdateTime: updated,
          };
        });
        await store.applyAlertPage(tenant, alerts, advanceCursor(null, alerts));
      }
      all = [];
      for await (const a of store.streamAlerts({}, { chunkSize: 500 })) all.push(a);
      assert.equal(all.length, 1800);
    });
    after(async () => {
      await store.close();
      await db.drop();
    });

    const cases: Array<[string, AlertQuery]> = [
      ["default sort (lastUpdateTime desc) across tenants", {}],
      [
        "one tenant, severity + status + time range",
        { tenantIds: [tenants[0]!], severities: ["High"], statuses: ["New"], from: "2024-01-01T00:00:30Z", to: "2024-01-01T00:02:30Z" },
      ],
      [
        "two tenants, several severities, ascending",
        { tenantIds: [tenants[0]!, tenants[2]!], severities: ["Low", "Medium"], order: "asc" },
      ],
      ["sort by severity", { sort: "severity", statuses: ["InProgress", "Resolved"] }],
      [
        "sort by creation time with a creation-time range",
        { sort: "alertCreationTime", timeField: "alertCreationTime", from: "2023-12-31T12:00:00Z", order: "asc" },
      ],
      ["case-insensitive title search", { search: "suspicious" }],
      ["title search with non-ASCII", { search: "ünicode", tenantIds: [tenants[1]!] }],
      ["assigned to", { assignedTo: "soc@fabrikam.com", sort: "severity", order: "asc" }],
      ["nothing matches", { severities: [] }],
    ];

    for (const [name, q] of cases) {
      it(`${name}: keyset pages equal filtering in JS`, async () => {
        const want = expected(all, q).map(key);
        if (name !== "nothing matches") assert.ok(want.length > 10, `the case selects more than one page (${want.length})`);
        const got = await readAllPages(store, { ...q, limit: 10 });
        assert.deepEqual(got.map(key), want);
        assert.equal(await store.countAlerts(q), want.length);
      });
    }

    it("offset paging returns the same slices", async () => {
      const q: AlertQuery = { tenantIds: [tenants[1]!], statuses: ["New", "InProgress"], sort: "lastUpdateTime" };
      const want = expected(all, q).map(key);
      const page3 = await store.queryAlerts({ ...q, limit: 25, offset: 50 });
      assert.deepEqual(page3.items.map(key), want.slice(50, 75));
      const first = await store.queryAlerts({ ...q, limit: 50 });
      assert.deepEqual(first.items.map(key), want.slice(0, 50));
      assert.notEqual(first.nextPageToken, null);
    });

    it("offset paging across tenants returns the same slices", async () => {
      for (const q of [{ statuses: ["New", "InProgress"] }, { sort: "alertCreationTime", order: "asc", tenantIds: [tenants[0]!, tenants[1]!] }] as AlertQuery[]) {
        const want = expected(all, q).map(key);
        assert.deepEqual((await store.queryAlerts({ ...q, limit: 25, offset: 50 })).items.map(key), want.slice(50, 75));
        assert.deepEqual((await store.queryAlerts({ ...q, limit: 40, offset: want.length - 30 })).items.map(key), want.slice(-30));
      }
    });

    it("streaming every tenant, or several, gives the order the pages give", async () => {
      for (const q of [{}, { tenantIds: [tenants[2]!, tenants[0]!], severities: ["High", "Low"], order: "asc" }, { sort: "alertCreationTime", search: "suspicious" }] as AlertQuery[]) {
        const streamed: StoredAlert[] = [];
        for await (const a of store.streamAlerts(q, { chunkSize: 7 })) streamed.push(a);
        assert.deepEqual(streamed.map(key), expected(all, q).map(key));
      }
      // A consumer that stops early gets what it took.
      const taken: StoredAlert[] = [];
      for await (const a of store.streamAlerts({}, { chunkSize: 50 })) if (taken.push(a) === 5) break;
      assert.deepEqual(taken.map(key), expected(all, {}).slice(0, 5).map(key));
    });

    it("counts by tenant and severity equal counting in JS", async () => {
      const filter: AlertFilter = { statuses: ["New"] };
      const want = new Map<string, number>();
      for (const a of expected(all, filter)) want.set(`${a.tenantId}|${a.severity}`, (want.get(`${a.tenantId}|${a.severity}`) ?? 0) + 1);
      const got = await store.countAlertsByTenantAndSeverity(filter);
      assert.deepEqual(new Map(got.map((r) => [`${r.tenantId}|${r.severity}`, r.count])), want);
    });

    it("rejects a page token from another query", async () => {
      const { nextPageToken } = await store.queryAlerts({ limit: 5 });
      assert.ok(nextPageToken);
      await assert.rejects(store.queryAlerts({ sort: "severity", pageToken: nextPageToken }), TypeError);
      await assert.rejects(store.queryAlerts({ pageToken: "garbage" }), TypeError);
      await assert.rejects(store.queryAlerts({ limit: 0 }), TypeError);
    });

    it("streams 20,000 alerts in chunks, in order, and stops early on break", async () => {
      const tenant = randomTenantId();
      const n = 20_000;
      for (let p = 0; p < n / 5000; p++) {
        const page = Array.from({ length: 5000 }, (_, i) => {
          const k = p * 5000 + i;
          return {
            id: `s${String(k).padStart(6, "0")}`,
            severity: "Low",
            status: "New",
            lastUpdateTime: apiTime(Date.parse("2024-02-01T00:00:00Z") + (k % 997) * 1000, k, 7),
          };
        });
        await store.applyAlertPage(tenant, page, advanceCursor(null, page));
      }
      let count = 0;
      let previous: StoredAlert | undefined;
      for await (const a of store.streamAlerts({ tenantIds: [tenant], order: "asc" }, { chunkSize: 1000 })) {
        if (previous)
          assert.ok(
            ticksOf(previous.lastUpdateTime) < ticksOf(a.lastUpdateTime) ||
              (previous.lastUpdateTime === a.lastUpdateTime && previous.id < a.id),
          );
        previous = a;
        count++;
      }
      assert.equal(count, n);

      const firstTen: string[] = [];
      for await (const a of store.streamAlerts({ tenantIds: [tenant] }, { chunkSize: 1000 })) {
        firstTen.push(a.id);
        if (firstTen.length === 10) break;
      }
      assert.equal(firstTen.length, 10);
    });
  });
}
