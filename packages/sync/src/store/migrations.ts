import { type ColumnDefinitionBuilder, type CompiledQuery, type CreateTableBuilder, type Expression, sql } from "kysely";
import type { Migration, MigrationContext } from "./dialect.js";

/*
 * The store's schema, one list for both engines. Column types are the few both
 * understand alike: TEXT, INTEGER and an auto-increment id. On PostgreSQL every
 * TEXT column is declared `COLLATE "C"` so ORDER BY and comparisons are by code
 * point there exactly as SQLite's default BINARY collation does: keyset paging,
 * time-key ranges and id tie-breaks then behave the same on both.
 */

type Builder = CreateTableBuilder<string, string>;
type Modify = (c: ColumnDefinitionBuilder) => ColumnDefinitionBuilder;

function columns(ctx: MigrationContext) {
  const text: Expression<unknown> | "text" = ctx.dialect === "postgres" ? sql`text collate "C"` : "text";
  const notNull: Modify = (c) => c.notNull();
  const addText = (t: Builder, name: string, required = false, modify?: Modify) =>
    t.addColumn(name, text, (c) => {
      const base = required ? notNull(c) : c;
      return modify ? modify(base) : base;
    });
  return {
    /** Adds a TEXT column; `required` makes it NOT NULL. */
    text: addText,
    /** Adds TEXT columns: the `required` ones NOT NULL, then the `optional` ones. */
    texts: (t: Builder, required: readonly string[], optional: readonly string[] = []) => {
      let b = t;
      for (const n of required) b = addText(b, n, true);
      for (const n of optional) b = addText(b, n);
      return b;
    },
    int: (t: Builder, name: string, fallback = 0) => t.addColumn(name, "integer", (c) => c.notNull().defaultTo(fallback)),
    /** Auto-increment integer primary key. */
    id: (t: Builder) =>
      ctx.dialect === "postgres"
        ? t.addColumn("id", "bigint", (c) => c.primaryKey().generatedByDefaultAsIdentity())
        : t.addColumn("id", "integer", (c) => c.primaryKey().autoIncrement()),
  };
}

/** The bookkeeping tables the runners create before reading the version. */
export function bootstrapStatements(ctx: MigrationContext): CompiledQuery[] {
  const c = columns(ctx);
  const schema = ctx.db.schema;
  return [
    c
      .text(
        schema
          .createTable("store_schema")
          .ifNotExists()
          .addColumn("id", "integer", (col) => col.primaryKey()),
        "updated_at",
        true,
      )
      .addColumn("version", "integer", (col) => col.notNull())
      .compile(),
    c
      .text(
        c.text(
          schema
            .createTable("store_migrations")
            .ifNotExists()
            .addColumn("version", "integer", (col) => col.primaryKey()),
          "name",
          true,
        ),
        "applied_at",
        true,
      )
      .compile(),
  ];
}

const initialSchema: Migration = {
  version: 1,
  name: "initial schema",
  statements(ctx) {
    const c = columns(ctx);
    const s = ctx.db.schema;
    const out: CompiledQuery[] = [];
    const table = (name: string, build: (t: Builder) => Builder) => out.push(build(s.createTable(name)).compile());
    const index = (name: string, on: string, cols: string[]) => out.push(s.createIndex(name).on(on).columns(cols).compile());
    const { texts } = c;

    table("tenants", (t) =>
      texts(
        c.text(t, "id", true, (col) => col.primaryKey()),
        ["name", "cloud", "state", "granted_roles", "created_at", "updated_at"],
        ["region", "last_error", "last_sync_at"],
      ),
    );
    table("tenant_state_transitions", (t) => texts(c.id(t), ["tenant_id", "to_state", "at"], ["from_state", "reason"]));
    index("tenant_state_transitions_tenant", "tenant_state_transitions", ["tenant_id", "id"]);

    table("consent_requests", (t) =>
      texts(
        c.text(
          c.text(t, "id", true, (col) => col.primaryKey()),
          "state_hash",
          true,
          (col) => col.unique(),
        ),
        ["redirect_uri", "created_at", "expires_at"],
        ["tenant_hint", "used_at"],
      ),
    );

    table("alerts", (t) =>
      c
        .int(
          texts(
            t,
            ["tenant_id", "id", "payload", "title_lc", "alert_creation_key", "last_update_key", "ingested_at"],
            ["title", "severity", "status", "classification", "assigned_to", "machine_id", "alert_creation_time", "last_update_time"],
          ),
          "severity_rank",
        )
        .addPrimaryKeyConstraint("alerts_pk", ["tenant_id", "id"]),
    );
    // Indexes for the console's queries (alerts-query.ts): each ends with the
    // ORDER BY columns so "filter + sort + LIMIT 50" is an index range scan.
    index("alerts_tenant_updated", "alerts", ["tenant_id", "last_update_key", "id"]);
    index("alerts_tenant_created", "alerts", ["tenant_id", "alert_creation_key", "id"]);
    index("alerts_tenant_sev_status_updated", "alerts", ["tenant_id", "severity", "status", "last_update_key", "id"]);
    index("alerts_tenant_status_updated", "alerts", ["tenant_id", "status", "last_update_key", "id"]);
    index("alerts_updated", "alerts", ["last_update_key", "tenant_id", "id"]);
    index("alerts_tenant_machine", "alerts", ["tenant_id", "machine_id"]);

    table("alert_history", (t) =>
      texts(c.id(t), ["tenant_id", "alert_id", "field", "recorded_at"], ["old_value", "new_value", "changed_at"]),
    );
    index("alert_history_alert", "alert_history", ["tenant_id", "alert_id", "id"]);

    table("machines", (t) =>
      texts(
        t,
        ["tenant_id", "id", "payload", "dns_name_lc", "last_seen_key", "updated_at"],
        ["computer_dns_name", "health_status", "risk_score", "os_platform", "last_seen"],
      ).addPrimaryKeyConstraint("machines_pk", ["tenant_id", "id"]),
    );
    index("machines_tenant_dns", "machines", ["tenant_id", "dns_name_lc"]);
    index("machines_tenant_health", "machines", ["tenant_id", "health_status"]);
    index("machines_tenant_risk", "machines", ["tenant_id", "risk_score"]);
    index("machines_tenant_os", "machines", ["tenant_id", "os_platform"]);
    index("machines_tenant_last_seen", "machines", ["tenant_id", "last_seen_key"]);

    table("machine_actions", (t) =>
      texts(
        t,
        ["tenant_id", "id", "payload", "creation_key", "last_update_key", "updated_at"],
        ["machine_id", "type", "status", "requestor", "comment", "creation_time", "last_update_time"],
      ).addPrimaryKeyConstraint("machine_actions_pk", ["tenant_id", "id"]),
    );
    index("machine_actions_tenant_machine", "machine_actions", ["tenant_id", "machine_id", "creation_key"]);
    index("machine_actions_tenant_status", "machine_actions", ["tenant_id", "status"]);

    table("sync_cursors", (t) =>
      texts(t, ["tenant_id", "stream", "seen_ids", "updated_at"], ["cursor_value"]).addPrimaryKeyConstraint("sync_cursors_pk", [
        "tenant_id",
        "stream",
      ]),
    );

    table("sync_runs", (t) =>
      c.int(c.int(texts(c.id(t), ["tenant_id", "stream", "started_at", "status"], ["finished_at", "error"]), "pages"), "items"),
    );
    index("sync_runs_tenant_stream", "sync_runs", ["tenant_id", "stream", "id"]);

    table("audit_log", (t) =>
      texts(c.id(t), ["at", "actor", "action", "phase"], ["tenant_id", "target", "comment", "request", "result", "correlation_id"]),
    );
    index("audit_log_tenant", "audit_log", ["tenant_id", "id"]);
    index("audit_log_at", "audit_log", ["at"]);
    index("audit_log_correlation", "audit_log", ["correlation_id"]);
    return out;
  },
};

/** Old onboarding state names → the ones of the onboarding flow (pending consent → consented → verified → degraded/failed). */
const RENAMED_STATES: ReadonlyArray<readonly [string, string]> = [
  ["pending", "pending_consent"],
  ["active", "verified"],
  ["error", "degraded"],
  ["disabled", "failed"],
];

const onboardingStatesAndWebhooks: Migration = {
  version: 2,
  name: "onboarding states, webhook deliveries",
  statements(ctx) {
    const c = columns(ctx);
    const s = ctx.db.schema;
    const out: CompiledQuery[] = [];
    for (const [from, to] of RENAMED_STATES) {
      out.push(ctx.db.updateTable("tenants").set({ state: to }).where("state", "=", from).compile());
      out.push(ctx.db.updateTable("tenant_state_transitions").set({ to_state: to }).where("to_state", "=", from).compile());
      out.push(ctx.db.updateTable("tenant_state_transitions").set({ from_state: to }).where("from_state", "=", from).compile());
    }
    // What each webhook forwarder delivered: the newest version per alert, so a
    // re-synced but unchanged alert is not sent again (webhook.ts).
    let t = s.createTable("webhook_deliveries") as Builder;
    for (const n of ["target", "tenant_id", "alert_id", "last_update_key", "delivered_at"]) t = c.text(t, n, true);
    out.push(t.addPrimaryKeyConstraint("webhook_deliveries_pk", ["target", "tenant_id", "alert_id"]).compile());
    // The forwarder scans alerts written since its watermark.
    out.push(s.createIndex("alerts_ingested").on("alerts").columns(["ingested_at"]).compile());
    return out;
  },
};

/*
 * Microsoft Graph as a second alert source (graph-security.md §4, §5, §7.2).
 * Additive only: existing rows keep working with the defaults (`mde` source,
 * Graph roles unknown, no Graph id yet). Alerts stay keyed by their MDE id; the
 * Graph id is a mapping column, so an alert read through either API is one row.
 */
const graphSourceAndIncidents: Migration = {
  version: 3,
  name: "graph alert source, alert id mapping, incidents",
  statements(ctx) {
    const c = columns(ctx);
    const s = ctx.db.schema;
    const text: Expression<unknown> | "text" = ctx.dialect === "postgres" ? sql`text collate "C"` : "text";
    const out: CompiledQuery[] = [];
    const add = (table: string, name: string, modify: Modify = (col) => col) =>
      out.push(
        s
          .alterTable(table)
          .addColumn(name, text, (col) => modify(col))
          .compile(),
      );
    add("tenants", "alert_source", (col) => col.notNull().defaultTo("mde"));
    add("tenants", "graph_roles");
    add("alerts", "source", (col) => col.notNull().defaultTo("mde"));
    add("alerts", "graph_id");
    add("alerts", "incident_id");
    add("alerts", "graph_payload");
    out.push(s.createIndex("alerts_tenant_graph_id").on("alerts").columns(["tenant_id", "graph_id"]).compile());
    out.push(s.createIndex("alerts_tenant_incident").on("alerts").columns(["tenant_id", "incident_id"]).compile());

    let t = s.createTable("incidents") as Builder;
    for (const n of ["tenant_id", "id", "display_name_lc", "created_key", "last_update_key", "alert_ids", "payload", "ingested_at"])
      t = c.text(t, n, true);
    for (const n of ["status", "severity", "classification", "determination", "assigned_to", "display_name", "created_date_time", "last_update_date_time"])
      t = c.text(t, n);
    t = c.int(t, "severity_rank");
    out.push(t.addPrimaryKeyConstraint("incidents_pk", ["tenant_id", "id"]).compile());
    // The console's incident list: newest update first, across tenants or for one, by status.
    out.push(s.createIndex("incidents_updated").on("incidents").columns(["last_update_key", "tenant_id", "id"]).compile());
    out.push(s.createIndex("incidents_tenant_updated").on("incidents").columns(["tenant_id", "last_update_key", "id"]).compile());
    out.push(s.createIndex("incidents_tenant_status").on("incidents").columns(["tenant_id", "status", "last_update_key"]).compile());
    return out;
  },
};

/*
 * Batches: hunts and bulk response actions that the distributed workers run
 * as jobs, one item per tenant or machine, with each item's result. Additive.
 */
const batches: Migration = {
  version: 4,
  name: "batches of hunts and response actions",
  statements(ctx) {
    const c = columns(ctx);
    const s = ctx.db.schema;
    const out: CompiledQuery[] = [];
    let t = s.createTable("batches") as Builder;
    for (const n of ["id", "kind", "actor", "request", "state", "created_at"]) t = c.text(t, n, true);
    t = c.text(t, "finished_at");
    t = c.int(t, "total");
    out.push(t.addPrimaryKeyConstraint("batches_pk", ["id"]).compile());
    out.push(s.createIndex("batches_created").on("batches").columns(["created_at", "id"]).compile());
    let i = s.createTable("batch_items") as Builder;
    for (const n of ["batch_id", "item_key", "tenant_id", "state"]) i = c.text(i, n, true);
    for (const n of ["machine_id", "worker_id", "started_at", "finished_at", "result", "error_code", "error_message"]) i = c.text(i, n);
    i = c.int(i, "attempts");
    out.push(i.addPrimaryKeyConstraint("batch_items_pk", ["batch_id", "item_key"]).compile());
    // The workers' reconciler looks for items that are not final.
    out.push(s.createIndex("batch_items_state").on("batch_items").columns(["state", "batch_id"]).compile());
    return out;
  },
};

/*
 * Vulnerability management (mde-api.md §5.11–§5.14): one snapshot per tenant,
 * replaced whole on its own interval (engine/tvm-sync.ts, store/tvm.ts).
 * Additive: existing stores get empty tables. Scores and CVSS are floating
 * point (`real` on SQLite, `double precision` on PostgreSQL).
 */
const tvmSnapshots: Migration = {
  version: 5,
  name: "vulnerability management snapshots",
  statements(ctx) {
    const c = columns(ctx);
    const s = ctx.db.schema;
    const out: CompiledQuery[] = [];
    const real = ctx.dialect === "postgres" ? sql`double precision` : sql`real`;
    const reals = (t: Builder, names: string[]) => names.reduce((b, n) => b.addColumn(n, real), t);
    const { texts } = c;
    const ints = (t: Builder, names: string[]) => names.reduce((b, n) => c.int(b, n), t);
    const index = (name: string, on: string, cols: string[]) => out.push(s.createIndex(name).on(on).columns(cols).compile());

    // One row per tenant: the last good snapshot's time and totals, and the last attempt (which may have failed).
    let snap = texts(s.createTable("tvm_snapshots") as Builder, ["tenant_id"], [
      "taken_at",
      "exposure_time",
      "secure_score_time",
      "missing_permissions",
      "truncated",
      "attempted_at",
      "last_error",
      "last_error_code",
    ]);
    snap = reals(snap, ["exposure_score", "secure_score"]);
    snap = ints(snap, ["machines", "vulnerabilities", "software", "recommendations"]);
    out.push(snap.addPrimaryKeyConstraint("tvm_snapshots_pk", ["tenant_id"]).compile());

    // machinesVulnerabilities rows (§5.12): machine × CVE × product.
    let mv = texts(s.createTable("tvm_machine_vulnerabilities") as Builder, ["tenant_id", "machine_id", "cve_id", "row_key"], [
      "product_vendor",
      "product_name",
      "product_version",
      "fixing_kb_id",
      "severity",
    ]);
    mv = ints(mv, ["severity_rank"]);
    out.push(mv.addPrimaryKeyConstraint("tvm_machine_vulnerabilities_pk", ["tenant_id", "machine_id", "row_key"]).compile());
    // "Which machines of which customers have CVE X": an index range on the CVE.
    index("tvm_machine_vulnerabilities_cve", "tvm_machine_vulnerabilities", ["cve_id", "tenant_id", "machine_id"]);

    // The tenant's CVE catalog (§6.9), only CVEs seen on its machines, with how many machines have each.
    let v = texts(s.createTable("tvm_vulnerabilities") as Builder, ["tenant_id", "cve_id"], [
      "name",
      "severity",
      "published_on",
      "updated_on",
      "description",
      "exploit_types",
    ]);
    v = reals(v, ["cvss_v3"]);
    v = ints(v, ["severity_rank", "public_exploit", "exploit_verified", "exploit_in_kit", "exposed_machines", "machines"]);
    out.push(v.addPrimaryKeyConstraint("tvm_vulnerabilities_pk", ["tenant_id", "cve_id"]).compile());
    // The cross-tenant "top CVEs" groups this table (a few thousand rows per tenant), not the machine rows;
    // the index holds every column it reads, so the grouping is one ordered index scan.
    index("tvm_vulnerabilities_cve", "tvm_vulnerabilities", [
      "cve_id",
      "machines",
      "tenant_id",
      "severity_rank",
      "cvss_v3",
      "public_exploit",
      "exploit_verified",
      "exploit_in_kit",
    ]);

    // Installed software per machine (SoftwareInventoryByMachine, §5.17).
    let sw = texts(s.createTable("tvm_software") as Builder, ["tenant_id", "machine_id", "software_id", "version"], [
      "name",
      "vendor",
      "end_of_support",
    ]);
    sw = ints(sw, ["weaknesses"]);
    // The primary key serves the device page (tenant, machine) and its recommendations (installed software ids).
    out.push(sw.addPrimaryKeyConstraint("tvm_software_pk", ["tenant_id", "machine_id", "software_id", "version"]).compile());

    // The tenant's security recommendations (§6.10); software ones name their product (`va-_-vendor-_-product`).
    let r = texts(s.createTable("tvm_recommendations") as Builder, ["tenant_id", "id"], [
      "software_id",
      "name",
      "product_name",
      "vendor",
      "category",
      "remediation_type",
      "status",
      "recommended_version",
    ]);
    r = reals(r, ["severity_score", "exposure_impact", "config_score_impact"]);
    r = ints(r, ["exposed_machines", "weaknesses", "public_exploit", "active_alert"]);
    out.push(r.addPrimaryKeyConstraint("tvm_recommendations_pk", ["tenant_id", "id"]).compile());
    index("tvm_recommendations_software", "tvm_recommendations", ["tenant_id", "software_id"]);
    return out;
  },
};

/*
 * Compact alert rows (schema v6). The alerts table held its tenant as a 36-character GUID and its
 * times as 28-character keys in the row and again in nine indexes; at a million alerts that was
 * most of the file and most of the write time (bench/ingest-limit.bench.ts). Now:
 * - tenants get a small integer key (`tenant_keys`), used by the alert rows and their indexes;
 * - API times are integers — microseconds since the epoch plus the seventh fractional digit
 *   (time.ts `timeKeyParts`) — and our ingest time is microseconds too; the times as the API sent
 *   them stay in the payload;
 * - the payload keeps the documented fields' values without their names (alert-payload.ts);
 * - the indexes are the six the console's queries use (alerts-query.ts, webhook-deliveries.ts);
 *   each secondary index ends at its sort column, and rows tie-break on the row's own key.
 * Existing rows are copied with their time keys converted and their payload kept as it was.
 */
const compactAlerts: Migration = {
  version: 6,
  name: "compact alert rows: integer tenant keys and times, only the indexes queries use",
  rewritesTable: true,
  statements(ctx) {
    const c = columns(ctx);
    const s = ctx.db.schema;
    const pg = ctx.dialect === "postgres";
    const text: Expression<unknown> | "text" = pg ? sql`text collate "C"` : "text";
    const big = pg ? "bigint" : "integer";
    const out: CompiledQuery[] = [];
    const raw = (q: ReturnType<typeof sql>) => out.push(q.compile(ctx.db));
    const index = (name: string, cols: string[]) => out.push(s.createIndex(name).on("alerts").columns(cols).compile());

    out.push(
      c
        .text(
          pg
            ? s.createTable("tenant_keys").addColumn("key", "integer", (col) => col.primaryKey().generatedByDefaultAsIdentity())
            : s.createTable("tenant_keys").addColumn("key", "integer", (col) => col.primaryKey().autoIncrement()),
          "tenant_id",
          true,
          (col) => col.unique(),
        )
        .compile(),
    );
    raw(sql`insert into tenant_keys (tenant_id) select id from (select id from tenants union select distinct tenant_id from alerts) t order by id`);

    let t: Builder = pg
      ? s.createTable("alerts_v6").addColumn("seq", "bigint", (col) => col.primaryKey().generatedByDefaultAsIdentity())
      : s.createTable("alerts_v6").addColumn("seq", "integer", (col) => col.primaryKey());
    t = t.addColumn("tenant_key", "integer", (col) => col.notNull());
    t = c.text(t, "id", true);
    t = c.text(t, "payload", true);
    t = c.text(t, "title_lc", true);
    t = c.text(t, "severity");
    t = c.int(t, "severity_rank");
    for (const n of ["status", "classification", "assigned_to", "machine_id"]) t = c.text(t, n);
    for (const n of ["created_us", "updated_us", "ingested_us"]) t = t.addColumn(n, big, (col) => col.notNull());
    t = c.int(t, "updated_sub");
    t = t.addColumn("source", text, (col) => col.notNull().defaultTo("mde"));
    for (const n of ["graph_id", "incident_id", "graph_payload"]) t = c.text(t, n);
    out.push(t.addUniqueConstraint("alerts_tenant_id", ["tenant_key", "id"]).compile());

    // Old time keys (`YYYY-MM-DDTHH:MM:SS.fffffffZ` or "") and our ISO times to integers.
    const epoch = (v: string) => (pg ? `extract(epoch from substr(${v}, 1, 19)::timestamp)::bigint` : `cast(strftime('%s', substr(${v}, 1, 19)) as integer)`);
    const int = (v: string) => (pg ? `(${v})::bigint` : `cast(${v} as integer)`);
    const us = (k: string) => `case when ${k} = '' then ${Number.MIN_SAFE_INTEGER} else ${epoch(k)} * 1000000 + ${int(`substr(${k}, 21, 6)`)} end`;
    const sub = (k: string) => `case when ${k} = '' then 0 else ${int(`substr(${k}, 27, 1)`)} end`;
    const isoUs = (v: string) => `${epoch(v)} * 1000000 + ${int(`substr(${v}, 21, 3)`)} * 1000`;
    raw(
      sql.raw(`insert into alerts_v6 (tenant_key, id, payload, title_lc, severity, severity_rank, status, classification, assigned_to,
        machine_id, created_us, updated_us, updated_sub, ingested_us, source, graph_id, incident_id, graph_payload)
        select k.key, a.id, a.payload, a.title_lc, a.severity, a.severity_rank, a.status, a.classification, a.assigned_to, a.machine_id,
          ${us("a.alert_creation_key")}, ${us("a.last_update_key")}, ${sub("a.last_update_key")}, ${isoUs("a.ingested_at")},
          a.source, a.graph_id, a.incident_id, a.graph_payload
        from alerts a join tenant_keys k on k.tenant_id = a.tenant_id order by a.ingested_at, a.tenant_id, a.id`),
    );
    out.push(s.dropTable("alerts").compile());
    out.push(s.alterTable("alerts_v6").renameTo("alerts").compile());
    // The console's lists: one tenant newest first (and its time ranges), one tenant by severity and
    // status, every tenant newest first; the webhook forwarder's scan; a device's and an incident's
    // alerts. Nothing looks alerts up by their Graph id, so it has no index (v3's is gone with the old table).
    index("alerts_tenant_updated_us", ["tenant_key", "updated_us"]);
    index("alerts_tenant_sev_status_us", ["tenant_key", "severity", "status", "updated_us"]);
    index("alerts_updated_us", ["updated_us"]);
    index("alerts_ingested_us", ["ingested_us"]);
    index("alerts_tenant_machine_id", ["tenant_key", "machine_id"]);
    index("alerts_tenant_incident_id", ["tenant_key", "incident_id"]);

    // What a webhook target received, as the same integers (the text key stays for older readers).
    for (const [n, fallback] of [["updated_us", Number.MIN_SAFE_INTEGER], ["updated_sub", 0]] as const) {
      out.push(s.alterTable("webhook_deliveries").addColumn(n, big, (col) => col.notNull().defaultTo(fallback)).compile());
    }
    raw(sql.raw(`update webhook_deliveries set updated_us = ${us("last_update_key")}, updated_sub = ${sub("last_update_key")}`));
    return out;
  },
};

/*
 * The team layer (schema v7): customer groups and their member tenants, access grants
 * (a role for a user or an Entra group on a group or on every tenant), API tokens (their SHA-256
 * only) and four-eyes approval requests. Additive: existing stores get empty tables, so every
 * operator keeps the access the users file gives until grants are added.
 */
const teamLayer: Migration = {
  version: 7,
  name: "customer groups, access grants, API tokens, approval requests",
  statements(ctx) {
    const c = columns(ctx);
    const s = ctx.db.schema;
    const out: CompiledQuery[] = [];
    const { texts } = c;
    const index = (name: string, on: string, cols: string[]) => out.push(s.createIndex(name).on(on).columns(cols).compile());

    out.push(texts(s.createTable("customer_groups") as Builder, ["name", "created_at"], ["created_by"]).addPrimaryKeyConstraint("customer_groups_pk", ["name"]).compile());
    out.push(
      texts(s.createTable("customer_group_members") as Builder, ["group_name", "tenant_id", "added_at"])
        .addPrimaryKeyConstraint("customer_group_members_pk", ["group_name", "tenant_id"])
        .compile(),
    );
    // Offboarding a tenant removes its memberships.
    index("customer_group_members_tenant", "customer_group_members", ["tenant_id"]);

    // `group_name` "" is "every tenant", so the key holds no NULL and the upsert finds its row on both engines.
    out.push(
      texts(s.createTable("access_grants") as Builder, ["principal_kind", "principal", "group_name", "role", "granted_at"], ["granted_by"])
        .addPrimaryKeyConstraint("access_grants_pk", ["principal_kind", "principal", "group_name"])
        .compile(),
    );
    index("access_grants_principal", "access_grants", ["principal", "principal_kind"]);
    index("access_grants_group", "access_grants", ["group_name"]);

    out.push(
      c
        .text(
          texts(
            s.createTable("api_tokens") as Builder,
            ["id", "name", "role", "created_at", "created_by"],
            ["group_name", "expires_at", "last_used_at", "revoked_at", "revoked_by"],
          ),
          "token_hash",
          true,
          (col) => col.unique(),
        )
        .addPrimaryKeyConstraint("api_tokens_pk", ["id"])
        .compile(),
    );
    // A name picks one token out for `tokens revoke NAME`: unique among those not revoked (also under concurrent creates).
    out.push(s.createIndex("api_tokens_active_name").on("api_tokens").column("name").unique().where(sql.ref("revoked_at"), "is", null).compile());

    out.push(
      texts(
        s.createTable("approval_requests") as Builder,
        ["id", "action", "tenant_ids", "params", "summary", "requested_by", "requested_at", "expires_at", "status"],
        ["decided_by", "decided_at", "result"],
      )
        .addPrimaryKeyConstraint("approval_requests_pk", ["id"])
        .compile(),
    );
    index("approval_requests_status", "approval_requests", ["status", "requested_at"]);
    return out;
  },
};

/*
 * The SOC overview (schema v8): alerts per customer and day of creation over the last
 * 7/30 days, and each customer's oldest alert still `New`. Both read creation times, which no
 * index held: at a million alerts the day counts were a scan of every row of the window's
 * tenants, and the oldest New alert a sort of each tenant's New alerts. With the tenant's
 * alerts in creation order, holding status and severity too, the counts are a range of the
 * index alone and the oldest New alert the first matching entry of the tenant's range
 * (bench/overview.bench.ts). It also serves the alert list sorted by creation time for a tenant.
 */
const overviewIndex: Migration = {
  version: 8,
  name: "alerts by tenant and creation time (the SOC overview)",
  statements(ctx) {
    return [ctx.db.schema.createIndex("alerts_tenant_created_us").on("alerts").columns(["tenant_key", "created_us", "status", "severity"]).compile()];
  },
};

/*
 * Notification rules (schema v9): the rules, what each rule has seen of each alert
 * (its own evaluation cursor, per alert so out-of-order pages are never skipped), the matched
 * events waiting for a message, and the messages themselves: the outbox and the delivery log per
 * destination, each with its dedupe key. Additive only.
 */
const notificationRules: Migration = {
  version: 9,
  name: "notification rules, events and deliveries",
  statements(ctx) {
    const c = columns(ctx);
    const s = ctx.db.schema;
    const out: CompiledQuery[] = [];
    const { texts } = c;
    const index = (name: string, on: string, cols: string[]) => out.push(s.createIndex(name).on(on).columns(cols).compile());
    // Times in µs and message ids exceed 32 bits: bigint on PostgreSQL (SQLite's integer is 64-bit).
    const big = (t: Builder, name: string) => t.addColumn(name, ctx.dialect === "postgres" ? "bigint" : "integer", (col) => col.notNull().defaultTo(0));

    out.push(
      big(texts(s.createTable("notify_rules") as Builder, ["name", "definition", "created_at"], ["created_by"]), "created_us")
        .addPrimaryKeyConstraint("notify_rules_pk", ["name"])
        .compile(),
    );
    out.push(
      c
        .int(big(texts(s.createTable("notify_seen") as Builder, ["rule", "tenant_id", "alert_id"], ["status"]), "updated_us"), "updated_sub")
        .addPrimaryKeyConstraint("notify_seen_pk", ["rule", "tenant_id", "alert_id"])
        .compile(),
    );
    out.push(
      big(big(c.id(texts(s.createTable("notify_events") as Builder, ["rule", "destination", "dedupe_key", "summary"])), "created_us"), "message_id")
        .addUniqueConstraint("notify_events_dedupe", ["dedupe_key"])
        .compile(),
    );
    index("notify_events_pending", "notify_events", ["rule", "destination", "message_id", "id"]);
    out.push(
      big(
        big(
          c.int(c.id(texts(s.createTable("notify_messages") as Builder, ["rule", "destination", "dedupe_key", "kind", "body", "status", "created_at"], ["last_error", "delivered_at"])), "attempts"),
          "next_attempt_us",
        ),
        "created_us",
      )
        .addUniqueConstraint("notify_messages_dedupe", ["dedupe_key"])
        .compile(),
    );
    index("notify_messages_log", "notify_messages", ["rule", "destination", "id"]);
    index("notify_messages_due", "notify_messages", ["status", "next_attempt_us"]);
    return out;
  },
};

/*
 * Fleet baselines (schema v10): the last applied document of each baseline (what the scheduled drift
 * check compares with), apply runs and their per-tenant progress (what a killed apply resumes
 * from), and each tenant's drift state per baseline. Additive: existing stores get empty tables.
 */
const fleetBaselines: Migration = {
  version: 10,
  name: "fleet baselines: documents, apply runs and their tenants, drift state",
  statements(ctx) {
    const c = columns(ctx);
    const s = ctx.db.schema;
    const { texts } = c;
    return [
      texts(s.createTable("baselines") as Builder, ["name", "revision", "document", "updated_at"], ["updated_by"])
        .addPrimaryKeyConstraint("baselines_pk", ["name"])
        .compile(),
      texts(s.createTable("baseline_runs") as Builder, ["id", "baseline_name", "revision", "actor", "state", "started_at"], ["finished_at"])
        .addPrimaryKeyConstraint("baseline_runs_pk", ["id"])
        .compile(),
      s.createIndex("baseline_runs_name").on("baseline_runs").columns(["baseline_name", "revision", "state"]).compile(),
      c
        .int(
          c.int(texts(s.createTable("baseline_run_tenants") as Builder, ["run_id", "tenant_id", "state", "updated_at"], ["result", "error"]), "done"),
          "total",
        )
        .addPrimaryKeyConstraint("baseline_run_tenants_pk", ["run_id", "tenant_id"])
        .compile(),
      texts(s.createTable("baseline_tenants") as Builder, ["baseline_name", "tenant_id", "revision", "state", "checked_at"], ["difference", "error"])
        .addPrimaryKeyConstraint("baseline_tenants_pk", ["baseline_name", "tenant_id"])
        .compile(),
      s.createIndex("baseline_tenants_tenant").on("baseline_tenants").column("tenant_id").compile(),
    ];
  },
};

/*
 * Exposure score history (schema v11): each tenant's exposure score and secure score
 * per day, written with the TVM snapshot that carries them (the snapshot row keeps only the
 * last), so a customer report can draw the trend over its period. One row per tenant and UTC
 * day, the day's last snapshot winning; rows older than 400 days are pruned by the same write.
 * Additive only.
 */
const tvmScoreHistory: Migration = {
  version: 11,
  name: "exposure score history",
  statements(ctx) {
    const c = columns(ctx);
    const real = ctx.dialect === "postgres" ? sql`double precision` : sql`real`;
    let t = c.text(c.text(c.text(ctx.db.schema.createTable("tvm_score_history") as Builder, "tenant_id", true), "day", true), "taken_at", true);
    t = c.text(c.text(t, "exposure_time"), "secure_score_time");
    t = t.addColumn("exposure_score", real).addColumn("secure_score", real);
    return [t.addPrimaryKeyConstraint("tvm_score_history_pk", ["tenant_id", "day"]).compile()];
  },
};

/*
 * One time index fewer (schema v12): "every tenant, newest first" (and by creation time, and a list
 * of tenants) is read from each tenant's own time index and merged (alerts-query.ts), so the index
 * of every alert by its update time alone goes. A first sync's alerts arrive tenant by tenant, each
 * tenant's over the whole time range, so that index's entries landed all over it and each page's
 * commit rewrote most of its pages: without it a sync spends about 2 µs less CPU per alert
 * (bench/sync-script.bench.ts, paired: 31.9 µs against 33.9).
 */
const tenantTimeMerge: Migration = {
  version: 12,
  name: "every tenant's alerts by time from the tenants' own indexes",
  statements(ctx) {
    return [ctx.db.schema.dropIndex("alerts_updated_us").ifExists().compile()];
  },
};

/** Every schema version this code knows, oldest first. Append; never edit a released one. */
export const migrations: readonly Migration[] = Object.freeze([
  initialSchema,
  onboardingStatesAndWebhooks,
  graphSourceAndIncidents,
  batches,
  tvmSnapshots,
  compactAlerts,
  teamLayer,
  overviewIndex,
  notificationRules,
  fleetBaselines,
  tvmScoreHistory,
  tenantTimeMerge,
]);
