/**
 * Which machines `machines live-response` runs on: `<tenant-id> <machine-id…>`,
 * `--target TENANT:MACHINE` (repeatable) and `--targets-file FILE` (one target a
 * line — `TENANT:MACHINE`, `TENANT MACHINE` or `TENANT,MACHINE` — with `#`
 * comments), in any mix, without duplicates. Everything is checked before any
 * tenant is asked.
 */
import { readFileSync } from "node:fs";
import { usageError } from "../../errors.js";
import { parseTenantId } from "../../tenant-selection.js";
import { checkMachineId } from "./run.js";

export interface LiveResponseTarget {
  tenantId: string;
  machineId: string;
}

/** Most targets one run takes (a bound on a targets file, not a service limit). */
export const MAX_TARGETS = 1000;

function target(text: string, where: string): LiveResponseTarget {
  const m = /^\s*([^\s:,]+)\s*[:,\s]\s*(\S+)\s*$/.exec(text);
  if (!m) throw usageError(`${where}: ${JSON.stringify(text.slice(0, 80))} is not TENANT:MACHINE`, "e.g. --target 72f988bf-86f1-41af-91ab-2d7cd011db47:1e5bc9d7e413ddd7902c2932e418702b84d0cc07");
  try {
    return { tenantId: parseTenantId(m[1]!), machineId: checkMachineId(m[2]!).toLowerCase() };
  } catch (error) {
    throw usageError(`${where}: ${(error as Error).message}`, (error as { hint?: string }).hint);
  }
}

/** The targets of a run, in the order given, duplicates dropped. */
export function liveResponseTargets(
  tenantId: string | undefined,
  machineIds: readonly string[],
  options: { target?: string[]; targetsFile?: string },
): LiveResponseTarget[] {
  const all: LiveResponseTarget[] = [];
  if (tenantId !== undefined) {
    const tenant = parseTenantId(tenantId);
    if (machineIds.length === 0) throw usageError("give at least one machine id after the tenant id", "mde-partner machines live-response <tenant-id> <machine-id…> --script …");
    for (const id of machineIds) all.push({ tenantId: tenant, machineId: checkMachineId(id).toLowerCase() });
  }
  for (const t of options.target ?? []) all.push(target(t, "--target"));
  if (options.targetsFile !== undefined) {
    let text: string;
    try {
      text = readFileSync(options.targetsFile, "utf8");
    } catch (error) {
      throw usageError(`--targets-file ${options.targetsFile}: ${(error as { code?: string }).code === "ENOENT" ? "no such file" : (error as Error).message}`);
    }
    text.split(/\r?\n/).forEach((line, i) => {
      const content = line.replace(/#.*$/, "").trim();
      if (content !== "") all.push(target(content, `${options.targetsFile} line ${i + 1}`));
    });
  }
  if (all.length === 0)
    throw usageError("no machine to run on", "give <tenant-id> <machine-id…>, --target TENANT:MACHINE (repeat) or --targets-file FILE");
  const seen = new Set<string>();
  const unique = all.filter((t) => {
    const key = `${t.tenantId}:${t.machineId}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
  if (unique.length > MAX_TARGETS) throw usageError(`${unique.length} targets; one run takes at most ${MAX_TARGETS}`, "split the targets file");
  return unique;
}
