import type { ODataEntity, OpenEnum } from "./common.js";

/** A TVM security recommendation (mde-api.md §6.10). */
export interface Recommendation extends ODataEntity {
  /** `va-_-{vendor}-_-{product}` or `sca-_-scid-NNNN`. */
  id: string;
  productName: string | null;
  recommendationName: string | null;
  weaknesses: number | null;
  vendor: string | null;
  recommendedVersion: string | null;
  recommendedProgram?: string | null;
  recommendedVendor?: string | null;
  recommendationCategory: OpenEnum<"Accounts" | "Application" | "Network" | "OS" | "SecurityControls"> | null;
  subCategory: string | null;
  severityScore: number | null;
  publicExploit: boolean;
  activeAlert: boolean;
  associatedThreats: string[];
  remediationType: OpenEnum<"ConfigurationChange" | "Update" | "Upgrade" | "Uninstall"> | null;
  status: OpenEnum<"Active" | "Exception"> | null;
  configScoreImpact: number | null;
  exposureImpact: number | null;
  totalMachineCount: number | null;
  exposedMachinesCount: number | null;
  nonProductivityImpactedAssets: number | null;
  relatedComponent: string | null;
  exposedCriticalDevices?: number | null;
  hasUnpatchableCve?: boolean | null;
  tags?: string[];
}
