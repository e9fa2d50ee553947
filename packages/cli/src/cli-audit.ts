/**
 * One way for every CLI write to reach the audit log: run the write, then
 * record it as `completed` or `failed` (with the first line of why) under the
 * operator's name. Writes to files beside the store (config.json,
 * console-users.json) are recorded in the configured store when there is one.
 */
import { userInfo } from "node:os";
import type { Store } from "@mde-partner/sync";
import { loadConfig } from "./config.js";
import type { CommandContext } from "./context.js";
import { firstLine } from "./errors.js";
import { openCliStore } from "./partner.js";

/**
 * Who the audit log names for CLI actions: `MDE_PARTNER_ACTOR` when set (a shared service account
 * naming the operator), else the operating system's account running the command — from the
 * password database, not `$USER` (unset under cron, systemd and `env -i`) — else its uid.
 */
export function actorName(env: NodeJS.ProcessEnv): string {
  const explicit = env.MDE_PARTNER_ACTOR?.trim();
  if (explicit) return `cli:${explicit}`;
  let account: string | undefined;
  try {
    account = userInfo().username || undefined;
  } catch {
    account = undefined; // a uid without a passwd entry (containers)
  }
  return `cli:${account ?? env.USER ?? env.USERNAME ?? `uid:${process.getuid?.() ?? "unknown"}`}`;
}

export interface CliAuditEntry {
  action: string;
  tenantId?: string | null;
  target?: string | null;
  comment?: string | null;
  request?: unknown;
}

async function append(store: Store, ctx: CommandContext, entry: CliAuditEntry, phase: "completed" | "failed", result: string | null) {
  await store.appendAudit({ actor: actorName(ctx.io.env), ...entry, phase, result });
}

/**
 * Runs `write` and records it in `store`: completed with `describe(value)`, or failed with the
 * error's first line (the error is rethrown as it was; a failed audit write never hides it).
 *
 * @example
 * await auditedWrite(ctx, store, { action: "batches.prune" }, () => store.deleteBatches(before), (n) => `${n} deleted`);
 */
export async function auditedWrite<T>(
  ctx: CommandContext,
  store: Store,
  entry: CliAuditEntry,
  write: () => Promise<T> | T,
  describe: (value: T) => string | null = () => null,
): Promise<T> {
  let value: T;
  try {
    value = await write();
  } catch (error) {
    await append(store, ctx, entry, "failed", firstLine(error)).catch(() => {});
    throw error;
  }
  await append(store, ctx, entry, "completed", describe(value));
  return value;
}

/**
 * Records a write that happened outside the store in the configured store (`storeUrl`, else
 * config.json's). Before `init` there is no store and nothing to record in; a store that cannot
 * be opened is said on stderr, never silently.
 */
export async function auditOutsideStore(
  ctx: CommandContext,
  entry: CliAuditEntry,
  outcome: { ok: true; result?: string | null } | { ok: false; error: unknown },
  storeUrl?: string,
): Promise<void> {
  let url = storeUrl;
  if (url === undefined) {
    try {
      url = loadConfig(ctx.home).storeUrl;
    } catch {
      return; // not initialised: there is no audit log yet
    }
  }
  try {
    const store = await openCliStore(url, ctx.io.env);
    try {
      await append(store, ctx, entry, outcome.ok ? "completed" : "failed", outcome.ok ? (outcome.result ?? null) : firstLine(outcome.error));
    } finally {
      await store.close();
    }
  } catch (error) {
    ctx.io.stderr.write(`warning: ${entry.action} not written to the audit log: ${firstLine(error)}\n`);
  }
}

/** Runs a write outside the store and records it (see `auditOutsideStore`); the write's error is rethrown. */
export async function auditedOutsideStore<T>(
  ctx: CommandContext,
  entry: CliAuditEntry,
  write: () => Promise<T> | T,
  describe: (value: T) => string | null = () => null,
  storeUrl?: string,
): Promise<T> {
  let value: T;
  try {
    value = await write();
  } catch (error) {
    await auditOutsideStore(ctx, entry, { ok: false, error }, storeUrl);
    throw error;
  }
  await auditOutsideStore(ctx, entry, { ok: true, result: describe(value) }, storeUrl);
  return value;
}
