import type { Expr, NamedExpr, Query, SortKey, TabularOp } from "./ast.js";
import { bindAggregate } from "./aggregates.js";
import type { BindContext, Compiled } from "./compiled.js";
import { KqlError, semanticError } from "./errors.js";
import { bindScalar } from "./scalar.js";
import { type Column, compareValues, keyOf, type Table, type Value } from "./values.js";

/** Where the evaluator gets its tables and its clock. */
export interface EvalEnvironment {
  /** The table of that exact (case-sensitive) name, or undefined when there is none. */
  resolveTable(name: string): Table | undefined;
  /** Names of all tables, for "did you mean" hints. */
  tableNames(): readonly string[];
  /** `now()` in ticks since the Unix epoch. */
  now: bigint;
  /** Largest result the query may return (advanced hunting: 100,000 rows, mde-api.md §5.4). */
  maxRows: number;
}

const bindContext = (columns: readonly Column[], env: EvalEnvironment, operator: string): BindContext => ({ columns, now: env.now, operator });

/** Runs a parsed query and returns its result table. */
export function evaluate(query: Query, env: EvalEnvironment): Table {
  let table = env.resolveTable(query.table.name);
  if (!table) {
    const hint = env.tableNames().find((n) => n.toLowerCase() === query.table.name.toLowerCase());
    throw semanticError(
      `Failed to resolve table or column expression named '${query.table.name}'${hint ? ` (table names are case-sensitive; did you mean '${hint}'?)` : ""}`,
      query.table.pos,
    );
  }
  for (const op of query.ops) table = applyOperator(table, op, env);
  if (table.rows.length > env.maxRows) {
    // mde-api.md §5.4 / §3.3: results are capped; the documented refusal text for oversized results.
    throw new KqlError(
      "limit",
      `Query execution has exceeded the allowed result size. Optimize your query by limiting the number of results and try again (the result has ${table.rows.length} rows; at most ${env.maxRows} are allowed).`,
    );
  }
  return table;
}

function applyOperator(input: Table, op: TabularOp, env: EvalEnvironment): Table {
  switch (op.kind) {
    case "where": {
      const predicate = bindScalar(op.predicate, bindContext(input.columns, env, "where"));
      if (predicate.type !== "bool" && predicate.type !== "dynamic") {
        throw semanticError(`'where' operator: the filter must be a boolean expression, but this one is of type ${predicate.type}`, op.predicate.pos);
      }
      return { columns: input.columns, rows: input.rows.filter((row) => predicate.eval(row) === true) };
    }
    case "project":
      return project(input, op.items, env, "project");
    case "extend":
      return extend(input, op.items, env);
    case "project-away": {
      const drop = new Set<number>();
      for (const { name, pos } of op.names) {
        const pattern = globToRegExp(name);
        const matched = input.columns.map((c, i) => (pattern.test(c.name) ? i : -1)).filter((i) => i >= 0);
        if (matched.length === 0 && !name.includes("*")) throw semanticError(`'project-away' operator: Failed to resolve column named '${name}'`, pos);
        for (const i of matched) drop.add(i);
      }
      const keep = input.columns.map((_, i) => i).filter((i) => !drop.has(i));
      return { columns: keep.map((i) => input.columns[i] as Column), rows: input.rows.map((r) => keep.map((i) => r[i] ?? null)) };
    }
    case "project-rename": {
      const columns = input.columns.map((c) => ({ ...c }));
      for (const { name, from, pos } of op.items) {
        const column = columns.find((c) => c.name === from);
        if (!column) throw semanticError(`'project-rename' operator: Failed to resolve column named '${from}'`, pos);
        column.name = name;
      }
      return { columns, rows: input.rows };
    }
    case "take":
      return { columns: input.columns, rows: input.rows.slice(0, countOf(op.count, env, "take")) };
    case "top": {
      const n = countOf(op.count, env, "top");
      return { columns: input.columns, rows: sortRows(input, [op.key], env, "top").slice(0, n) };
    }
    case "sort":
      return { columns: input.columns, rows: sortRows(input, op.keys, env, "sort") };
    case "summarize":
      return summarize(input, op.aggregates, op.by, env);
    case "distinct": {
      const projected = op.items.length === 1 && op.items[0]?.kind === "star" ? input : project(input, op.items.map((expr) => ({ expr, pos: expr.pos })), env, "distinct");
      const seen = new Set<string>();
      const rows = projected.rows.filter((row) => {
        const key = keyOf(row);
        if (seen.has(key)) return false;
        seen.add(key);
        return true;
      });
      return { columns: projected.columns, rows };
    }
    case "count":
      return { columns: [{ name: "Count", type: "long" }], rows: [[input.rows.length]] };
  }
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*");
  return new RegExp(`^${escaped}$`);
}

function countOf(expr: Expr, env: EvalEnvironment, operator: string): number {
  const compiled = bindScalar(expr, bindContext([], env, operator));
  const n = compiled.eval([]);
  if (!compiled.constant || typeof n !== "number" || !Number.isInteger(n) || n < 0) {
    throw semanticError(`'${operator}' operator: the number of rows must be a non-negative whole number`, expr.pos);
  }
  return n;
}

/** Names an unnamed expression the way Kusto does: a column keeps its name, anything else becomes Column1, Column2, … */
function outputName(item: NamedExpr, taken: Set<string>, counter: { n: number }): string {
  if (item.name) return item.name;
  const e = item.expr;
  if (e.kind === "column") return e.name;
  // bin(Timestamp, 1h) and friends keep the name of the column they transform.
  if (e.kind === "call" && e.args[0]?.kind === "column" && (e.name === "bin" || e.name === "floor")) {
    return e.args[0].name;
  }
  let name: string;
  do name = `Column${++counter.n}`;
  while (taken.has(name));
  return name;
}

const uniqueName = (name: string, taken: Set<string>) => {
  if (!taken.has(name)) return name;
  let i = 1;
  while (taken.has(`${name}${i}`)) i++;
  return `${name}${i}`;
};

function project(input: Table, items: NamedExpr[], env: EvalEnvironment, operator: string): Table {
  const ctx = bindContext(input.columns, env, operator);
  const taken = new Set<string>();
  const counter = { n: 0 };
  const columns: Column[] = [];
  const bound: Compiled[] = [];
  for (const item of items) {
    const compiled = bindScalar(item.expr, ctx);
    const name = uniqueName(outputName(item, taken, counter), taken);
    taken.add(name);
    columns.push({ name, type: compiled.type });
    bound.push(compiled);
  }
  return { columns, rows: input.rows.map((row) => bound.map((b) => b.eval(row))) };
}

function extend(input: Table, items: NamedExpr[], env: EvalEnvironment): Table {
  let columns = [...input.columns];
  let rows = input.rows;
  const counter = { n: 0 };
  for (const item of items) {
    const compiled = bindScalar(item.expr, bindContext(columns, env, "extend"));
    const name = outputName(item, new Set(columns.map((c) => c.name)), counter);
    const existing = columns.findIndex((c) => c.name === name);
    if (existing >= 0) {
      columns = columns.map((c, i) => (i === existing ? { name, type: compiled.type } : c));
      rows = rows.map((row) => {
        const copy = [...row];
        copy[existing] = compiled.eval(row);
        return copy;
      });
    } else {
      columns = [...columns, { name, type: compiled.type }];
      rows = rows.map((row) => [...row, compiled.eval(row)]);
    }
  }
  return { columns, rows };
}

function sortRows(input: Table, keys: SortKey[], env: EvalEnvironment, operator: string): Value[][] {
  const ctx = bindContext(input.columns, env, operator);
  const bound = keys.map((k) => ({
    compiled: bindScalar(k.expr, ctx),
    sign: k.direction === "asc" ? 1 : -1,
    // Kusto: nulls first when ascending, last when descending, unless told otherwise.
    nullsFirst: k.nulls ? k.nulls === "first" : k.direction === "asc",
  }));
  const decorated = input.rows.map((row) => ({ row, keys: bound.map((b) => b.compiled.eval(row)) }));
  decorated.sort((a, b) => {
    for (let i = 0; i < bound.length; i++) {
      const k = bound[i] as (typeof bound)[number];
      const x = a.keys[i] ?? null;
      const y = b.keys[i] ?? null;
      if (x === null || y === null) {
        if (x === y) continue;
        return (x === null) === k.nullsFirst ? -1 : 1;
      }
      const c = compareValues(x, y);
      if (c !== 0) return c * k.sign;
    }
    return 0;
  });
  return decorated.map((d) => d.row);
}

function summarize(input: Table, aggregates: NamedExpr[], by: NamedExpr[], env: EvalEnvironment): Table {
  const ctx = bindContext(input.columns, env, "summarize");
  const taken = new Set<string>();
  const counter = { n: 0 };
  const keys = by.map((item) => {
    const compiled = bindScalar(item.expr, ctx);
    const name = uniqueName(outputName(item, taken, counter), taken);
    taken.add(name);
    return { name, compiled };
  });
  const byNames = new Set(keys.map((k) => k.name));
  const aggs = aggregates.map((item) => bindAggregate(item, ctx, byNames));
  const aggColumns: Column[] = [];
  for (const agg of aggs) {
    for (const c of agg.columns) {
      const name = uniqueName(c.name, taken);
      taken.add(name);
      aggColumns.push({ name, type: c.type });
    }
  }
  const groups = new Map<string, { key: Value[]; accumulators: ReturnType<(typeof aggs)[number]["create"]>[] }>();
  for (const row of input.rows) {
    const keyValues = keys.map((k) => k.compiled.eval(row));
    const id = keyOf(keyValues);
    let group = groups.get(id);
    if (!group) {
      group = { key: keyValues, accumulators: aggs.map((a) => a.create()) };
      groups.set(id, group);
    }
    for (const acc of group.accumulators) acc.add(row);
  }
  // Without `by`, summarize always yields one row, even over no input (count() = 0).
  if (keys.length === 0 && groups.size === 0) groups.set("", { key: [], accumulators: aggs.map((a) => a.create()) });
  const columns: Column[] = [...keys.map((k) => ({ name: k.name, type: k.compiled.type })), ...aggColumns];
  const rows = [...groups.values()].map((g) => [...g.key, ...g.accumulators.flatMap((a) => a.results())]);
  return { columns, rows };
}
