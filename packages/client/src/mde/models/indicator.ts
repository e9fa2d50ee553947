import type { MdeDateTime, ODataEntity, OpenEnum } from "./common.js";

/** Indicator type (mde-api.md §5.5). */
export type IndicatorType = OpenEnum<"FileSha1" | "FileSha256" | "FileMd5" | "CertificateThumbprint" | "IpAddress" | "DomainName" | "Url">;
/** Indicator action; `Alert`/`AlertAndBlock` were retired in 2022 but still appear in examples (mde-api.md §5.5). */
export type IndicatorAction = OpenEnum<"Warn" | "Block" | "Audit" | "Alert" | "AlertAndBlock" | "BlockAndRemediate" | "Allowed">;
/** Indicator severity. */
export type IndicatorSeverity = OpenEnum<"Informational" | "Low" | "Medium" | "High">;

/** A custom threat-intelligence indicator (mde-api.md §6.4). */
export interface Indicator extends ODataEntity {
  id: string;
  indicatorValue: string;
  indicatorType: IndicatorType;
  action: IndicatorAction;
  application?: string | null;
  externalID?: string | null;
  sourceType?: OpenEnum<"User" | "AadApp"> | null;
  /** Table name; the examples send `source` instead (DOC-CONFLICT, §8.14). */
  createdBySource?: string | null;
  source?: string | null;
  createdBy?: string | null;
  createdByDisplayName?: string | null;
  lastUpdatedBy?: string | null;
  creationTimeDateTimeUtc?: MdeDateTime | null;
  expirationTime?: MdeDateTime | null;
  lastUpdateTime?: MdeDateTime | null;
  severity?: IndicatorSeverity | null;
  title?: string | null;
  description?: string | null;
  recommendedActions?: string | null;
  rbacGroupNames?: string[] | null;
  rbacGroupIds?: string[] | null;
  generateAlert?: boolean | null;
}

/** Body of `POST /api/indicators` (and each item of an import) — camelCase (mde-api.md §5.5). */
export interface IndicatorSubmission {
  indicatorValue: string;
  indicatorType: IndicatorType;
  action: IndicatorAction;
  title: string;
  description: string;
  application?: string;
  expirationTime?: MdeDateTime;
  severity?: IndicatorSeverity;
  recommendedActions?: string;
  /** Examples send an array although post-ti-indicator.md calls it a comma-separated string (DOC-CONFLICT). */
  rbacGroupNames?: string[];
  /** For Block/Warn URL indicators. */
  educateUrl?: string;
  /** Must be true when `action` is `Audit`. */
  generateAlert?: boolean;
}

/** Per-item result of an import (mde-api.md §5.5). */
export interface IndicatorImportResult {
  id: string | null;
  indicator: string;
  isFailed: boolean;
  failureReason: string | null;
}
