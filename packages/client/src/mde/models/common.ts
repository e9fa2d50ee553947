/**
 * Shared model building blocks.
 *
 * The MDE API returns values its docs do not list (mde-api.md §6 notes several enum
 * spellings in flux), so every enum is an open union: the documented literals give
 * completion, `(string & {})` still admits anything the wire carries.
 */

/** A documented string enum that still admits unknown values. */
export type OpenEnum<T extends string> = T | (string & {});

/** ISO-8601 timestamp as sent by the API (0–7 fractional digits, `Z`; mde-api.md §3.7). Kept as text: `Date` would drop the 100-ns ticks. */
export type MdeDateTime = string;

/** Properties OData adds to single-entity responses (`…/$metadata#Alerts/$entity`). */
export interface ODataEntity {
  readonly "@odata.context"?: string;
}

/** An OData collection response: `{ "@odata.context", value: [...], "@odata.nextLink"? }` (mde-api.md §3.5). */
export interface ODataCollection<T> {
  readonly "@odata.context"?: string;
  readonly "@odata.nextLink"?: string;
  readonly value: T[];
}

/** An `Edm.String` response (package URI, live-response result link). */
export interface ODataString extends ODataEntity {
  readonly value: string;
}
