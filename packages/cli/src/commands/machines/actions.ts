/**
 * `mde-partner machines isolate|unisolate|scan|collect|restrict|unrestrict|
 * stop-and-quarantine|offboard <tenant> <machine-id…> --comment TEXT`: response actions through the
 * engine's `runResponseAction`, so the audit log records who asked what, and
 * why. Every machine is looked up first: a wrong id stops the command before
 * anything is sent or recorded. On a terminal it asks before acting (`--yes`
 * skips the question); offboarding cannot be undone, so without a terminal it
 * is refused unless `--yes` says so.
 */
import { type ResponseActionOutcome, runResponseAction, tenantOf } from "@mde-partner/sync";
import { loadConfig } from "../../config.js";
import type { CommandContext } from "../../context.js";
import { parseDuration } from "../../duration.js";
import { EXIT, toCliError, usageError } from "../../errors.js";
import { createOutput, type OutputFlags } from "../../output/output.js";
import { openCliStore, openPartner } from "../../partner.js";
import { parseTenantId, requireTenant } from "../../tenant-selection.js";
import { submitToWorkers, workersStoreUrl } from "../batches/run.js";
import { confirm, confirmIrreversible, refuseUnattended } from "../confirm.js";
import { printActionOutcomes } from "../results-output.js";
import { MACHINE_ACTIONS } from "./response-actions.js";
import { checkMachineId } from "./run.js";
import { actorName } from "../../cli-audit.js";

export interface MachineActionOptions extends OutputFlags {
  comment?: string;
  type?: string;
  /** stop-and-quarantine: the file's SHA-1. */
  sha1?: string;
  wait?: boolean;
  timeout?: string;
  yes?: boolean;
  /** Run as jobs on the distributed workers (the store must be their PostgreSQL database). */
  workers?: boolean;
  /** With --workers: the workers' store (default: the configured one). */
  db?: string;
  /** With --workers: print the batch id and return instead of following it. */
  detach?: boolean;
}

export async function runMachineAction(
  name: string,
  tenantId: string,
  machineIds: string[],
  options: MachineActionOptions,
  ctx: CommandContext,
): Promise<number> {
  const spec = MACHINE_ACTIONS[name];
  if (!spec) throw usageError(`unknown machine action ${JSON.stringify(name)}`);
  const out = createOutput(ctx.io, options);
  const config = loadConfig(ctx.home);
  parseTenantId(tenantId);
  if (options.comment === undefined || options.comment.trim() === "") {
    throw usageError(
      `${name} needs --comment "why"`,
      "every response action carries a comment; it is recorded by MDE and in the audit log",
    );
  }
  if (options.comment.length > 1000) throw usageError("--comment is longer than 1000 characters");
  let type: string | undefined;
  if (options.type !== undefined) {
    if (!spec.types) throw usageError(`--type does not apply to ${name}`);
    type = spec.types.find((t) => t.toLowerCase() === options.type!.toLowerCase());
    if (!type) throw usageError(`--type for ${name} must be one of ${spec.types.join(", ")}, got ${JSON.stringify(options.type)}`);
  }
  let sha1: string | undefined;
  if (options.sha1 !== undefined && !spec.sha1) throw usageError(`--sha1 does not apply to ${name}`);
  if (spec.sha1) {
    sha1 = options.sha1?.trim();
    if (sha1 === undefined || sha1 === "") throw usageError(`${name} needs --sha1 <sha1>`, "the SHA-1 of the file to stop and quarantine (40 hex characters)");
    if (!/^[0-9a-fA-F]{40}$/.test(sha1))
      throw usageError(`--sha1 must be 40 hex characters, got ${JSON.stringify(sha1.slice(0, 60))}`, "stop and quarantine takes the file's SHA-1 (not SHA-256 or MD5)");
    sha1 = sha1.toLowerCase();
  }
  if (machineIds.length === 0) throw usageError(`${name} needs at least one machine id`);
  // Refused before anything is looked up or recorded: a script offboards only with --yes.
  if (spec.irreversible && !options.yes) refuseUnattended(ctx.io, `machines ${name}`);
  const ids = [...new Set(machineIds.map(checkMachineId))];
  const waitTimeoutMs = options.timeout !== undefined ? parseDuration("--timeout", options.timeout, { minMs: 1000 }) : 10 * 60_000;

  if (!options.workers && (options.db !== undefined || options.detach))
    throw usageError("--db and --detach go with --workers", `mde-partner machines ${name} --workers --db postgres://… …`);
  const url = options.workers ? workersStoreUrl(options.db, config.storeUrl) : config.storeUrl;
  const store = await openCliStore(url);
  try {
    const tenant = await requireTenant(store, tenantId);
    const partner = openPartner(config, ctx);
    try {
      const api = tenantOf(partner, tenant);
      // Look every machine up before acting on any: a typo must not leave half the list isolated.
      const names = new Map<string, string>();
      for (const id of ids) {
        try {
          const m = await api.mde.machines.get(id);
          names.set(id, String(m.computerDnsName ?? id));
        } catch (error) {
          const e =
            (error as { code?: string }).code === "ERR_MDE_NOT_FOUND"
              ? usageError(
                  `machine ${id} does not exist in tenant ${tenant.name} (${tenant.id})`,
                  "list them: mde-partner machines list --tenant " + tenant.id,
                )
              : toCliError(error);
          // Nothing was sent, but the operator asked: the refusal is on record with why.
          await store
            .appendAudit({
              actor: actorName(ctx.io.env),
              action: `machine.${spec.kind}`,
              phase: "failed",
              tenantId: tenant.id,
              target: id,
              comment: options.comment!,
              request: { action: spec.kind, ...(type ? { type } : {}), ...(sha1 ? { sha1 } : {}) },
              result: e.message,
            })
            .catch(() => {});
          throw e;
        }
      }
      const targets = ids.map((id) => names.get(id) ?? id).join(", ");
      const question = `${spec.verb} ${ids.length} machine(s) of ${tenant.name}: ${targets}?`;
      const ask = spec.irreversible ? () => confirmIrreversible(ctx.io, question, `machines ${name}`) : () => confirm(ctx.io, question);
      if (!options.yes && !(await ask())) {
        out.note("nothing done");
        return EXIT.failed;
      }
      const extra = {
        ...(type && spec.kind === "isolate" ? { isolationType: type } : {}),
        ...(type && spec.kind === "scan" ? { scanType: type } : {}),
        ...(sha1 ? { sha1 } : {}),
        ...(options.wait ? { wait: true, waitTimeoutMs } : {}),
      };
      if (options.workers) {
        return await submitToWorkers(ctx, out, store, url, options, (queue) =>
          queue.submitResponseActions({
            actor: actorName(ctx.io.env),
            action: spec.kind,
            comment: options.comment!,
            targets: ids.map((machineId) => ({ tenantId: tenant.id, machineId })),
            ...extra,
          }),
        );
      }
      const outcomes: ResponseActionOutcome[] = [];
      for (const machineId of ids) {
        try {
          outcomes.push(
            await runResponseAction({
              store,
              partner,
              actor: actorName(ctx.io.env),
              tenantId: tenant.id,
              machineId,
              action: spec.kind,
              comment: options.comment!,
              ...extra,
            }),
          );
        } catch (error) {
          throw toCliError(error);
        }
      }
      return printActionOutcomes(out, outcomes, names);
    } finally {
      await partner.close();
    }
  } finally {
    await store.close();
  }
}
