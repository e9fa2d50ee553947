import type { SourcePos } from "./errors.js";
import type { Column, KqlType, Value } from "./values.js";

/** A bound scalar expression: its static type and how to compute it for one row. */
export interface Compiled {
  type: KqlType;
  eval(row: readonly Value[]): Value;
  /** True when the value does not depend on the row (literals, now(), ago(7d), …). */
  constant?: boolean;
}

/** What binding needs: the input columns, the query's `now`, and the operator for messages. */
export interface BindContext {
  columns: readonly Column[];
  /** `now()` for the whole query, in ticks (Kusto evaluates it once per query). */
  now: bigint;
  /** The tabular operator being bound (`where`, `project`, …), for error messages. */
  operator: string;
}

/** A scalar function: checks argument types at bind time and returns the bound call. */
export type ScalarFunction = (args: Compiled[], ctx: BindContext, pos: SourcePos) => Compiled;
