import { isTenantGuid } from "@mde-partner/client";
import { GROUP_NAME, selectTenants as selectStoredTenants, type SkippedTenant, type Store, StoreError, type TenantRecord } from "@mde-partner/sync";
import { usageError } from "./errors.js";

function shown(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** A customer tenant id as the store keeps it: a GUID, lower-cased. */
export function parseTenantId(value: string): string {
  const v = String(value ?? "").trim();
  if (isTenantGuid(v)) return v.toLowerCase();
  throw usageError(
    `${shown(v)} is not a tenant id`,
    "use the customer's Directory (tenant) ID, a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47 (Entra admin center > Overview)",
  );
}

/** The stored tenant, or a bad-input error telling how to add it. */
export async function requireTenant(store: Store, value: string): Promise<TenantRecord> {
  const id = parseTenantId(value);
  const tenant = await store.getTenant(id);
  if (!tenant) throw notAdded(id);
  return tenant;
}

const notAdded = (id: string) => usageError(`tenant ${id} has not been added`, `add it first: mde-partner tenants add ${id} --name "…"`);

/** What an operator does about a tenant sync and `--all` skip, by its state. */
export function skippedHint(s: Pick<SkippedTenant, "tenantId" | "state">): string {
  if (s.state === "pending_consent")
    return `send the customer's Global Administrator the consent link (mde-partner consent link ${s.tenantId}), then mde-partner tenants verify ${s.tenantId}`;
  return `check it with mde-partner tenants verify ${s.tenantId}`;
}

/** The one stderr line that says a tenant was skipped, why, and what to do. */
export function skippedLine(s: SkippedTenant): string {
  return `skipped tenant ${s.name} (${s.tenantId}), ${s.state}: ${s.reason}; ${skippedHint(s)}`;
}

/** A customer group name from `--group`, or a bad-input error. */
export function parseGroupName(value: string, flag = "--group"): string {
  const v = String(value ?? "").trim();
  if (GROUP_NAME.test(v)) return v;
  throw usageError(
    `${shown(v)} is not a group name (${flag})`,
    'group names are 1-64 letters, digits, ".", "_" or "-"; mde-partner groups list shows them',
  );
}

/** The tenant ids of the groups, or a bad-input error naming the groups that do not exist. */
export async function tenantIdsOfGroups(store: Store, names: readonly string[]): Promise<string[]> {
  try {
    return await store.tenantIdsOfGroups(names);
  } catch (error) {
    if (error instanceof StoreError && error.code === "ERR_STORE_GROUP_UNKNOWN") throw usageError(error.message, "mde-partner groups list");
    throw error;
  }
}

/** Which tenants: `--tenant ID…`, `--group NAME…` or `--all` (the default). */
export interface TenantChoice {
  tenant?: string[] | undefined;
  all?: boolean | undefined;
  group?: string[] | undefined;
}

/** Refuses `--group` beside `--tenant` or `--all`, and a malformed group name; the groups named, if any. */
export function checkTenantChoice(options: TenantChoice): string[] | undefined {
  const groups = options.group ?? [];
  if (groups.length === 0) return undefined;
  if ((options.tenant ?? []).length > 0 || options.all) throw usageError("use one of --tenant, --group or --all");
  return groups.map((g) => parseGroupName(g));
}

/**
 * `--tenant ID…`, `--group NAME…` or `--all` (the default): the tenants a multi-tenant command
 * runs on. With `live`, the command calls the tenants' APIs: `--all` and `--group` then take
 * the tenants `sync` takes and name each one they leave out on `live.warn` (a named `--tenant`
 * is always taken, whatever its state). Without it (`tenants verify`), every tenant. A tenant
 * outside the groups is never taken nor named.
 */
export async function selectTenants(store: Store, options: TenantChoice, live?: { warn(text: string): void }): Promise<TenantRecord[]> {
  const named = options.tenant ?? [];
  const groups = checkTenantChoice(options);
  if (named.length > 0 && options.all) throw usageError("use either --tenant or --all, not both");
  if (named.length > 0) {
    const { tenants, unknown } = await selectStoredTenants(store, { tenantIds: named.map(parseTenantId) });
    if (unknown.length > 0) throw notAdded(unknown[0]!);
    return tenants;
  }
  if (groups) await tenantIdsOfGroups(store, groups); // unknown groups: bad input with a hint
  // `--all` of a command that calls the tenants' APIs takes what a sync takes; otherwise every tenant.
  const { tenants, skipped } = await selectStoredTenants(store, { include: live ? "syncable" : "all", ...(groups ? { groups } : {}) });
  const where = groups ? `in group ${groups.join(", ")}` : "";
  if (tenants.length === 0 && skipped.length === 0)
    throw groups
      ? usageError(`there are no tenants ${where}`, `add some: mde-partner groups add ${groups[0]} <tenant-id>…`)
      : usageError("no customer tenants have been added yet", 'add one: mde-partner tenants add <tenant-id> --name "…"');
  if (!live) return tenants;
  for (const s of skipped) live.warn(skippedLine(s));
  if (tenants.length === 0)
    throw usageError(
      `no tenant${groups ? ` ${where}` : ""} is ready (none is consented or verified)`,
      "after the customer consents: mde-partner tenants verify --all; or name one with --tenant",
    );
  return tenants;
}
