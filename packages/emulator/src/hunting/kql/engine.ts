import { type EvalEnvironment, evaluate } from "./evaluator.js";
import { parseQuery } from "./parser.js";
import { apiTypeName, type JsonValue, type Table, toJson } from "./values.js";

export type { EvalEnvironment } from "./evaluator.js";
export { KqlError } from "./errors.js";
export type { Column, KqlType, Table, Value } from "./values.js";

/**
 * Parses and runs one query of the supported KQL subset. Throws `KqlError`
 * (syntax, semantic, unsupported, limit) with a message that names the
 * problem and, where it has one, its line and column.
 *
 * @example
 * const result = runKql("DeviceInfo | summarize count() by OSPlatform", env);
 */
export function runKql(text: string, env: EvalEnvironment): Table {
  return evaluate(parseQuery(text), env);
}

/** A result as `{name, type}` columns (API type names such as `DateTime`, `Int64`) and JSON-ready rows keyed by column name. */
export interface JsonResult {
  schema: Array<{ name: string; type: string }>;
  rows: Array<Record<string, JsonValue>>;
}

/** Converts a result table to JSON values: datetimes as `2020-02-05T01:10:26.2648757Z`, timespans as `1.02:03:04`. */
export function toJsonResult(table: Table): JsonResult {
  const { columns } = table;
  return {
    schema: columns.map((c) => ({ name: c.name, type: apiTypeName(c.type) })),
    rows: table.rows.map((row) => {
      const out: Record<string, JsonValue> = {};
      columns.forEach((c, i) => {
        out[c.name] = toJson(row[i] ?? null, c.type);
      });
      return out;
    }),
  };
}
