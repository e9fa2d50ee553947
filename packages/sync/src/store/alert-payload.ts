/*
 * How an alert's payload is kept (schema v6). The API's alert object repeats the same ~30 field
 * names in every alert — about a third of its bytes (mde-api.md §6.1, the alert entity). When an
 * alert has exactly the documented fields in the documented order, its payload is stored as the
 * JSON array of its values; any other shape (a field added by the service, a Graph-normalised
 * alert, a row written before v6) is stored as the JSON object it is. Reading tells the two forms
 * apart by their first character and gives back the same object either way.
 */

/** The alert entity's fields in the order the API sends them. Append-only: stored arrays depend on it. */
export const ALERT_FIELDS: readonly string[] = Object.freeze([
  "id",
  "incidentId",
  "investigationId",
  "assignedTo",
  "severity",
  "status",
  "classification",
  "determination",
  "investigationState",
  "detectionSource",
  "detectorId",
  "category",
  "threatFamilyName",
  "title",
  "description",
  "alertCreationTime",
  "firstEventTime",
  "lastEventTime",
  "lastUpdateTime",
  "resolvedTime",
  "machineId",
  "computerDnsName",
  "rbacGroupName",
  "aadTenantId",
  "threatName",
  "mitreTechniques",
  "relatedUser",
  "comments",
  "evidence",
]);

const FIELD_COUNT = ALERT_FIELDS.length;

/** The stored text of an alert object. */
export function encodeAlertPayload(alert: object): string {
  const values: unknown[] = new Array(FIELD_COUNT);
  let i = 0;
  for (const key in alert) {
    if (i >= FIELD_COUNT || key !== ALERT_FIELDS[i]) return JSON.stringify(alert);
    values[i] = (alert as Record<string, unknown>)[key];
    i++;
  }
  if (i !== FIELD_COUNT || values.includes(undefined)) return JSON.stringify(alert);
  return JSON.stringify(values);
}

/** The alert object of a stored text (either form). */
export function decodeAlertPayload(text: string): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return parsed as Record<string, unknown>;
  const alert: Record<string, unknown> = {};
  for (let i = 0; i < FIELD_COUNT; i++) alert[ALERT_FIELDS[i]!] = parsed[i];
  return alert;
}
