import { sql } from "kysely";
import type { StoreContext } from "./context.js";
import { tenantKey } from "./context.js";
import { isolationStateOf } from "./machine-actions.js";
import { NO_TIME_US, usToIso } from "./time.js";

const DAY_MS = 86_400_000;
const DAY_US = DAY_MS * 1000;

/** What {@link createOverviewReader}'s `alertOverview` reads. */
export interface AlertOverviewQuery {
  /** The tenants to read; undefined reads every tenant, an empty list none. */
  readonly tenantIds?: readonly string[];
  /** Now: the daily counts end with the UTC day holding this time (default: the store's clock). */
  readonly now?: Date;
  /** UTC days of daily counts, today included (1–90, default 30). */
  readonly days?: number;
  /** Statuses counted as open (default `New`, `InProgress`). */
  readonly openStatuses?: readonly string[];
  /** Severities whose open alerts are counted (default `High`, `Medium`). */
  readonly openSeverities?: readonly string[];
}

/** One tenant's figures of the overview. */
export interface TenantAlertFigures {
  readonly tenantId: string;
  /** Open alerts by severity (only the asked severities; absent = 0). */
  readonly open: Readonly<Record<string, number>>;
  /** The alert still `New` that was created first (nobody has acknowledged it), or null. */
  readonly oldestNew: { readonly id: string; readonly createdAt: string } | null;
  /** Alerts created per UTC day, by severity (`UnSpecified` for none), one entry per day of `AlertOverview.days`. */
  readonly daily: ReadonlyArray<Readonly<Record<string, number>>>;
  /** Machines whose isolation is in force now (their newest decided Isolate/Unisolate action is a succeeded Isolate). */
  readonly isolatedMachineIds: readonly string[];
}

/** The overview's figures: the days counted and every tenant asked for that has figures. */
export interface AlertOverview {
  /** The first instant (UTC midnight) of each counted day, oldest first. */
  readonly days: readonly string[];
  /** Tenants by id; a tenant with no alert and no action has empty figures. */
  readonly tenants: readonly TenantAlertFigures[];
}

function names(values: readonly string[] | undefined, fallback: readonly string[], name: string): readonly string[] {
  const list = values ?? fallback;
  if (!Array.isArray(list) || list.some((v) => typeof v !== "string")) throw new TypeError(`${name} must be an array of strings`);
  return list;
}

/**
 * The SOC overview's aggregates, each one query over an index and none
 * reading alert rows beyond the few oldest New ones: open alerts per tenant
 * and severity (tenant, severity, status, update time), daily counts and the
 * oldest New alert (tenant, creation time, status, severity; schema v8), and
 * the isolation actions of the tenants' machines.
 */
export function createOverviewReader(ctx: StoreContext) {
  const { db } = ctx;

  return {
    /**
     * Per tenant: open alerts by severity, the oldest unacknowledged (New) alert, alerts created
     * per UTC day over the last `days` days by severity, and the machines isolated now.
     *
     * @example
     * const { days, tenants } = await store.alertOverview({ tenantIds: scope, days: 7 });
     */
    async alertOverview(query: AlertOverviewQuery = {}): Promise<AlertOverview> {
      const days = query.days ?? 30;
      if (!Number.isInteger(days) || days < 1 || days > 90) throw new TypeError(`days must be an integer from 1 to 90, got ${days}`);
      const now = query.now ?? new Date(ctx.clock.now());
      if (!(now instanceof Date) || Number.isNaN(now.getTime())) throw new TypeError("now must be a valid Date");
      const statuses = names(query.openStatuses, ["New", "InProgress"], "openStatuses");
      const severities = names(query.openSeverities, ["High", "Medium"], "openSeverities");
      const firstDayMs = Math.floor(now.getTime() / DAY_MS) * DAY_MS - (days - 1) * DAY_MS;
      const dayStarts = Array.from({ length: days }, (_, i) => new Date(firstDayMs + i * DAY_MS).toISOString());

      const wanted = query.tenantIds?.map(tenantKey);
      let keysQuery = db.selectFrom("tenant_keys").select(["key", "tenant_id"]);
      if (wanted !== undefined) {
        if (wanted.length === 0) return { days: dayStarts, tenants: [] };
        keysQuery = keysQuery.where("tenant_id", "in", wanted);
      }
      const keys = await keysQuery.orderBy("tenant_id").execute();
      // Tenants without a key have never stored an alert; their figures still come from their actions.
      const ids = wanted ?? (await db.selectFrom("tenants").select("id").execute()).map((t) => t.id);
      const idOf = new Map(keys.map((k) => [Number(k.key), k.tenant_id]));
      const figures = new Map(
        ids.map((id) => [id, { open: {} as Record<string, number>, oldestNew: null as TenantAlertFigures["oldestNew"], daily: dayStarts.map(() => ({}) as Record<string, number>), isolated: [] as string[] }]),
      );
      const keyList = [...idOf.keys()];
      if (keyList.length > 0) {
        const inKeys = sql.join(keyList.map((k) => sql.lit(k)));
        // Open alerts: ranges of (tenant_key, severity, status, updated_us), the index alone.
        if (severities.length > 0 && statuses.length > 0) {
          const open = await db
            .selectFrom("alerts")
            .select(["tenant_key", "severity", (eb) => eb.fn.countAll<number>().as("n")])
            .where(sql<boolean>`tenant_key in (${inKeys})`)
            .where("severity", "in", severities)
            .where("status", "in", statuses)
            .groupBy(["tenant_key", "severity"])
            .execute();
          for (const r of open) {
            const f = figures.get(idOf.get(Number(r.tenant_key)) ?? "");
            if (f && r.severity !== null) f.open[r.severity] = Number(r.n);
          }
        }
        // Day counts: one range of (tenant_key, created_us, …) per tenant. The day is an integer
        // division on both engines (a literal, so SQLite does not bind it as a REAL).
        const from = sql.lit(firstDayMs * 1000);
        const day = sql<number>`cast((created_us - ${from}) / ${sql.lit(DAY_US)} as integer)`;
        const daily = await db
          .selectFrom("alerts")
          .select([
            "tenant_key",
            day.as("day"),
            "severity",
            (eb) => eb.fn.countAll<number>().as("n"),
          ])
          .where(sql<boolean>`tenant_key in (${inKeys})`)
          .where(sql<boolean>`created_us >= ${from}`)
          .where(sql<boolean>`created_us < ${sql.lit((firstDayMs + days * DAY_MS) * 1000)}`)
          .groupBy(["tenant_key", day, "severity"])
          .execute();
        for (const r of daily) {
          const f = figures.get(idOf.get(Number(r.tenant_key)) ?? "");
          const bucket = f?.daily[Number(r.day)];
          if (bucket) bucket[r.severity ?? "UnSpecified"] = (bucket[r.severity ?? "UnSpecified"] ?? 0) + Number(r.n);
        }
        // The oldest New alert: each tenant's first matching entry in creation order (alerts without a
        // creation time sort first and are skipped), then those few rows.
        const firsts = await db
          .selectFrom("tenant_keys as k")
          .select((eb) => [
            "k.key",
            eb
              .selectFrom("alerts as a")
              .select("a.seq")
              .whereRef("a.tenant_key", "=", "k.key")
              .where("a.status", "=", "New")
              .where("a.created_us", ">", NO_TIME_US)
              .orderBy("a.created_us")
              .limit(1)
              .as("seq"),
          ])
          .where(sql<boolean>`k.key in (${inKeys})`)
          .execute();
        const seqs = firsts.map((r) => r.seq).filter((s): s is number => s !== null && s !== undefined);
        if (seqs.length > 0) {
          const rows = await db.selectFrom("alerts").select(["tenant_key", "id", "created_us"]).where("seq", "in", seqs.map(Number)).execute();
          for (const r of rows) {
            const f = figures.get(idOf.get(Number(r.tenant_key)) ?? "");
            if (f) f.oldestNew = { id: r.id, createdAt: usToIso(Number(r.created_us)) };
          }
        }
      }
      // Isolation in force: the machines' Isolate/Unisolate actions, decided as the device page decides them.
      const actions = ids.length === 0 ? [] : await db
        .selectFrom("machine_actions")
        .select(["tenant_id", "machine_id", "type", "status", "creation_time"])
        .where("tenant_id", "in", ids)
        .where("type", "in", ["Isolate", "Unisolate"])
        .where("machine_id", "is not", null)
        .execute();
      const byMachine = new Map<string, Array<{ type: string | null; status: string | null; creationDateTimeUtc: string | null }>>();
      for (const a of actions) {
        const key = `${a.tenant_id}\n${a.machine_id}`;
        let list = byMachine.get(key);
        if (!list) byMachine.set(key, (list = []));
        list.push({ type: a.type, status: a.status, creationDateTimeUtc: a.creation_time });
      }
      for (const [key, list] of byMachine) {
        if (isolationStateOf(list).state !== "Isolated") continue;
        const [tenant, machine] = key.split("\n") as [string, string];
        figures.get(tenant)?.isolated.push(machine);
      }
      return {
        days: dayStarts,
        tenants: [...figures.entries()]
          .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
          .map(([tenantId, f]) => ({ tenantId, open: f.open, oldestNew: f.oldestNew, daily: f.daily, isolatedMachineIds: f.isolated.sort() })),
      };
    },
  };
}
