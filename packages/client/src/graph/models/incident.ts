/**
 * Microsoft Graph `microsoft.graph.security.incident` (graph-security.md §5). `alerts` is present
 * only when asked for with `$expand=alerts`.
 */
import type { MdeDateTime, OpenEnum } from "../../mde/models/common.js";
import type {
  GraphAlert,
  GraphAlertClassification,
  GraphAlertComment,
  GraphAlertDetermination,
  GraphAlertSeverity,
} from "./alert.js";

/** `incidentStatus` (§5; `awaitingAction` only with `Prefer: include-unknown-enum-members`). */
export type GraphIncidentStatus = OpenEnum<"active" | "resolved" | "inProgress" | "redirected" | "unknownFutureValue" | "awaitingAction">;

/** A Defender XDR incident as Graph returns it (§5). */
export interface GraphIncident {
  readonly "@odata.context"?: string;
  readonly "@odata.type"?: string;
  /** Numeric text, e.g. `"29"`. */
  id: string;
  displayName?: string | null;
  description?: string | null;
  summary?: string | null;
  tenantId?: string | null;
  incidentWebUrl?: string | null;
  /** Set when merged into another incident (then `status` is `redirected`). */
  redirectIncidentId?: string | null;
  createdDateTime?: MdeDateTime | null;
  lastUpdateDateTime?: MdeDateTime | null;
  lastModifiedBy?: string | null;
  assignedTo?: string | null;
  classification?: GraphAlertClassification | null;
  determination?: GraphAlertDetermination | null;
  severity?: GraphAlertSeverity | null;
  status?: GraphIncidentStatus | null;
  customTags?: string[];
  systemTags?: string[];
  comments?: GraphAlertComment[];
  resolvingComment?: string | null;
  /** 0–100 (>85 top, 15–85 medium, <15 low); `null` when not enabled or not computed yet. */
  priorityScore?: number | null;
  /** Only with `$expand=alerts`. */
  alerts?: GraphAlert[];
}

/** Body of `PATCH /security/incidents/{id}` (§5, 2026 list). */
export interface GraphIncidentUpdate {
  assignedTo?: string | null;
  classification?: GraphAlertClassification;
  customTags?: string[];
  description?: string;
  determination?: GraphAlertDetermination;
  displayName?: string;
  severity?: GraphAlertSeverity;
  resolvingComment?: string;
  status?: GraphIncidentStatus;
  summary?: string;
}
