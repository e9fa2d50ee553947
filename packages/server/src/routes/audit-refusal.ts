/**
 * Writes the console refuses before any service is asked (bad input, an
 * unknown tenant, alert or device) are on record too, with the signed-in
 * operator and why. Failures after that point are audited where the write
 * happens (alert updates, response actions), so they are not written twice.
 */
import type { Store } from "@mde-partner/sync";
import { ForbiddenError, InputError, NotFoundError } from "../services/errors.js";

export interface RefusedWrite {
  actor: string;
  action: string;
  tenantId?: string | null;
  target?: string | null;
  request?: unknown;
}

/** Records `error` as a failed `entry` when it refused the write before the call (and always with `always`). */
export async function auditRefused(store: Store, entry: RefusedWrite, error: unknown, always = false): Promise<void> {
  const before = error instanceof InputError || error instanceof NotFoundError || error instanceof ForbiddenError || error instanceof TypeError;
  if (!before && !always) return;
  const message = (error instanceof Error ? error.message : String(error)).split("\n")[0] ?? "";
  const code = (error as { code?: unknown }).code;
  await store
    .appendAudit({ ...entry, phase: "failed", result: `${typeof code === "string" ? `${code}: ` : ""}${message}`.slice(0, 500) })
    .catch(() => {});
}

/** Runs `write`; a refusal (see `auditRefused`) is recorded, then rethrown. */
export async function refusalAudited<T>(store: Store, entry: RefusedWrite, write: () => Promise<T>, always = false): Promise<T> {
  try {
    return await write();
  } catch (error) {
    await auditRefused(store, entry, error, always);
    throw error;
  }
}
