/**
 * `mde-partner machines cancel <tenant-id> <action-id> --comment TEXT`: cancels a
 * response action that is not final yet (mde-api.md §5.3, cancel-machine-action.md:
 * any of the response-action permissions may cancel). Audited like the actions
 * themselves, as `machine.cancel` on the action's machine.
 */
import { actionId, type MachineAction } from "@mde-partner/client";
import { tenantOf } from "@mde-partner/sync";
import { actorName, auditedWrite } from "../../cli-audit.js";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, usageError } from "../../errors.js";
import { createOutput, type OutputFlags } from "../../output/output.js";
import { openPartner, withStore } from "../../partner.js";
import { parseTenantId, requireTenant } from "../../tenant-selection.js";

export interface MachineCancelOptions extends OutputFlags {
  comment?: string;
}

/** A machine action id (GUID), or bad input naming where to find one. */
export function checkActionId(value: string): string {
  try {
    return actionId(String(value ?? "").trim()).toLowerCase();
  } catch (error) {
    throw usageError((error as Error).message, "the ACTION ID column of mde-partner machines isolate|scan|… (a GUID)");
  }
}

export async function runMachineCancel(tenantId: string, id: string, options: MachineCancelOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  parseTenantId(tenantId);
  const action = checkActionId(id);
  const comment = options.comment?.trim();
  if (!comment) throw usageError('cancel needs --comment "why"', "the comment is recorded by MDE and in the audit log");
  if (comment.length > 1000) throw usageError("--comment is longer than 1000 characters");
  return withStore(config.storeUrl, async (store) => {
    const tenant = await requireTenant(store, tenantId);
    const partner = openPartner(config, ctx);
    try {
      const api = tenantOf(partner, tenant).mde;
      const cancelled: MachineAction = await auditedWrite(
        ctx,
        store,
        { action: "machine.cancel", tenantId: tenant.id, target: action, comment, request: { action: "cancel", actionId: action } },
        () => api.machineActions.cancel(action, { comment }),
        (a) => `action ${a.id} ${a.type} on ${a.machineId} ${a.status}`,
      );
      await store.upsertMachineActions(tenant.id, [cancelled], { operator: actorName(ctx.io.env) }).catch(() => 0);
      const row = Object.assign({ tenantId: tenant.id }, cancelled, { tenantId: tenant.id });
      if (out.mode === "ndjson") out.record(row);
      else if (out.mode === "json") out.json(row);
      else
        out.fields(
          ["tenantId", "id", "type", "machineId", "computerDnsName", "status", "cancellationComment", "cancellationDateTimeUtc"].map(
            (key) => [key, (row as unknown as Record<string, unknown>)[key]] as const,
          ),
        );
      return EXIT.ok;
    } finally {
      await partner.close();
    }
  });
}
