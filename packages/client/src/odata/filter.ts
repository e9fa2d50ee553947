/**
 * Typed `$filter` builder (STYLE.md habit 6: no string concatenation into `$filter`).
 *
 * Renders the syntax the MDE pages use (mde-api.md §3.5): strings in single quotes with a
 * quote doubled (`'O''Brien'`), datetimes unquoted ISO-8601 (`lastSeen gt 2018-08-01T00:00:00Z`),
 * numbers and booleans bare, `startswith(prop,'x')`. Expressions form a tree and parentheses are
 * added only where OData precedence needs them (`not` > `and` > `or`).
 *
 * @example
 * const f = filterFor<AlertFilterFields>();
 * f.and(f.eq("status", "New"), f.gt("lastUpdateTime", new Date("2024-01-01T00:00:00Z")), f.in("severity", ["High", "Medium"]))
 * // status eq 'New' and lastUpdateTime gt 2024-01-01T00:00:00.000Z and severity in ('High','Medium')
 */

/** A datetime literal kept with the precision it was given (e.g. 7 fractional digits from the API). */
export class DateTimeLiteral {
  readonly iso: string;
  constructor(iso: string) {
    if (!ISO_DATETIME.test(iso))
      throw new TypeError(`invalid datetime ${JSON.stringify(iso)}: expected ISO-8601 UTC like 2021-01-26T20:33:57.7220239Z`);
    this.iso = iso;
  }
  toString(): string {
    return this.iso;
  }
}

// Date with optional time, 0–7 fractional digits, and `Z` or an offset (the docs also write `2018-08-01Z`).
const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,7})?)?)?(?:Z|[+-]\d{2}:\d{2})$/;
const PROPERTY = /^[A-Za-z_][A-Za-z0-9_]*(?:\/[A-Za-z_][A-Za-z0-9_]*)*$/;

/** A value that can appear on the right of a comparison. */
export type FilterValue = string | number | boolean | Date | DateTimeLiteral | null;

/** Expression tree of a filter (internal representation). */
export type FilterNode =
  | { kind: "cmp"; op: ComparisonOperator; prop: string; value: FilterValue }
  | { kind: "in"; prop: string; values: readonly FilterValue[] }
  | { kind: "fn"; name: "startswith" | "endswith" | "contains"; prop: string; value: string }
  | { kind: "and" | "or"; items: readonly FilterNode[] }
  | { kind: "not"; item: FilterNode };

/** Comparison operators of OData. */
export type ComparisonOperator = "eq" | "ne" | "gt" | "ge" | "lt" | "le";

/**
 * A built `$filter` expression. `Fields` records which entity it was built for, so an alerts
 * filter cannot be passed to machines. `String(expr)` renders it.
 */
export class FilterExpression<Fields = Record<string, FilterValue>> {
  /** The expression tree. */
  readonly node: FilterNode;
  /** Phantom marker of the entity's filterable fields (never set); invariant so filters don't cross entities. */
  declare readonly __fields?: (fields: Fields) => Fields;
  constructor(node: FilterNode) {
    this.node = node;
    Object.freeze(this);
  }
  /** The `$filter` text. */
  toString(): string {
    return render(this.node, 0);
  }
}

type Key<F> = Extract<keyof F, string>;
/** Values accepted for a field: datetime fields take `Date`/`DateTimeLiteral`, others their declared type. */
type ValueOf<F, K extends keyof F> = F[K] extends Date ? Date | DateTimeLiteral | null : F[K] | null;
type StringKey<F> = { [K in Key<F>]: [Extract<F[K], string>] extends [never] ? never : K }[Key<F>];

/** Builds filter expressions over the fields `F` (a map field name → value type). */
export interface FilterBuilder<F> {
  eq<K extends Key<F>>(prop: K, value: ValueOf<F, K>): FilterExpression<F>;
  ne<K extends Key<F>>(prop: K, value: ValueOf<F, K>): FilterExpression<F>;
  gt<K extends Key<F>>(prop: K, value: ValueOf<F, K>): FilterExpression<F>;
  ge<K extends Key<F>>(prop: K, value: ValueOf<F, K>): FilterExpression<F>;
  lt<K extends Key<F>>(prop: K, value: ValueOf<F, K>): FilterExpression<F>;
  le<K extends Key<F>>(prop: K, value: ValueOf<F, K>): FilterExpression<F>;
  /** `prop in ('a','b')` (OData 4.01; the MDE pages never show `in` — use {@link FilterBuilder.anyOf} if a tenant refuses it). */
  in<K extends Key<F>>(prop: K, values: ReadonlyArray<ValueOf<F, K>>): FilterExpression<F>;
  /** `(prop eq 'a' or prop eq 'b')`: the OData 4.0 spelling of `in`. */
  anyOf<K extends Key<F>>(prop: K, values: ReadonlyArray<ValueOf<F, K>>): FilterExpression<F>;
  startswith<K extends StringKey<F>>(prop: K, value: string): FilterExpression<F>;
  endswith<K extends StringKey<F>>(prop: K, value: string): FilterExpression<F>;
  contains<K extends StringKey<F>>(prop: K, value: string): FilterExpression<F>;
  and(...items: ReadonlyArray<FilterExpression<F> | undefined | false>): FilterExpression<F>;
  or(...items: ReadonlyArray<FilterExpression<F> | undefined | false>): FilterExpression<F>;
  not(item: FilterExpression<F>): FilterExpression<F>;
  /** A datetime literal that keeps the given precision (e.g. a 7-digit cursor from the API). */
  datetime(iso: string): DateTimeLiteral;
}

/**
 * A filter builder for the fields `F`.
 * @example const f = filterFor<MachineFilterFields>(); f.startswith("computerDnsName", "web")
 */
export function filterFor<F>(): FilterBuilder<F> {
  return builder as unknown as FilterBuilder<F>;
}

function property(prop: string): string {
  if (typeof prop !== "string" || !PROPERTY.test(prop)) throw new TypeError(`invalid OData property name ${JSON.stringify(prop)}`);
  return prop;
}

function cmp(op: ComparisonOperator) {
  return (prop: string, value: FilterValue) => {
    checkValue(value);
    return new FilterExpression({ kind: "cmp", op, prop: property(prop), value });
  };
}

function fn(name: "startswith" | "endswith" | "contains") {
  return (prop: string, value: string) => {
    if (typeof value !== "string") throw new TypeError(`${name} needs a string value, got ${typeof value}`);
    return new FilterExpression({ kind: "fn", name, prop: property(prop), value });
  };
}

function junction(kind: "and" | "or") {
  return (...items: ReadonlyArray<FilterExpression | undefined | false>) => {
    const nodes = items.filter((i): i is FilterExpression => i instanceof FilterExpression).map((i) => i.node);
    if (nodes.length === 0) throw new TypeError(`${kind}() needs at least one expression`);
    if (nodes.length === 1) return new FilterExpression(nodes[0]!);
    return new FilterExpression({ kind, items: nodes });
  };
}

const builder = {
  eq: cmp("eq"),
  ne: cmp("ne"),
  gt: cmp("gt"),
  ge: cmp("ge"),
  lt: cmp("lt"),
  le: cmp("le"),
  in(prop: string, values: readonly FilterValue[]) {
    if (!Array.isArray(values) || values.length === 0) throw new TypeError(`in() needs a non-empty list of values for ${prop}`);
    values.forEach(checkValue);
    return new FilterExpression({ kind: "in", prop: property(prop), values: [...values] });
  },
  anyOf(prop: string, values: readonly FilterValue[]) {
    if (!Array.isArray(values) || values.length === 0) throw new TypeError(`anyOf() needs a non-empty list of values for ${prop}`);
    return junction("or")(...values.map((v) => cmp("eq")(prop, v)));
  },
  startswith: fn("startswith"),
  endswith: fn("endswith"),
  contains: fn("contains"),
  and: junction("and"),
  or: junction("or"),
  not(item: FilterExpression) {
    if (!(item instanceof FilterExpression)) throw new TypeError("not() needs a filter expression");
    return new FilterExpression({ kind: "not", item: item.node });
  },
  datetime(iso: string) {
    return new DateTimeLiteral(iso);
  },
};

/** An untyped builder: any property name, any value. Prefer the per-entity builders. */
export const filter: FilterBuilder<Record<string, FilterValue>> = filterFor<Record<string, FilterValue>>();

function checkValue(value: FilterValue): void {
  if (value === null || typeof value === "string" || typeof value === "boolean" || value instanceof DateTimeLiteral) return;
  if (typeof value === "number") {
    if (!Number.isFinite(value)) throw new TypeError(`OData number must be finite, got ${value}`);
    return;
  }
  if (value instanceof Date) {
    if (Number.isNaN(value.getTime())) throw new TypeError("OData datetime is an invalid Date");
    return;
  }
  throw new TypeError(`unsupported OData value of type ${typeof value}`);
}

/** Renders one literal (mde-api.md §3.5: strings quoted, datetimes unquoted). */
export function literal(value: FilterValue): string {
  checkValue(value);
  if (value === null) return "null";
  if (typeof value === "string") return `'${value.replaceAll("'", "''")}'`;
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  if (value instanceof Date) return value.toISOString();
  return value.iso;
}

// Binding strength: or (1) < and (2) < not / primary (3).
const STRENGTH = { or: 1, and: 2 } as const;

function render(node: FilterNode, parent: number): string {
  switch (node.kind) {
    case "cmp":
      return `${node.prop} ${node.op} ${literal(node.value)}`;
    case "in":
      return `${node.prop} in (${node.values.map(literal).join(",")})`;
    case "fn":
      return `${node.name}(${node.prop},${literal(node.value)})`;
    case "not": {
      // `not` binds tighter than comparisons, so anything but a function call needs parentheses.
      const inner = node.item.kind === "fn" ? render(node.item, 3) : `(${render(node.item, 0)})`;
      return `not ${inner}`;
    }
    case "and":
    case "or": {
      const own = STRENGTH[node.kind];
      const text = node.items.map((i) => render(i, own)).join(` ${node.kind} `);
      return parent > own ? `(${text})` : text;
    }
  }
}

/** Accepts an expression or a callback receiving the entity's builder. */
export type FilterInput<F> = FilterExpression<F> | ((f: FilterBuilder<F>) => FilterExpression<F>);

/** Renders a {@link FilterInput} to `$filter` text. */
export function renderFilter<F>(input: FilterInput<F>): string {
  const expr = typeof input === "function" ? input(filterFor<F>()) : input;
  if (!(expr instanceof FilterExpression)) throw new TypeError("filter must be built with the filter builder (a FilterExpression)");
  return expr.toString();
}
