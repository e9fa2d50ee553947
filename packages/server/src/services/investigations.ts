/**
 * Automated investigations (mde-api.md §5.6, §6.5), read live from the
 * customers' MDE API (the store does not hold them): the newest of each
 * tenant, merged newest first, and one investigation by id.
 */
import type { Investigation } from "@mde-partner/client";
import type { TenantRecord } from "@mde-partner/sync";
import { tenantOf } from "@mde-partner/sync";
import type { TenantScope } from "../access.js";
import type { ResolvedConsoleOptions } from "../options.js";
import { InputError, NotFoundError } from "./errors.js";
import { acrossTenants, type BriefCache, readableTenants, type TenantFailure, type ThrottleMemory } from "./tenant-reads.js";

/** Investigations read per tenant for the list (newest first is the page's order, not the API's: `$orderby` is DOC-SILENT). */
export const INVESTIGATIONS_PER_TENANT = 100;

/** States of an investigation (mde-api.md §6.5), for the filter. */
export const INVESTIGATION_STATES = [
  "Running",
  "PendingApproval",
  "PendingResource",
  "Queued",
  "SuccessfullyRemediated",
  "PartiallyRemediated",
  "Benign",
  "Failed",
  "PartiallyInvestigated",
  "Terminated",
  "TerminatedByUser",
  "TerminatedBySystem",
  "InnerFailure",
  "PreexistingAlert",
  "UnsupportedOs",
  "UnsupportedAlertType",
  "SuppressedAlert",
  "Unknown",
] as const;

// Investigation ids are numeric strings (mde-api.md §3.7); GET also takes the triggering alert's id.
const INVESTIGATION_ID = /^(?:\d{1,20}|(?:da)?\d{1,20}_-?\d{1,10})$/;

export interface InvestigationRow {
  readonly tenant: TenantRecord;
  readonly investigation: Investigation;
}

export interface InvestigationList {
  /** The device filter as applied (a device id), if any. */
  readonly machineId: string | undefined;
  readonly rows: readonly InvestigationRow[];
  readonly failures: ReadonlyArray<{ tenant: TenantRecord; error: TenantFailure }>;
  /** Tenants that had more than {@link INVESTIGATIONS_PER_TENANT} (only the newest read are shown). */
  readonly capped: readonly TenantRecord[];
  readonly tenantsRead: number;
}

/** Checks a state filter value. */
export function parseInvestigationState(state: string | undefined): string | undefined {
  if (!state) return undefined;
  if (!(INVESTIGATION_STATES as readonly string[]).includes(state))
    throw new InputError(`state must be one of ${INVESTIGATION_STATES.join(", ")}`);
  return state;
}

/** Investigations across the readable tenants (or one), with each tenant's failure beside them. */
export async function listInvestigations(
  options: ResolvedConsoleOptions,
  memory: { cache: BriefCache; throttle: ThrottleMemory },
  filter: { tenantId?: string | undefined; state?: string | undefined; machineId?: string | undefined; scope?: TenantScope },
): Promise<InvestigationList> {
  const state = parseInvestigationState(filter.state);
  const machineId = filter.machineId && /^[0-9a-f]{40}$/i.test(filter.machineId) ? filter.machineId.toLowerCase() : undefined;
  const tenants = await readableTenants(options.store, filter.tenantId, filter.scope);
  const parts = await acrossTenants(options.partner, tenants, async (api, tenant, signal) => {
    const key = `investigations\n${tenant.id}\n${state ?? ""}\n${machineId ?? ""}`;
    const hit = memory.cache.get<Investigation[]>(key);
    if (hit) return hit;
    const list = api.investigations.list({
      top: INVESTIGATIONS_PER_TENANT + 1,
      signal,
      ...(state || machineId
        ? {
            filter: (f) =>
              state && machineId ? f.and(f.eq("state", state), f.eq("machineId", machineId)) : state ? f.eq("state", state) : f.eq("machineId", machineId!),
          }
        : {}),
    });
    const items: Investigation[] = [];
    for await (const i of list) items.push(i);
    memory.cache.set(key, items);
    return items;
  }, { throttle: memory.throttle });
  const rows: InvestigationRow[] = [];
  const failures: Array<{ tenant: TenantRecord; error: TenantFailure }> = [];
  const capped: TenantRecord[] = [];
  for (const part of parts) {
    if (!part.ok) {
      failures.push({ tenant: part.tenant, error: part.error });
      continue;
    }
    const items = [...part.value].sort(byStartDesc);
    if (items.length > INVESTIGATIONS_PER_TENANT) capped.push(part.tenant);
    for (const investigation of items.slice(0, INVESTIGATIONS_PER_TENANT)) rows.push({ tenant: part.tenant, investigation });
  }
  rows.sort((a, b) => byStartDesc(a.investigation, b.investigation));
  return { machineId, rows, failures, capped, tenantsRead: tenants.length };
}

const byStartDesc = (a: Investigation, b: Investigation) => String(b.startTime ?? "").localeCompare(String(a.startTime ?? ""));

/** One investigation of a tenant (by its id or its triggering alert's id). */
export async function getInvestigation(options: ResolvedConsoleOptions, tenantId: string, id: string): Promise<InvestigationRow> {
  if (!INVESTIGATION_ID.test(id)) throw new NotFoundError("no such investigation (ids are numbers)");
  const [tenant] = await readableTenants(options.store, tenantId);
  return { tenant: tenant!, investigation: await tenantOf(options.partner, tenant!).mde.investigations.get(id) };
}
