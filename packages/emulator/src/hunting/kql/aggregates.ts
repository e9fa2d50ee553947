import type { Expr, NamedExpr } from "./ast.js";
import type { BindContext, Compiled } from "./compiled.js";
import { semanticError, unsupportedError } from "./errors.js";
import { AGGREGATE_NAMES, bindScalar } from "./scalar.js";
import { type Column, compareValues, isNumericType, type JsonValue, keyOf, toJson, type Value } from "./values.js";

/** One group's running state for one aggregation. */
export interface Accumulator {
  add(row: readonly Value[]): void;
  /** One value per output column of the aggregation. */
  results(): Value[];
}

/** A bound aggregation: the columns it produces and a factory for per-group state. */
export interface BoundAggregate {
  columns: Column[];
  create(): Accumulator;
}

const IMPLEMENTED = "count, countif, dcount, dcountif, min, max, sum, sumif, avg, avgif, make_set, make_list, arg_max, arg_min, take_any";

const suffix = (e: Expr | undefined) => (e?.kind === "column" ? e.name : "");

/**
 * Binds one `summarize` aggregation (`count()`, `N = dcount(DeviceId)`,
 * `arg_max(Timestamp, *)`, …). Default column names follow Kusto: `count_`,
 * `dcount_X`, `min_X`, `set_X`, `list_X`, … `byColumns` are left out of the
 * `*` of arg_max/arg_min, as Kusto does.
 */
export function bindAggregate(item: NamedExpr, ctx: BindContext, byColumns: ReadonlySet<string>): BoundAggregate {
  const expr = item.expr;
  if (expr.kind !== "call") {
    throw semanticError(`'summarize' operator: expected an aggregation function such as count() or dcount(Column)`, item.pos);
  }
  const name = expr.name;
  if (!AGGREGATE_NAMES.has(name)) {
    throw semanticError(`'summarize' operator: '${name}' is not an aggregation function (supported: ${IMPLEMENTED})`, expr.pos);
  }
  const args = expr.args;
  const bind = (e: Expr | undefined): Compiled => {
    if (!e) throw semanticError(`Aggregation '${name}' is missing an argument`, expr.pos);
    return bindScalar(e, ctx);
  };
  const want = (min: number, max: number) => {
    if (args.length < min || args.length > max) throw semanticError(`Aggregation '${name}' expects ${min === max ? min : `${min} to ${max}`} argument(s) but got ${args.length}`, expr.pos);
  };
  const predicate = (e: Expr | undefined): Compiled => {
    const p = bind(e);
    if (p.type !== "bool") throw semanticError(`Aggregation '${name}': the condition must be a boolean expression, not ${p.type}`, expr.pos);
    return p;
  };
  const single = (defaultName: string, type: Column["type"], create: () => Accumulator): BoundAggregate => ({
    columns: [{ name: item.name ?? defaultName, type }],
    create,
  });

  switch (name) {
    case "count": {
      if (args.length > 1 || (args.length === 1 && args[0]?.kind !== "star")) throw semanticError("Aggregation 'count' takes no argument (use countif(predicate) to count matching rows)", expr.pos);
      return single("count_", "long", () => {
        let n = 0;
        return { add: () => void n++, results: () => [n] };
      });
    }
    case "countif": {
      want(1, 1);
      const p = predicate(args[0]);
      return single("countif_", "long", () => {
        let n = 0;
        return { add: (row) => void (p.eval(row) === true && n++), results: () => [n] };
      });
    }
    case "dcount":
    case "dcountif": {
      want(name === "dcount" ? 1 : 2, name === "dcount" ? 2 : 3);
      const v = bind(args[0]);
      const p = name === "dcountif" ? predicate(args[1]) : undefined;
      // Kusto estimates dcount with HyperLogLog; an exact count is within any accuracy it promises.
      return single(`${name}_${suffix(args[0])}`, "long", () => {
        const seen = new Set<string>();
        return {
          add: (row) => {
            if (p && p.eval(row) !== true) return;
            const value = v.eval(row);
            if (value !== null && value !== "") seen.add(keyOf([value]));
          },
          results: () => [seen.size],
        };
      });
    }
    case "min":
    case "max": {
      want(1, 1);
      const v = bind(args[0]);
      const sign = name === "min" ? -1 : 1;
      return single(`${name}_${suffix(args[0])}`, v.type, () => {
        let best: Value = null;
        return {
          add: (row) => {
            const value = v.eval(row);
            if (value === null || value === "") return;
            if (best === null || compareValues(value, best) * sign > 0) best = value;
          },
          results: () => [best === null && v.type === "string" ? "" : best],
        };
      });
    }
    case "sum":
    case "sumif":
    case "avg":
    case "avgif": {
      const conditional = name.endsWith("if");
      want(conditional ? 2 : 1, conditional ? 2 : 1);
      const v = bind(args[0]);
      if (!isNumericType(v.type)) throw semanticError(`Aggregation '${name}' needs a numeric argument, not ${v.type}`, expr.pos);
      const p = conditional ? predicate(args[1]) : undefined;
      const isAvg = name.startsWith("avg");
      return single(`${name}_${suffix(args[0])}`, isAvg || v.type === "real" ? "real" : "long", () => {
        let total = 0;
        let n = 0;
        return {
          add: (row) => {
            if (p && p.eval(row) !== true) return;
            const value = v.eval(row) as number | null;
            if (value === null) return;
            total += value;
            n++;
          },
          results: () => [isAvg ? (n === 0 ? null : total / n) : n === 0 ? null : total],
        };
      });
    }
    case "make_set":
    case "make_list": {
      want(1, 2);
      const v = bind(args[0]);
      const maxSize = args[1] ? Number(bind(args[1]).eval([])) : 1_048_576;
      const isSet = name === "make_set";
      return single(`${isSet ? "set" : "list"}_${suffix(args[0])}`, "dynamic", () => {
        const items: JsonValue[] = [];
        const seen = new Set<string>();
        return {
          add: (row) => {
            const value = v.eval(row);
            if (value === null || items.length >= maxSize) return;
            if (isSet) {
              const key = keyOf([value]);
              if (seen.has(key)) return;
              seen.add(key);
            }
            items.push(toJson(value, v.type));
          },
          results: () => [items],
        };
      });
    }
    case "take_any":
    case "any": {
      want(1, 1);
      const v = bind(args[0]);
      return single(`any_${suffix(args[0])}`, v.type, () => {
        let value: Value = null;
        let set = false;
        return {
          add: (row) => {
            if (set) return;
            value = v.eval(row);
            set = true;
          },
          results: () => [value],
        };
      });
    }
    case "arg_max":
    case "arg_min": {
      if (args.length < 2) throw semanticError(`Aggregation '${name}' expects the expression to maximise and at least one column (or *), for example ${name}(Timestamp, *)`, expr.pos);
      const key = bind(args[0]);
      const keyName = item.name ?? (args[0]?.kind === "column" ? args[0].name : `${name === "arg_max" ? "max" : "min"}_`);
      const outputs: Array<{ column: Column; value: Compiled }> = [];
      for (const a of args.slice(1)) {
        if (a.kind === "star") {
          ctx.columns.forEach((c, index) => {
            if (byColumns.has(c.name) || c.name === keyName || outputs.some((o) => o.column.name === c.name)) return;
            outputs.push({ column: { ...c }, value: { type: c.type, eval: (row) => row[index] ?? null } });
          });
        } else {
          const value = bind(a);
          const colName = a.kind === "column" ? a.name : `${keyName}_${outputs.length + 1}`;
          if (colName !== keyName) outputs.push({ column: { name: colName, type: value.type }, value });
        }
      }
      const sign = name === "arg_min" ? -1 : 1;
      return {
        columns: [{ name: keyName, type: key.type }, ...outputs.map((o) => o.column)],
        create: () => {
          let best: Value = null;
          let bestRow: readonly Value[] | undefined;
          return {
            add: (row) => {
              const value = key.eval(row);
              if (value === null) return;
              if (bestRow === undefined || compareValues(value, best) * sign > 0) {
                best = value;
                bestRow = row;
              }
            },
            results: () => [best, ...outputs.map((o) => (bestRow ? o.value.eval(bestRow) : o.column.type === "string" ? "" : null))],
          };
        },
      };
    }
    default:
      throw unsupportedError(`'summarize' aggregation '${name}' is not supported by this emulator (supported: ${IMPLEMENTED})`, expr.pos);
  }
}
