import type { Store, TenantRecord } from "@mde-partner/sync";
import { usageError } from "./errors.js";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function shown(value: string): string {
  return JSON.stringify(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/** A customer tenant id as the store keeps it: a GUID, lower-cased. */
export function parseTenantId(value: string): string {
  const v = String(value ?? "").trim();
  if (GUID.test(v)) return v.toLowerCase();
  throw usageError(
    `${shown(v)} is not a tenant id`,
    "use the customer's Directory (tenant) ID, a GUID like 72f988bf-86f1-41af-91ab-2d7cd011db47 (Entra admin center > Overview)",
  );
}

/** The stored tenant, or a bad-input error telling how to add it. */
export async function requireTenant(store: Store, value: string): Promise<TenantRecord> {
  const id = parseTenantId(value);
  const tenant = await store.getTenant(id);
  if (!tenant) throw usageError(`tenant ${id} has not been added`, `add it first: mde-partner tenants add ${id} --name "…"`);
  return tenant;
}

/** Commander collector for repeatable, comma-separable options (`--tenant a --tenant b,c`). */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [
    ...(previous ?? []),
    ...value
      .split(",")
      .map((v) => v.trim())
      .filter((v) => v !== ""),
  ];
}

/** `--tenant ID…` or `--all` (the default): the tenants a multi-tenant command runs on. */
export async function selectTenants(
  store: Store,
  options: { tenant?: string[] | undefined; all?: boolean | undefined },
): Promise<TenantRecord[]> {
  const named = options.tenant ?? [];
  if (named.length > 0 && options.all) throw usageError("use either --tenant or --all, not both");
  if (named.length > 0) {
    for (const id of named) parseTenantId(id);
    const out: TenantRecord[] = [];
    for (const id of named) {
      const t = await requireTenant(store, id);
      if (!out.some((o) => o.id === t.id)) out.push(t);
    }
    return out;
  }
  const all = await store.listTenants();
  if (all.length === 0)
    throw usageError("no customer tenants have been added yet", 'add one: mde-partner tenants add <tenant-id> --name "…"');
  return all;
}
