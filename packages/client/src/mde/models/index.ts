export type * from "./alert.js";
export type * from "./common.js";
export type * from "./device-av-info.js";
export type * from "./export.js";
export type * from "./file.js";
export type * from "./hunting.js";
export type * from "./indicator.js";
export type * from "./investigation.js";
export type * from "./library-file.js";
export type * from "./machine.js";
export type * from "./machine-action.js";
export {
  ALERT_CLASSIFICATIONS,
  ALERT_DETERMINATIONS,
  ALERT_SEVERITIES,
  ALERT_STATUSES,
  ALERT_UPDATE_CLASSIFICATIONS,
  ALERT_UPDATE_DETERMINATIONS,
  ALERT_UPDATE_STATUSES,
} from "./alert.js";
export { FINAL_MACHINE_ACTION_STATUSES } from "./machine-action.js";
export type * from "./recommendation.js";
export type * from "./remediation-task.js";
export type * from "./score.js";
export type * from "./software.js";
export type * from "./stats.js";
export type * from "./user.js";
export type * from "./vulnerability.js";
