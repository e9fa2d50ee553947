export { createEmulator, DEFAULT_GRAPH_ROLES } from "./emulator.js";
export type { Emulator, EmulatorInfo, TenantInfo } from "./emulator.js";
export type { EmulatorOptions, LiveModeOptions, TenantSpec } from "./core/options.js";
export { createManualClock, systemClock } from "./core/clock.js";
export type { Clock, ManualClock } from "./core/clock.js";
export type { FaultRule, FaultRuleInput } from "./core/faults.js";
export type { JournalEntry, JournalQuery } from "./core/journal.js";
export { MDE_APP_ID, MDE_RESOURCE, MDE_RESOURCE_IDS, MDE_ROLES } from "./core/constants.js";
