/**
 * The query-string rules the console's list pages and JSON API share: repeatable or comma-separated
 * values, allowed values, tenant ids and the page size, each refused with an `InputError` that says
 * what to change.
 */
import { isTenantGuid } from "@mde-partner/client";
import { InputError } from "./errors.js";

/** Every value of a repeatable, comma-separable parameter (`?status=New,Resolved&status=InProgress`). */
export const listParam = (params: URLSearchParams, name: string): string[] =>
  params
    .getAll(name)
    .flatMap((v) => v.split(","))
    .map((v) => v.trim())
    .filter(Boolean);

/** `values` when each is one of `allowed`. */
export function oneOf<T extends string>(values: readonly string[], allowed: readonly T[], name: string): T[] {
  for (const v of values)
    if (!allowed.includes(v as T)) throw new InputError(`${name} must be one of ${allowed.join(", ")}; got ${JSON.stringify(v)}`);
  return values as T[];
}

/** The `tenant` parameter's ids, lower-cased. */
export function tenantIdsParam(params: URLSearchParams): string[] {
  return listParam(params, "tenant").map((t) => {
    if (!isTenantGuid(t)) throw new InputError(`tenant must be a tenant id (GUID); got ${JSON.stringify(t)}`);
    return t.toLowerCase();
  });
}

/** The `limit` parameter: `defaultLimit` when absent, else an integer from 1 to `maxLimit`. */
export function limitParam(params: URLSearchParams, defaultLimit: number, maxLimit: number): number {
  const limitText = params.get("limit");
  const limit = limitText ? Number(limitText) : defaultLimit;
  if (!Number.isInteger(limit) || limit < 1 || limit > maxLimit) throw new InputError(`limit must be an integer from 1 to ${maxLimit}`);
  return limit;
}
