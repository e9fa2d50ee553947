import type { OpenEnum } from "./common.js";

/** Column types used by the legacy hunting schema (Power BI mapping; mde-api.md §5.4). */
export type HuntingColumnType = OpenEnum<
  | "Double"
  | "Int64"
  | "Int32"
  | "Int16"
  | "UInt64"
  | "UInt32"
  | "UInt16"
  | "Byte"
  | "Single"
  | "Decimal"
  | "TimeSpan"
  | "DateTime"
  | "String"
  | "Boolean"
  | "SByte"
  | "Guid"
>;

/** A column of the legacy hunting schema, PascalCase as on the wire. */
export interface HuntingColumn {
  Name: string;
  Type: HuntingColumnType;
}

/** A hunting row when the caller gives no row type. */
export type HuntingRow = Record<string, unknown>;

/**
 * Result of `POST /api/advancedqueries/run`. The wire names (`Schema`, `Results`) are kept
 * as sent; `schema` and `results` are non-enumerable aliases for the same arrays.
 */
export interface HuntingResult<Row = HuntingRow> {
  readonly Schema: HuntingColumn[];
  readonly Results: Row[];
  /** Alias of `Schema`. */
  readonly schema: HuntingColumn[];
  /** Alias of `Results`. */
  readonly results: Row[];
}
