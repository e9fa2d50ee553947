import type { OpenEnum } from "../../mde/models/common.js";
import type { HuntingColumnType } from "../../mde/models/hunting.js";

/**
 * Column types of Graph hunting results. Graph's examples show `DateTime` and `String`; the full
 * list is DOC-SILENT and INFERRED to be the legacy list (graph-security.md §3.2).
 */
export type GraphHuntingColumnType = OpenEnum<HuntingColumnType>;

/**
 * One `singlePropertySchema` of `runHuntingQuery` (graph-security.md §3.2). Current pages send
 * `{name, type}`; older revisions print `{Name, Type}`. The client keeps whichever the service sent
 * and adds the other spelling as a non-enumerable alias, so both read the same and the result still
 * serialises exactly as received.
 */
export interface GraphHuntingColumn {
  readonly name: string;
  readonly type: GraphHuntingColumnType;
}

/** A hunting row when the caller gives no row type (an open object keyed by the projected columns). */
export type GraphHuntingRow = Record<string, unknown>;

/**
 * `huntingQueryResults` of `POST /security/runHuntingQuery` (graph-security.md §3.2): lowercase
 * `schema`/`results`, no paging, no `Stats` (the legacy `Schema`/`Results`/`Stats` are gone).
 * Row keys do not always match `schema[].name` in casing (DOC-CONFLICT between the v1.0 examples):
 * read values with `huntingValue(row, column)`, which looks keys up case-insensitively.
 */
export interface GraphHuntingResult<Row = GraphHuntingRow> {
  readonly "@odata.context"?: string;
  readonly schema: GraphHuntingColumn[];
  readonly results: Row[];
}
