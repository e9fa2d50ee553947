/**
 * Filterable properties of the Graph security lists (graph-security.md §4.2, §5), with their value
 * types. `Date` marks a datetime property (rendered unquoted, ISO-8601). Other properties are not
 * documented as filterable (e.g. `investigationState` answers 400, §4.2) and cannot be named here.
 */
import type {
  GraphAlertClassification,
  GraphAlertDetermination,
  GraphAlertSeverity,
  GraphAlertStatus,
  GraphServiceSource,
} from "./models/alert.js";
import type { GraphIncidentStatus } from "./models/incident.js";
import { filterFor } from "../odata/filter.js";

/** `GET /security/alerts_v2`: assignedTo, classification, determination, createdDateTime, lastUpdateDateTime, severity, serviceSource, status. */
export type GraphAlertFilterFields = {
  assignedTo: string;
  classification: GraphAlertClassification;
  determination: GraphAlertDetermination;
  createdDateTime: Date;
  lastUpdateDateTime: Date;
  severity: GraphAlertSeverity;
  serviceSource: GraphServiceSource;
  status: GraphAlertStatus;
};

/** `GET /security/incidents`: assignedTo, classification, createdDateTime, determination, lastUpdateDateTime, severity, status. */
export type GraphIncidentFilterFields = {
  assignedTo: string;
  classification: GraphAlertClassification;
  createdDateTime: Date;
  determination: GraphAlertDetermination;
  lastUpdateDateTime: Date;
  severity: GraphAlertSeverity;
  status: GraphIncidentStatus;
};

/**
 * Filter builder for alerts_v2.
 * @example graphAlertFilter.and(graphAlertFilter.eq("serviceSource", "microsoftDefenderForEndpoint"), graphAlertFilter.eq("status", "new"))
 */
export const graphAlertFilter = filterFor<GraphAlertFilterFields>();
/** Filter builder for incidents. */
export const graphIncidentFilter = filterFor<GraphIncidentFilterFields>();
