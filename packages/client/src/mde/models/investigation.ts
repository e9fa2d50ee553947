import type { InvestigationState } from "./alert.js";
import type { MdeDateTime, ODataEntity } from "./common.js";

/** An automated investigation (mde-api.md §6.5). */
export interface Investigation extends ODataEntity {
  /** Numeric string, e.g. `"63004"`. */
  id: string;
  startTime: MdeDateTime | null;
  endTime: MdeDateTime | null;
  state: InvestigationState;
  cancelledBy: string | null;
  statusDetails: string | null;
  machineId: string | null;
  computerDnsName: string | null;
  triggeringAlertId: string | null;
}
