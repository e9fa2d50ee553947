import type { Expr, NamedExpr, Query, SortKey, TabularOp } from "./ast.js";
import { syntaxError, unsupportedError } from "./errors.js";
import { type Token, tokenize } from "./lexer.js";

/** Word operators between two scalars (case-sensitive, as in KQL). */
const WORD_OPERATORS = new Set([
  "has", "has_cs", "contains", "contains_cs", "startswith", "startswith_cs", "endswith", "endswith_cs",
  "hasprefix", "hassuffix", "has_any", "has_all", "in", "in~", "between", "matches",
]);
const SYMBOL_COMPARISONS = new Set(["==", "!=", "<", "<=", ">", ">=", "=~", "!~"]);

/** KQL operators this emulator knows by name but does not run. */
const UNSUPPORTED_OPERATORS = new Set([
  "join", "union", "lookup", "mv-expand", "mv-apply", "parse", "parse-where", "make-series", "render", "evaluate",
  "invoke", "as", "serialize", "sample", "sample-distinct", "getschema", "search", "find", "fork", "facet",
  "partition", "scan", "project-keep", "project-reorder", "extend-where", "reduce", "range", "print", "datatable",
  "externaldata", "materialize", "top-nested", "top-hitters", "consume", "lookup",
]);

const TABULAR_OPERATORS = "a tabular operator (where, project, project-away, project-rename, extend, take, limit, top, sort, order, summarize, distinct, count)";

const describe = (t: Token): string => {
  if (t.kind === "eof") return "end of query";
  if (t.kind === "string") return t.text;
  return `'${t.text}'`;
};

/**
 * Parses a query in the supported KQL subset into an AST with source positions.
 * Throws a `KqlError` naming the line and column of the first problem.
 */
export function parseQuery(text: string): Query {
  const tokens = tokenize(text);
  let i = 0;
  const peek = (ahead = 0): Token => tokens[Math.min(i + ahead, tokens.length - 1)] as Token;
  const next = (): Token => {
    const t = peek();
    if (i < tokens.length - 1) i++;
    return t;
  };
  const isOp = (t: Token, text: string) => t.kind === "op" && t.text === text;
  const isWord = (t: Token, word: string) => t.kind === "ident" && t.text === word;
  const expectOp = (op: string, what = `'${op}'`): Token => {
    const t = peek();
    if (!isOp(t, op)) throw syntaxError(t.pos, what, describe(t));
    return next();
  };
  const expectIdent = (what: string): Token => {
    const t = peek();
    if (t.kind !== "ident") throw syntaxError(t.pos, what, describe(t));
    return next();
  };

  // ── scalar expressions ────────────────────────────────────────────────
  const parseExpr = (): Expr => parseOr();

  /** A left-associative chain `operand (operator operand)*`. */
  const leftAssociative = (operand: () => Expr, isOperator: (t: Token) => boolean) => (): Expr => {
    let left = operand();
    while (isOperator(peek())) {
      const t = next();
      left = { kind: "binary", op: t.text, left, right: operand(), pos: t.pos };
    }
    return left;
  };
  const parseOr = leftAssociative(() => parseAnd(), (t) => isWord(t, "or"));
  const parseAnd = leftAssociative(() => parseComparison(), (t) => isWord(t, "and"));

  const parseList = (): Expr[] => {
    expectOp("(", "'(' to start the list");
    const items: Expr[] = [];
    if (!isOp(peek(), ")")) {
      do items.push(parseExpr());
      while (isOp(peek(), ",") && next());
    }
    expectOp(")", "',' or ')' to continue or close the list");
    return items;
  };

  const parseComparison = (): Expr => {
    let left = parseAdditive();
    for (;;) {
      const t = peek();
      if (isOp(t, "=") && !isOp(peek(1), "=")) throw syntaxError(t.pos, "'==' to compare values (a single '=' only names a column)", "'='");
      if (t.kind === "op" && SYMBOL_COMPARISONS.has(t.text)) {
        next();
        left = { kind: "binary", op: t.text, left, right: parseAdditive(), pos: t.pos };
        continue;
      }
      const word = t.kind === "ident" ? t.text : t.kind === "op" && t.text.startsWith("!") ? t.text : undefined;
      if (word === undefined) return left;
      const base = word.startsWith("!") ? word.slice(1) : word;
      if (!WORD_OPERATORS.has(base)) {
        if (word.startsWith("!")) throw unsupportedError(`The operator '${word}' is not supported by this emulator`, t.pos);
        return left;
      }
      next();
      if (base === "in" || base === "in~" || base === "has_any" || base === "has_all") {
        left = { kind: "in", op: word, left, items: parseList(), pos: t.pos };
      } else if (base === "between") {
        expectOp("(", "'(' after between");
        const low = parseAdditive();
        expectOp("..", "'..' between the bounds of between(low .. high)");
        const high = parseAdditive();
        expectOp(")", "')' to close between(low .. high)");
        left = { kind: "between", negated: word.startsWith("!"), left, low, high, pos: t.pos };
      } else if (base === "matches") {
        const r = peek();
        if (!isWord(r, "regex")) throw syntaxError(r.pos, "'regex' after 'matches'", describe(r));
        next();
        left = { kind: "binary", op: word === "matches" ? "matches regex" : "!matches regex", left, right: parseAdditive(), pos: t.pos };
      } else {
        left = { kind: "binary", op: word, left, right: parseAdditive(), pos: t.pos };
      }
    }
  };

  const parseAdditive = leftAssociative(() => parseMultiplicative(), (t) => isOp(t, "+") || isOp(t, "-"));
  const parseMultiplicative = leftAssociative(() => parseUnary(), (t) => isOp(t, "*") || isOp(t, "/") || isOp(t, "%"));

  const parseUnary = (): Expr => {
    const t = peek();
    if (isOp(t, "-") || isOp(t, "+")) {
      next();
      return { kind: "unary", op: t.text as "-" | "+", operand: parseUnary(), pos: t.pos };
    }
    return parsePrimary();
  };

  const parsePrimary = (): Expr => {
    const t = peek();
    switch (t.kind) {
      case "string":
        next();
        return { kind: "literal", type: "string", value: t.value as string, pos: t.pos };
      case "number":
        next();
        return { kind: "literal", type: t.real ? "real" : "long", value: t.value as number, pos: t.pos };
      case "timespan":
        next();
        return t.value === null ? { kind: "literal", type: "null", value: null, pos: t.pos } : { kind: "literal", type: "timespan", value: t.value as bigint, pos: t.pos };
      case "datetime":
        next();
        return t.value === null ? { kind: "literal", type: "null", value: null, pos: t.pos } : { kind: "literal", type: "datetime", value: t.value as bigint, pos: t.pos };
      case "ident": {
        next();
        if (t.text === "true" || t.text === "false") return { kind: "literal", type: "bool", value: t.text === "true", pos: t.pos };
        if (t.text === "null") return { kind: "literal", type: "null", value: null, pos: t.pos };
        if (isOp(peek(), "(")) {
          next();
          const args: Expr[] = [];
          if (!isOp(peek(), ")")) {
            do {
              if (isOp(peek(), "*")) {
                const star = next();
                args.push({ kind: "star", pos: star.pos });
              } else args.push(parseExpr());
            } while (isOp(peek(), ",") && next());
          }
          expectOp(")", `',' or ')' in the arguments of ${t.text}()`);
          return { kind: "call", name: t.text, args, pos: t.pos };
        }
        return { kind: "column", name: t.text, pos: t.pos };
      }
      case "op":
        if (t.text === "(") {
          next();
          const inner = parseExpr();
          expectOp(")", "')' to close the parenthesis");
          return inner;
        }
        if (t.text === "[") {
          // ['Column name'] — a bracketed column reference.
          next();
          const s = peek();
          if (s.kind !== "string") throw syntaxError(s.pos, "a quoted column name inside [ ]", describe(s));
          next();
          expectOp("]", "']' to close the column name");
          return { kind: "column", name: s.value as string, pos: t.pos };
        }
        break;
      default:
        break;
    }
    throw syntaxError(t.pos, "a column name, a value or a function call", describe(t));
  };

  // ── tabular operators ─────────────────────────────────────────────────
  const parseNamed = (): NamedExpr => {
    const t = peek();
    if ((t.kind === "ident" || isOp(t, "[")) && (isOp(peek(1), "=") || (isOp(t, "[") && isOp(peek(3), "]") && isOp(peek(4), "=")))) {
      let name: string;
      if (isOp(t, "[")) {
        next();
        name = String(next().value);
        next();
      } else name = next().text;
      next(); // '='
      return { name, expr: parseExpr(), pos: t.pos };
    }
    return { expr: parseExpr(), pos: t.pos };
  };

  const parseNamedList = (): NamedExpr[] => {
    const items: NamedExpr[] = [parseNamed()];
    while (isOp(peek(), ",")) {
      next();
      items.push(parseNamed());
    }
    return items;
  };

  const parseSortKey = (): SortKey => {
    const expr = parseExpr();
    let direction: "asc" | "desc" = "desc";
    if (isWord(peek(), "asc") || isWord(peek(), "desc")) direction = next().text as "asc" | "desc";
    const key: SortKey = { expr, direction };
    if (isWord(peek(), "nulls")) {
      next();
      const w = peek();
      if (!isWord(w, "first") && !isWord(w, "last")) throw syntaxError(w.pos, "'first' or 'last' after 'nulls'", describe(w));
      key.nulls = next().text as "first" | "last";
    }
    return key;
  };

  const expectBy = (operator: string) => {
    const t = peek();
    if (!isWord(t, "by")) throw syntaxError(t.pos, `'by' after '${operator}'`, describe(t));
    next();
  };

  const parseOperator = (): TabularOp => {
    const t = peek();
    if (t.kind !== "ident") throw syntaxError(t.pos, TABULAR_OPERATORS, describe(t));
    next();
    switch (t.text) {
      case "where":
      case "filter":
        return { kind: "where", predicate: parseExpr(), pos: t.pos };
      case "project":
        return { kind: "project", items: parseNamedList(), pos: t.pos };
      case "extend":
        return { kind: "extend", items: parseNamedList(), pos: t.pos };
      case "project-away": {
        const names: Array<{ name: string; pos: ReturnType<typeof peek>["pos"] }> = [];
        do {
          const n = peek();
          if (n.kind !== "ident") throw syntaxError(n.pos, "a column name", describe(n));
          next();
          let name = n.text;
          // Wildcards: `project-away Initiating*`.
          while (isOp(peek(), "*") && peek().pos.offset === n.pos.offset + name.length) {
            next();
            name += "*";
            const more = peek();
            if (more.kind === "ident" && more.pos.offset === n.pos.offset + name.length) name += next().text;
          }
          names.push({ name, pos: n.pos });
        } while (isOp(peek(), ",") && next());
        return { kind: "project-away", names, pos: t.pos };
      }
      case "project-rename": {
        const items: Array<{ name: string; from: string; pos: ReturnType<typeof peek>["pos"] }> = [];
        do {
          const n = expectIdent("a new column name");
          expectOp("=", "'=' in project-rename NewName = OldName");
          const from = expectIdent("the existing column name");
          items.push({ name: n.text, from: from.text, pos: from.pos });
        } while (isOp(peek(), ",") && next());
        return { kind: "project-rename", items, pos: t.pos };
      }
      case "take":
      case "limit":
        return { kind: "take", count: parseExpr(), pos: t.pos };
      case "top": {
        const count = parseAdditive();
        expectBy("top N");
        return { kind: "top", count, key: parseSortKey(), pos: t.pos };
      }
      case "sort":
      case "order": {
        expectBy(t.text);
        const keys = [parseSortKey()];
        while (isOp(peek(), ",")) {
          next();
          keys.push(parseSortKey());
        }
        return { kind: "sort", keys, pos: t.pos };
      }
      case "summarize": {
        const aggregates = isWord(peek(), "by") ? [] : parseNamedList();
        let by: NamedExpr[] = [];
        if (isWord(peek(), "by")) {
          next();
          by = parseNamedList();
        }
        if (aggregates.length === 0 && by.length === 0) throw syntaxError(peek().pos, "an aggregation such as count() or 'by'", describe(peek()));
        return { kind: "summarize", aggregates, by, pos: t.pos };
      }
      case "distinct": {
        if (isOp(peek(), "*")) {
          const star = next();
          return { kind: "distinct", items: [{ kind: "star", pos: star.pos }], pos: t.pos };
        }
        const items = [parseExpr()];
        while (isOp(peek(), ",")) {
          next();
          items.push(parseExpr());
        }
        return { kind: "distinct", items, pos: t.pos };
      }
      case "count":
        return { kind: "count", pos: t.pos };
      default:
        if (UNSUPPORTED_OPERATORS.has(t.text)) throw unsupportedError(`The '${t.text}' operator is not supported by this emulator`, t.pos);
        throw syntaxError(t.pos, TABULAR_OPERATORS, describe(t));
    }
  };

  const first = peek();
  if (first.kind === "eof") throw syntaxError(first.pos, "a table name", "an empty query");
  if (isWord(first, "let")) throw unsupportedError("'let' statements are not supported by this emulator", first.pos);
  if (first.kind !== "ident") throw syntaxError(first.pos, "a table name", describe(first));
  if (UNSUPPORTED_OPERATORS.has(first.text)) throw unsupportedError(`The '${first.text}' operator is not supported by this emulator`, first.pos);
  next();
  if (isOp(peek(), "(")) throw unsupportedError(`Functions such as '${first.text}()' cannot start a query in this emulator`, first.pos);
  const query: Query = { table: { name: first.text, pos: first.pos }, ops: [] };
  for (;;) {
    const t = peek();
    if (t.kind === "eof") break;
    if (isOp(t, ";")) {
      next();
      if (peek().kind === "eof") break;
      throw unsupportedError("Multiple statements separated by ';' are not supported by this emulator", t.pos);
    }
    if (!isOp(t, "|")) throw syntaxError(t.pos, "'|' or end of query", describe(t));
    next();
    query.ops.push(parseOperator());
  }
  return query;
}
