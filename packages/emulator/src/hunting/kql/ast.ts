import type { SourcePos } from "./errors.js";

/** Scalar expressions. Every node carries the position of its first token. */
export type Expr =
  | { kind: "literal"; type: "string" | "long" | "real" | "bool" | "datetime" | "timespan" | "null"; value: string | number | boolean | bigint | null; pos: SourcePos }
  | { kind: "column"; name: string; pos: SourcePos }
  | { kind: "star"; pos: SourcePos }
  | { kind: "binary"; op: string; left: Expr; right: Expr; pos: SourcePos }
  | { kind: "unary"; op: "-" | "+"; operand: Expr; pos: SourcePos }
  | { kind: "in"; op: string; left: Expr; items: Expr[]; pos: SourcePos }
  | { kind: "between"; negated: boolean; left: Expr; low: Expr; high: Expr; pos: SourcePos }
  | { kind: "call"; name: string; args: Expr[]; pos: SourcePos };

/** `Name = expr` or a bare `expr` in project/extend/summarize. */
export interface NamedExpr {
  name?: string;
  expr: Expr;
  pos: SourcePos;
}

export interface SortKey {
  expr: Expr;
  direction: "asc" | "desc";
  nulls?: "first" | "last";
}

/** Tabular operators after a pipe. */
export type TabularOp =
  | { kind: "where"; predicate: Expr; pos: SourcePos }
  | { kind: "project"; items: NamedExpr[]; pos: SourcePos }
  | { kind: "project-away"; names: Array<{ name: string; pos: SourcePos }>; pos: SourcePos }
  | { kind: "project-rename"; items: Array<{ name: string; from: string; pos: SourcePos }>; pos: SourcePos }
  | { kind: "extend"; items: NamedExpr[]; pos: SourcePos }
  | { kind: "take"; count: Expr; pos: SourcePos }
  | { kind: "top"; count: Expr; key: SortKey; pos: SourcePos }
  | { kind: "sort"; keys: SortKey[]; pos: SourcePos }
  | { kind: "summarize"; aggregates: NamedExpr[]; by: NamedExpr[]; pos: SourcePos }
  | { kind: "distinct"; items: Expr[]; pos: SourcePos }
  | { kind: "count"; pos: SourcePos };

/** `Table | op | op …`. */
export interface Query {
  table: { name: string; pos: SourcePos };
  ops: TabularOp[];
}
