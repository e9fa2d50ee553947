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

/** The alert row's own columns, from which the payload's copies of them are restored. */
export interface AlertColumns {
  readonly id: string;
  readonly severity: string | null;
  readonly status: string | null;
  readonly classification: string | null;
  readonly assigned_to: string | null;
  readonly machine_id: string | null;
}

/** Payload fields that the row also holds as a column: left out of the array when the column has them exactly. */
const IN_COLUMNS: ReadonlyArray<readonly [number, keyof AlertColumns]> = (
  [
    ["id", "id"],
    ["severity", "severity"],
    ["status", "status"],
    ["classification", "classification"],
    ["assignedTo", "assigned_to"],
    ["machineId", "machine_id"],
  ] as const
).map(([field, column]) => [ALERT_FIELDS.indexOf(field), column] as const);
const COLUMN_OF = new Map<number, keyof AlertColumns>(IN_COLUMNS);
/** The fields (by index) whose value, when a string or null, is left out of the array for the row's column. */
export const COLUMN_FIELDS: readonly number[] = Object.freeze(IN_COLUMNS.map(([i]) => i));

/**
 * The stored text of an alert object: `[mask, …values]` when the alert has exactly the documented
 * fields in order — bit i of `mask` set means field i's value is the row's column (a string or
 * null, stored there as is) and is left out — else the object's JSON.
 */
export function encodeAlertPayload(alert: object): string {
  const values: unknown[] = [0];
  let mask = 0;
  let i = 0;
  for (const key in alert) {
    if (i >= FIELD_COUNT || key !== ALERT_FIELDS[i]) return JSON.stringify(alert);
    const value = (alert as Record<string, unknown>)[key];
    if (value === undefined) return JSON.stringify(alert);
    if (COLUMN_OF.has(i) && (typeof value === "string" || value === null)) mask |= 1 << i;
    else values.push(value);
    i++;
  }
  if (i !== FIELD_COUNT) return JSON.stringify(alert);
  values[0] = mask;
  return JSON.stringify(values);
}

/** The alert object of a stored text (either form); `row` gives the values kept only in columns. */
export function decodeAlertPayload(text: string, row: AlertColumns): Record<string, unknown> {
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) return parsed as Record<string, unknown>;
  const mask = parsed[0] as number;
  const alert: Record<string, unknown> = {};
  let next = 1;
  for (let i = 0; i < FIELD_COUNT; i++) {
    alert[ALERT_FIELDS[i]!] = mask & (1 << i) ? row[COLUMN_OF.get(i)!] : parsed[next++];
  }
  return alert;
}
