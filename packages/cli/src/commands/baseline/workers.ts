/** `baseline apply --workers`: not wired yet. */
import type { Baseline, Store, TenantRecord } from "@mde-partner/sync";
import type { CommandContext } from "../../context.js";
import { usageError } from "../../errors.js";
import type { Output } from "../../output/output.js";

export async function applyOnWorkers(_args: {
  store: Store;
  baseline: Baseline;
  document: unknown;
  tenants: TenantRecord[];
  actor: string;
  out: Output;
  ctx: CommandContext;
  yes: boolean;
}): Promise<number> {
  throw usageError("baseline apply --workers is not available yet", "run baseline apply without --workers");
}
