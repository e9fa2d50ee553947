import { parseDateTime, TICKS_PER_SECOND, type Value } from "../kql/values.js";
import { alertAccount, alertMachine } from "./alert-activity.js";
import type { BuildContext } from "./context.js";
import { accountFor, dailyEvents, fillTemplate, initiatingProcess } from "./device-activity.js";
import { REGISTRY_CHANGES } from "./device-catalog.js";
import { binaryOf, deviceFields, initiatingFields } from "./fields.js";

const str = (v: unknown): string => (typeof v === "string" ? v : "");

/**
 * DeviceRegistryEvents (defender-xdr/advanced-hunting-deviceregistryevents-table.md):
 * the ordinary registry churn of Windows devices (Defender signature updates,
 * Windows Update, Run keys of OneDrive and Teams, Explorer's MRU lists), and
 * for every alert with Registry evidence the value write it shows, made by the
 * alert's first process at its first event time.
 */
export function buildRegistryEvents(ctx: BuildContext): Array<Record<string, Value>> {
  const out = dailyEvents(ctx, "registry", 0.6, ["windows"], (m, random, at, reportId) => {
    const [process, action, keyTemplate, valueTemplate, valueType, dataTemplate] = random.weighted(REGISTRY_CHANGES.map((c) => [c, c[6]] as const));
    const account = accountFor(ctx, m, random, process);
    const data = fillTemplate(dataTemplate, random, account);
    const modified = action === "RegistryValueSet" && valueType !== "Binary" && random.bool(0.4);
    return {
      Timestamp: at,
      ...deviceFields(m),
      ActionType: action,
      RegistryKey: fillTemplate(keyTemplate, random, account),
      RegistryValueType: valueType,
      RegistryValueName: fillTemplate(valueTemplate, random, account),
      RegistryValueData: action === "RegistryValueDeleted" ? "" : data,
      PreviousRegistryValueData: modified ? fillTemplate(dataTemplate, random, account) : "",
      ...initiatingProcess(m, random, process, at, account),
      ReportId: reportId,
    };
  });
  for (const alert of ctx.source.alerts) {
    if (alert.created < ctx.windowStart) continue;
    const changes = alert.evidence.filter((e) => e.entityType === "Registry" && str(e.registryKey));
    if (changes.length === 0) continue;
    const machine = alertMachine(ctx, alert);
    if (!machine || machine.family !== "windows") continue;
    const random = ctx.random.fork(`alert-registry/${alert.id}`);
    const account = alertAccount(ctx, alert, machine);
    const at = (typeof alert.json.firstEventTime === "string" ? parseDateTime(alert.json.firstEventTime) : undefined) ?? alert.created;
    const actor = alert.evidence.find((e) => e.entityType === "Process" && str(e.fileName));
    const binary = actor ? binaryOf(str(actor.fileName), str(actor.filePath) || undefined) : binaryOf("reg.exe", "C:\\Windows\\System32");
    const created = at - BigInt(random.int(1, 600)) * TICKS_PER_SECOND;
    for (const e of changes) {
      const value = str(e.registryValue);
      out.push({
        Timestamp: at,
        ...deviceFields(machine),
        ActionType: "RegistryValueSet",
        RegistryKey: str(e.registryKey),
        RegistryValueType: str(e.registryValueType) || "String",
        // The evidence carries the data only; the value is named after the program it starts.
        RegistryValueName: value.split(/[\\/]/).pop()?.replace(/\.[^.]*$/, "") ?? "",
        RegistryValueData: value,
        ...initiatingFields(binary, machine.family, {
          pid: typeof actor?.processId === "number" ? actor.processId : random.int(400, 40_000),
          commandLine: str(actor?.processCommandLine) || binary.name,
          created,
          account,
          parentPid: typeof actor?.parentProcessId === "number" ? actor.parentProcessId : random.int(4, 1_200),
          parentCreated: created - BigInt(random.int(1, 3_600)) * TICKS_PER_SECOND,
          logonId: account.system ? 999 : random.int(100_000, 9_999_999),
        }),
        ReportId: random.int(1_000, 900_000),
      });
    }
  }
  return out;
}
