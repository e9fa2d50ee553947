import type { BindContext, Compiled, ScalarFunction } from "./compiled.js";
import { semanticError, type SourcePos } from "./errors.js";
import { isNumericType, type KqlType, parseDateTime, parseTimespan, TICKS_PER_DAY, type Value, valueToString } from "./values.js";

/** Ticks from 0001-01-01 to 1970-01-01. */
const DOTNET_EPOCH_OFFSET = 621_355_968_000_000_000n;

const arity = (name: string, args: Compiled[], min: number, max: number, pos: SourcePos) => {
  if (args.length < min || args.length > max) {
    const expected = min === max ? `${min}` : max === Infinity ? `at least ${min}` : `${min} to ${max}`;
    throw semanticError(`Function '${name}' expects ${expected} argument${max === 1 ? "" : "s"} but got ${args.length}`, pos);
  }
};

const requireType = (name: string, arg: Compiled | undefined, accepted: readonly KqlType[], pos: SourcePos, which = "argument") => {
  if (!arg || !accepted.includes(arg.type)) {
    throw semanticError(`Function '${name}': ${which} must be of type ${accepted.join(" or ")}, not ${arg?.type ?? "missing"}`, pos);
  }
};

const str = (c: Compiled, row: readonly Value[]) => valueToString(c.eval(row), c.type);
const arg = (args: Compiled[], i: number) => args[i] as Compiled;

/** Floors a number, datetime or timespan down to a multiple of `size` (bin/floor). */
function binFunction(name: string): ScalarFunction {
  return (args, _ctx, pos) => {
    arity(name, args, 2, 2, pos);
    const [value, size] = [arg(args, 0), arg(args, 1)];
    if (value.type === "datetime" || value.type === "timespan") {
      requireType(name, size, ["timespan"], pos, "the bin size");
      return {
        type: value.type,
        eval: (row) => {
          const v = value.eval(row) as bigint | null;
          const s = size.eval(row) as bigint | null;
          if (v === null || s === null || s <= 0n) return null;
          // Kusto aligns bins to the .NET epoch (0001-01-01), which matters for sizes such as 7d.
          const shifted = value.type === "datetime" ? v + DOTNET_EPOCH_OFFSET : v;
          const r = shifted % s;
          return v - (r < 0n ? r + s : r);
        },
      };
    }
    requireType(name, value, ["long", "int", "real"], pos, "the value");
    requireType(name, size, ["long", "int", "real"], pos, "the bin size");
    return {
      type: value.type === "real" || size.type === "real" ? "real" : value.type,
      eval: (row) => {
        const v = value.eval(row) as number | null;
        const s = size.eval(row) as number | null;
        if (v === null || s === null || s <= 0) return null;
        return Math.floor(v / s) * s;
      },
    };
  };
}

/**
 * A one-argument function returning `type`; `fn` gets the argument's value and
 * type. `accepts` restricts the argument's type (`which` names it in the error).
 */
function unary(
  name: string,
  type: KqlType,
  fn: (v: Value, from: KqlType, ctx: BindContext) => Value,
  accepts?: { types: readonly KqlType[]; which?: string },
): ScalarFunction {
  return (args, ctx, pos) => {
    arity(name, args, 1, 1, pos);
    const a = arg(args, 0);
    if (accepts) requireType(name, a, accepts.types, pos, accepts.which);
    return { type, eval: (row) => fn(a.eval(row), a.type, ctx) };
  };
}

/** A one-argument `to<type>` conversion. */
const conversion = (type: KqlType, convert: (v: Value, from: KqlType) => Value) => unary(`to${type}`, type, convert);

const toNumber = (type: "long" | "int" | "real") =>
  conversion(type, (v) => {
    if (v === null) return null;
    let n: number;
    if (typeof v === "boolean") n = v ? 1 : 0;
    else if (typeof v === "bigint") n = Number(v);
    else if (typeof v === "number") n = v;
    else if (typeof v === "string") n = v.trim() === "" ? Number.NaN : Number(v);
    else return null;
    if (Number.isNaN(n)) return null;
    return type === "real" ? n : Math.trunc(n);
  });

/** `todatetime`/`totimespan`: a value of the type passes through, a string is parsed, anything else is null. */
const toTicks = (type: "datetime" | "timespan", parse: (text: string) => bigint | undefined) =>
  conversion(type, (v, from) => (typeof v === "bigint" && from === type ? v : typeof v === "string" ? (parse(v) ?? null) : null));

const stringCase = (upper: boolean) =>
  unary(upper ? "toupper" : "tolower", "string", (v, from) => (upper ? valueToString(v, from).toUpperCase() : valueToString(v, from).toLowerCase()));

const emptiness = (name: string, wantEmpty: boolean) => unary(name, "bool", (v) => (v === null || v === "") === wantEmpty);

const nullness = (name: string, wantNull: boolean) => unary(name, "bool", (v) => (v === null) === wantNull);

/**
 * The scalar functions the emulator implements (names are case-sensitive, as in
 * KQL). Anything else is refused with a message naming the function.
 */
export const SCALAR_FUNCTIONS: Readonly<Record<string, ScalarFunction>> = Object.freeze({
  now: (args, ctx: BindContext, pos) => {
    arity("now", args, 0, 1, pos);
    const offset = args[0];
    if (offset) requireType("now", offset, ["timespan"], pos, "the offset");
    return { type: "datetime", eval: (row) => (offset ? ctx.now + ((offset.eval(row) as bigint | null) ?? 0n) : ctx.now) };
  },
  ago: unary("ago", "datetime", (v, _from, ctx) => (v === null ? null : ctx.now - (v as bigint)), { types: ["timespan"], which: "the argument (for example 7d, 12h, 30m)" }),
  not: unary("not", "bool", (v) => (v === null ? null : !v), { types: ["bool"] }),
  isempty: emptiness("isempty", true),
  isnotempty: emptiness("isnotempty", false),
  isnull: nullness("isnull", true),
  isnotnull: nullness("isnotnull", false),
  tolower: stringCase(false),
  toupper: stringCase(true),
  strcat: (args, _ctx, pos) => {
    arity("strcat", args, 1, 64, pos);
    return { type: "string", eval: (row) => args.map((a) => str(a, row)).join("") };
  },
  strlen: unary("strlen", "long", (v, from) => [...valueToString(v, from)].length),
  substring: (args, _ctx, pos) => {
    arity("substring", args, 2, 3, pos);
    const [s, start, length] = [arg(args, 0), arg(args, 1), args[2]];
    requireType("substring", start, ["long", "int"], pos, "the start index");
    return {
      type: "string",
      eval: (row) => {
        const text = str(s, row);
        const from = Math.max(0, (start.eval(row) as number | null) ?? 0);
        const len = length ? ((length.eval(row) as number | null) ?? text.length) : text.length;
        return text.substr(from, Math.max(0, len));
      },
    };
  },
  tostring: conversion("string", valueToString),
  toint: toNumber("int"),
  tolong: toNumber("long"),
  toreal: toNumber("real"),
  todouble: toNumber("real"),
  todatetime: toTicks("datetime", parseDateTime),
  totimespan: toTicks("timespan", parseTimespan),
  bin: binFunction("bin"),
  floor: binFunction("floor"),
  startofday: unary(
    "startofday",
    "datetime",
    (v) => {
      if (v === null) return null;
      const ticks = v as bigint;
      const r = ticks % TICKS_PER_DAY;
      return r < 0n ? ticks - r - TICKS_PER_DAY : ticks - r;
    },
    { types: ["datetime"] },
  ),
  iff: conditional("iff"),
  iif: conditional("iif"),
  coalesce: (args, _ctx, pos) => {
    arity("coalesce", args, 1, 64, pos);
    const type = arg(args, 0).type;
    for (const a of args) if (a.type !== type && !(isNumericType(a.type) && isNumericType(type))) throw semanticError("Function 'coalesce': all arguments must have the same type", pos);
    return {
      type,
      eval: (row) => {
        for (const a of args) {
          const v = a.eval(row);
          if (v !== null && v !== "") return v;
        }
        return type === "string" ? "" : null;
      },
    };
  },
});

function conditional(name: string): ScalarFunction {
  return (args, _ctx, pos) => {
    arity(name, args, 3, 3, pos);
    const [cond, then, otherwise] = [arg(args, 0), arg(args, 1), arg(args, 2)];
    requireType(name, cond, ["bool"], pos, "the condition");
    const sameFamily = then.type === otherwise.type || (isNumericType(then.type) && isNumericType(otherwise.type));
    if (!sameFamily) throw semanticError(`Function '${name}': both branches must have the same type (${then.type} vs ${otherwise.type})`, pos);
    const type: KqlType = then.type === otherwise.type ? then.type : "real";
    return { type, eval: (row) => (cond.eval(row) === true ? then.eval(row) : otherwise.eval(row)) };
  };
}
