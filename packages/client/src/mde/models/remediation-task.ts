import type { MdeDateTime, ODataEntity, OpenEnum } from "./common.js";

/** A TVM remediation activity (mde-api.md §6.11). */
export interface RemediationTask extends ODataEntity {
  /** GUID. */
  id: string;
  title: string | null;
  createdOn: MdeDateTime | null;
  requesterId: string | null;
  requesterEmail: string | null;
  requesterNotes: string | null;
  status: OpenEnum<"Active" | "Completed"> | null;
  statusLastModifiedOn: MdeDateTime | null;
  description: string | null;
  relatedComponent: string | null;
  targetDevices: number | null;
  fixedDevices: number | null;
  rbacGroupNames: string[];
  dueOn: MdeDateTime | null;
  category: OpenEnum<"Software" | "Security configuration"> | null;
  productivityImpactRemediationType: OpenEnum<"AllExposedAssets" | "AssetsWithoutProductivityImpact"> | null;
  priority: OpenEnum<"High" | "Medium" | "Low"> | null;
  completionMethod: OpenEnum<"Automatic" | "Manual"> | null;
  completerId: string | null;
  completerEmail: string | null;
  scid: string | null;
  type: OpenEnum<"Update" | "Upgrade" | "Uninstall" | "ConfigurationChange"> | null;
  productId: string | null;
  vendorId: string | null;
  nameId: string | null;
  recommendedVersion: string | null;
  recommendedVendor: string | null;
  recommendedProgram: string | null;
}
