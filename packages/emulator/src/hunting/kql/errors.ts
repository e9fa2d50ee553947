/** Where in the query text something is (1-based line and column, 0-based offset). */
export interface SourcePos {
  offset: number;
  line: number;
  column: number;
}

/** What went wrong: bad syntax, a name or type that does not resolve, KQL this engine does not implement, or a limit. */
export type KqlErrorKind = "syntax" | "semantic" | "unsupported" | "limit";

/**
 * A query the engine refuses. `message` is written for the person who typed the
 * query and names the line and column when the problem has a place; the API
 * answers it as HTTP 400 `BadRequest` (mde-api.md §3.3; Graph: graph-security.md §3.3).
 */
export class KqlError extends Error {
  readonly kind: KqlErrorKind;
  readonly pos: SourcePos | undefined;
  constructor(kind: KqlErrorKind, message: string, pos?: SourcePos) {
    super(message);
    this.name = "KqlError";
    this.kind = kind;
    this.pos = pos;
  }
}

const where = (pos: SourcePos | undefined) => (pos ? ` (line ${pos.line}, column ${pos.column})` : "");

/** "Syntax error at line 1, column 23: expected … but found …". */
export function syntaxError(pos: SourcePos, expected: string, found: string): KqlError {
  return new KqlError("syntax", `Syntax error at line ${pos.line}, column ${pos.column}: expected ${expected} but found ${found}`, pos);
}

export function semanticError(message: string, pos?: SourcePos): KqlError {
  return new KqlError("semantic", `${message}${where(pos)}`, pos);
}

export function unsupportedError(message: string, pos?: SourcePos): KqlError {
  return new KqlError("unsupported", `${message}${where(pos)}`, pos);
}
