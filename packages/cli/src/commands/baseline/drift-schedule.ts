/**
 * The scheduled baseline drift check of `sync --watch` and `worker`: every baseline applied so far
 * is compared with its tenants every 15 minutes (`MDE_PARTNER_BASELINE_DRIFT_INTERVAL`, e.g. `5m`,
 * `1h`; `off` turns it off), and each tenant's state is stored for the console and metrics.
 */
import type { PartnerClient, PartnerTenant } from "@mde-partner/client";
import { startDriftSchedule, type Store } from "@mde-partner/sync";
import { parseDuration } from "../../duration.js";
import type { Output } from "../../output/output.js";

/** Starts the check (unless turned off); stop it with the returned `stop()`. */
export function startBaselineDriftChecks(store: Store, partner: PartnerClient<PartnerTenant>, out: Output, env: NodeJS.ProcessEnv): { stop(): Promise<void> } | undefined {
  const setting = env.MDE_PARTNER_BASELINE_DRIFT_INTERVAL?.trim();
  if (setting === "off") return undefined;
  const intervalMs = setting ? parseDuration("MDE_PARTNER_BASELINE_DRIFT_INTERVAL", setting, { minMs: 5000 }) : undefined;
  return startDriftSchedule({
    store,
    partner,
    concurrency: 8,
    ...(intervalMs !== undefined ? { intervalMs } : {}),
    onCheck: (results) => {
      for (const r of results)
        out.note(`${new Date().toISOString()} baseline ${r.name}: ${r.tenants} tenant(s) checked, ${r.drifted} drifted${r.failed ? `, ${r.failed} failed` : ""}`);
    },
    onError: (error) => out.warn(`baseline drift check failed: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`),
  });
}
