import { sql } from "kysely";
import { toStoredAlert } from "./alerts-query.js";
import { chunks, rowsPerStatement, type StoreContext, tenantKey } from "./context.js";
import { StoreError } from "./errors.js";
import { checkGroupName } from "./groups.js";
import type { StoredAlert } from "./records.js";
import { isoToUs, timeKeyOfParts, timeKeyParts } from "./time.js";

/** What a notification rule may be called: it appears in CLI arguments, URLs and dedupe keys. */
export const RULE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,47}$/;

/** Throws a `TypeError` (a caller mistake) unless `name` is a valid rule name. */
export function checkRuleName(name: unknown): string {
  if (typeof name !== "string" || !RULE_NAME.test(name))
    throw new TypeError(`rule name must be 1-48 letters, digits, ".", "_" or "-", starting with a letter or digit; got ${JSON.stringify(name)}`);
  return name;
}

/** A stored notification rule; `definition` is the engine's (engine/notify/rule.ts), opaque here. */
export interface NotifyRuleRecord {
  readonly name: string;
  readonly definition: unknown;
  readonly createdAt: string;
  /** Creation time in µs of our clock: alerts written before it are not the rule's. */
  readonly createdUs: number;
  readonly createdBy: string | null;
}

/** What the store needs of a rule to find its alerts. */
export interface NotifyScope {
  readonly name: string;
  readonly createdUs: number;
  readonly tenantIds?: readonly string[];
  readonly group?: string;
}

/** An alert a rule has not evaluated in its current version; `seenStatus` undefined: never seen. */
export interface PendingNotifyAlert {
  readonly alert: StoredAlert;
  /** The stored version's time key, exactly as the store compares it (what `recordNotifyEvaluation` takes). */
  readonly versionKey: string;
  readonly seenStatus: string | null | undefined;
}

/** One message of the outbox / delivery log. */
export interface NotifyMessageRecord {
  readonly id: number;
  readonly rule: string;
  readonly destination: string;
  readonly dedupeKey: string;
  readonly kind: "alert" | "digest" | "test";
  readonly body: unknown;
  readonly status: "pending" | "delivered" | "failed";
  readonly attempts: number;
  readonly nextAttemptUs: number;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly deliveredAt: string | null;
}

type MessageRow = {
  id: number;
  rule: string;
  destination: string;
  dedupe_key: string;
  kind: string;
  body: string;
  status: string;
  attempts: number;
  next_attempt_us: number;
  last_error: string | null;
  created_at: string;
  delivered_at: string | null;
};

function toMessage(r: MessageRow): NotifyMessageRecord {
  return {
    id: Number(r.id),
    rule: r.rule,
    destination: r.destination,
    dedupeKey: r.dedupe_key,
    kind: r.kind as NotifyMessageRecord["kind"],
    body: JSON.parse(r.body) as unknown,
    status: r.status as NotifyMessageRecord["status"],
    attempts: Number(r.attempts),
    nextAttemptUs: Number(r.next_attempt_us),
    lastError: r.last_error,
    createdAt: r.created_at,
    deliveredAt: r.delivered_at,
  };
}

/** Alerts summarised into a digest message; the rest are counted only. */
export const DIGEST_SAMPLE = 20;

/**
 * Notification rules and their deliveries (engine/notify): the rules; per rule
 * and alert the version (and status) last evaluated; matched events per
 * destination waiting for a message; the messages — outbox and delivery log in
 * one table, each with its dedupe key, so a message re-sent after a crash or a
 * failure carries the same key and the receiver can drop the repeat.
 */
export function createNotifyRepository(ctx: StoreContext) {
  const { db, dialect } = ctx;
  const perStatement = rowsPerStatement(dialect, 6);
  const nowUs = () => Math.round(ctx.clock.now() * 1000);
  return {
    /** Adds a rule; `ERR_STORE_NAME_TAKEN` when one has the name. */
    async addNotifyRule(name: string, definition: unknown, actor?: string): Promise<NotifyRuleRecord> {
      checkRuleName(name);
      const createdAt = ctx.now();
      const createdUs = isoToUs(createdAt);
      return dialect.writeTransaction(async (trx) => {
        const prior = await trx.selectFrom("notify_rules").select("name").where("name", "=", name).executeTakeFirst();
        if (prior) throw new StoreError("ERR_STORE_NAME_TAKEN", `a notification rule named ${JSON.stringify(name)} exists: remove it first`);
        await trx
          .insertInto("notify_rules")
          .values({ name, definition: JSON.stringify(definition), created_at: createdAt, created_us: createdUs, created_by: actor ?? null })
          .execute();
        return { name, definition, createdAt, createdUs, createdBy: actor ?? null };
      });
    },

    async listNotifyRules(): Promise<NotifyRuleRecord[]> {
      const rows = await db.selectFrom("notify_rules").selectAll().orderBy("name").execute();
      return rows.map((r) => ({
        name: r.name,
        definition: JSON.parse(r.definition) as unknown,
        createdAt: r.created_at,
        createdUs: Number(r.created_us),
        createdBy: r.created_by,
      }));
    },

    /** Removes a rule and its evaluation state; its delivery log stays. Returns whether it existed. */
    async removeNotifyRule(name: string): Promise<boolean> {
      checkRuleName(name);
      return dialect.writeTransaction(async (trx) => {
        const r = await trx.deleteFrom("notify_rules").where("name", "=", name).executeTakeFirst();
        await trx.deleteFrom("notify_seen").where("rule", "=", name).execute();
        await trx.deleteFrom("notify_events").where("rule", "=", name).where("message_id", "=", 0).execute();
        await trx.updateTable("notify_messages").set({ status: "failed", last_error: "rule removed" }).where("rule", "=", name).where("status", "=", "pending").execute();
        return Number(r.numDeletedRows) > 0;
      });
    },

    /**
     * Up to `limit` alerts of the rule's tenants written at or after the rule
     * (and `sinceUs`) whose current version the rule has not evaluated.
     */
    async pendingNotifyAlerts(scope: NotifyScope, options: { readonly sinceUs?: number; readonly limit?: number } = {}): Promise<PendingNotifyAlert[]> {
      const name = checkRuleName(scope.name);
      const limit = options.limit ?? 500;
      if (scope.tenantIds !== undefined && scope.tenantIds.length === 0) return [];
      let q = db
        .selectFrom("alerts")
        .innerJoin("tenant_keys as k", "k.key", "alerts.tenant_key")
        .leftJoin("notify_seen as s", (join) => join.on("s.rule", "=", name).onRef("s.tenant_id", "=", "k.tenant_id").onRef("s.alert_id", "=", "alerts.id"))
        .selectAll("alerts")
        .select(["k.tenant_id", "s.alert_id as seen_id", "s.status as seen_status"])
        .where((eb) => eb.or([eb("s.alert_id", "is", null), sql<boolean>`(s.updated_us, s.updated_sub) < (alerts.updated_us, alerts.updated_sub)`]))
        .where("alerts.ingested_us", ">=", Math.max(scope.createdUs, options.sinceUs ?? 0));
      if (scope.tenantIds !== undefined) q = q.where("k.tenant_id", "in", scope.tenantIds.map(tenantKey));
      if (scope.group !== undefined) {
        const group = checkGroupName(scope.group);
        q = q.where("k.tenant_id", "in", (eb) => eb.selectFrom("customer_group_members").select("tenant_id").where("group_name", "=", group));
      }
      const rows = await q.orderBy("alerts.ingested_us").orderBy("alerts.tenant_key").orderBy("alerts.id").limit(limit).execute();
      return rows.map((r) => ({
        alert: toStoredAlert(r),
        versionKey: timeKeyOfParts(Number(r.updated_us), Number(r.updated_sub)),
        seenStatus: r.seen_id === null ? undefined : r.seen_status,
      }));
    },

    /**
     * Records one evaluation pass atomically: the versions the rule has now
     * seen, and the events it matched (an event whose dedupe key exists is
     * kept once).
     */
    async recordNotifyEvaluation(
      rule: string,
      seen: ReadonlyArray<{ readonly tenantId: string; readonly alertId: string; readonly lastUpdateKey: string; readonly status: string | null }>,
      events: ReadonlyArray<{ readonly destination: string; readonly dedupeKey: string; readonly summary: unknown }>,
    ): Promise<void> {
      const name = checkRuleName(rule);
      const createdUs = nowUs();
      const seenRows = seen.map((i) => {
        const { us, sub } = timeKeyParts(i.lastUpdateKey);
        return { rule: name, tenant_id: tenantKey(i.tenantId), alert_id: i.alertId, status: i.status, updated_us: us, updated_sub: sub };
      });
      const eventRows = events.map((e) => ({
        rule: name,
        destination: e.destination,
        dedupe_key: e.dedupeKey,
        summary: JSON.stringify(e.summary),
        created_us: createdUs,
        message_id: 0,
      }));
      await dialect.writeTransaction(async (trx) => {
        for (const part of chunks(seenRows, perStatement)) {
          const unique = [...new Map(part.map((r) => [`${r.tenant_id}\u0000${r.alert_id}`, r])).values()];
          await trx
            .insertInto("notify_seen")
            .values(unique)
            .onConflict((oc) =>
              oc.columns(["rule", "tenant_id", "alert_id"]).doUpdateSet((eb) => ({
                status: eb.ref("excluded.status"),
                updated_us: eb.ref("excluded.updated_us"),
                updated_sub: eb.ref("excluded.updated_sub"),
              })),
            )
            .execute();
        }
        for (const part of chunks(eventRows, perStatement)) {
          await trx.insertInto("notify_events").values(part).onConflict((oc) => oc.column("dedupe_key").doNothing()).execute();
        }
      });
    },

    /**
     * Turns the destination's waiting events into one message, unless one is
     * still pending or the last was composed less than `intervalUs` ago
     * (throttling): one event becomes an `alert` message under its own dedupe
     * key, more become one `digest` (counts and the first
     * {@link DIGEST_SAMPLE} summaries). Returns the new message, if any.
     */
    async composeNotifyMessage(rule: string, destination: string, options: { readonly intervalUs: number }): Promise<NotifyMessageRecord | undefined> {
      const name = checkRuleName(rule);
      const now = nowUs();
      return dialect.writeTransaction(async (trx) => {
        const busy = await trx
          .selectFrom("notify_messages")
          .select(["status", "created_us"])
          .where("rule", "=", name)
          .where("destination", "=", destination)
          .where("kind", "!=", "test")
          .orderBy("id", "desc")
          .limit(1)
          .executeTakeFirst();
        if (busy && (busy.status === "pending" || now < Number(busy.created_us) + options.intervalUs)) return undefined;
        const waiting = trx.selectFrom("notify_events").where("rule", "=", name).where("destination", "=", destination).where("message_id", "=", 0);
        const range = await waiting.select((eb) => [eb.fn.min("id").as("first"), eb.fn.max("id").as("last")]).executeTakeFirst();
        if (!range || range.first === null || range.last === null) return undefined;
        const createdAt = ctx.now();
        // The message row first, under a provisional key; then the events are claimed by one UPDATE
        // (row locks: two processes composing at once never claim the same event), and the body
        // and final key are written from what this transaction claimed.
        const inserted = await trx
          .insertInto("notify_messages")
          .values({
            rule: name,
            destination,
            dedupe_key: `${name}/${destination}/composing/${Number(range.first)}-${Number(range.last)}`,
            kind: "digest",
            body: "{}",
            status: "pending",
            attempts: 0,
            next_attempt_us: now,
            created_at: createdAt,
            created_us: now,
          })
          .onConflict((oc) => oc.column("dedupe_key").doNothing())
          .returning("id")
          .executeTakeFirst();
        if (!inserted) return undefined;
        const id = Number(inserted.id);
        const claimed = await trx
          .updateTable("notify_events")
          .set({ message_id: id })
          .where("rule", "=", name)
          .where("destination", "=", destination)
          .where("message_id", "=", 0)
          .where("id", "<=", Number(range.last))
          .executeTakeFirst();
        const total = Number(claimed.numUpdatedRows);
        if (total === 0) {
          await trx.deleteFrom("notify_messages").where("id", "=", id).execute();
          return undefined;
        }
        const first = await trx.selectFrom("notify_events").select(["id", "dedupe_key", "summary"]).where("message_id", "=", id).orderBy("id").limit(DIGEST_SAMPLE).execute();
        const single = total === 1;
        const dedupeKey = single ? first[0]!.dedupe_key : `${name}/${destination}/digest/${Number(first[0]!.id)}-${Number(range.last)}`;
        const body = JSON.stringify({ kind: single ? "alert" : "digest", total, alerts: first.map((e) => JSON.parse(e.summary) as unknown) });
        const kind = single ? "alert" : "digest";
        await trx.updateTable("notify_messages").set({ dedupe_key: dedupeKey, kind, body }).where("id", "=", id).execute();
        return toMessage({
          id,
          rule: name,
          destination,
          dedupe_key: dedupeKey,
          kind,
          body,
          status: "pending",
          attempts: 0,
          next_attempt_us: now,
          last_error: null,
          created_at: createdAt,
          delivered_at: null,
        });
      });
    },

    /** Adds a `test` message for a destination (not throttled; logged like the others). */
    async addNotifyTestMessage(rule: string, destination: string, body: unknown): Promise<NotifyMessageRecord> {
      const name = checkRuleName(rule);
      const now = nowUs();
      const createdAt = ctx.now();
      const dedupeKey = `${name}/${destination}/test/${now}`;
      const row = await db
        .insertInto("notify_messages")
        .values({ rule: name, destination, dedupe_key: dedupeKey, kind: "test", body: JSON.stringify(body), status: "pending", attempts: 0, next_attempt_us: now, created_at: createdAt, created_us: now })
        .returning("id")
        .executeTakeFirstOrThrow();
      return toMessage({ id: Number(row.id), rule: name, destination, dedupe_key: dedupeKey, kind: "test", body: JSON.stringify(body), status: "pending", attempts: 0, next_attempt_us: now, last_error: null, created_at: createdAt, delivered_at: null });
    },

    /** Pending messages whose next attempt is due, oldest first. */
    async dueNotifyMessages(options: { readonly limit?: number; readonly kinds?: ReadonlyArray<NotifyMessageRecord["kind"]> } = {}): Promise<NotifyMessageRecord[]> {
      let q = db.selectFrom("notify_messages").selectAll().where("status", "=", "pending").where("next_attempt_us", "<=", nowUs());
      if (options.kinds) q = q.where("kind", "in", [...options.kinds]);
      const rows = await q.orderBy("id").limit(options.limit ?? 200).execute();
      return rows.map((r) => toMessage(r as MessageRow));
    },

    /**
     * Takes a due message for one attempt: moves its next attempt to
     * `leaseUntilUs` if it is still pending and due at `expectedNextUs`. False
     * when another process took it first (workers and the console share a
     * store); a process that dies mid-send leaves it due again at the lease's end.
     */
    async claimNotifyMessage(id: number, expectedNextUs: number, leaseUntilUs: number): Promise<boolean> {
      const r = await db
        .updateTable("notify_messages")
        .set({ next_attempt_us: leaseUntilUs })
        .where("id", "=", id)
        .where("status", "=", "pending")
        .where("next_attempt_us", "=", expectedNextUs)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) === 1;
    },

    /** Records an attempt: delivered, failed for good, or pending again from `retryAtUs`. */
    async finishNotifyAttempt(
      id: number,
      outcome: { readonly status: "delivered" } | { readonly status: "failed"; readonly error: string } | { readonly status: "pending"; readonly error: string; readonly retryAtUs: number },
    ): Promise<void> {
      const now = ctx.now();
      await db
        .updateTable("notify_messages")
        .set((eb) => ({
          attempts: eb("attempts", "+", 1),
          status: outcome.status,
          last_error: outcome.status === "delivered" ? null : outcome.error.slice(0, 500),
          delivered_at: outcome.status === "delivered" ? now : null,
          ...(outcome.status === "pending" ? { next_attempt_us: outcome.retryAtUs } : {}),
        }))
        .where("id", "=", id)
        .where("status", "=", "pending")
        .execute();
    },

    /** Forgets delivered and failed messages composed before `beforeUs`, with their events; returns the messages removed. */
    async pruneNotifyLog(beforeUs: number): Promise<number> {
      return dialect.writeTransaction(async (trx) => {
        const old = (eb: typeof trx) => eb.selectFrom("notify_messages").select("id").where("status", "!=", "pending").where("created_us", "<", beforeUs);
        await trx.deleteFrom("notify_events").where("message_id", "in", old(trx)).execute();
        const r = await trx.deleteFrom("notify_messages").where("status", "!=", "pending").where("created_us", "<", beforeUs).executeTakeFirst();
        return Number(r.numDeletedRows);
      });
    },

    /** The delivery log, newest first (per rule, per destination). */
    async listNotifyMessages(filter: { readonly rule?: string; readonly destination?: string; readonly limit?: number } = {}): Promise<NotifyMessageRecord[]> {
      let q = db.selectFrom("notify_messages").selectAll();
      if (filter.rule !== undefined) q = q.where("rule", "=", checkRuleName(filter.rule));
      if (filter.destination !== undefined) q = q.where("destination", "=", filter.destination);
      const rows = await q.orderBy("id", "desc").limit(Math.min(filter.limit ?? 100, 1000)).execute();
      return rows.map((r) => toMessage(r as MessageRow));
    },
  };
}
