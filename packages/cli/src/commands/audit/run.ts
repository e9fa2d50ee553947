/**
 * `mde-partner audit`: the audit log of the store — every write from the CLI,
 * the console and the workers, successful or not, with the operator's name —
 * newest first, filtered by tenant, actor, action, time and result.
 */
import type { AuditEntry, AuditPhase } from "@mde-partner/sync";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { EXIT, parseCount, usageError } from "../../errors.js";
import { parseSince } from "../../odata-options.js";
import { createOutput, type OutputFlags } from "../../output/output.js";
import { withStore } from "../../partner.js";
import { parseTenantId } from "../../tenant-selection.js";

export interface AuditOptions extends OutputFlags {
  tenant?: string;
  actor?: string;
  action?: string;
  since?: string;
  /** `ok` (completed), `failed`, or `requested` (asked for, outcome not recorded yet). */
  result?: string;
  top?: string;
  db?: string;
}

/** `--result` → the phases it selects. */
const RESULTS: Record<string, AuditPhase[]> = { ok: ["completed"], failed: ["failed"], requested: ["requested"] };

/** The table's RESULT column: what the phase means to an operator. */
function resultOf(entry: AuditEntry): string {
  return entry.phase === "completed" ? "ok" : entry.phase;
}

export async function runAudit(options: AuditOptions, ctx: CommandContext): Promise<number> {
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  const tenantId = options.tenant !== undefined ? parseTenantId(options.tenant) : undefined;
  const since = options.since !== undefined ? parseSince("--since", options.since) : undefined;
  let phases: AuditPhase[] | undefined;
  if (options.result !== undefined) {
    phases = RESULTS[options.result.toLowerCase()];
    if (!phases) throw usageError(`--result must be ok, failed or requested, got ${JSON.stringify(options.result.slice(0, 40))}`);
  }
  for (const flag of ["actor", "action"] as const) {
    const v = options[flag];
    if (v !== undefined && (v.trim() === "" || v.length > 256)) throw usageError(`--${flag} must be 1–256 characters`);
  }
  const top = options.top !== undefined ? parseCount("--top", options.top, { min: 1, max: 100_000 }) : 100;
  return withStore(
    options.db ?? config.storeUrl,
    async (store) => {
      const entries = await store.queryAudit({
        ...(tenantId !== undefined ? { tenantId } : {}),
        ...(options.actor !== undefined ? { actor: options.actor.trim() } : {}),
        ...(options.action !== undefined ? { action: options.action.trim() } : {}),
        ...(since !== undefined ? { since } : {}),
        ...(phases !== undefined ? { phases } : {}),
        limit: top,
      });
      if (out.mode === "json") out.json(entries);
      else if (out.mode === "ndjson") for (const e of entries) out.record(e);
      else if (entries.length === 0) out.note("no audit entries match");
      else {
        const p = out.palette;
        out.table(
          [
            { header: "AT", value: (e: AuditEntry) => e.at },
            { header: "ACTOR", value: (e: AuditEntry) => e.actor, max: 28 },
            { header: "ACTION", value: (e: AuditEntry) => e.action },
            {
              header: "RESULT",
              value: resultOf,
              style: (t: string) => (t === "ok" ? p.green(t) : t === "failed" ? p.red(t) : p.yellow(t)),
            },
            { header: "TENANT", value: (e: AuditEntry) => e.tenantId ?? "" },
            { header: "TARGET", value: (e: AuditEntry) => e.target ?? "", max: 40 },
            { header: "DETAIL", value: (e: AuditEntry) => e.result ?? e.comment ?? "", max: 60 },
          ],
          entries,
        );
        if (entries.length === top) out.note(`showing the newest ${top}; --top N shows more`);
      }
      return EXIT.ok;
    },
    ctx.io.env,
  );
}
