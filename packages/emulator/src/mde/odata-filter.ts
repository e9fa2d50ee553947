/**
 * OData `$filter` → SQL over indexed columns, with bound parameters only
 * (mde-api.md §3.5). Supported: `eq ne gt ge lt le`, `and or not`,
 * parentheses, `in (…)`, `startswith/endswith/contains(prop,'x')`, and
 * `coll/any(t: t eq 'x')` for string collections. Strings are single-quoted
 * with `''` as the escaped quote; datetimes are unquoted ISO-8601 with 0–7
 * fraction digits (`2019-11-22T00:00:00Z`, `2018-08-01Z`). Anything else is a
 * 400 `ODataError` whose message names the problem.
 */

export type FieldType = "string" | "datetime" | "int" | "double" | "bool" | "stringList";

export interface FieldSpec {
  /** SQL column (or expression) holding the value; trusted, never from the request. */
  column: string;
  type: FieldType;
  /** Stored lowercased; literals are lowercased before comparing. */
  lowercase?: boolean;
}

/** Filterable properties of one entity set, keyed by lowercased OData property name. */
export type FieldMap = Readonly<Record<string, FieldSpec>>;

const FIELD_TYPES: readonly string[] = ["string", "datetime", "int", "double", "bool", "stringList"] satisfies FieldType[];

/**
 * A FieldMap over plain columns, one `column:type` entry per field in the order
 * error messages list them: the type is `string` when left out, and `lower` is a
 * lowercased string column. The OData name is the column without underscores,
 * or is written in front where it differs (`creationdatetimeutc=creation_time:datetime`).
 */
export function columnFields(entries: string): FieldMap {
  return Object.fromEntries(
    entries
      .trim()
      .split(/\s+/)
      .map((entry) => {
        const [head = "", type = "string"] = entry.split(":");
        const [name = "", column = name] = head.includes("=") ? head.split("=") : [head.replace(/_/g, ""), head];
        if (type === "lower") return [name, { column, type: "string", lowercase: true }];
        if (!FIELD_TYPES.includes(type)) throw new TypeError(`unknown field type in ${entry}`);
        return [name, { column, type: type as FieldType }];
      }),
  );
}

/** A `$filter` (or other query option) the emulator refuses; rendered as 400 ODataError. */
export class ODataQueryError extends Error {
  override name = "ODataQueryError";
}

type Token =
  | { kind: "punct"; value: "(" | ")" | "," | ":" | "/" }
  | { kind: "string"; value: string }
  | { kind: "datetime"; value: string; text: string }
  | { kind: "number"; value: number; text: string }
  | { kind: "word"; value: string };

const DATETIME = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,7}))?)?)?(Z|[+-]\d{2}:\d{2})?/;

/**
 * Parses an OData datetime literal to the store's fixed-width form
 * (`2019-11-22T00:00:00.0000000Z`), or undefined when it is not one.
 */
export function normalizeDateTime(text: string): string | undefined {
  const m = DATETIME.exec(text);
  if (!m || m[0].length !== text.length) return undefined;
  const [, y, mo, d, h = "00", mi = "00", s = "00", frac = "", zone] = m;
  // A time of day needs an offset (Edm.DateTimeOffset); a bare date means midnight UTC.
  if (m[4] !== undefined && zone === undefined) return undefined;
  let ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s));
  if (Number.isNaN(ms)) return undefined;
  const check = new Date(ms);
  if (check.getUTCDate() !== Number(d) || check.getUTCMonth() !== Number(mo) - 1 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 59)
    return undefined;
  if (zone && zone !== "Z") {
    const sign = zone[0] === "-" ? -1 : 1;
    ms -= sign * (Number(zone.slice(1, 3)) * 60 + Number(zone.slice(4, 6))) * 60_000;
  }
  const iso = new Date(ms).toISOString().slice(0, 19);
  return `${iso}.${frac.padEnd(7, "0")}Z`;
}

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i] as string;
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === "(" || ch === ")" || ch === "," || ch === ":" || ch === "/") {
      tokens.push({ kind: "punct", value: ch });
      i++;
      continue;
    }
    if (ch === "'") {
      let value = "";
      let j = i + 1;
      for (;;) {
        if (j >= text.length) throw new ODataQueryError(`Unterminated string literal at position ${i} in $filter.`);
        if (text[j] === "'") {
          if (text[j + 1] === "'") {
            value += "'";
            j += 2;
            continue;
          }
          break;
        }
        value += text[j];
        j++;
      }
      tokens.push({ kind: "string", value });
      i = j + 1;
      continue;
    }
    const rest = text.slice(i);
    const dt = /^\d{4}-\d{2}-\d{2}(?:T[0-9:.]+)?(?:Z|[+-]\d{2}:\d{2})?/.exec(rest);
    if (dt) {
      const normalized = normalizeDateTime(dt[0]);
      if (!normalized)
        throw new ODataQueryError(`The datetime literal '${dt[0]}' in $filter is not valid (use e.g. 2024-01-31T08:00:00Z).`);
      tokens.push({ kind: "datetime", value: normalized, text: dt[0] });
      i += dt[0].length;
      continue;
    }
    const num = /^-?\d+(?:\.\d+)?(?![A-Za-z_])/.exec(rest);
    if (num) {
      tokens.push({ kind: "number", value: Number(num[0]), text: num[0] });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z_$][A-Za-z0-9_.$]*/.exec(rest);
    if (word) {
      tokens.push({ kind: "word", value: word[0] });
      i += word[0].length;
      continue;
    }
    throw new ODataQueryError(`Syntax error at position ${i} in $filter: unexpected character '${ch}'.`);
  }
  return tokens;
}

const COMPARISONS: Readonly<Record<string, string>> = { eq: "IS", ne: "IS NOT", gt: ">", ge: ">=", lt: "<", le: "<=" };
const FUNCTIONS = new Set(["startswith", "endswith", "contains"]);

/** The compiled filter: a SQL boolean expression and its parameters. */
export interface CompiledFilter {
  sql: string;
  params: unknown[];
}

/** Compiles `$filter` text against an entity set's filterable properties. */
export function compileFilter(text: string, fields: FieldMap, entity: string): CompiledFilter {
  const tokens = tokenize(text);
  if (tokens.length === 0) throw new ODataQueryError("The $filter query option is empty.");
  let pos = 0;
  const params: unknown[] = [];
  const peek = () => tokens[pos];
  const isWord = (t: Token | undefined, w: string): boolean => t?.kind === "word" && t.value.toLowerCase() === w;
  const expectPunct = (p: string) => {
    const t = tokens[pos];
    if (t?.kind !== "punct" || t.value !== p)
      throw new ODataQueryError(`Syntax error in $filter: expected '${p}' ${t ? `but found '${describe(t)}'` : "at the end"}.`);
    pos++;
  };
  const field = (name: string): FieldSpec => {
    const spec = fields[name.toLowerCase()];
    if (!spec) {
      throw new ODataQueryError(
        `The property '${name}' cannot be used in the $filter query option of ${entity}. Filterable properties: ${Object.keys(fields).join(", ")}.`,
      );
    }
    return spec;
  };
  const literal = (spec: FieldSpec, name: string, op: string): unknown => {
    const t = tokens[pos++];
    if (!t) throw new ODataQueryError(`Syntax error in $filter: a value is missing after '${name} ${op}'.`);
    if (isWord(t, "null")) return null;
    const mismatch = () =>
      new ODataQueryError(
        `A binary operator with incompatible types was detected in $filter: property '${name}' (${edmType(spec.type)}) compared with ${describe(t)}.`,
      );
    switch (spec.type) {
      case "string":
      case "stringList":
        if (t.kind !== "string") throw mismatch();
        return spec.lowercase ? t.value.toLowerCase() : t.value;
      case "datetime":
        if (t.kind !== "datetime") throw mismatch();
        return t.value;
      case "int":
        if (t.kind !== "number" || !Number.isInteger(t.value)) throw mismatch();
        return t.value;
      case "double":
        if (t.kind !== "number") throw mismatch();
        return t.value;
      case "bool":
        if (isWord(t, "true")) return 1;
        if (isWord(t, "false")) return 0;
        throw mismatch();
    }
  };

  const primary = (): string => {
    const t = tokens[pos];
    if (!t) throw new ODataQueryError("Syntax error in $filter: the expression ends unexpectedly.");
    if (t.kind === "punct" && t.value === "(") {
      pos++;
      const inner = orExpr();
      expectPunct(")");
      return `(${inner})`;
    }
    if (t.kind !== "word") throw new ODataQueryError(`Syntax error in $filter: expected a property name but found ${describe(t)}.`);
    const next = tokens[pos + 1];
    if (FUNCTIONS.has(t.value.toLowerCase()) && next?.kind === "punct" && next.value === "(") {
      const fn = t.value.toLowerCase();
      pos += 2;
      const propTok = tokens[pos++];
      if (propTok?.kind !== "word") throw new ODataQueryError(`Syntax error in $filter: ${fn}() expects a property name first.`);
      const spec = field(propTok.value);
      if (spec.type !== "string")
        throw new ODataQueryError(`The function ${fn}() cannot be applied to the ${edmType(spec.type)} property '${propTok.value}'.`);
      expectPunct(",");
      const value = literal(spec, propTok.value, fn);
      if (typeof value !== "string") throw new ODataQueryError(`The function ${fn}() needs a string value.`);
      expectPunct(")");
      params.push(value);
      // instr/substr keep the comparison case-sensitive, like eq (LIKE would not be).
      if (fn === "startswith") return `(instr(${spec.column}, ?) = 1)`;
      if (fn === "contains") return `(instr(${spec.column}, ?) > 0)`;
      params.push(value);
      return `(substr(${spec.column}, -length(?)) = ?)`;
    }
    pos++;
    const spec = field(t.value);
    const op = tokens[pos];
    if (op?.kind === "punct" && op.value === "/") return anyLambda(t.value, spec);
    if (op?.kind !== "word") throw new ODataQueryError(`Syntax error in $filter: expected an operator after '${t.value}'.`);
    const opName = op.value.toLowerCase();
    pos++;
    if (opName === "in") {
      expectPunct("(");
      const values: unknown[] = [];
      for (;;) {
        values.push(literal(spec, t.value, "in"));
        const sep = tokens[pos];
        if (sep?.kind === "punct" && sep.value === ",") {
          pos++;
          continue;
        }
        break;
      }
      expectPunct(")");
      if (spec.type === "stringList") {
        params.push(...values);
        return `EXISTS (SELECT 1 FROM json_each(${spec.column}) WHERE value IN (${values.map(() => "?").join(", ")}))`;
      }
      const nonNull = values.filter((v) => v !== null);
      params.push(...nonNull);
      const parts: string[] = [];
      if (nonNull.length > 0) parts.push(`${spec.column} IN (${nonNull.map(() => "?").join(", ")})`);
      if (nonNull.length !== values.length) parts.push(`${spec.column} IS NULL`);
      return `(${parts.join(" OR ")})`;
    }
    const sqlOp = COMPARISONS[opName];
    if (!sqlOp)
      throw new ODataQueryError(
        `The operator '${op.value}' is not supported in $filter (supported: eq, ne, gt, ge, lt, le, in, and, or, not).`,
      );
    const value = literal(spec, t.value, opName);
    if (value === null && sqlOp !== "IS" && sqlOp !== "IS NOT") {
      throw new ODataQueryError(`The operator '${opName}' cannot compare '${t.value}' with null.`);
    }
    if (spec.type === "stringList") {
      if (opName !== "eq" && opName !== "ne")
        throw new ODataQueryError(`Only eq/ne or any() can be applied to the collection '${t.value}'.`);
      params.push(value);
      const exists = `EXISTS (SELECT 1 FROM json_each(${spec.column}) WHERE value = ?)`;
      return opName === "eq" ? exists : `NOT ${exists}`;
    }
    params.push(value);
    return `${spec.column} ${sqlOp} ?`;
  };

  const anyLambda = (name: string, spec: FieldSpec): string => {
    if (spec.type !== "stringList") throw new ODataQueryError(`The property '${name}' is not a collection; any() cannot be used.`);
    expectPunct("/");
    if (!isWord(peek(), "any")) throw new ODataQueryError(`Only the any() lambda is supported on '${name}'.`);
    pos++;
    expectPunct("(");
    const variable = tokens[pos++];
    if (variable?.kind !== "word") throw new ODataQueryError("Syntax error in $filter: any() needs a range variable.");
    expectPunct(":");
    const ref = tokens[pos++];
    if (ref?.kind !== "word" || ref.value !== variable.value)
      throw new ODataQueryError(`Syntax error in $filter: expected '${variable.value}' inside any().`);
    if (!isWord(peek(), "eq")) throw new ODataQueryError("Only 'eq' is supported inside any().");
    pos++;
    const value = literal(spec, name, "eq");
    expectPunct(")");
    params.push(value);
    return `EXISTS (SELECT 1 FROM json_each(${spec.column}) WHERE value = ?)`;
  };

  const unary = (): string => {
    if (isWord(peek(), "not")) {
      pos++;
      return `NOT (${unary()})`;
    }
    return primary();
  };
  const andExpr = (): string => {
    let left = unary();
    while (isWord(peek(), "and")) {
      pos++;
      left = `${left} AND ${unary()}`;
    }
    return left;
  };
  const orExpr = (): string => {
    let left = andExpr();
    while (isWord(peek(), "or")) {
      pos++;
      left = `(${left}) OR (${andExpr()})`;
    }
    return left;
  };

  const sql = orExpr();
  const trailing = tokens[pos];
  if (trailing) throw new ODataQueryError(`Syntax error in $filter: unexpected '${describe(trailing)}' at token ${pos + 1}.`);
  return { sql: `(${sql})`, params };
}

function describe(t: Token): string {
  switch (t.kind) {
    case "string":
      return `the string '${t.value}'`;
    case "datetime":
      return `the datetime ${t.text}`;
    case "number":
      return `the number ${t.text}`;
    case "word":
      return t.value;
    case "punct":
      return t.value;
  }
}

function edmType(type: FieldType): string {
  return {
    string: "Edm.String",
    datetime: "Edm.DateTimeOffset",
    int: "Edm.Int64",
    double: "Edm.Double",
    bool: "Edm.Boolean",
    stringList: "Collection(Edm.String)",
  }[type];
}
