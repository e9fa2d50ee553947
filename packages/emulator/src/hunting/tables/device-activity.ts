import type { Random } from "../../core/random.js";
import { TICKS_PER_DAY, TICKS_PER_SECOND, type Value } from "../kql/values.js";
import { type Family, LAUNCHES } from "./catalog.js";
import { activeWindow, type BuildContext, joinPath } from "./context.js";
import { eventsPerDevice } from "./device-events.js";
import { type Account, binaryOf, initiatingFields, systemAccount, userAccount } from "./fields.js";
import type { SourceMachine } from "./source.js";

/**
 * Shared plumbing of the registry, file, image-load and miscellaneous device
 * event tables: seeded per-device, per-day event streams (as the process,
 * network and logon tables draw theirs, device-events.ts), who runs a
 * process, and the initiating-process columns of an event.
 */

/** Processes that run as the system account rather than as a signed-in user. */
const SYSTEM_PROCESSES = new Set([
  "System",
  "services.exe",
  "svchost.exe",
  "lsass.exe",
  "MsMpEng.exe",
  "SenseIR.exe",
  "gpupdate.exe",
  "mdatp",
  "apt-get",
  "softwareupdated",
  "mdworker_shared",
  "systemd",
  "cron",
  "sh",
]);

/** Who runs `processName` on the device: the system, or one of its users. */
export function accountFor(ctx: BuildContext, machine: SourceMachine, random: Random, processName: string): Account {
  if (SYSTEM_PROCESSES.has(processName)) return systemAccount(machine.family);
  const users = ctx.usersByMachine.get(machine.id) ?? [];
  return users.length > 0 ? userAccount(random.pick(users)) : systemAccount(machine.family);
}

/** Fills a catalog template: `{user}`, `{sid}`, `{hex}`, `{HEX}`, `{n}`, `{guid}`. */
export function fillTemplate(template: string, random: Random, account: Account): string {
  return template
    .replace(/\{user\}/g, account.name)
    .replace(/\{sid\}/g, account.sid || "S-1-5-18")
    .replace(/\{hex\}/g, () => random.hex(8))
    .replace(/\{HEX\}/g, () => random.hex(8).toUpperCase())
    .replace(/\{n\}/g, () => String(random.int(1, 9999)))
    .replace(/\{guid\}/g, () => `{${random.guid().toUpperCase()}}`);
}

/** The Initiating-process columns for `processName` running as `account` at `at`. */
export function initiatingProcess(machine: SourceMachine, random: Random, processName: string, at: bigint, account: Account): Record<string, Value> {
  const binary = binaryOf(processName);
  const created = at - BigInt(random.int(1, 2 * 86_400)) * TICKS_PER_SECOND;
  const launch = LAUNCHES[machine.family as Family].find(([, child]) => child === processName);
  const commandLine = launch ? fillTemplate(launch[2], random, account) : processName === "System" ? "" : binary.folder ? joinPath(binary.folder, binary.name) : binary.name;
  return initiatingFields(binary, machine.family, {
    pid: processName === "System" ? 4 : random.int(400, 40_000),
    commandLine,
    created,
    account,
    parentPid: random.int(4, 1_200),
    parentCreated: created - BigInt(random.int(1, 3_600)) * TICKS_PER_SECOND,
    logonId: account.system ? 999 : random.int(100_000, 9_999_999),
  });
}

/** Makes one event of a device at `at`, or undefined when the device has nothing of that kind. */
export type EventMaker = (machine: SourceMachine, random: Random, at: bigint, reportId: number) => Record<string, Value> | undefined;

/**
 * Background events of one table: about `share` × the per-device budget of the
 * other event tables per device over the retention window, in the part of it
 * in which the device reported, for the device families given. Each device's
 * day draws from its own seeded stream (`label/device/day`), so a day's events
 * do not change as the clock moves on.
 */
export function dailyEvents(ctx: BuildContext, label: string, share: number, families: readonly Family[], make: EventMaker): Array<Record<string, Value>> {
  const out: Array<Record<string, Value>> = [];
  const perDay = (eventsPerDevice(ctx) * share) / 30;
  for (const m of ctx.source.machines) {
    if (!families.includes(m.family)) continue;
    const window = activeWindow(ctx, m);
    if (!window) continue;
    for (let day = window.from / TICKS_PER_DAY; day <= window.to / TICKS_PER_DAY; day++) {
      const random = ctx.random.fork(`${label}/${m.id}/${day}`);
      const expected = perDay * (0.5 + random.next());
      const count = Math.floor(expected) + (random.next() < expected % 1 ? 1 : 0);
      let reportId = random.int(1_000, 900_000);
      for (let i = 0; i < count; i++) {
        const at = day * TICKS_PER_DAY + BigInt(random.int(0, 86_399)) * TICKS_PER_SECOND + BigInt(random.int(0, 9_999_999));
        const event = make(m, random, at, reportId++);
        if (event && at >= window.from && at <= window.to) out.push(event);
      }
    }
  }
  return out;
}
