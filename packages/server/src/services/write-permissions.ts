/**
 * Whether a tenant's recorded roles allow a write, so pages offer only the
 * forms that can succeed. The roles are those the last verification read from
 * the tenant's token; the operation's permissions (any one suffices) come from
 * the client's operation registry, the same facts the API calls are made with.
 */
import { getOperation } from "@mde-partner/client";
import type { TenantRecord } from "@mde-partner/sync";

export interface WriteCheck {
  /** False only when the recorded roles are known and grant none of `needs`. */
  readonly allowed: boolean;
  /** Whether a verification has recorded the tenant's roles. */
  readonly known: boolean;
  /** Application permissions of which any one allows the write. */
  readonly needs: readonly string[];
}

/** The check for the MDE operation `operation` (e.g. `UpdateAlert`, `IsolateMachine`) on `tenant`. */
export function checkWrite(tenant: TenantRecord | null, operation: string): WriteCheck {
  const needs = getOperation(operation).permissions;
  const granted = tenant?.grantedRoles ?? [];
  if (granted.length === 0) return { allowed: true, known: false, needs };
  const have = new Set(granted.map((g) => g.toLowerCase()));
  return { allowed: needs.some((n) => have.has(n.toLowerCase())), known: true, needs };
}

/** What the page says instead of a form the tenant's roles do not allow. */
export function missingPermissionText(check: WriteCheck, what: string): string {
  return `${what} needs ${check.needs.join(" or ")} on the MDE API, which this tenant has not granted (its recorded roles). Ask the customer to re-consent from the tenant's page, then verify it.`;
}
