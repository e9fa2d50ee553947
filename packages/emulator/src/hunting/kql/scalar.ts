import type { Expr } from "./ast.js";
import type { BindContext, Compiled } from "./compiled.js";
import { semanticError, type SourcePos, unsupportedError } from "./errors.js";
import { SCALAR_FUNCTIONS } from "./functions.js";
import { compareValues, isNumericType, type KqlType, keyOf, type Value, valueToString } from "./values.js";

/** Names of aggregation functions (only valid directly inside `summarize`). */
export const AGGREGATE_NAMES = new Set([
  "count", "countif", "dcount", "dcountif", "min", "max", "sum", "sumif", "avg", "avgif", "make_set", "make_list",
  "arg_max", "arg_min", "take_any", "any", "percentile", "percentiles", "stdev", "variance", "make_bag", "make_set_if",
  "make_list_if", "binary_all_or", "hll", "tdigest", "count_distinct",
]);

const isTermChar = (ch: string | undefined) => ch !== undefined && /[\p{L}\p{N}]/u.test(ch);

/**
 * `has`: does `needle` occur in `hay` as a whole term (a run of letters and
 * digits bounded by non-alphanumerics)? Kusto indexes terms this way
 * (KQL string operators page: "has" matches whole terms). `prefix`/`suffix`
 * relax one boundary for hasprefix/hassuffix.
 */
export function hasTerm(hay: string, needle: string, caseSensitive: boolean, mode: "term" | "prefix" | "suffix" = "term"): boolean {
  if (needle === "") return true;
  const h = caseSensitive ? hay : hay.toLowerCase();
  const n = caseSensitive ? needle : needle.toLowerCase();
  let idx = h.indexOf(n);
  while (idx >= 0) {
    const before = mode === "suffix" || idx === 0 || !isTermChar(h[idx - 1]) || !isTermChar(n[0]);
    const after = mode === "prefix" || idx + n.length === h.length || !isTermChar(h[idx + n.length]) || !isTermChar(n[n.length - 1]);
    if (before && after) return true;
    idx = h.indexOf(n, idx + 1);
  }
  return false;
}

type Family = "number" | "datetime" | "timespan" | "string" | "bool" | "dynamic";
const family = (t: KqlType): Family =>
  isNumericType(t) ? "number" : t === "guid" ? "string" : (t as Family);

const STRING_OPERATORS: Record<string, (hay: string, needle: string) => boolean> = {
  "=~": (h, n) => h.toLowerCase() === n.toLowerCase(),
  has: (h, n) => hasTerm(h, n, false),
  has_cs: (h, n) => hasTerm(h, n, true),
  hasprefix: (h, n) => hasTerm(h, n, false, "prefix"),
  hassuffix: (h, n) => hasTerm(h, n, false, "suffix"),
  contains: (h, n) => h.toLowerCase().includes(n.toLowerCase()),
  contains_cs: (h, n) => h.includes(n),
  startswith: (h, n) => h.toLowerCase().startsWith(n.toLowerCase()),
  startswith_cs: (h, n) => h.startsWith(n),
  endswith: (h, n) => h.toLowerCase().endsWith(n.toLowerCase()),
  endswith_cs: (h, n) => h.endsWith(n),
};

const bool3 = (v: Value): boolean | null => (v === null ? null : v === true);

/** Binds an expression to the input columns, checking names and types up front. */
export function bindScalar(expr: Expr, ctx: BindContext): Compiled {
  switch (expr.kind) {
    case "literal": {
      const value = expr.value;
      const type: KqlType = expr.type === "null" ? "dynamic" : expr.type;
      return { type, eval: () => value, constant: true };
    }
    case "column": {
      const index = ctx.columns.findIndex((c) => c.name === expr.name);
      if (index < 0) {
        const hint = ctx.columns.find((c) => c.name.toLowerCase() === expr.name.toLowerCase());
        throw semanticError(
          `'${ctx.operator}' operator: Failed to resolve scalar expression named '${expr.name}'${hint ? ` (column names are case-sensitive; did you mean '${hint.name}'?)` : ""}`,
          expr.pos,
        );
      }
      const column = ctx.columns[index] as { type: KqlType };
      return { type: column.type, eval: (row) => row[index] ?? null };
    }
    case "star":
      throw semanticError(`'${ctx.operator}' operator: '*' is only allowed as a function argument such as count(*) or arg_max(Timestamp, *)`, expr.pos);
    case "unary": {
      const operand = bindScalar(expr.operand, ctx);
      if (!isNumericType(operand.type) && operand.type !== "timespan") throw semanticError(`Unary '${expr.op}' needs a number or timespan, not ${operand.type}`, expr.pos);
      if (expr.op === "+") return operand;
      return withConstant({ type: operand.type, eval: (row) => negate(operand.eval(row)) }, [operand]);
    }
    case "call":
      return bindCall(expr, ctx);
    case "in":
      return bindIn(expr, ctx);
    case "between": {
      const [left, low, high] = [bindScalar(expr.left, ctx), bindScalar(expr.low, ctx), bindScalar(expr.high, ctx)];
      for (const side of [low, high]) requireComparable(left.type, side.type, "between", expr.pos);
      return withConstant(
        {
          type: "bool",
          eval: (row) => {
            const v = left.eval(row);
            const lo = low.eval(row);
            const hi = high.eval(row);
            if (v === null || lo === null || hi === null) return null;
            const inside = compareValues(v, lo) >= 0 && compareValues(v, hi) <= 0;
            return expr.negated ? !inside : inside;
          },
        },
        [left, low, high],
      );
    }
    case "binary":
      return bindBinary(expr as Extract<Expr, { kind: "binary" }>, ctx);
  }
}

function withConstant(compiled: Compiled, parts: Compiled[]): Compiled {
  if (parts.every((p) => p.constant)) {
    const value = compiled.eval([]);
    return { type: compiled.type, eval: () => value, constant: true };
  }
  return compiled;
}

function negate(v: Value): Value {
  if (v === null) return null;
  if (typeof v === "bigint") return -v;
  return -(v as number);
}

function requireComparable(a: KqlType, b: KqlType, op: string, pos: SourcePos) {
  const fa = family(a);
  const fb = family(b);
  if (fa === fb || fa === "dynamic" || fb === "dynamic") return;
  throw semanticError(`Cannot compare a value of type ${a} with a value of type ${b} using '${op}'`, pos);
}

function bindCall(expr: Extract<Expr, { kind: "call" }>, ctx: BindContext): Compiled {
  if (AGGREGATE_NAMES.has(expr.name)) {
    throw semanticError(`'${ctx.operator}' operator: '${expr.name}()' is an aggregation function and can only be used in summarize`, expr.pos);
  }
  const fn = SCALAR_FUNCTIONS[expr.name];
  if (!fn) throw unsupportedError(`The function '${expr.name}' is not supported by this emulator (or does not exist)`, expr.pos);
  const args = expr.args.map((a) => bindScalar(a, ctx));
  return withConstant(fn(args, ctx, expr.pos), args);
}

function bindIn(expr: Extract<Expr, { kind: "in" }>, ctx: BindContext): Compiled {
  const left = bindScalar(expr.left, ctx);
  const items = expr.items.map((i) => bindScalar(i, ctx));
  const negated = expr.op.startsWith("!");
  const base = negated ? expr.op.slice(1) : expr.op;
  if (base === "has_any" || base === "has_all") {
    const all = base === "has_all";
    return {
      type: "bool",
      eval: (row) => {
        const hay = valueToString(left.eval(row), left.type);
        const test = (c: Compiled) => hasTerm(hay, valueToString(c.eval(row), c.type), false);
        const result = all ? items.every(test) : items.some(test);
        return negated ? !result : result;
      },
    };
  }
  for (const item of items) requireComparable(left.type, item.type, expr.op, expr.pos);
  const insensitive = base === "in~";
  const norm = (v: Value): Value => (insensitive && typeof v === "string" ? v.toLowerCase() : v);
  if (items.every((i) => i.constant)) {
    const set = new Set(items.map((i) => keyOf([norm(i.eval([]))])));
    return {
      type: "bool",
      eval: (row) => {
        const v = left.eval(row);
        if (v === null) return negated ? true : false;
        const found = set.has(keyOf([norm(v)]));
        return negated ? !found : found;
      },
    };
  }
  return {
    type: "bool",
    eval: (row) => {
      const v = norm(left.eval(row));
      const found = v !== null && items.some((i) => compareValues(norm(i.eval(row)), v) === 0);
      return negated ? !found : found;
    },
  };
}

function bindBinary(expr: Extract<Expr, { kind: "binary" }>, ctx: BindContext): Compiled {
  const left = bindScalar(expr.left, ctx);
  const right = bindScalar(expr.right, ctx);
  const op = expr.op;
  const parts = [left, right];

  if (op === "and" || op === "or") {
    for (const side of parts) {
      if (side.type !== "bool" && side.type !== "dynamic") throw semanticError(`'${op}' needs boolean operands, not ${side.type}`, expr.pos);
    }
    const isAnd = op === "and";
    return withConstant(
      {
        type: "bool",
        eval: (row) => {
          const a = bool3(left.eval(row));
          if (isAnd && a === false) return false;
          if (!isAnd && a === true) return true;
          const b = bool3(right.eval(row));
          if (isAnd) return b === false ? false : a === null || b === null ? null : true;
          return b === true ? true : a === null || b === null ? null : false;
        },
      },
      parts,
    );
  }

  if (op === "+" || op === "-" || op === "*" || op === "/" || op === "%") return withConstant(bindArithmetic(op, left, right, expr.pos), parts);

  if (op === "==" || op === "!=" || op === "<" || op === "<=" || op === ">" || op === ">=") {
    requireComparable(left.type, right.type, op, expr.pos);
    const test: (c: number) => boolean =
      op === "==" ? (c) => c === 0 : op === "!=" ? (c) => c !== 0 : op === "<" ? (c) => c < 0 : op === "<=" ? (c) => c <= 0 : op === ">" ? (c) => c > 0 : (c) => c >= 0;
    return withConstant(
      {
        type: "bool",
        eval: (row) => {
          const a = left.eval(row);
          const b = right.eval(row);
          if (a === null || b === null) return null;
          return test(compareValues(a, b));
        },
      },
      parts,
    );
  }

  if (op === "matches regex" || op === "!matches regex") {
    if (!right.constant || right.type !== "string") throw semanticError("'matches regex' needs a constant string pattern", expr.pos);
    let regex: RegExp;
    try {
      regex = new RegExp(String(right.eval([])));
    } catch (error) {
      throw semanticError(`Invalid regular expression: ${(error as Error).message}`, expr.right.pos);
    }
    const negated = op.startsWith("!");
    return { type: "bool", eval: (row) => regex.test(valueToString(left.eval(row), left.type)) !== negated };
  }

  const negated = op.startsWith("!") && op !== "!=";
  const base = op === "!~" ? "=~" : negated ? op.slice(1) : op;
  const test = STRING_OPERATORS[base];
  if (!test) throw unsupportedError(`The operator '${op}' is not supported by this emulator`, expr.pos);
  return withConstant(
    {
      type: "bool",
      eval: (row) => {
        const a = left.eval(row);
        const b = right.eval(row);
        if (b === null) return null;
        const result = test(valueToString(a, left.type), valueToString(b, right.type));
        return op === "!~" || negated ? !result : result;
      },
    },
    parts,
  );
}

function bindArithmetic(op: string, left: Compiled, right: Compiled, pos: SourcePos): Compiled {
  const lt = left.type;
  const rt = right.type;
  const fail = () => semanticError(`Operator '${op}' cannot be applied to ${lt} and ${rt}`, pos);
  if (isNumericType(lt) && isNumericType(rt)) {
    const type: KqlType = lt === "real" || rt === "real" ? "real" : lt === "long" || rt === "long" ? "long" : "int";
    const integer = type !== "real";
    return {
      type,
      eval: (row) => {
        const a = left.eval(row) as number | null;
        const b = right.eval(row) as number | null;
        if (a === null || b === null) return null;
        switch (op) {
          case "+":
            return a + b;
          case "-":
            return a - b;
          case "*":
            return a * b;
          case "/":
            if (integer) return b === 0 ? null : Math.trunc(a / b);
            return a / b;
          default:
            return b === 0 && integer ? null : a % b;
        }
      },
    };
  }
  const ticks = (c: Compiled, row: readonly Value[]) => c.eval(row) as bigint | null;
  const both = (f: (a: bigint, b: bigint) => Value, type: KqlType): Compiled => ({
    type,
    eval: (row) => {
      const a = ticks(left, row);
      const b = ticks(right, row);
      return a === null || b === null ? null : f(a, b);
    },
  });
  if (lt === "datetime" && rt === "timespan" && (op === "+" || op === "-")) return both((a, b) => (op === "+" ? a + b : a - b), "datetime");
  if (lt === "timespan" && rt === "datetime" && op === "+") return both((a, b) => a + b, "datetime");
  if (lt === "datetime" && rt === "datetime" && op === "-") return both((a, b) => a - b, "timespan");
  if (lt === "timespan" && rt === "timespan") {
    if (op === "+" || op === "-") return both((a, b) => (op === "+" ? a + b : a - b), "timespan");
    if (op === "/") return both((a, b) => (b === 0n ? null : Number(a) / Number(b)), "real");
  }
  if (lt === "timespan" && isNumericType(rt) && (op === "*" || op === "/")) {
    return {
      type: "timespan",
      eval: (row) => {
        const a = ticks(left, row);
        const b = right.eval(row) as number | null;
        if (a === null || b === null || (op === "/" && b === 0)) return null;
        return BigInt(Math.round(op === "*" ? Number(a) * b : Number(a) / b));
      },
    };
  }
  throw fail();
}
