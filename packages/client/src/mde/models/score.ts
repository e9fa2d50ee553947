import type { MdeDateTime, ODataEntity } from "./common.js";

/** Exposure score or device secure (configuration) score (mde-api.md §5.14). */
export interface Score extends ODataEntity {
  /** Time of the call. */
  time: MdeDateTime;
  score: number;
}

/** Exposure score of one device group. */
export interface MachineGroupExposureScore {
  time: MdeDateTime;
  score: number;
  rbacGroupName: string | null;
  rbacGroupId?: string | number | null;
}
