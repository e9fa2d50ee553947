import type { Value } from "../kql/values.js";
import type { BuildContext } from "./context.js";
import { buildCertificateInfo, buildNetworkInfo } from "./device-inventory.js";
import type { DeviceTableName } from "./device-schemas.js";
import { buildFileEvents, buildImageLoadEvents } from "./file-events.js";
import { buildMiscEvents } from "./misc-events.js";
import { buildRegistryEvents } from "./registry-events.js";

/** The builders of the device tables of device-schemas.ts, each run on first use of its table. */
export function deviceTableBuilders(ctx: BuildContext): Record<DeviceTableName, () => Array<Record<string, Value>>> {
  return {
    DeviceRegistryEvents: () => buildRegistryEvents(ctx),
    DeviceFileEvents: () => buildFileEvents(ctx),
    DeviceImageLoadEvents: () => buildImageLoadEvents(ctx),
    DeviceEvents: () => buildMiscEvents(ctx),
    DeviceNetworkInfo: () => buildNetworkInfo(ctx),
    DeviceFileCertificateInfo: () => buildCertificateInfo(ctx),
  };
}
