import type { ODataEntity } from "./common.js";

/** A TVM software product (mde-api.md §6.8). */
export interface Software extends ODataEntity {
  /** `{vendor}-_-{product}`. */
  id: string;
  name: string;
  vendor: string;
  weaknesses: number;
  publicExploit: boolean;
  activeAlert: boolean;
  exposedMachines: number;
  impactScore: number;
}

/** A version distribution row of a software product (mde-api.md §5.11). */
export interface SoftwareDistribution {
  version: string;
  installations: number;
  vulnerabilities: number;
}
